//! The device description file: a TOML document with everything about the device that is not in
//! its SBOMs (identity and UDI, MDS2 security controls, health inputs, configuration facts,
//! services, and where the SBOM and VEX are published).
//!
//! Every table refuses unknown keys, so a misspelt key is an error at start-up rather than a
//! silently missing value. Errors name the file, the key path (`service[2].port`,
//! `identity.udi.di`) and the line. Dates are ISO 8601, quoted (`"2024-03-14"`) or as TOML
//! dates (`2024-03-14`). The key reference with an example is `docs/device-data.md`; a complete
//! file is `examples/infusion-pump/device.toml`.

use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use serde::Deserialize;

use super::DeviceError;
use super::date::Timestamp;
use super::limits::Limits;
use super::model::{
    AuthKind, Configuration, Encryption, Health, HealthStatus, Identity, IssuingAgency,
    RemoteServiceAccess, SecurityControl, SelfTestResult, Service, ServiceState, TimeSource,
    Transport, Udi, UpdatePolicy,
};
use super::source::read_bytes;

/// The non-software parts of the snapshot, as the description file gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Description {
    /// Identity and UDI.
    pub identity: Identity,
    /// MDS2 security controls.
    pub security_controls: Vec<SecurityControl>,
    /// Health inputs.
    pub health: Health,
    /// Configuration facts.
    pub configuration: Configuration,
    /// Services and interfaces.
    pub services: Vec<Service>,
    /// Where the manufacturer publishes the SBOM (URI).
    pub sbom_uri: Option<String>,
    /// Where the manufacturer publishes VEX statements (URI).
    pub vex_uri: Option<String>,
    /// Install date for software rows whose SBOM gives none.
    pub software_installed: Option<Timestamp>,
}

/// Reads and checks a description file under `limits` (`max_description_bytes`,
/// `max_services`). Text that is not UTF-8 is refused naming the line and column.
pub fn load(path: &Path, limits: &Limits) -> Result<Description, DeviceError> {
    let file = path.display().to_string();
    let bytes = read_bytes(path, limits.max_description_bytes, "max_description_bytes")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = crate::files::utf8_error_position(e.as_bytes(), e.utf8_error().valid_up_to());
        DeviceError::Description {
            file: file.clone(),
            key: String::new(),
            line: at
                .split(',')
                .next()
                .and_then(|l| l.trim_start_matches("line ").parse().ok())
                .unwrap_or(0),
            reason: format!("not UTF-8 text (invalid byte at {at})"),
        }
    })?;
    parse_with(&text, &file, limits)
}

/// Checks description text under the default [`Limits`]; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Description, DeviceError> {
    parse_with(text, file, &Limits::default())
}

/// Checks description text under `limits`; `file` names it in errors.
pub fn parse_with(text: &str, file: &str, limits: &Limits) -> Result<Description, DeviceError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        // The parser gives no place for some errors (a dotted key of 100,000 parts exceeds its
        // recursion limit): the most deeply nested line is then the one to show.
        let at = e.span().map(|s| s.start).or_else(|| deepest_line(text));
        let (key, line) = locate(text, at, e.message());
        DeviceError::Description {
            file: file.to_string(),
            key,
            line,
            reason: e.message().trim().to_string(),
        }
    })?;
    let checker = Checker { text, file };
    for (key, count) in [
        ("service", raw.service.len()),
        ("security_control", raw.security_control.len()),
    ] {
        if count > limits.max_services {
            return Err(DeviceError::Limit {
                file: file.to_string(),
                found: format!("{count} [[{key}]] tables"),
                limit: "max_services",
                value: u64::try_from(limits.max_services).unwrap_or(u64::MAX),
            });
        }
    }
    raw.check(&checker)
}

