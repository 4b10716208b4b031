//! OSV records (the OSV schema, ossf.github.io/osv-schema): reading them offline from a file,
//! a directory of `.json` files or an OSV `all.zip`, and matching a component against them.
//!
//! A component is matched through its purl: the purl type gives the ecosystem and the purl's
//! namespace and name the OSV package name (`org.apache.logging.log4j:log4j-core`,
//! `@babel/traverse`). It is affected when its version is listed in `versions`, or falls in
//! an `ECOSYSTEM` or `SEMVER` range, evaluated as the schema's "Evaluation" section does: the
//! events sorted by version, `introduced` opening, `fixed` (and after `last_affected`)
//! closing. `GIT` ranges name commits, which a device does not serve: they are ignored. When
//! the ecosystem cannot be ordered, or the version does not parse, the answer is
//! [`Verdict::Unknown`], never a guess.

use std::cmp::Ordering;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::purl::Purl;
use super::version::Ecosystem;

/// The largest single record or zip member read (the largest real records are a few MB).
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// One OSV record, the fields this tool uses.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Advisory {
    /// `id` (GHSA-..., CVE-..., PYSEC-...).
    pub id: String,
    /// `aliases`.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `summary`.
    #[serde(default)]
    pub summary: String,
    /// `affected`.
    #[serde(default)]
    pub affected: Vec<Affected>,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Affected {
    /// `package`.
    pub package: Option<Package>,
    /// `ranges`.
    #[serde(default)]
    pub ranges: Vec<Range>,
    /// `versions`: versions listed one by one.
    #[serde(default)]
    pub versions: Vec<String>,
}

/// `affected[].package`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Package {
    /// `ecosystem` (`Maven`, `npm`, ...).
    pub ecosystem: String,
    /// `name` in the ecosystem's spelling.
    pub name: String,
    /// `purl`, when given.
    pub purl: Option<String>,
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Range {
    /// `type`: `ECOSYSTEM`, `SEMVER` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `events`.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event; exactly one field is set.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Event {
    /// `introduced`.
    pub introduced: Option<String>,
    /// `fixed`.
    pub fixed: Option<String>,
    /// `last_affected`.
    pub last_affected: Option<String>,
    /// `limit`.
    pub limit: Option<String>,
}

/// The answer for one component and one advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Affected: the ranges (as `vers:` text) that contain the version.
    Affected(Vec<String>),
    /// The advisory names the package, but not this version.
    NotAffected,
    /// The advisory names the package; the version cannot be ordered in its ecosystem.
    Unknown(Vec<String>),
}

/// Why OSV data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OsvError {
    /// A file or directory could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A record is not OSV JSON.
    #[error("{}: not an OSV record: {message}", path.display())]
    Parse {
        /// The file (`all.zip/NAME.json` for a zip member).
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A record larger than any real one.
    #[error("{}: larger than 64 MiB", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
}

/// Reads every record at `path`: a `.json` file (one record, or an array of records), a
/// directory of them (recursively), or a `.zip` archive of them (OSV's `all.zip`).
pub fn load(path: &Path) -> Result<Vec<Advisory>, OsvError> {
    let read_err = |source| OsvError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = fs::metadata(path).map_err(read_err)?;
    let mut out = Vec::new();
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .map_err(read_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let is_json = entry.extension().is_some_and(|e| e == "json");
            if entry.is_dir() || is_json || entry.extension().is_some_and(|e| e == "zip") {
                out.extend(load(&entry)?);
            }
        }
        return Ok(out);
    }
    if meta.len() > MAX_RECORD_BYTES && path.extension().is_none_or(|e| e != "zip") {
        return Err(OsvError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    if path.extension().is_some_and(|e| e == "zip") {
        return super::osv_zip::load(path);
    }
    // Opened without blocking and required to be a regular file: a FIFO would hang the run.
    let bytes = crate::files::read_regular(path, crate::files::Links::Follow, MAX_RECORD_BYTES)
        .map_err(|e| match e {
            crate::files::ReadError::TooLarge(_) => OsvError::TooLarge {
                path: path.to_path_buf(),
            },
            crate::files::ReadError::Io(source) => read_err(source),
        })?;
    parse(&bytes, path)
}

/// Parses one JSON document: a record or an array of records.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Vec<Advisory>, OsvError> {
    let err = |e: serde_json::Error| OsvError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(err)?;
    match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(err))
            .collect(),
        other => Ok(vec![serde_json::from_value(other).map_err(err)?]),
    }
}

