//! The [`Validator`]: carries the file's name and the warnings through the sections' checks.
//! Each section's rules live beside its format (`agent.rs`, `user.rs`, `budget.rs`, ...) as a
//! `Validator` method called from [`Config::from_file`](super::Config::from_file).

use std::path::Path;

use super::{ConfigError, Problem, Warning};

/// Checks one file's sections, collecting warnings as it goes.
pub(super) struct Validator<'a> {
    /// The file, for messages.
    pub(super) file: &'a Path,
    /// Weak choices seen so far.
    pub(super) warnings: Vec<Warning>,
}

impl Validator<'_> {
    pub(super) fn err(&self, key: impl Into<String>, problem: Problem) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            key: key.into(),
            problem,
        }
    }

    pub(super) fn warn(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            file: self.file.to_path_buf(),
            key: key.into(),
            message: message.into(),
        });
    }
}
