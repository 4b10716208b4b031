//! The encoding rules the DQI-MIB objects and their mirrors share, written once.
//!
//! DQI-MIB's module DESCRIPTION sets them, and the mirrors follow the same rules so that a value
//! reads the same in every MIB that carries it:
//!
//! - Text for people (names, notes, reasons) longer than its object is cut on a UTF-8 character
//!   boundary ([`text`]), so what is served stays valid UTF-8.
//! - Identifiers for matching (purl, CPE, hash, version, bom-ref, serial and model numbers, URIs)
//!   are never cut: one that does not fit is served zero-length and logged ([`ident`]), because a
//!   truncated identifier produces false matches.
//! - An unknown `DateAndTime` is `'0000010100000000'H` ([`UNKNOWN_DATE`]), the value
//!   HOST-RESOURCES-MIB prescribes for `hrSWInstalledDate`; a date without a time zone uses the
//!   8-octet form.
//! - Digests are lowercase hexadecimal text (`DqiHexDigest`), never raw octets.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Entry, Live, Value};
use crate::device::Timestamp;

/// The unknown `DateAndTime`: January 1, year 0000, 00:00:00.0 (RFC 2790 `hrSWInstalledDate`).
pub(crate) const UNKNOWN_DATE: [u8; 8] = [0, 0, 1, 1, 0, 0, 0, 0];
/// `SnmpAdminString` / `DisplayString` without a narrower SIZE: 255 octets (RFC 3411, RFC 2579).
pub(crate) const ADMIN_STRING_MAX: usize = 255;
/// `TruthValue` true(1) (SNMPv2-TC).
pub(crate) const TRUE: i32 = 1;
/// `TruthValue` false(2) (SNMPv2-TC).
pub(crate) const FALSE: i32 = 2;

/// Collects `(instance OID, entry)` pairs under fixed prefixes.
pub(crate) struct Sink<'a> {
    out: &'a mut Vec<(Box<[u32]>, Entry)>,
}

impl<'a> Sink<'a> {
    /// A sink appending to `out`.
    pub(crate) fn new(out: &'a mut Vec<(Box<[u32]>, Entry)>) -> Sink<'a> {
        Sink { out }
    }

    /// `value` at `prefix.arcs`.
    pub(crate) fn value(&mut self, prefix: &[u32], arcs: &[u32], value: Value) {
        self.out.push((oid(prefix, arcs), Entry::Value(value)));
    }

    /// A scalar: `value` at `prefix.arc.0`.
    pub(crate) fn scalar(&mut self, prefix: &[u32], arc: u32, value: Value) {
        self.value(prefix, &[arc, 0], value);
    }

    /// A scalar resolved per request: `live` at `prefix.arc.0`.
    pub(crate) fn live(&mut self, prefix: &[u32], arc: u32, live: Live) {
        self.out.push((oid(prefix, &[arc, 0]), Entry::Live(live)));
    }

    /// A columnar instance with a single integer index: `value` at `entry.column.index`. Cells
    /// of a one-row table; several rows go through a [`Table`].
    pub(crate) fn cell(&mut self, entry: &[u32], column: u32, index: u32, value: Value) {
        self.value(entry, &[column, index], value);
    }
}

/// A conceptual table filled row by row and emitted column by column, so that the entries come
/// out in OID order when rows are added in index order (sorting sorted input is linear).
pub(crate) struct Table<'e> {
    entry: &'e [u32],
    first: u32,
    columns: Vec<Vec<(Box<[u32]>, Entry)>>,
}

