//! A `#![no_std]` firmware-shaped consumer of the C library (`libdqi.a`, built from `dqi-ffi/`):
//! its own panic handler, its own allocator, `panic = "abort"`, and no `std` anywhere. It links
//! the static library a C embedder links and drives it only through the C API (`dqi.h`,
//! declared in `dqi.rs`); it does not depend on the core crate.
//!
//! The library keeps its panic handler private (the static library exports only `dqi_*` and
//! `rust_eh_personality`), so this program's own `#[panic_handler]` does not clash with it;
//! the library reaches the program through the three platform functions, which this program
//! serves from its own allocator and its own abort.
//!
//! Its "network" is a pipe, as a device's serial link would be: each datagram arrives on stdin
//! as a two-octet big-endian length and the octets, goes through `dqi_handle`, and the reply
//! (possibly empty, when the library drops the datagram) leaves on stdout framed the same way.
//! It exits 0 at the end of stdin. `tests/c_api.rs` runs it with a manager on the other end of
//! the pipe: discovery, then authPriv (SHA-256/AES-128) GETs, decrypted and checked there.
//!
//! The C runtime's `main` is the entry point; libc is linked for the start files, `read`,
//! `write`, `memcpy` and `abort`.
#![no_std]
#![no_main]

mod dqi;

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, c_void};
use core::ptr;

#[link(name = "c")]
unsafe extern "C" {
    fn read(fd: c_int, buf: *mut c_void, count: usize) -> isize;
    fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
    fn abort() -> !;
}

/// A first-fit allocator over a static arena with a free list: what a small device without a
/// general-purpose heap might use. Blocks carry no header; a freed block is kept with its
/// layout, and reused by the next request that fits it.
struct Arena {
    memory: UnsafeCell<[u8; ARENA]>,
    used: UnsafeCell<usize>,
    /// Freed blocks: (address, size, alignment), reused first-fit; address 0 is an empty slot.
    free: UnsafeCell<[(usize, usize, usize); FREE_SLOTS]>,
}

const ARENA: usize = 8 << 20;
const FREE_SLOTS: usize = 4096;

// SAFETY: the program has one thread.
unsafe impl Sync for Arena {}

// SAFETY: blocks are disjoint, aligned and inside the arena; exhaustion returns NULL.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: one thread, so no other reference to the arena's state exists.
        let (used, free) = unsafe { (&mut *self.used.get(), &mut *self.free.get()) };
        let size = layout.size().max(1);
        if let Some(slot) = free
            .iter_mut()
            .find(|(at, s, a)| *at != 0 && *s >= size && *a >= layout.align())
        {
            let at = slot.0;
            *slot = (0, 0, 0);
            return at as *mut u8;
        }
        let base = self.memory.get() as usize;
        let start = (base + *used).next_multiple_of(layout.align());
        let end = start + size;
        if end > base + ARENA {
            return ptr::null_mut();
        }
        *used = end - base;
        start as *mut u8
    }

    unsafe fn dealloc(&self, at: *mut u8, layout: Layout) {
        // SAFETY: one thread, as above.
        let free = unsafe { &mut *self.free.get() };
        // A block with no free slot left is leaked: the arena is sized for that.
        if let Some(slot) = free.iter_mut().find(|(a, _, _)| *a == 0) {
            *slot = (at as usize, layout.size().max(1), layout.align());
        }
    }
}

/// The program's one allocator: its own Rust code's, and the library's through
/// `dqi_platform_alloc`.
#[global_allocator]
static ALLOCATOR: Arena = Arena {
    memory: UnsafeCell::new([0; ARENA]),
    used: UnsafeCell::new(0),
    free: UnsafeCell::new([(0, 0, 0); FREE_SLOTS]),
};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: libc's abort takes nothing and does not return.
    unsafe { abort() }
}

