//! The community-based security model (RFC 3584 §5), read-only: which SNMPv1/v2c requests a
//! configured community admits, and through which view.
//!
//! A [`Community`] is a community string (compared in constant time, redacted in `Debug`,
//! zeroed on drop), the source networks it may be used from, the versions it may be used with,
//! its read view and the name it is charged under in the request budget. RFC 3584 §5.2.1 step
//! 2 as it applies here: a string no community has is counted under `snmpInBadCommunityNames`;
//! a known string from another source or in another version under `snmpInBadCommunityUses`.
//! Both are dropped; nothing is ever writable.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::net::IpAddr;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::View;

/// A source network: an address and a prefix length (CIDR).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// `addr/prefix`; `None` when the prefix is longer than the address (32 or 128 bits).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Network> {
        let bits = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        (prefix <= bits).then_some(Network { addr, prefix })
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in the network. An IPv4-mapped IPv6 source (a dual-stack socket's view
    /// of an IPv4 sender) is taken as the IPv4 address it carries.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The SNMP versions a community may be used with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions {
    /// SNMPv1 (RFC 1157).
    pub v1: bool,
    /// SNMPv2c (RFC 1901).
    pub v2c: bool,
}

/// One configured community.
pub struct Community {
    secret: Zeroizing<Vec<u8>>,
    sources: Vec<Network>,
    versions: Versions,
    view: Arc<View>,
    principal: Vec<u8>,
}

impl fmt::Debug for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Community")
            .field("secret", &"..")
            .field("sources", &self.sources)
            .field("versions", &self.versions)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

/// What a community-based request may do, once admitted.
#[derive(Debug, Clone, Copy)]
pub struct Admitted<'a> {
    /// The read view.
    pub view: &'a View,
    /// The name the request budget charges it under ([`Community::principal`]).
    pub principal: &'a [u8],
}

/// Why a community-based request was refused (each is a counter of RFC 3418's `snmp` group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No community has this string: `snmpInBadCommunityNames`.
    BadName,
    /// A community has it, but not for this source or version: `snmpInBadCommunityUses`.
    BadUse,
}

impl Community {
    /// A community: `secret` (the community string), the networks it may come from, the
    /// versions, its read view, and the budget principal it is charged as (see
    /// [`Community::principal`]).
    pub fn new(
        secret: &[u8],
        sources: Vec<Network>,
        versions: Versions,
        view: Arc<View>,
        principal: Vec<u8>,
    ) -> Community {
        Community {
            secret: Zeroizing::new(secret.to_vec()),
            sources,
            versions,
            view,
            principal,
        }
    }

    /// The budget principal of the `index`-th configured community: a zero octet, then
    /// `community[index]`. The zero octet keeps it apart from every USM user name; the DQI-MIB
    /// budget table shows it with the community security model and that name, never the
    /// community string.
    pub fn principal(index: usize) -> Vec<u8> {
        let mut name = alloc::vec![0u8];
        name.extend_from_slice(alloc::format!("community[{index}]").as_bytes());
        name
    }

    /// The principal's name as the budget holds it.
    pub fn principal_name(&self) -> &[u8] {
        &self.principal
    }
}

/// Finds the community `secret` names among `communities` and checks that `source` and
/// `version` (0 for v1, 1 for v2c) may use it. Every configured string is compared, in
/// constant time, so the time taken says nothing about how close a guess was.
pub fn admit<'c>(
    communities: &'c [Community],
    secret: &[u8],
    source: IpAddr,
    version: i64,
) -> Result<Admitted<'c>, Refusal> {
    let mut found = None;
    for community in communities {
        let equal: bool = community.secret.as_slice().ct_eq(secret).into();
        if equal && found.is_none() {
            found = Some(community);
        }
    }
    let community = found.ok_or(Refusal::BadName)?;
    let version_allowed = match version {
        0 => community.versions.v1,
        1 => community.versions.v2c,
        _ => false,
    };
    if !version_allowed || !community.sources.iter().any(|n| n.contains(source)) {
        return Err(Refusal::BadUse);
    }
    Ok(Admitted {
        view: &community.view,
        principal: &community.principal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn net(text: &str, prefix: u8) -> Network {
        Network::new(text.parse().unwrap(), prefix).unwrap()
    }

    #[test]
    fn networks_match_by_prefix() {
        let n = net("10.20.0.0", 16);
        assert!(n.contains("10.20.255.1".parse().unwrap()));
        assert!(!n.contains("10.21.0.1".parse().unwrap()));
        assert!(n.contains("::ffff:10.20.1.1".parse().unwrap()));
        assert!(!n.contains("fd00::1".parse().unwrap()));
        assert!(net("0.0.0.0", 0).contains("192.0.2.1".parse().unwrap()));
        assert!(net("127.0.0.1", 32).contains("127.0.0.1".parse().unwrap()));
        assert!(!net("127.0.0.1", 32).contains("127.0.0.2".parse().unwrap()));
        let v6 = net("fd00:20::", 48);
        assert!(v6.contains("fd00:20:0:1::5".parse().unwrap()));
        assert!(!v6.contains("fd00:21::5".parse().unwrap()));
        assert!(Network::new("10.0.0.0".parse().unwrap(), 33).is_none());
    }

    #[test]
    fn names_sources_and_versions() {
        let communities = vec![Community::new(
            b"legacy-nms-ro",
            vec![net("127.0.0.0", 8)],
            Versions {
                v1: false,
                v2c: true,
            },
            Arc::new(View::everything()),
            Community::principal(0),
        )];
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let ok = admit(&communities, b"legacy-nms-ro", local, 1).unwrap();
        assert_eq!(ok.principal, b"\0community[0]");
        assert_eq!(
            admit(&communities, b"legacy-nms-rw", local, 1).unwrap_err(),
            Refusal::BadName
        );
        assert_eq!(
            admit(&communities, b"legacy-nms-r", local, 1).unwrap_err(),
            Refusal::BadName
        );
        let other: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(
            admit(&communities, b"legacy-nms-ro", other, 1).unwrap_err(),
            Refusal::BadUse
        );
        assert_eq!(
            admit(&communities, b"legacy-nms-ro", local, 0).unwrap_err(),
            Refusal::BadUse
        );
        let shown = alloc::format!("{:?}", communities[0]);
        assert!(!shown.contains("legacy"), "{shown}");
    }
}
