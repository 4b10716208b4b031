//! Password to key, key localization and privacy key extension.
//!
//! - Password to key (RFC 3414 §2.6, A.2.1 and A.2.2): `Ku` is the hash of the password repeated
//!   to fill 1,048,576 octets. RFC 7860 §4.1 keeps the algorithm for the SHA-2 hashes.
//! - Localization (RFC 3414 §2.6, A.2): `Kul = H(Ku || snmpEngineID || Ku)`.
//! - Key extension, for a privacy protocol whose cipher key is longer than the auth hash (SHA-1
//!   with AES-256, say): the Blumenthal method (draft-blumenthal-aes-usm-04 §3.1.2.1, net-snmp's
//!   `AES-192`/`AES-256`) appends `H(Kul)`, the Reeder method (draft-reeder-snmpv3-usm-3desede
//!   §2.1, net-snmp's and Cisco's `AES-192-C`/`AES-256-C`) appends `Kul` run again through
//!   password to key and localization.
//!
//! These run once per user at start-up; the request path only sees the keys built from them
//! ([`AuthKey`](super::AuthKey), [`PrivKey`](super::PrivKey)). Every intermediate key lives in a
//! [`Zeroizing`] buffer.

use alloc::vec::Vec;

use md5::Md5;
use sha1::Sha1;
use sha2::Digest;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use zeroize::{Zeroize, Zeroizing};

use super::auth::AuthProtocol;

/// Octets of password material hashed into `Ku` (RFC 3414 A.2.1).
const EXPANDED_PASSWORD_LEN: usize = 1_048_576;

/// The hash input is fed in chunks of this size: one hash block for every supported hash but
/// SHA-384/512, whose 128-octet block simply takes two.
const CHUNK: usize = 64;

/// A localized key of the wrong length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// An authentication key must be exactly as long as the protocol's hash output.
    #[error("a localized {protocol} key is {expected} octets, got {got}")]
    AuthKeyLength {
        /// The config name of the protocol.
        protocol: &'static str,
        /// The hash output length.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A privacy key must hold at least the cipher key (and, for DES, the pre-IV).
    #[error("a localized {protocol} key needs at least {needed} octets, got {got}")]
    PrivKeyTooShort {
        /// The config name of the protocol.
        protocol: &'static str,
        /// The octets the protocol uses.
        needed: usize,
        /// The length given.
        got: usize,
    },
}

impl AuthProtocol {
    /// `Ku`: the hash of `password` repeated to 1,048,576 octets (RFC 3414 A.2).
    ///
    /// RFC 3414 §11.2 asks for passwords of at least 8 octets; enforcing that is the
    /// configuration's job. An empty password, which cannot be repeated, yields the hash of
    /// nothing rather than a panic.
    pub fn password_to_key(self, password: &[u8]) -> Zeroizing<Vec<u8>> {
        match self {
            AuthProtocol::Md5 => password_to_key::<Md5>(password),
            AuthProtocol::Sha1 => password_to_key::<Sha1>(password),
            AuthProtocol::Sha224 => password_to_key::<Sha224>(password),
            AuthProtocol::Sha256 => password_to_key::<Sha256>(password),
            AuthProtocol::Sha384 => password_to_key::<Sha384>(password),
            AuthProtocol::Sha512 => password_to_key::<Sha512>(password),
        }
    }

    /// `Kul = H(Ku || engine_id || Ku)` (RFC 3414 §2.6, A.2).
    pub fn localize(self, ku: &[u8], engine_id: &[u8]) -> Zeroizing<Vec<u8>> {
        self.hash(&[ku, engine_id, ku])
    }

    /// The hash of the concatenation of `parts`.
    pub(crate) fn hash(self, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
        match self {
            AuthProtocol::Md5 => hash::<Md5>(parts),
            AuthProtocol::Sha1 => hash::<Sha1>(parts),
            AuthProtocol::Sha224 => hash::<Sha224>(parts),
            AuthProtocol::Sha256 => hash::<Sha256>(parts),
            AuthProtocol::Sha384 => hash::<Sha384>(parts),
            AuthProtocol::Sha512 => hash::<Sha512>(parts),
        }
    }

