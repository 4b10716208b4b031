//! `dqi-agent localize-key`: turns passphrases into the keys a configuration's `auth_key` and
//! `priv_key` hold, localized to one engine ID (RFC 3414 §2.6, A.2), so the configuration on the
//! device can hold no passphrase at all.
//!
//! Passphrases are read from standard input, one a line (authentication first, then privacy),
//! or, when standard input is a terminal, from a prompt with echo off, typed twice. Never from
//! the command line, where other users see them in the process list and the shell keeps them.
//! The keys come from the same USM code the agent runs ([`AuthProtocol::localized_key`],
//! [`PrivProtocol::localized_key`]).

use std::io::{self, BufRead, IsTerminal, Write};

use clap::Args;
use dqi_agent::config::MIN_PASSPHRASE_CHARS;
use dqi_agent::hex::{check_engine_id, from_hex, to_hex};
use dqi_agent::usm::{AuthProtocol, PrivProtocol};
use zeroize::Zeroizing;

/// Print the `auth_key` (and `priv_key`) lines for one user, localized to ENGINE_ID.
///
/// Reads the passphrases from standard input, one a line (authentication, then privacy), or
/// prompts for them when standard input is a terminal. Never takes them as arguments.
#[derive(Debug, Args)]
pub(crate) struct LocalizeKey {
    /// The agent's snmpEngineID in hex (as `engine_id` in its configuration, or `engine_id` in
    /// `state_dir/engine`).
    #[arg(long, value_name = "HEX")]
    pub engine_id: String,

    /// Authentication protocol: MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512.
    #[arg(long, value_name = "PROTOCOL")]
    pub auth: String,

    /// Privacy protocol: DES, AES-128 (AES), AES-192, AES-256, AES-192-C or AES-256-C. Without
    /// it, only the authentication key is printed.
    #[arg(long, value_name = "PROTOCOL")]
    pub privacy: Option<String>,
}

/// What `localize-key` was asked, checked.
struct Request {
    engine_id: Vec<u8>,
    auth: AuthProtocol,
    privacy: Option<PrivProtocol>,
}

impl LocalizeKey {
    fn request(&self) -> Result<Request, String> {
        let engine_id = from_hex(&self.engine_id)
            .ok_or_else(|| format!("--engine-id {:?}: not hex", self.engine_id))?;
        check_engine_id(&engine_id).map_err(|e| format!("--engine-id {}: {e}", self.engine_id))?;
        let auth = AuthProtocol::from_name(&self.auth).ok_or_else(|| {
            format!(
                "--auth {:?}: not one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512",
                self.auth
            )
        })?;
        let privacy = match &self.privacy {
            None => None,
            Some(name) => Some(PrivProtocol::from_name(name).ok_or_else(|| {
                format!(
                    "--privacy {name:?}: not one of DES, AES-128, AES-192, AES-256, AES-192-C, \
                     AES-256-C"
                )
            })?),
        };
        Ok(Request {
            engine_id,
            auth,
            privacy,
        })
    }
}

