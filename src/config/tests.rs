//! Every validation rule and the message it gives: file, key, problem.

use super::*;
use crate::usm::{AuthProtocol, PrivProtocol, SecurityLevel};

const GOOD: &str = r#"
[agent]
listen = ["127.0.0.1:1161", "[::1]:1161"]
state_dir = "/var/lib/dqi-agent"

[system]
description = "Infusion pump"
contact = "biomed@example.org"
name = "pump-7"
location = "Ward 3"

[[user]]
name = "nms"
auth = "SHA-256"
auth_password = "correct horse battery"
privacy = "AES-128"
priv_password = "staple staple staple"
"#;

/// The smallest valid configuration: one listen address, the system's description and one
/// authPriv user. The sections' own tests put their section after it ([`parse_minimal`]).
pub(super) const MINIMAL: &str = r#"
[agent]
listen = ["127.0.0.1:1161"]
state_dir = "/var/lib/dqi-agent"

[system]
description = "Infusion pump"

[[user]]
name = "nms"
auth = "SHA-256"
auth_password = "correct horse battery"
privacy = "AES-128"
priv_password = "staple staple staple"
"#;

fn parse(text: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
    Config::parse(text, Path::new("/etc/dqi/agent.toml"))
}

/// [`MINIMAL`] followed by `extra`, read as `/etc/dqi/agent.toml`.
pub(super) fn parse_minimal(extra: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
    parse(&format!("{MINIMAL}{extra}"))
}

/// The error's message, for a config that must be refused.
fn refused(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// `GOOD` with the user section's `from` line replaced by `to` (empty `to` removes it).
fn with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

#[test]
fn good_config_parses_with_defaults() {
    let (c, warnings) = parse(GOOD).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        c.agent.listen,
        [
            "127.0.0.1:1161".parse().unwrap(),
            "[::1]:1161".parse().unwrap()
        ]
    );
    assert_eq!(c.agent.state_dir, Path::new("/var/lib/dqi-agent"));
    assert_eq!(c.agent.engine_id, None);
    assert_eq!(c.agent.max_message_size, 65507);
    assert_eq!(c.agent.log_level, "info");
    assert_eq!(c.system.description, "Infusion pump");
    assert_eq!(c.system.object_id, [1, 3, 6, 1, 4, 1, 8072, 3, 2, 10]);
    assert_eq!(c.system.services, 72);
    let u = &c.users[0];
    assert_eq!(u.name, "nms");
    assert_eq!(u.auth, AuthProtocol::Sha256);
    assert!(matches!(u.auth_secret, KeyMaterial::Password(_)));
    assert!(matches!(
        u.privacy,
        Some((PrivProtocol::Aes128, KeyMaterial::Password(_)))
    ));
    assert_eq!(
        u.min_level,
        SecurityLevel::AuthPriv,
        "privacy configured: must be used"
    );
}

#[test]
fn optional_agent_keys() {
    let text = with(
        "state_dir = \"/var/lib/dqi-agent\"",
        "state_dir = \"/s\"\nengine_id = \"0x80001F8805AABBCCDD\"\nmax_message_size = 1500\nlog_level = \"dqi_agent=debug\"",
    );
    let (c, _) = parse(&text).unwrap();
    assert_eq!(
        c.agent.engine_id.as_deref(),
        Some(&[0x80, 0x00, 0x1f, 0x88, 0x05, 0xaa, 0xbb, 0xcc, 0xdd][..])
    );
    assert_eq!(c.agent.max_message_size, 1500);
    assert_eq!(c.agent.log_level, "dqi_agent=debug");
}

#[test]
fn secrets_never_in_debug_output() {
    let (c, _) = parse(GOOD).unwrap();
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("horse") && !debug.contains("staple"),
        "{debug}"
    );
    let raw: ConfigFile = toml::from_str(GOOD).unwrap();
    assert!(!format!("{raw:?}").contains("horse"));
}