// ---- the file format: one struct per table, a doc comment per key ----

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// `[identity]`: who the device is. Required.
    identity: RawIdentity,
    /// `[[security_control]]`: one table per MDS2 question (or whole section) answered.
    #[serde(default)]
    security_control: Vec<RawControl>,
    /// `[health]`: health inputs.
    #[serde(default)]
    health: RawHealth,
    /// `[configuration]`: security-relevant configuration facts.
    #[serde(default)]
    configuration: RawConfiguration,
    /// `[[service]]`: one table per listening service or non-IP interface.
    #[serde(default)]
    service: Vec<RawService>,
    /// `[software]`: SBOM and VEX publication.
    #[serde(default)]
    software: RawSoftware,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    /// Legal manufacturer name. Required.
    manufacturer: String,
    /// Brand or trade name. Required.
    brand: String,
    /// Model number. Required.
    model: String,
    /// Catalog (reference) number.
    catalog_number: Option<String>,
    /// Unit serial number. Required.
    serial: String,
    /// Hardware revision.
    hardware_revision: Option<String>,
    /// Firmware revision.
    firmware_revision: Option<String>,
    /// Main software revision.
    software_revision: Option<String>,
    /// Unit UUID, `8-4-4-4-12` hex.
    uuid: Option<String>,
    /// FDA product code, three letters.
    fda_product_code: Option<String>,
    /// GMDN term code.
    gmdn_code: Option<String>,
    /// Vulnerability disclosure contact URI.
    vulnerability_disclosure: Option<String>,
    /// MDS2 form URI.
    mds2: Option<String>,
    /// `[identity.udi]`: the Unique Device Identifier.
    udi: Option<RawUdi>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUdi {
    /// `GS1`, `HIBCC` or `ICCBBA`. Required.
    issuing_agency: IssuingAgency,
    /// Device identifier, 6 to 23 characters. Required.
    di: String,
    /// Lot or batch.
    lot: Option<String>,
    /// Manufacturing date.
    manufactured: Option<RawDate>,
    /// Expiration date.
    expiry: Option<RawDate>,
    /// Human-readable UDI as printed.
    human_readable: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    /// MDS2 question ID (`ALOF-1`) or section code (`ALOF`). Required.
    code: String,
    /// Capability name. Required.
    name: String,
    /// Whether the model supports it. Required.
    supported: bool,
    /// Whether it is enabled on this unit. Required.
    enabled: bool,
    /// Free-text note.
    note: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHealth {
    /// `ok`, `degraded`, `fault`, `maintenance` or `unknown` (default).
    #[serde(default)]
    status: HealthStatus,
    /// Why; empty by default.
    #[serde(default)]
    reason: String,
    /// `passed`, `failed` or `not-run` (default).
    #[serde(default)]
    self_test: SelfTestResult,
    /// When the last self-test ran.
    self_test_time: Option<RawDate>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfiguration {
    /// When the configuration last changed.
    last_change: Option<RawDate>,
    /// Configuration changes since manufacture.
    #[serde(default)]
    change_count: u32,
    /// SHA-256 of the effective configuration, 64 hex digits.
    digest: Option<String>,
    /// `disabled` (default), `on-demand` or `always`.
    #[serde(default)]
    remote_service: RemoteServiceAccess,
    /// Whether a factory default credential is still in use.
    #[serde(default)]
    factory_default_credential: bool,
    /// Idle seconds before automatic logoff; 0 = disabled.
    #[serde(default)]
    auto_logoff_seconds: u32,
    /// Whether stored data is encrypted.
    #[serde(default)]
    storage_encryption: bool,
    /// Whether audit logging is on.
    #[serde(default)]
    audit_logging: bool,
    /// Where audit records go.
    audit_target: Option<String>,
    /// `unknown` (default), `manual`, `ntp`, `ptp`, `gnss` or `host`.
    #[serde(default)]
    time_source: TimeSource,
    /// Time server.
    time_server: Option<String>,
    /// Whether time is synchronised.
    #[serde(default)]
    time_synchronised: bool,
    /// Whether secure boot is on.
    #[serde(default)]
    secure_boot: bool,
    /// `unknown` (default), `none`, `manual`, `service-technician` or `automatic`.
    #[serde(default)]
    update_policy: UpdatePolicy,
    /// When software was last updated; also the default install date of software rows.
    last_update: Option<RawDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    /// Service or interface name. Required.
    name: String,
    /// `tcp`, `udp`, `sctp`, `bluetooth`, `bluetooth-le`, `usb`, `serial` or `other`. Required.
    transport: Transport,
    /// Bound address.
    address: Option<String>,
    /// Port, for IP transports.
    port: Option<u16>,
    /// `enabled` (default), `disabled` or `on-demand`.
    #[serde(default = "enabled")]
    state: ServiceState,
    /// `none`, `password`, `certificate`, `shared-key`, `token`, `pairing`, `usm` or `other`.
    /// Required.
    auth: AuthKind,
    /// `none`, `tls`, `dtls`, `ssh`, `ipsec`, `link-layer`, `application` or `other`. Required.
    encryption: Encryption,
    /// Why it exists.
    #[serde(default)]
    purpose: String,
}

fn enabled() -> ServiceState {
    ServiceState::Enabled
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSoftware {
    /// Where the manufacturer publishes the SBOM (URI).
    sbom_uri: Option<String>,
    /// Where the manufacturer publishes VEX statements (URI).
    vex_uri: Option<String>,
    /// Install date for software rows; defaults to `configuration.last_update`.
    installed: Option<RawDate>,
}

/// A date as a quoted string or a TOML date / date-time.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawDate {
    Text(String),
    Toml(toml::value::Datetime),
}

// ---- checks that serde cannot express, each naming its key ----

struct Checker<'a> {
    text: &'a str,
    file: &'a str,
}

impl Checker<'_> {
    fn err(&self, key: &str, reason: impl Into<String>) -> DeviceError {
        DeviceError::Description {
            file: self.file.to_string(),
            key: key.to_string(),
            line: line_of_key(self.text, key),
            reason: reason.into(),
        }
    }

    fn date(&self, raw: Option<RawDate>, key: &str) -> Result<Option<Timestamp>, DeviceError> {
        let text = match raw {
            None => return Ok(None),
            Some(RawDate::Text(s)) => s,
            Some(RawDate::Toml(d)) => d.to_string(),
        };
        Timestamp::parse(&text).map(Some).ok_or_else(|| {
            self.err(
                key,
                format!("`{text}` is not an ISO 8601 date or date-time"),
            )
        })
    }
}

