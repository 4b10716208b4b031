//! The `[device]` section: which device description and SBOM files the agent serves under the
//! DQI-MIB, and how often it re-reads them.
//!
//! The keys (`description`, `sbom`, `vex`, `refresh_seconds`, `[device.limits]`) are
//! [`DeviceConfig`]'s, owned by the device layer; this file only checks what the device layer
//! cannot: empty paths, an interval or a limit outside its range, and paths relative to the
//! configuration file, which are resolved here
//! against that file's directory so the agent does not depend on its working directory. Whether
//! the files exist and parse is checked when they are loaded (start-up, `--check-config`), with
//! the file, the key or JSON path, and the reason.

use std::path::Path;

use super::validate::Validator;
use super::{ConfigError, DeviceConfig, Problem, Warning};

/// The longest `refresh_seconds` accepted: a year. Longer is surely a typo; `0` (SIGHUP only) is
/// the way to say "never on a timer".
pub(super) const MAX_REFRESH_SECONDS: u64 = 365 * 24 * 3600;
/// Below this a non-zero interval earns a warning: every refresh re-parses every SBOM.
const SHORT_REFRESH_SECONDS: u64 = 10;

impl Validator<'_> {
    /// Checks `[device]` and resolves its paths against the configuration file's directory.
    pub(super) fn device(
        &mut self,
        section: Option<DeviceConfig>,
    ) -> Result<Option<DeviceConfig>, ConfigError> {
        let Some(d) = section else {
            return Ok(None);
        };
        let invalid = |key: String, problem| ConfigError::Invalid {
            file: self.file.to_path_buf(),
            key,
            problem,
        };
        if d.description
            .as_ref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            return Err(invalid("device.description".into(), Problem::Empty));
        }
        if let Some(i) = d.sbom.iter().position(|p| p.as_os_str().is_empty()) {
            return Err(invalid(format!("device.sbom[{i}]"), Problem::Empty));
        }
        if let Some(i) = d.vex.iter().position(|p| p.as_os_str().is_empty()) {
            return Err(invalid(format!("device.vex[{i}]"), Problem::Empty));
        }
        if d.refresh_seconds > MAX_REFRESH_SECONDS {
            return Err(invalid(
                "device.refresh_seconds".into(),
                Problem::OutOfRange {
                    value: i64::try_from(d.refresh_seconds).unwrap_or(i64::MAX),
                    min: 0,
                    // A year in seconds fits any usize the agent builds for.
                    max: usize::try_from(MAX_REFRESH_SECONDS).unwrap_or(usize::MAX),
                },
            ));
        }
        if (1..SHORT_REFRESH_SECONDS).contains(&d.refresh_seconds) {
            self.warn_device(
                "device.refresh_seconds",
                format!(
                    "every refresh re-reads every file; {} seconds or more is usually enough \
                     (SIGHUP refreshes at once)",
                    SHORT_REFRESH_SECONDS
                ),
            );
        }
        if let Err(bad) = d.limits.check() {
            return Err(invalid(
                format!("device.limits.{}", bad.key),
                Problem::OutOfRange {
                    value: i64::try_from(bad.value).unwrap_or(i64::MAX),
                    min: usize::try_from(bad.min).unwrap_or(usize::MAX),
                    max: usize::try_from(bad.max).unwrap_or(usize::MAX),
                },
            ));
        }
        if d.description.is_none() && d.sbom.is_empty() {
            self.warn_device(
                "device",
                "neither description nor sbom is set: the DQI-MIB will be empty",
            );
        }
        // `parent` of a bare file name is "", and joining "" keeps the path relative to the
        // working directory: the same place the configuration file itself was found.
        let base = self.file.parent().unwrap_or(Path::new(""));
        Ok(Some(d.resolve(base)))
    }

    fn warn_device(&mut self, key: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            file: self.file.to_path_buf(),
            key: key.to_string(),
            message: message.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::Config;
    use super::super::tests::{MINIMAL, parse_minimal};
    use super::*;

    fn parse(device: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
        parse_minimal(&format!("\n{device}"))
    }

    fn refused(device: &str) -> String {
        match parse(device) {
            Ok(_) => panic!("accepted:\n{device}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn absent_section_serves_no_device() {
        let (c, w) = parse("").unwrap();
        assert!(c.device.is_none());
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn paths_resolve_against_the_config_directory() {
        let (c, w) = parse(
            "[device]\ndescription = \"device.toml\"\n\
             sbom = [\"sbom/a.cdx.json\", \"/abs/b.spdx.json\"]\nrefresh_seconds = 60\n",
        )
        .unwrap();
        assert!(w.is_empty(), "{w:?}");
        let d = c.device.unwrap();
        assert_eq!(d.description, Some(PathBuf::from("/etc/dqi/device.toml")));
        assert_eq!(
            d.sbom,
            [
                PathBuf::from("/etc/dqi/sbom/a.cdx.json"),
                PathBuf::from("/abs/b.spdx.json")
            ]
        );
        assert_eq!(d.refresh_seconds, 60);
    }

    #[test]
    fn defaults_and_a_relative_config_file() {
        let (c, _) = Config::parse(
            &format!("{MINIMAL}\n[device]\nsbom = [\"a.json\"]\n"),
            Path::new("agent.toml"),
        )
        .unwrap();
        let d = c.device.unwrap();
        assert_eq!(d.sbom, [PathBuf::from("a.json")]);
        assert_eq!(d.description, None);
        assert_eq!(d.refresh_seconds, 300);
    }

    #[test]
    fn bad_values_name_file_and_key() {
        assert_eq!(
            refused("[device]\ndescription = \"\"\n"),
            "/etc/dqi/agent.toml: device.description: must not be empty"
        );
        assert_eq!(
            refused("[device]\nsbom = [\"a.json\", \"\"]\n"),
            "/etc/dqi/agent.toml: device.sbom[1]: must not be empty"
        );
        assert_eq!(
            refused("[device]\nrefresh_seconds = 99999999999\n"),
            "/etc/dqi/agent.toml: device.refresh_seconds: 99999999999 is outside 0..=31536000"
        );
        let unknown = refused("[device]\nsboms = [\"a.json\"]\n");
        assert!(
            unknown.starts_with("/etc/dqi/agent.toml:") && unknown.contains("sboms"),
            "{unknown}"
        );
        // A wrong type is the TOML parser's error: file, line and column of the value.
        let negative = refused("[device]\nrefresh_seconds = -5\n");
        assert!(
            negative.starts_with("/etc/dqi/agent.toml:17:") && negative.contains("-5"),
            "{negative}"
        );
    }

    #[test]
    fn weak_choices_warn() {
        let (_, w) = parse("[device]\nsbom = [\"a.json\"]\nrefresh_seconds = 2\n").unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].key, "device.refresh_seconds");
        let (c, w) = parse("[device]\n").unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].key, "device");
        assert!(c.device.is_some());
    }
}
