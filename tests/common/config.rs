//! The agent config a test writes: users, system strings, listen addresses; as `dqi-agent`
//! TOML, or as an equivalent `snmpd.conf`.

use std::fmt::Write as _;
use std::path::Path;

/// SNMPv3 security levels the tests request (noAuthNoPriv is never served by the DQI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(
    clippy::enum_variant_names,
    reason = "the RFC 3411 securityLevel names"
)]
pub enum Level {
    NoAuthNoPriv,
    AuthNoPriv,
    AuthPriv,
}

impl Level {
    pub fn netsnmp(self) -> &'static str {
        match self {
            Level::NoAuthNoPriv => "noAuthNoPriv",
            Level::AuthNoPriv => "authNoPriv",
            Level::AuthPriv => "authPriv",
        }
    }
}

/// One `[[user]]` of the agent config.
#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    /// As the config spells it: MD5 | SHA | SHA-224 | SHA-256 | SHA-384 | SHA-512.
    pub auth: &'static str,
    pub auth_password: String,
    /// As the config spells it: DES | AES-128 | AES-192 | AES-256 | AES-192-C | AES-256-C.
    pub privacy: Option<&'static str>,
    pub priv_password: String,
    pub min_security: Option<Level>,
    /// Written instead of the `auth`/`privacy` and passphrase lines when set: key lines as
    /// `dqi-agent localize-key` prints them. The passphrases above stay what clients use.
    pub key_lines: Option<String>,
}

impl User {
    /// A user with distinct, derived passphrases (at least 8 characters).
    pub fn new(name: &str, auth: &'static str, privacy: Option<&'static str>) -> User {
        User {
            name: name.to_string(),
            auth,
            auth_password: format!("{name}-auth-pass"),
            privacy,
            priv_password: format!("{name}-priv-pass"),
            min_security: None,
            key_lines: None,
        }
    }

    pub fn min_security(mut self, level: Level) -> User {
        self.min_security = Some(level);
        self
    }

    /// The same user reading through the `[[view]]` named `view` (passphrases kept).
    pub fn viewing(mut self, view: &str) -> User {
        let privacy = self.privacy.map_or("privacy = \"none\"".to_string(), |p| {
            format!(
                "privacy = \"{p}\"\npriv_password = \"{}\"",
                self.priv_password
            )
        });
        self.key_lines = Some(format!(
            "auth = \"{}\"\nauth_password = \"{}\"\n{privacy}\nview = \"{view}\"",
            self.auth, self.auth_password
        ));
        self
    }

    /// The strongest level the user's keys allow: what a correctly configured client uses.
    pub fn level(&self) -> Level {
        if self.privacy.is_some() {
            Level::AuthPriv
        } else {
            Level::AuthNoPriv
        }
    }

    /// The lowest level the agent must serve this user at.
    pub fn required_level(&self) -> Level {
        self.min_security.unwrap_or(self.level())
    }

    /// net-snmp's `-x` spelling of the privacy protocol.
    pub fn netsnmp_privacy(&self) -> Option<&'static str> {
        self.privacy.map(|p| match p {
            "DES" => "DES",
            "AES-128" => "AES",
            "AES-192" => "AES-192",
            "AES-256" => "AES-256",
            "AES-192-C" => "AES-192-C",
            "AES-256-C" => "AES-256-C",
            other => panic!("unknown privacy protocol {other}"),
        })
    }

    /// net-snmp security arguments for this user at `level`.
    pub fn netsnmp_args(&self, level: Level) -> Vec<String> {
        let mut args = vec![
            "-v3".into(),
            "-l".into(),
            level.netsnmp().into(),
            "-u".into(),
            self.name.clone(),
        ];
        if level == Level::NoAuthNoPriv {
            return args;
        }
        args.extend([
            "-a".into(),
            self.auth.into(),
            "-A".into(),
            self.auth_password.clone(),
        ]);
        if level == Level::AuthPriv {
            let privacy = self
                .netsnmp_privacy()
                .expect("authPriv needs a privacy protocol");
            args.extend([
                "-x".into(),
                privacy.into(),
                "-X".into(),
                self.priv_password.clone(),
            ]);
        }
        args
    }

    /// The same user with other passphrases, for the failure tests.
    pub fn with_auth_password(&self, password: &str) -> User {
        User {
            auth_password: password.to_string(),
            ..self.clone()
        }
    }

    pub fn with_priv_password(&self, password: &str) -> User {
        User {
            priv_password: password.to_string(),
            ..self.clone()
        }
    }

    pub fn with_privacy(&self, privacy: &'static str) -> User {
        User {
            privacy: Some(privacy),
            ..self.clone()
        }
    }
}

/// What the test writes into the agent's config file.
#[derive(Clone, Debug)]
pub struct Config {
    pub description: String,
    pub contact: String,
    pub name: String,
    pub location: String,
    pub users: Vec<User>,
    /// Listen on `[::1]` as well as `127.0.0.1` (same port number).
    pub ipv6: bool,
    pub engine_id: Option<String>,
    /// Further TOML sections (`[device]`, `[budget]`), appended verbatim; `dqi-agent` only.
    pub sections: Vec<String>,
    /// Further command-line arguments; `snmpd` only (`-I -hr_swinst` to leave out a module).
    pub snmpd_args: Vec<String>,
}