    /// `Kul` from a password: password to key, then localization. The value a configuration's
    /// `auth_key` holds (what `dqi-agent localize-key` prints).
    pub fn localized_key(self, password: &[u8], engine_id: &[u8]) -> Zeroizing<Vec<u8>> {
        let ku = self.password_to_key(password);
        self.localize(&ku, engine_id)
    }
}

/// How a localized key too short for the cipher is lengthened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extension {
    /// draft-blumenthal-aes-usm-04 §3.1.2.1: `Kul || H(Kul)`, repeated over the whole key so far.
    Blumenthal,
    /// draft-reeder-snmpv3-usm-3desede §2.1: `Kul || localize(password_to_key(Kul))`, repeated
    /// over the whole key so far.
    Reeder,
}

/// Lengthens `kul` to at least `len` octets, then cuts it to exactly `len`.
///
/// With the supported pairs one round is always enough (the widest gap, MD5 to AES-256, is 16
/// octets, one MD5 output), so "the whole key so far" never differs from the original `Kul`;
/// the loop keeps the drafts' general form anyway.
pub(crate) fn extend(
    method: Extension,
    auth: AuthProtocol,
    mut kul: Zeroizing<Vec<u8>>,
    engine_id: &[u8],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    while kul.len() < len {
        let more = match method {
            Extension::Blumenthal => auth.hash(&[&kul]),
            Extension::Reeder => auth.localized_key(&kul, engine_id),
        };
        // A new buffer of the exact size rather than growing `kul` in place: a reallocation
        // would free the old buffer without zeroing it, leaving the key in the heap.
        let mut longer = Zeroizing::new(Vec::with_capacity(kul.len() + more.len()));
        longer.extend_from_slice(&kul);
        longer.extend_from_slice(&more);
        kul = longer;
    }
    kul.truncate(len);
    kul
}

fn password_to_key<D: Digest>(password: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut hasher = D::new();
    if !password.is_empty() {
        // The password repeated to CHUNK + len octets holds every CHUNK-long window of the
        // infinite repetition: the window at stream offset `o` starts at `o % len`. Allocated
        // once at its final size and filled in place: a buffer that grew would be reallocated,
        // and the freed one would keep copies of the password that `Zeroizing` never sees.
        let mut repeated = Zeroizing::new(alloc::vec![0u8; CHUNK + password.len()]);
        for (b, p) in repeated.iter_mut().zip(password.iter().cycle()) {
            *b = *p;
        }
        let mut start = 0;
        for _ in 0..EXPANDED_PASSWORD_LEN / CHUNK {
            // In bounds: `start` < len and `repeated` holds CHUNK + len octets.
            hasher.update(repeated.get(start..start + CHUNK).unwrap_or_default());
            start = (start + CHUNK) % password.len();
        }
    }
    finish(hasher)
}

fn hash<D: Digest>(parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let mut hasher = D::new();
    for part in parts {
        hasher.update(part);
    }
    finish(hasher)
}

