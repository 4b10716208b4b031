//! OSV's `all.zip`: every record of an ecosystem (or of all of them) as one JSON file per
//! record in a zip archive, read member by member without unpacking to disk.

use std::path::Path;

use super::osv::{Advisory, OsvError, parse, read_bounded};

/// Reads every `.json` member of the archive at `path`.
pub fn load(path: &Path) -> Result<Vec<Advisory>, OsvError> {
    let file = crate::files::open_regular(path, crate::files::Links::Follow).map_err(|source| {
        OsvError::Read {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let bad = |e: zip::result::ZipError| OsvError::Parse {
        path: path.to_path_buf(),
        message: format!("not a readable zip archive: {e}"),
    };
    let mut archive = zip::ZipArchive::new(file).map_err(bad)?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let member = archive.by_index(i).map_err(bad)?;
        if !member.is_file() || !member.name().ends_with(".json") {
            continue;
        }
        let member_path = path.join(member.name());
        let bytes = read_bounded(member, &member_path)?;
        out.extend(parse(&bytes, &member_path)?);
    }
    Ok(out)
}
