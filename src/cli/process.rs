//! The process-wide protections the library cannot set itself (it has no unsafe code): no core
//! dumps while passphrases and keys are in memory, and handing freed memory back to the system.

/// The core size limit before [`forbid_core_dumps`] lowered it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CoreLimit(libc::rlimit);

/// Marks the process not dumpable (`PR_SET_DUMPABLE` 0: no core, and no ptrace or
/// `/proc/<pid>/mem` access by other processes of the same user) and sets `RLIMIT_CORE` to
/// 0, so a crash cannot write the passphrases and keys in memory to disk.
pub(crate) fn forbid_core_dumps() -> std::io::Result<CoreLimit> {
    let mut original = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit through a valid pointer to a local.
    if unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut original) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let zero = libc::rlimit {
        rlim_cur: 0,
        rlim_max: original.rlim_max,
    };
    // SAFETY: setrlimit reads one rlimit through a valid pointer to a local.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    set_dumpable(false)?;
    Ok(CoreLimit(original))
}

/// Undoes [`forbid_core_dumps`] (`agent.core_dumps = true`).
pub(crate) fn allow_core_dumps(original: CoreLimit) -> std::io::Result<()> {
    // SAFETY: setrlimit reads one rlimit through a valid pointer.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &original.0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    set_dumpable(true)
}

#[cfg(target_os = "linux")]
fn set_dumpable(on: bool) -> std::io::Result<()> {
    // SAFETY: PR_SET_DUMPABLE takes one integer argument and touches no memory.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, libc::c_ulong::from(on), 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn set_dumpable(_on: bool) -> std::io::Result<()> {
    Ok(())
}

/// Hands the allocator's free pages back to the system (glibc keeps them otherwise), after
/// a refresh freed the previous tree.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}
