//! The stable `dqiSwIndex`: which index each software component gets, across refreshes and
//! restarts.
//!
//! A manager that saw `dqiSwVersion.17 = "2.14.1"` yesterday must find the same component at 17
//! today, with the new version if it was updated, and must never find a different component at
//! 17. So each component has an *identity key* that survives version changes
//! ([`identity_key`]), and an [`IndexMap`] binds keys to indexes for good:
//!
//! - a key seen before gets its index back, whatever its version now (update in place);
//! - a new key gets the high-water mark plus one; the high-water mark only grows, so an index
//!   whose component was removed is never handed to another component;
//! - a key may hold several indexes at once when the inventory has several versions of one
//!   component (two log4j-core jars, say): members keep the slot whose version they match, the
//!   rest take the key's free slots in index order (updates in place), the rest get new indexes.
//!
//! The map itself is pure logic over strings; [`IndexMap::encode`] and [`IndexMap::decode`] give
//! its text form, and (std only) `load` and `save` keep it in the state directory with an
//! atomic replace (temporary file, fsync, rename, fsync of the directory).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::model::SbomComponent;

/// The largest index handed out: `dqiSwIndex` is an `Integer32 (1..2147483647)` table index.
pub const MAX_INDEX: u32 = i32::MAX as u32;

/// The identity key of a component: what stays the same when the component is updated.
///
/// - With a purl: `purl:` and the purl without its version (the type lower-cased, qualifiers and
///   subpath kept, since an `arch=` or a subpath names a different artifact).
/// - Without: `name:` and type, supplier, group and name joined by U+001F, because with no purl
///   those four are what tells two components apart.
pub fn identity_key(c: &SbomComponent) -> String {
    match c.purl.as_deref() {
        Some(purl) if !purl.trim().is_empty() => {
            let mut key = String::from("purl:");
            key.push_str(&purl_without_version(purl.trim()));
            key
        }
        _ => {
            let mut key = String::from("name:");
            key.push_str(c.kind.as_str());
            for part in [
                c.supplier.as_deref().unwrap_or(""),
                c.group.as_deref().unwrap_or(""),
                c.name.as_str(),
            ] {
                key.push('\u{1f}');
                key.push_str(part);
            }
            key
        }
    }
}

/// `pkg:Maven/org.apache/log4j-core@2.14.1?type=jar` -> `pkg:maven/org.apache/log4j-core?type=jar`.
/// The version is the text after the last `@` of the path part, provided that `@` follows the
/// last `/` (an unencoded npm scope `@angular/core` is part of the namespace, not a version).
fn purl_without_version(purl: &str) -> String {
    let path_end = purl.find(['?', '#']).unwrap_or(purl.len());
    let (path, tail) = purl.split_at(path_end);
    let slash = path.rfind('/').unwrap_or(0);
    let path = match path.rfind('@') {
        Some(at) if at > slash => &path[..at],
        _ => path,
    };
    // RFC purl spec: the type is case-insensitive and canonically lower-case.
    let mut out = String::with_capacity(purl.len());
    match path.split_once('/') {
        Some((scheme_type, rest)) => {
            out.push_str(&scheme_type.to_ascii_lowercase());
            out.push('/');
            out.push_str(rest);
        }
        None => out.push_str(path),
    }
    out.push_str(tail);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    index: u32,
    version: String,
}

/// Key to index bindings plus the high-water mark. See the module docs for the rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexMap {
    slots: BTreeMap<String, Vec<Slot>>,
    high_water: u32,
}

/// Every index up to [`MAX_INDEX`] is used: no new component can be indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("software index space exhausted: every index up to {MAX_INDEX} was handed out")]
pub struct IndexExhausted;

/// A state file that is not an index map, with the line (1-based) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct IndexFileError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

const HEADER: &str = "# dqi-agent software index map v1";

impl IndexMap {
    /// An empty map: the first component will get index 1.
    pub fn new() -> IndexMap {
        IndexMap::default()
    }

    /// The largest index ever handed out.
    pub fn high_water(&self) -> u32 {
        self.high_water
    }

    /// How many indexes are bound (present and removed components alike).
    pub fn len(&self) -> usize {
        self.slots.values().map(Vec::len).sum()
    }

