//! The binary's own commands, beside the library: the loopback demo and `localize-key`, and the
//! process-wide protections set at start (`process`). Nothing here is part of the `dqi_agent`
//! library API.

pub(crate) mod demo;
pub(crate) mod help;
pub(crate) mod localize_key;
#[cfg(test)]
pub(crate) mod man;
pub(crate) mod process;
pub(crate) mod systemd;
