//! No passphrase or key is left in freed heap memory by the key derivation (issue 12 #6).
//!
//! A core of a running agent held the last privacy passphrase three times in a freed 64-byte
//! block: `password_to_key` grew its buffer past the reserved size, and the reallocation freed
//! the old buffer without zeroing it. This test binary's allocator looks at every block as it is
//! freed and counts those that still hold the secret being watched.
#![cfg(feature = "server")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use dqi_agent::usm::{AuthProtocol, PrivKey, PrivProtocol};

/// The allocator: the system's, with a look at each freed block while `WATCHING`.
struct Watching;

static WATCHING: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);
/// The bytes looked for (at most 64), and how many.
static SECRET: [AtomicUsize; 64] = [const { AtomicUsize::new(0) }; 64];
static SECRET_LEN: AtomicUsize = AtomicUsize::new(0);
/// One watched run at a time.
static SERIAL: Mutex<()> = Mutex::new(());

// SAFETY: every call is forwarded to the system allocator unchanged; `dealloc` only reads the
// block it is handed, which is valid for `layout.size()` bytes until it is freed.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::Relaxed) {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if holds_secret(block) {
                FOUND.fetch_add(1, Ordering::Relaxed);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

// No allocation in here: it runs inside the allocator.
fn holds_secret(block: &[u8]) -> bool {
    let n = SECRET_LEN.load(Ordering::Relaxed);
    if n == 0 || block.len() < n {
        return false;
    }
    (0..=block.len() - n)
        .any(|start| (0..n).all(|i| block[start + i] as usize == SECRET[i].load(Ordering::Relaxed)))
}

/// How many freed blocks held `secret` while `run` ran.
fn freed_blocks_holding(secret: &[u8], run: impl FnOnce()) -> usize {
    let _one = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    assert!(secret.len() <= 64);
    for (slot, &b) in SECRET.iter().zip(secret) {
        slot.store(usize::from(b), Ordering::Relaxed);
    }
    SECRET_LEN.store(secret.len(), Ordering::Relaxed);
    FOUND.store(0, Ordering::Relaxed);
    WATCHING.store(true, Ordering::SeqCst);
    run();
    WATCHING.store(false, Ordering::SeqCst);
    SECRET_LEN.store(0, Ordering::Relaxed);
    FOUND.load(Ordering::Relaxed)
}

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04heap-test";

#[test]
fn password_to_key_leaves_no_passphrase_in_freed_memory() {
    // Lengths around the 64-octet chunk: shorter passphrases were repeated past the buffer.
    for passphrase in [
        &b"priv-passphrase-21ch"[..],
        b"eight888",
        b"a passphrase of exactly sixty-four octets, for the edge case....",
        b"a passphrase longer than one sixty-four octet chunk of the hash input",
    ] {
        // A window of the passphrase is enough to find a copy of it.
        let window = &passphrase[..passphrase.len().min(16)];
        for protocol in [AuthProtocol::Md5, AuthProtocol::Sha1, AuthProtocol::Sha512] {
            let found = freed_blocks_holding(window, || {
                drop(protocol.password_to_key(passphrase));
            });
            assert_eq!(found, 0, "{protocol:?}, {} octets", passphrase.len());
        }
    }
}

#[test]
fn extended_privacy_keys_leave_no_key_in_freed_memory() {
    // SHA-1 gives 20 octets, AES-256 needs 32: the key is extended (Blumenthal, and Reeder for
    // the -C variant), which grew the localized key in place.
    let passphrase = b"privacy-passphrase";
    let kul =
        AuthProtocol::Sha1.localize(&AuthProtocol::Sha1.password_to_key(passphrase), ENGINE_ID);
    let window = kul[..16].to_vec();
    drop(kul);
    for protocol in [
        PrivProtocol::Aes256,
        PrivProtocol::Aes256C,
        PrivProtocol::Aes192,
    ] {
        let found = freed_blocks_holding(&window, || {
            drop(PrivKey::from_password(
                protocol,
                AuthProtocol::Sha1,
                passphrase,
                ENGINE_ID,
            ));
        });
        assert_eq!(found, 0, "{protocol:?}");
    }
}