impl RawFile {
    fn check(self, c: &Checker<'_>) -> Result<Description, DeviceError> {
        let identity = self.identity.check(c)?;
        let mut security_controls = Vec::with_capacity(self.security_control.len());
        for (i, r) in self.security_control.into_iter().enumerate() {
            let code = r.code.trim();
            if !mds2_code(code) {
                return Err(c.err(
                    &format!("security_control[{i}].code"),
                    format!(
                        "`{code}` is not an MDS2 question ID (`ALOF-1`, `CSUP-2.3`) or section \
                         code (`ALOF`)"
                    ),
                ));
            }
            security_controls.push(SecurityControl {
                code: code.to_string(),
                name: r.name,
                supported: r.supported,
                enabled: r.enabled,
                note: r.note,
            });
        }
        let health = Health {
            status: self.health.status,
            reason: self.health.reason,
            self_test: self.health.self_test,
            self_test_time: c.date(self.health.self_test_time, "health.self_test_time")?,
        };
        let cf = self.configuration;
        let digest = match cf.digest {
            None => None,
            Some(hex) => Some(sha256_hex(&hex).ok_or_else(|| {
                c.err("configuration.digest", "expected 64 hex digits (SHA-256)")
            })?),
        };
        let configuration = Configuration {
            last_change: c.date(cf.last_change, "configuration.last_change")?,
            change_count: cf.change_count,
            digest,
            remote_service: cf.remote_service,
            factory_default_credential: cf.factory_default_credential,
            auto_logoff_seconds: cf.auto_logoff_seconds,
            storage_encryption: cf.storage_encryption,
            audit_logging: cf.audit_logging,
            audit_target: cf.audit_target,
            time_source: cf.time_source,
            time_server: cf.time_server,
            time_synchronised: cf.time_synchronised,
            secure_boot: cf.secure_boot,
            update_policy: cf.update_policy,
            last_update: c.date(cf.last_update, "configuration.last_update")?,
            community_snmp: false,
        };
        let services = self
            .service
            .into_iter()
            .map(|s| Service {
                name: s.name,
                transport: s.transport,
                address: s.address,
                port: s.port,
                state: s.state,
                auth: s.auth,
                encryption: s.encryption,
                purpose: s.purpose,
            })
            .collect();
        let software_installed = c
            .date(self.software.installed, "software.installed")?
            .or(configuration.last_update);
        Ok(Description {
            identity,
            security_controls,
            health,
            configuration,
            services,
            sbom_uri: self.software.sbom_uri,
            vex_uri: self.software.vex_uri,
            software_installed,
        })
    }
}