    /// Whether no index was ever bound.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The indexes for `items`, each an `(identity key, version)` pair, in the same order.
    /// Callers pass each `(key, version)` at most once (the inventory merge guarantees it); a
    /// repeated pair gets a second index.
    pub fn assign(&mut self, items: &[(&str, &str)]) -> Result<Vec<u32>, IndexExhausted> {
        let mut out = alloc::vec![0u32; items.len()];
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut fresh = Vec::new();
        for (pos, (key, _)) in items.iter().enumerate() {
            groups.entry(key).or_default().push(pos);
        }
        for (key, members) in groups {
            let Some(slots) = self.slots.get_mut(key) else {
                fresh.extend(members);
                continue;
            };
            // The key's slots by version, each version's slots in index order, so matching a
            // member is a lookup, not a scan: a key shared by many components stays linear.
            let mut by_version: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            let mut order: Vec<usize> = (0..slots.len()).collect();
            order.sort_unstable_by_key(|&s| slots[s].index);
            for &s in order.iter().rev() {
                by_version
                    .entry(slots[s].version.as_str())
                    .or_default()
                    .push(s);
            }
            let mut taken = alloc::vec![false; slots.len()];
            let mut pending = Vec::new();
            // 1. Unchanged components keep the slot of their version (the lowest index first).
            for &pos in &members {
                match by_version.get_mut(items[pos].1).and_then(Vec::pop) {
                    Some(s) => {
                        taken[s] = true;
                        out[pos] = slots[s].index;
                    }
                    None => pending.push(pos),
                }
            }
            drop(by_version);
            // 2. Updated components take the key's free slots, lowest index first.
            let mut free = order.into_iter().filter(|&s| !taken[s]);
            for pos in pending {
                match free.next() {
                    Some(s) => {
                        slots[s].version = String::from(items[pos].1);
                        out[pos] = slots[s].index;
                    }
                    None => fresh.push(pos),
                }
            }
        }
        // 3. New components get new indexes above every index ever handed out, in input order
        //    so that a first import numbers rows as the SBOM lists them.
        fresh.sort_unstable();
        for pos in fresh {
            if self.high_water >= MAX_INDEX {
                return Err(IndexExhausted);
            }
            self.high_water += 1;
            let (key, version) = items[pos];
            self.slots.entry(String::from(key)).or_default().push(Slot {
                index: self.high_water,
                version: String::from(version),
            });
            out[pos] = self.high_water;
        }
        Ok(out)
    }

    /// The text form: a header line, `high-water N`, then one `index<TAB>version<TAB>key` line
    /// per binding, sorted by index. Tabs, line breaks, other control characters and `%` in
    /// versions and keys are written as `%XX`.
    pub fn encode(&self) -> String {
        let mut lines: Vec<(u32, &str, &str)> = self
            .slots
            .iter()
            .flat_map(|(k, v)| {
                v.iter()
                    .map(move |s| (s.index, s.version.as_str(), k.as_str()))
            })
            .collect();
        lines.sort_unstable();
        let mut out = format!("{HEADER}\nhigh-water {}\n", self.high_water);
        for (index, version, key) in lines {
            out.push_str(&format!("{index}\t{}\t{}\n", escape(version), escape(key)));
        }
        out
    }