#[test]
fn unknown_keys_refused_with_line_and_no_secret() {
    let msg = refused(&with("auth_password = ", "auth_pasword = "));
    assert!(msg.starts_with("/etc/dqi/agent.toml:15:1: "), "{msg}");
    assert!(msg.contains("user[0].auth_pasword: unknown key"), "{msg}");
    assert!(!msg.contains("horse"), "the line's secret leaked: {msg}");
    assert!(
        refused(&with("[system]", "[system]\nuptime = 3")).contains("system.uptime: unknown key")
    );
    assert!(refused(&format!("{GOOD}\n[budget]\nrate = 1\n")).contains("budget.rate: unknown key"));
}

#[test]
fn non_string_secret_refused_without_echo() {
    let msg = refused(&with("\"correct horse battery\"", "12345678"));
    assert!(msg.starts_with("/etc/dqi/agent.toml:15:"), "{msg}");
    assert!(msg.contains("a secret must be a quoted string"), "{msg}");
    assert!(!msg.contains("12345678"), "{msg}");
}

#[test]
fn wrong_types_and_missing_sections() {
    let msg = refused(&with(
        "listen = [\"127.0.0.1:1161\", \"[::1]:1161\"]",
        "listen = \"127.0.0.1:1161\"",
    ));
    assert!(msg.starts_with("/etc/dqi/agent.toml:3:"), "{msg}");
    assert!(
        msg.contains(": agent.listen: expected a list in brackets"),
        "{msg}"
    );
    assert_eq!(
        refused("[system]\ndescription = \"x\"\n"),
        "/etc/dqi/agent.toml: agent: missing: this section is required"
    );
    assert_eq!(
        refused(&with("description = \"Infusion pump\"\n", "")),
        "/etc/dqi/agent.toml: system.description: missing: this key is required"
    );
}

#[test]
fn listen_addresses() {
    assert_eq!(
        refused(&with("[\"127.0.0.1:1161\", \"[::1]:1161\"]", "[]")),
        "/etc/dqi/agent.toml: agent.listen: at least one address is required"
    );
    assert_eq!(
        refused(&with("\"[::1]:1161\"", "\"localhost:1161\"")),
        "/etc/dqi/agent.toml: agent.listen[1]: \"localhost:1161\" is not an IP address and port, \
         such as 127.0.0.1:161 or [::1]:161"
    );
    assert!(refused(&with("\"127.0.0.1:1161\"", "\"127.0.0.1\"")).contains("agent.listen[0]:"));
}

#[test]
fn state_dir_must_not_be_empty() {
    assert_eq!(
        refused(&with("\"/var/lib/dqi-agent\"", "\"\"")),
        "/etc/dqi/agent.toml: agent.state_dir: must not be empty"
    );
}

#[test]
fn engine_id_rules() {
    let engine = |hex: &str| {
        refused(&with(
            "state_dir",
            &format!("engine_id = \"{hex}\"\nstate_dir"),
        ))
    };
    assert_eq!(
        engine("80001f88zz"),
        "/etc/dqi/agent.toml: agent.engine_id: not hexadecimal (an even number of 0-9, a-f digits, optionally after 0x)"
    );
    assert!(
        engine("80001f880").contains("not hexadecimal"),
        "odd digit count"
    );
    assert_eq!(
        engine("80001f88"),
        "/etc/dqi/agent.toml: agent.engine_id: 4 octets; an engine ID has 5 to 32 (RFC 3411)"
    );
    assert!(engine(&"ab".repeat(33)).contains("33 octets"));
    assert!(engine("0000000000").contains("all zeros or all 'ff'H"));
    assert!(engine("ffffffffffff").contains("all zeros or all 'ff'H"));
    // The bounds themselves are fine.
    for len in [5, 32] {
        let text = with(
            "state_dir",
            &format!("engine_id = \"{}\"\nstate_dir", "8a".repeat(len)),
        );
        assert_eq!(
            parse(&text).unwrap().0.agent.engine_id.map(|id| id.len()),
            Some(len)
        );
    }
}