impl RawIdentity {
    fn check(self, c: &Checker<'_>) -> Result<Identity, DeviceError> {
        for (key, value) in [
            ("identity.manufacturer", &self.manufacturer),
            ("identity.model", &self.model),
            ("identity.serial", &self.serial),
        ] {
            if value.trim().is_empty() {
                return Err(c.err(key, "must not be empty"));
            }
        }
        let uuid = match self.uuid {
            None => None,
            Some(u) => Some(
                uuid_text(&u)
                    .ok_or_else(|| c.err("identity.uuid", "expected a UUID, 8-4-4-4-12 hex"))?,
            ),
        };
        if let Some(code) = &self.fda_product_code
            && (code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(c.err(
                "identity.fda_product_code",
                "expected three upper-case letters",
            ));
        }
        let udi = match self.udi {
            None => None,
            Some(u) => {
                let n = u.di.chars().count();
                if !(6..=23).contains(&n) {
                    return Err(c.err(
                        "identity.udi.di",
                        format!("a device identifier has 6 to 23 characters, not {n}"),
                    ));
                }
                Some(Udi {
                    issuing_agency: u.issuing_agency,
                    di: u.di,
                    lot: u.lot,
                    manufactured: c.date(u.manufactured, "identity.udi.manufactured")?,
                    expiry: c.date(u.expiry, "identity.udi.expiry")?,
                    human_readable: u.human_readable,
                })
            }
        };
        Ok(Identity {
            manufacturer: self.manufacturer,
            brand: self.brand,
            model: self.model,
            catalog_number: self.catalog_number,
            serial: self.serial,
            hardware_revision: self.hardware_revision,
            firmware_revision: self.firmware_revision,
            software_revision: self.software_revision,
            udi,
            uuid,
            fda_product_code: self.fda_product_code,
            gmdn_code: self.gmdn_code,
            vulnerability_disclosure_uri: self.vulnerability_disclosure,
            mds2_uri: self.mds2,
        })
    }
}

/// An MDS2 (HN 1-2019) question ID as the form writes it, a section code, a hyphen and the
/// question number (`ALOF-1`, `CSUP-2.3`), or a bare section code (`ALOF`) for an answer that
/// covers the whole section. At most 16 octets: `dqiSecControlCode` is `SIZE (1..16)`.
fn mds2_code(code: &str) -> bool {
    let (section, question) = match code.split_once('-') {
        Some((section, question)) => (section, Some(question)),
        None => (code, None),
    };
    let number = |q: &str| {
        q.split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    };
    code.len() <= 16
        && section.len() == 4
        && section.bytes().all(|b| b.is_ascii_uppercase())
        && question.is_none_or(number)
}

fn sha256_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        let s = core::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

fn uuid_text(u: &str) -> Option<String> {
    let u = u.trim();
    let groups: Vec<&str> = u.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    ok.then(|| u.to_ascii_lowercase())
}

// ---- key paths for error messages ----

/// The key path and 1-based line at byte `offset`, from the table headers above it and the key
/// on its line. TOML parse errors report a byte span, not a key; this turns the span into the
/// name an operator looks for. A `missing field` error names the field inside the table.
fn locate(text: &str, offset: Option<usize>, message: &str) -> (String, usize) {
    let Some(offset) = offset else {
        return (String::new(), 0);
    };
    let offset = offset.min(text.len());
    let line_no = text[..offset].matches('\n').count() + 1;
    let mut table = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut key = None;
    for line in text.lines().take(line_no) {
        let t = line.trim();
        if let Some(name) = header(t, &mut counts) {
            table = name;
            key = None;
        } else if let Some((k, _)) = t.split_once('=')
            && !t.starts_with('#')
        {
            key = Some(k.trim().trim_matches('"').to_string());
        }
    }
    let mut path = table;
    if let Some(k) = key {
        push_key(&mut path, &shorten(&k));
    }
    if let Some(field) = message
        .split("missing field `")
        .nth(1)
        .and_then(|r| r.split('`').next())
    {
        push_key(&mut path, field);
    }
    (path, line_no)
}

/// The offset of the line with the most nesting (dots, brackets, braces), or `None` for an empty
/// text.
fn deepest_line(text: &str) -> Option<usize> {
    let depth = |l: &str| {
        l.bytes()
            .filter(|b| matches!(b, b'.' | b'[' | b'{'))
            .count()
    };
    let mut offset = 0;
    let mut best: Option<(usize, usize)> = None;
    for line in text.split_inclusive('\n') {
        let d = depth(line);
        if best.is_none_or(|(bd, _)| d > bd) {
            best = Some((d, offset));
        }
        offset += line.len();
    }
    best.map(|(_, at)| at)
}

