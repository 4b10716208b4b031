//! Version ranges in the purl `vers:` syntax (the package-url "vers" specification):
//! `vers:<scheme>/<constraint>|<constraint>...`, each constraint a comparator (`=`, `!=`, `<`,
//! `<=`, `>`, `>=`; none means `=`) and a version, or `*` for every version.
//!
//! Containment follows the specification's algorithm: an equality or exclusion decides at
//! once; otherwise the constraints, sorted by version, form intervals: a leading `<`/`<=`,
//! each `>`/`>=` followed by a `<`/`<=`, and a trailing `>`/`>=`. A version the scheme cannot
//! order answers [`Contains::Unknown`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

use crate::version::Ecosystem;

/// A comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// A parsed `vers:` range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersRange {
    /// The text as given, for output.
    pub text: String,
    /// The versioning scheme (`maven`, `npm`, ...).
    pub scheme: String,
    /// Whether the range is `*`.
    pub any: bool,
    /// The constraints as written.
    pub constraints: Vec<(Comparator, String)>,
}

/// Whether a version is in a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contains {
    /// In the range.
    Yes,
    /// Outside it.
    No,
    /// The scheme cannot order this version (or any version): not guessed.
    Unknown,
}

/// Why a range does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersError {
    /// No `vers:` prefix.
    #[error("a range starts with vers:, as in vers:maven/>=2.0.0-beta9|<2.15.0")]
    Prefix,
    /// No `/` after the scheme, or an empty scheme.
    #[error("no versioning scheme: write vers:<scheme>/<constraints>")]
    Scheme,
    /// An empty constraint.
    #[error("an empty constraint")]
    Empty,
    /// `*` with other constraints.
    #[error("* must be the only constraint")]
    Star,
}

impl VersRange {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<VersRange, VersError> {
        let trimmed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let rest = trimmed.strip_prefix("vers:").ok_or(VersError::Prefix)?;
        let (scheme, constraints) = rest.split_once('/').ok_or(VersError::Scheme)?;
        if scheme.is_empty() {
            return Err(VersError::Scheme);
        }
        let parts: Vec<&str> = constraints.split('|').collect();
        if parts == ["*"] {
            return Ok(VersRange {
                text: text.trim().to_string(),
                scheme: scheme.to_ascii_lowercase(),
                any: true,
                constraints: Vec::new(),
            });
        }
        let mut parsed = Vec::with_capacity(parts.len());
        for part in parts {
            if part == "*" {
                return Err(VersError::Star);
            }
            let (comparator, version) = [
                ("!=", Comparator::Ne),
                ("<=", Comparator::Le),
                (">=", Comparator::Ge),
                ("<", Comparator::Lt),
                (">", Comparator::Gt),
                ("=", Comparator::Eq),
            ]
            .iter()
            .find_map(|(p, c)| part.strip_prefix(p).map(|v| (*c, v)))
            .unwrap_or((Comparator::Eq, part));
            if version.is_empty() {
                return Err(VersError::Empty);
            }
            parsed.push((comparator, crate::device::purl::decode(version)));
        }
        Ok(VersRange {
            text: text.trim().to_string(),
            scheme: scheme.to_ascii_lowercase(),
            any: false,
            constraints: parsed,
        })
    }

    /// The ecosystem whose order the range uses.
    pub fn ecosystem(&self) -> Ecosystem {
        Ecosystem::from_vers_scheme(&self.scheme)
    }

