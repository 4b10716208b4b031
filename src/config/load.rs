//! Reading the configuration file: regular files only, bounded in size, and refused when other
//! users can read it, since it holds passphrases or keys.

use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use super::{Config, ConfigError, Warning};

/// Largest configuration file read; a config is a few kilobytes, anything larger is a mistake.
const MAX_FILE_BYTES: u64 = 1 << 20;

impl Config {
    /// Reads, checks and validates the file at `path`.
    ///
    /// Refuses a file that other users can read or write (Unix), since it holds passphrases or
    /// keys; warns when its group can.
    pub fn load(path: &Path) -> Result<(Config, Vec<Warning>), ConfigError> {
        let read_err = |source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        };
        // Non-blocking and regular files only: a FIFO here would hang start-up and
        // `--check-config`.
        let file =
            crate::files::open_regular(path, crate::files::Links::Follow).map_err(read_err)?;
        // Permissions come from the opened file, not the path, so a swap cannot slip past.
        let meta = file.metadata().map_err(read_err)?;
        let mut warnings = Vec::new();
        if let Some(warning) = check_permissions(path, &meta)? {
            warnings.push(warning);
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(ConfigError::TooLarge {
                file: path.to_path_buf(),
            });
        }
        let mut text = Zeroizing::new(String::new());
        file.take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read_err)?;
        let (config, more) = Config::parse(&text, path)?;
        warnings.extend(more);
        Ok((config, warnings))
    }
}

#[cfg(unix)]
fn check_permissions(
    path: &Path,
    meta: &std::fs::Metadata,
) -> Result<Option<Warning>, ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o006 != 0 {
        return Err(ConfigError::Exposed {
            file: path.to_path_buf(),
            mode,
        });
    }
    if mode & 0o060 != 0 {
        return Ok(Some(Warning {
            file: path.to_path_buf(),
            key: "(file)".to_string(),
            message: format!(
                "group can access it (mode {mode:03o}) and it holds secrets; consider `chmod 600`"
            ),
        }));
    }
    Ok(None)
}

#[cfg(not(unix))]
fn check_permissions(
    _path: &Path,
    _meta: &std::fs::Metadata,
) -> Result<Option<Warning>, ConfigError> {
    Ok(None)
}
