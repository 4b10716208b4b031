//! What the agent targets share: one agent with one authPriv user over a tree of standard
//! objects and a software table, built once per process (key localization hashes a megabyte).
#![allow(dead_code)] // each target uses its own part

use std::net::SocketAddr;

use dqi_agent::agent::{Agent, CoreConfig};
use dqi_agent::budget::BudgetConfig;
use dqi_agent::manager::Manager;
use dqi_agent::mib::objects::{self, Engine, System};
use dqi_agent::mib::{Entry, Tree, Value};
use dqi_agent::time::Instant;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};

pub const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04dqi-fuzz";
pub const MAX_MESSAGE_SIZE: usize = 65_507;
pub const USER: &[u8] = b"fuzz";

pub fn source() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40_000))
}

pub fn keys() -> (AuthKey, PrivKey) {
    (
        AuthKey::from_password(AuthProtocol::Sha1, b"fuzz-auth-pass", ENGINE_ID),
        PrivKey::from_password(PrivProtocol::Aes128, AuthProtocol::Sha1, b"fuzz-priv-pass", ENGINE_ID),
    )
}

pub fn agent() -> Agent {
    let system = System {
        description: "fuzzed agent".into(),
        object_id: vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
        contact: String::new(),
        name: String::new(),
        location: String::new(),
        services: 72,
        or_entries: System::standard_or_entries(),
    };
    let engine = Engine {
        engine_id: ENGINE_ID.to_vec(),
        max_message_size: MAX_MESSAGE_SIZE as i32,
    };
    let mut entries = objects::standard(&system, &engine);
    for i in 1..=200u32 {
        entries.push((
            vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 2, i].into(),
            Entry::Value(Value::octets(format!("component-{i}"))),
        ));
    }
    let (auth, privacy) = keys();
    Agent::new(
        CoreConfig {
            engine_id: ENGINE_ID.to_vec(),
            engine_boots: 1,
            users: Users::new(vec![User {
                name: USER.to_vec(),
                auth,
                privacy: Some(privacy),
                min_level: SecurityLevel::AuthPriv,
            }]),
            tree: Tree::from_entries(entries),
            max_message_size: MAX_MESSAGE_SIZE,
            salt_seed: 1,
            budget: BudgetConfig::unlimited(),
            budget_seed: 2,
        },
        Instant::ZERO,
    )
}

pub fn manager() -> Manager {
    let (auth, privacy) = keys();
    let mut m = Manager::new(USER, ENGINE_ID, auth, Some(privacy));
    m.boots = 1;
    m
}
