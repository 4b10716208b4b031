//! Message authentication: HMAC-MD5-96 (RFC 3414 §6), HMAC-SHA-96 (RFC 3414 §7) and the
//! HMAC-SHA-2 protocols of RFC 7860 (usmHMAC128SHA224, usmHMAC192SHA256, usmHMAC256SHA384,
//! usmHMAC384SHA512).
//!
//! Every protocol is HMAC over the whole message with msgAuthenticationParameters zeroed,
//! truncated to [`AuthProtocol::digest_len`] octets. [`AuthKey`] keys the HMAC once, at
//! construction; each message clones that state, which saves the two compressions of the
//! padded key per message.

use alloc::vec::Vec;
use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Sha224, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::keys::KeyError;

/// A USM authentication protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthProtocol {
    /// usmHMACMD5AuthProtocol (RFC 3414 §6). Weak: kept for old managers only.
    Md5,
    /// usmHMACSHAAuthProtocol, SHA-1 (RFC 3414 §7).
    Sha1,
    /// usmHMAC128SHA224AuthProtocol (RFC 7860).
    Sha224,
    /// usmHMAC192SHA256AuthProtocol (RFC 7860).
    Sha256,
    /// usmHMAC256SHA384AuthProtocol (RFC 7860).
    Sha384,
    /// usmHMAC384SHA512AuthProtocol (RFC 7860).
    Sha512,
}

impl AuthProtocol {
    /// Every protocol, weakest first.
    pub const ALL: [AuthProtocol; 6] = [
        AuthProtocol::Md5,
        AuthProtocol::Sha1,
        AuthProtocol::Sha224,
        AuthProtocol::Sha256,
        AuthProtocol::Sha384,
        AuthProtocol::Sha512,
    ];

    /// Octets of msgAuthenticationParameters: 12, 12, 16, 24, 32, 48.
    pub const fn digest_len(self) -> usize {
        match self {
            AuthProtocol::Md5 | AuthProtocol::Sha1 => 12,
            AuthProtocol::Sha224 => 16,
            AuthProtocol::Sha256 => 24,
            AuthProtocol::Sha384 => 32,
            AuthProtocol::Sha512 => 48,
        }
    }

    /// Octets of a localized key: the hash output length, 16, 20, 28, 32, 48, 64.
    pub const fn key_len(self) -> usize {
        match self {
            AuthProtocol::Md5 => 16,
            AuthProtocol::Sha1 => 20,
            AuthProtocol::Sha224 => 28,
            AuthProtocol::Sha256 => 32,
            AuthProtocol::Sha384 => 48,
            AuthProtocol::Sha512 => 64,
        }
    }

    /// The configuration name, as net-snmp spells it.
    pub const fn name(self) -> &'static str {
        match self {
            AuthProtocol::Md5 => "MD5",
            AuthProtocol::Sha1 => "SHA",
            AuthProtocol::Sha224 => "SHA-224",
            AuthProtocol::Sha256 => "SHA-256",
            AuthProtocol::Sha384 => "SHA-384",
            AuthProtocol::Sha512 => "SHA-512",
        }
    }

    /// The protocol called `name` (any case); "SHA1" and "SHA-1" also name SHA.
    pub fn from_name(name: &str) -> Option<AuthProtocol> {
        if name.eq_ignore_ascii_case("SHA1") || name.eq_ignore_ascii_case("SHA-1") {
            return Some(AuthProtocol::Sha1);
        }
        AuthProtocol::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The protocol's OID, the value of `usmUserAuthProtocol` (RFC 3414 §5; RFC 7860's
    /// SNMP-USM-HMAC-SHA2-MIB).
    pub const fn oid(self) -> &'static [u32] {
        match self {
            AuthProtocol::Md5 => &[1, 3, 6, 1, 6, 3, 10, 1, 1, 2],
            AuthProtocol::Sha1 => &[1, 3, 6, 1, 6, 3, 10, 1, 1, 3],
            AuthProtocol::Sha224 => &[1, 3, 6, 1, 6, 3, 10, 1, 1, 4],
            AuthProtocol::Sha256 => &[1, 3, 6, 1, 6, 3, 10, 1, 1, 5],
            AuthProtocol::Sha384 => &[1, 3, 6, 1, 6, 3, 10, 1, 1, 6],
            AuthProtocol::Sha512 => &[1, 3, 6, 1, 6, 3, 10, 1, 1, 7],
        }
    }

    /// Whether the protocol is kept only for old managers (MD5).
    pub const fn is_weak(self) -> bool {
        matches!(self, AuthProtocol::Md5)
    }
}

