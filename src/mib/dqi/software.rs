//! `dqiSoftware` (DQI-MIB dqiObjects 4): the change-detection and SBOM scalars, `dqiSwTable`
//! indexed by the stable `dqiSwIndex`, and `dqiSbomTable`.
//!
//! Identifiers (version, purl, CPE, hash, bom-ref, SBOM serial) are served whole or zero-length,
//! never cut; names and suppliers are human text, cut on a character boundary.

use alloc::vec::Vec;

use super::SOFTWARE;
use crate::device::model::{
    ComponentHash, HashAlg, SbomDocument, SbomFormat, SoftwareRow, SupportStatus,
};
use crate::device::{DeviceSnapshot, Timestamp};
use crate::mib::Value;
use crate::mib::derived::{ROOT_INDEX, Stamps, sw_type};
use crate::mib::encode::{self, Sink, Table};

/// `dqiSwEntry`: dqiSwTable (dqiSoftware 12) 1.
const SW_ENTRY: [u32; super::R + 4] = super::under(&[1, 4, 12, 1]);
/// `dqiSbomEntry`: dqiSbomTable (dqiSoftware 13) 1.
const SBOM_ENTRY: [u32; super::R + 4] = super::under(&[1, 4, 13, 1]);

/// `DqiHexDigest`: at most 128 hex characters (a SHA-512 digest).
const HEX_DIGEST_MAX: usize = 128;

/// The order in which `dqiSwHashAlgorithm` picks one of several hashes (its DESCRIPTION):
/// SHA-256 first, because it is what registries, signature tools and advisories publish; the
/// algorithms the MIB does not rank follow, stronger first.
pub const HASH_PREFERENCE: [HashAlg; 17] = [
    HashAlg::Sha256,
    HashAlg::Sha512,
    HashAlg::Sha384,
    HashAlg::Sha3_256,
    HashAlg::Sha3_512,
    HashAlg::Sha3_384,
    HashAlg::Blake2b256,
    HashAlg::Blake2b512,
    HashAlg::Blake2b384,
    HashAlg::Blake3,
    HashAlg::Sha224,
    HashAlg::Sha1,
    HashAlg::Md5,
    HashAlg::Md6,
    HashAlg::Md4,
    HashAlg::Md2,
    HashAlg::Adler32,
];

pub(super) fn entries(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot, stamps: &Stamps) {
    let sw = &snapshot.software;
    let first = sw.documents().first();
    let now = stamps.refreshed.or(sw.last_refresh());
    let at = &SOFTWARE;
    sink.scalar(at, 1, Value::TimeTicks(stamps.software_changed));
    sink.scalar(at, 2, encode::date(now.as_ref()));
    sink.scalar(
        at,
        3,
        Value::Integer(if stamps.refresh_failed { 2 } else { 1 }),
    );
    sink.scalar(at, 4, encode::gauge(sw.rows().len()));
    sink.scalar(at, 5, Value::octets(encode::hex(sw.digest())));
    let past = sw
        .rows()
        .iter()
        .filter(|r| out_of_support(r, now.as_ref()))
        .count();
    sink.scalar(at, 6, encode::gauge(past));
    let sbom_uri = published_sbom_uri(sw.sbom_uri(), first);
    sink.scalar(at, 7, encode::opt_ident(sbom_uri, 1024, "dqiSwSbomUri", 0));
    sink.scalar(at, 8, Value::Integer(first.map_or(1, |d| format(d.format))));
    let sbom_digest = first.map(|d| encode::hex(&d.sha256)).unwrap_or_default();
    sink.scalar(at, 9, Value::octets(sbom_digest));
    let serial = first.and_then(|d| d.serial.as_deref());
    sink.scalar(
        at,
        10,
        encode::opt_ident(serial, 1024, "dqiSwSbomSerial", 0),
    );
    sink.scalar(
        at,
        11,
        encode::opt_ident(sw.vex_uri(), 1024, "dqiSwVexUri", 0),
    );

    let documents = sw.documents().len();
    let identifiers: Vec<Identifiers> = sw.rows().iter().map(Identifiers::of).collect();
    let mut table = Table::new(&SW_ENTRY, 2, 16, sw.rows().len());
    for (row, ids) in sw.rows().iter().zip(&identifiers) {
        sw_row(&mut table, row, ids, documents);
    }
    table.finish(sink);
    let mut table = Table::new(&SBOM_ENTRY, 2, 9, documents);
    for (doc, index) in sw.documents().iter().zip(1u32..) {
        sbom_row(&mut table, doc, index);
    }
    table.finish(sink);
    super::lookup::entries(sink, snapshot, &identifiers);
}

