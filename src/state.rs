//! The state directory: the engine ID and the boot counter, kept across restarts.
//!
//! USM's replay protection rests on two numbers a manager caches per engine: snmpEngineID, which
//! names the engine and to which every key is localized, and snmpEngineBoots, which must grow on
//! every restart so that a message captured during an earlier boot is never in the time window
//! again (RFC 3411 §5, RFC 3414 §2.2). This module owns the file that keeps them and the random
//! numbers the driver hands the protocol core.
//!
//! - The file is `<state_dir>/engine`, two lines of text (`engine_id = <hex>`, `boots = <n>`).
//! - [`State::open`] reads it (missing file: boots 0), increments boots and writes it back
//!   atomically (temporary file in the same directory, write, fsync, rename, fsync the
//!   directory), all before a socket opens. Any failure refuses the start-up: an agent that
//!   cannot record a boot would reuse one, and with it the time window of captured messages.
//! - A symbolic link in place of the file is refused, never followed (`O_NOFOLLOW`), so a local
//!   user who can write the directory cannot make the agent overwrite another file.
//! - Without `agent.engine_id`, an engine ID is generated once in the RFC 3411 format 5
//!   (octets): `80 00 1f 88` (the enterprise number [`ENTERPRISE_NUMBER`] with the top bit set),
//!   `05`, then 12 random octets from `/dev/urandom`, 17 octets in all.
//! - A configured engine ID that differs from the stored one wins and is stored; boots restarts
//!   at 1, since snmpEngineBoots counts restarts "since snmpEngineID was last configured"
//!   (RFC 3411 §5). Removing `agent.engine_id` later keeps the stored one.
//! - `<state_dir>/configuration` keeps the configuration's fingerprint at the last start
//!   ([`State::record_configuration`]); [`PendingBoot::unaltered`] compares the next start's
//!   with it: SNMPv2-MIB's warmStart when equal, coldStart on any doubt. It is advisory: a
//!   missing or unreadable record, or one that cannot be written, never stops a start.
//! - At 2147483647 boots stay latched (RFC 3414 §2.2.2); the agent then logs that the engine ID
//!   must change.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::files::{self, Links, ReadError, is_symlink_refusal};
use crate::hex::{check_engine_id, from_hex, to_hex};

/// The IANA private enterprise number in generated engine IDs (net-snmp's, as `sysObjectID`'s
/// default is): change it, with [`crate::config::DEFAULT_OBJECT_ID`], to the product's own.
pub const ENTERPRISE_NUMBER: u32 = 8072;
/// snmpEngineBoots' ceiling, where it stays (RFC 3414 §2.2.2).
pub const MAX_BOOTS: u32 = 2_147_483_647;
/// The state file's name inside the state directory.
pub const STATE_FILE: &str = "engine";
/// The file recording the configuration's fingerprint at the last start
/// ([`crate::config::Config::fingerprint`]): whether a start is a warmStart.
pub const CONFIGURATION_FILE: &str = "configuration";
/// Temporary files of earlier releases, named `<file>.tmp` rather than `.<file>.<pid>.tmp`.
const LEGACY_TEMPORARIES: &[&str] = &["software-index"];
/// Random octets after the format octet of a generated engine ID.
const GENERATED_ID_RANDOM: usize = 12;
/// Largest state file read; it is under 100 bytes.
const MAX_STATE_BYTES: u64 = 4096;

/// The engine's persistent identity for this run.
#[derive(Debug)]
pub struct State {
    /// The state directory, for the temporary file and the directory fsync.
    dir: PathBuf,
    /// `<dir>/engine`.
    file: PathBuf,
    /// snmpEngineID in use.
    engine_id: Vec<u8>,
    /// snmpEngineBoots as last written.
    boots: u32,
}

/// Why the state directory could not be used. The agent refuses to start on any of them.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A file system operation failed.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done, e.g. "create the state directory".
        action: &'static str,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A symbolic link where the state file or its temporary file belongs.
    #[error("{}: is a symbolic link; refusing to follow it (remove it)", path.display())]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// The state directory's path names something else (a regular file, a socket).
    #[error(
        "{}: agent.state_dir is {kind}, not a directory; name a directory (created, mode 0700, \
         if missing)",
        path.display()
    )]
    NotADirectory {
        /// The path.
        path: PathBuf,
        /// What it is: `a regular file`, `a socket`.
        kind: &'static str,
    },
    /// Other users can write the state directory: they could replace the state file.
    #[error("{0}")]
    Permissions(String),
    /// The state file does not hold an engine ID and boot counter.
    #[error(
        "{}: corrupt state file: {reason}; restore it, or remove it to start a new engine \
         (managers then rediscover it, and without agent.engine_id a new engine ID is generated)",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// A state directory settled by [`State::prepare`], this boot not yet counted.
