//! Privacy: DES-CBC (RFC 3414 §8), AES-CFB-128 (RFC 3826) and AES-192/256-CFB in the two
//! key-extension variants managers use (draft-blumenthal-aes-usm-04; Cisco's, after
//! draft-reeder-snmpv3-usm-3desede).
//!
//! [`PrivKey`] holds the expanded cipher key, built once per user; the raw localized key is
//! zeroized as soon as the cipher is keyed. Per message:
//!
//! - AES: IV = msgAuthoritativeEngineBoots (4 octets, big-endian) || msgAuthoritativeEngineTime
//!   (4) || the 8 octets of msgPrivacyParameters (RFC 3826 §3.1); CFB-128, no padding. The
//!   CFB mode is written here over the `aes` crate's block backend rather than taken from a
//!   generic block-mode crate: decryption makes its whole keystream in one pipelined call, and
//!   encryption picks the backend once per message, so a block costs about its AES rounds
//!   and one XOR (tested against the `cfb-mode` crate).
//! - DES: msgPrivacyParameters (the salt) = snmpEngineBoots (4) || a local 32-bit integer (4);
//!   IV = pre-IV (the second 8 octets of the key) XOR salt; CBC over the plaintext padded to a
//!   multiple of 8 (RFC 3414 §8.1.1).

use alloc::vec::Vec;
use core::fmt;

use aes::cipher::array::Array;
use aes::cipher::consts::{U8, U16};
use aes::cipher::inout::InOutBuf;
use aes::cipher::{
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockModeDecrypt,
    BlockModeEncrypt, BlockSizeUser, InnerIvInit, KeyInit,
};
use aes::{Aes128Enc, Aes192Enc, Aes256Enc};
use des::Des;
use zeroize::Zeroizing;

use super::auth::AuthProtocol;
use super::keys::{self, Extension, KeyError};

/// A USM privacy protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrivProtocol {
    /// usmDESPrivProtocol, CBC-DES (RFC 3414 §8). Weak: kept for old managers only.
    Des,
    /// usmAesCfb128Protocol (RFC 3826).
    Aes128,
    /// AES-192-CFB, key extended by the Blumenthal method (draft-blumenthal-aes-usm-04;
    /// net-snmp's `AES-192`).
    Aes192,
    /// AES-256-CFB, key extended by the Blumenthal method (net-snmp's `AES-256`).
    Aes256,
    /// AES-192-CFB, key extended by the Reeder method (Cisco's usmAESCfb192Protocol;
    /// net-snmp's `AES-192-C`).
    Aes192C,
    /// AES-256-CFB, key extended by the Reeder method (Cisco's usmAESCfb256Protocol;
    /// net-snmp's `AES-256-C`).
    Aes256C,
}

impl PrivProtocol {
    /// Every protocol.
    pub const ALL: [PrivProtocol; 6] = [
        PrivProtocol::Des,
        PrivProtocol::Aes128,
        PrivProtocol::Aes192,
        PrivProtocol::Aes256,
        PrivProtocol::Aes192C,
        PrivProtocol::Aes256C,
    ];

    /// The configuration name, as net-snmp spells it.
    pub const fn name(self) -> &'static str {
        match self {
            PrivProtocol::Des => "DES",
            PrivProtocol::Aes128 => "AES-128",
            PrivProtocol::Aes192 => "AES-192",
            PrivProtocol::Aes256 => "AES-256",
            PrivProtocol::Aes192C => "AES-192-C",
            PrivProtocol::Aes256C => "AES-256-C",
        }
    }

    /// The protocol called `name` (any case); "AES" also names AES-128.
    pub fn from_name(name: &str) -> Option<PrivProtocol> {
        if name.eq_ignore_ascii_case("AES") {
            return Some(PrivProtocol::Aes128);
        }
        PrivProtocol::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The protocol's OID, the value of `usmUserPrivProtocol`: RFC 3414 §5 and RFC 3826 (its MIB);
    /// the Blumenthal draft's enterprise arcs; Cisco's (CISCO-SNMP-USM-OIDS-MIB) for the `-C`
    /// variants. The same OIDs net-snmp uses.
    pub const fn oid(self) -> &'static [u32] {
        match self {
            PrivProtocol::Des => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 2],
            PrivProtocol::Aes128 => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 4],
            PrivProtocol::Aes192 => &[1, 3, 6, 1, 4, 1, 14832, 1, 3],
            PrivProtocol::Aes256 => &[1, 3, 6, 1, 4, 1, 14832, 1, 4],
            PrivProtocol::Aes192C => &[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 1],
            PrivProtocol::Aes256C => &[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 2],
        }
    }

    /// Whether the protocol is kept only for old managers (DES).
    pub const fn is_weak(self) -> bool {
        matches!(self, PrivProtocol::Des)
    }

    /// Octets of the cipher key: 8, 16, 24 or 32.
    pub const fn key_len(self) -> usize {
        match self {
            PrivProtocol::Des => 8,
            PrivProtocol::Aes128 => 16,
            PrivProtocol::Aes192 | PrivProtocol::Aes192C => 24,
            PrivProtocol::Aes256 | PrivProtocol::Aes256C => 32,
        }
    }

    /// Octets of localized key the protocol uses: the cipher key, and for DES the pre-IV too.
    pub const fn localized_len(self) -> usize {
        match self {
            PrivProtocol::Des => 16,
            _ => self.key_len(),
        }
    }

    /// The localized (and extended) key for `password` under the user's `auth` hash, exactly
    /// [`localized_len`](Self::localized_len) octets: the value a configuration's `priv_key`
    /// holds (what `dqi-agent localize-key` prints), and what [`PrivKey::from_password`] keys
    /// its cipher with.
    pub fn localized_key(
        self,
        auth: AuthProtocol,
        password: &[u8],
        engine_id: &[u8],
    ) -> Zeroizing<Vec<u8>> {
        material(self, auth, password, engine_id)
    }

    /// How a localized key shorter than [`localized_len`](Self::localized_len) is extended.
    /// DES and AES-128 never need it: every auth hash gives at least 16 octets.
    const fn extension(self) -> Option<Extension> {
        match self {
            PrivProtocol::Des | PrivProtocol::Aes128 => None,
            PrivProtocol::Aes192 | PrivProtocol::Aes256 => Some(Extension::Blumenthal),
            PrivProtocol::Aes192C | PrivProtocol::Aes256C => Some(Extension::Reeder),
        }
    }
}

