//! Every file the agent opens or writes outside the network path: the configuration, the device
//! files (description, SBOMs, VEX) and the state directory (`engine`, `software-index`). Other
//! processes may write those files or the directories around them, so the rules are here, once:
//!
//! - **Reading** opens non-blocking (`open(2)` of a FIFO with no writer would otherwise wait
//!   forever, and with it a refresh, `--check-config` or shutdown), then requires a regular file
//!   by `fstat` of the opened descriptor (a swap after a path check cannot slip past): a FIFO, a
//!   socket, a device such as `/dev/zero` or a directory is refused by name. The size is checked
//!   before a byte is read and at most the limit plus one byte is ever read, so a file that grows
//!   while it is read is refused too.
//! - **Writing** ([`write_private`]) replaces a file atomically through a temporary file in the
//!   same directory that is unlinked first, created with `O_CREAT | O_EXCL | O_NOFOLLOW` and mode
//!   0600, written, fsynced and renamed over the target (`rename(2)` replaces a symbolic link
//!   rather than writing through it), then the directory is fsynced. A failed write (ENOSPC)
//!   removes its temporary file.
//! - Files in the state directory are opened with `O_NOFOLLOW`: a local user who can write the
//!   directory cannot point the agent at another file. [`check_state_dir`] refuses a directory
//!   others can write and warns about one its group can; [`remove_stale_temporaries`] removes
//!   the temporary files a killed agent left.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Whether [`open_regular`] follows a symbolic link at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow it (configuration and device files, which packaging often links).
    Follow,
    /// Refuse it (`O_NOFOLLOW`): files in the state directory.
    Refuse,
}

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed, or the file is not a regular file.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The file holds more than the limit: at least this many bytes.
    #[error("{0} bytes")]
    TooLarge(u64),
}

/// Opens `path` for reading without blocking and returns it if it is a regular file. A
/// non-regular file is an [`io::ErrorKind::InvalidInput`] error whose text says what it is; a
/// symbolic link refused by `links` is an error saying so.
pub fn open_regular(path: &Path, links: Links) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, flags);
    }
    let file = options.open(path).map_err(symlink_refused)?;
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "is {}, not a regular file; refusing to read it",
                kind_name(&kind)
            ),
        ));
    }
    Ok(file)
}

/// Reads `file` whole, refusing it when it holds more than `max_bytes`.
pub fn read_bounded(file: File, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let len = file.metadata()?.len();
    if len > max_bytes {
        return Err(ReadError::TooLarge(len));
    }
    let mut bytes = Vec::new();
    // The size from fstat sizes the buffer; the limit, not the size, bounds the read.
    bytes
        .try_reserve_exact(usize::try_from(len).unwrap_or(usize::MAX))
        .map_err(|e| io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()))?;
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > max_bytes {
        return Err(ReadError::TooLarge(read));
    }
    Ok(bytes)
}

/// Opens (as [`open_regular`]) and reads (as [`read_bounded`]) the file at `path`.
pub fn read_regular(path: &Path, links: Links, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    read_bounded(open_regular(path, links)?, max_bytes)
}

/// Where in `bytes` UTF-8 decoding fails, as `line L, column C` (1-based, column in bytes).
pub fn utf8_error_position(bytes: &[u8], valid_up_to: usize) -> String {
    let text = &bytes[..valid_up_to.min(bytes.len())];
    let line = text.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = text.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    format!("line {line}, column {}", text.len() - line_start + 1)
}

/// The temporary file [`write_private`] writes `file` through: `.<name>.<pid>.tmp` beside it.
pub fn temporary_for(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    file.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Replaces `file` (in directory `dir`) with `contents`, mode 0600, so that a crash leaves
/// either the old or the new file, never a torn one, and the new one survives a power loss once
/// this returns. On failure the error says which step failed; no temporary file is left.
pub fn write_private(dir: &Path, file: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let tmp = temporary_for(file);
    let fail = |path: &Path, action, source| WriteError {
        path: path.to_path_buf(),
        action,
        source,
    };
    // A leftover from a crash with our PID: unlinking removes a link itself, never its target.
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(&tmp, "remove a stale temporary file", e)),
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            libc::O_NOFOLLOW | libc::O_CLOEXEC,
        );
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let written = options
        .open(&tmp)
        .map_err(|e| fail(&tmp, "create a temporary file", symlink_refused(e)))
        .and_then(|mut f| {
            f.write_all(contents)
                .and_then(|()| f.sync_all())
                .map_err(|e| fail(&tmp, "write a temporary file", e))
        })
        .and_then(|()| fs::rename(&tmp, file).map_err(|e| fail(file, "replace the file", e)));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename is durable only once the directory entry is. Opening a directory fails on some
    // platforms (Windows); the rename is done either way there.
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| fail(dir, "sync the directory", e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A step of [`write_private`] failed.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot {action}: {source}", path.display())]
pub struct WriteError {
    /// The file or directory.
    pub path: PathBuf,
    /// What was being done.
    pub action: &'static str,
    /// The cause.
    #[source]
    pub source: io::Error,
}

/// Removes the temporary files agents killed mid-write left in `dir`: `.<name>.<pid>.tmp` of a
/// process that no longer runs (Linux: no `/proc/<pid>`), and the `<name>.tmp` files of earlier
/// releases for the given names. Returns the names removed.
pub fn remove_stale_temporaries(dir: &Path, legacy: &[&str]) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let ours = std::process::id();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = match temporary_pid(&name) {
            Some(pid) => pid != ours && !process_runs(pid),
            None => legacy.iter().any(|l| name.strip_suffix(".tmp") == Some(l)),
        };
        // remove_file unlinks a symbolic link itself, never its target.
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed.push(name);
        }
    }
    removed
}

