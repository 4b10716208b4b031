//! The C API of the DQI core (`dqi.h`), for RTOS and bare-metal devices with their own TCP/IP
//! stack: the embedder owns the socket, the clock, the boot counter's storage, the random
//! source and the memory; the library owns SNMPv3, USM and the DQI-MIB.
//!
//! Conventions, after rustls-ffi: every object is an opaque pointer created and freed by the
//! library; every function that can fail returns a [`dqi_result`]; callbacks take the
//! embedder's `userdata` pointer; strings are NUL-terminated UTF-8, byte strings pointer and
//! length. No panic crosses the boundary: the library is built with `panic = "abort"`, and its
//! panic handler calls the embedder's `dqi_platform_abort`.
//!
//! Lifecycle:
//!
//! 1. `dqi_builder_new(engine_id)`, `dqi_builder_set_system(...)`, `dqi_builder_add_user(...)`
//!    with keys already localized to the engine ID (RFC 3414 §2.6; SHA-2 and AES-256
//!    included);
//! 2. `dqi_agent_start(builder, platform, now)`: asks the platform's boots store for the next
//!    snmpEngineBoots; when the store reports failure the agent is not created and nothing is
//!    served, as the `dqi-agent` binary refuses to start without its state directory;
//! 3. `dqi_snapshot_new()`, `dqi_snapshot_set_identity(...)`, `dqi_snapshot_set_udi(...)`,
//!    `dqi_snapshot_add_security_control(...)`, `dqi_snapshot_add_software(...)` (each row's
//!    hashes with `dqi_snapshot_add_software_hash(...)`, its support with
//!    `dqi_snapshot_set_software_support(...)`), `dqi_snapshot_add_vex(...)`,
//!    `dqi_snapshot_set_health(...)`, `dqi_snapshot_set_configuration(...)`,
//!    `dqi_snapshot_add_service(...)`, then `dqi_agent_install_snapshot(agent, snapshot, now)`:
//!    the tree is built aside and swapped in one step, between two datagrams, and each part's
//!    last-change object moves only when that part differs from the installed snapshot's;
//! 4. per received datagram, `dqi_handle(agent, datagram, len, source, now, out, out_cap,
//!    &out_len)`, and send `out_len` octets back to the source when it is not zero.
//!
//! Memory: the library allocates through `dqi_platform_alloc` and `dqi_platform_free`, which
//! the embedder links in (on a hosted system, `aligned_alloc` and `free`). Objects are
//! allocated when created; `dqi_handle` allocates what the core does per request (the decoded
//! message and its bindings, freed before it returns) and keeps one reply buffer across calls.
//! The request budget runs inside with the `dqi-agent` binary's defaults.
#![no_std]
#![allow(non_camel_case_types)] // the C names
#![warn(missing_docs)]

extern crate alloc;

mod facts;
mod identity;
mod platform;

pub use facts::*;
pub use identity::*;

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_int, c_void};
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use dqi_core::agent::{self, Agent};
use dqi_core::budget::ValidBudget;
use dqi_core::device::DeviceSnapshot;
use dqi_core::device::model::{ComponentType, Software, SoftwareRow, SupportStatus};
use dqi_core::device::vex::{
    Justification, Subject, Vex, VexDocument, VexFormat, VexImport, VexState, VexStatement,
};
use dqi_core::mib::Tree;
use dqi_core::mib::derived::Changed;
use dqi_core::mib::dqi::{self, Stamps};
use dqi_core::mib::objects::{self, Engine, System};
use dqi_core::mib::served;
use dqi_core::time::Instant;
use dqi_core::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};

/// What a call did.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_result {
    /// Done.
    DQI_OK = 0,
    /// A required pointer was NULL.
    DQI_NULL_POINTER = 1,
    /// A string is not UTF-8, or a value is out of its range.
    DQI_INVALID_ARGUMENT = 2,
    /// The engine ID is not 5 to 32 octets (RFC 3411).
    DQI_INVALID_ENGINE_ID = 3,
    /// A localized key has the wrong length for its protocol.
    DQI_INVALID_KEY = 4,
    /// The boots store reported failure: no agent was created and nothing is served.
    DQI_BOOTS_STORE_FAILED = 5,
    /// The random source reported failure.
    DQI_RANDOM_FAILED = 6,
    /// The reply did not fit `out_cap`; nothing was written.
    DQI_BUFFER_TOO_SMALL = 7,
    /// `dqi_agent_start` was called without any user.
    DQI_NO_USERS = 8,
}

