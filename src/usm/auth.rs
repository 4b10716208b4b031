//! HMAC authentication (RFC 3414 §6, §7; RFC 7860). SKELETON: the USM helper replaces this.
#![allow(missing_docs, unused_variables)]
use alloc::vec::Vec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthProtocol { Md5, Sha1, Sha224, Sha256, Sha384, Sha512 }

impl AuthProtocol {
    /// Octets of msgAuthenticationParameters: 12, 12, 16, 24, 32, 48.
    pub const fn digest_len(self) -> usize {
        match self { AuthProtocol::Md5 | AuthProtocol::Sha1 => 12, AuthProtocol::Sha224 => 16, AuthProtocol::Sha256 => 24, AuthProtocol::Sha384 => 32, AuthProtocol::Sha512 => 48 }
    }
}

/// A localized authentication key, with the HMAC state pre-keyed.
pub struct AuthKey { protocol: AuthProtocol, key: Vec<u8> }

impl core::fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthKey").field("protocol", &self.protocol).finish_non_exhaustive()
    }
}

impl AuthKey {
    pub fn protocol(&self) -> AuthProtocol { self.protocol }
    /// Writes the truncated HMAC of `message` (its auth params already zeroed) into `out`,
    /// which is exactly `digest_len` long.
    pub fn sign(&self, message: &[u8], out: &mut [u8]) { unimplemented!() }
    /// Whether `received` is exactly `digest_len` long and equals the truncated HMAC of
    /// `message` (auth params zeroed), compared in constant time.
    pub fn verify(&self, message: &[u8], received: &[u8]) -> bool { unimplemented!() }
}

// STUB (server branch only): the USM helper's real definitions replace everything below.
impl AuthProtocol {
    pub fn from_name(name: &str) -> Option<AuthProtocol> {
        Some(match name {
            "MD5" => AuthProtocol::Md5,
            "SHA" => AuthProtocol::Sha1,
            "SHA-224" => AuthProtocol::Sha224,
            "SHA-256" => AuthProtocol::Sha256,
            "SHA-384" => AuthProtocol::Sha384,
            "SHA-512" => AuthProtocol::Sha512,
            _ => return None,
        })
    }
    pub const fn name(self) -> &'static str {
        match self { AuthProtocol::Md5 => "MD5", AuthProtocol::Sha1 => "SHA", AuthProtocol::Sha224 => "SHA-224", AuthProtocol::Sha256 => "SHA-256", AuthProtocol::Sha384 => "SHA-384", AuthProtocol::Sha512 => "SHA-512" }
    }
    pub const fn is_weak(self) -> bool { matches!(self, AuthProtocol::Md5) }
}

impl AuthKey {
    pub fn from_password(protocol: AuthProtocol, password: &[u8], engine_id: &[u8]) -> AuthKey {
        let mut key = password.to_vec();
        key.extend_from_slice(engine_id);
        AuthKey { protocol, key }
    }
    pub fn from_localized(protocol: AuthProtocol, key: &[u8]) -> Result<AuthKey, super::keys::KeyError> {
        Ok(AuthKey { protocol, key: key.to_vec() })
    }
}
