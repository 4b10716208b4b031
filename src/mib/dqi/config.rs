//! `dqiConfig` (DQI-MIB dqiObjects 3): security-relevant configuration, and `dqiServiceTable`,
//! every network service and non-IP interface.
//!
//! The snapshot states some facts as booleans where the MIB offers finer values; the mapping is
//! the narrowest honest one:
//!
//! - `storage_encryption` true is full(3), false none(1): the description has no "partial".
//! - `audit_logging` with an `audit_target` is remote(3), without one local(2), off disabled(1);
//!   the target is served only when logging is on.
//! - `time_synchronised` false with an unknown time source is unknown(3), not unsynchronized(2).
//! - A service's direction is inbound(1), the MIB's default; the description has no direction.
//! - Encryption `application` on a service authenticated by USM is snmpUsm(6).

use core::net::{Ipv4Addr, Ipv6Addr};

use super::{CONFIG, Stamps};
use crate::device::DeviceSnapshot;
use crate::device::model::{
    AuthKind, Encryption, RemoteServiceAccess, Service, ServiceState, TimeSource, Transport,
    UpdatePolicy,
};
use crate::mib::Value;
use crate::mib::encode::{self, Sink, Table};

/// `dqiServiceEntry`: dqiServiceTable (dqiConfig 18) 1.
const SERVICE_ENTRY: [u32; super::R + 4] = super::under(&[1, 3, 18, 1]);

/// `InetAddressType` values (INET-ADDRESS-MIB, RFC 4001).
const INET_UNKNOWN: i32 = 0;
const INET_IPV4: i32 = 1;
const INET_IPV6: i32 = 2;
const INET_DNS: i32 = 16;

pub(super) fn entries(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot, stamps: &Stamps) {
    let c = &snapshot.configuration;
    let at = &CONFIG;
    sink.scalar(at, 1, Value::TimeTicks(stamps.config_changed));
    sink.scalar(at, 2, encode::date(c.last_change.as_ref()));
    sink.scalar(at, 3, Value::Counter32(stamps.config_changes));
    let digest = c.digest.map(|d| encode::hex(&d)).unwrap_or_default();
    sink.scalar(at, 4, Value::octets(digest));
    let remote = match c.remote_service {
        RemoteServiceAccess::Disabled => 1,
        RemoteServiceAccess::OnDemand => 2,
        RemoteServiceAccess::Always => 3,
    };
    sink.scalar(at, 5, Value::Integer(remote));
    // notInUse(1), inUse(2).
    let default_credential = if c.factory_default_credential { 2 } else { 1 };
    sink.scalar(at, 6, Value::Integer(default_credential));
    sink.scalar(at, 7, Value::Gauge32(c.auto_logoff_seconds));
    sink.scalar(
        at,
        8,
        Value::Integer(if c.storage_encryption { 3 } else { 1 }),
    );
    let target = c.audit_target.as_deref().filter(|_| c.audit_logging);
    let audit = match (c.audit_logging, target) {
        (false, _) => 1,
        (true, None) => 2,
        (true, Some(_)) => 3,
    };
    sink.scalar(at, 9, Value::Integer(audit));
    sink.scalar(
        at,
        10,
        encode::opt_ident(target, 255, "dqiCfgAuditTarget", 0),
    );
    let source = match c.time_source {
        TimeSource::Unknown => 1,
        TimeSource::Manual => 2,
        TimeSource::Ntp => 3,
        TimeSource::Ptp => 5,
        TimeSource::Gnss => 6,
        TimeSource::Host => 7,
    };
    sink.scalar(at, 11, Value::Integer(source));
    let server = c.time_server.as_deref();
    sink.scalar(
        at,
        12,
        encode::opt_ident(server, 255, "dqiCfgTimeServer", 0),
    );
    let synchronised = match (c.time_synchronised, c.time_source) {
        (true, _) => 1,
        (false, TimeSource::Unknown) => 3,
        (false, _) => 2,
    };
    sink.scalar(at, 13, Value::Integer(synchronised));
    sink.scalar(at, 14, Value::Integer(if c.secure_boot { 1 } else { 2 }));
    let policy = match c.update_policy {
        UpdatePolicy::None => 1,
        UpdatePolicy::ServiceTechnician => 2,
        UpdatePolicy::Manual => 3,
        UpdatePolicy::Automatic => 4,
        UpdatePolicy::Unknown => 5,
    };
    sink.scalar(at, 15, Value::Integer(policy));
    sink.scalar(at, 16, encode::date(c.last_update.as_ref()));
    sink.scalar(at, 17, encode::truth(c.community_snmp));

    let services = &snapshot.services;
    let mut table = Table::new(&SERVICE_ENTRY, 2, 12, services.len());
    for (service, index) in services.iter().zip(1u32..) {
        service_row(&mut table, service, index);
    }
    table.finish(sink);
}

