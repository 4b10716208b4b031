//! The MIB names a `[[view]]` may use (`dqi_agent::mib::names`) against the module texts in
//! `mibs/`: every row's OID is the one its module assigns.

#[allow(dead_code)] // the reader serves other tests too
mod smi;

use dqi_agent::mib::names::{NAMES, resolve};
use smi::Mibs;

#[test]
fn every_view_name_has_its_modules_oid() {
    let mibs = Mibs::load();
    for (module, name, oid) in NAMES {
        assert_eq!(mibs.oid(name), *oid, "{module}::{name}");
        assert_eq!(resolve(&format!("{module}::{name}")).as_deref(), Some(*oid));
    }
    // DQI-MIB's groups are all there.
    for group in [
        "dqiIdentity",
        "dqiHealth",
        "dqiConfig",
        "dqiSoftware",
        "dqiAgent",
        "dqiVex",
    ] {
        assert!(
            NAMES.iter().any(|(m, n, _)| *m == "DQI-MIB" && n == &group),
            "{group}"
        );
    }
    assert_eq!(
        resolve("SNMPv2-MIB::sysDescr.0"),
        Some(vec![1, 3, 6, 1, 2, 1, 1, 1, 0])
    );
    assert_eq!(resolve("SNMPv2-MIB::hrSystem"), None);
}
