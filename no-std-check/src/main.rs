//! A `#![no_std]` consumer of the DQI core: its own panic handler and allocator, as firmware
//! has, and no `std` anywhere. If the core or any of its dependencies links `std`, this does not
//! build (`std` brings its own panic handler, a duplicate lang item), which is the point: CI
//! builds it (`tests/c_api.rs`), so `std` cannot creep into the core unnoticed.
//!
//! It runs one exchange end to end, as a device's network task would: a manager's discovery
//! request, then an authPriv (SHA-256/AES-128) GetRequest for sysDescr, each through
//! `Agent::handle`, and exits 0 only when the reply decrypts to the configured sysDescr. The C
//! runtime's `main` is the entry point; libc is linked for the start files and `memcpy`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int};
use core::net::{Ipv4Addr, SocketAddr};

use dqi_core::agent::{self, Agent};
use dqi_core::budget::ValidBudget;
use dqi_core::manager::Manager;
use dqi_core::mib::objects::{self, Engine, System};
use dqi_core::mib::{Tree, Value};
use dqi_core::pdu::syntax;
use dqi_core::time::Instant;
use dqi_core::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};
use dqi_core::wire::{Pdu, Pdus, VarBind, VarBindValue};

#[link(name = "c")]
unsafe extern "C" {}

/// A bump allocator over a static arena: what a small device without a heap might use.
struct Arena {
    memory: UnsafeCell<[u8; ARENA]>,
    used: UnsafeCell<usize>,
}

const ARENA: usize = 4 << 20;

// SAFETY: the program has one thread.
unsafe impl Sync for Arena {}

// SAFETY: blocks are disjoint, aligned and inside the arena; exhaustion returns NULL.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: one thread, so no other reference to `used` exists.
        let used = unsafe { &mut *self.used.get() };
        let base = self.memory.get() as usize;
        let start = (base + *used).next_multiple_of(layout.align());
        let end = start + layout.size();
        if end > base + ARENA {
            return core::ptr::null_mut();
        }
        *used = end - base;
        start as *mut u8
    }

    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}

#[global_allocator]
static ALLOCATOR: Arena = Arena {
    memory: UnsafeCell::new([0; ARENA]),
    used: UnsafeCell::new(0),
};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "C" {
        fn abort() -> !;
    }
    // SAFETY: libc's abort takes nothing and does not return.
    unsafe { abort() }
}

/// The precompiled `core`'s unwind tables name it; with `panic = "abort"` it is never called.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04no-std";
const DESCRIPTION: &str = "no_std consumer";

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    match exchange() {
        Some(()) => 0,
        None => 1,
    }
}

fn exchange() -> Option<()> {
    let auth = || AuthKey::from_password(AuthProtocol::Sha256, b"no-std-auth-pass", ENGINE_ID);
    let privacy = || {
        PrivKey::from_password(
            PrivProtocol::Aes128,
            AuthProtocol::Sha256,
            b"no-std-priv-pass",
            ENGINE_ID,
        )
    };
    let system = System {
        description: DESCRIPTION.into(),
        object_id: vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
        contact: Default::default(),
        name: Default::default(),
        location: Default::default(),
        services: 72,
        or_entries: System::standard_or_entries(),
    };
    let engine = Engine {
        engine_id: ENGINE_ID.to_vec(),
        max_message_size: 1500,
    };
    let config = agent::CoreConfig {
        engine_id: ENGINE_ID.to_vec(),
        engine_boots: 1,
        users: Users::new(vec![User {
            name: b"device".to_vec(),
            auth: auth(),
            privacy: Some(privacy()),
            min_level: SecurityLevel::AuthPriv,
        }]),
        tree: Tree::from_entries(objects::standard(&system, &engine)),
        max_message_size: 1500,
        salt_seed: 7,
        budget: ValidBudget::default(),
        budget_seed: 11,
    };
    let now = Instant::from_secs(5);
    let mut agent = Agent::new(config, now);
    let source = SocketAddr::from((Ipv4Addr::LOCALHOST, 50_000));
    let mut out = Vec::new();

    let mut discovery = Manager::discovery();
    let probe = discovery.request(Pdus::Get(Pdu {
        request_id: 1,
        error_status: 0,
        error_index: 0,
        varbinds: Vec::new(),
    }));
    agent.handle(&probe, source, now, &mut out);
    let report = discovery.open(&out).ok()?;

    let mut manager = Manager::new(b"device", ENGINE_ID, auth(), Some(privacy()));
    manager.learn(&report);
    let Some(Value::ObjectId(name)) = Value::oid(&[1, 3, 6, 1, 2, 1, 1, 1, 0]) else {
        return None;
    };
    let request = manager.request(Pdus::Get(Pdu {
        request_id: 2,
        error_status: 0,
        error_index: 0,
        varbinds: vec![VarBind {
            name,
            value: VarBindValue::Unspecified,
        }],
    }));
    agent.handle(&request, source, now, &mut out);
    let reply = manager.open(&out).ok()?;
    let Pdus::Response(pdu) = reply.scoped.pdu else {
        return None;
    };
    let expected = VarBindValue::Value(syntax(Value::octets(DESCRIPTION)));
    (pdu.varbinds.first()?.value == expected).then_some(())
}