/// A row's `dqiSwVersion` and `dqiSwPurl`, made once: the lookup tables serve the same values
/// and share their octets (an `OCTET STRING` clone shares its bytes).
pub(super) struct Identifiers {
    /// `dqiSwVersion`.
    pub(super) version: Value,
    /// `dqiSwPurl`.
    pub(super) purl: Value,
}

impl Identifiers {
    fn of(r: &SoftwareRow) -> Identifiers {
        let i = r.index;
        Identifiers {
            version: encode::ident(&r.version, 255, "dqiSwVersion", i),
            purl: encode::opt_ident(r.purl.as_deref(), 1024, "dqiSwPurl", i),
        }
    }
}

/// The hash `dqiSwHashValue` serves: the first of [`HASH_PREFERENCE`] the row has as lowercase
/// hex of at most 128 characters. A longer value (MD6 and BLAKE3 have variable length) is never
/// cut; the next algorithm is tried instead.
pub fn served_hash(row: &SoftwareRow) -> Option<&ComponentHash> {
    let usable = |h: &&ComponentHash| {
        h.value.len() <= HEX_DIGEST_MAX
            && !h.value.is_empty()
            && h.value
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    HASH_PREFERENCE
        .iter()
        .find_map(|&alg| row.hashes.iter().filter(usable).find(|h| h.alg == alg))
}

/// `DqiHashAlgorithm` value of `alg`.
pub fn hash_algorithm(alg: HashAlg) -> i32 {
    match alg {
        HashAlg::Md5 => 2,
        HashAlg::Sha1 => 3,
        HashAlg::Sha224 => 4,
        HashAlg::Sha256 => 5,
        HashAlg::Sha384 => 6,
        HashAlg::Sha512 => 7,
        HashAlg::Sha3_256 => 8,
        HashAlg::Sha3_384 => 9,
        HashAlg::Sha3_512 => 10,
        HashAlg::Blake2b256 => 11,
        HashAlg::Blake2b384 => 12,
        HashAlg::Blake2b512 => 13,
        HashAlg::Blake3 => 14,
        HashAlg::Md2 => 15,
        HashAlg::Md4 => 16,
        HashAlg::Md6 => 17,
        HashAlg::Adler32 => 18,
    }
}

/// `dqiSwSupportStatus`: the stated level; a row that states none but has an end-of-support
/// date is endOfSupport(5), as the MIB's DESCRIPTION orders the sources.
pub fn support_status(row: &SoftwareRow) -> i32 {
    match row.support {
        SupportStatus::Development => 1,
        SupportStatus::Support => 2,
        SupportStatus::Deployed => 3,
        SupportStatus::LimitedSupport => 4,
        SupportStatus::EndOfSupport => 5,
        SupportStatus::NoSupport => 6,
        SupportStatus::NoAssertion if row.end_of_support.is_some() => 5,
        SupportStatus::NoAssertion => 7,
    }
}

/// Whether a row counts in `dqiSwPastEndOfSupport`: a known end-of-support date passed at `now`
/// (the last successful refresh; without a clock no date has passed), noSupport(6), or
/// endOfSupport(5) stated with no date.
pub fn out_of_support(row: &SoftwareRow, now: Option<&Timestamp>) -> bool {
    match row.end_of_support {
        Some(_) if now.is_some_and(|n| row.past_end_of_support(n)) => true,
        None if row.support == SupportStatus::EndOfSupport => true,
        _ => row.support == SupportStatus::NoSupport,
    }
}

fn format(f: SbomFormat) -> i32 {
    match f {
        SbomFormat::CycloneDx => 2,
        SbomFormat::Spdx => 3,
    }
}

/// `dqiSwSbomUri`: where the manufacturer publishes the SBOM. The inventory falls back to the
/// first document's location when none is configured; a local file path is not a publication
/// (and `dqiSbomFileName` deliberately hides the device's directories), so that fallback is
/// served zero-length unless the location is itself a URI.
fn published_sbom_uri<'a>(uri: Option<&'a str>, first: Option<&SbomDocument>) -> Option<&'a str> {
    let uri = uri?;
    let fallback = first.is_some_and(|d| d.location == uri);
    (!fallback || has_scheme(uri)).then_some(uri)
}

