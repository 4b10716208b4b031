//! Hex text for engine IDs and localized keys, and RFC 3411's rules for an `SnmpEngineID`.
//!
//! One small module because the configuration, the state file, the driver's logs, the
//! `localize-key` command and `dqi-query` all write or read the same text.

use alloc::string::String;
use alloc::vec::Vec;

/// Lowercase hex of `bytes`, for engine IDs in logs and the state file, and for the
/// `localize-key` output. Never logged for keys.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Decodes hex (either case, optional `0x` prefix); `None` unless every character is a hex
/// digit and there is an even number of them.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let digits = digits.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    digits
        .chunks_exact(2)
        .map(|pair| match *pair {
            [high, low] => Some(nibble(high)? << 4 | nibble(low)?),
            _ => None,
        })
        .collect()
}

/// Why an engine ID breaks RFC 3411's `SnmpEngineID` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineIdError {
    /// Outside 5..=32 octets; the length given.
    Length(usize),
    /// All zeros or all `'ff'H`, which RFC 3411 reserves.
    Reserved,
}

impl core::fmt::Display for EngineIdError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EngineIdError::Length(n) => {
                write!(f, "{n} octets; an engine ID has 5 to 32 (RFC 3411)")
            }
            EngineIdError::Reserved => {
                f.write_str("all zeros or all 'ff'H is not a valid engine ID (RFC 3411)")
            }
        }
    }
}

impl core::error::Error for EngineIdError {}

/// Checks an engine ID against RFC 3411's `SnmpEngineID` rules.
pub fn check_engine_id(id: &[u8]) -> Result<(), EngineIdError> {
    if !(5..=32).contains(&id.len()) {
        return Err(EngineIdError::Length(id.len()));
    }
    if id.iter().all(|&b| b == 0) || id.iter().all(|&b| b == 0xff) {
        return Err(EngineIdError::Reserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(
            from_hex("0x00ff10Ab"),
            Some(alloc::vec![0, 0xff, 0x10, 0xab])
        );
        assert_eq!(to_hex(&[0, 0xff, 0x10, 0xab]), "00ff10ab");
        assert_eq!(from_hex(""), Some(alloc::vec![]));
        for bad in ["0", "0g", "+1", "é1"] {
            assert_eq!(from_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn engine_ids_follow_rfc_3411() {
        assert_eq!(check_engine_id(&[1; 4]), Err(EngineIdError::Length(4)));
        assert_eq!(check_engine_id(&[1; 33]), Err(EngineIdError::Length(33)));
        assert_eq!(check_engine_id(&[0; 8]), Err(EngineIdError::Reserved));
        assert_eq!(check_engine_id(&[0xff; 8]), Err(EngineIdError::Reserved));
        assert_eq!(check_engine_id(&[0x80, 0, 0x1f, 0x88, 4]), Ok(()));
    }
}
