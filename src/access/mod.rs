//! Access control: which requests get data, and which part of the tree (RFC 3415 §3.2).
//!
//! Every DQI user authenticates (enforced when the configuration is loaded), and each user has a
//! minimum security level: a user with a privacy key must, by default, use it. A request below
//! that level is answered with `authorizationError` and no data, as RFC 3415 §3.2 step 5 has
//! `isAccessAllowed` return `notInView`-class errors for a level the view does not grant.
//!
//! Each principal reads through one MIB view ([`view`]): a user's is named by its `view` key,
//! and a user without one sees everything. [`Access`] holds the views by principal; the PDU
//! layer ([`crate::pdu::respond_in`]) applies them. The write view is empty for everyone: the
//! agent is read-only. SNMPv1 and SNMPv2c are served only to the communities configured
//! ([`community`], RFC 3584), each with its view and source networks.

pub mod community;
pub mod view;

use alloc::sync::Arc;
use alloc::vec::Vec;

pub use community::{Admitted, Community, Network, Refusal, Versions};
pub use view::{Family, MAX_MASK_OCTETS, View};

use crate::usm::{SecurityLevel, User};

/// Whether `user`, authenticated at `level`, may read data.
pub fn may_read(user: &User, level: SecurityLevel) -> bool {
    level >= user.min_level && level >= SecurityLevel::AuthNoPriv
}

/// The read view of every principal.
#[derive(Debug, Default)]
pub struct Access {
    /// USM users with a view of their own, sorted by name; the rest see everything.
    users: Vec<(Vec<u8>, Arc<View>)>,
    everything: Arc<View>,
    /// The SNMPv1/v2c communities; none unless configured.
    communities: Vec<Community>,
}

impl Access {
    /// Every user sees everything.
    pub fn new() -> Access {
        Access::default()
    }

    /// Gives the USM user `name` the read view `view` (replacing any earlier one).
    pub fn set_user_view(&mut self, name: &[u8], view: Arc<View>) {
        match self.users.binary_search_by(|(n, _)| n.as_slice().cmp(name)) {
            Ok(i) => {
                if let Some(slot) = self.users.get_mut(i) {
                    slot.1 = view;
                }
            }
            Err(i) => self.users.insert(i, (name.to_vec(), view)),
        }
    }

    /// Adds a community (RFC 3584): SNMPv1/v2c requests naming it are then answered.
    pub fn add_community(&mut self, community: Community) {
        self.communities.push(community);
    }

    /// The communities, in configuration order.
    pub fn communities(&self) -> &[Community] {
        &self.communities
    }

    /// The read view of the USM user `name`.
    pub fn user_view(&self, name: &[u8]) -> &View {
        self.users
            .binary_search_by(|(n, _)| n.as_slice().cmp(name))
            .ok()
            .and_then(|i| self.users.get(i))
            .map_or(&self.everything, |(_, view)| view)
    }
}
