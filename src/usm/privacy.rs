//! Privacy (RFC 3414 §8, RFC 3826). SKELETON: the USM helper replaces this.
#![allow(missing_docs, unused_variables)]
use alloc::vec::Vec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrivProtocol { Des, Aes128, Aes192, Aes256, Aes192C, Aes256C }

/// Decryption failed: bad privParameters length, bad ciphertext length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptError;

pub struct PrivKey { protocol: PrivProtocol, key: Vec<u8> }

impl core::fmt::Debug for PrivKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrivKey").field("protocol", &self.protocol).finish_non_exhaustive()
    }
}

impl PrivKey {
    pub fn protocol(&self) -> PrivProtocol { self.protocol }
    /// Encrypts `plaintext` (an encoded ScopedPDU), appending the ciphertext to `out`; returns the
    /// 8-octet msgPrivacyParameters. `salt` must never repeat within an engine boot.
    pub fn encrypt(&self, engine_boots: u32, engine_time: u32, salt: u64, plaintext: &[u8], out: &mut Vec<u8>) -> [u8; 8] { unimplemented!() }
    /// Decrypts `ciphertext`, appending the plaintext to `out` (DES leaves its padding: the
    /// BER decoder ignores trailing octets after the ScopedPDU).
    pub fn decrypt(&self, engine_boots: u32, engine_time: u32, priv_params: &[u8], ciphertext: &[u8], out: &mut Vec<u8>) -> Result<(), DecryptError> { unimplemented!() }
}

// STUB (server branch only): the USM helper's real definitions replace everything below.
impl PrivProtocol {
    pub fn from_name(name: &str) -> Option<PrivProtocol> {
        Some(match name {
            "DES" => PrivProtocol::Des,
            "AES" | "AES-128" => PrivProtocol::Aes128,
            "AES-192" => PrivProtocol::Aes192,
            "AES-256" => PrivProtocol::Aes256,
            "AES-192-C" => PrivProtocol::Aes192C,
            "AES-256-C" => PrivProtocol::Aes256C,
            _ => return None,
        })
    }
    pub const fn name(self) -> &'static str {
        match self { PrivProtocol::Des => "DES", PrivProtocol::Aes128 => "AES-128", PrivProtocol::Aes192 => "AES-192", PrivProtocol::Aes256 => "AES-256", PrivProtocol::Aes192C => "AES-192-C", PrivProtocol::Aes256C => "AES-256-C" }
    }
    pub const fn is_weak(self) -> bool { matches!(self, PrivProtocol::Des) }
}

impl PrivKey {
    pub fn from_password(protocol: PrivProtocol, auth: super::AuthProtocol, password: &[u8], engine_id: &[u8]) -> PrivKey {
        let mut key = password.to_vec();
        key.extend_from_slice(engine_id);
        PrivKey { protocol, key }
    }
    pub fn from_localized(protocol: PrivProtocol, key: &[u8]) -> Result<PrivKey, super::keys::KeyError> {
        Ok(PrivKey { protocol, key: key.to_vec() })
    }
}