impl fmt::Display for PrivProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Decryption failed: privParameters not 8 octets, or DES ciphertext not a non-zero multiple
/// of 8 octets. Counted as `usmStatsDecryptionErrors` (RFC 3414 §3.2 step 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("decryption error")]
pub struct DecryptError;

/// The keyed cipher.
enum Cipher {
    Des {
        des: Des,
        /// The second half of the 16-octet DES key (RFC 3414 §8.1.1.1).
        pre_iv: Zeroizing<[u8; 8]>,
    },
    Aes128(Aes128Enc),
    Aes192(Aes192Enc),
    Aes256(Aes256Enc),
}

/// A localized privacy key, its cipher key already expanded.
pub struct PrivKey {
    protocol: PrivProtocol,
    cipher: Cipher,
}

impl fmt::Debug for PrivKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivKey")
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl PrivKey {
    /// The key for `password`: password to key and localization with the hash of the user's
    /// `auth` protocol (RFC 3414 §2.6), then extended (AES-192/256 after MD5 or SHA-1, AES-256
    /// after SHA-224) or cut to [`PrivProtocol::localized_len`]. Takes a few milliseconds:
    /// call it once per user, at start-up.
    pub fn from_password(
        protocol: PrivProtocol,
        auth: AuthProtocol,
        password: &[u8],
        engine_id: &[u8],
    ) -> PrivKey {
        PrivKey::new(protocol, &material(protocol, auth, password, engine_id))
    }

    /// The key for a master key `ku` (RFC 3414 §2.6, the password already run through
    /// [`AuthProtocol::password_to_key`]): localized to `engine_id` and extended or cut as
    /// [`PrivKey::from_password`] does. A manager asking many engines with one passphrase turns
    /// it into `ku` once and localizes per engine, which costs one hash instead of a megabyte.
    pub fn from_master_key(
        protocol: PrivProtocol,
        auth: AuthProtocol,
        ku: &[u8],
        engine_id: &[u8],
    ) -> PrivKey {
        PrivKey::new(protocol, &master_material(protocol, auth, ku, engine_id))
    }

    /// A key already localized (and extended), as net-snmp stores it in `usmUser` lines.
    ///
    /// The first [`PrivProtocol::localized_len`] octets are used (DES: 8 key octets, then 8
    /// pre-IV octets; AES: the cipher key); any octets after them are ignored, as a localized
    /// key from a longer hash is simply cut. Fewer octets are an error.
    pub fn from_localized(protocol: PrivProtocol, key: &[u8]) -> Result<PrivKey, KeyError> {
        let needed = protocol.localized_len();
        match key.get(..needed) {
            Some(material) => Ok(PrivKey::new(protocol, material)),
            None => Err(KeyError::PrivKeyTooShort {
                protocol: protocol.name(),
                needed,
                got: key.len(),
            }),
        }
    }

    /// The protocol this key is for.
    pub fn protocol(&self) -> PrivProtocol {
        self.protocol
    }

    /// Encrypts `plaintext` (an encoded ScopedPDU), appending the ciphertext to `out`; returns the
    /// 8-octet msgPrivacyParameters.
    ///
    /// `engine_boots` and `engine_time` are this (authoritative) engine's, as sent in the same
    /// message. `salt` must never repeat within an engine boot: AES sends all 64 bits, DES the
    /// low 32 after `engine_boots`. DES pads the plaintext with zeros to a multiple of 8.
    pub fn encrypt(
        &self,
        engine_boots: u32,
        engine_time: u32,
        salt: u64,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> [u8; 8] {
        let start = out.len();
        out.extend_from_slice(plaintext);
        match &self.cipher {
            Cipher::Des { des, pre_iv } => {
                let mut params = [0; 8];
                params[..4].copy_from_slice(&engine_boots.to_be_bytes());
                // The local integer is the low half of the salt; the cast drops the high half.
                params[4..].copy_from_slice(&(salt as u32).to_be_bytes());
                out.resize(start + plaintext.len().next_multiple_of(8), 0);
                let iv = des_iv(pre_iv, &params);
                let (blocks, _) =
                    InOutBuf::from(out.get_mut(start..).unwrap_or_default()).into_chunks::<U8>();
                cbc::Encryptor::<&Des>::inner_iv_init(des, &iv).encrypt_blocks_inout(blocks);
                params
            }
            Cipher::Aes128(aes) => aes_cfb(aes, engine_boots, engine_time, salt, out, start),
            Cipher::Aes192(aes) => aes_cfb(aes, engine_boots, engine_time, salt, out, start),
            Cipher::Aes256(aes) => aes_cfb(aes, engine_boots, engine_time, salt, out, start),
        }
    }

    /// Octets of the ciphertext [`encrypt`](Self::encrypt) makes of `plaintext` octets: DES
    /// pads to a multiple of 8, AES in CFB mode keeps the length.
    pub fn ciphertext_len(&self, plaintext: usize) -> usize {
        match &self.cipher {
            Cipher::Des { .. } => plaintext.next_multiple_of(8),
            Cipher::Aes128(_) | Cipher::Aes192(_) | Cipher::Aes256(_) => plaintext,
        }
    }

    /// Decrypts `ciphertext`, appending the plaintext to `out` (DES leaves its padding: the
    /// BER decoder ignores trailing octets after the ScopedPDU).
    ///
    /// `engine_boots` and `engine_time` are msgAuthoritativeEngineBoots and
    /// msgAuthoritativeEngineTime FROM THE MESSAGE being decrypted (RFC 3826 §3.1), not the
    /// local clock: AES builds its IV from them. DES ignores them. On error `out` is unchanged.
    pub fn decrypt(
        &self,
        engine_boots: u32,
        engine_time: u32,
        priv_params: &[u8],
        ciphertext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), DecryptError> {
        let params: &[u8; 8] = priv_params.try_into().map_err(|_| DecryptError)?;
        let start = out.len();
        match &self.cipher {
            Cipher::Des { des, pre_iv } => {
                if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(8) {
                    return Err(DecryptError);
                }
                out.extend_from_slice(ciphertext);
                let iv = des_iv(pre_iv, params);
                let (blocks, _) =
                    InOutBuf::from(out.get_mut(start..).unwrap_or_default()).into_chunks::<U8>();
                cbc::Decryptor::<&Des>::inner_iv_init(des, &iv).decrypt_blocks_inout(blocks);
            }
            Cipher::Aes128(aes) => {
                aes_cfb_decrypt(aes, engine_boots, engine_time, params, ciphertext, out)
            }
            Cipher::Aes192(aes) => {
                aes_cfb_decrypt(aes, engine_boots, engine_time, params, ciphertext, out)
            }
            Cipher::Aes256(aes) => {
                aes_cfb_decrypt(aes, engine_boots, engine_time, params, ciphertext, out)
            }
        }
        Ok(())
    }

    /// Keys the cipher from `material`, exactly `protocol.localized_len()` octets.
    fn new(protocol: PrivProtocol, material: &[u8]) -> PrivKey {
        // `material` is exactly `localized_len()` octets: the key, then DES's pre-IV.
        let key = material.get(..protocol.key_len()).unwrap_or(material);
        let cipher = match protocol {
            PrivProtocol::Des => {
                let mut pre_iv = Zeroizing::new([0; 8]);
                if let Some(octets) = material.get(8..16) {
                    pre_iv.copy_from_slice(octets);
                }
                Cipher::Des {
                    des: keyed(key),
                    pre_iv,
                }
            }
            PrivProtocol::Aes128 => Cipher::Aes128(keyed(key)),
            PrivProtocol::Aes192 | PrivProtocol::Aes192C => Cipher::Aes192(keyed(key)),
            PrivProtocol::Aes256 | PrivProtocol::Aes256C => Cipher::Aes256(keyed(key)),
        };
        PrivKey { protocol, cipher }
    }
}

/// The localized key for `password`, extended or cut to exactly `protocol.localized_len()`.
fn material(
    protocol: PrivProtocol,
    auth: AuthProtocol,
    password: &[u8],
    engine_id: &[u8],
) -> Zeroizing<Vec<u8>> {
    master_material(protocol, auth, &auth.password_to_key(password), engine_id)
}

/// [`material`] from the master key `ku`.
fn master_material(
    protocol: PrivProtocol,
    auth: AuthProtocol,
    ku: &[u8],
    engine_id: &[u8],
) -> Zeroizing<Vec<u8>> {
    let len = protocol.localized_len();
    let mut kul = auth.localize(ku, engine_id);
    match protocol.extension() {
        Some(method) => keys::extend(method, auth, kul, engine_id, len),
        None => {
            kul.truncate(len);
            kul
        }
    }
}

/// Keys a cipher; `key` has the cipher's length, checked by the callers.
fn keyed<C: KeyInit>(key: &[u8]) -> C {
    match C::new_from_slice(key) {
        Ok(c) => c,
        // PrivKey::new slices exactly key_len octets, the length each cipher takes.
        Err(_) => unreachable!("cipher key length mismatch"),
    }
}

fn des_iv(pre_iv: &[u8; 8], salt: &[u8; 8]) -> Array<u8, U8> {
    let mut iv = [0u8; 8];
    for ((out, p), s) in iv.iter_mut().zip(pre_iv).zip(salt) {
        *out = p ^ s;
    }
    Array::from(iv)
}

fn aes_iv(engine_boots: u32, engine_time: u32, salt: &[u8; 8]) -> Array<u8, U16> {
    let mut iv = [0; 16];
    iv[..4].copy_from_slice(&engine_boots.to_be_bytes());
    iv[4..8].copy_from_slice(&engine_time.to_be_bytes());
    iv[8..].copy_from_slice(salt);
    Array::from(iv)
}

/// Encrypts `out[start..]` in place; returns the salt octets.
fn aes_cfb<C: BlockCipherEncrypt<BlockSize = U16>>(
    aes: &C,
    engine_boots: u32,
    engine_time: u32,
    salt: u64,
    out: &mut [u8],
    start: usize,
) -> [u8; 8] {
    let params = salt.to_be_bytes();
    let iv = aes_iv(engine_boots, engine_time, &params);
    aes.encrypt_with_backend(CfbEncrypt {
        feedback: iv,
        data: out.get_mut(start..).unwrap_or_default(),
    });
    params
}

/// CFB-128 encryption (RFC 3826 §3.1.3; NIST SP 800-38A §6.3) in place: C_i = P_i XOR E(C_{i-1}),
/// C_0 = IV, the last block cut to the data's length. Serial by nature, so it runs as one
/// closure over the cipher's backend: one backend choice per message, not one per block as
/// the generic block-mode wrappers make it.
struct CfbEncrypt<'a> {
    /// The previous ciphertext block (the IV at first), then its encryption: the keystream.
    feedback: Array<u8, U16>,
    data: &'a mut [u8],
}