impl<'e> Table<'e> {
    /// A table under `entry` with columns `first..=last`, sized for `rows` rows.
    pub(crate) fn new(entry: &'e [u32], first: u32, last: u32, rows: usize) -> Table<'e> {
        let n = (last - first + 1) as usize;
        let columns = (0..n).map(|_| Vec::with_capacity(rows)).collect();
        Table {
            entry,
            first,
            columns,
        }
    }

    /// `value` at `entry.column.index`; `column` must lie within the table's columns.
    pub(crate) fn cell(&mut self, column: u32, index: u32, value: Value) {
        let arcs = [column, index];
        self.columns[(column - self.first) as usize]
            .push((oid(self.entry, &arcs), Entry::Value(value)));
    }

    /// Appends the cells to `sink`, column by column.
    pub(crate) fn finish(self, sink: &mut Sink<'_>) {
        for column in self.columns {
            sink.out.extend(column);
        }
    }
}

/// `prefix` followed by `arcs`, as a tree key.
pub(crate) fn oid(prefix: &[u32], arcs: &[u32]) -> Box<[u32]> {
    let mut v = Vec::with_capacity(prefix.len() + arcs.len());
    v.extend_from_slice(prefix);
    v.extend_from_slice(arcs);
    v.into_boxed_slice()
}

/// The longest prefix of `s` of at most `max` octets that ends on a character boundary.
pub(crate) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Human text: cut to `max` octets on a character boundary.
pub(crate) fn text(s: &str, max: usize) -> Value {
    Value::octets(cut(s, max))
}

/// Optional human text; zero-length when absent.
pub(crate) fn opt_text(s: Option<&str>, max: usize) -> Value {
    text(s.unwrap_or(""), max)
}

/// An identifier: verbatim when it fits in `max` octets, zero-length (and logged) otherwise.
/// `object` and `index` (0 for a scalar) name the instance in the log line.
pub(crate) fn ident(s: &str, max: usize, object: &str, index: u32) -> Value {
    if s.len() <= max {
        return Value::octets(s);
    }
    too_long(object, index, s.len(), max);
    Value::octets([])
}

/// An optional identifier; zero-length when absent.
pub(crate) fn opt_ident(s: Option<&str>, max: usize, object: &str, index: u32) -> Value {
    ident(s.unwrap_or(""), max, object, index)
}

/// Logs an identifier left out because it is longer than its object allows.
#[cfg(feature = "server")]
pub(crate) fn too_long(object: &str, index: u32, len: usize, max: usize) {
    tracing::warn!(
        object,
        index,
        octets = len,
        max,
        "identifier longer than its MIB object allows: served zero-length, never truncated"
    );
}

/// Without the server there is no log: the value is still served zero-length.
#[cfg(not(feature = "server"))]
pub(crate) fn too_long(_object: &str, _index: u32, _len: usize, _max: usize) {}

/// A `DateAndTime`: the timestamp's octets (8 without an offset, 11 with one), or
/// [`UNKNOWN_DATE`].
pub(crate) fn date(t: Option<&Timestamp>) -> Value {
    match t {
        Some(t) => Value::octets(t.date_and_time()),
        None => Value::octets(UNKNOWN_DATE),
    }
}

/// A `TruthValue`.
pub(crate) fn truth(b: bool) -> Value {
    Value::Integer(if b { TRUE } else { FALSE })
}

/// An `Unsigned32` or `Gauge32` count from a `usize`, saturating.
pub(crate) fn gauge(n: usize) -> Value {
    Value::Gauge32(u32::try_from(n).unwrap_or(u32::MAX))
}

/// `bytes` as lowercase hexadecimal text.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// A UUID in its 8-4-4-4-12 hexadecimal text form as the 16 octets of RFC 4122 §4.1.2
/// (`UUIDorZero`); `None` for anything else.
pub(crate) fn uuid_octets(text: &str) -> Option<[u8; 16]> {
    let b = text.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    let mut digits = b.iter().filter(|&&c| c != b'-');
    for o in &mut out {
        let hi = char::from(*digits.next()?).to_digit(16)?;
        let lo = char::from(*digits.next()?).to_digit(16)?;
        // Both are below 16, so the octet fits.
        *o = (hi * 16 + lo) as u8;
    }
    digits.next().is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_characters_whole() {
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut("abc", 2), "ab");
        // "é" is two octets, "€" three: never split one.
        assert_eq!(cut("aé", 2), "a");
        assert_eq!(cut("€€", 5), "€");
        assert_eq!(cut("€", 2), "");
    }

    #[test]
    fn identifiers_are_served_whole_or_not_at_all() {
        assert_eq!(ident("2.14.1", 6, "v", 1), Value::octets("2.14.1"));
        assert_eq!(ident("2.14.10", 6, "v", 1), Value::octets(""));
        assert_eq!(text("2.14.10", 6), Value::octets("2.14.1"));
    }

    #[test]
    fn unknown_and_known_dates() {
        assert_eq!(date(None), Value::octets([0, 0, 1, 1, 0, 0, 0, 0]));
        let d = Timestamp::parse("2024-03-14").unwrap();
        assert_eq!(
            date(Some(&d)),
            Value::octets([0x07, 0xe8, 3, 14, 0, 0, 0, 0])
        );
        let t = Timestamp::parse("2024-03-14T09:30:00Z").unwrap();
        assert_eq!(
            date(Some(&t)),
            Value::octets([0x07, 0xe8, 3, 14, 9, 30, 0, 0, b'+', 0, 0])
        );
    }

    #[test]
    fn hex_and_uuid() {
        assert_eq!(hex(&[0x00, 0x9f, 0xff]), "009fff");
        let u = uuid_octets("6f1c2e0a-8d4b-4f2e-9a57-3c1d0b7e5a92").unwrap();
        assert_eq!(hex(&u), "6f1c2e0a8d4b4f2e9a573c1d0b7e5a92");
        assert!(uuid_octets("6F1C2E0A-8D4B-4F2E-9A57-3C1D0B7E5A92").is_some());
        for bad in [
            "",
            "6f1c2e0a8d4b4f2e9a573c1d0b7e5a92",
            "6f1c2e0a-8d4b-4f2e-9a57-3c1d0b7e5a9g",
            "6f1c2e0a-8d4b-4f2e-9a57+3c1d0b7e5a92",
        ] {
            assert!(uuid_octets(bad).is_none(), "{bad}");
        }
    }
}