/// Runs the command: exit status 0 with the key lines on stdout, 2 with a message otherwise.
pub(crate) fn run(args: &LocalizeKey) -> std::process::ExitCode {
    match localize(args) {
        Ok(text) => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dqi-agent localize-key: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn localize(args: &LocalizeKey) -> Result<String, String> {
    let request = args.request()?;
    let stdin = io::stdin();
    let terminal = stdin.is_terminal();
    let mut input = stdin.lock();
    let auth_pass = passphrase(&mut input, terminal, "authentication")?;
    let priv_pass = match request.privacy {
        Some(_) => Some(passphrase(&mut input, terminal, "privacy")?),
        None => None,
    };
    Ok(key_lines(
        &request,
        &auth_pass,
        priv_pass.as_ref().map(|p| p.as_str()),
    ))
}

/// The TOML lines for a `[[user]]`, keys as `0x` hex.
fn key_lines(request: &Request, auth_pass: &str, priv_pass: Option<&str>) -> String {
    let mut text = format!(
        "# Localized to engine ID {}: valid only for the agent with that snmpEngineID.\n",
        to_hex(&request.engine_id)
    );
    let auth_key = request
        .auth
        .localized_key(auth_pass.as_bytes(), &request.engine_id);
    text.push_str(&format!("auth = \"{}\"\n", request.auth.name()));
    text.push_str(&format!("auth_key = \"0x{}\"\n", to_hex(&auth_key)));
    if let (Some(privacy), Some(pass)) = (request.privacy, priv_pass) {
        let priv_key = privacy.localized_key(request.auth, pass.as_bytes(), &request.engine_id);
        text.push_str(&format!("privacy = \"{}\"\n", privacy.name()));
        text.push_str(&format!("priv_key = \"0x{}\"\n", to_hex(&priv_key)));
    }
    text
}

/// One passphrase: a line of `input`, or, on a terminal, typed twice at a prompt without echo.
fn passphrase(
    input: &mut impl BufRead,
    terminal: bool,
    which: &str,
) -> Result<Zeroizing<String>, String> {
    let pass = if terminal {
        let first = prompt(input, &format!("{which} passphrase: "))?;
        let again = prompt(input, &format!("{which} passphrase again: "))?;
        if first != again {
            return Err(format!("the two {which} passphrases differ"));
        }
        first
    } else {
        read_line(input)?.ok_or_else(|| {
            format!("no {which} passphrase on standard input (one passphrase a line)")
        })?
    };
    // RFC 3414 §11.2, the same rule the configuration applies to passphrases.
    if pass.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(format!(
            "the {which} passphrase is shorter than {MIN_PASSPHRASE_CHARS} characters \
             (RFC 3414 §11.2)"
        ));
    }
    Ok(pass)
}

/// One line without its line ending; None at end of input.
fn read_line(input: &mut impl BufRead) -> Result<Option<Zeroizing<String>>, String> {
    let mut line = Zeroizing::new(String::new());
    let n = input
        .read_line(&mut line)
        .map_err(|e| format!("reading standard input: {e}"))?;
    if n == 0 {
        return Ok(None);
    }
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(Some(line))
}

/// Prompts on stderr and reads a line from the terminal with echo off, restoring it after.
fn prompt(input: &mut impl BufRead, text: &str) -> Result<Zeroizing<String>, String> {
    eprint!("{text}");
    let _ = io::stderr().flush();
    let echo = EchoOff::new();
    let line = read_line(input);
    drop(echo);
    eprintln!();
    line?.ok_or_else(|| "no passphrase typed".to_string())
}

/// Terminal echo switched off on standard input for as long as this lives.
struct EchoOff {
    saved: Option<libc::termios>,
}

impl EchoOff {
    fn new() -> EchoOff {
        // SAFETY: tcgetattr and tcsetattr only read and write the termios struct given; fd 0
        // is standard input, a terminal here (checked by the caller).
        unsafe {
            let mut term: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut term) != 0 {
                return EchoOff { saved: None };
            }
            let saved = term;
            term.c_lflag &= !libc::ECHO;
            term.c_lflag |= libc::ECHONL;
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &term) != 0 {
                return EchoOff { saved: None };
            }
            EchoOff { saved: Some(saved) }
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            // SAFETY: restores the settings read in `new` on the same descriptor.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(engine: &str, auth: &str, privacy: Option<&str>) -> Result<Request, String> {
        LocalizeKey {
            engine_id: engine.to_string(),
            auth: auth.to_string(),
            privacy: privacy.map(str::to_string),
        }
        .request()
    }

    #[test]
    fn passphrases_are_lines_of_stdin() {
        let mut input = io::Cursor::new("maple syrup 1\r\nsecond passphrase\n");
        assert_eq!(
            passphrase(&mut input, false, "authentication")
                .unwrap()
                .as_str(),
            "maple syrup 1"
        );
        assert_eq!(
            passphrase(&mut input, false, "privacy").unwrap().as_str(),
            "second passphrase"
        );
        let missing = passphrase(&mut input, false, "privacy").unwrap_err();
        assert!(missing.contains("no privacy passphrase"), "{missing}");
        let mut short = io::Cursor::new("1234567\n");
        let err = passphrase(&mut short, false, "authentication").unwrap_err();
        assert!(err.contains("shorter than 8"), "{err}");
    }

    #[test]
    fn arguments_are_checked() {
        assert!(request("000000000000000000000002", "md5", Some("aes")).is_ok());
        let bad = [
            (request("xyz", "SHA", None), "not hex"),
            (request("0000000000", "SHA", None), "--engine-id"),
            (request("0102", "SHA", None), "--engine-id"),
            (request("8000000001", "SHA-1024", None), "--auth"),
            (request("8000000001", "SHA", Some("3DES")), "--privacy"),
        ];
        for (result, wanted) in bad {
            let Err(e) = result else {
                panic!("accepted, wanted {wanted}")
            };
            assert!(e.contains(wanted), "{e}");
        }
    }

    #[test]
    fn rfc3414_a3_vectors() {
        // RFC 3414 A.3.1 and A.3.2: "maplesyrup" localized to 00..02.
        let md5 = request("000000000000000000000002", "MD5", None).unwrap();
        assert!(
            key_lines(&md5, "maplesyrup", None)
                .contains("auth_key = \"0x526f5eed9fcce26f8964c2930787d82b\"\n")
        );
        let sha = request("000000000000000000000002", "SHA", Some("AES-128")).unwrap();
        let lines = key_lines(&sha, "maplesyrup", Some("maplesyrup"));
        assert!(
            lines.contains("auth_key = \"0x6695febc9288e36282235fc7151f128497b38f3f\"\n"),
            "{lines}"
        );
        // AES-128 takes the first 16 octets of the same localized key (RFC 3826 §1.2).
        assert!(
            lines.contains("priv_key = \"0x6695febc9288e36282235fc7151f1284\"\n"),
            "{lines}"
        );
    }
}