#[test]
fn max_message_size_range() {
    let size = |n: &str| {
        parse(&with(
            "state_dir",
            &format!("max_message_size = {n}\nstate_dir"),
        ))
    };
    assert_eq!(size("484").unwrap().0.agent.max_message_size, 484);
    assert_eq!(size("65507").unwrap().0.agent.max_message_size, 65507);
    for bad in ["483", "65508", "-1"] {
        let msg = size(bad).unwrap_err().to_string();
        assert_eq!(
            msg,
            format!("/etc/dqi/agent.toml: agent.max_message_size: {bad} is outside 484..=65507")
        );
    }
}

#[test]
fn log_level_must_parse() {
    let msg = refused(&with("state_dir", "log_level = \"loud=[\"\nstate_dir"));
    assert!(
        msg.starts_with("/etc/dqi/agent.toml: agent.log_level: \"loud=[\" is not a log level"),
        "{msg}"
    );
    assert!(refused(&with("state_dir", "log_level = \"\"\nstate_dir")).contains("agent.log_level"));
}

#[test]
fn system_strings_and_object_id() {
    let long = "x".repeat(256);
    assert_eq!(
        refused(&with("\"Ward 3\"", &format!("\"{long}\""))),
        "/etc/dqi/agent.toml: system.location: 256 octets; at most 255 allowed"
    );
    let (c, _) = parse(&with(
        "location = \"Ward 3\"",
        "object_id = \".1.3.6.1.4.1.99999.1\"",
    ))
    .unwrap();
    assert_eq!(c.system.object_id, [1, 3, 6, 1, 4, 1, 99999, 1]);
    assert_eq!(c.system.location, "", "defaults to empty");
    for bad in ["1.3.x", "7.1", "1", "", "1.40", "1..3"] {
        let msg = refused(&with(
            "location = \"Ward 3\"",
            &format!("object_id = \"{bad}\""),
        ));
        assert!(
            msg.starts_with("/etc/dqi/agent.toml: system.object_id: "),
            "{bad}: {msg}"
        );
    }
}

#[test]
fn at_least_one_user() {
    let text = GOOD.split("[[user]]").next().unwrap();
    assert_eq!(
        refused(text),
        "/etc/dqi/agent.toml: user: at least one [[user]] is required"
    );
}

#[test]
fn user_name_rules() {
    assert_eq!(
        refused(&with("name = \"nms\"\n", "")),
        "/etc/dqi/agent.toml: user[0].name: missing"
    );
    assert_eq!(
        refused(&with("name = \"nms\"", "name = \"\"")),
        "/etc/dqi/agent.toml: user[0].name: must not be empty"
    );
    assert!(parse(&with("\"nms\"", &format!("\"{}\"", "n".repeat(32)))).is_ok());
    assert_eq!(
        refused(&with("\"nms\"", &format!("\"{}\"", "n".repeat(33)))),
        "/etc/dqi/agent.toml: user[0].name: 33 octets; at most 32 allowed"
    );
    let second =
        "\n[[user]]\nname = \"nms\"\nauth = \"SHA\"\nauth_password = \"another passphrase\"\n";
    assert_eq!(
        refused(&format!("{GOOD}{second}")),
        "/etc/dqi/agent.toml: user[1].name: \"nms\" is also the name of an earlier user"
    );
}

#[test]
fn every_user_authenticates() {
    let expected = "/etc/dqi/agent.toml: user[0].auth: every user must authenticate; set it to one of \
                    MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512";
    assert_eq!(refused(&with("auth = \"SHA-256\"\n", "")), expected);
    assert_eq!(refused(&with("\"SHA-256\"", "\"none\"")), expected);
    assert_eq!(
        refused(&with("\"SHA-256\"", "\"SHA-1024\"")),
        "/etc/dqi/agent.toml: user[0].auth: unknown value \"SHA-1024\"; expected one of \
         MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"
    );
    assert_eq!(
        refused(&format!("{GOOD}min_security = \"noAuthNoPriv\"\n")),
        "/etc/dqi/agent.toml: user[0].min_security: noAuthNoPriv is not allowed: every user must \
         authenticate; use authNoPriv, authPriv"
    );
}