#[derive(Debug)]
pub struct PendingBoot {
    state: State,
    boots: u32,
    /// The engine ran before under this engine ID (its boots continue).
    continued: bool,
    /// The configuration fingerprint its last start recorded, if readable.
    previous: Option<[u8; 32]>,
}

impl PendingBoot {
    /// snmpEngineID.
    pub fn engine_id(&self) -> &[u8] {
        &self.state.engine_id
    }

    /// The snmpEngineBoots this boot will have once counted.
    pub fn boots(&self) -> u32 {
        self.boots
    }

    /// Whether this start reinitializes the same engine with its configuration unaltered, the
    /// condition of SNMPv2-MIB's warmStart: the engine ran before under this engine ID and its
    /// last start recorded `fingerprint`. Anything not known (a first start, a new engine ID,
    /// no readable record) may have been altered: coldStart.
    pub fn unaltered(&self, fingerprint: &[u8; 32]) -> bool {
        self.continued && self.previous.as_ref() == Some(fingerprint)
    }

    /// Durably writes this boot's snmpEngineBoots and returns the state for this run.
    pub fn count(self) -> Result<State, StateError> {
        let PendingBoot {
            mut state, boots, ..
        } = self;
        state.persist_boots(boots)?;
        if boots == MAX_BOOTS {
            tracing::error!(
                file = %state.file.display(),
                "snmpEngineBoots is latched at 2147483647 (RFC 3414 §2.2.2): authenticated requests \
                 will fail; configure a new agent.engine_id (and keys)"
            );
        }
        Ok(state)
    }
}

impl State {
    /// Opens (creating it, mode 0700, if needed) the state directory `dir`, settles the engine ID
    /// (`configured` if given, else the stored one, else a new one), increments and durably
    /// writes snmpEngineBoots, and returns the state for this run.
    pub fn open(dir: &Path, configured: Option<&[u8]>) -> Result<State, StateError> {
        State::prepare(dir, configured)?.count()
    }

    /// [`State::open`] without counting the boot: the directory is settled and the engine ID
    /// chosen, but nothing is written (neither a generated engine ID nor snmpEngineBoots) until
    /// [`PendingBoot::count`]. The agent counts a boot only once its sockets are bound: a start
    /// that fails before it can receive anything sent no (boots, time) pair, so skipping it
    /// loses none of RFC 3414 §2.2's replay protection, while the count still reaches the disk
    /// before the first message that carries it.
    pub fn prepare(dir: &Path, configured: Option<&[u8]>) -> Result<PendingBoot, StateError> {
        create_dir(dir)?;
        match files::check_state_dir(dir).map_err(StateError::Permissions)? {
            files::DirPermissions::Private => {}
            files::DirPermissions::GroupWritable(warning) => tracing::warn!("{warning}"),
        }
        for name in files::remove_stale_temporaries(dir, LEGACY_TEMPORARIES) {
            tracing::info!(
                dir = %dir.display(),
                "removed {name}, a temporary file an interrupted agent left"
            );
        }
        let file = dir.join(STATE_FILE);
        let stored = read_state(&file)?;
        let continued = match (configured, &stored) {
            (Some(id), Some((stored_id, _))) => id == stored_id.as_slice(),
            (None, Some(_)) => true,
            (_, None) => false,
        };
        let previous = read_configuration(&dir.join(CONFIGURATION_FILE));
        let (engine_id, boots) = match (configured, stored) {
            (Some(id), Some((stored_id, boots))) if id == stored_id.as_slice() => {
                (stored_id, next_boots(boots))
            }
            (Some(id), Some((stored_id, _))) => {
                tracing::warn!(
                    old = %to_hex(&stored_id),
                    new = %to_hex(id),
                    "configured engine ID differs from the stored one; using it, snmpEngineBoots restarts at 1"
                );
                (id.to_vec(), 1)
            }
            (Some(id), None) => (id.to_vec(), 1),
            (None, Some((stored_id, boots))) => (stored_id, next_boots(boots)),
            (None, None) => (generate_engine_id()?, 1),
        };
        let state = State {
            dir: dir.to_path_buf(),
            file,
            engine_id,
            boots: 0,
        };
        Ok(PendingBoot {
            state,
            boots,
            continued,
            previous,
        })
    }