use dqi_result::*;

/// Authentication protocols (RFC 3414, RFC 7860).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_auth {
    /// HMAC-MD5-96. Weak: for old managers only.
    DQI_AUTH_MD5 = 1,
    /// HMAC-SHA-96.
    DQI_AUTH_SHA1 = 2,
    /// HMAC-SHA-224 (usmHMAC128SHA224AuthProtocol).
    DQI_AUTH_SHA224 = 3,
    /// HMAC-SHA-256 (usmHMAC192SHA256AuthProtocol).
    DQI_AUTH_SHA256 = 4,
    /// HMAC-SHA-384 (usmHMAC256SHA384AuthProtocol).
    DQI_AUTH_SHA384 = 5,
    /// HMAC-SHA-512 (usmHMAC384SHA512AuthProtocol).
    DQI_AUTH_SHA512 = 6,
}

/// Privacy protocols (RFC 3414, RFC 3826, and the AES-192/256 key extensions).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_priv {
    /// No privacy: the user is served at authNoPriv.
    DQI_PRIV_NONE = 0,
    /// CBC-DES. Weak: for old managers only.
    DQI_PRIV_DES = 1,
    /// AES-128-CFB (RFC 3826).
    DQI_PRIV_AES128 = 2,
    /// AES-192-CFB, Blumenthal key extension (net-snmp's AES-192).
    DQI_PRIV_AES192 = 3,
    /// AES-256-CFB, Blumenthal key extension (net-snmp's AES-256).
    DQI_PRIV_AES256 = 4,
    /// AES-192-CFB, Reeder key extension (net-snmp's AES-192-C).
    DQI_PRIV_AES192C = 5,
    /// AES-256-CFB, Reeder key extension (net-snmp's AES-256-C).
    DQI_PRIV_AES256C = 6,
}

/// The identity fields a snapshot carries (the DQI-MIB's dqiIdentity and the ENTITY-MIB).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_identity_field {
    /// The manufacturer's name.
    DQI_ID_MANUFACTURER = 1,
    /// The brand.
    DQI_ID_BRAND = 2,
    /// The model.
    DQI_ID_MODEL = 3,
    /// The unit's serial number.
    DQI_ID_SERIAL = 4,
    /// The hardware revision.
    DQI_ID_HARDWARE_REVISION = 5,
    /// The firmware revision.
    DQI_ID_FIRMWARE_REVISION = 6,
    /// The software revision.
    DQI_ID_SOFTWARE_REVISION = 7,
    /// The catalog (reference) number.
    DQI_ID_CATALOG_NUMBER = 8,
    /// The unit's UUID (RFC 9562), lower-case hyphenated text; served as its 16 octets.
    DQI_ID_UUID = 9,
    /// The FDA product code (three letters, `FRN` for infusion pumps).
    DQI_ID_FDA_PRODUCT_CODE = 10,
    /// The GMDN term code (digits).
    DQI_ID_GMDN_CODE = 11,
    /// The manufacturer's coordinated vulnerability disclosure contact (a URI).
    DQI_ID_VULN_CONTACT_URI = 12,
    /// Where the model's MDS2 form is published (a URI, at most 1024 octets).
    DQI_ID_MDS2_URI = 13,
}

/// Where a datagram came from.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct dqi_address {
    /// 4 or 6.
    pub family: u8,
    /// The address: the first 4 octets for IPv4, all 16 for IPv6, network order.
    pub addr: [u8; 16],
    /// The UDP port, host order.
    pub port: u16,
}

/// What the embedder supplies at start-up. Callbacks return 0 on success.
#[repr(C)]
pub struct dqi_platform {
    /// Passed to every callback.
    pub userdata: *mut c_void,
    /// Reads the stored snmpEngineBoots, adds one, stores it durably (it must survive power
    /// loss before the agent serves), and writes the new value to `*boots`. Non-zero: the store
    /// failed, and the agent is not started.
    pub next_boots: Option<unsafe extern "C" fn(userdata: *mut c_void, boots: *mut u32) -> c_int>,
    /// Fills `buf` with `len` unpredictable octets (the seeds of privacy salts and of the
    /// budget's hash keys). Non-zero: no randomness available.
    pub random:
        Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *mut u8, len: usize) -> c_int>,
}

