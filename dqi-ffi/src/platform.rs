//! What the library takes from the embedder at link time: memory and the way to stop.
//!
//! A `no_std` library has neither an allocator nor a way to abort. The embedder links in
//!
//! ```c
//! void *dqi_platform_alloc(size_t size, size_t align); /* NULL when out of memory */
//! void dqi_platform_free(void *ptr, size_t size, size_t align);
//! void dqi_platform_abort(void);                        /* must not return */
//! ```
//!
//! On a hosted system these are `aligned_alloc`, `free` and `abort` (see `examples/c/`); on an
//! RTOS, its heap (or a pool sized for the snapshot) and its fault handler. The library calls
//! `dqi_platform_abort` only on a bug (a panic, which is never unwound into C) or when an
//! allocation fails.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use core::panic::PanicInfo;

unsafe extern "C" {
    /// Supplied by the embedder: a block of `size` octets aligned to `align`, or NULL when
    /// memory is exhausted (the library then stops through `dqi_platform_abort`).
    fn dqi_platform_alloc(size: usize, align: usize) -> *mut c_void;
    /// Supplied by the embedder: frees a block from `dqi_platform_alloc` of this size and
    /// alignment.
    fn dqi_platform_free(ptr: *mut c_void, size: usize, align: usize);
    /// Supplied by the embedder: stops on a bug in the library; must not return. No panic is
    /// unwound into C.
    fn dqi_platform_abort() -> !;
}

/// Allocates through the embedder's functions.
struct Platform;

// SAFETY: the embedder's functions follow the `GlobalAlloc` contract (documented in `dqi.h`):
// a block of at least `size` octets aligned to `align`, or NULL.
unsafe impl GlobalAlloc for Platform {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the layout's own size and alignment.
        unsafe { dqi_platform_alloc(layout.size(), layout.align()).cast() }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `dqi_platform_alloc` with this layout.
        unsafe { dqi_platform_free(ptr.cast(), layout.size(), layout.align()) }
    }
}

#[global_allocator]
static ALLOCATOR: Platform = Platform;

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    // SAFETY: the embedder's function, which does not return.
    unsafe { dqi_platform_abort() }
}

/// The precompiled `core` carries unwind tables that name this personality routine; with
/// `panic = "abort"` nothing ever unwinds, so it is never called. Defined here so that a C
/// program links the static library without an unwinder.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}
