//! Access control: which requests get data (RFC 3415 §3.2, the part the DQI uses now).
//!
//! Every DQI user authenticates (enforced when the configuration is loaded), and each user has a
//! minimum security level: a user with a privacy key must, by default, use it. A request below
//! that level is answered with `authorizationError` and no data, as RFC 3415 §3.2 step 5 has
//! `isAccessAllowed` return `notInView`-class errors for a level the view does not grant. Full
//! per-user MIB views arrive with a later issue.

use crate::usm::{SecurityLevel, User};

/// Whether `user`, authenticated at `level`, may read data.
pub fn may_read(user: &User, level: SecurityLevel) -> bool {
    level >= user.min_level && level >= SecurityLevel::AuthNoPriv
}