impl Config {
    pub fn new(users: Vec<User>) -> Config {
        Config {
            description: "DQI integration test device, model T-1000 rev. 4".into(),
            contact: "biomed@hospital.example".into(),
            name: "infusion-pump-17.ward3.example".into(),
            location: "Ward 3, bed 12".into(),
            users,
            ipv6: false,
            engine_id: None,
            sections: Vec::new(),
            snmpd_args: Vec::new(),
        }
    }

    /// The same config with `section` (TOML text such as `"[device]\nsbom = [...]\n"`) added.
    pub fn with_section(mut self, section: &str) -> Config {
        self.sections.push(section.to_string());
        self
    }

    pub fn user(&self, name: &str) -> &User {
        self.users
            .iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("no user {name} in the config"))
    }

    /// The `dqi-agent` TOML for this config, listening on `port`, keeping state in `state_dir`.
    pub fn to_toml(&self, port: u16, state_dir: &Path) -> String {
        let mut listen = vec![format!("127.0.0.1:{port}")];
        if self.ipv6 {
            listen.push(format!("[::1]:{port}"));
        }
        let listen: Vec<String> = listen.iter().map(|l| toml_str(l)).collect();
        let mut out = String::new();
        writeln!(out, "[agent]").unwrap();
        writeln!(out, "listen = [{}]", listen.join(", ")).unwrap();
        writeln!(
            out,
            "state_dir = {}",
            toml_str(&state_dir.to_string_lossy())
        )
        .unwrap();
        if let Some(engine_id) = &self.engine_id {
            writeln!(out, "engine_id = {}", toml_str(engine_id)).unwrap();
        }
        writeln!(out, "\n[system]").unwrap();
        writeln!(out, "description = {}", toml_str(&self.description)).unwrap();
        writeln!(out, "contact = {}", toml_str(&self.contact)).unwrap();
        writeln!(out, "name = {}", toml_str(&self.name)).unwrap();
        writeln!(out, "location = {}", toml_str(&self.location)).unwrap();
        for user in &self.users {
            writeln!(out, "\n[[user]]").unwrap();
            writeln!(out, "name = {}", toml_str(&user.name)).unwrap();
            if let Some(keys) = &user.key_lines {
                writeln!(out, "{}", keys.trim_end()).unwrap();
            } else {
                writeln!(out, "auth = {}", toml_str(user.auth)).unwrap();
                writeln!(out, "auth_password = {}", toml_str(&user.auth_password)).unwrap();
                match user.privacy {
                    Some(privacy) => {
                        writeln!(out, "privacy = {}", toml_str(privacy)).unwrap();
                        writeln!(out, "priv_password = {}", toml_str(&user.priv_password)).unwrap();
                    }
                    None => writeln!(out, "privacy = \"none\"").unwrap(),
                }
            }
            if let Some(level) = user.min_security {
                writeln!(out, "min_security = {}", toml_str(level.netsnmp())).unwrap();
            }
        }
        for section in &self.sections {
            writeln!(out, "\n{}", section.trim_end()).unwrap();
        }
        out
    }

    /// An equivalent `snmpd.conf`, for validating the harness against net-snmp's own agent.
    pub fn to_snmpd_conf(&self, port: u16) -> String {
        assert!(
            self.sections.is_empty(),
            "snmpd has no equivalent of {:?}",
            self.sections
        );
        let mut out = String::new();
        writeln!(out, "agentaddress udp:127.0.0.1:{port}").unwrap();
        if self.ipv6 {
            writeln!(out, "agentaddress udp6:[::1]:{port}").unwrap();
        }
        if let Some(engine_id) = &self.engine_id {
            writeln!(out, "exactEngineID 0x{engine_id}").unwrap();
        }
        writeln!(out, "sysDescr {}", self.description).unwrap();
        writeln!(out, "sysContact {}", self.contact).unwrap();
        writeln!(out, "sysName {}", self.name).unwrap();
        writeln!(out, "sysLocation {}", self.location).unwrap();
        writeln!(out, "sysServices 72").unwrap();
        for user in &self.users {
            let privacy = match user.privacy {
                None => String::new(),
                Some(p) => {
                    let p = match p {
                        "DES" => "DES",
                        "AES-128" => "AES",
                        "AES-192" => "AES192",
                        "AES-256" => "AES256",
                        "AES-192-C" => "AES192C",
                        "AES-256-C" => "AES256C",
                        other => panic!("unknown privacy protocol {other}"),
                    };
                    format!(" {p} \"{}\"", user.priv_password)
                }
            };
            writeln!(
                out,
                "createUser {} {} \"{}\"{privacy}",
                user.name, user.auth, user.auth_password
            )
            .unwrap();
            // rwuser, so that snmpd answers a Set on a read-only object with notWritable rather
            // than VACM's noAccess; every object the tests set is fixed by this file.
            let level = match user.required_level() {
                Level::NoAuthNoPriv => "noauth",
                Level::AuthNoPriv => "auth",
                Level::AuthPriv => "priv",
            };
            writeln!(out, "rwuser {} {level}", user.name).unwrap();
        }
        out
    }
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
