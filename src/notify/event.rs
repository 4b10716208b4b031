//! What the agent notifies about: the event classes a receiver subscribes to, and each
//! notification's `snmpTrapOID` and the objects it carries (RFC 3416 §4.2.6: `sysUpTime.0`,
//! `snmpTrapOID.0`, then the NOTIFICATION-TYPE's OBJECTS).

use alloc::vec::Vec;

use crate::mib::dqi::under;

/// `sysUpTime.0` (RFC 3418), the first binding of every notification.
pub const SYS_UP_TIME_0: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
/// `snmpTrapOID.0` (RFC 3418), the second binding.
pub const SNMP_TRAP_OID_0: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
/// `coldStart` (RFC 3418 `snmpTraps` 1).
pub const COLD_START: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 5, 1];
/// `warmStart` (RFC 3418 `snmpTraps` 2).
pub const WARM_START: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 5, 2];
/// `authenticationFailure` (RFC 3418 `snmpTraps` 5).
pub const AUTHENTICATION_FAILURE: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 5, 5];

/// A class of events, as `[[notify]] events` names it: a receiver gets the classes it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// coldStart, warmStart.
    Boot,
    /// authenticationFailure (sent only when `[agent] auth_traps` asks for it).
    Auth,
    /// dqiSwInventoryChange and dqiSwEndOfSupportReached.
    Inventory,
    /// dqiCfgChange.
    Config,
    /// dqiHealthChange and dqiRefreshFailure (the agent can no longer read the device data).
    Health,
    /// dqiBudgetExhausted.
    Budget,
}

impl Class {
    /// Every class, in the order of their bits.
    pub const ALL: [Class; 6] = [
        Class::Boot,
        Class::Auth,
        Class::Inventory,
        Class::Config,
        Class::Health,
        Class::Budget,
    ];