/// The agent's configuration before it starts: engine ID, system group, users.
pub struct dqi_builder {
    engine_id: Vec<u8>,
    system: System,
    users: Vec<User>,
}

/// A device snapshot being filled: identity and software rows.
pub struct dqi_snapshot {
    snapshot: DeviceSnapshot,
    rows: Vec<SoftwareRow>,
    vex: Vec<VexStatement>,
}

/// A running agent.
pub struct dqi_agent {
    agent: Agent,
    system: System,
    engine: Engine,
    /// Reused for every reply, so the request path does not allocate it.
    reply: Vec<u8>,
    /// `now_us` at start: sysUpTime's origin.
    started_us: u64,
    /// The installed snapshot, kept to see what the next one changes; `None` before the first.
    installed: Option<DeviceSnapshot>,
    /// When each part of the installed snapshot last changed.
    changed: Changed,
    /// Installs that changed the configuration facts or services (`dqiCfgChanges`).
    config_changes: u32,
}

/// A software row, as [`dqi_snapshot_add_software`] takes it. `name` and `version` are
/// required; the other strings may be NULL.
#[repr(C)]
pub struct dqi_software {
    /// The component's name.
    pub name: *const c_char,
    /// Its version.
    pub version: *const c_char,
    /// Who supplies it.
    pub supplier: *const c_char,
    /// Its package URL (`pkg:...`), what advisories match on.
    pub purl: *const c_char,
    /// Its CPE 2.3 name.
    pub cpe: *const c_char,
    /// Its CycloneDX component type (`application`, `library`, `firmware`, `operating-system`,
    /// ...); NULL for `library`.
    pub kind: *const c_char,
}

/// A NUL-terminated UTF-8 string, `None` for NULL, `Err` when not UTF-8.
///
/// # Safety
/// `s` is NULL or points to a NUL-terminated string.
unsafe fn text(s: *const c_char) -> Result<Option<String>, dqi_result> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(s) };
    s.to_str()
        .map(|s| Some(s.to_string()))
        .map_err(|_| DQI_INVALID_ARGUMENT)
}

/// `len` octets at `p`; an empty slice for length 0 whatever `p` is.
///
/// # Safety
/// `p` points to `len` readable octets when `len` is not 0.
unsafe fn bytes<'a>(p: *const u8, len: usize) -> Result<&'a [u8], dqi_result> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(DQI_NULL_POINTER);
    }
    // SAFETY: non-null, `len` readable octets by the caller's contract.
    Ok(unsafe { core::slice::from_raw_parts(p, len) })
}

/// Turns a `Result` into the code, for the functions' last line.
fn code(r: Result<(), dqi_result>) -> dqi_result {
    r.err().unwrap_or(DQI_OK)
}

/// Creates a builder for an agent with `engine_id` (5 to 32 octets, RFC 3411), the system
/// group empty. Free it with [`dqi_builder_free`] unless [`dqi_agent_start`] took it.
///
/// # Safety
/// `engine_id` points to `len` octets; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_builder_new(
    engine_id: *const u8,
    len: usize,
    out: *mut *mut dqi_builder,
) -> dqi_result {
    if out.is_null() {
        return DQI_NULL_POINTER;
    }
    // SAFETY: the caller's contract.
    let id = match unsafe { bytes(engine_id, len) } {
        Ok(id) => id,
        Err(e) => return e,
    };
    if !(5..=32).contains(&id.len()) {
        return DQI_INVALID_ENGINE_ID;
    }
    let builder = Box::new(dqi_builder {
        engine_id: id.to_vec(),
        system: System {
            description: String::new(),
            object_id: dqi::DQI_PRODUCT_GENERIC.to_vec(),
            contact: String::new(),
            name: String::new(),
            location: String::new(),
            services: 72,
            or_entries: System::standard_or_entries(),
        },
        users: Vec::new(),
    });
    // SAFETY: `out` is non-null and writable.
    unsafe { *out = Box::into_raw(builder) };
    DQI_OK
}