/// The precompiled `core` is built to unwind; with `panic = "abort"` nothing unwinds, but an
/// unoptimized build still names the unwinder's resume routine in its landing pads, and no
/// unwinder library is linked to provide it. Never called. (The personality routine the same
/// tables name, `rust_eh_personality`, comes from `libdqi.a`.)
#[unsafe(no_mangle)]
extern "C" fn _Unwind_Resume() -> ! {
    // SAFETY: as in `panic`.
    unsafe { abort() }
}

// The platform functions `libdqi.a` needs, from this program's own allocator and abort.

#[unsafe(no_mangle)]
extern "C" fn dqi_platform_alloc(size: usize, align: usize) -> *mut c_void {
    match Layout::from_size_align(size, align) {
        // SAFETY: a valid layout; the allocator returns NULL when exhausted.
        Ok(layout) => unsafe { ALLOCATOR.alloc(layout).cast() },
        Err(_) => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
extern "C" fn dqi_platform_free(at: *mut c_void, size: usize, align: usize) {
    if let Ok(layout) = Layout::from_size_align(size, align) {
        // SAFETY: `at` came from `dqi_platform_alloc` with this size and alignment.
        unsafe { ALLOCATOR.dealloc(at.cast(), layout) }
    }
}

#[unsafe(no_mangle)]
extern "C" fn dqi_platform_abort() -> ! {
    // SAFETY: as in `panic`.
    unsafe { abort() }
}

/// The engine ID, format 4 (text): "no-std".
const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04no-std";
/// The one user, and its keys' seeds: octet `i` of a key is `i * 31 + seed` (mod 256), so the
/// test derives the same localized keys.
const USER: &core::ffi::CStr = c"no-std";
const AUTH_SEED: u8 = 7;
const PRIV_SEED: u8 = 99;

fn key<const N: usize>(seed: u8) -> [u8; N] {
    let mut key = [0u8; N];
    for (i, octet) in key.iter_mut().enumerate() {
        *octet = (i as u8).wrapping_mul(31).wrapping_add(seed);
    }
    key
}

/// The boots store: this program has no storage, so every run is boot 1.
unsafe extern "C" fn next_boots(_: *mut c_void, boots: *mut u32) -> c_int {
    // SAFETY: the library passes a writable pointer.
    unsafe { *boots = 1 };
    0
}

/// Randomness: a fixed xorshift stream. A device feeds its hardware generator here; a test
/// program needs none.
unsafe extern "C" fn random(_: *mut c_void, buf: *mut u8, len: usize) -> c_int {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // SAFETY: the library passes `len` writable octets.
        unsafe { *buf.add(i) = state as u8 };
    }
    0
}

#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    match serve() {
        Ok(()) => 0,
        Err(step) => step,
    }
}

/// Fails with `step` (the exit status) unless the call returned `DQI_OK`.
fn check(result: dqi::dqi_result, step: c_int) -> Result<(), c_int> {
    if result == dqi::DQI_OK {
        Ok(())
    } else {
        Err(step)
    }
}