    /// The name in `[[notify]] events`.
    pub const fn name(self) -> &'static str {
        match self {
            Class::Boot => "boot",
            Class::Auth => "auth",
            Class::Inventory => "inventory",
            Class::Config => "config",
            Class::Health => "health",
            Class::Budget => "budget",
        }
    }

    /// The class called `name`.
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Class`]es.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Classes(u8);

impl Classes {
    /// Every class: the default of `[[notify]] events`.
    pub const ALL: Classes = Classes(0x3f);
    /// No class.
    pub const NONE: Classes = Classes(0);

    /// This set with `class` added.
    pub const fn with(self, class: Class) -> Classes {
        Classes(self.0 | class.bit())
    }

    /// Whether `class` is in the set.
    pub const fn contains(self, class: Class) -> bool {
        self.0 & class.bit() != 0
    }
}

/// One of the notifications the agent sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `coldStart`: the agent started, and its configuration or implementation may have been
    /// altered since its last start (RFC 3418).
    ColdStart,
    /// `warmStart`: the agent started again with its configuration and implementation unaltered
    /// (RFC 3418; the driver decides, through `state::PendingBoot::unaltered`).
    WarmStart,
    /// `authenticationFailure`: a request whose digest did not verify (RFC 3418).
    AuthenticationFailure,
    /// `dqiSwInventoryChange`: a refresh changed the software inventory.
    InventoryChange,
    /// `dqiCfgChange`: a refresh changed the configuration objects.
    ConfigChange,
    /// `dqiHealthChange`: a refresh changed dqiHealthStatus or dqiHealthReason.
    HealthChange,
    /// `dqiBudgetExhausted`: requests have been refused for longer than the threshold.
    BudgetExhausted,
    /// `dqiRefreshFailure`: a refresh could not read the device data; the previous snapshot is
    /// served.
    RefreshFailure,
    /// `dqiSwEndOfSupportReached`: a component's end-of-support date passed between two reads
    /// of the device data. Its row's objects come first (see [`sw_row_objects`]).
    EndOfSupport,
}

const SW_INVENTORY_CHANGE: [u32; 12] = under(&[0, 1]);
const CFG_CHANGE: [u32; 12] = under(&[0, 2]);
const HEALTH_CHANGE: [u32; 12] = under(&[0, 3]);
const BUDGET_EXHAUSTED: [u32; 12] = under(&[0, 4]);
const END_OF_SUPPORT: [u32; 12] = under(&[0, 5]);
const REFRESH_FAILURE: [u32; 12] = under(&[0, 6]);
/// `dqiSwEntry`: dqiSwTable (dqiSoftware 12) 1.
const SW_ENTRY: [u32; 14] = under(&[1, 4, 12, 1]);
/// dqiSwName, dqiSwVersion, dqiSwEndOfSupport: the row objects of dqiSwEndOfSupportReached.
const SW_ROW_COLUMNS: [u32; 3] = [2, 3, 12];

const SW_LAST_CHANGE: [u32; 14] = under(&[1, 4, 1, 0]);
const SW_LAST_REFRESH: [u32; 14] = under(&[1, 4, 2, 0]);
const SW_REFRESH_STATUS: [u32; 14] = under(&[1, 4, 3, 0]);
const SW_COUNT: [u32; 14] = under(&[1, 4, 4, 0]);
const SW_DIGEST: [u32; 14] = under(&[1, 4, 5, 0]);
const SW_PAST_END_OF_SUPPORT: [u32; 14] = under(&[1, 4, 6, 0]);
const CFG_LAST_CHANGE: [u32; 14] = under(&[1, 3, 1, 0]);
const CFG_CHANGES: [u32; 14] = under(&[1, 3, 3, 0]);
const CFG_DIGEST: [u32; 14] = under(&[1, 3, 4, 0]);
const HEALTH_STATUS: [u32; 14] = under(&[1, 2, 1, 0]);
const HEALTH_REASON: [u32; 14] = under(&[1, 2, 2, 0]);
const HEALTH_LAST_CHANGE: [u32; 14] = under(&[1, 2, 3, 0]);
/// `dqiBudgetLastRejection.0`.
const BUDGET_LAST_REJECTION: [u32; 14] = under(&[1, 5, 27, 0]);
/// `dqiBudgetNotifyLevel.0`: accessible-for-notify, its value from the event.
pub const BUDGET_NOTIFY_LEVEL: [u32; 14] = under(&[1, 5, 29, 0]);
/// `dqiBudgetNotifyAddressType.0`.
pub const BUDGET_NOTIFY_ADDRESS_TYPE: [u32; 14] = under(&[1, 5, 30, 0]);
/// `dqiBudgetNotifyAddress.0`.
pub const BUDGET_NOTIFY_ADDRESS: [u32; 14] = under(&[1, 5, 31, 0]);
/// `dqiBudgetNotifyPrincipal.0`.
pub const BUDGET_NOTIFY_PRINCIPAL: [u32; 14] = under(&[1, 5, 32, 0]);

impl Kind {
    /// The class a receiver subscribes to for this notification.
    pub const fn class(self) -> Class {
        match self {
            Kind::ColdStart | Kind::WarmStart => Class::Boot,
            Kind::AuthenticationFailure => Class::Auth,
            Kind::InventoryChange | Kind::EndOfSupport => Class::Inventory,
            Kind::ConfigChange => Class::Config,
            Kind::HealthChange | Kind::RefreshFailure => Class::Health,
            Kind::BudgetExhausted => Class::Budget,
        }
    }

    /// `snmpTrapOID.0`'s value: the NOTIFICATION-TYPE.
    pub fn trap_oid(self) -> &'static [u32] {
        match self {
            Kind::ColdStart => COLD_START,
            Kind::WarmStart => WARM_START,
            Kind::AuthenticationFailure => AUTHENTICATION_FAILURE,
            Kind::InventoryChange => &SW_INVENTORY_CHANGE,
            Kind::ConfigChange => &CFG_CHANGE,
            Kind::HealthChange => &HEALTH_CHANGE,
            Kind::BudgetExhausted => &BUDGET_EXHAUSTED,
            Kind::RefreshFailure => &REFRESH_FAILURE,
            Kind::EndOfSupport => &END_OF_SUPPORT,
        }
    }

    /// The instances of the NOTIFICATION-TYPE's OBJECTS read from the served tree, in order.
    /// dqiBudgetExhausted's accessible-for-notify objects come from the event itself and go
    /// before these, in the MIB's order.
    pub fn objects(self) -> Vec<&'static [u32]> {
        match self {
            Kind::ColdStart | Kind::WarmStart | Kind::AuthenticationFailure => Vec::new(),
            Kind::InventoryChange => alloc::vec![&SW_LAST_CHANGE[..], &SW_COUNT, &SW_DIGEST],
            Kind::ConfigChange => alloc::vec![&CFG_LAST_CHANGE[..], &CFG_CHANGES, &CFG_DIGEST],
            Kind::HealthChange => {
                alloc::vec![&HEALTH_STATUS[..], &HEALTH_REASON, &HEALTH_LAST_CHANGE]
            }
            Kind::BudgetExhausted => alloc::vec![&BUDGET_LAST_REJECTION[..]],
            Kind::RefreshFailure => alloc::vec![&SW_REFRESH_STATUS[..], &SW_LAST_REFRESH],
            Kind::EndOfSupport => alloc::vec![&SW_PAST_END_OF_SUPPORT[..]],
        }
    }

    /// The objects whose change after a refresh raises this notification (a refresh-time event
    /// compares them in the old and the new tree); empty for the others.
    pub fn watched(self) -> &'static [&'static [u32]] {
        match self {
            Kind::InventoryChange => &[&SW_DIGEST],
            Kind::ConfigChange => &[&CFG_CHANGES, &CFG_DIGEST],
            Kind::HealthChange => &[&HEALTH_STATUS, &HEALTH_REASON],
            Kind::RefreshFailure => &[&SW_REFRESH_STATUS],
            _ => &[],
        }
    }

    /// The notifications a refresh may raise, in the order they are sent.
    pub const REFRESH: [Kind; 4] = [
        Kind::RefreshFailure,
        Kind::InventoryChange,
        Kind::ConfigChange,
        Kind::HealthChange,
    ];

    /// The name in logs and in the MIB.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::ColdStart => "coldStart",
            Kind::WarmStart => "warmStart",
            Kind::AuthenticationFailure => "authenticationFailure",
            Kind::InventoryChange => "dqiSwInventoryChange",
            Kind::ConfigChange => "dqiCfgChange",
            Kind::HealthChange => "dqiHealthChange",
            Kind::BudgetExhausted => "dqiBudgetExhausted",
            Kind::RefreshFailure => "dqiRefreshFailure",
            Kind::EndOfSupport => "dqiSwEndOfSupportReached",
        }
    }
}

/// The instances of dqiSwName, dqiSwVersion and dqiSwEndOfSupport for the dqiSwTable row
/// `index`: the objects dqiSwEndOfSupportReached carries before dqiSwPastEndOfSupport.
pub fn sw_row_objects(index: u32) -> [[u32; 16]; 3] {
    SW_ROW_COLUMNS.map(|column| {
        let mut oid = [0; 16];
        for (to, from) in oid.iter_mut().zip(SW_ENTRY.iter().chain(&[column, index])) {
            *to = *from;
        }
        oid
    })
}