    /// snmpEngineID.
    pub fn engine_id(&self) -> &[u8] {
        &self.engine_id
    }

    /// snmpEngineBoots as last written.
    pub fn boots(&self) -> u32 {
        self.boots
    }

    /// The state file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Records `fingerprint` as this start's configuration, for the next start's
    /// [`PendingBoot::unaltered`]. A failure is logged, not fatal: the next start then cannot
    /// tell, and sends coldStart, the notification that claims less.
    pub fn record_configuration(&self, fingerprint: &[u8; 32]) {
        let file = self.dir.join(CONFIGURATION_FILE);
        let text = format!(
            "# dqi-agent: the configuration's fingerprint at the last start (coldStart or \
             warmStart); written by the agent\nfingerprint = {}\n",
            to_hex(fingerprint)
        );
        if let Err(e) = write_atomically(&self.dir, &file, text.as_bytes()) {
            tracing::warn!(error = %e, "cannot record the configuration's fingerprint; the next start sends coldStart");
        }
    }

    /// Durably records `boots` (called when engineTime wraps and the agent bumps it).
    pub fn persist_boots(&mut self, boots: u32) -> Result<(), StateError> {
        let boots = boots.min(MAX_BOOTS);
        let text = format!(
            "# dqi-agent engine state (RFC 3411 snmpEngineID, snmpEngineBoots); written by the agent\n\
             engine_id = {}\nboots = {boots}\n",
            to_hex(&self.engine_id)
        );
        write_atomically(&self.dir, &self.file, text.as_bytes())?;
        self.boots = boots;
        Ok(())
    }
}

/// Fills `buf` from the kernel's random source.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), StateError> {
    let path = Path::new("/dev/urandom");
    File::open(path)
        .and_then(|mut f| f.read_exact(buf))
        .map_err(|source| StateError::Io {
            path: path.to_path_buf(),
            action: "read random octets",
            source,
        })
}

/// A random seed (8 octets from the OS), fresh every start: one for the privacy salts, another
/// for the budget's hash keys, so that the salts on the wire reveal nothing of the latter.
pub fn random_seed() -> Result<u64, StateError> {
    let mut seed = [0u8; 8];
    random_bytes(&mut seed)?;
    Ok(u64::from_be_bytes(seed))
}

/// A new engine ID in RFC 3411 format 5: enterprise number with the top bit set, `05`, and 12
/// random octets.
pub fn generate_engine_id() -> Result<Vec<u8>, StateError> {
    let mut id = Vec::with_capacity(5 + GENERATED_ID_RANDOM);
    id.extend_from_slice(&(ENTERPRISE_NUMBER | 0x8000_0000).to_be_bytes());
    id.push(5);
    let mut random = [0u8; GENERATED_ID_RANDOM];
    random_bytes(&mut random)?;
    id.extend_from_slice(&random);
    Ok(id)
}

fn next_boots(stored: u32) -> u32 {
    stored.saturating_add(1).min(MAX_BOOTS)
}

fn create_dir(dir: &Path) -> Result<(), StateError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| {
        // `create` says only "File exists" when the path (or a parent) is not a directory.
        match fs::metadata(dir) {
            Ok(meta) if !meta.is_dir() => StateError::NotADirectory {
                path: dir.to_path_buf(),
                kind: if meta.is_file() {
                    "a regular file"
                } else {
                    files::kind_name(&meta.file_type())
                },
            },
            _ => StateError::Io {
                path: dir.to_path_buf(),
                action: "create the state directory",
                source,
            },
        }
    })
}