/// Whether `s` starts with an RFC 3986 scheme and `:` (two characters at least, so a Windows
/// drive letter is not one).
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    scheme.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn sw_row(table: &mut Table<'_>, r: &SoftwareRow, ids: &Identifiers, documents: usize) {
    let i = r.index;
    let hash = served_hash(r);
    // 1-based position of the SBOM document; 0 when the row came from no SBOM.
    let document = if r.document < documents {
        u32::try_from(r.document + 1).unwrap_or(0)
    } else {
        0
    };
    table.cell(2, i, encode::text(&r.name, 255));
    table.cell(3, i, ids.version.clone());
    table.cell(4, i, encode::opt_text(r.supplier.as_deref(), 255));
    table.cell(5, i, Value::Integer(sw_type(r.kind)));
    table.cell(6, i, ids.purl.clone());
    table.cell(
        7,
        i,
        encode::opt_ident(r.cpe.as_deref(), 255, "dqiSwCpe", i),
    );
    let alg = hash.map_or(1, |h| hash_algorithm(h.alg));
    table.cell(8, i, Value::Integer(alg));
    table.cell(9, i, Value::octets(hash.map_or("", |h| h.value.as_str())));
    table.cell(10, i, encode::date(r.install_date.as_ref()));
    table.cell(11, i, Value::Integer(support_status(r)));
    // Sparse: an unknown end of support is no instance. The module's unknown date (year 0)
    // would read as "support ended 2,000 years ago" to every age-based alert.
    if let Some(eos) = &r.end_of_support {
        table.cell(12, i, encode::date(Some(eos)));
    }
    let sbom_ref = r.sbom_ref.as_deref();
    table.cell(13, i, encode::opt_ident(sbom_ref, 1024, "dqiSwSbomRef", i));
    table.cell(14, i, Value::Gauge32(document));
    table.cell(15, i, Value::Gauge32(r.parent));
    // Every component runs on the device as a whole: the one entPhysicalTable row.
    table.cell(16, i, Value::Integer(ROOT_INDEX));
}

