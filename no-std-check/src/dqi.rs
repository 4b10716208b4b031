//! The part of `dqi.h` (dqi-ffi/include) this program calls, declared by hand as a C program's
//! compiler would read it: the static library is linked (`build.rs`), not the crate.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void};

/// `dqi_result` (a C enum: `int`).
pub type dqi_result = c_int;
pub const DQI_OK: dqi_result = 0;

/// `dqi_auth`, `dqi_priv` and `dqi_identity_field` (C enums).
pub type dqi_auth = c_int;
pub const DQI_AUTH_SHA256: dqi_auth = 4;
pub type dqi_priv = c_int;
pub const DQI_PRIV_AES128: dqi_priv = 2;
pub type dqi_identity_field = c_int;
pub const DQI_ID_MANUFACTURER: dqi_identity_field = 1;
pub const DQI_ID_MODEL: dqi_identity_field = 3;
pub const DQI_ID_SERIAL: dqi_identity_field = 4;

/// Opaque objects.
#[repr(C)]
pub struct dqi_builder {
    _private: [u8; 0],
}
#[repr(C)]
pub struct dqi_agent {
    _private: [u8; 0],
}
#[repr(C)]
pub struct dqi_snapshot {
    _private: [u8; 0],
}

#[repr(C)]
pub struct dqi_platform {
    pub userdata: *mut c_void,
    pub next_boots: Option<unsafe extern "C" fn(*mut c_void, *mut u32) -> c_int>,
    pub random: Option<unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> c_int>,
}

#[repr(C)]
pub struct dqi_address {
    pub family: u8,
    pub addr: [u8; 16],
    pub port: u16,
}

#[repr(C)]
pub struct dqi_software {
    pub name: *const c_char,
    pub version: *const c_char,
    pub supplier: *const c_char,
    pub purl: *const c_char,
    pub cpe: *const c_char,
    pub kind: *const c_char,
}

#[link(name = "dqi", kind = "static")]
unsafe extern "C" {
    pub fn dqi_builder_new(
        engine_id: *const u8,
        len: usize,
        out: *mut *mut dqi_builder,
    ) -> dqi_result;
    pub fn dqi_builder_set_system(
        builder: *mut dqi_builder,
        description: *const c_char,
        contact: *const c_char,
        name: *const c_char,
        location: *const c_char,
    ) -> dqi_result;
    #[allow(clippy::too_many_arguments)]
    pub fn dqi_builder_add_user(
        builder: *mut dqi_builder,
        name: *const c_char,
        auth: dqi_auth,
        auth_key: *const u8,
        auth_key_len: usize,
        privacy: dqi_priv,
        priv_key: *const u8,
        priv_key_len: usize,
    ) -> dqi_result;
    pub fn dqi_agent_start(
        builder: *mut dqi_builder,
        platform: *const dqi_platform,
        now_us: u64,
        out: *mut *mut dqi_agent,
    ) -> dqi_result;
    pub fn dqi_agent_free(agent: *mut dqi_agent);
    pub fn dqi_snapshot_new(out: *mut *mut dqi_snapshot) -> dqi_result;
    pub fn dqi_snapshot_set_identity(
        snapshot: *mut dqi_snapshot,
        field: dqi_identity_field,
        value: *const c_char,
    ) -> dqi_result;
    pub fn dqi_snapshot_add_software(
        snapshot: *mut dqi_snapshot,
        row: *const dqi_software,
    ) -> dqi_result;
    pub fn dqi_agent_install_snapshot(
        agent: *mut dqi_agent,
        snapshot: *mut dqi_snapshot,
        now_us: u64,
    ) -> dqi_result;
    #[allow(clippy::too_many_arguments)]
    pub fn dqi_handle(
        agent: *mut dqi_agent,
        datagram: *const u8,
        len: usize,
        source: *const dqi_address,
        now_us: u64,
        out: *mut u8,
        out_cap: usize,
        out_len: *mut usize,
    ) -> dqi_result;
}
