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