/// Reads at most 64 MiB from `reader` (a zip member).
pub fn read_bounded(reader: impl Read, path: &Path) -> Result<Vec<u8>, OsvError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| OsvError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(OsvError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

impl Advisory {
    /// Whether `id` names this advisory (its ID or an alias, any case).
    pub fn is_named(&self, id: &str) -> bool {
        self.id.eq_ignore_ascii_case(id) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    }

    /// The CVE alias if any, else the ID: the name an analyst searches for.
    pub fn display_id(&self) -> &str {
        self.aliases
            .iter()
            .find(|a| a.starts_with("CVE-"))
            .map_or(self.id.as_str(), String::as_str)
    }

    /// The version-less purl keys of the packages it names (for lookups).
    pub fn purl_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .filter_map(package_purl)
            .map(|p| p.key())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The verdict for a component with `purl` and `version`; None when the advisory does not
    /// name the package.
    pub fn verdict(&self, purl: &str, version: &str) -> Option<Verdict> {
        let purl = Purl::parse(purl)?;
        let eco = purl.ecosystem();
        let name = purl.osv_name();
        let version = purl.version.clone().unwrap_or_else(|| version.to_string());
        let mut named = false;
        let mut affected = Vec::new();
        let mut unknown = Vec::new();
        for a in &self.affected {
            let Some(pkg) = &a.package else { continue };
            if !same_package(&eco, &name, pkg) {
                continue;
            }
            named = true;
            if a.versions.contains(&version) {
                affected.push(format!("={version}"));
                continue;
            }
            for range in &a.ranges {
                if range.kind == "GIT" {
                    continue;
                }
                let text = vers_text(&eco, range);
                match in_range(&eco, range, &version) {
                    Some(true) => affected.push(text),
                    Some(false) => {}
                    None => unknown.push(text),
                }
            }
        }
        if !named {
            None
        } else if !affected.is_empty() {
            Some(Verdict::Affected(affected))
        } else if !unknown.is_empty() {
            Some(Verdict::Unknown(unknown))
        } else {
            Some(Verdict::NotAffected)
        }
    }
}

fn package_purl(pkg: &Package) -> Option<Purl> {
    if let Some(p) = pkg.purl.as_deref().and_then(Purl::parse) {
        return Some(p);
    }
    let text = match pkg.ecosystem.as_str() {
        "Maven" => {
            let (group, artifact) = pkg.name.split_once(':')?;
            format!("pkg:maven/{group}/{artifact}")
        }
        "npm" => format!("pkg:npm/{}", pkg.name.replace('@', "%40")),
        "PyPI" => format!("pkg:pypi/{}", pkg.name.to_ascii_lowercase()),
        "Go" => format!("pkg:golang/{}", pkg.name),
        "crates.io" => format!("pkg:cargo/{}", pkg.name),
        _ => return None,
    };
    Purl::parse(&text)
}

fn same_package(eco: &Ecosystem, name: &str, pkg: &Package) -> bool {
    // "Debian:12" and the like carry a release after the colon.
    let pkg_eco = pkg.ecosystem.split(':').next().unwrap_or_default();
    if Ecosystem::from_osv(pkg_eco) != *eco {
        return false;
    }
    match eco {
        Ecosystem::PyPI => pkg.name.to_ascii_lowercase().replace('_', "-") == name,
        _ => pkg.name == name,
    }
}

/// Whether `version` is in `range`; None when it cannot be ordered.
fn in_range(eco: &Ecosystem, range: &Range, version: &str) -> Option<bool> {
    let order = |a: &str, b: &str| -> Option<Ordering> {
        if range.kind == "SEMVER" {
            Ecosystem::SemVer.compare(a, b)
        } else {
            eco.compare(a, b)
        }
    };
    order(version, version)?;
    let mut events: Vec<(&str, &str)> = Vec::new();
    for e in &range.events {
        let (kind, v) = match e {
            Event {
                introduced: Some(v),
                ..
            } => ("introduced", v),
            Event { fixed: Some(v), .. } => ("fixed", v),
            Event {
                last_affected: Some(v),
                ..
            } => ("last_affected", v),
            Event { limit: Some(v), .. } => ("limit", v),
            _ => continue,
        };
        if v != "0" && v != "*" {
            order(v, v)?;
        }
        events.push((kind, v.as_str()));
    }
    let key = |v: &str| v == "0";
    events.sort_by(|a, b| match (key(a.1), key(b.1)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => order(a.1, b.1).unwrap_or(Ordering::Equal),
    });
    let mut affected = false;
    for (kind, v) in events {
        let cmp = if v == "0" {
            Ordering::Greater
        } else {
            order(version, v)?
        };
        match kind {
            "introduced" if cmp != Ordering::Less => affected = true,
            "fixed" if cmp != Ordering::Less => affected = false,
            "last_affected" if cmp == Ordering::Greater => affected = false,
            "limit" if cmp != Ordering::Less => affected = false,
            _ => {}
        }
    }
    Some(affected)
}

/// A range as `vers:` text, for records: `vers:maven/>=2.13.0|<2.15.0`.
pub fn vers_text(eco: &Ecosystem, range: &Range) -> String {
    let scheme = match eco {
        Ecosystem::Maven => "maven",
        Ecosystem::Npm => "npm",
        Ecosystem::PyPI => "pypi",
        Ecosystem::Go => "golang",
        Ecosystem::CratesIo => "cargo",
        Ecosystem::SemVer => "semver",
        Ecosystem::Other(name) => name.as_str(),
    };
    let parts: Vec<String> = range
        .events
        .iter()
        .filter_map(|e| match e {
            Event {
                introduced: Some(v),
                ..
            } if v == "0" => None,
            Event {
                introduced: Some(v),
                ..
            } => Some(format!(">={v}")),
            Event { fixed: Some(v), .. } => Some(format!("<{v}")),
            Event {
                last_affected: Some(v),
                ..
            } => Some(format!("<={v}")),
            Event { limit: Some(v), .. } => Some(format!("<{v}")),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        format!("vers:{scheme}/*")
    } else {
        format!("vers:{scheme}/{}", parts.join("|"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(json: &str) -> Advisory {
        parse(json.as_bytes(), Path::new("t.json"))
            .expect("parses")
            .remove(0)
    }

    const LOG4SHELL: &str = r#"{"id":"GHSA-jfh8-c2jp-5v3q","aliases":["CVE-2021-44228"],
      "affected":[
        {"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},
         "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.13.0"},{"fixed":"2.15.0"}]}]},
        {"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},
         "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.3.1"}]}]},
        {"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},
         "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.4"},{"fixed":"2.12.2"}]}]}]}"#;

    #[test]
    fn log4shell_verdicts() {
        let a = advisory(LOG4SHELL);
        let purl = "pkg:maven/org.apache.logging.log4j/log4j-core";
        let cases = [
            ("2.14.1", Some("vers:maven/>=2.13.0|<2.15.0")),
            ("2.0-beta9", Some("vers:maven/<2.3.1")),
            ("2.12.1", Some("vers:maven/>=2.4|<2.12.2")),
            ("2.12.2", None),
            ("2.3.1", None),
            ("2.15.0", None),
            ("2.17.1", None),
        ];
        for (version, want) in cases {
            let got = a.verdict(&format!("{purl}@{version}"), "");
            let want = match want {
                Some(range) => Verdict::Affected(vec![range.to_string()]),
                None => Verdict::NotAffected,
            };
            assert_eq!(got, Some(want), "{version}");
        }
        assert_eq!(
            a.verdict("pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", ""),
            None
        );
        assert!(a.is_named("cve-2021-44228"));
        assert_eq!(a.display_id(), "CVE-2021-44228");
        assert_eq!(
            a.purl_keys(),
            ["pkg:maven/org.apache.logging.log4j/log4j-core"]
        );
    }

    #[test]
    fn npm_prerelease_range_and_unknowns() {
        let a = advisory(
            r#"{"id":"GHSA-67hx-6x53-jw92","aliases":["CVE-2023-45133"],"affected":[
              {"package":{"ecosystem":"npm","name":"@babel/traverse"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"7.23.2"}]}]},
              {"package":{"ecosystem":"npm","name":"@babel/traverse"},
               "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"8.0.0-alpha.0"},{"fixed":"8.0.0-alpha.4"}]}]}]}"#,
        );
        let v = |version: &str| a.verdict(&format!("pkg:npm/%40babel/traverse@{version}"), "");
        assert!(matches!(v("7.22.0"), Some(Verdict::Affected(_))));
        assert_eq!(v("7.23.2"), Some(Verdict::NotAffected));
        assert_eq!(
            v("8.0.0-alpha.3"),
            Some(Verdict::Affected(vec![
                "vers:npm/>=8.0.0-alpha.0|<8.0.0-alpha.4".into()
            ]))
        );
        assert_eq!(v("8.0.0-alpha.4"), Some(Verdict::NotAffected));
        assert!(matches!(v("7.x"), Some(Verdict::Unknown(_))));
        let debian = advisory(
            r#"{"id":"DSA-1","affected":[{"package":{"ecosystem":"Debian:12","name":"x"},
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2-3"}]}]}]}"#,
        );
        assert_eq!(
            debian.verdict("pkg:deb/debian/x@1.0-1", ""),
            None,
            "no purl mapping"
        );
    }

    #[test]
    fn listed_versions_and_last_affected() {
        let a = advisory(
            r#"{"id":"PYSEC-1","affected":[{"package":{"ecosystem":"PyPI","name":"Jinja2"},
              "versions":["2.10.post1"],
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0"},{"last_affected":"2.10"}]}]}]}"#,
        );
        let v = |version: &str| a.verdict(&format!("pkg:pypi/jinja2@{version}"), "");
        assert!(matches!(v("2.10"), Some(Verdict::Affected(_))));
        assert!(matches!(v("2.10.post1"), Some(Verdict::Affected(_))));
        assert_eq!(v("2.10.1"), Some(Verdict::NotAffected));
        assert_eq!(v("1.9"), Some(Verdict::NotAffected));
    }
}