impl BlockSizeUser for CfbEncrypt<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for CfbEncrypt<'_> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let CfbEncrypt { mut feedback, data } = self;
        let (blocks, tail) = Array::<u8, U16>::slice_as_chunks_mut(data);
        for block in blocks {
            backend.encrypt_block((&mut feedback).into());
            xor_into(block, &feedback);
            feedback.copy_from_slice(block);
        }
        if !tail.is_empty() {
            backend.encrypt_block((&mut feedback).into());
            xor_into(tail, feedback.get(..tail.len()).unwrap_or_default());
        }
        // Nothing to wipe: the keystream block left is E(a ciphertext block that is sent), and
        // the octets of it used are this plaintext XOR that ciphertext; neither tells anything
        // of the key, and the plaintext is in the caller's buffers anyway.
    }
}

/// CFB-128 decryption (RFC 3826 §3.1.4), appending the plaintext of `ciphertext` to `out`.
///
/// P_i = C_i XOR E(C_{i-1}) with C_0 = IV: every input to the cipher is known before the
/// first block is done, so the keystream (E of the IV and of every ciphertext block but the
/// last) is made by one `encrypt_blocks` call, which the AES-NI backend pipelines eight blocks
/// at a time, and the ciphertext is XORed in afterwards.
fn aes_cfb_decrypt<C: BlockCipherEncrypt<BlockSize = U16>>(
    aes: &C,
    engine_boots: u32,
    engine_time: u32,
    params: &[u8; 8],
    ciphertext: &[u8],
    out: &mut Vec<u8>,
) {
    let Some(last) = ciphertext.len().checked_sub(1) else {
        return;
    };
    // The ciphertext octets that feed the cipher: every block but the last (full or not).
    let fed = ciphertext.get(..last / 16 * 16).unwrap_or_default();
    let start = out.len();
    out.reserve(16 + fed.len());
    out.extend_from_slice(&aes_iv(engine_boots, engine_time, params));
    out.extend_from_slice(fed);
    let keystream = out.get_mut(start..).unwrap_or_default();
    let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(keystream);
    aes.encrypt_blocks(blocks);
    // At most 15 keystream octets past the ciphertext stay in the spare capacity: E of a
    // received ciphertext block, nothing secret (see `CfbEncrypt`).
    out.truncate(start + ciphertext.len());
    xor_into(out.get_mut(start..).unwrap_or_default(), ciphertext);
}

