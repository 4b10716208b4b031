//! A minimal SNMPv3 USM manager: builds requests and opens replies.
//!
//! The agent never sends requests; this module exists so the scenario tests, the benchmarks and
//! load generators speak to the agent (and to other agents, such as net-snmp's `snmpd`) through
//! the same wire and USM code, with explicit keys and time. It implements the originator side of
//! RFC 3414 §3.1 (outgoing message) and §3.2 for replies, and engine discovery (RFC 3414 §4).

use alloc::vec::Vec;

use rasn::types::OctetString;

use crate::usm::{AuthKey, PrivKey, SecurityLevel};
use crate::wire::{
    self, Header, Message, Pdus, ScopedPdu, ScopedPduData, UsmParameters, flags, locate,
};

pub use crate::usm::reply::{Reply, ReplyError};

pub mod testbed;

/// A USM principal talking to one authoritative engine.
#[derive(Debug)]
pub struct Manager {
    /// msgUserName.
    pub user: Vec<u8>,
    /// Authentication key localized to `engine_id`, if the user authenticates.
    pub auth: Option<AuthKey>,
    /// Privacy key localized to `engine_id`, if the user encrypts.
    pub privacy: Option<PrivKey>,
    /// The authoritative engine's ID (empty before discovery).
    pub engine_id: Vec<u8>,
    /// The engine's boots as last learned.
    pub boots: u32,
    /// The engine's time as last learned.
    pub time: u32,
    /// msgMaxSize to advertise.
    pub max_size: i64,
    /// msgFlags to send: security level bits and the reportable flag.
    pub flags: u8,
    /// The next privacy salt.
    pub salt: u64,
    /// The next msgID.
    pub msg_id: i64,
}

impl Manager {
    /// A manager for discovery: no user, no keys, empty engine ID, reportable.
    pub fn discovery() -> Manager {
        Manager {
            user: Vec::new(),
            auth: None,
            privacy: None,
            engine_id: Vec::new(),
            boots: 0,
            time: 0,
            max_size: 65_507,
            flags: flags::REPORTABLE,
            salt: 1,
            msg_id: 1,
        }
    }

    /// A manager for `user` with localized keys, at the strongest level the keys allow.
    pub fn new(user: &[u8], engine_id: &[u8], auth: AuthKey, privacy: Option<PrivKey>) -> Manager {
        let level = if privacy.is_some() {
            SecurityLevel::AuthPriv
        } else {
            SecurityLevel::AuthNoPriv
        };
        Manager {
            user: user.to_vec(),
            auth: Some(auth),
            privacy,
            engine_id: engine_id.to_vec(),
            flags: flags::REPORTABLE | level.flags(),
            ..Manager::discovery()
        }
    }

    /// The security level of the flags to send.
    pub fn level(&self) -> SecurityLevel {
        SecurityLevel::from_flags(self.flags).unwrap_or(SecurityLevel::NoAuthNoPriv)
    }

    /// Encodes `pdu` in the default context as the next request, with the next msgID.
    pub fn request(&mut self, pdu: Pdus) -> Vec<u8> {
        self.request_in_context(pdu, b"")
    }

    /// Encodes `pdu` in context `context_name`; returns an empty vector if encoding fails.
    pub fn request_in_context(&mut self, pdu: Pdus, context_name: &[u8]) -> Vec<u8> {
        let msg_id = self.msg_id;
        self.msg_id = self.msg_id.wrapping_add(1) & 0x7fff_ffff;
        let scoped = ScopedPdu {
            context_engine_id: OctetString::from(self.engine_id.clone()),
            context_name: OctetString::from(context_name.to_vec()),
            pdu,
        };
        let level = self.level();
        let mut priv_params = OctetString::default();
        let data = match (level, &self.privacy) {
            (SecurityLevel::AuthPriv, Some(key)) => {
                let Some(plain) = wire::encode(&scoped) else {
                    return Vec::new();
                };
                let mut cipher = Vec::with_capacity(plain.len() + 8);
                self.salt = self.salt.wrapping_add(1);
                let p = key.encrypt(self.boots, self.time, self.salt, &plain, &mut cipher);
                priv_params = OctetString::from(p.to_vec());
                ScopedPduData::Encrypted(cipher.into())
            }
            _ => ScopedPduData::Plaintext(scoped),
        };
        let auth = match level {
            SecurityLevel::NoAuthNoPriv => None,
            _ => self.auth.as_ref(),
        };
        let digest_len = auth.map_or(0, |a| a.protocol().digest_len());
        let usm = UsmParameters {
            engine_id: OctetString::from(self.engine_id.clone()),
            boots: self.boots.into(),
            time: self.time.into(),
            user_name: OctetString::from(self.user.clone()),
            auth_params: OctetString::from(alloc::vec![0u8; digest_len]),
            priv_params,
        };
        let Some(security_parameters) = wire::encode(&usm) else {
            return Vec::new();
        };
        let msg = Message {
            version: wire::VERSION_3,
            header: Header {
                msg_id,
                max_size: self.max_size,
                flags: OctetString::from(alloc::vec![self.flags]),
                security_model: wire::SECURITY_MODEL_USM,
            },
            security_parameters: security_parameters.into(),
            data,
        };
        let Some(mut bytes) = wire::encode(&msg) else {
            return Vec::new();
        };
        if let (Some(auth), Some(range)) = (auth, locate::auth_params(&bytes)) {
            let mut digest = [0u8; 64];
            let digest = &mut digest[..digest_len];
            auth.sign(&bytes, digest);
            bytes[range].copy_from_slice(digest);
        }
        bytes
    }

    /// Opens a reply: checks the digest when the reply is authenticated, decrypts when it is
    /// encrypted ([`crate::usm::reply::open`] with this principal's keys).
    pub fn open(&self, bytes: &[u8]) -> Result<Reply, ReplyError> {
        crate::usm::reply::open(bytes, self.auth.as_ref(), self.privacy.as_ref())
    }

    /// Learns engine ID, boots and time from a Report (discovery or notInTimeWindow).
    pub fn learn(&mut self, reply: &Reply) {
        self.engine_id = reply.usm.engine_id.to_vec();
        self.boots = u32::try_from(reply.usm.boots).unwrap_or(0);
        self.time = u32::try_from(reply.usm.time).unwrap_or(0);
    }
}