/// Sets the SNMPv2-MIB system group (sysDescr, sysContact, sysName, sysLocation); NULL keeps
/// a field empty. sysDescr is replaced by one built from the snapshot's identity once a
/// snapshot with a manufacturer or model is installed.
///
/// # Safety
/// `builder` came from [`dqi_builder_new`]; each string is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_builder_set_system(
    builder: *mut dqi_builder,
    description: *const c_char,
    contact: *const c_char,
    name: *const c_char,
    location: *const c_char,
) -> dqi_result {
    // SAFETY: a builder from `dqi_builder_new`, not yet freed.
    let Some(b) = (unsafe { builder.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let [d, c, n, l] = unsafe {
            [
                text(description)?,
                text(contact)?,
                text(name)?,
                text(location)?,
            ]
        };
        for s in [&d, &c, &n, &l].into_iter().flatten() {
            if s.len() > 255 {
                return Err(DQI_INVALID_ARGUMENT);
            }
        }
        b.system.description = d.unwrap_or_default();
        b.system.contact = c.unwrap_or_default();
        b.system.name = n.unwrap_or_default();
        b.system.location = l.unwrap_or_default();
        Ok(())
    })())
}

/// Adds a USM user whose keys are already localized to the builder's engine ID: an
/// authentication key (16 octets for MD5, 20 SHA-1, 28 SHA-224, 32 SHA-256, 48 SHA-384, 64
/// SHA-512) and, unless `privacy` is `DQI_PRIV_NONE`, a privacy key of the protocol's length
/// (16 for DES and AES-128, 24 AES-192, 32 AES-256). A user with privacy must use it.
///
/// # Safety
/// `builder` came from [`dqi_builder_new`]; `name` is NUL-terminated; the keys point to their
/// lengths in octets.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn dqi_builder_add_user(
    builder: *mut dqi_builder,
    name: *const c_char,
    auth: dqi_auth,
    auth_key: *const u8,
    auth_key_len: usize,
    privacy: dqi_priv,
    priv_key: *const u8,
    priv_key_len: usize,
) -> dqi_result {
    // SAFETY: a builder from `dqi_builder_new`, not yet freed.
    let Some(b) = (unsafe { builder.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let name = unsafe { text(name)? }.ok_or(DQI_NULL_POINTER)?;
        if name.is_empty() || name.len() > 32 {
            return Err(DQI_INVALID_ARGUMENT);
        }
        let auth_protocol = match auth {
            dqi_auth::DQI_AUTH_MD5 => AuthProtocol::Md5,
            dqi_auth::DQI_AUTH_SHA1 => AuthProtocol::Sha1,
            dqi_auth::DQI_AUTH_SHA224 => AuthProtocol::Sha224,
            dqi_auth::DQI_AUTH_SHA256 => AuthProtocol::Sha256,
            dqi_auth::DQI_AUTH_SHA384 => AuthProtocol::Sha384,
            dqi_auth::DQI_AUTH_SHA512 => AuthProtocol::Sha512,
        };
        // SAFETY: the caller's contract.
        let key = unsafe { bytes(auth_key, auth_key_len)? };
        let auth = AuthKey::from_localized(auth_protocol, key).map_err(|_| DQI_INVALID_KEY)?;
        let protocol = match privacy {
            dqi_priv::DQI_PRIV_NONE => None,
            dqi_priv::DQI_PRIV_DES => Some(PrivProtocol::Des),
            dqi_priv::DQI_PRIV_AES128 => Some(PrivProtocol::Aes128),
            dqi_priv::DQI_PRIV_AES192 => Some(PrivProtocol::Aes192),
            dqi_priv::DQI_PRIV_AES256 => Some(PrivProtocol::Aes256),
            dqi_priv::DQI_PRIV_AES192C => Some(PrivProtocol::Aes192C),
            dqi_priv::DQI_PRIV_AES256C => Some(PrivProtocol::Aes256C),
        };
        let privacy = match protocol {
            None => None,
            Some(p) => {
                // SAFETY: the caller's contract.
                let key = unsafe { bytes(priv_key, priv_key_len)? };
                Some(PrivKey::from_localized(p, key).map_err(|_| DQI_INVALID_KEY)?)
            }
        };
        let min_level = if privacy.is_some() {
            SecurityLevel::AuthPriv
        } else {
            SecurityLevel::AuthNoPriv
        };
        b.users.push(User {
            name: name.into_bytes(),
            auth,
            privacy,
            min_level,
        });
        Ok(())
    })())
}

