//! The configuration's fingerprint: what decides between coldStart and warmStart.
//!
//! SNMPv2-MIB (RFC 3418) sends `coldStart` when the entity "is reinitializing itself and that
//! its configuration may have been altered", `warmStart` when it "is reinitializing itself
//! such that its configuration is unaltered" (RFC 1157 §4.1.6 adds the protocol entity's
//! implementation to what must be unaltered). The agent records [`Config::fingerprint`] in its
//! state directory at every start (`state::State::record_configuration`) and compares it at
//! the next.
//!
//! The fingerprint is SHA-256 over the implementation (crate name and version), the validated
//! configuration as `Debug` prints it (so comments, blank lines, key order and spellings that
//! validate to the same values do not count, while any setting that does is in it) and, for
//! each secret, a digest that `Debug` leaves out. A passphrase or community string enters only
//! as its RFC 3414 A.2 master key (the 1 MiB SHA-256 expansion), so the fingerprint on disk is
//! no cheaper to guess a passphrase from than a message the agent sent.

use sha2::{Digest, Sha256};

use super::{Config, KeyMaterial, Secret, UserConfig};
use crate::usm::AuthProtocol;

impl Config {
    /// The configuration's fingerprint, what decides between coldStart and warmStart: SHA-256
    /// over the implementation, the validated configuration as `Debug` prints it (no secret),
    /// and each passphrase, key or community string only through a one-way digest (a
    /// passphrase's RFC 3414 A.2 master key). Costs one password-to-key expansion per
    /// passphrase and community string.
    pub fn fingerprint(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(concat!(
            env!("CARGO_PKG_NAME"),
            " ",
            env!("CARGO_PKG_VERSION"),
            "\n"
        ));
        // `Debug` of every section: secrets print as `Secret(..)`, `Password(..)`.
        h.update(format!("{self:?}").as_bytes());
        let users = self.users.iter().chain(&self.notify.users);
        for user in users {
            user_secrets(&mut h, user);
        }
        for community in &self.communities {
            stretched(&mut h, &community.secret);
        }
        h.finalize().into()
    }
}

fn user_secrets(h: &mut Sha256, user: &UserConfig) {
    let privacy = user.privacy.as_ref().map(|(_, k)| k);
    for material in core::iter::once(&user.auth_secret).chain(privacy) {
        match material {
            KeyMaterial::Password(secret) => stretched(h, secret),
            // A localized key is already a digest of a secret; hashed again, it says nothing
            // of it.
            KeyMaterial::Localized(key) => h.update(Sha256::digest(key.as_slice())),
        }
    }
}

/// `secret`'s RFC 3414 A.2 master key (SHA-256), hashed into `h`.
fn stretched(h: &mut Sha256, secret: &Secret) {
    let ku = AuthProtocol::Sha256.password_to_key(secret.expose().as_bytes());
    h.update(Sha256::digest(ku.as_slice()));
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const BASE: &str = r#"
[agent]
listen = ["127.0.0.1:1161"]
state_dir = "/var/lib/dqi"

[system]
description = "Acme pump"

[[user]]
name = "nms"
auth = "SHA-256"
auth_password = "first-auth-passphrase"
privacy = "AES-128"
priv_password = "first-priv-passphrase"
"#;

    fn fingerprint(text: &str) -> [u8; 32] {
        Config::parse(text, Path::new("/etc/dqi/agent.toml"))
            .unwrap()
            .0
            .fingerprint()
    }

    #[test]
    fn only_what_the_agent_does_changes_the_fingerprint() {
        let base = fingerprint(BASE);
        assert_eq!(fingerprint(BASE), base, "deterministic");
        // Comments, blank lines and key order are not configuration.
        let reordered = BASE
            .replace("[system]\n", "# the system group\n\n[system]\n")
            .replace(
                "auth = \"SHA-256\"\nauth_password = \"first-auth-passphrase\"",
                "auth_password = \"first-auth-passphrase\"\nauth = \"SHA-256\"",
            );
        assert_ne!(reordered, BASE);
        assert_eq!(fingerprint(&reordered), base);
        // A setting, a passphrase and a section each do.
        for changed in [
            BASE.replace("Acme pump", "Acme pump 2"),
            BASE.replace("first-priv-passphrase", "other-priv-passphrase"),
            BASE.replace("first-auth-passphrase", "other-auth-passphrase"),
            format!("{BASE}\n[notifications]\nauth_failures = true\n"),
        ] {
            assert_ne!(fingerprint(&changed), base, "{changed}");
        }
    }
}