/// The stored engine ID and boots; `None` when the file does not exist.
fn read_state(file: &Path) -> Result<Option<(Vec<u8>, u32)>, StateError> {
    let corrupt = |reason: String| StateError::Corrupt {
        path: file.to_path_buf(),
        reason,
    };
    let bytes = match files::read_regular(file, Links::Refuse, MAX_STATE_BYTES) {
        Ok(bytes) => bytes,
        Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(ReadError::Io(e)) if is_symlink_refusal(&e) => {
            return Err(StateError::Symlink {
                path: file.to_path_buf(),
            });
        }
        // Never cut to the limit and parsed: the lines after it could hold the real boots.
        Err(ReadError::TooLarge(n)) => {
            return Err(corrupt(format!(
                "{n} bytes, larger than the {MAX_STATE_BYTES} a state file can be"
            )));
        }
        Err(ReadError::Io(source)) => {
            return Err(StateError::Io {
                path: file.to_path_buf(),
                action: "read the state file",
                source,
            });
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| corrupt("not UTF-8 text".to_string()))?;
    parse_state(&text).map(Some).map_err(corrupt)
}

fn parse_state(text: &str) -> Result<(Vec<u8>, u32), String> {
    let mut engine_id = None;
    let mut boots = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let n = i + 1;
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {n}: expected `key = value`"))?;
        let value = value.trim();
        let slot_taken = match key.trim() {
            "engine_id" => {
                let id =
                    from_hex(value).ok_or_else(|| format!("line {n}: engine_id is not hex"))?;
                check_engine_id(&id).map_err(|p| format!("line {n}: engine_id: {p}"))?;
                engine_id.replace(id).is_some()
            }
            "boots" => {
                let b = value
                    .parse::<u32>()
                    .ok()
                    .filter(|b| *b <= MAX_BOOTS)
                    .ok_or_else(|| {
                        format!("line {n}: boots is not a number from 0 to {MAX_BOOTS}")
                    })?;
                boots.replace(b).is_some()
            }
            other => return Err(format!("line {n}: unknown key {other:?}")),
        };
        if slot_taken {
            return Err(format!("line {n}: {} appears twice", key.trim()));
        }
    }
    match (engine_id, boots) {
        (Some(id), Some(b)) => Ok((id, b)),
        (None, _) => Err("no engine_id line".to_string()),
        (_, None) => Err("no boots line".to_string()),
    }
}

/// The fingerprint in `file`; `None` when missing or unreadable (any doubt is coldStart).
fn read_configuration(file: &Path) -> Option<[u8; 32]> {
    let bytes = files::read_regular(file, Links::Refuse, MAX_STATE_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("fingerprint"))
        .find_map(|rest| from_hex(rest.trim_start().strip_prefix('=')?.trim()))?
        .try_into()
        .ok()
}