/// Frees a builder that [`dqi_agent_start`] did not take. NULL is ignored.
///
/// # Safety
/// `builder` came from [`dqi_builder_new`] and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_builder_free(builder: *mut dqi_builder) {
    if !builder.is_null() {
        // SAFETY: from `Box::into_raw` in `dqi_builder_new`, freed once.
        drop(unsafe { Box::from_raw(builder) });
    }
}

/// Starts an agent from `builder` (always consumed, even on failure) at the embedder's
/// monotonic time `now_us` (microseconds; any origin, never going backwards). Calls
/// `platform->next_boots` once: on failure returns `DQI_BOOTS_STORE_FAILED` and creates no
/// agent, so nothing is served with a boot count that could repeat. Serves the standard objects
/// until a snapshot is installed.
///
/// # Safety
/// `builder` came from [`dqi_builder_new`]; `platform` points to a filled [`dqi_platform`];
/// `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_agent_start(
    builder: *mut dqi_builder,
    platform: *const dqi_platform,
    now_us: u64,
    out: *mut *mut dqi_agent,
) -> dqi_result {
    if builder.is_null() {
        return DQI_NULL_POINTER;
    }
    // SAFETY: from `Box::into_raw` in `dqi_builder_new`; taken here, once.
    let b = unsafe { Box::from_raw(builder) };
    // SAFETY: the caller's contract.
    let (Some(p), false) = (unsafe { platform.as_ref() }, out.is_null()) else {
        return DQI_NULL_POINTER;
    };
    let (Some(next_boots), Some(random)) = (p.next_boots, p.random) else {
        return DQI_NULL_POINTER;
    };
    if b.users.is_empty() {
        return DQI_NO_USERS;
    }
    let mut boots = 0u32;
    // SAFETY: the embedder's callback, given its own userdata and a valid pointer.
    if unsafe { next_boots(p.userdata, &mut boots) } != 0 {
        return DQI_BOOTS_STORE_FAILED;
    }
    let mut seeds = [0u8; 16];
    // SAFETY: as above; `seeds` is 16 writable octets.
    if unsafe { random(p.userdata, seeds.as_mut_ptr(), seeds.len()) } != 0 {
        return DQI_RANDOM_FAILED;
    }
    let [salt_seed, budget_seed] = [&seeds[..8], &seeds[8..]].map(|s| {
        let mut word = [0u8; 8];
        word.copy_from_slice(s);
        u64::from_le_bytes(word)
    });
    let b = *b;
    let engine = Engine {
        engine_id: b.engine_id.clone(),
        max_message_size: agent::MAX_MESSAGE_SIZE as i32,
    };
    let tree = Tree::from_entries(objects::standard(&b.system, &engine));
    let config = agent::CoreConfig {
        engine_id: b.engine_id,
        engine_boots: boots,
        users: Users::new(b.users),
        tree,
        max_message_size: agent::MAX_MESSAGE_SIZE,
        salt_seed,
        budget: ValidBudget::default(),
        budget_seed,
    };
    let agent = Box::new(dqi_agent {
        agent: Agent::new(config, Instant::from_micros(now_us)),
        system: b.system,
        engine,
        reply: Vec::new(),
        started_us: now_us,
        installed: None,
        changed: Changed::default(),
        config_changes: 0,
    });
    // SAFETY: `out` is non-null and writable.
    unsafe { *out = Box::into_raw(agent) };
    DQI_OK
}

/// The boot count the agent serves (snmpEngineBoots).
///
/// # Safety
/// `agent` came from [`dqi_agent_start`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_agent_boots(agent: *const dqi_agent) -> u32 {
    // SAFETY: an agent from `dqi_agent_start`, not yet freed.
    unsafe { agent.as_ref() }.map_or(0, |a| a.agent.engine_boots())
}

/// Stops and frees an agent. NULL is ignored.
///
/// # Safety
/// `agent` came from [`dqi_agent_start`] and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_agent_free(agent: *mut dqi_agent) {
    if !agent.is_null() {
        // SAFETY: from `Box::into_raw` in `dqi_agent_start`, freed once.
        drop(unsafe { Box::from_raw(agent) });
    }
}