fn finish<D: Digest>(hasher: D) -> Zeroizing<Vec<u8>> {
    let mut output = hasher.finalize();
    let key = Zeroizing::new(output.to_vec());
    output.as_mut_slice().zeroize();
    key
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The engine ID of RFC 3414 A.3.
    const RFC_ENGINE_ID: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

    /// The engine ID that net-snmp 5.9.3's snmpd chose for itself when the vectors below were
    /// taken: `createUser <name> <auth> maplesyrup <priv> maplesyrup` for each pair, snmpd run
    /// on loopback, a real `snmpget -v3 -l authPriv` answered for each user, then SIGTERM; the
    /// keys are the `usmUser` lines snmpd wrote to its persistent snmpd.conf.
    pub(crate) const NET_SNMP_ENGINE_ID: [u8; 17] = [
        0x80, 0x00, 0x1f, 0x88, 0x80, 0xac, 0x01, 0xae, 0x0a, 0x10, 0x46, 0x03, 0x6b, 0x00, 0x00,
        0x00, 0x00,
    ];

    pub(crate) fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rfc3414_a3_1_md5() {
        let ku = AuthProtocol::Md5.password_to_key(b"maplesyrup");
        assert_eq!(*ku, hex("9faf3283884e92834ebc9847d8edd963"));
        let kul = AuthProtocol::Md5.localize(&ku, &RFC_ENGINE_ID);
        assert_eq!(*kul, hex("526f5eed9fcce26f8964c2930787d82b"));
    }

    #[test]
    fn rfc3414_a3_2_sha1() {
        let ku = AuthProtocol::Sha1.password_to_key(b"maplesyrup");
        assert_eq!(*ku, hex("9fb5cc0381497b3793528939ff788d5d79145211"));
        let kul = AuthProtocol::Sha1.localize(&ku, &RFC_ENGINE_ID);
        assert_eq!(*kul, hex("6695febc9288e36282235fc7151f128497b38f3f"));
    }

    #[test]
    fn localized_keys_match_net_snmp() {
        let cases = [
            (AuthProtocol::Md5, "20cfd52f5c3d048048fa99c69d5a7a9c"),
            (
                AuthProtocol::Sha1,
                "e5f22132a3ff1a8ec2c51cae02e344c180f74cb6",
            ),
            (
                AuthProtocol::Sha224,
                "faed6c4bd126f6b3190c96de270fd10e94d7938bd4d8d7c9e9a26429",
            ),
            (
                AuthProtocol::Sha256,
                "13e5255546c3dc77d97391cde25dfc71795b479b105ba37fb39667dfea9f723c",
            ),
            (
                AuthProtocol::Sha384,
                "45edf7ee72da28094ff09cb9ab68a8db37dd8e39a748528531df606ab031dffa\
                 beca83a256f8c91f0f85a088fe116b46",
            ),
            (
                AuthProtocol::Sha512,
                "eb81a804375c27134064ec1c9e0bd00c7027f7f880e8fe49b5769c03878a4e57\
                 10dbe09dc8ab0b87ecf8ae44f3ad3958e88d7e9e140fd408ab9c86cdb942c9e7",
            ),
        ];
        for (protocol, expected) in cases {
            let kul = protocol.localized_key(b"maplesyrup", &NET_SNMP_ENGINE_ID);
            assert_eq!(*kul, hex(expected), "{protocol:?}");
            assert_eq!(kul.len(), protocol.key_len());
        }
    }

    #[test]
    fn password_windows_wrap_for_every_length() {
        // Passwords shorter than, equal to, longer than and not dividing a chunk, against the
        // byte-at-a-time definition of RFC 3414 A.2.1.
        for len in [1, 7, 8, 63, 64, 65, 100] {
            let password: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37)).collect();
            let mut reference = Md5::new();
            let stream: Vec<u8> = password
                .iter()
                .copied()
                .cycle()
                .take(EXPANDED_PASSWORD_LEN)
                .collect();
            reference.update(&stream);
            let expected = reference.finalize().to_vec();
            assert_eq!(
                *AuthProtocol::Md5.password_to_key(&password),
                expected,
                "{len}"
            );
        }
    }

    #[test]
    fn empty_password_does_not_panic() {
        assert_eq!(AuthProtocol::Sha1.password_to_key(b"").len(), 20);
    }

    #[test]
    fn extension_appends_one_round() {
        let kul = AuthProtocol::Sha1.localized_key(b"maplesyrup", &NET_SNMP_ENGINE_ID);
        let blumenthal = extend(
            Extension::Blumenthal,
            AuthProtocol::Sha1,
            kul.clone(),
            &NET_SNMP_ENGINE_ID,
            32,
        );
        assert_eq!(blumenthal[..20], kul[..]);
        assert_eq!(blumenthal[20..], AuthProtocol::Sha1.hash(&[&kul])[..12]);
        let reeder = extend(
            Extension::Reeder,
            AuthProtocol::Sha1,
            kul.clone(),
            &NET_SNMP_ENGINE_ID,
            32,
        );
        let again = AuthProtocol::Sha1.localized_key(&kul, &NET_SNMP_ENGINE_ID);
        assert_eq!(reeder[20..], again[..12]);
        // Shortening only truncates.
        let short = extend(Extension::Reeder, AuthProtocol::Sha1, kul.clone(), &[], 16);
        assert_eq!(short[..], kul[..16]);
    }
}