/// Replaces `file` with `contents` atomically and durably, through [`files::write_private`].
fn write_atomically(dir: &Path, file: &Path, contents: &[u8]) -> Result<(), StateError> {
    files::write_private(dir, file, contents).map_err(|e| {
        if is_symlink_refusal(&e.source) {
            return StateError::Symlink { path: e.path };
        }
        StateError::Io {
            path: e.path,
            action: e.action,
            source: e.source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_dir::TempDir;

    const CONFIGURED: &[u8] = &[0x80, 0x00, 0x1f, 0x88, 0x04, b'd', b'q', b'i'];

    #[test]
    fn a_start_is_unaltered_only_after_one_that_recorded_the_same_configuration() {
        let tmp = TempDir::new("warm");
        let dir = tmp.path();
        let (one, two) = ([1u8; 32], [2u8; 32]);
        // First start: nothing recorded, coldStart.
        let first = State::prepare(dir, Some(CONFIGURED)).unwrap();
        assert!(!first.unaltered(&one));
        first.count().unwrap().record_configuration(&one);
        // Same engine, same configuration: warmStart; another configuration: coldStart.
        let again = State::prepare(dir, Some(CONFIGURED)).unwrap();
        assert!(again.unaltered(&one));
        assert!(!again.unaltered(&two));
        again.count().unwrap();
        // A new engine ID is a new engine, whatever the record says.
        let other = State::prepare(dir, Some(&[0x80, 0, 0x1f, 0x88, 4, b'x'])).unwrap();
        assert!(!other.unaltered(&one));
        // An unreadable record is a doubt: coldStart.
        fs::write(dir.join(CONFIGURATION_FILE), "fingerprint = zz\n").unwrap();
        assert!(
            !State::prepare(dir, Some(CONFIGURED))
                .unwrap()
                .unaltered(&one)
        );
        let state = State::prepare(dir, Some(CONFIGURED))
            .unwrap()
            .count()
            .unwrap();
        state.record_configuration(&two);
        assert!(
            State::prepare(dir, Some(CONFIGURED))
                .unwrap()
                .unaltered(&two)
        );
    }

    #[test]
    fn first_start_generates_an_rfc3411_engine_id_and_boot_one() {
        let tmp = TempDir::new("fresh");
        let dir = tmp.join("nested");
        let state = State::open(&dir, None).unwrap();
        let id = state.engine_id();
        assert_eq!(id.len(), 17);
        assert_eq!(id[..5], [0x80, 0x00, 0x1f, 0x88, 0x05]);
        assert_eq!(state.boots(), 1);
        let text = fs::read_to_string(dir.join("engine")).unwrap();
        assert!(
            text.contains(&format!("engine_id = {}\nboots = 1\n", to_hex(id))),
            "{text}"
        );
        // Two generated IDs differ: the random part is random.
        assert_ne!(generate_engine_id().unwrap(), generate_engine_id().unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
                0o700
            );
            assert_eq!(
                fs::metadata(state.file()).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn restarts_keep_the_id_and_increment_boots() {
        let tmp = TempDir::new("restart");
        let first = State::open(tmp.path(), None).unwrap();
        let second = State::open(tmp.path(), None).unwrap();
        let third = State::open(tmp.path(), None).unwrap();
        assert_eq!(first.engine_id(), third.engine_id());
        assert_eq!([first.boots(), second.boots(), third.boots()], [1, 2, 3]);
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["engine"], "no temporary file left behind");
    }

    #[test]
    fn configured_engine_id_wins_and_resets_boots() {
        let tmp = TempDir::new("configured");
        let generated = State::open(tmp.path(), None).unwrap();
        State::open(tmp.path(), None).unwrap();
        let configured = State::open(tmp.path(), Some(CONFIGURED)).unwrap();
        assert_eq!(configured.engine_id(), CONFIGURED);
        assert_ne!(generated.engine_id(), CONFIGURED);
        assert_eq!(
            configured.boots(),
            1,
            "boots count restarts since the ID was configured"
        );
        assert_eq!(
            State::open(tmp.path(), Some(CONFIGURED)).unwrap().boots(),
            2
        );
        // Dropping the key from the config keeps the stored ID.
        let later = State::open(tmp.path(), None).unwrap();
        assert_eq!((later.engine_id(), later.boots()), (CONFIGURED, 3));
    }

    #[test]
    fn boots_latch_at_the_maximum() {
        let tmp = TempDir::new("latch");
        let mut state = State::open(tmp.path(), Some(CONFIGURED)).unwrap();
        state.persist_boots(MAX_BOOTS - 1).unwrap();
        assert_eq!(State::open(tmp.path(), None).unwrap().boots(), MAX_BOOTS);
        assert_eq!(State::open(tmp.path(), None).unwrap().boots(), MAX_BOOTS);
        state.persist_boots(u32::MAX).unwrap();
        assert_eq!(state.boots(), MAX_BOOTS);
    }

    #[test]
    fn persist_boots_is_read_back() {
        let tmp = TempDir::new("persist");
        let mut state = State::open(tmp.path(), None).unwrap();
        state.persist_boots(41).unwrap();
        assert_eq!(state.boots(), 41);
        assert_eq!(State::open(tmp.path(), None).unwrap().boots(), 42);
    }

    #[test]
    fn corrupt_files_are_named_and_refused() {
        let tmp = TempDir::new("corrupt");
        let file = tmp.join("engine");
        let cases = [
            ("garbage", "line 1: expected `key = value`"),
            ("engine_id = 80001f880501\n", "no boots line"),
            ("boots = 3\n", "no engine_id line"),
            (
                "engine_id = 8000zz\nboots = 1\n",
                "line 1: engine_id is not hex",
            ),
            (
                "engine_id = 0000000000\nboots = 1\n",
                "line 1: engine_id: all zeros",
            ),
            (
                "engine_id = 80001f880501\nboots = 2147483648\n",
                "line 2: boots is not a number",
            ),
            (
                "engine_id = 80001f880501\nboots = -1\n",
                "line 2: boots is not a number",
            ),
            (
                "engine_id = 80001f880501\nboots = 1\nboots = 2\n",
                "line 3: boots appears twice",
            ),
            (
                "engine_id = 80001f880501\nboots = 1\ncolour = red\n",
                "line 3: unknown key \"colour\"",
            ),
        ];
        for (text, reason) in cases {
            fs::write(&file, text).unwrap();
            let msg = State::open(tmp.path(), None).unwrap_err().to_string();
            let expected = format!("{}: corrupt state file: {reason}", file.display());
            assert!(msg.starts_with(&expected), "{text:?}: {msg}");
            assert_eq!(
                fs::read_to_string(&file).unwrap(),
                text,
                "a corrupt file is left for inspection"
            );
        }
        fs::write(&file, "# comment\n\n  engine_id = 80001F880501 \nboots=7\n").unwrap();
        assert_eq!(State::open(tmp.path(), None).unwrap().boots(), 8);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_state_file_is_refused_not_followed() {
        let tmp = TempDir::new("symlink");
        let target = tmp.join("precious");
        fs::write(&target, "engine_id = 80001f880501\nboots = 1\n").unwrap();
        std::os::unix::fs::symlink(&target, tmp.join("engine")).unwrap();
        let err = State::open(tmp.path(), None).unwrap_err();
        assert!(matches!(err, StateError::Symlink { .. }), "{err:?}");
        assert!(
            err.to_string()
                .ends_with("engine: is a symbolic link; refusing to follow it (remove it)"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "engine_id = 80001f880501\nboots = 1\n"
        );
    }

    // Regression (issue 12 #8): a file over 4096 bytes was cut there and parsed, so a valid
    // file padded with a comment lost its real `boots` line and the earlier value was reused.
    #[test]
    fn an_oversized_state_file_is_corrupt_not_truncated() {
        let tmp = TempDir::new("oversized");
        let file = tmp.join("engine");
        let text = format!(
            "engine_id = 80001f880501\nboots = 5\n# {}\nboots = 99\n",
            "x".repeat(4100)
        );
        fs::write(&file, &text).unwrap();
        let msg = State::open(tmp.path(), None).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!(
                "{}: corrupt state file: {} bytes, larger than the 4096",
                file.display(),
                text.len()
            )),
            "{msg}"
        );
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            text,
            "left for inspection"
        );
    }

    // Regression (issue 12 #4): a FIFO at `engine` blocked start-up in open(2) forever.
    #[cfg(unix)]
    #[test]
    fn a_fifo_state_file_is_refused_without_blocking() {
        let tmp = TempDir::new("fifo");
        let fifo = tmp.join("engine");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let msg = State::open(tmp.path(), None).unwrap_err().to_string();
        assert!(
            msg.contains("is a FIFO (named pipe), not a regular file"),
            "{msg}"
        );
    }

    // Regression (issue 12 #5): a state directory every user can write was accepted silently.
    #[cfg(unix)]
    #[test]
    fn a_world_writable_state_directory_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = TempDir::new("world");
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let msg = State::open(tmp.path(), None).unwrap_err().to_string();
        assert!(msg.contains("writable by every user (mode 777)"), "{msg}");
        assert!(!tmp.join("engine").exists());
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o770)).unwrap();
        assert!(
            State::open(tmp.path(), None).is_ok(),
            "group-writable: a warning only"
        );
    }

    // Regression (issue 12 #10): `.engine.<pid>.tmp` files of killed agents stayed forever.
    #[cfg(target_os = "linux")]
    #[test]
    fn temporaries_of_killed_agents_are_removed_at_start_up() {
        let tmp = TempDir::new("stale");
        State::open(tmp.path(), None).unwrap();
        fs::write(tmp.join(".engine.999999999.tmp"), "engine_id = 80").unwrap();
        fs::write(tmp.join("software-index.tmp"), "").unwrap();
        State::open(tmp.path(), None).unwrap();
        let mut left: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["engine"]);
    }

    #[test]
    fn unusable_directory_is_an_error_naming_it() {
        let tmp = TempDir::new("unusable");
        let blocker = tmp.join("a-file");
        fs::write(&blocker, "").unwrap();
        let dir = blocker.join("state");
        let msg = State::open(&dir, None).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!(
                "{}: cannot create the state directory: ",
                dir.display()
            )),
            "{msg}"
        );
    }

    #[test]
    fn a_file_as_the_state_directory_is_named_as_such() {
        let tmp = TempDir::new("file-as-dir");
        let file = tmp.join("state");
        fs::write(&file, "x").unwrap();
        let msg = State::open(&file, None).unwrap_err().to_string();
        assert_eq!(
            msg,
            format!(
                "{}: agent.state_dir is a regular file, not a directory; name a directory \
                 (created, mode 0700, if missing)",
                file.display()
            )
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), "x", "left alone");
    }

    #[test]
    fn random_seeds_differ() {
        assert_ne!(random_seed().unwrap(), random_seed().unwrap());
    }
}