/// Creates an empty device snapshot. Free it with [`dqi_snapshot_free`] unless
/// [`dqi_agent_install_snapshot`] took it.
///
/// # Safety
/// `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_new(out: *mut *mut dqi_snapshot) -> dqi_result {
    if out.is_null() {
        return DQI_NULL_POINTER;
    }
    let snapshot = Box::new(dqi_snapshot {
        snapshot: DeviceSnapshot::default(),
        rows: Vec::new(),
        vex: Vec::new(),
    });
    // SAFETY: `out` is non-null and writable.
    unsafe { *out = Box::into_raw(snapshot) };
    DQI_OK
}

/// Sets one identity field (at most 255 octets of UTF-8; 1024 for the MDS2 URI).
///
/// # Safety
/// `snapshot` came from [`dqi_snapshot_new`]; `value` is NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_set_identity(
    snapshot: *mut dqi_snapshot,
    field: dqi_identity_field,
    value: *const c_char,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed.
    let Some(s) = (unsafe { snapshot.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let value = unsafe { text(value)? }.ok_or(DQI_NULL_POINTER)?;
        let max = if field == dqi_identity_field::DQI_ID_MDS2_URI {
            1024
        } else {
            255
        };
        if value.len() > max {
            return Err(DQI_INVALID_ARGUMENT);
        }
        let id = &mut s.snapshot.identity;
        use dqi_identity_field::*;
        match field {
            DQI_ID_MANUFACTURER => id.manufacturer = value,
            DQI_ID_BRAND => id.brand = value,
            DQI_ID_MODEL => id.model = value,
            DQI_ID_SERIAL => id.serial = value,
            DQI_ID_HARDWARE_REVISION => id.hardware_revision = Some(value),
            DQI_ID_FIRMWARE_REVISION => id.firmware_revision = Some(value),
            DQI_ID_SOFTWARE_REVISION => id.software_revision = Some(value),
            DQI_ID_CATALOG_NUMBER => id.catalog_number = Some(value),
            DQI_ID_UUID => id.uuid = Some(value),
            DQI_ID_FDA_PRODUCT_CODE => id.fda_product_code = Some(value),
            DQI_ID_GMDN_CODE => id.gmdn_code = Some(value),
            DQI_ID_VULN_CONTACT_URI => id.vulnerability_disclosure_uri = Some(value),
            DQI_ID_MDS2_URI => id.mds2_uri = Some(value),
        }
        Ok(())
    })())
}

/// Adds a software row; rows are numbered (dqiSwIndex) 1, 2, ... in the order added.
///
/// # Safety
/// `snapshot` came from [`dqi_snapshot_new`]; `row` points to a [`dqi_software`] whose
/// strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_add_software(
    snapshot: *mut dqi_snapshot,
    row: *const dqi_software,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed; a row from the caller.
    let (Some(s), Some(r)) = (unsafe { snapshot.as_mut() }, unsafe { row.as_ref() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let [name, version, supplier, purl, cpe, kind] = unsafe {
            [
                text(r.name)?,
                text(r.version)?,
                text(r.supplier)?,
                text(r.purl)?,
                text(r.cpe)?,
                text(r.kind)?,
            ]
        };
        let (Some(name), Some(version)) = (name, version) else {
            return Err(DQI_NULL_POINTER);
        };
        let index = u32::try_from(s.rows.len() + 1).map_err(|_| DQI_INVALID_ARGUMENT)?;
        let key = purl
            .clone()
            .unwrap_or_else(|| alloc::format!("{name}@{version}"));
        s.rows.push(SoftwareRow {
            index,
            name,
            version,
            supplier,
            kind: kind
                .as_deref()
                .map_or(ComponentType::Library, ComponentType::from_cyclonedx),
            purl,
            cpe,
            hashes: vec![],
            install_date: None,
            support: SupportStatus::default(),
            end_of_support: None,
            sbom_ref: None,
            parent: 0,
            document: 0,
            key,
        });
        Ok(())
    })())
}

/// A VEX status (CISA's four).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_vex_state {
    /// The product is not affected (give a justification).
    DQI_VEX_NOT_AFFECTED = 1,
    /// The product is affected (give an action).
    DQI_VEX_AFFECTED = 2,
    /// Fixed in this version.
    DQI_VEX_FIXED = 3,
    /// Under investigation.
    DQI_VEX_UNDER_INVESTIGATION = 4,
}

