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

/// A DateAndTime as `YYYY-MM-DDTHH:MM:SSZ` (UTC offsets ignored).
pub fn date_time(v: &VarBindValue) -> Option<String> {
    let day = date(v)?;
    let o = octets(v)?;
    let (h, m, s) = (
        o.get(4).copied().unwrap_or(0),
        o.get(5).copied().unwrap_or(0),
        o.get(6).copied().unwrap_or(0),
    );
    Some(format!("{day}T{h:02}:{m:02}:{s:02}Z"))
}