fn service_row(table: &mut Table<'_>, s: &Service, index: u32) {
    let ip = matches!(
        s.transport,
        Transport::Tcp | Transport::Udp | Transport::Sctp
    );
    let transport = match s.transport {
        Transport::Other => 1,
        Transport::Tcp => 2,
        Transport::Udp => 3,
        Transport::Sctp => 4,
        Transport::Bluetooth => 5,
        Transport::BluetoothLe => 6,
        Transport::Usb => 7,
        Transport::Serial => 8,
    };
    let (address_type, address) = match s.address.as_deref() {
        Some(a) if ip => inet_address(a, index),
        _ => (INET_UNKNOWN, Value::octets([])),
    };
    // For a non-IP interface the description's address names the port or radio, which is what
    // dqiServiceInterface holds ('RS-232 (rear panel)', a Bluetooth address).
    let interface = if ip { None } else { s.address.as_deref() };
    let state = match s.state {
        ServiceState::Enabled => 1,
        ServiceState::Disabled => 2,
        ServiceState::OnDemand => 3,
    };
    let auth = match s.auth {
        AuthKind::None => 1,
        AuthKind::Password => 2,
        AuthKind::Certificate => 3,
        // "sharedKey(4) a pre-shared or symmetric key (including SNMPv3 USM)".
        AuthKind::SharedKey | AuthKind::Usm => 4,
        AuthKind::Token => 5,
        AuthKind::Pairing => 6,
        AuthKind::Other => 8,
    };
    let encryption = match s.encryption {
        Encryption::None => 1,
        Encryption::Tls => 2,
        Encryption::Dtls => 3,
        Encryption::Ssh => 4,
        Encryption::Ipsec => 5,
        Encryption::Application if s.auth == AuthKind::Usm => 6,
        Encryption::LinkLayer => 7,
        Encryption::Application => 8,
        Encryption::Other => 9,
    };
    // dqiServiceName is SIZE (1..64): a service always has a name on the wire.
    let name = encode::cut(&s.name, 64);
    let name = if name.is_empty() { "unnamed" } else { name };
    table.cell(2, index, Value::octets(name));
    table.cell(3, index, Value::Integer(transport));
    table.cell(4, index, Value::Integer(1));
    table.cell(5, index, Value::Integer(address_type));
    table.cell(6, index, address);
    table.cell(7, index, Value::Gauge32(u32::from(s.port.unwrap_or(0))));
    table.cell(8, index, encode::opt_text(interface, 64));
    table.cell(9, index, Value::Integer(state));
    table.cell(10, index, Value::Integer(auth));
    table.cell(11, index, Value::Integer(encryption));
    table.cell(12, index, encode::text(&s.purpose, 255));
}