/// A VEX statement, as [`dqi_snapshot_add_vex`] takes it. `vuln_id` is required (1 to 64
/// octets: `CVE-2021-44228`); the other strings may be NULL.
#[repr(C)]
pub struct dqi_vex {
    /// The advisory ID.
    pub vuln_id: *const c_char,
    /// The component's package URL, matched to the software rows; NULL for the product as a
    /// whole (served at dqiSwIndex 0).
    pub purl: *const c_char,
    /// The status.
    pub state: dqi_vex_state,
    /// Why not affected, as a CISA justification word (`vulnerable_code_not_in_execute_path`).
    pub justification: *const c_char,
    /// What to do (the action statement).
    pub action: *const c_char,
    /// Why (the impact statement).
    pub detail: *const c_char,
}

/// Adds a VEX statement, joined to the software rows by package URL when the snapshot is
/// installed (served in the DQI-MIB's dqiVexTable).
///
/// # Safety
/// `snapshot` came from [`dqi_snapshot_new`]; `statement` points to a [`dqi_vex`] whose
/// strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_add_vex(
    snapshot: *mut dqi_snapshot,
    statement: *const dqi_vex,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed; a statement from the caller.
    let (Some(s), Some(v)) = (unsafe { snapshot.as_mut() }, unsafe { statement.as_ref() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let [vuln_id, purl, justification, action, detail] = unsafe {
            [
                text(v.vuln_id)?,
                text(v.purl)?,
                text(v.justification)?,
                text(v.action)?,
                text(v.detail)?,
            ]
        };
        let vuln_id = vuln_id.ok_or(DQI_NULL_POINTER)?;
        if vuln_id.is_empty() || vuln_id.len() > 64 {
            return Err(DQI_INVALID_ARGUMENT);
        }
        let justification = match justification {
            None => Justification::None,
            Some(word) => Justification::parse(&word).ok_or(DQI_INVALID_ARGUMENT)?,
        };
        let state = match v.state {
            dqi_vex_state::DQI_VEX_NOT_AFFECTED => VexState::NotAffected,
            dqi_vex_state::DQI_VEX_AFFECTED => VexState::Affected,
            dqi_vex_state::DQI_VEX_FIXED => VexState::Fixed,
            dqi_vex_state::DQI_VEX_UNDER_INVESTIGATION => VexState::UnderInvestigation,
        };
        s.vex.push(VexStatement {
            vuln_id,
            // No purl: the product as a whole, which names nothing (dqiSwIndex 0).
            subject: purl.map_or_else(|| Subject::Other(String::new()), Subject::Purl),
            state,
            justification,
            action,
            detail,
            updated: None,
            versions: Vec::new(),
        });
        Ok(())
    })())
}

/// Frees a snapshot that [`dqi_agent_install_snapshot`] did not take. NULL is ignored.
///
/// # Safety
/// `snapshot` came from [`dqi_snapshot_new`] and is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_free(snapshot: *mut dqi_snapshot) {
    if !snapshot.is_null() {
        // SAFETY: from `Box::into_raw` in `dqi_snapshot_new`, freed once.
        drop(unsafe { Box::from_raw(snapshot) });
    }
}

