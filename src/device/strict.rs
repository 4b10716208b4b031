//! JSON parsing for the device files (SBOMs, VEX) that refuses what JSON readers disagree on.
//!
//! RFC 8259 §4 says only that object names "SHOULD be unique", and readers differ on a repeated
//! one: serde_json's `Value` keeps the last, others the first or both. An SBOM that lists
//! `components` twice would then show the agent one inventory and a scanner reading the same
//! file another, so a repeated name is refused, naming its JSON path. Nesting deeper than
//! [`MAX_JSON_DEPTH`] is refused the same way, before serde_json's own recursion limit, so the
//! error names the path instead of the parser's limit.
//!
//! The path is kept as a chain of stack frames that is only formatted when an error happens:
//! parsing allocates nothing beyond the `Value` itself.

use core::cell::RefCell;
use core::fmt;
use std::string::String;
use std::vec::Vec;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::limits::MAX_JSON_DEPTH;

/// Why a document was not parsed.
#[derive(Debug)]
pub(crate) enum StrictError {
    /// Not JSON (the text says where).
    Syntax(serde_json::Error),
    /// JSON, but refused: the path (empty for the document) and the reason.
    Refused {
        /// The JSON path: `components[3].name`.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Parses `bytes` as one JSON value, refusing repeated object names and nesting deeper than
/// [`MAX_JSON_DEPTH`].
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, StrictError> {
    let refusal = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let seed = Seed {
        at: None,
        depth: 0,
        refusal: &refusal,
    };
    let parsed = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match (parsed, refusal.into_inner()) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some((path, reason))) => Err(StrictError::Refused { path, reason }),
        (Err(e), None) => Err(StrictError::Syntax(e)),
    }
}

/// One step of the path from the document to a value.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A value's place: its step and its parent's place (`None` for the document).
struct Node<'a> {
    parent: Option<&'a Node<'a>>,
    step: Step<'a>,
}

fn path(at: Option<&Node<'_>>) -> String {
    let mut steps = Vec::new();
    let mut node = at;
    while let Some(n) = node {
        steps.push(&n.step);
        node = n.parent;
    }
    let mut out = String::new();
    for step in steps.into_iter().rev() {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Deserializes the value at `at`, `depth` containers deep.
#[derive(Clone, Copy)]
struct Seed<'a> {
    at: Option<&'a Node<'a>>,
    depth: usize,
    refusal: &'a RefCell<Option<(String, String)>>,
}

impl<'a> Seed<'a> {
    fn child(self, node: &'a Node<'a>) -> Seed<'a> {
        Seed {
            at: Some(node),
            depth: self.depth + 1,
            refusal: self.refusal,
        }
    }

    fn refuse<E: de::Error>(self, at: Option<&Node<'_>>, reason: String) -> E {
        let path = path(at);
        let text = format!("at `{path}`: {reason}");
        *self.refusal.borrow_mut() = Some((path, reason));
        E::custom(text)
    }

    fn enter<E: de::Error>(self) -> Result<(), E> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(self.refuse(
                self.at,
                format!("nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects"),
            ));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(String::from(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            let node = Node {
                parent: self.at,
                step: Step::Index(items.len()),
            };
            match seq.next_element_seed(self.child(&node))? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = {
                let node = Node {
                    parent: self.at,
                    step: Step::Key(&key),
                };
                if object.contains_key(&key) {
                    return Err(self.refuse(
                        Some(&node),
                        "the name appears twice in one object (JSON readers disagree on which \
                         one counts)"
                            .into(),
                    ));
                }
                map.next_value_seed(self.child(&node))?
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(json: &str) -> (String, String) {
        match parse(json.as_bytes()) {
            Err(StrictError::Refused { path, reason }) => (path, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn values_parse_as_serde_json_parses_them() {
        let json = r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}],"c":"\u00e9"}"#;
        let ours = parse(json.as_bytes()).unwrap();
        let theirs: Value = serde_json::from_str(json).unwrap();
        assert_eq!(ours, theirs);
        assert!(matches!(parse(b"{} x"), Err(StrictError::Syntax(_))));
        assert!(matches!(parse(b"{\"a\":"), Err(StrictError::Syntax(_))));
    }

    #[test]
    fn repeated_names_are_refused_at_their_path() {
        let (path, reason) =
            refused(r#"{"components":[{"name":"a"}],"components":[{"name":"b"}]}"#);
        assert_eq!(path, "components");
        assert!(reason.starts_with("the name appears twice"), "{reason}");
        let (path, _) =
            refused(r#"{"components":[{"name":"a"},{"name":"b","version":"1","name":"c"}]}"#);
        assert_eq!(path, "components[1].name");
        // The same name in sibling objects is fine.
        assert!(parse(br#"[{"a":1},{"a":2}]"#).is_ok());
    }

    #[test]
    fn nesting_is_bounded_with_a_path() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH + 1),
            "]".repeat(MAX_JSON_DEPTH + 1)
        );
        let (path, reason) = refused(&deep);
        assert_eq!(path, format!("{}", "[0]".repeat(MAX_JSON_DEPTH)));
        assert!(
            reason.starts_with("nested deeper than 120 levels"),
            "{reason}"
        );
        // Far deeper input is refused the same way, without exhausting the stack.
        let very = "[".repeat(100_000);
        assert!(matches!(
            parse(very.as_bytes()),
            Err(StrictError::Refused { .. })
        ));
    }
}
