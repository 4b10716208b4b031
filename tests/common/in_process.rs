//! The sans-I/O core driven in process (`dqi_agent::agent::Agent::handle`) or through the
//! library's own manager: request PDUs by numeric OID, and the manager a config's [`User`]
//! becomes once it has learned an agent's engine ID.

use dqi_agent::manager::Manager;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol};
use dqi_agent::wire::{Pdu, VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;

use super::User;

/// `arcs` as an OBJECT IDENTIFIER; panics on one BER cannot carry (a test's own constant).
pub fn oid(arcs: &[u32]) -> ObjectIdentifier {
    ObjectIdentifier::new(arcs.to_vec()).unwrap_or_else(|| panic!("not an OID: {arcs:?}"))
}

/// A request PDU naming `names`, each with an unspecified value (RFC 3416 §3), no error.
pub fn request(request_id: i32, names: &[&[u32]]) -> Pdu {
    Pdu {
        request_id,
        error_status: 0,
        error_index: 0,
        varbinds: names
            .iter()
            .map(|name| VarBind {
                name: oid(name),
                value: VarBindValue::Unspecified,
            })
            .collect(),
    }
}

impl User {
    /// The library's manager keyed as this user for the engine `engine_id`: the protocols as
    /// the config names them, the keys localized from the user's passphrases (RFC 3414 §2.6).
    pub fn manager(&self, engine_id: &[u8]) -> Manager {
        let auth = AuthProtocol::from_name(self.auth)
            .unwrap_or_else(|| panic!("unknown authentication protocol {}", self.auth));
        let privacy = self.privacy.map(|name| {
            let protocol = PrivProtocol::from_name(name)
                .unwrap_or_else(|| panic!("unknown privacy protocol {name}"));
            PrivKey::from_password(protocol, auth, self.priv_password.as_bytes(), engine_id)
        });
        Manager::new(
            self.name.as_bytes(),
            engine_id,
            AuthKey::from_password(auth, self.auth_password.as_bytes(), engine_id),
            privacy,
        )
    }
}