/// Serves `snapshot` (always consumed) from the next datagram on, at monotonic time `now_us`
/// (as in [`dqi_handle`]): the object tree is built first and swapped in whole, so no request
/// sees a mix of the old and the new. As in the `dqi-agent` binary's refresh, the first
/// snapshot's parts count as unchanged since start (their last-change objects read 0), and a
/// later install stamps a part's last-change object (dqiSwLastChange, dqiHealthLastChange,
/// dqiCfgLastChange and dqiCfgChanges, dqiVexLastChange, entLastChangeTime) with sysUpTime now
/// only when that part differs from the installed snapshot's. The call allocates the new tree
/// and frees the old one; make it outside the request path's deadline. The library keeps the
/// installed snapshot's data for that comparison.
///
/// # Safety
/// `agent` came from [`dqi_agent_start`]; `snapshot` from [`dqi_snapshot_new`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_agent_install_snapshot(
    agent: *mut dqi_agent,
    snapshot: *mut dqi_snapshot,
    now_us: u64,
) -> dqi_result {
    if snapshot.is_null() {
        return DQI_NULL_POINTER;
    }
    // SAFETY: from `Box::into_raw` in `dqi_snapshot_new`; taken here, once.
    let s = unsafe { Box::from_raw(snapshot) };
    // SAFETY: an agent from `dqi_agent_start`, not yet freed.
    let Some(a) = (unsafe { agent.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    let dqi_snapshot {
        mut snapshot,
        rows,
        vex,
    } = *s;
    snapshot.software = Software::new(rows, Vec::new(), None, None);
    if !vex.is_empty() {
        let import = VexImport {
            document: VexDocument {
                location: String::from("dqi_snapshot"),
                format: VexFormat::CycloneDx,
                id: Some(String::from("dqi_snapshot_add_vex")),
                sha256: [0; 32],
            },
            statements: vex,
        };
        snapshot.vex = Vex::resolve(vec![import], &snapshot.software);
    }
    // sysUpTime in hundredths, wrapping as TimeTicks do.
    let uptime = (now_us.saturating_sub(a.started_us) / 10_000) as u32;
    if let Some(old) = &a.installed {
        let changed = a.changed.after(old, &snapshot, uptime);
        if changed.config != a.changed.config {
            a.config_changes = a.config_changes.wrapping_add(1);
        }
        a.changed = changed;
    }
    let stamps = Stamps {
        software_changed: a.changed.software,
        config_changed: a.changed.config,
        health_changed: a.changed.health,
        entity_changed: a.changed.entity,
        vex_changed: a.changed.vex,
        config_changes: a.config_changes,
        refreshed: snapshot.software.last_refresh(),
        refreshed_uptime: uptime,
        agent_version: env!("CARGO_PKG_VERSION"),
        ..Stamps::default()
    };
    let entries = served::device_objects(&a.system, &a.engine, Some((&snapshot, &stamps)));
    let tree = served::assemble(entries, &a.agent.own_objects());
    // The old tree and snapshot are freed here, after the swap.
    drop(a.agent.replace_tree(tree));
    a.installed = Some(snapshot);
    DQI_OK
}

/// Handles one received datagram from `source` at monotonic time `now_us`. On `DQI_OK`,
/// `*out_len` octets of `out` are the reply to send to `source`, or `*out_len` is 0 and
/// nothing is sent (the datagram was dropped, and counted). `DQI_BUFFER_TOO_SMALL` when the
/// reply does not fit `out_cap` (size `out` for the largest reply the embedder's stack can
/// send; 1500 octets covers an Ethernet frame, and the manager's msgMaxSize bounds the rest).
///
/// # Safety
/// `agent` came from [`dqi_agent_start`]; `datagram` points to `len` octets; `source` to a
/// [`dqi_address`]; `out` to `out_cap` writable octets; `out_len` is writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn dqi_handle(
    agent: *mut dqi_agent,
    datagram: *const u8,
    len: usize,
    source: *const dqi_address,
    now_us: u64,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> dqi_result {
    // SAFETY: the caller's contract for each pointer.
    let (Some(a), Some(src)) = (unsafe { agent.as_mut() }, unsafe { source.as_ref() }) else {
        return DQI_NULL_POINTER;
    };
    if out.is_null() || out_len.is_null() {
        return DQI_NULL_POINTER;
    }
    // SAFETY: `out_len` is non-null and writable.
    unsafe { *out_len = 0 };
    // SAFETY: the caller's contract.
    let datagram = match unsafe { bytes(datagram, len) } {
        Ok(d) => d,
        Err(e) => return e,
    };
    let ip = match src.family {
        4 => IpAddr::V4(Ipv4Addr::new(
            src.addr[0],
            src.addr[1],
            src.addr[2],
            src.addr[3],
        )),
        6 => IpAddr::V6(Ipv6Addr::from(src.addr)),
        _ => return DQI_INVALID_ARGUMENT,
    };
    let source = SocketAddr::new(ip, src.port);
    a.agent
        .handle(datagram, source, Instant::from_micros(now_us), &mut a.reply);
    if a.reply.len() > out_cap {
        return DQI_BUFFER_TOO_SMALL;
    }
    // SAFETY: `out` has `out_cap` >= reply length writable octets, and cannot overlap the
    // library's own buffer.
    unsafe {
        core::ptr::copy_nonoverlapping(a.reply.as_ptr(), out, a.reply.len());
        *out_len = a.reply.len();
    }
    DQI_OK
}
