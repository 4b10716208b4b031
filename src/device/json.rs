//! Shared helpers for the JSON SBOM importers: typed field access that fails with the file, the
//! JSON path and the reason, and the document record both formats fill. Missing and `null` are
//! the same (optional fields); a present field of the wrong JSON type is an error, since guessing
//! would serve wrong data.
//!
//! Every string the agent reads (names, versions, purls, CPEs, hashes...) is refused when it is
//! longer than `[device.limits] max_string_bytes` or holds a control character (U+0000 to
//! U+001F, U+007F to U+009F): the agent would serve them verbatim, and a NUL or an escape
//! sequence means different things to the tools that display or match them. Strings it does not
//! read (descriptions, licence texts) are left alone.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::DeviceError;
use super::date::Timestamp;
use super::limits::Limits;
use super::model::{ComponentHash, HashAlg, SbomComponent, SbomDocument, SbomFormat, SbomImport};
use super::strict::{self, StrictError};

/// A JSON object.
pub(crate) type Object = Map<String, Value>;

/// Where a format keeps a component's hashes: the array, the members of each entry holding the
/// algorithm name and the hex value, and what the format's algorithm list is called in errors.
pub(crate) struct HashFields {
    pub(crate) array: &'static str,
    pub(crate) alg: &'static str,
    pub(crate) value: &'static str,
    /// `a CycloneDX hash algorithm`.
    pub(crate) list: &'static str,
}

/// Parses the JSON document `bytes`, read from `file`, under `limits`, and hands its root
/// object to `import` with the context its errors point through: how every importer starts.
pub(crate) fn read<T>(
    bytes: &[u8],
    file: &str,
    limits: &Limits,
    import: impl FnOnce(&Ctx<'_>, &Object) -> Result<T, DeviceError>,
) -> Result<T, DeviceError> {
    let ctx = Ctx { file, limits };
    let root = ctx.parse(bytes)?;
    import(&ctx, &root)
}

/// Where errors point (the file being read) and the limits it is read under.
pub(crate) struct Ctx<'a> {
    pub(crate) file: &'a str,
    pub(crate) limits: &'a Limits,
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

    /// The record of the document `bytes` (parsed as `root`): where it was read from, its format
    /// and spec version, the SHA-256 of its bytes, and its identity from the member
    /// `serial_key`. The importer fills the rest.
    pub(crate) fn document(
        &self,
        bytes: &[u8],
        root: &Object,
        format: SbomFormat,
        spec_version: &str,
        serial_key: &str,
    ) -> Result<SbomDocument, DeviceError> {
        Ok(SbomDocument {
            location: self.file.to_string(),
            format,
            spec_version: spec_version.to_string(),
            sha256: Sha256::digest(bytes).into(),
            serial: non_empty(self.str(root, serial_key, "")?),
            created: None,
            subject: None,
            version: 0,
            components: 0,
        })
    }

    /// Every hash of the component `obj` at `path`, read as `fields` says; an unknown algorithm
    /// or a value that is not hex of the algorithm's length is an error at its JSON path.
    pub(crate) fn hashes(
        &self,
        obj: &Object,
        path: &str,
        fields: &HashFields,
    ) -> Result<Vec<ComponentHash>, DeviceError> {
        let mut hashes = Vec::new();
        for (i, h) in self.array(obj, fields.array, path)?.iter().enumerate() {
            let here = item(path, fields.array, i);
            let h = self.object(h, &here)?;
            let alg_name = self.required_str(h, fields.alg, &here)?;
            let alg = HashAlg::parse(alg_name).ok_or_else(|| {
                self.err(
                    &join(&here, fields.alg),
                    format!("`{alg_name}` is not {}", fields.list),
                )
            })?;
            let value = self.required_str(h, fields.value, &here)?;
            let hash = ComponentHash::new(alg, value).ok_or_else(|| {
                self.err(
                    &join(&here, fields.value),
                    format!(
                        "not a {} value (hex of the algorithm's length)",
                        alg.as_str()
                    ),
                )
            })?;
            hashes.push(hash);
        }
        Ok(hashes)
    }

    /// Parses the document strictly (see [`strict`]); a syntax error names its line and column.
    pub(crate) fn parse(&self, bytes: &[u8]) -> Result<Object, DeviceError> {
        let value = strict::parse(bytes).map_err(|e| match e {
            StrictError::Syntax(e) => self.err("", format!("not JSON: {e}")),
            StrictError::Refused { path, reason } => self.err(&path, reason),
        })?;
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
            Some(Value::String(s)) => self.text(s, &join(path, key)).map(Some),
            Some(v) => Err(self.err(
                &join(path, key),
                format!("expected a string, found {}", kind(v)),
            )),
        }
    }

    /// `s`, read at `path`, if it is short enough and free of control characters.
    pub(crate) fn text<'v>(&self, s: &'v str, path: &str) -> Result<&'v str, DeviceError> {
        if s.len() > self.limits.max_string_bytes {
            return Err(self.err(
                path,
                format!(
                    "{} bytes, over the limit `[device.limits] max_string_bytes = {}`",
                    s.len(),
                    self.limits.max_string_bytes
                ),
            ));
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            return Err(self.err(
                path,
                format!(
                    "control character U+{:04X} in the text (refused: it would be served verbatim)",
                    u32::from(c)
                ),
            ));
        }
        Ok(s)
    }

    /// `Limit` for `what` in this file.
    pub(crate) fn over(&self, found: String, limit: &'static str, value: usize) -> DeviceError {
        DeviceError::Limit {
            file: self.file.to_string(),
            found,
            limit,
            value: u64::try_from(value).unwrap_or(u64::MAX),
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

/// The import of `document` with its `components`, counted in the record.
pub(crate) fn import(mut document: SbomDocument, components: Vec<SbomComponent>) -> SbomImport {
    document.components = u32::try_from(components.len()).unwrap_or(u32::MAX);
    SbomImport {
        document,
        components,
    }
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