/// The table a header line (trimmed) opens, as a key path: `[identity.udi]` is
/// `identity.udi`, the third `[[service]]` is `service[2]`, counting in `counts`. `None` for a
/// line that is no header.
fn header(line: &str, counts: &mut Vec<(String, usize)>) -> Option<String> {
    if let Some(name) = line.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
        let name = name.trim().to_string();
        let i = match counts.iter_mut().find(|(k, _)| *k == name) {
            Some((_, c)) => {
                *c += 1;
                *c - 1
            }
            None => {
                counts.push((name.clone(), 1));
                0
            }
        };
        Some(format!("{name}[{i}]"))
    } else {
        let name = line.strip_prefix('[').and_then(|r| r.split(']').next())?;
        Some(name.trim().to_string())
    }
}

/// A key path cut to 64 bytes (at a character boundary) with `...` after it: a hostile file's
/// key can be megabytes long.
fn shorten(key: &str) -> String {
    const MAX: usize = 64;
    if key.len() <= MAX {
        return key.to_string();
    }
    let mut end = MAX;
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &key[..end])
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// The line where the key path's last key is set, 0 if not found. Used for checks after parsing.
fn line_of_key(text: &str, key_path: &str) -> usize {
    let (table, key) = key_path.rsplit_once('.').unwrap_or(("", key_path));
    let mut current = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = header(t, &mut counts) {
            current = name;
        } else if current == table
            && t.split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches('"') == key)
        {
            return n + 1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[identity]
manufacturer = "Acme"
brand = "B"
model = "M"
serial = "S1"
"#;

    fn error(text: &str) -> (String, usize, String) {
        match parse(text, "dev.toml") {
            Err(DeviceError::Description {
                file,
                key,
                line,
                reason,
            }) => {
                assert_eq!(file, "dev.toml");
                (key, line, reason)
            }
            other => panic!("expected a description error, got {other:?}"),
        }
    }

    // Regression (issue 12 #10): a TOML error from a 100,000-part dotted key read
    // `key `` (line 0): recursion limit`.
    #[test]
    fn errors_without_a_place_point_at_the_deepest_line() {
        let key = vec!["a"; 100_000].join(".");
        let (path, line, reason) = error(&format!("{MINIMAL}{key} = 1\n"));
        assert_eq!(line, 7);
        assert_eq!(path, format!("identity.{}...", &key[..64]));
        assert!(reason.contains("recursion"), "{reason}");
    }

    // Regression (issue 12 #10): non-UTF-8 TOML gave no line; #3: the description had no size
    // or table count limit.
    #[test]
    fn loading_names_bad_bytes_and_limits() {
        let dir = crate::test_dir::TempDir::new("description");
        let path = dir.join("device.toml");
        let mut bytes = MINIMAL.as_bytes().to_vec();
        bytes.extend_from_slice(b"catalog_number = \"ab\xff\"\n");
        std::fs::write(&path, &bytes).unwrap();
        match load(&path, &Limits::default()) {
            Err(DeviceError::Description { line, reason, .. }) => {
                assert_eq!(line, 7);
                assert_eq!(reason, "not UTF-8 text (invalid byte at line 7, column 21)");
            }
            other => panic!("{other:?}"),
        }
        let service = "[[service]]\nname = \"s\"\ntransport = \"tcp\"\nauth = \"none\"\nencryption = \"none\"\n";
        std::fs::write(&path, format!("{MINIMAL}{}", service.repeat(3))).unwrap();
        let two = Limits {
            max_services: 2,
            ..Limits::default()
        };
        assert_eq!(
            load(&path, &two).unwrap_err().to_string(),
            format!(
                "{}: 3 [[service]] tables, over the limit `[device.limits] max_services = 2`",
                path.display()
            )
        );
        assert_eq!(load(&path, &Limits::default()).unwrap().services.len(), 3);
        let tiny = Limits {
            max_description_bytes: 10,
            ..Limits::default()
        };
        assert!(
            load(&path, &tiny)
                .unwrap_err()
                .to_string()
                .contains("max_description_bytes = 10")
        );
    }

    #[test]
    fn minimal_file_gives_defaults() {
        let d = parse(MINIMAL, "dev.toml").unwrap();
        assert_eq!(d.identity.manufacturer, "Acme");
        assert_eq!(d.health.status, HealthStatus::Unknown);
        assert_eq!(
            d.configuration.remote_service,
            RemoteServiceAccess::Disabled
        );
        assert!(d.services.is_empty() && d.security_controls.is_empty());
    }

    #[test]
    fn dates_quoted_or_native() {
        let text = format!(
            "{MINIMAL}[identity.udi]\nissuing_agency = \"GS1\"\ndi = \"00850012345673\"\nmanufactured = 2024-03-14\nexpiry = \"2034-03-13\"\n[configuration]\nlast_update = 2024-05-02T08:15:00Z\n"
        );
        let d = parse(&text, "dev.toml").unwrap();
        let udi = d.identity.udi.unwrap();
        assert_eq!(udi.issuing_agency, IssuingAgency::Gs1);
        assert_eq!(udi.manufactured, Timestamp::parse("2024-03-14"));
        assert_eq!(udi.expiry, Timestamp::parse("2034-03-13"));
        assert_eq!(
            d.software_installed,
            Timestamp::parse("2024-05-02T08:15:00Z")
        );
    }

    #[test]
    fn errors_name_the_key_path() {
        let (key, line, reason) = error(&format!("{MINIMAL}colour = \"red\"\n"));
        assert_eq!((key.as_str(), line), ("identity.colour", 7));
        assert!(reason.contains("unknown field"), "{reason}");

        let services = format!(
            "{MINIMAL}[[service]]\nname = \"a\"\ntransport = \"tcp\"\nauth = \"none\"\nencryption = \"none\"\n[[service]]\nname = \"b\"\ntransport = \"tcp\"\nport = 70000\nauth = \"none\"\nencryption = \"none\"\n"
        );
        let (key, line, _) = error(&services);
        assert_eq!((key.as_str(), line), ("service[1].port", 15));

        let (key, _, reason) = error(&format!("{MINIMAL}[health]\nstatus = \"fine\"\n"));
        assert_eq!(key, "health.status");
        assert!(reason.contains("fine"), "{reason}");

        let (key, _, _) = error("[identity]\nmanufacturer = \"A\"\nbrand = \"B\"\nmodel = \"M\"\n");
        assert_eq!(key, "identity.serial");

        let (key, line, _) = error(&format!(
            "{MINIMAL}[identity.udi]\nissuing_agency = \"GS1\"\ndi = \"123\"\n"
        ));
        assert_eq!((key.as_str(), line), ("identity.udi.di", 9));

        let (key, _, _) = error(&format!("{MINIMAL}[configuration]\ndigest = \"abc\"\n"));
        assert_eq!(key, "configuration.digest");

        let (key, line, _) = error(&format!(
            "{MINIMAL}[[security_control]]\ncode = \"alof\"\nname = \"x\"\nsupported = true\nenabled = true\n"
        ));
        assert_eq!((key.as_str(), line), ("security_control[0].code", 8));

        let (key, _, _) = error(&format!(
            "{MINIMAL}[health]\nself_test_time = \"yesterday\"\n"
        ));
        assert_eq!(key, "health.self_test_time");
    }

    #[test]
    fn security_control_codes() {
        for code in ["ALOF", "ALOF-1", "CSUP-2.3", "MPII-2.1.1", "OTHR"] {
            let text = format!(
                "{MINIMAL}[[security_control]]\ncode = \"{code}\"\nname = \"x\"\nsupported = true\nenabled = true\n"
            );
            let d = parse(&text, "dev.toml").unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(d.security_controls[0].code, code);
        }
        for code in [
            "alof-1",
            "ALOF-",
            "ALOF-x",
            "ALOF-1..2",
            "ALO-1",
            "ALOF1",
            "ALOF-1234567890.1",
        ] {
            let text = format!(
                "{MINIMAL}[[security_control]]\ncode = \"{code}\"\nname = \"x\"\nsupported = true\nenabled = true\n"
            );
            let (key, _, reason) = error(&text);
            assert_eq!(key, "security_control[0].code", "{code}");
            assert!(reason.contains("question ID"), "{reason}");
        }
    }
}
