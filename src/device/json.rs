//! Shared helpers for the JSON SBOM importers: typed field access that fails with the file, the
//! JSON path and the reason. Missing and `null` are the same (optional fields); a present field
//! of the wrong JSON type is an error, since guessing would serve wrong data.

use alloc::format;
use alloc::string::{String, ToString};

use serde_json::{Map, Value};

use super::DeviceError;
use super::date::Timestamp;

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// Where errors point: the file being read.
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn err(&self, path: &str, reason: impl Into<String>) -> DeviceError {
        DeviceError::Sbom {
            file: self.file.to_string(),
            path: if path.is_empty() {
                "$".to_string()
            } else {
                path.to_string()
            },
            reason: reason.into(),
        }
    }

    /// Parses the document; a syntax error names its line and column.
    pub(crate) fn parse(&self, bytes: &[u8]) -> Result<Object, DeviceError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| self.err("", format!("not JSON: {e}")))?;
        match value {
            Value::Object(o) => Ok(o),
            _ => Err(self.err("", "the document is not a JSON object")),
        }
    }

    pub(crate) fn object<'v>(&self, v: &'v Value, path: &str) -> Result<&'v Object, DeviceError> {
        v.as_object()
            .ok_or_else(|| self.err(path, format!("expected an object, found {}", kind(v))))
    }

    /// An optional string member.
    pub(crate) fn str<'v>(
        &self,
        obj: &'v Object,
        key: &str,
        path: &str,
    ) -> Result<Option<&'v str>, DeviceError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(v) => Err(self.err(
                &join(path, key),
                format!("expected a string, found {}", kind(v)),
            )),
        }
    }

    /// A required string member.
    pub(crate) fn required_str<'v>(
        &self,
        obj: &'v Object,
        key: &str,
        path: &str,
    ) -> Result<&'v str, DeviceError> {
        self.str(obj, key, path)?
            .ok_or_else(|| self.err(&join(path, key), "required field is missing"))
    }

    /// An optional array member; missing means empty.
    pub(crate) fn array<'v>(
        &self,
        obj: &'v Object,
        key: &str,
        path: &str,
    ) -> Result<&'v [Value], DeviceError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(v) => Err(self.err(
                &join(path, key),
                format!("expected an array, found {}", kind(v)),
            )),
        }
    }

    /// An optional date member, ISO 8601.
    pub(crate) fn date(
        &self,
        obj: &Object,
        key: &str,
        path: &str,
    ) -> Result<Option<Timestamp>, DeviceError> {
        match self.str(obj, key, path)? {
            None => Ok(None),
            Some(s) => self.parse_date(s, &join(path, key)).map(Some),
        }
    }

    pub(crate) fn parse_date(&self, s: &str, path: &str) -> Result<Timestamp, DeviceError> {
        Timestamp::parse(s)
            .ok_or_else(|| self.err(path, format!("`{s}` is not an ISO 8601 date or date-time")))
    }
}

/// `path.key`, or `key` at the top.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path.key[i]`.
pub(crate) fn item(path: &str, key: &str, i: usize) -> String {
    format!("{}[{i}]", join(path, key))
}

/// Text with surrounding whitespace removed; `None` when nothing is left.
pub(crate) fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
