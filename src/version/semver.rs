//! Semantic Versioning 2.0.0 precedence (semver.org §11), which OSV's `SEMVER` range type uses
//! for npm, Go, crates.io and any ecosystem it names as SemVer.
//!
//! `MAJOR.MINOR.PATCH`, an optional pre-release (`-rc.1`) that sorts before the release, and
//! build metadata (`+build`) that precedence ignores. Pre-release identifiers compare
//! numerically when both are numeric, numeric before alphanumeric, ASCII otherwise, and a
//! shorter list of equal identifiers first. A leading `v` is accepted (Go writes `v1.2.3`,
//! npm tolerates it); anything else that is not SemVer is refused, so the caller can say
//! "unknown" instead of guessing.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;

/// A parsed version; build metadata is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemVer {
    core: [u64; 3],
    pre: Vec<Ident>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ident {
    Num(u64),
    Alnum(String),
}

impl SemVer {
    /// Parses `text`; `None` unless it is SemVer 2.0.0 (after an optional `v`).
    pub fn parse(text: &str) -> Option<SemVer> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = text
            .split_once('+')
            .map_or(text, |(v, build)| if build_ok(build) { v } else { "" });
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let mut parts = core.split('.');
        let mut numbers = [0u64; 3];
        for n in &mut numbers {
            *n = numeric(parts.next()?)?;
        }
        if parts.next().is_some() {
            return None;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => pre.split('.').map(ident).collect::<Option<Vec<_>>>()?,
        };
        Some(SemVer { core: numbers, pre })
    }

    /// Whether the version has a pre-release part.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }
}

impl Ord for SemVer {
    fn cmp(&self, other: &SemVer) -> Ordering {
        self.core
            .cmp(&other.core)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &SemVer) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ident {
    fn cmp(&self, other: &Ident) -> Ordering {
        match (self, other) {
            (Ident::Num(a), Ident::Num(b)) => a.cmp(b),
            (Ident::Num(_), Ident::Alnum(_)) => Ordering::Less,
            (Ident::Alnum(_), Ident::Num(_)) => Ordering::Greater,
            (Ident::Alnum(a), Ident::Alnum(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Ident {
    fn partial_cmp(&self, other: &Ident) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A numeric identifier: digits, no leading zero (semver.org §2).
fn numeric(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn ident(s: &str) -> Option<Ident> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return numeric(s).map(Ident::Num);
    }
    Some(Ident::Alnum(s.to_string()))
}

fn build_ok(build: &str) -> bool {
    build
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// SemVer ordering of two strings; `None` if either is not SemVer.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(SemVer::parse(a)?.cmp(&SemVer::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_example_of_the_spec() {
        // semver.org §11's example chain.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
    }

    #[test]
    fn build_metadata_and_prefix() {
        assert_eq!(compare("1.0.0+build.5", "1.0.0"), Some(Ordering::Equal));
        assert_eq!(compare("v1.2.3", "1.2.3"), Some(Ordering::Equal));
        assert_eq!(
            compare("v0.0.0-20210101000000-abcdef123456", "v0.1.0"),
            Some(Ordering::Less),
            "a Go pseudo-version is a pre-release"
        );
        assert_eq!(
            compare("v2.0.0+incompatible", "v2.0.0"),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn refuses_what_is_not_semver() {
        for bad in [
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.2.3-",
            "1.2.3-01",
            "2.0-beta9",
            "x",
            "",
        ] {
            assert_eq!(SemVer::parse(bad), None, "{bad}");
        }
    }
}
