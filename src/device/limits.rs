//! How much device data the agent accepts: bytes per file, components, relationships, services,
//! string lengths, nesting and memory. Device files come out of a build pipeline the agent does
//! not control; without bounds a broken or hostile file could exhaust a small device's memory or
//! stall its refresh. Every limit is a `[device.limits]` key (documented in
//! `docs/device-data.md`), and a file over one is refused with an error naming the file, the
//! limit's key and its value, so the previous data stays served.
//!
//! The defaults fit a small device (tens of MiB of RAM for the agent): a real SBOM of a medical
//! device lists hundreds to a few thousand components, well inside them.

/// The bounds on device data. `Default` gives the documented defaults.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(deny_unknown_fields, default)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest SBOM or VEX file, in bytes.
    pub max_file_bytes: u64,
    /// Largest device description file, in bytes.
    pub max_description_bytes: u64,
    /// Most components in one SBOM, and most software rows from all SBOMs together.
    pub max_components: usize,
    /// Most SPDX `relationships` entries in one document.
    pub max_relationships: usize,
    /// Most `[[service]]` tables, and most `[[security_control]]` tables, in the description.
    pub max_services: usize,
    /// Longest string the agent reads from an SBOM (a name, version, purl, CPE...), in bytes.
    pub max_string_bytes: usize,
    /// Deepest nesting of CycloneDX `components` inside `components` (the top level is 1).
    pub max_nesting: usize,
    /// Largest `software-index` state file, in bytes.
    pub max_index_bytes: u64,
    /// The memory, in MiB, a new snapshot may need while it is built (estimated from the file
    /// sizes and the component count before building); a reload above it, or above what the
    /// process can still allocate, is refused and the previous snapshot stays.
    pub max_memory_mib: u64,
}

/// A `[device.limits]` value outside its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadLimit {
    /// The key.
    pub key: &'static str,
    /// The value given.
    pub value: u64,
    /// The smallest accepted.
    pub min: u64,
    /// The largest accepted.
    pub max: u64,
}

/// JSON nesting, in arrays and objects, that an SBOM may not reach: below serde_json's own
/// recursion limit (128), so the error names the path rather than the parser's limit.
pub const MAX_JSON_DEPTH: usize = 120;

/// The highest `max_nesting` accepted: each level of `components` is two JSON levels (the array
/// and the component), and a component's own members need a few more under [`MAX_JSON_DEPTH`].
pub const MAX_NESTING_CEILING: usize = 56;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 << 20,
            max_description_bytes: 1 << 20,
            max_components: 20_000,
            max_relationships: 100_000,
            max_services: 1_024,
            max_string_bytes: 4_096,
            max_nesting: 32,
            max_index_bytes: 16 << 20,
            max_memory_mib: 256,
        }
    }
}

impl Limits {
    /// Limits so high that only the file system and memory bound the data: for benchmarks and
    /// tools that measure the loaders themselves.
    pub fn unbounded() -> Limits {
        Limits {
            max_file_bytes: u64::MAX,
            max_description_bytes: u64::MAX,
            max_components: usize::MAX,
            max_relationships: usize::MAX,
            max_services: usize::MAX,
            max_string_bytes: usize::MAX,
            max_nesting: MAX_NESTING_CEILING,
            max_index_bytes: u64::MAX,
            max_memory_mib: u64::MAX >> 20,
        }
    }

    /// The first limit that cannot be used: a zero, or `max_nesting` above
    /// [`MAX_NESTING_CEILING`].
    pub fn check(&self) -> Result<(), BadLimit> {
        let wide = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        let ranges = [
            ("max_file_bytes", self.max_file_bytes, u64::MAX),
            (
                "max_description_bytes",
                self.max_description_bytes,
                u64::MAX,
            ),
            ("max_components", wide(self.max_components), u64::MAX),
            ("max_string_bytes", wide(self.max_string_bytes), u64::MAX),
            (
                "max_nesting",
                wide(self.max_nesting),
                MAX_NESTING_CEILING as u64,
            ),
            ("max_index_bytes", self.max_index_bytes, u64::MAX),
            ("max_memory_mib", self.max_memory_mib, u64::MAX >> 20),
        ];
        match ranges.iter().find(|(_, v, max)| *v == 0 || v > max) {
            Some(&(key, value, max)) => Err(BadLimit {
                key,
                value,
                min: 1,
                max,
            }),
            None => Ok(()),
        }
    }

    /// [`Limits::max_memory_mib`] in bytes.
    pub fn max_memory_bytes(&self) -> u64 {
        self.max_memory_mib.saturating_mul(1 << 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_usable_and_bad_values_name_the_key() {
        assert_eq!(Limits::default().check(), Ok(()));
        assert_eq!(Limits::unbounded().check(), Ok(()));
        let zero = Limits {
            max_components: 0,
            ..Limits::default()
        };
        assert_eq!(zero.check().unwrap_err().key, "max_components");
        let deep = Limits {
            max_nesting: MAX_NESTING_CEILING + 1,
            ..Limits::default()
        };
        let bad = deep.check().unwrap_err();
        assert_eq!(
            (bad.key, bad.max),
            ("max_nesting", MAX_NESTING_CEILING as u64)
        );
    }
}
