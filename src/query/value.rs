//! Reading SNMP values (RFC 2578 SMI types) as the plain text and numbers records hold.

use rasn_smi::v2::{ApplicationSyntax, ObjectSyntax, SimpleSyntax};

use crate::wire::VarBindValue;

/// An OCTET STRING as text (UTF-8, invalid sequences replaced); "" for anything else.
pub fn text(v: &VarBindValue) -> String {
    match v {
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::String(s))) => {
            String::from_utf8_lossy(s).into_owned()
        }
        _ => String::new(),
    }
}

/// The raw octets of an OCTET STRING.
pub fn octets(v: &VarBindValue) -> Option<Vec<u8>> {
    match v {
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::String(s))) => Some(s.to_vec()),
        _ => None,
    }
}

/// An INTEGER (or an unsigned type) as i64.
pub fn integer(v: &VarBindValue) -> Option<i64> {
    match v {
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::Integer(i))) => {
            i64::try_from(i).ok()
        }
        _ => unsigned(v).and_then(|u| i64::try_from(u).ok()),
    }
}

/// An Unsigned32, Gauge32, Counter32, TimeTicks, Counter64 or non-negative INTEGER.
pub fn unsigned(v: &VarBindValue) -> Option<u64> {
    match v {
        VarBindValue::Value(ObjectSyntax::ApplicationWide(a)) => match a {
            ApplicationSyntax::Unsigned(u) => Some(u64::from(u.0)),
            ApplicationSyntax::Counter(c) => Some(u64::from(c.0)),
            ApplicationSyntax::Ticks(t) => Some(u64::from(t.0)),
            ApplicationSyntax::BigCounter(c) => Some(c.0),
            _ => None,
        },
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::Integer(i))) => {
            u64::try_from(i).ok()
        }
        _ => None,
    }
}

/// A DateAndTime (RFC 2579) as `YYYY-MM-DD`; None for the all-zero "unknown" value or a
/// malformed one.
pub fn date(v: &VarBindValue) -> Option<String> {
    let o = octets(v)?;
    if o.len() < 4 {
        return None;
    }
    let year = u16::from_be_bytes([o[0], o[1]]);
    let (month, day) = (o[2], o[3]);
    if year == 0 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// A DateAndTime (RFC 2579) as RFC 3339: `YYYY-MM-DDTHH:MM:SSZ` for the 8-octet form (no
/// offset given, read as UTC) or an offset of zero, else with the served offset
/// (`+01:00`); None for the unknown or a malformed value.
pub fn rfc3339(v: &VarBindValue) -> Option<String> {
    let day = date(v)?;
    let o = octets(v)?;
    let (h, m, s) = (
        o.get(4).copied().unwrap_or(0),
        o.get(5).copied().unwrap_or(0),
        o.get(6).copied().unwrap_or(0),
    );
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let offset = match (o.get(8), o.get(9), o.get(10)) {
        (Some(&sign @ (b'+' | b'-')), Some(&oh), Some(&om)) if oh <= 13 && om <= 59 => {
            if oh == 0 && om == 0 {
                "Z".to_string()
            } else {
                format!("{}{oh:02}:{om:02}", sign as char)
            }
        }
        (None, None, None) => "Z".to_string(),
        _ => return None,
    };
    Some(format!("{day}T{h:02}:{m:02}:{s:02}{offset}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rasn_smi::v2::{ObjectSyntax, SimpleSyntax};

    fn octets_value(o: &[u8]) -> VarBindValue {
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::String(
            o.to_vec().into(),
        )))
    }

    #[test]
    fn date_and_time_reads_as_rfc_3339_with_its_offset() {
        let at = |o: &[u8]| rfc3339(&octets_value(o));
        assert_eq!(
            at(&[0x07, 0xea, 11, 30, 9, 0, 0, 0]).as_deref(),
            Some("2026-11-30T09:00:00Z")
        );
        assert_eq!(
            at(&[0x07, 0xea, 11, 30, 9, 0, 0, 0, b'+', 0, 0]).as_deref(),
            Some("2026-11-30T09:00:00Z")
        );
        assert_eq!(
            at(&[0x07, 0xea, 11, 30, 10, 0, 0, 0, b'+', 1, 0]).as_deref(),
            Some("2026-11-30T10:00:00+01:00")
        );
        assert_eq!(at(&[0, 0, 1, 1, 0, 0, 0, 0]), None, "the unknown date");
        assert_eq!(at(&[0x07, 0xea, 11, 30, 24, 0, 0, 0]), None);
        assert_eq!(at(&[0x07, 0xea, 11, 30, 9, 0, 0, 0, b'*', 0, 0]), None);
    }
}
