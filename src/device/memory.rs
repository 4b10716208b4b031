//! The memory a new snapshot needs, checked before it is built, and returning memory after a
//! refresh.
//!
//! Rust aborts the process when an allocation fails, so a reload that does not fit must be
//! refused before it allocates: the agent would otherwise stop answering instead of keeping the
//! previous data. The loader therefore estimates what each step will need from what it already
//! knows (file sizes before parsing, the component count before building rows and the tree) and
//! compares it with the smallest of:
//!
//! - `[device.limits] max_memory_mib`;
//! - the address space left under `RLIMIT_AS` (`/proc/self/limits` minus `VmSize`);
//! - the memory left in the process's cgroup v2 (`memory.max` minus `memory.current`);
//! - the system's `MemAvailable`.
//!
//! The estimates are upper bounds measured on this code (`benches/device_load.rs` prints the
//! measurement): parsing a JSON document takes at most [`PARSE_BYTES_PER_BYTE`] bytes per byte
//! of file, and a software row with its share of the snapshot and of the served tree at most
//! [`BYTES_PER_ROW`].
//!
//! After a refresh the old tree is freed; [`release`] then asks the allocator to hand free pages
//! back to the system (glibc keeps them otherwise), through a hook the binary installs, since
//! the library has no unsafe code.

use std::string::String;
use std::sync::OnceLock;

use super::DeviceError;
use super::limits::Limits;

/// Peak bytes of memory to parse one byte of JSON: the file, the `Value` tree, the imported
/// components.
pub const PARSE_BYTES_PER_BYTE: u64 = 12;

/// Bytes of memory per software row while a snapshot is built: the row, its copy kept to
/// compare the next refresh with, the index map entry and the tree entries serving it.
pub const BYTES_PER_ROW: u64 = 8 * 1024;

/// The estimated peak for parsing `file_bytes` bytes of JSON.
pub fn for_parsing(file_bytes: u64) -> u64 {
    file_bytes.saturating_mul(PARSE_BYTES_PER_BYTE)
}

/// The estimated memory for `rows` software rows.
pub fn for_rows(rows: usize) -> u64 {
    u64::try_from(rows)
        .unwrap_or(u64::MAX)
        .saturating_mul(BYTES_PER_ROW)
}

/// Refuses `need` more bytes of memory, on behalf of `file`, when it is over the budget in
/// `limits` or over what the process can still allocate.
pub fn check(need: u64, limits: &Limits, file: &str) -> Result<(), DeviceError> {
    let refuse = |why: String| DeviceError::Memory {
        file: String::from(file),
        need_mib: need.div_ceil(1 << 20),
        why,
    };
    if need > limits.max_memory_bytes() {
        return Err(refuse(format!(
            "that is over the limit `[device.limits] max_memory_mib = {}`",
            limits.max_memory_mib
        )));
    }
    if let Some((left, bound)) = headroom()
        && need > left
    {
        return Err(refuse(format!(
            "only {} MiB can be allocated ({bound})",
            left >> 20
        )));
    }
    Ok(())
}

/// The bytes the process can still allocate and which bound sets that, or `None` when no bound
/// can be read (not Linux).
pub fn headroom() -> Option<(u64, &'static str)> {
    let status = std::fs::read_to_string("/proc/self/status").ok();
    let status_kib = |key: &str| status.as_deref().and_then(|s| kib_field(s, key));
    let mut bounds: Vec<(u64, &'static str)> = Vec::new();
    if let (Some(limit), Some(size)) = (address_space_limit(), status_kib("VmSize:")) {
        bounds.push((limit.saturating_sub(size * 1024), "RLIMIT_AS"));
    }
    if let Some(left) = cgroup_left() {
        bounds.push((left, "cgroup memory.max"));
    }
    if let Some(avail) = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| kib_field(&m, "MemAvailable:"))
    {
        bounds.push((avail * 1024, "MemAvailable"));
    }
    bounds.into_iter().min_by_key(|(left, _)| *left)
}

/// A hook that returns freed memory to the system; see [`set_release`].
static RELEASE: OnceLock<fn()> = OnceLock::new();

/// Installs the function [`release`] calls (the binary installs glibc's `malloc_trim(0)`).
/// Only the first call counts.
pub fn set_release(hook: fn()) {
    let _ = RELEASE.set(hook);
}

/// Returns freed memory to the system, if a hook is installed: called after a refresh freed the
/// previous tree, so an inventory that shrank does not keep the old one's pages.
pub fn release() {
    if let Some(hook) = RELEASE.get() {
        hook();
    }
}

// `Max address space  <soft>  <hard>  bytes` in /proc/self/limits; `None` when unlimited.
fn address_space_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

// memory.max minus memory.current of this process's cgroup (v2); `None` without a limit.
fn cgroup_left() -> Option<u64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let read = |name: &str| -> Option<u64> {
        std::fs::read_to_string(dir.join(name))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    let max = read("memory.max")?;
    Some(max.saturating_sub(read("memory.current").unwrap_or(0)))
}

// `Key:   1234 kB` in /proc files.
fn kib_field(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_refuses_with_the_key() {
        let limits = Limits {
            max_memory_mib: 1,
            ..Limits::default()
        };
        assert!(check(1 << 20, &limits, "a.json").is_ok());
        let err = check((1 << 20) + 1, &limits, "a.json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "a.json: building the snapshot needs about 2 MiB, but that is over the limit \
             `[device.limits] max_memory_mib = 1`; keeping the previous data"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn headroom_is_read_on_linux() {
        let (left, _) = headroom().expect("MemAvailable at least");
        assert!(left > 0);
        assert_eq!(kib_field("VmSize:\t  2048 kB\n", "VmSize:"), Some(2048));
    }
}
