//! Per-user MIB views (RFC 3415) against net-snmp's tools: three USM users walk one agent
//! serving the example device, with snmpwalk (GetNext) and snmpbulkwalk (GetBulk, rows that
//! cross view boundaries), and each gets exactly the full tree filtered by hand by its view;
//! Get of an excluded object is noSuchObject and GetNext past the view's end is endOfMibView.
#![cfg(feature = "server")]

mod common;

use common::{
    Agent, Binding, Config, NetSnmp, ROOMY_BUDGET, TOOL_TIMEOUT, TestDir, User, example_device,
    oid_arcs,
};

const SYSTEM: &[u32] = &[1, 3, 6, 1, 2, 1, 1];
const SYS_OR_TABLE: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 9];
const SNMP: &[u32] = &[1, 3, 6, 1, 2, 1, 11];
const SNMP_ENABLE_AUTHEN_TRAPS: &[u32] = &[1, 3, 6, 1, 2, 1, 11, 30];
const HR_SW_INSTALLED: &[u32] = &[1, 3, 6, 1, 2, 1, 25, 6];
const HR_SW_INSTALLED_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1];
const DQI_SOFTWARE: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4];
const DQI_HEALTH: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 2];

/// The views as configured, by MIB name, numeric OID and a wild-card arc.
const VIEWS: &str = r#"
[[view]]
name = "inventory"
include = ["SNMPv2-MIB::system", "HOST-RESOURCES-MIB::hrSWInstalled", "DQI-MIB::dqiSoftware"]
exclude = ["SNMPv2-MIB::sysORTable", "HOST-RESOURCES-MIB::hrSWInstalledEntry.*.1"]

[[view]]
name = "netmon"
include = ["1.3.6.1.2.1.1", "1.3.6.1.2.1.11", "DQI-MIB::dqiHealth"]
exclude = [".1.3.6.1.2.1.11.30"]
"#;

/// The same views written by hand as predicates, independently of the agent's view code.
fn inventory(arcs: &[u32]) -> bool {
    let row_one_of_installed = arcs.starts_with(HR_SW_INSTALLED_ENTRY) && arcs.get(11) == Some(&1);
    (arcs.starts_with(SYSTEM) && !arcs.starts_with(SYS_OR_TABLE))
        || (arcs.starts_with(HR_SW_INSTALLED) && !row_one_of_installed)
        || arcs.starts_with(DQI_SOFTWARE)
}

fn netmon(arcs: &[u32]) -> bool {
    arcs.starts_with(SYSTEM)
        || (arcs.starts_with(SNMP) && !arcs.starts_with(SNMP_ENABLE_AUTHEN_TRAPS))
        || arcs.starts_with(DQI_HEALTH)
}

/// A user whose `[[user]]` section also names `view`.
fn user_with_view(name: &str, view: &str) -> User {
    let mut user = User::new(name, "SHA-256", Some("AES-128"));
    user.key_lines = Some(format!(
        "auth = \"SHA-256\"\nauth_password = \"{}\"\nprivacy = \"AES-128\"\npriv_password = \"{}\"\nview = \"{view}\"",
        user.auth_password, user.priv_password
    ));
    user
}

fn names(bindings: &[Binding]) -> Vec<String> {
    bindings.iter().map(|b| b.oid.clone()).collect()
}

#[test]
fn users_walk_exactly_their_views() {
    let Some(snmp) = NetSnmp::new() else { return };
    let dir = TestDir::new("views");
    let full = User::new("everything", "SHA-256", Some("AES-128"));
    let inv = user_with_view("biomed", "inventory");
    let net = user_with_view("monitor", "netmon");
    let config = Config::new(vec![full.clone(), inv.clone(), net.clone()])
        .with_section(ROOMY_BUDGET)
        .with_section(example_device(&dir))
        .with_section(VIEWS);
    let agent = Agent::start(&dir, &config);

    let all = snmp.bindings_within("snmpwalk", &agent, &full, &[], &[".1"], TOOL_TIMEOUT);
    assert!(
        all.len() > 200,
        "the example device serves more: {}",
        all.len()
    );
    for (user, filter) in [(&inv, inventory as fn(&[u32]) -> bool), (&net, netmon)] {
        let want: Vec<String> = all
            .iter()
            .filter(|b| filter(&oid_arcs(&b.oid)))
            .map(|b| b.oid.clone())
            .collect();
        assert!(
            want.len() > 10 && want.len() < all.len(),
            "{}: a view worth testing: {} of {}",
            user.name,
            want.len(),
            all.len()
        );
        let walked = snmp.bindings_within("snmpwalk", &agent, user, &[], &[".1"], TOOL_TIMEOUT);
        assert_eq!(names(&walked), want, "snmpwalk as {}", user.name);
        // Rows of 3, 7 and 50 repetitions: every row boundary falls somewhere else relative
        // to the view's boundaries.
        for repetitions in ["-Cr3", "-Cr7", "-Cr50"] {
            let bulk = snmp.bindings_within(
                "snmpbulkwalk",
                &agent,
                user,
                &[repetitions],
                &[".1"],
                TOOL_TIMEOUT,
            );
            assert_eq!(
                names(&bulk),
                want,
                "snmpbulkwalk {repetitions} as {}",
                user.name
            );
        }
    }

    // Get: an existing object outside the view is noSuchObject, inside it a value.
    let sys_or_id = ".1.3.6.1.2.1.1.9.1.2.1";
    let got = snmp.get(&agent, &inv, &[sys_or_id, ".1.3.6.1.2.1.1.5.0"]);
    assert!(got[0].is_no_such_object(), "{got:?}");
    assert_eq!(got[1].value, config.name);
    let got = snmp.get(&agent, &full, &[sys_or_id]);
    assert_eq!(got[0].kind, "OID", "{got:?}");
    let got = snmp.get(
        &agent,
        &net,
        &[".1.3.6.1.2.1.11.30.0", ".1.3.6.1.2.1.25.6.3.1.2.1"],
    );
    assert!(got.iter().all(Binding::is_no_such_object), "{got:?}");

    // GetNext from the view's last instance: endOfMibView, though the tree goes on.
    let last_of_net = all
        .iter()
        .rfind(|b| netmon(&oid_arcs(&b.oid)))
        .expect("netmon sees something");
    let out = snmp.query(
        "snmpgetnext",
        &agent,
        &net,
        net.level(),
        &[],
        &[&last_of_net.oid],
    );
    let next = out.bindings();
    assert!(
        next.len() == 1 && next[0].is_end_of_mib_view(),
        "{}",
        out.describe()
    );
}