fn sbom_row(table: &mut Table<'_>, d: &SbomDocument, i: u32) {
    // The base name only: the device's directory layout is not disclosed.
    let name = d.location.rsplit(['/', '\\']).next().unwrap_or("");
    table.cell(2, i, encode::text(name, 255));
    table.cell(3, i, Value::Integer(format(d.format)));
    let spec = d.spec_version.as_str();
    table.cell(4, i, encode::ident(spec, 32, "dqiSbomSpecVersion", i));
    let serial = d.serial.as_deref();
    table.cell(5, i, encode::opt_ident(serial, 1024, "dqiSbomSerial", i));
    table.cell(6, i, Value::Gauge32(d.version));
    table.cell(7, i, encode::date(d.created.as_ref()));
    table.cell(8, i, Value::octets(encode::hex(&d.sha256)));
    table.cell(9, i, Value::Gauge32(d.components));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::model::ComponentType;
    use crate::mib::Tree;
    use crate::mib::dqi::fixture::value_at as get;
    use crate::mib::dqi::fixture::{self, hash};
    use crate::mib::served::snapshot_objects;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn hash_choice_follows_the_mib() {
        let mut r = fixture::row(1, "a", "1", ComponentType::Library);
        assert!(served_hash(&r).is_none());
        r.hashes = vec![hash(HashAlg::Md5, 'a'), hash(HashAlg::Sha1, 'b')];
        assert_eq!(served_hash(&r).unwrap().alg, HashAlg::Sha1);
        // SHA-256 beats the longer SHA-512 and SHA3-512 (HashAlg::strength would not).
        r.hashes.push(hash(HashAlg::Sha3_512, 'c'));
        r.hashes.push(hash(HashAlg::Sha512, 'd'));
        assert_eq!(served_hash(&r).unwrap().alg, HashAlg::Sha512);
        r.hashes.push(hash(HashAlg::Sha256, 'e'));
        assert_eq!(served_hash(&r).unwrap().alg, HashAlg::Sha256);
        // A BLAKE3 value longer than DqiHexDigest allows is skipped, not cut.
        let mut b = fixture::row(2, "b", "1", ComponentType::Library);
        b.hashes = vec![
            ComponentHash::new(HashAlg::Blake3, &"f".repeat(256)).unwrap(),
            hash(HashAlg::Md5, '0'),
        ];
        assert_eq!(served_hash(&b).unwrap().alg, HashAlg::Md5);
        assert_eq!(hash_algorithm(HashAlg::Sha256), 5);
        assert_eq!(hash_algorithm(HashAlg::Adler32), 18);
    }

    #[test]
    fn software_scalars() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let sw = |arc: u32| get(&t, &[1, 4, arc, 0]);
        assert_eq!(sw(1), Some(Value::TimeTicks(1200)));
        assert_eq!(
            sw(2),
            Some(Value::octets([0x07, 0xe8, 6, 3, 6, 5, 0, 0, b'+', 0, 0]))
        );
        assert_eq!(sw(3), Some(Value::Integer(1)));
        assert_eq!(sw(4), Some(Value::Gauge32(6)));
        assert_eq!(sw(5), Some(Value::octets(encode::hex(s.software.digest()))));
        // log4j's date passed; linux is noSupport.
        assert_eq!(sw(6), Some(Value::Gauge32(2)));
        assert_eq!(sw(8), Some(Value::Integer(2)), "cycloneDxJson");
        assert_eq!(sw(9), Some(Value::octets("11".repeat(32))));
        let mut stamps = fixture::stamps();
        stamps.refresh_failed = true;
        let t = Tree::from_entries(snapshot_objects(&s, &stamps));
        assert_eq!(get(&t, &[1, 4, 3, 0]), Some(Value::Integer(2)));
    }

    #[test]
    fn sbom_uri_is_never_a_local_path() {
        let doc = |location: &str| SbomDocument {
            location: location.to_string(),
            format: SbomFormat::Spdx,
            spec_version: "SPDX-2.3".to_string(),
            sha256: [0; 32],
            serial: None,
            created: None,
            subject: None,
            version: 0,
            components: 0,
        };
        let local = doc("/etc/dqi/sbom.json");
        assert_eq!(
            published_sbom_uri(Some("/etc/dqi/sbom.json"), Some(&local)),
            None
        );
        let remote = doc("https://x.example/sbom.json");
        let uri = Some("https://x.example/sbom.json");
        assert_eq!(published_sbom_uri(uri, Some(&remote)), uri);
        assert_eq!(published_sbom_uri(uri, Some(&local)), uri);
        assert!(!has_scheme("C:\\sbom.json"));
    }

    #[test]
    fn sw_rows_by_stable_index() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let cell = |col: u32, row: u32| get(&t, &[1, 4, 12, 1, col, row]);
        assert_eq!(cell(2, 2), Some(Value::octets("log4j-core")));
        assert_eq!(cell(3, 2), Some(Value::octets("2.14.1")));
        assert_eq!(
            cell(6, 2),
            Some(Value::octets(
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
            ))
        );
        assert_eq!(cell(8, 2), Some(Value::Integer(7)), "sha512");
        assert_eq!(cell(9, 2), Some(Value::octets("c".repeat(128))));
        assert_eq!(cell(11, 2), Some(Value::Integer(5)), "a date: endOfSupport");
        assert_eq!(cell(15, 2), Some(Value::Gauge32(1)));
        assert_eq!(cell(14, 2), Some(Value::Gauge32(1)));
        assert_eq!(cell(14, 5), Some(Value::Gauge32(2)));
        assert_eq!(cell(16, 5), Some(Value::Integer(1)));
        assert_eq!(cell(10, 5), Some(Value::octets([0, 0, 1, 1, 0, 0, 0, 0])));
        assert_eq!(cell(5, 5), Some(Value::Integer(6)), "operatingSystem");
        assert_eq!(cell(11, 5), Some(Value::Integer(6)), "noSupport");
        assert_eq!(cell(12, 5), None, "no end-of-support date: no instance");
        assert_eq!(
            cell(12, 2),
            Some(Value::octets([0x07, 0xe7, 12, 31, 0, 0, 0, 0]))
        );
        assert_eq!(cell(8, 5), Some(Value::Integer(1)), "none");
        assert_eq!(cell(9, 5), Some(Value::octets("")));
        assert_eq!(cell(2, 3), None, "indexes are not dense");
        let mut long = s.clone();
        let mut rows = long.software.rows().to_vec();
        rows[0].version = "1".repeat(256);
        long.software = crate::device::Software::new(rows, vec![], None, None);
        let t = Tree::from_entries(snapshot_objects(&long, &fixture::stamps()));
        assert_eq!(get(&t, &[1, 4, 12, 1, 3, 1]), Some(Value::octets("")));
        assert_eq!(get(&t, &[1, 4, 12, 1, 14, 1]), Some(Value::Gauge32(0)));
    }

    #[test]
    fn sbom_rows() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let cell = |col: u32, row: u32| get(&t, &[1, 4, 13, 1, col, row]);
        assert_eq!(
            cell(2, 1),
            Some(Value::octets("sbom.cdx.json")),
            "base name"
        );
        assert_eq!(cell(2, 2), Some(Value::octets("firmware.spdx.json")));
        assert_eq!(cell(3, 2), Some(Value::Integer(3)));
        assert_eq!(cell(6, 1), Some(Value::Gauge32(3)));
        assert_eq!(cell(6, 2), Some(Value::Gauge32(0)));
        assert_eq!(cell(7, 2), Some(Value::octets([0, 0, 1, 1, 0, 0, 0, 0])));
        assert_eq!(cell(9, 1), Some(Value::Gauge32(4)));
        assert_eq!(cell(2, 3), None);
    }
}
