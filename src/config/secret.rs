//! [`Secret`]: a passphrase or key from a file, zeroed when dropped and never printed.

use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

/// A secret string from the file: zeroed when dropped, redacted in `Debug`.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// A secret holding `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        // Through `toml::Value` so that a non-string is refused without echoing it: serde's own
        // type error would print `integer 12345678`, a numeric passphrase.
        match toml::Value::deserialize(deserializer)? {
            // The String moves into the Zeroizing box without a copy.
            toml::Value::String(s) => Ok(Secret(Zeroizing::new(s))),
            _ => Err(serde::de::Error::custom("a secret must be a quoted string")),
        }
    }
}
