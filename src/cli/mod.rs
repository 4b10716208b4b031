//! The binary's own commands, beside the library: the loopback demo and `localize-key`. Nothing
//! here is part of the `dqi_agent` library API.

pub mod demo;
pub mod localize_key;