    /// Whether `version` is in the range.
    pub fn contains(&self, version: &str) -> Contains {
        if self.any {
            return Contains::Yes;
        }
        let eco = self.ecosystem();
        if !eco.parses(version) {
            return Contains::Unknown;
        }
        let mut ordered = Vec::with_capacity(self.constraints.len());
        for (comparator, bound) in &self.constraints {
            let Some(order) = eco.compare(version, bound) else {
                return Contains::Unknown;
            };
            match comparator {
                Comparator::Eq if order == Ordering::Equal => return Contains::Yes,
                Comparator::Ne if order == Ordering::Equal => return Contains::No,
                Comparator::Eq | Comparator::Ne => {}
                _ => ordered.push((*comparator, bound.as_str(), order)),
            }
        }
        // Sort the range constraints by their versions (bounds the scheme cannot order make
        // the answer unknown above, so the sort has an order).
        ordered.sort_by(|a, b| eco.compare(a.1, b.1).unwrap_or(Ordering::Equal));
        let satisfies = |c: Comparator, order: Ordering| match c {
            Comparator::Lt => order == Ordering::Less,
            Comparator::Le => order != Ordering::Greater,
            Comparator::Gt => order == Ordering::Greater,
            Comparator::Ge => order != Ordering::Less,
            Comparator::Eq | Comparator::Ne => false,
        };
        let is_upper = |c: Comparator| matches!(c, Comparator::Lt | Comparator::Le);
        for (i, &(c, _, order)) in ordered.iter().enumerate() {
            if is_upper(c) {
                // An upper bound opens an interval only at the start: "below X".
                if i == 0 && satisfies(c, order) {
                    return Contains::Yes;
                }
                continue;
            }
            match ordered.get(i + 1) {
                Some(&(next, _, next_order))
                    if is_upper(next) && satisfies(c, order) && satisfies(next, next_order) =>
                {
                    return Contains::Yes;
                }
                // A lower bound with no upper bound after it: "X and above".
                None if satisfies(c, order) => return Contains::Yes,
                _ => {}
            }
        }
        Contains::No
    }
}

impl fmt::Display for Contains {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Contains::Yes => "in-range",
            Contains::No => "out-of-range",
            Contains::Unknown => "unknown",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> VersRange {
        VersRange::parse(text).expect("parses")
    }

    #[test]
    fn log4shell_range() {
        let r = range("vers:maven/>=2.0.0-beta9|<2.15.0");
        for v in ["2.0-beta9", "2.0", "2.14.1", "2.12.1"] {
            assert_eq!(r.contains(v), Contains::Yes, "{v}");
        }
        for v in ["2.0-beta8", "2.0-alpha1", "1.2.17", "2.15.0", "2.17.1"] {
            assert_eq!(r.contains(v), Contains::No, "{v}");
        }
    }

    #[test]
    fn several_intervals_and_exclusions() {
        let r = range("vers:npm/>=1.0.0|<1.2.0|>=2.0.0|<2.1.3|!=2.1.0|=3.0.0");
        let cases = [
            ("0.9.0", Contains::No),
            ("1.1.9", Contains::Yes),
            ("1.2.0", Contains::No),
            ("2.1.0", Contains::No),
            ("2.1.2", Contains::Yes),
            ("2.1.3", Contains::No),
            ("3.0.0", Contains::Yes),
            ("2.0.0-rc.1", Contains::No),
            ("not-a-version", Contains::Unknown),
        ];
        for (v, want) in cases {
            assert_eq!(r.contains(v), want, "{v}");
        }
        assert_eq!(
            range("vers:npm/<1.0.0").contains("1.0.0-beta"),
            Contains::Yes
        );
        assert_eq!(range("vers:npm/>=4.0.0").contains("5.1.0"), Contains::Yes);
    }

    #[test]
    fn unknown_scheme_and_star() {
        assert_eq!(range("vers:deb/<1.2").contains("1.0"), Contains::Unknown);
        assert_eq!(range("vers:deb/*").contains("anything"), Contains::Yes);
        assert_eq!(VersRange::parse("maven/<1"), Err(VersError::Prefix));
        assert_eq!(VersRange::parse("vers:/<1"), Err(VersError::Scheme));
        assert_eq!(VersRange::parse("vers:npm/*|<1"), Err(VersError::Star));
        assert_eq!(VersRange::parse("vers:npm/<1||>2"), Err(VersError::Empty));
    }
}
