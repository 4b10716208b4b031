//! Parsing the file into [`ConfigFile`], with errors that name the key (`agent.listen`,
//! `user[1].auth`) and say what is wrong in the README's words rather than serde's
//! (`expected a sequence`, `expected u64`, `missing field`).
//!
//! The key path comes from `serde_path_to_error`, which tracks where deserialization was when
//! it failed; the line and column from the TOML parser's span. A value is quoted back only when
//! the parser quotes it, which it never does for secrets (see [`super::Secret`]).

use std::path::Path;

use super::{ConfigError, ConfigFile, line_column};

/// Parses `text` (the contents of `file`) into the file format, unvalidated.
pub(super) fn parse(text: &str, file: &Path) -> Result<ConfigFile, ConfigError> {
    let syntax = |e: &toml::de::Error, key: String, message: String| {
        let (line, column) = e
            .span()
            .map_or((0, 0), |span| line_column(text, span.start));
        ConfigError::Syntax {
            file: file.to_path_buf(),
            line,
            column,
            key,
            message,
        }
    };
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|e| syntax(&e, String::new(), e.message().trim_end().to_string()))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = key_path(e.path());
        let inner = e.inner();
        let (key, message) = explain(&path, inner.message().trim_end());
        let mut error = syntax(inner, key, message);
        // A missing key has no place in the file; the parser's span would point at its table.
        if let ConfigError::Syntax {
            line,
            column,
            message,
            ..
        } = &mut error
            && message.starts_with(MISSING)
        {
            (*line, *column) = (0, 0);
        }
        error
    })
}

/// What a missing key's message starts with (the key names what is missing).
const MISSING: &str = "missing: this ";

/// `agent.listen`, `user[0].auth`: the README's spelling of a serde path (`.` between keys,
/// `[n]` for the entries of `[[user]]` and of lists).
fn key_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut key = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => key.push_str(&format!("[{index}]")),
            Segment::Map { key: name } | Segment::Enum { variant: name } => {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(name);
            }
            Segment::Unknown => {}
        }
    }
    key
}

/// The key and the message for serde's `message` at `path`.
fn explain(path: &str, message: &str) -> (String, String) {
    let join = |field: &str| {
        if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        }
    };
    if let Some(field) = between(message, "missing field `", "`") {
        let what = if path.is_empty() { "section" } else { "key" };
        return (join(field), format!("{MISSING}{what} is required"));
    }
    // The path of an unknown key ends at the key itself.
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once('`')
    {
        let what = if path.contains(['.', '[']) || path.is_empty() {
            "key"
        } else {
            "section"
        };
        let expected = expected
            .trim_start_matches(", expected ")
            .trim_start_matches("one of ")
            .replace('`', "");
        let message = if expected.is_empty() || expected.starts_with("there are no") {
            format!("unknown {what}")
        } else {
            format!("unknown {what}; expected one of {expected}")
        };
        let key = if path.is_empty() { field } else { path };
        return (key.to_string(), message);
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.rsplit_once(", expected ")
        {
            return (
                path.to_string(),
                format!(
                    "expected {}, found {}",
                    expected_words(expected),
                    found_words(found)
                ),
            );
        }
    }
    (path.to_string(), message.to_string())
}

/// serde's name for the expected type, as the README says it.
fn expected_words(expected: &str) -> String {
    match expected {
        "a sequence" => "a list in brackets, such as [\"0.0.0.0:161\"]".to_string(),
        "a string" | "a borrowed string" => "a quoted string".to_string(),
        "a boolean" => "true or false".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize"
        | "an integer" => "a whole number, without quotes".to_string(),
        "f32" | "f64" => "a number, without quotes".to_string(),
        other if other.starts_with("struct ") || other == "a map" => {
            "a table (a [section] or { key = value })".to_string()
        }
        other => other.to_string(),
    }
}