impl fmt::Display for AuthProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The HMAC state keyed with the localized key, one variant per hash.
#[derive(Clone)]
enum Keyed {
    Md5(Hmac<Md5>),
    Sha1(Hmac<Sha1>),
    Sha224(Hmac<Sha224>),
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

/// A localized authentication key, with the HMAC state pre-keyed.
///
/// The key and the keyed state are zeroized on drop; `Debug` shows only the protocol.
pub struct AuthKey {
    protocol: AuthProtocol,
    /// The localized key `Kul`, kept for tests that compare it with other implementations.
    #[cfg_attr(not(test), allow(dead_code))]
    key: Zeroizing<Vec<u8>>,
    /// HMAC keyed with `key`, cloned for every message.
    keyed: Keyed,
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthKey")
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl AuthKey {
    /// The key for `password`, localized to `engine_id` (RFC 3414 A.2). Takes a few
    /// milliseconds: call it once per user, at start-up.
    pub fn from_password(protocol: AuthProtocol, password: &[u8], engine_id: &[u8]) -> AuthKey {
        AuthKey::new(protocol, protocol.localized_key(password, engine_id))
    }

    /// The key for a master key `ku` (the passphrase already run through
    /// [`AuthProtocol::password_to_key`]), localized to `engine_id`: one hash, for a manager
    /// that asks many engines with one passphrase.
    pub fn from_master_key(protocol: AuthProtocol, ku: &[u8], engine_id: &[u8]) -> AuthKey {
        AuthKey::new(protocol, protocol.localize(ku, engine_id))
    }

    /// A key already localized (as net-snmp stores it in `usmUser` lines); it must be exactly
    /// [`AuthProtocol::key_len`] octets.
    pub fn from_localized(protocol: AuthProtocol, key: &[u8]) -> Result<AuthKey, KeyError> {
        if key.len() != protocol.key_len() {
            return Err(KeyError::AuthKeyLength {
                protocol: protocol.name(),
                expected: protocol.key_len(),
                got: key.len(),
            });
        }
        Ok(AuthKey::new(protocol, Zeroizing::new(key.to_vec())))
    }

    /// The protocol this key is for.
    pub fn protocol(&self) -> AuthProtocol {
        self.protocol
    }

    /// Writes the truncated HMAC of `message` (its auth params already zeroed) into `out`.
    ///
    /// `out` must be exactly [`AuthProtocol::digest_len`] octets; otherwise it is left as it
    /// is (a zeroed field then fails verification at the receiver, it never leaks a digest).
    pub fn sign(&self, message: &[u8], out: &mut [u8]) {
        if out.len() != self.protocol.digest_len() {
            return;
        }
        self.with_digest(message, |digest| out.copy_from_slice(digest));
    }

    /// Whether `received` is exactly `digest_len` long and equals the truncated HMAC of
    /// `message` (auth params zeroed), compared in constant time.
    ///
    /// Any other length fails: accepting a short digest let a one-octet guess in
    /// (CVE-2008-0960).
    pub fn verify(&self, message: &[u8], received: &[u8]) -> bool {
        if received.len() != self.protocol.digest_len() {
            return false;
        }
        let mut ok = false;
        self.with_digest(message, |digest| ok = digest.ct_eq(received).into());
        ok
    }

    fn new(protocol: AuthProtocol, key: Zeroizing<Vec<u8>>) -> AuthKey {
        // HMAC takes keys of any length, so these never fail; the match is total anyway.
        let keyed = match protocol {
            AuthProtocol::Md5 => Keyed::Md5(keyed(&key)),
            AuthProtocol::Sha1 => Keyed::Sha1(keyed(&key)),
            AuthProtocol::Sha224 => Keyed::Sha224(keyed(&key)),
            AuthProtocol::Sha256 => Keyed::Sha256(keyed(&key)),
            AuthProtocol::Sha384 => Keyed::Sha384(keyed(&key)),
            AuthProtocol::Sha512 => Keyed::Sha512(keyed(&key)),
        };
        AuthKey {
            protocol,
            key,
            keyed,
        }
    }

    /// Runs `f` on the HMAC of `message` truncated to `digest_len`.
    fn with_digest(&self, message: &[u8], f: impl FnOnce(&[u8])) {
        let n = self.protocol.digest_len();
        match &self.keyed {
            Keyed::Md5(h) => f(&mac(h, message)[..n]),
            Keyed::Sha1(h) => f(&mac(h, message)[..n]),
            Keyed::Sha224(h) => f(&mac(h, message)[..n]),
            Keyed::Sha256(h) => f(&mac(h, message)[..n]),
            Keyed::Sha384(h) => f(&mac(h, message)[..n]),
            Keyed::Sha512(h) => f(&mac(h, message)[..n]),
        }
    }
}

fn keyed<M: KeyInit>(key: &[u8]) -> M {
    match M::new_from_slice(key) {
        Ok(m) => m,
        // HMAC accepts every key length (RFC 2104 §2), so this arm is never taken.
        Err(_) => unreachable!("HMAC rejected a key length"),
    }
}

fn mac<M: Mac + Clone>(keyed: &M, message: &[u8]) -> hmac::digest::Output<M> {
    let mut h = keyed.clone();
    h.update(message);
    h.finalize().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usm::keys::tests::{NET_SNMP_ENGINE_ID, hex};

    /// The message signed in the known-answer tests.
    const MESSAGE: &[u8] = b"dqi-agent USM known-answer";

    fn key(protocol: AuthProtocol) -> AuthKey {
        AuthKey::from_password(protocol, b"maplesyrup", &NET_SNMP_ENGINE_ID)
    }

    #[test]
    fn known_answers() {
        // Expected digests from Python's hmac module, keyed with the net-snmp localized keys of
        // keys::tests::localized_keys_match_net_snmp:
        //   hmac.new(bytes.fromhex(KUL), b"dqi-agent USM known-answer", H).hexdigest()[:2*n]
        let cases = [
            (AuthProtocol::Md5, "de6228692d1421a9c745c70f"),
            (AuthProtocol::Sha1, "9405459f2ea654684657079b"),
            (AuthProtocol::Sha224, "602982fa9eb903ad1508653c7899bb63"),
            (
                AuthProtocol::Sha256,
                "258bada55f9a6bbb46cc9f98de0eefd53b4f5165221d75f1",
            ),
            (
                AuthProtocol::Sha384,
                "75b9c9fb27d8902f59a622184cecb1d971d21a5dfee8f200c057df6ddbe98644",
            ),
            (
                AuthProtocol::Sha512,
                "b4883c8749d778958a2894032e53a2fd3a145579c14a4d35\
                 edb3fce8662fc8076936fc58ed5a0b4f2baf2eb353957ed3",
            ),
        ];
        for (protocol, expected) in cases {
            let ku = protocol.password_to_key(b"maplesyrup");
            let from_master = AuthKey::from_master_key(protocol, &ku, &NET_SNMP_ENGINE_ID);
            let mut out = alloc::vec![0; protocol.digest_len()];
            from_master.sign(MESSAGE, &mut out);
            assert_eq!(out, hex(expected), "{protocol:?} from the master key");
            let key = key(protocol);
            let mut out = alloc::vec![0; protocol.digest_len()];
            key.sign(MESSAGE, &mut out);
            assert_eq!(out, hex(expected), "{protocol:?}");
            assert!(key.verify(MESSAGE, &out));
        }
    }

    #[test]
    fn round_trip_and_tamper() {
        for protocol in AuthProtocol::ALL {
            let key = key(protocol);
            let mut digest = alloc::vec![0; protocol.digest_len()];
            key.sign(MESSAGE, &mut digest);
            assert!(key.verify(MESSAGE, &digest), "{protocol:?}");
            assert!(!key.verify(b"dqi-agent USM known-answeR", &digest));
            let mut flipped = digest.clone();
            flipped[protocol.digest_len() - 1] ^= 1;
            assert!(!key.verify(MESSAGE, &flipped));
            // The state is cloned per message, so signing twice gives the same digest.
            let mut again = alloc::vec![0; protocol.digest_len()];
            key.sign(MESSAGE, &mut again);
            assert_eq!(digest, again);
        }
    }

    #[test]
    fn wrong_digest_lengths_are_rejected() {
        for protocol in AuthProtocol::ALL {
            let key = key(protocol);
            let n = protocol.digest_len();
            let mut digest = alloc::vec![0; n];
            key.sign(MESSAGE, &mut digest);
            // CVE-2008-0960: a prefix of the right digest must not pass.
            assert!(!key.verify(MESSAGE, &[]));
            assert!(!key.verify(MESSAGE, &digest[..1]));
            assert!(!key.verify(MESSAGE, &digest[..n - 1]));
            let mut longer = digest.clone();
            longer.push(0);
            assert!(!key.verify(MESSAGE, &longer));
            // The untruncated HMAC is longer than the field: also refused.
            let mut full = digest.clone();
            full.resize(protocol.key_len(), 0);
            assert!(!key.verify(MESSAGE, &full));
        }
    }

    #[test]
    fn sign_into_wrong_length_writes_nothing() {
        let key = key(AuthProtocol::Sha256);
        let mut short = [0xaa; 12];
        key.sign(MESSAGE, &mut short);
        assert_eq!(short, [0xaa; 12]);
        let mut long = [0xaa; 25];
        key.sign(MESSAGE, &mut long);
        assert_eq!(long, [0xaa; 25]);
    }

    #[test]
    fn from_localized_checks_length() {
        let kul = AuthProtocol::Sha1.localized_key(b"maplesyrup", &NET_SNMP_ENGINE_ID);
        let key = AuthKey::from_localized(AuthProtocol::Sha1, &kul).unwrap();
        assert_eq!(*key.key, *kul);
        let mut a = [0; 12];
        let mut b = [0; 12];
        key.sign(MESSAGE, &mut a);
        self::key(AuthProtocol::Sha1).sign(MESSAGE, &mut b);
        assert_eq!(a, b);
        assert_eq!(
            AuthKey::from_localized(AuthProtocol::Sha1, &kul[..16]).unwrap_err(),
            KeyError::AuthKeyLength {
                protocol: "SHA",
                expected: 20,
                got: 16
            }
        );
        assert!(AuthKey::from_localized(AuthProtocol::Sha256, &kul).is_err());
    }

    #[test]
    fn names_and_oids() {
        for protocol in AuthProtocol::ALL {
            assert_eq!(AuthProtocol::from_name(protocol.name()), Some(protocol));
            assert_eq!(
                AuthProtocol::from_name(&protocol.name().to_ascii_lowercase()),
                Some(protocol)
            );
            assert_eq!(protocol.oid()[..9], [1, 3, 6, 1, 6, 3, 10, 1, 1]);
            assert!(protocol.key_len() >= protocol.digest_len());
        }
        assert_eq!(AuthProtocol::from_name("sha1"), Some(AuthProtocol::Sha1));
        assert_eq!(AuthProtocol::from_name("SHA-1"), Some(AuthProtocol::Sha1));
        assert_eq!(AuthProtocol::from_name("SHA-3"), None);
        assert_eq!(AuthProtocol::from_name(""), None);
        assert_eq!(AuthProtocol::Sha512.oid().last(), Some(&7));
        assert!(AuthProtocol::Md5.is_weak());
        assert!(!AuthProtocol::Sha1.is_weak());
    }

    #[test]
    fn debug_hides_the_key() {
        let key = key(AuthProtocol::Md5);
        let shown = alloc::format!("{key:?}");
        assert_eq!(shown, "AuthKey { protocol: Md5, .. }");
    }
}