/// `data[i] ^= with[i]`, a 16-octet block at a time; the two have the same length.
#[inline(always)]
fn xor_into(data: &mut [u8], with: &[u8]) {
    let (blocks, tail) = data.as_chunks_mut::<16>();
    let (with_blocks, with_tail) = with.as_chunks::<16>();
    for (block, other) in blocks.iter_mut().zip(with_blocks) {
        *block = (u128::from_ne_bytes(*block) ^ u128::from_ne_bytes(*other)).to_ne_bytes();
    }
    // A last partial block: 8, 4, 2 and 1 octets at a time, at most once each.
    let mut at = 0;
    xor_chunk::<8>(tail, with_tail, &mut at);
    xor_chunk::<4>(tail, with_tail, &mut at);
    xor_chunk::<2>(tail, with_tail, &mut at);
    xor_chunk::<1>(tail, with_tail, &mut at);
}

/// XORs `N` octets of `with` into `data` at `at` and moves `at` past them, if both have them.
#[inline(always)]
fn xor_chunk<const N: usize>(data: &mut [u8], with: &[u8], at: &mut usize) {
    let data = data.get_mut(*at..).and_then(|d| d.first_chunk_mut::<N>());
    let with = with.get(*at..).and_then(|w| w.first_chunk::<N>());
    if let (Some(data), Some(with)) = (data, with) {
        for (octet, other) in data.iter_mut().zip(with) {
            *octet ^= other;
        }
        *at += N;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usm::AuthKey;
    use crate::usm::keys::tests::{NET_SNMP_ENGINE_ID, hex};

    const PLAINTEXT: &[u8] = b"dqi-agent privacy known answer";
    const BOOTS: u32 = 7;
    const TIME: u32 = 0x0001_2345;
    const SALT: u64 = 0x0102_0304_0506_0708;

    /// The localized (and extended) key material `from_password` keys its cipher with.
    fn material(protocol: PrivProtocol, auth: AuthProtocol) -> Zeroizing<Vec<u8>> {
        super::material(protocol, auth, b"maplesyrup", &NET_SNMP_ENGINE_ID)
    }

    #[test]
    fn extended_keys_match_net_snmp() {
        // net-snmp 5.9.3 stores the extended key in its `usmUser` lines (see
        // keys::tests::NET_SNMP_ENGINE_ID for how they were taken): 24 or 32 octets, the
        // Blumenthal (`AES-192`/`AES-256`) and Reeder (`AES-192-C`/`AES-256-C`) tails differing.
        // DES and AES-128 store the 16-octet prefix, so the comparison is on `localized_len`.
        let sha1 = "e5f22132a3ff1a8ec2c51cae02e344c180f74cb6";
        let md5 = "20cfd52f5c3d048048fa99c69d5a7a9c";
        let sha224 = "faed6c4bd126f6b3190c96de270fd10e94d7938bd4d8d7c9e9a26429";
        let cases = [
            (PrivProtocol::Des, AuthProtocol::Md5, md5.into()),
            (PrivProtocol::Aes128, AuthProtocol::Sha1, sha1[..32].into()),
            (
                PrivProtocol::Aes192,
                AuthProtocol::Sha1,
                alloc::format!("{sha1}5e57c0e9"),
            ),
            (
                PrivProtocol::Aes256,
                AuthProtocol::Sha1,
                alloc::format!("{sha1}5e57c0e974ce99e02be227b2"),
            ),
            (
                PrivProtocol::Aes192C,
                AuthProtocol::Sha1,
                alloc::format!("{sha1}5811f983"),
            ),
            (
                PrivProtocol::Aes256C,
                AuthProtocol::Sha1,
                alloc::format!("{sha1}5811f983e1dd4045b6466f9a"),
            ),
            (
                PrivProtocol::Aes256,
                AuthProtocol::Md5,
                alloc::format!("{md5}2c446df9d1371bba9691f11aa1543519"),
            ),
            (
                PrivProtocol::Aes256C,
                AuthProtocol::Md5,
                alloc::format!("{md5}89b4ad46d30a059626ef5e6d3d59b7f5"),
            ),
            (
                PrivProtocol::Aes256,
                AuthProtocol::Sha224,
                alloc::format!("{sha224}40f298ff"),
            ),
            (
                PrivProtocol::Aes256C,
                AuthProtocol::Sha224,
                alloc::format!("{sha224}65567dca"),
            ),
            // A long hash is cut, never extended.
            (
                PrivProtocol::Aes256,
                AuthProtocol::Sha512,
                "eb81a804375c27134064ec1c9e0bd00c7027f7f880e8fe49b5769c03878a4e57".into(),
            ),
            (
                PrivProtocol::Aes256C,
                AuthProtocol::Sha256,
                "13e5255546c3dc77d97391cde25dfc71795b479b105ba37fb39667dfea9f723c".into(),
            ),
        ];
        for (protocol, auth, expected) in cases {
            assert_eq!(
                *material(protocol, auth),
                hex(&expected),
                "{protocol:?} {auth:?}"
            );
            // The manager's path, master key first, keys the same cipher as net-snmp's key.
            let ku = auth.password_to_key(b"maplesyrup");
            let from_master = PrivKey::from_master_key(protocol, auth, &ku, &NET_SNMP_ENGINE_ID);
            let Ok(from_net_snmp) = PrivKey::from_localized(protocol, &hex(&expected)) else {
                panic!("{protocol:?} key length");
            };
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let pa = from_master.encrypt(BOOTS, TIME, SALT, PLAINTEXT, &mut a);
            let pb = from_net_snmp.encrypt(BOOTS, TIME, SALT, PLAINTEXT, &mut b);
            assert_eq!(
                (pa, a),
                (pb, b),
                "{protocol:?} {auth:?} from the master key"
            );
        }
        let blumenthal = material(PrivProtocol::Aes256, AuthProtocol::Sha1);
        let reeder = material(PrivProtocol::Aes256C, AuthProtocol::Sha1);
        assert_eq!(blumenthal[..20], reeder[..20]);
        assert_ne!(blumenthal[20..], reeder[20..]);
    }

    #[test]
    fn known_answers() {
        // Expected ciphertexts from Python's `cryptography` 48, keyed with the net-snmp
        // localized keys of `extended_keys_match_net_snmp` (auth SHA-1; DES after MD5):
        //   AES: Cipher(AES(key), CFB(struct.pack(">IIQ", 7, 0x12345, 0x0102030405060708)))
        //   DES: Cipher(TripleDES(key[:8] * 3), CBC(key[8:] XOR struct.pack(">II", 7, 0x05060708)))
        //        over the plaintext zero-padded to 32 octets (3DES with K1 = K2 = K3 is DES).
        let cases = [
            (
                PrivProtocol::Des,
                AuthProtocol::Md5,
                "0000000705060708",
                "578a8168f3ecf16a1061721663bbae445e27630efac0086a3b9b9ca6c82f7881",
            ),
            (
                PrivProtocol::Aes128,
                AuthProtocol::Sha1,
                "0102030405060708",
                "ca3f821146e3801452c3969f99b194966b77799a62cb4b16d89e91180a38",
            ),
            (
                PrivProtocol::Aes192,
                AuthProtocol::Sha1,
                "0102030405060708",
                "26743157aaf81eeb82496bc194e59431594df3490a0fffceca054387667c",
            ),
            (
                PrivProtocol::Aes256,
                AuthProtocol::Sha1,
                "0102030405060708",
                "b88d2e7b4637d4839e020b20bfdb403ecec2a03b9ee583b4b04a377b92ae",
            ),
            (
                PrivProtocol::Aes192C,
                AuthProtocol::Sha1,
                "0102030405060708",
                "5287b2b6b48ddc17575993a126c50751e6f1fb90af0b37e635f6c11d0822",
            ),
            (
                PrivProtocol::Aes256C,
                AuthProtocol::Sha1,
                "0102030405060708",
                "cb37cb208ace91aa9fd8a2da6c571abfb5fdf1b245714ba617f1cfe0fe02",
            ),
        ];
        for (protocol, auth, params, ciphertext) in cases {
            let key = PrivKey::from_password(protocol, auth, b"maplesyrup", &NET_SNMP_ENGINE_ID);
            let mut out = alloc::vec![0xee];
            let sent = key.encrypt(BOOTS, TIME, SALT, PLAINTEXT, &mut out);
            assert_eq!(sent[..], hex(params), "{protocol:?}");
            assert_eq!(out[0], 0xee, "encrypt appends");
            assert_eq!(out[1..], hex(ciphertext), "{protocol:?}");
        }
    }

    #[test]
    fn round_trips() {
        for protocol in PrivProtocol::ALL {
            for auth in [AuthProtocol::Md5, AuthProtocol::Sha1, AuthProtocol::Sha512] {
                let key = PrivKey::from_password(protocol, auth, b"maplesyrup", b"engine");
                for len in [1, 8, 15, 16, 17, 100] {
                    let plaintext: Vec<u8> = (0..len as u8).collect();
                    let mut ciphertext = Vec::new();
                    let params = key.encrypt(1, 2, 3, &plaintext, &mut ciphertext);
                    if len >= 8 {
                        assert_ne!(ciphertext[..len], plaintext[..]);
                    }
                    let mut back = alloc::vec![0xee];
                    key.decrypt(1, 2, &params, &ciphertext, &mut back).unwrap();
                    assert_eq!(back[0], 0xee, "decrypt appends");
                    assert_eq!(back[1..=len], plaintext[..], "{protocol:?} {auth:?} {len}");
                    if protocol == PrivProtocol::Des {
                        assert_eq!(ciphertext.len(), len.next_multiple_of(8));
                        assert!(back[len + 1..].iter().all(|&b| b == 0));
                    } else {
                        assert_eq!(back.len(), len + 1);
                    }
                    if protocol != PrivProtocol::Des && len >= 8 {
                        // The IV holds the message's boots and time: other values garble it.
                        let mut wrong = Vec::new();
                        key.decrypt(1, 3, &params, &ciphertext, &mut wrong).unwrap();
                        assert_ne!(wrong, plaintext);
                    }
                }
            }
        }
    }

    /// The CFB here against the `cfb-mode` crate (RustCrypto's, the reference before it was
    /// replaced), over every length from 0 to 300 octets (full and partial final blocks, fewer
    /// and more than the eight blocks AES-NI pipelines) and each key size, both ways.
    #[test]
    fn cfb_matches_the_cfb_mode_crate() {
        fn check<C: BlockCipherEncrypt<BlockSize = U16>>(aes: &C, key: &PrivKey) {
            let data: Vec<u8> = (0..=300u32).map(|i| (i * 151 + 7) as u8).collect();
            let iv = aes_iv(BOOTS, TIME, &SALT.to_be_bytes());
            for len in 0..=300 {
                let mut reference = data[..len].to_vec();
                cfb_mode::Encryptor::<&C>::inner_iv_init(aes, &iv).encrypt(&mut reference);
                let mut ours = alloc::vec![0xa5];
                let params = key.encrypt(BOOTS, TIME, SALT, &data[..len], &mut ours);
                assert_eq!(params, SALT.to_be_bytes());
                assert_eq!(ours[0], 0xa5, "encrypt appends");
                assert_eq!(
                    ours[1..],
                    reference[..],
                    "{:?} encrypt {len}",
                    key.protocol()
                );

                // Decrypting other data than what was encrypted: each is checked on its own.
                let mut plain = data[300 - len..300].to_vec();
                let ciphertext = plain.clone();
                cfb_mode::Decryptor::<&C>::inner_iv_init(aes, &iv).decrypt(&mut plain);
                let mut ours = alloc::vec![0x5a; 3];
                key.decrypt(BOOTS, TIME, &params, &ciphertext, &mut ours)
                    .unwrap();
                assert_eq!(ours[..3], [0x5a; 3], "decrypt appends");
                assert_eq!(ours[3..], plain[..], "{:?} decrypt {len}", key.protocol());
                if len > 0 {
                    assert_ne!(plain, ciphertext);
                }
            }
        }
        for protocol in [
            PrivProtocol::Aes128,
            PrivProtocol::Aes192,
            PrivProtocol::Aes256,
        ] {
            let key = PrivKey::from_password(protocol, AuthProtocol::Sha1, b"maplesyrup", b"e");
            match &key.cipher {
                Cipher::Aes128(aes) => check(aes, &key),
                Cipher::Aes192(aes) => check(aes, &key),
                Cipher::Aes256(aes) => check(aes, &key),
                Cipher::Des { .. } => unreachable!(),
            }
        }
    }

    #[test]
    fn des_salt_is_boots_then_low_half() {
        let key =
            PrivKey::from_password(PrivProtocol::Des, AuthProtocol::Sha1, b"maplesyrup", b"e");
        let params = key.encrypt(0x0a0b_0c0d, 0, 0xffff_ffff_1122_3344, b"x", &mut Vec::new());
        assert_eq!(params, [0x0a, 0x0b, 0x0c, 0x0d, 0x11, 0x22, 0x33, 0x44]);
    }

    #[test]
    fn decryption_errors() {
        for protocol in PrivProtocol::ALL {
            let key = PrivKey::from_password(protocol, AuthProtocol::Sha256, b"maplesyrup", b"e");
            let mut out = alloc::vec![1, 2];
            for params in [&[][..], &[0; 7], &[0; 9]] {
                assert_eq!(
                    key.decrypt(0, 0, params, &[0; 16], &mut out),
                    Err(DecryptError)
                );
            }
            assert_eq!(out, [1, 2], "nothing appended on error");
        }
        let des = PrivKey::from_password(PrivProtocol::Des, AuthProtocol::Md5, b"maplesyrup", b"e");
        for len in [0, 1, 7, 9, 15] {
            let ciphertext = alloc::vec![0; len];
            assert_eq!(
                des.decrypt(0, 0, &[0; 8], &ciphertext, &mut Vec::new()),
                Err(DecryptError)
            );
        }
        // CFB takes any length, the empty one included.
        let aes =
            PrivKey::from_password(PrivProtocol::Aes128, AuthProtocol::Md5, b"maplesyrup", b"e");
        let mut out = Vec::new();
        assert_eq!(aes.decrypt(0, 0, &[0; 8], &[], &mut out), Ok(()));
        assert!(out.is_empty());
    }

    #[test]
    fn from_localized_uses_the_prefix() {
        for protocol in PrivProtocol::ALL {
            let long = AuthProtocol::Sha512.localized_key(b"maplesyrup", &NET_SNMP_ENGINE_ID);
            let needed = protocol.localized_len();
            assert_eq!(
                PrivKey::from_localized(protocol, &long[..needed - 1]).unwrap_err(),
                KeyError::PrivKeyTooShort {
                    protocol: protocol.name(),
                    needed,
                    got: needed - 1
                }
            );
            let exact = PrivKey::from_localized(protocol, &long[..needed]).unwrap();
            let longer = PrivKey::from_localized(protocol, &long).unwrap();
            let derived = PrivKey::from_password(
                protocol,
                AuthProtocol::Sha512,
                b"maplesyrup",
                &NET_SNMP_ENGINE_ID,
            );
            let mut a = Vec::new();
            let mut b = Vec::new();
            let mut c = Vec::new();
            exact.encrypt(1, 2, 3, PLAINTEXT, &mut a);
            longer.encrypt(1, 2, 3, PLAINTEXT, &mut b);
            derived.encrypt(1, 2, 3, PLAINTEXT, &mut c);
            assert_eq!(a, b);
            assert_eq!(a, c);
        }
    }

    /// Requests net-snmp 5.9.3's `snmpget -v3 -l authPriv ... 1.3.6.1.2.1.1.5.0` sent to its own
    /// snmpd on loopback (dumped with `snmpget -d`; users created from the password
    /// "maplesyrup" for both keys): the digest verifies with our key and the scopedPDU decrypts
    /// to a SEQUENCE holding the requested OID.
    #[test]
    fn net_snmp_requests_verify_and_decrypt() {
        const ENGINE_ID: &str = "80001f888024827f11fe46036b00000000";
        // (auth, priv, message, digest offset, encryptedPDU offset, priv params)
        let cases = [
            (
                AuthProtocol::Sha256,
                PrivProtocol::Aes128,
                "3081970201033011020413d7694d020300ffe304010702010304483046041180001f888024827f11\
                 fe46036b00000000020101020102040775736861323536041806e6834bedc2303e78239699413373\
                 53f269904b6c177bcb04082d025906171729230435c510c7d7d3e4daf924e8aaa693240c6c2a10ca\
                 cc1a7cceb3fd3b31a2b1a187b4d2e5b10a273209ebc31073e4c48e2679d168b1b3aa",
                65,
                101,
                "2d02590617172923",
            ),
            (
                AuthProtocol::Md5,
                PrivProtocol::Des,
                "30818e020103301102040facf2bd020300ffe3040107020103043c303a041180001f888024827f11\
                 fe46036b000000000201010201020407756d6435646573040c5c193d4e432a64aec9996f7a040800\
                 000001181e0599043889ddc3ff2f69f59a4f1eee2e07cd50433c06a0e0618129d5ac60a653c2ecdc\
                 1389a37e6d878ac54bbbebdccc83805c230e4264870ae91824",
                65,
                89,
                "00000001181e0599",
            ),
            (
                AuthProtocol::Sha1,
                PrivProtocol::Aes256C,
                "30818e020103301102041fc48118020300ffe3040107020103043f303d041180001f888024827f11\
                 fe46036b00000000020101020102040a75736861316132353663040c3339ece7a5c1716606efa002\
                 0408857fd548dae8da4b04355e972716bb3b416dcf56ae9452dc0009298cf575d63f79bca5aff249\
                 69e8f78166898841149d9f7efe7776382f95598031709e1f7f",
                68,
                92,
                "857fd548dae8da4b",
            ),
            (
                AuthProtocol::Sha1,
                PrivProtocol::Aes256,
                "30818d0201033011020426c8db7b020300ffe3040107020103043e303c041180001f888024827f11\
                 fe46036b000000000201010201020409757368613161323536040c1a3c3808e9de4bf7c6f4359104\
                 08c03302ed7acc74b204350922cffc8271459f668b50f4d9c4d5e5b09a78de91328257047b76c428\
                 c480f7e861049f6a38cc3084bd90e6a0a9be80e2faf998ac",
                67,
                91,
                "c03302ed7acc74b2",
            ),
        ];
        let engine_id = hex(ENGINE_ID);
        let oid = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00];
        for (auth, privacy, message, digest_at, pdu_at, params) in cases {
            let mut message = hex(message);
            let auth_key = AuthKey::from_password(auth, b"maplesyrup", &engine_id);
            let digest_range = digest_at..digest_at + auth.digest_len();
            let received = message[digest_range.clone()].to_vec();
            message[digest_range].fill(0);
            assert!(auth_key.verify(&message, &received), "{auth:?}");
            let mut resigned = alloc::vec![0; auth.digest_len()];
            auth_key.sign(&message, &mut resigned);
            assert_eq!(resigned, received);

            // msgAuthoritativeEngineBoots and Time in these messages are 1 and 2.
            let priv_key = PrivKey::from_password(privacy, auth, b"maplesyrup", &engine_id);
            let mut plain = Vec::new();
            priv_key
                .decrypt(1, 2, &hex(params), &message[pdu_at..], &mut plain)
                .unwrap();
            assert_eq!(plain[0], 0x30, "{privacy:?}");
            let pdu_len = usize::from(plain[1]) + 2;
            assert!(
                pdu_len <= plain.len() && plain.len() < pdu_len + 8,
                "{privacy:?}"
            );
            assert!(plain.windows(oid.len()).any(|w| w == oid), "{privacy:?}");
            assert!(plain.windows(engine_id.len()).any(|w| w == engine_id));
        }
    }

    #[test]
    fn names_and_oids() {
        for protocol in PrivProtocol::ALL {
            assert_eq!(PrivProtocol::from_name(protocol.name()), Some(protocol));
            assert_eq!(
                PrivProtocol::from_name(&protocol.name().to_ascii_lowercase()),
                Some(protocol)
            );
        }
        assert_eq!(PrivProtocol::from_name("aes"), Some(PrivProtocol::Aes128));
        assert_eq!(PrivProtocol::from_name("AES-512"), None);
        assert_eq!(PrivProtocol::Aes128.oid(), &[1, 3, 6, 1, 6, 3, 10, 1, 2, 4]);
        assert_eq!(
            PrivProtocol::Aes256C.oid(),
            &[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 2]
        );
        assert!(PrivProtocol::Des.is_weak());
        assert!(!PrivProtocol::Aes128.is_weak());
        let shown = alloc::format!(
            "{:?}",
            PrivKey::from_password(PrivProtocol::Des, AuthProtocol::Md5, b"maplesyrup", b"e")
        );
        assert_eq!(shown, "PrivKey { protocol: Des, .. }");
    }
}