/// serde's description of the value found (`string "300"`, `integer `5``), as the README
/// says it.
fn found_words(found: &str) -> String {
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the string {text}");
    }
    for (serde, words) in [
        ("integer ", "the number "),
        ("floating point ", "the number "),
        ("boolean ", ""),
    ] {
        if let Some(value) = found.strip_prefix(serde) {
            return format!("{words}{}", value.trim_matches('`'));
        }
    }
    match found {
        "sequence" => "a list".to_string(),
        "map" => "a table".to_string(),
        other => other.to_string(),
    }
}

/// The text of `s` between `start` and the next `end`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(start)?;
    Some(&rest[..rest.find(end)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> String {
        match parse(text, Path::new("/etc/dqi-agent/agent.toml")) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted:\n{text}"),
        }
    }

    const SYSTEM_AND_USER: &str = "[system]\ndescription = \"d\"\n\n[[user]]\nname = \"nms\"\n";

    #[test]
    fn type_errors_name_the_key_in_the_readmes_words() {
        let listen = refused(&format!(
            "[agent]\nlisten = \"127.0.0.1:1162\"\nstate_dir = \"/s\"\n{SYSTEM_AND_USER}"
        ));
        assert_eq!(
            listen,
            "/etc/dqi-agent/agent.toml:2:10: agent.listen: expected a list in brackets, such as \
             [\"0.0.0.0:161\"], found the string \"127.0.0.1:1162\""
        );
        let refresh = refused(&format!(
            "[agent]\nlisten = []\nstate_dir = \"/s\"\n{SYSTEM_AND_USER}\
             [device]\nrefresh_seconds = \"300\"\n"
        ));
        assert!(
            refresh.ends_with(
                "device.refresh_seconds: expected a whole number, without quotes, found the \
                 string \"300\""
            ),
            "{refresh}"
        );
        let core = refused(&format!(
            "[agent]\nlisten = []\nstate_dir = \"/s\"\ncore_dumps = 1\n{SYSTEM_AND_USER}"
        ));
        assert!(
            core.ends_with("agent.core_dumps: expected true or false, found the number 1"),
            "{core}"
        );
    }

    #[test]
    fn missing_keys_are_named_without_a_misleading_line() {
        let missing = refused(&format!("[agent]\nlisten = []\n{SYSTEM_AND_USER}"));
        assert_eq!(
            missing,
            "/etc/dqi-agent/agent.toml: agent.state_dir: missing: this key is required"
        );
        let section = refused(SYSTEM_AND_USER);
        assert_eq!(
            section,
            "/etc/dqi-agent/agent.toml: agent: missing: this section is required"
        );
    }

    #[test]
    fn unknown_keys_are_named_with_the_known_ones() {
        let unknown = refused(&format!(
            "[agent]\nlisten = []\nstate_dir = \"/s\"\n{SYSTEM_AND_USER}auth_pasword = \"x\"\n"
        ));
        assert!(
            unknown.contains(": user[0].auth_pasword: unknown key; expected one of name, auth, "),
            "{unknown}"
        );
        let section = refused(&format!(
            "[agent]\nlisten = []\nstate_dir = \"/s\"\n{SYSTEM_AND_USER}[devices]\n"
        ));
        assert!(
            section.contains(": devices: unknown section; expected one of agent, system, user"),
            "{section}"
        );
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_never_quoted_back() {
        let secret = refused(&format!(
            "[agent]\nlisten = []\nstate_dir = \"/s\"\n{SYSTEM_AND_USER}auth_password = 31415926\n"
        ));
        assert!(secret.contains("user[0].auth_password: "), "{secret}");
        assert!(!secret.contains("31415926"), "{secret}");
    }

    #[test]
    fn toml_syntax_errors_keep_their_position() {
        let broken = refused("[agent\n");
        assert!(
            broken.starts_with("/etc/dqi-agent/agent.toml:1:"),
            "{broken}"
        );
    }
}