fn serve() -> Result<(), c_int> {
    let agent = start()?;
    let source = dqi::dqi_address {
        family: 4,
        addr: [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        port: 50_000,
    };
    let mut datagram = [0u8; 65_535];
    let mut reply = [0u8; 65_535];
    // Monotonic time: one millisecond per datagram, from one second.
    let mut now_us = 1_000_000u64;
    loop {
        let mut length = [0u8; 2];
        if !read_exact(&mut length)? {
            break;
        }
        let len = usize::from(u16::from_be_bytes(length));
        if !read_exact(&mut datagram[..len])? {
            return Err(20);
        }
        now_us += 1000;
        let mut out_len = 0usize;
        // SAFETY: every pointer is valid for the lengths given.
        let result = unsafe {
            dqi::dqi_handle(
                agent,
                datagram.as_ptr(),
                len,
                &source,
                now_us,
                reply.as_mut_ptr(),
                reply.len(),
                &mut out_len,
            )
        };
        check(result, 21)?;
        let framed = u16::try_from(out_len).map_err(|_| 22)?.to_be_bytes();
        write_all(&framed)?;
        write_all(&reply[..out_len])?;
    }
    // SAFETY: from `dqi_agent_start`, freed once.
    unsafe { dqi::dqi_agent_free(agent) };
    Ok(())
}

/// The agent: the user, the system group, and a snapshot with an identity and one software
/// row, through the C API as a C embedder would.
fn start() -> Result<*mut dqi::dqi_agent, c_int> {
    let mut builder = ptr::null_mut();
    // SAFETY: every pointer passed below is valid for the call, strings NUL-terminated.
    unsafe {
        check(
            dqi::dqi_builder_new(ENGINE_ID.as_ptr(), ENGINE_ID.len(), &mut builder),
            10,
        )?;
        check(
            dqi::dqi_builder_set_system(
                builder,
                c"no_std consumer".as_ptr(),
                ptr::null(),
                c"no-std-check".as_ptr(),
                ptr::null(),
            ),
            11,
        )?;
        let auth: [u8; 32] = key(AUTH_SEED);
        let privacy: [u8; 16] = key(PRIV_SEED);
        check(
            dqi::dqi_builder_add_user(
                builder,
                USER.as_ptr(),
                dqi::DQI_AUTH_SHA256,
                auth.as_ptr(),
                auth.len(),
                dqi::DQI_PRIV_AES128,
                privacy.as_ptr(),
                privacy.len(),
            ),
            12,
        )?;
        let platform = dqi::dqi_platform {
            userdata: ptr::null_mut(),
            next_boots: Some(next_boots),
            random: Some(random),
        };
        let mut agent = ptr::null_mut();
        check(
            dqi::dqi_agent_start(builder, &platform, 1_000_000, &mut agent),
            13,
        )?;
        let mut snapshot = ptr::null_mut();
        check(dqi::dqi_snapshot_new(&mut snapshot), 14)?;
        for (field, value) in [
            (dqi::DQI_ID_MANUFACTURER, c"Acme Medical Systems, Inc."),
            (dqi::DQI_ID_MODEL, c"IS-3000"),
            (dqi::DQI_ID_SERIAL, c"NOSTD-0001"),
        ] {
            check(
                dqi::dqi_snapshot_set_identity(snapshot, field, value.as_ptr()),
                15,
            )?;
        }
        let row = dqi::dqi_software {
            name: c"mbedtls".as_ptr(),
            version: c"3.6.2".as_ptr(),
            supplier: ptr::null(),
            purl: c"pkg:github/Mbed-TLS/mbedtls@3.6.2".as_ptr(),
            cpe: ptr::null(),
            kind: ptr::null(),
        };
        check(dqi::dqi_snapshot_add_software(snapshot, &row), 16)?;
        check(
            dqi::dqi_agent_install_snapshot(agent, snapshot, 1_000_000),
            17,
        )?;
        Ok(agent)
    }
}

/// Fills `buf` from stdin; `false` at the end of input before the first octet.
fn read_exact(buf: &mut [u8]) -> Result<bool, c_int> {
    let mut filled = 0;
    while filled < buf.len() {
        // SAFETY: the rest of `buf` is writable.
        let n = unsafe { read(0, buf[filled..].as_mut_ptr().cast(), buf.len() - filled) };
        match n {
            0 if filled == 0 => return Ok(false),
            0 => return Err(30),
            n if n < 0 => return Err(31),
            n => filled += n as usize,
        }
    }
    Ok(true)
}

fn write_all(mut buf: &[u8]) -> Result<(), c_int> {
    while !buf.is_empty() {
        // SAFETY: `buf` is readable.
        let n = unsafe { write(1, buf.as_ptr().cast(), buf.len()) };
        if n <= 0 {
            return Err(32);
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}
