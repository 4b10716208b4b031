//! An agent in process and a manager keyed for it: the set-up the benchmarks, the fuzz targets
//! and the in-process tests share, written once.
//!
//! Every user here is authPriv with SHA-1/AES-128 keys localized from [`AUTH_PASS`] and
//! [`PRIV_PASS`]; the agent starts at engine boots 1 and time zero, so a [`manager`] needs no
//! discovery. Nothing here is for a device: the passwords are public.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::Manager;
use crate::agent::{Agent, CoreConfig};
use crate::budget::ValidBudget;
use crate::mib::objects::{self, Engine, System};
use crate::mib::served::Entries;
use crate::mib::{Entry, Tree, Value};
use crate::time::Instant;
use crate::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};

/// The authentication password of every testbed user.
pub const AUTH_PASS: &[u8] = b"testbed-auth-pass";
/// The privacy password of every testbed user.
pub const PRIV_PASS: &[u8] = b"testbed-priv-pass";
/// The largest UDP payload over IPv4, the agent's usual msgMaxSize.
pub const MAX_MESSAGE_SIZE: usize = 65_507;
/// `dqiSwName` (dqiSwEntry 2): the column [`components`] fills.
const SW_NAME: [u32; 14] = [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1];

/// The SHA-1/AES-128 keys of [`AUTH_PASS`] and [`PRIV_PASS`], localized to `engine_id`.
pub fn keys(engine_id: &[u8]) -> (AuthKey, PrivKey) {
    let auth = AuthKey::from_password(AuthProtocol::Sha1, AUTH_PASS, engine_id);
    let privacy = PrivKey::from_password(
        PrivProtocol::Aes128,
        AuthProtocol::Sha1,
        PRIV_PASS,
        engine_id,
    );
    (auth, privacy)
}

/// The authPriv user `name` of the agent of `engine_id`.
pub fn user(name: &[u8], engine_id: &[u8]) -> User {
    let (auth, privacy) = keys(engine_id);
    User {
        name: name.to_vec(),
        auth,
        privacy: Some(privacy),
        min_level: SecurityLevel::AuthPriv,
    }
}

/// A manager for [`user`] `name` of the agent of `engine_id`, which knows the engine's boots.
pub fn manager(name: &[u8], engine_id: &[u8]) -> Manager {
    let (auth, privacy) = keys(engine_id);
    let mut m = Manager::new(name, engine_id, auth, Some(privacy));
    m.boots = 1;
    m
}

/// The system group of a device described as `description`, under the net-snmp example
/// sysObjectID, with the standard `sysORTable`.
pub fn system(description: &str) -> System {
    System {
        description: description.into(),
        object_id: alloc::vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
        contact: String::new(),
        name: String::new(),
        location: String::new(),
        services: 72,
        or_entries: System::standard_or_entries(),
    }
}

/// The standard objects (system group, snmp group, snmpEngine, ...) of `system` for the agent
/// of `engine_id`.
pub fn standard(system: &System, engine_id: &[u8]) -> Entries {
    let engine = Engine {
        engine_id: engine_id.to_vec(),
        // The constant fits an INTEGER.
        max_message_size: MAX_MESSAGE_SIZE as i32,
    };
    objects::standard(system, &engine)
}

/// `dqiSwName.1` to `dqiSwName.n`, `component-1` to `component-n`: an inventory column to walk.
pub fn components(n: u32) -> impl Iterator<Item = (Box<[u32]>, Entry)> {
    (1..=n).map(|i| {
        let mut oid = SW_NAME.to_vec();
        oid.extend([2, i]);
        (
            oid.into(),
            Entry::Value(Value::octets(alloc::format!("component-{i}"))),
        )
    })
}

/// An agent of `engine_id` for `users`, serving `tree` within `budget`: engine boots 1, fixed
/// seeds, time zero.
pub fn agent(engine_id: &[u8], users: Vec<User>, tree: Tree, budget: ValidBudget) -> Agent {
    Agent::new(
        CoreConfig {
            engine_id: engine_id.to_vec(),
            engine_boots: 1,
            users: Users::new(users),
            tree,
            max_message_size: MAX_MESSAGE_SIZE,
            salt_seed: 1,
            budget,
            budget_seed: 2,
        },
        Instant::ZERO,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Pdu, Pdus, VarBind, VarBindValue};
    use core::net::SocketAddr;
    use rasn::types::ObjectIdentifier;

    /// The manager and the agent agree on keys and boots: a GetNext is answered at once.
    #[test]
    fn the_manager_is_answered() {
        let engine_id = b"\x80\x00\x1f\x88\x04testbed";
        let mut entries = standard(&system("testbed"), engine_id);
        entries.extend(components(3));
        let tree = Tree::from_entries(entries);
        let mut agent = agent(
            engine_id,
            alloc::vec![user(b"u", engine_id)],
            tree,
            ValidBudget::unlimited(),
        );
        let mut m = manager(b"u", engine_id);
        let mut asked = SW_NAME.to_vec();
        asked.push(2);
        let request = m.request(Pdus::GetNext(Pdu {
            request_id: 7,
            error_status: 0,
            error_index: 0,
            varbinds: alloc::vec![VarBind {
                name: ObjectIdentifier::new(asked.clone()).unwrap(),
                value: VarBindValue::Unspecified,
            }],
        }));
        let source: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let mut out = Vec::new();
        agent.handle(&request, source, Instant::from_secs(1), &mut out);
        let reply = m.open(&out).unwrap();
        let Pdus::Response(p) = reply.scoped.pdu else {
            panic!("not a response");
        };
        asked.push(1);
        assert_eq!(&p.varbinds[0].name[..], &asked[..]);
    }
}