#[test]
fn passphrase_length() {
    assert_eq!(
        refused(&with("\"correct horse battery\"", "\"1234567\"")),
        "/etc/dqi/agent.toml: user[0].auth_password: shorter than 8 characters (RFC 3414 §11.2)"
    );
    assert!(
        refused(&with("\"staple staple staple\"", "\"short\""))
            .contains("user[0].priv_password: shorter")
    );
    // Characters, not octets: eight two-octet characters pass.
    let (_, warnings) = parse(&with("\"correct horse battery\"", "\"éééééééé\"")).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].to_string(),
        "/etc/dqi/agent.toml: user[0].auth_password: shorter than 12 characters; easy to guess offline"
    );
    let (_, warnings) = parse(&with("\"correct horse battery\"", "\"twelve chars\"")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn exactly_one_of_password_and_key() {
    let hex32 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    assert_eq!(
        refused(&with(
            "auth = \"SHA-256\"",
            &format!("auth = \"SHA-256\"\nauth_key = \"{hex32}\"")
        )),
        "/etc/dqi/agent.toml: user[0].auth_password: set either this or auth_key, not both"
    );
    assert_eq!(
        refused(&with("auth_password = \"correct horse battery\"\n", "")),
        "/etc/dqi/agent.toml: user[0]: set auth_password or auth_key"
    );
    assert_eq!(
        refused(&with("priv_password = \"staple staple staple\"\n", "")),
        "/etc/dqi/agent.toml: user[0]: set priv_password or priv_key"
    );
    let (c, _) = parse(&with(
        "auth_password = \"correct horse battery\"",
        &format!("auth_key = \"0x{hex32}\""),
    ))
    .unwrap();
    match &c.users[0].auth_secret {
        KeyMaterial::Localized(k) => assert_eq!(k.len(), 32),
        other => panic!("{other:?}"),
    }
}

#[test]
fn localized_key_lengths_follow_the_protocol() {
    let auth_key = |proto: &str, octets: usize| {
        parse(&with(
            "auth = \"SHA-256\"\nauth_password = \"correct horse battery\"",
            &format!("auth = \"{proto}\"\nauth_key = \"{}\"", "5a".repeat(octets)),
        ))
    };
    for (proto, len) in [
        ("MD5", 16),
        ("SHA", 20),
        ("SHA-224", 28),
        ("SHA-256", 32),
        ("SHA-384", 48),
        ("SHA-512", 64),
    ] {
        assert!(auth_key(proto, len).is_ok(), "{proto}");
        let msg = auth_key(proto, len - 1).unwrap_err().to_string();
        assert_eq!(
            msg,
            format!(
                "/etc/dqi/agent.toml: user[0].auth_key: {} octets; a localized {proto} key has {len}",
                len - 1
            )
        );
    }
    let priv_key = |proto: &str, octets: usize| {
        parse(&with(
            "privacy = \"AES-128\"\npriv_password = \"staple staple staple\"",
            &format!(
                "privacy = \"{proto}\"\npriv_key = \"{}\"",
                "a5".repeat(octets)
            ),
        ))
    };
    for (proto, len) in [
        ("DES", 16),
        ("AES-128", 16),
        ("AES-192", 24),
        ("AES-256", 32),
        ("AES-192-C", 24),
        ("AES-256-C", 32),
    ] {
        assert!(priv_key(proto, len).is_ok(), "{proto}");
        assert!(
            priv_key(proto, len + 1)
                .unwrap_err()
                .to_string()
                .contains("user[0].priv_key: ")
        );
    }
    assert!(priv_key("AES-128", 0).is_err());
    let msg = refused(&with(
        "priv_password = \"staple staple staple\"",
        "priv_key = \"not hex at all\"",
    ));
    assert!(
        msg.starts_with("/etc/dqi/agent.toml: user[0].priv_key: not hexadecimal"),
        "{msg}"
    );
    assert!(
        !msg.contains("not hex at all"),
        "a key's text must not be echoed"
    );
}

#[test]
fn privacy_none_takes_no_secret() {
    let msg = refused(&with("\"AES-128\"", "\"none\""));
    assert_eq!(
        msg,
        "/etc/dqi/agent.toml: user[0].priv_password: privacy is none, so this must not be set"
    );
    let (c, _) = parse(&with(
        "privacy = \"AES-128\"\npriv_password = \"staple staple staple\"\n",
        "",
    ))
    .unwrap();
    assert!(c.users[0].privacy.is_none(), "privacy defaults to none");
    assert_eq!(
        c.users[0].min_level,
        SecurityLevel::AuthNoPriv,
        "the strongest the keys allow"
    );
    assert!(
        refused(&with("\"AES-128\"", "\"AES-512\""))
            .contains("user[0].privacy: unknown value \"AES-512\"")
    );
    assert_eq!(
        parse(&with("\"AES-128\"", "\"AES\"")).unwrap().0.users[0]
            .privacy
            .as_ref()
            .map(|p| p.0),
        Some(PrivProtocol::Aes128)
    );
}

#[test]
fn min_security_not_above_the_keys() {
    let no_priv = with(
        "privacy = \"AES-128\"\npriv_password = \"staple staple staple\"\n",
        "min_security = \"authPriv\"\n",
    );
    assert_eq!(
        refused(&no_priv),
        "/etc/dqi/agent.toml: user[0].min_security: authPriv needs a privacy protocol and this user has none"
    );
    let relaxed = format!("{GOOD}min_security = \"authNoPriv\"\n");
    assert_eq!(
        parse(&relaxed).unwrap().0.users[0].min_level,
        SecurityLevel::AuthNoPriv
    );
    assert!(
        refused(&format!("{GOOD}min_security = \"high\"\n"))
            .contains("user[0].min_security: unknown value \"high\"")
    );
}

/// Level names are case-insensitive, like the protocol names (`auth = "sha-256"`).
#[test]
fn min_security_ignores_case_like_the_protocols() {
    for (written, level) in [
        ("authpriv", SecurityLevel::AuthPriv),
        ("AUTHPRIV", SecurityLevel::AuthPriv),
        ("authnopriv", SecurityLevel::AuthNoPriv),
    ] {
        let text = format!("{GOOD}min_security = \"{written}\"\n")
            .replace("\"SHA-256\"", "\"sha-256\"")
            .replace("\"AES-128\"", "\"aes-128\"");
        assert_eq!(
            parse(&text).unwrap().0.users[0].min_level,
            level,
            "{written}"
        );
    }
    assert!(
        refused(&format!("{GOOD}min_security = \"noauthnopriv\"\n"))
            .contains("noAuthNoPriv is not allowed")
    );
}

/// `state_dir` is taken relative to the configuration file's directory, like `[device]` paths,
/// never the working directory.
#[test]
fn relative_state_dir_resolves_against_the_config_directory() {
    let text = with(
        "state_dir = \"/var/lib/dqi-agent\"",
        "state_dir = \"state-rel\"",
    );
    let (config, _) = Config::parse(&text, Path::new("/etc/dqi/agent.toml")).unwrap();
    assert_eq!(config.agent.state_dir, Path::new("/etc/dqi/state-rel"));
    let (config, _) = Config::parse(&text, Path::new("agent.toml")).unwrap();
    assert_eq!(config.agent.state_dir, Path::new("state-rel"));
    let (config, _) = parse(GOOD).unwrap();
    assert_eq!(config.agent.state_dir, Path::new("/var/lib/dqi-agent"));
}

#[test]
fn weak_choices_warn() {
    let text = with("\"SHA-256\"", "\"MD5\"").replace("\"AES-128\"", "\"DES\"");
    let (_, warnings) = parse(&text).unwrap();
    let keys: Vec<&str> = warnings.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(keys, ["user[0].auth", "user[0].privacy"]);
    assert_eq!(
        warnings[0].to_string(),
        "/etc/dqi/agent.toml: user[0].auth: MD5 is weak; prefer SHA-256 or stronger"
    );
    let same = with("\"staple staple staple\"", "\"correct horse battery\"");
    let (_, warnings) = parse(&same).unwrap();
    assert_eq!(warnings[0].key, "user[0].priv_password");
    assert!(!warnings[0].to_string().contains("horse"));
}

#[test]
fn users_are_localized_into_the_table() {
    let second = "\n[[user]]\nname = \"audit\"\nauth = \"SHA-512\"\nauth_key = \"";
    let text = format!("{GOOD}{second}{}\"\n", "11".repeat(64));
    let (c, _) = parse(&text).unwrap();
    let users = c.users(&[0x80, 0x00, 0x1f, 0x88, 0x05, 1, 2, 3]).unwrap();
    assert_eq!(users.len(), 2);
    let nms = users.get(b"nms").unwrap();
    assert_eq!(nms.auth.protocol(), AuthProtocol::Sha256);
    assert_eq!(
        nms.privacy.as_ref().map(|p| p.protocol()),
        Some(PrivProtocol::Aes128)
    );
    assert_eq!(nms.min_level, SecurityLevel::AuthPriv);
    let audit = users.get(b"audit").unwrap();
    assert_eq!(audit.auth.protocol(), AuthProtocol::Sha512);
    assert!(audit.privacy.is_none());
    assert_eq!(audit.min_level, SecurityLevel::AuthNoPriv);
}

#[cfg(unix)]
mod files {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    use crate::test_dir::TempDir;

    /// The good config as `agent.toml` in `dir`, with permission bits `mode`.
    fn write(dir: &TempDir, mode: u32) -> PathBuf {
        let path = dir.join("agent.toml");
        std::fs::write(&path, GOOD).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn private_file_loads() {
        let dir = TempDir::new("config-private");
        let path = write(&dir, 0o600);
        let (c, warnings) = Config::load(&path).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(c.file, path);
    }

    #[test]
    fn world_readable_file_refused() {
        let dir = TempDir::new("config-world");
        let path = write(&dir, 0o644);
        let msg = Config::load(&path).unwrap_err().to_string();
        let shown = path.display();
        assert_eq!(
            msg,
            format!(
                "{shown}: other users can access it (mode 644) and it holds secrets; run `chmod 600 {shown}`"
            )
        );
    }

    #[test]
    fn group_readable_file_warns() {
        let dir = TempDir::new("config-group");
        let path = write(&dir, 0o640);
        let (_, warnings) = Config::load(&path).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0]
                .message
                .contains("group can access it (mode 640)"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn missing_file_named() {
        let msg = Config::load(Path::new("/nonexistent/dqi.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("/nonexistent/dqi.toml: cannot read: "),
            "{msg}"
        );
    }
}

#[test]
fn views_are_resolved_and_given_to_their_users() {
    let text = format!(
        "{GOOD}view = \"inventory\"\n\n[[view]]\nname = \"inventory\"\ninclude = [\"SNMPv2-MIB::system\", \"DQI-MIB::dqiSoftware\"]\nexclude = [\"sysDescr\"]\n"
    );
    let (c, warnings) = parse(&text).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let access = c.access();
    let view = access.user_view(b"nms");
    assert!(view.contains(&[1, 3, 6, 1, 2, 1, 1, 5, 0]));
    assert!(!view.contains(&[1, 3, 6, 1, 2, 1, 1, 1, 0]));
    assert!(view.contains(&[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 1, 0]));
    assert!(!view.contains(&[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 1, 0]));
    // A user without `view` sees everything.
    assert!(
        access
            .user_view(b"other")
            .contains(&[1, 3, 6, 1, 4, 1, 8072])
    );
}

#[test]
fn view_mistakes_are_refused_by_key() {
    let view = "\n[[view]]\nname = \"inventory\"\ninclude = [\"1.3.6.1.2.1.1\"]\n";
    assert_eq!(
        refused(&format!("{GOOD}{view}")),
        "/etc/dqi/agent.toml: view[0].name: no user or community refers to the view \"inventory\"; remove it or name it in a `view` key"
    );
    assert_eq!(
        refused(&format!("{GOOD}view = \"inventroy\"\n{view}")),
        "/etc/dqi/agent.toml: user[0].view: no [[view]] is named \"inventroy\""
    );
    let bad = view.replace("1.3.6.1.2.1.1", "SNMPv2-MIB::sysDescrr");
    assert!(
        refused(&format!("{GOOD}view = \"inventory\"\n{bad}")).starts_with(
            "/etc/dqi/agent.toml: view[0].include[0]: \"SNMPv2-MIB::sysDescrr\" is not an OID"
        )
    );
    let twice = format!("{GOOD}view = \"inventory\"\n{view}{view}");
    assert_eq!(
        refused(&twice),
        "/etc/dqi/agent.toml: view[1].name: \"inventory\" is also the name of an earlier view"
    );
}

#[test]
fn communities_are_checked_and_their_string_never_echoed() {
    let community = "\n[[community]]\nname = \"legacy-nms-ro\"\nsources = [\"10.20.0.0/16\", \"fd00:20::/48\"]\nview = \"inventory\"\n";
    let view = "\n[[view]]\nname = \"inventory\"\ninclude = [\"1.3.6.1.2.1.1\"]\n";
    let (c, warnings) = parse(&format!("{GOOD}{community}{view}")).unwrap();
    assert_eq!(c.communities.len(), 1);
    assert!(c.communities[0].versions.v1 && c.communities[0].versions.v2c);
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("travel in the clear")),
        "{warnings:?}"
    );
    // The community is a budget principal with the default per-user budget.
    assert!(
        c.budget
            .users
            .iter()
            .any(|u| u.user == b"\0community[0]" && u.rate == c.budget.per_user)
    );
    assert_eq!(c.access().communities().len(), 1);

    let cases = [
        (
            community.replace("legacy-nms-ro", "public"),
            "community[0].name: shorter than 8 characters",
        ),
        (
            community.replace("sources = [\"10.20.0.0/16\", \"fd00:20::/48\"]\n", ""),
            "community[0].sources: missing",
        ),
        (
            community.replace("[\"10.20.0.0/16\", \"fd00:20::/48\"]", "[]"),
            "community[0].sources: at least one source network is required",
        ),
        (
            community.replace("10.20.0.0/16", "10.20.1.0/16"),
            "community[0].sources[0]: \"10.20.1.0/16\" is not a network",
        ),
        (
            community.replace("view = \"inventory\"\n", ""),
            "community[0].view: missing",
        ),
        (
            format!("{community}versions = [\"v3\"]\n"),
            "community[0].versions[0]: unknown value \"v3\"",
        ),
        (
            format!("{community}{community}"),
            "community[1].name: the same community string as community[0]",
        ),
        (
            community.replace("inventory", "inventroy"),
            "community[0].view: no [[view]] is named \"inventroy\"",
        ),
    ];
    for (section, want) in cases {
        let text = format!("{GOOD}{section}{view}");
        let got = refused(&text);
        let got = got
            .strip_prefix("/etc/dqi/agent.toml: ")
            .unwrap_or(&got)
            .to_string();
        assert!(got.starts_with(want), "{got}");
        assert!(!got.contains("legacy-nms"), "the string is echoed: {got}");
    }
}
