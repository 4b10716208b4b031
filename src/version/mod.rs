//! Version order per ecosystem, as OSV defines it ("Version comparison per ecosystem").
//!
//! | ecosystem | order | file |
//! |---|---|---|
//! | Maven | Maven's `ComparableVersion` | `maven.rs` |
//! | npm, Go, crates.io, generic SemVer | SemVer 2.0.0 §11 | `semver.rs` |
//! | PyPI | PEP 440 | `pep440.rs` |
//!
//! Any other ecosystem, or a version string its rules do not parse, has no order here:
//! [`Ecosystem::compare`] returns `None` and the caller reports "unknown" rather than guess.

use alloc::string::{String, ToString};
use core::cmp::Ordering;
use core::fmt;

pub mod maven;
pub mod pep440;
pub mod semver;

/// An ecosystem whose versions this tool may order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Maven Central and compatible repositories.
    Maven,
    /// The npm registry.
    Npm,
    /// The Python Package Index.
    PyPI,
    /// Go modules.
    Go,
    /// crates.io.
    CratesIo,
    /// Plain SemVer 2.0.0 (OSV's `SEMVER` range type, purl vers `semver`).
    SemVer,
    /// Anything else, by the name OSV or the purl type gives it; never ordered.
    Other(String),
}

impl Ecosystem {
    /// The ecosystem of an OSV `affected[].package.ecosystem` value (`"Maven"`, `"npm"`, ...;
    /// a `:suffix` such as `Debian:12` keeps the whole name).
    pub fn from_osv(name: &str) -> Ecosystem {
        match name {
            "Maven" => Ecosystem::Maven,
            "npm" => Ecosystem::Npm,
            "PyPI" => Ecosystem::PyPI,
            "Go" => Ecosystem::Go,
            "crates.io" => Ecosystem::CratesIo,
            other => Ecosystem::Other(other.to_string()),
        }
    }

    /// The ecosystem of a purl type (`maven`, `npm`, `pypi`, `golang`, `cargo`).
    pub fn from_purl_type(purl_type: &str) -> Ecosystem {
        match purl_type.to_ascii_lowercase().as_str() {
            "maven" => Ecosystem::Maven,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::PyPI,
            "golang" => Ecosystem::Go,
            "cargo" => Ecosystem::CratesIo,
            other => Ecosystem::Other(other.to_string()),
        }
    }

    /// The ecosystem of a purl `vers:` versioning scheme (the purl types above, plus `semver`).
    pub fn from_vers_scheme(scheme: &str) -> Ecosystem {
        match scheme.to_ascii_lowercase().as_str() {
            "semver" => Ecosystem::SemVer,
            other => Ecosystem::from_purl_type(other),
        }
    }

    /// OSV's name for it.
    pub fn osv_name(&self) -> &str {
        match self {
            Ecosystem::Maven => "Maven",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::SemVer => "SemVer",
            Ecosystem::Other(name) => name,
        }
    }

    /// The order of `a` and `b` in this ecosystem; `None` when the ecosystem has no order here
    /// or either string is not a version of it.
    pub fn compare(&self, a: &str, b: &str) -> Option<Ordering> {
        match self {
            Ecosystem::Maven => Some(maven::compare(a, b)),
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::CratesIo | Ecosystem::SemVer => {
                semver::compare(a, b)
            }
            Ecosystem::PyPI => pep440::compare(a, b),
            Ecosystem::Other(_) => None,
        }
    }

    /// Whether `version` is a version this ecosystem can order.
    pub fn parses(&self, version: &str) -> bool {
        self.compare(version, version).is_some()
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ecosystems_are_never_ordered() {
        let debian = Ecosystem::from_osv("Debian:12");
        assert_eq!(debian.compare("1.0", "2.0"), None);
        assert_eq!(
            Ecosystem::from_purl_type("nuget").compare("1.0", "1.0"),
            None
        );
    }

    #[test]
    fn npm_prereleases_sort_before_their_release() {
        let npm = Ecosystem::Npm;
        assert_eq!(npm.compare("4.17.20", "4.17.21"), Some(Ordering::Less));
        assert_eq!(npm.compare("1.0.0-rc.1", "1.0.0"), Some(Ordering::Less));
        assert_eq!(npm.compare("1.0.0-rc.1", "0.9.9"), Some(Ordering::Greater));
        assert_eq!(
            npm.compare("1.0.0-beta.11", "1.0.0-beta.2"),
            Some(Ordering::Greater)
        );
        // Not SemVer, so not orderable as npm: unknown, not a guess.
        assert_eq!(npm.compare("2.0-beta9", "2.0.0"), None);
    }

    #[test]
    fn names_round_trip() {
        for name in ["Maven", "npm", "PyPI", "Go", "crates.io"] {
            assert_eq!(Ecosystem::from_osv(name).osv_name(), name);
        }
        assert_eq!(Ecosystem::from_purl_type("golang"), Ecosystem::Go);
        assert_eq!(Ecosystem::from_vers_scheme("semver"), Ecosystem::SemVer);
    }
}