    /// Reads the text form back, refusing anything [`IndexMap::encode`] would not write:
    /// a bad header, an index of 0, above the high-water mark or bound twice, a bad escape.
    pub fn decode(text: &str) -> Result<IndexMap, IndexFileError> {
        let err = |line: usize, reason: &str| IndexFileError {
            line,
            reason: String::from(reason),
        };
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, HEADER)) => {}
            _ => return Err(err(1, "not a dqi-agent software index map (bad header)")),
        }
        let high_water = match lines.next() {
            Some((n, l)) => l
                .strip_prefix("high-water ")
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|&v| v <= MAX_INDEX)
                .ok_or_else(|| err(n, "expected `high-water N`"))?,
            None => return Err(err(2, "missing `high-water N`")),
        };
        let mut map = IndexMap {
            slots: BTreeMap::new(),
            high_water,
        };
        let mut seen = alloc::collections::BTreeSet::new();
        for (n, line) in lines {
            if line.is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(index), Some(version), Some(key), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(err(n, "expected `index<TAB>version<TAB>key`"));
            };
            let index: u32 = index.parse().map_err(|_| err(n, "index is not a number"))?;
            if index == 0 || index > high_water {
                return Err(err(n, "index is 0 or above the high-water mark"));
            }
            if !seen.insert(index) {
                return Err(err(n, "index bound twice"));
            }
            let version = unescape(version).ok_or_else(|| err(n, "bad %XX escape in version"))?;
            let key = unescape(key).ok_or_else(|| err(n, "bad %XX escape in key"))?;
            if key.is_empty() {
                return Err(err(n, "empty key"));
            }
            map.slots
                .entry(key)
                .or_default()
                .push(Slot { index, version });
        }
        Ok(map)
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '%' || c.is_ascii_control() {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = core::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Reads the index map at `path`, at most `max_bytes` long (`[device.limits] max_index_bytes`);
/// a missing file is an empty map (first start). A symbolic link, a FIFO or another non-regular
/// file is refused, never followed or waited on.
#[cfg(feature = "server")]
pub fn load(path: &std::path::Path, max_bytes: u64) -> Result<IndexMap, super::DeviceError> {
    use super::DeviceError;
    use crate::files::{self, Links, ReadError};
    let file = path.display().to_string();
    let bytes = match files::read_regular(path, Links::Refuse, max_bytes) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(IndexMap::new());
        }
        Err(ReadError::Io(e)) => {
            return Err(DeviceError::Io {
                file,
                reason: e.to_string(),
            });
        }
        Err(ReadError::TooLarge(n)) => {
            return Err(DeviceError::Limit {
                file,
                found: format!("{n} bytes"),
                limit: "max_index_bytes",
                value: max_bytes,
            });
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| DeviceError::State {
        file: file.clone(),
        reason: format!(
            "not UTF-8 text at {}",
            files::utf8_error_position(e.as_bytes(), e.utf8_error().valid_up_to())
        ),
    })?;
    IndexMap::decode(&text).map_err(|e| DeviceError::State {
        file,
        reason: e.to_string(),
    })
}