/// An IP service's address as `InetAddressType` and `InetAddress`: four or sixteen octets for a
/// literal address, the name itself as `dns(16)` (`InetAddressDNS`, 1 to 255 octets) otherwise.
fn inet_address(text: &str, index: u32) -> (i32, Value) {
    let text = text.trim();
    if let Ok(v4) = text.parse::<Ipv4Addr>() {
        return (INET_IPV4, Value::octets(v4.octets()));
    }
    if let Ok(v6) = text.parse::<Ipv6Addr>() {
        return (INET_IPV6, Value::octets(v6.octets()));
    }
    if text.is_empty() || text.len() > 255 {
        if !text.is_empty() {
            encode::too_long("dqiServiceAddress", index, text.len(), 255);
        }
        return (INET_UNKNOWN, Value::octets([]));
    }
    (INET_DNS, Value::octets(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::Tree;
    use crate::mib::dqi::fixture;
    use crate::mib::dqi::fixture::value_at as get;
    use crate::mib::served::snapshot_objects;

    #[test]
    fn configuration_scalars() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let cfg = |arc: u32| get(&t, &[1, 3, arc, 0]);
        assert_eq!(cfg(1), Some(Value::TimeTicks(300)));
        assert_eq!(
            cfg(3),
            Some(Value::Counter32(2)),
            "changes seen since start"
        );
        let digest = "9f".repeat(32);
        assert_eq!(cfg(4), Some(Value::octets(digest)), "lowercase hex text");
        assert_eq!(cfg(5), Some(Value::Integer(2)), "onDemand");
        assert_eq!(cfg(8), Some(Value::Integer(3)), "full");
        assert_eq!(cfg(9), Some(Value::Integer(3)), "remote");
        assert_eq!(cfg(13), Some(Value::Integer(1)));
        assert_eq!(cfg(15), Some(Value::Integer(2)), "serviceOnly");
        assert_eq!(cfg(17), Some(Value::Integer(2)), "false");

        let mut off = s.clone();
        off.configuration.audit_logging = false;
        off.configuration.digest = None;
        off.configuration.time_source = TimeSource::Unknown;
        off.configuration.time_synchronised = false;
        let t = Tree::from_entries(snapshot_objects(&off, &fixture::stamps()));
        let cfg = |arc: u32| get(&t, &[1, 3, arc, 0]);
        assert_eq!(cfg(4), Some(Value::octets("")));
        assert_eq!(cfg(9), Some(Value::Integer(1)));
        assert_eq!(
            cfg(10),
            Some(Value::octets("")),
            "no target when logging is off"
        );
        assert_eq!(cfg(13), Some(Value::Integer(3)), "unknown");
    }

    #[test]
    fn service_rows() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let cell = |col: u32, row: u32| get(&t, &[1, 3, 18, 1, col, row]);
        assert_eq!(cell(2, 1), Some(Value::octets("drug-library-sync")));
        assert_eq!(cell(5, 1), Some(Value::Integer(1)), "ipv4");
        assert_eq!(cell(6, 1), Some(Value::octets([0, 0, 0, 0])));
        assert_eq!(cell(7, 1), Some(Value::Gauge32(8443)));
        assert_eq!(cell(5, 2), Some(Value::Integer(2)), "ipv6");
        assert_eq!(cell(6, 2), Some(Value::octets([0; 16])));
        assert_eq!(cell(10, 2), Some(Value::Integer(4)), "USM is sharedKey");
        assert_eq!(cell(11, 2), Some(Value::Integer(6)), "snmpUsm");
        assert_eq!(cell(5, 3), Some(Value::Integer(16)), "dns");
        assert_eq!(cell(6, 3), Some(Value::octets("ntp1.hospital.example")));
        assert_eq!(cell(3, 4), Some(Value::Integer(7)), "usb");
        assert_eq!(cell(5, 4), Some(Value::Integer(0)));
        assert_eq!(cell(6, 4), Some(Value::octets("")));
        assert_eq!(cell(7, 4), Some(Value::Gauge32(0)));
        assert_eq!(cell(8, 4), Some(Value::octets("service port (rear panel)")));
        assert_eq!(cell(9, 4), Some(Value::Integer(3)), "onDemand");
        assert_eq!(cell(2, 5), None);
    }
}