/// The PID in `.<name>.<pid>.tmp`.
fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = rest.rsplit_once('.')?;
    pid.parse().ok()
}

fn process_runs(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        // Without /proc a live writer cannot be told from a dead one: keep its file.
        true
    }
}

/// How [`check_state_dir`] judges a directory's permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirPermissions {
    /// Only the owner can write it.
    Private,
    /// Its group can write it: allowed, with this warning.
    GroupWritable(String),
}

/// Checks who else can write the state directory `dir`: other users (`o+w`) are refused (they
/// could replace the engine file and with it snmpEngineBoots, or plant links), the group
/// (`g+w`) gives a warning. The text names the directory and the fix.
pub fn check_state_dir(dir: &Path) -> Result<DirPermissions, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mode = meta.permissions().mode();
        if mode & 0o002 != 0 {
            return Err(format!(
                "{}: the state directory is writable by every user (mode {:o}); run `chmod 700 {}`",
                dir.display(),
                mode & 0o7777,
                dir.display()
            ));
        }
        if mode & 0o020 != 0 {
            return Ok(DirPermissions::GroupWritable(format!(
                "{}: the state directory is writable by its group (mode {:o}); `chmod 700` it unless the group is trusted",
                dir.display(),
                mode & 0o7777
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(DirPermissions::Private)
}

/// The error [`open_regular`] and [`write_private`] give for a symbolic link they refused.
#[derive(Debug, thiserror::Error)]
#[error("is a symbolic link; refusing to follow it (remove it)")]
pub struct SymlinkRefused;

/// Whether `e` is a [`SymlinkRefused`].
pub fn is_symlink_refusal(e: &io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.is::<SymlinkRefused>())
}

// O_NOFOLLOW makes open(2) fail with ELOOP on a symbolic link: say so in words.
fn symlink_refused(e: io::Error) -> io::Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return io::Error::new(io::ErrorKind::InvalidInput, SymlinkRefused);
    }
    e
}

/// "a FIFO (named pipe)", "a directory"...: what a non-regular file is, for messages.
pub fn kind_name(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_dir::TempDir;

    #[test]
    fn reads_are_bounded_before_and_while_reading() {
        let dir = TempDir::new("size");
        let path = dir.join("sbom.json");
        fs::write(&path, [b'x'; 100]).unwrap();
        assert_eq!(read_regular(&path, Links::Follow, 100).unwrap().len(), 100);
        match read_regular(&path, Links::Follow, 99) {
            Err(ReadError::TooLarge(100)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_directories_and_fifos_are_refused_without_blocking() {
        let err = read_regular(Path::new("/dev/zero"), Links::Follow, 1 << 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "is a character device, not a regular file; refusing to read it"
        );
        let dir = TempDir::new("kinds");
        let err = read_regular(dir.path(), Links::Follow, 1 << 20).unwrap_err();
        assert!(err.to_string().starts_with("is a directory"), "{err}");
        let fifo = dir.join("sbom.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Without a writer, a blocking open would never return.
        let err = read_regular(&fifo, Links::Follow, 1 << 20).unwrap_err();
        assert!(
            err.to_string().starts_with("is a FIFO (named pipe)"),
            "{err}"
        );
        let link = dir.join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        let err = read_regular(&link, Links::Refuse, 1 << 20).unwrap_err();
        assert!(err.to_string().starts_with("is a symbolic link"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn private_writes_replace_links_and_never_write_through_them() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("write");
        let victim = dir.join("victim");
        fs::write(&victim, "precious").unwrap();
        let file = dir.join("software-index");
        // Links where the temporary file and the target go.
        std::os::unix::fs::symlink(&victim, temporary_for(&file)).unwrap();
        std::os::unix::fs::symlink(&victim, &file).unwrap();
        write_private(dir.path(), &file, b"new").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        let meta = fs::symlink_metadata(&file).unwrap();
        assert!(meta.file_type().is_file(), "the link was replaced");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");
        assert!(!temporary_for(&file).exists());
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let dir = TempDir::new("stale");
        let ours = format!(".engine.{}.tmp", std::process::id());
        for name in [
            ".engine.999999999.tmp",
            "software-index.tmp",
            "keep.tmp",
            ours.as_str(),
        ] {
            fs::write(dir.join(name), "").unwrap();
        }
        let mut removed = remove_stale_temporaries(dir.path(), &["software-index"]);
        removed.sort();
        if cfg!(target_os = "linux") {
            assert_eq!(removed, [".engine.999999999.tmp", "software-index.tmp"]);
        }
        assert!(dir.join("keep.tmp").exists() && dir.join(&ours).exists());
    }

    #[cfg(unix)]
    #[test]
    fn state_dir_writable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("perm");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(check_state_dir(dir.path()), Ok(DirPermissions::Private));
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o770)).unwrap();
        assert!(matches!(
            check_state_dir(dir.path()),
            Ok(DirPermissions::GroupWritable(_))
        ));
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_state_dir(dir.path()).unwrap_err();
        assert!(err.contains("writable by every user (mode 777)"), "{err}");
    }

    #[test]
    fn utf8_positions() {
        let bytes = b"[identity]\nname = \"ab\xff\"\n";
        assert_eq!(utf8_error_position(bytes, 21), "line 2, column 11");
    }
}