/// Writes the index map to `path` atomically (a crash leaves either the old file or the new one,
/// never a torn one, and a power loss after return cannot bring the old one back), mode 0600,
/// never through a symbolic link: see [`crate::files::write_private`].
#[cfg(feature = "server")]
pub fn save(map: &IndexMap, path: &std::path::Path) -> Result<(), super::DeviceError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    crate::files::write_private(dir, path, map.encode().as_bytes()).map_err(|e| {
        super::DeviceError::Io {
            file: path.display().to_string(),
            reason: e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn comp(name: &str, purl: Option<&str>) -> SbomComponent {
        SbomComponent {
            supplier: Some("Acme".to_string()),
            purl: purl.map(str::to_string),
            ..SbomComponent::bare(name, "1")
        }
    }

    #[test]
    fn keys_drop_the_version_only() {
        let k = |p| identity_key(&comp("x", Some(p)));
        assert_eq!(
            k("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
            "purl:pkg:maven/org.apache.logging.log4j/log4j-core"
        );
        assert_eq!(
            k("pkg:Deb/debian/curl@7.50.3-1?arch=i386#sub"),
            "purl:pkg:deb/debian/curl?arch=i386#sub"
        );
        assert_eq!(k("pkg:npm/@angular/core"), "purl:pkg:npm/@angular/core");
        assert_eq!(
            k("pkg:npm/@angular/core@16.0.0"),
            "purl:pkg:npm/@angular/core"
        );
        assert_eq!(
            identity_key(&comp("zlib", None)),
            "name:library\u{1f}Acme\u{1f}\u{1f}zlib"
        );
    }

    #[test]
    fn update_in_place_and_no_reuse() {
        let mut m = IndexMap::new();
        assert_eq!(
            m.assign(&[("a", "1"), ("b", "1"), ("c", "1")]),
            Ok(vec![1, 2, 3])
        );
        // b updated, c removed, d added: b keeps 2, d gets 4 (3 is never reused).
        assert_eq!(
            m.assign(&[("b", "2"), ("a", "1"), ("d", "1")]),
            Ok(vec![2, 1, 4])
        );
        assert_eq!(m.high_water(), 4);
        // c comes back: it is the same component, so it gets its own index back.
        assert_eq!(m.assign(&[("c", "9")]), Ok(vec![3]));
    }

    #[test]
    fn several_versions_of_one_component() {
        let mut m = IndexMap::new();
        assert_eq!(
            m.assign(&[("log4j", "2.14.1"), ("log4j", "2.17.1")]),
            Ok(vec![1, 2])
        );
        // Order changes do not move rows: each version keeps its slot.
        assert_eq!(
            m.assign(&[("log4j", "2.17.1"), ("log4j", "2.14.1")]),
            Ok(vec![2, 1])
        );
        // 2.14.1 updated to 2.17.2 while 2.17.1 stays: the update takes the free slot 1.
        assert_eq!(
            m.assign(&[("log4j", "2.17.1"), ("log4j", "2.17.2")]),
            Ok(vec![2, 1])
        );
        // A third version is new.
        assert_eq!(
            m.assign(&[
                ("log4j", "2.17.1"),
                ("log4j", "2.17.2"),
                ("log4j", "2.20.0")
            ]),
            Ok(vec![2, 1, 3])
        );
    }

    #[test]
    fn text_form_round_trips_and_is_checked() {
        let mut m = IndexMap::new();
        m.assign(&[
            ("name:lib\u{1f}Ac%me\u{1f}\u{1f}z", "1\t2"),
            ("purl:pkg:a/b", "3"),
        ])
        .unwrap();
        let text = m.encode();
        assert!(text.contains("%1F") && text.contains("%25") && text.contains("1%092"));
        assert_eq!(IndexMap::decode(&text), Ok(m.clone()));
        assert_eq!(IndexMap::decode("garbage").unwrap_err().line, 1);
        let dup = format!("{HEADER}\nhigh-water 5\n1\tv\ta\n1\tv\tb\n");
        assert_eq!(IndexMap::decode(&dup).unwrap_err().line, 4);
        let above = format!("{HEADER}\nhigh-water 1\n2\tv\ta\n");
        assert_eq!(IndexMap::decode(&above).unwrap_err().line, 3);
    }

    // Regression (issue 12 #1): a restart with 400,000 versions of one component matched each
    // version by scanning the key's slots, 8e10 comparisons (minutes). Matching is a lookup
    // now; the bound below only keeps a regression from hanging the suite, it is no speed
    // target (benches/device_load.rs measures).
    #[test]
    fn many_versions_of_one_key_assign_in_linear_time() {
        const N: usize = 400_000;
        let versions: Vec<String> = (0..N).map(|i| format!("{i}")).collect();
        let items: Vec<(&str, &str)> = versions
            .iter()
            .map(|v| ("purl:pkg:a/b", v.as_str()))
            .collect();
        let mut first = IndexMap::new();
        let fresh = first.assign(&items).unwrap();
        let started = std::time::Instant::now();
        let mut restarted = IndexMap::decode(&first.encode()).unwrap();
        let mut reversed = items.clone();
        reversed.reverse();
        let again = restarted.assign(&reversed).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        assert_eq!(again.len(), N);
        assert_eq!(again[0], fresh[N - 1], "each version keeps its slot");
        assert_eq!(again[N - 1], fresh[0]);
        assert_eq!(restarted, first, "nothing moved");
    }

    #[test]
    fn exhaustion_is_an_error_not_a_wrap() {
        let mut m = IndexMap::decode(&format!("{HEADER}\nhigh-water {MAX_INDEX}\n")).unwrap();
        assert_eq!(m.assign(&[("new", "1")]), Err(IndexExhausted));
    }

    #[cfg(feature = "server")]
    #[test]
    fn save_and_load() {
        let dir = crate::test_dir::TempDir::new("index");
        let path = dir.join("sw-index");
        assert_eq!(
            load(&path, 1 << 20).unwrap(),
            IndexMap::new(),
            "missing file: empty map"
        );
        let mut m = IndexMap::new();
        m.assign(&[("a", "1"), ("b", "1")]).unwrap();
        save(&m, &path).unwrap();
        assert_eq!(load(&path, 1 << 20).unwrap(), m);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        std::fs::write(&path, "junk").unwrap();
        assert!(load(&path, 1 << 20).is_err());
    }
}
