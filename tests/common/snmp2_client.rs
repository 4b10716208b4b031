//! Helpers around the `snmp2` crate's synchronous SNMPv3 client.
#![allow(dead_code)]

use std::time::Duration;

use snmp2::v3::{Auth, AuthProtocol, Cipher, KeyExtension, Security};
use snmp2::{Oid, SyncSession, Value};

use super::{Agent, Flavor, User, oid_arcs};

/// Per-request timeout of the snmp2 sessions.
pub const TIMEOUT: Duration = Duration::from_secs(2);

pub type Snmp2Result<T> = Result<T, snmp2::Error>;

/// A value copied out of a response (snmp2's borrow the session's receive buffer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owned {
    Bytes(Vec<u8>),
    Integer(i64),
    Counter(u64),
    Ticks(u32),
    Oid(String),
    NoSuchObject,
    NoSuchInstance,
    EndOfMibView,
    Other(String),
}

/// One response: error-status, error-index and the bindings, OIDs in dotted form with a
/// leading dot, as the net-snmp tests write them.
#[derive(Debug)]
pub struct Response {
    pub error_status: u32,
    pub error_index: u32,
    pub bindings: Vec<(String, Owned)>,
}

impl Response {
    pub fn oids(&self) -> Vec<&str> {
        self.bindings.iter().map(|(oid, _)| oid.as_str()).collect()
    }
}

/// Runs `scenario` on a thread with a large stack: an snmp2 `SyncSession` holds its 64 KiB
/// receive buffer inline, and unoptimized builds copy it around more than a test thread's
/// default 2 MiB stack holds.
pub fn on_big_stack(scenario: fn(Flavor), flavor: Flavor) {
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || scenario(flavor))
        .expect("spawn scenario thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

pub fn own(pdu: snmp2::Pdu<'_>) -> Response {
    let bindings = pdu
        .varbinds
        .map(|(oid, value)| {
            let value = match value {
                Value::OctetString(bytes) => Owned::Bytes(bytes.to_vec()),
                Value::Integer(n) => Owned::Integer(n),
                Value::Counter32(n) | Value::Unsigned32(n) => Owned::Counter(n.into()),
                Value::Counter64(n) => Owned::Counter(n),
                Value::Timeticks(n) => Owned::Ticks(n),
                Value::ObjectIdentifier(oid) => Owned::Oid(format!(".{}", oid.to_id_string())),
                Value::NoSuchObject => Owned::NoSuchObject,
                Value::NoSuchInstance => Owned::NoSuchInstance,
                Value::EndOfMibView => Owned::EndOfMibView,
                other => Owned::Other(format!("{other:?}")),
            };
            (format!(".{}", oid.to_id_string()), value)
        })
        .collect();
    Response {
        error_status: pdu.error_status,
        error_index: pdu.error_index,
        bindings,
    }
}

pub fn oid(dotted: &str) -> Oid<'static> {
    let arcs: Vec<u64> = oid_arcs(dotted).into_iter().map(u64::from).collect();
    Oid::from(&arcs).expect("valid OID")
}

pub fn auth_protocol(config_name: &str) -> AuthProtocol {
    match config_name {
        "MD5" => AuthProtocol::Md5,
        "SHA" => AuthProtocol::Sha1,
        "SHA-224" => AuthProtocol::Sha224,
        "SHA-256" => AuthProtocol::Sha256,
        "SHA-384" => AuthProtocol::Sha384,
        "SHA-512" => AuthProtocol::Sha512,
        other => panic!("unknown auth protocol {other}"),
    }
}

/// The snmp2 cipher and key extension for a config privacy name.
pub fn cipher(config_name: &str) -> (Cipher, Option<KeyExtension>) {
    match config_name {
        "DES" => (Cipher::Des, None),
        "AES-128" => (Cipher::Aes128, None),
        "AES-192" => (Cipher::Aes192, Some(KeyExtension::Blumenthal)),
        "AES-256" => (Cipher::Aes256, Some(KeyExtension::Blumenthal)),
        "AES-192-C" => (Cipher::Aes192, Some(KeyExtension::Reeder)),
        "AES-256-C" => (Cipher::Aes256, Some(KeyExtension::Reeder)),
        other => panic!("unknown privacy protocol {other}"),
    }
}

/// An snmp2 session for `user` at its strongest level, with `extension` overriding the key
/// extension the user's privacy protocol implies. Discovery (RFC 3414 §4) runs here.
pub fn session(
    agent: &Agent,
    user: &User,
    extension: Option<KeyExtension>,
) -> Snmp2Result<SyncSession> {
    let mut security = Security::new(user.name.as_bytes(), user.auth_password.as_bytes())
        .with_auth_protocol(auth_protocol(user.auth));
    if let Some(privacy) = user.privacy {
        let (cipher, implied) = cipher(privacy);
        security = security.with_auth(Auth::AuthPriv {
            cipher,
            privacy_password: user.priv_password.as_bytes().to_vec(),
        });
        if let Some(extension) = extension.or(implied) {
            security = security.with_key_extension_method(extension);
        }
    }
    let mut session = SyncSession::new_v3(agent.addr_v4(), Some(TIMEOUT), 0, security)
        .map_err(|_| snmp2::Error::Send)?;
    session.init()?;
    Ok(session)
}

/// Runs `request` on `session`, repeating it (at most three times) while snmp2 reports it has
/// just updated the engine boots and time from a Report, as its documentation prescribes.
pub fn retrying(
    session: &mut SyncSession,
    request: impl Fn(&mut SyncSession) -> Snmp2Result<Response>,
) -> Snmp2Result<Response> {
    let mut result = request(session);
    for _ in 0..2 {
        if result.as_ref().err() != Some(&snmp2::Error::AuthUpdated) {
            break;
        }
        result = request(session);
    }
    result
}

pub fn get(session: &mut SyncSession, oids: &[&str]) -> Snmp2Result<Response> {
    let oids: Vec<Oid<'static>> = oids.iter().map(|o| oid(o)).collect();
    let refs: Vec<&Oid<'_>> = oids.iter().collect();
    retrying(session, |s| s.get_many(&refs).map(own))
}

pub fn getnext(session: &mut SyncSession, dotted: &str) -> Snmp2Result<Response> {
    let o = oid(dotted);
    retrying(session, |s| s.getnext(&o).map(own))
}

pub fn getbulk(
    session: &mut SyncSession,
    oids: &[&str],
    non_repeaters: u32,
    max_repetitions: u32,
) -> Snmp2Result<Response> {
    let oids: Vec<Oid<'static>> = oids.iter().map(|o| oid(o)).collect();
    let refs: Vec<&Oid<'_>> = oids.iter().collect();
    retrying(session, |s| {
        s.getbulk(&refs, non_repeaters, max_repetitions).map(own)
    })
}
