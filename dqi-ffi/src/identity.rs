//! The identity facts beyond [`crate::dqi_snapshot_set_identity`]'s strings: the Unique Device
//! Identifier (DQI-MIB `dqiUdi*`, 21 CFR 801.20) and the MDS2 security controls
//! (`dqiSecControlTable`, ANSI/NEMA HN 1-2019), as the binary reads them from the description
//! file's `[identity.udi]` and `[[security_control]]`.

use core::ffi::c_char;

use dqi_core::device::model::{IssuingAgency, SecurityControl, Udi};

use crate::dqi_result::{self, *};
use crate::facts::{bounded, time};
use crate::{code, dqi_snapshot, text};

/// The UDI's issuing agency (`dqiUdiIssuer`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_udi_issuer {
    /// GS1 (a GTIN as device identifier).
    DQI_UDI_GS1 = 2,
    /// HIBCC.
    DQI_UDI_HIBCC = 3,
    /// ICCBBA (ISBT 128).
    DQI_UDI_ICCBBA = 4,
}

/// A Unique Device Identifier, as [`dqi_snapshot_set_udi`] takes it. `device_identifier` is
/// required (6 to 23 octets); the other strings may be NULL; a date below 0 is unknown.
#[repr(C)]
pub struct dqi_udi {
    /// The agency whose rules the UDI follows.
    pub issuer: dqi_udi_issuer,
    /// The device identifier (DI).
    pub device_identifier: *const c_char,
    /// The lot or batch number, at most 64 octets.
    pub lot: *const c_char,
    /// The manufacturing date, Unix seconds.
    pub manufactured: i64,
    /// The expiration date, Unix seconds.
    pub expiry: i64,
    /// The human-readable UDI as printed on the label, at most 255 octets.
    pub human_readable: *const c_char,
}

/// Sets the device's UDI (dqiUdiIssuer, dqiUdiDeviceIdentifier, dqiUdiLotNumber,
/// dqiUdiManufactureDate, dqiUdiExpiryDate, dqiUdiString).
///
/// # Safety
/// `snapshot` came from [`crate::dqi_snapshot_new`]; `udi` points to a [`dqi_udi`] whose
/// strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_set_udi(
    snapshot: *mut dqi_snapshot,
    udi: *const dqi_udi,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed; a UDI from the caller.
    let (Some(s), Some(u)) = (unsafe { snapshot.as_mut() }, unsafe { udi.as_ref() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let [di, lot, printed] = unsafe {
            [
                text(u.device_identifier)?,
                text(u.lot)?,
                text(u.human_readable)?,
            ]
        };
        let di = di.ok_or(DQI_NULL_POINTER)?;
        if !(6..=23).contains(&di.len()) {
            return Err(DQI_INVALID_ARGUMENT);
        }
        s.snapshot.identity.udi = Some(Udi {
            issuing_agency: match u.issuer {
                dqi_udi_issuer::DQI_UDI_GS1 => IssuingAgency::Gs1,
                dqi_udi_issuer::DQI_UDI_HIBCC => IssuingAgency::Hibcc,
                dqi_udi_issuer::DQI_UDI_ICCBBA => IssuingAgency::Iccbba,
            },
            di,
            lot: bounded(lot, 64)?,
            manufactured: time(u.manufactured),
            expiry: time(u.expiry),
            human_readable: bounded(printed, 255)?,
        });
        Ok(())
    })())
}

/// Adds an MDS2 security control of the model and its state on this unit; rows are numbered
/// (dqiSecControlIndex) 1, 2, ... in the order added. `code` is the MDS2 question ID (`ALOF-1`)
/// or a section code (`ALOF`), 1 to 16 octets; `name` (required) says what it is; `note` may be
/// NULL (at most 255 octets). A control the model does not support is served
/// notApplicable(3) whatever `enabled` says.
///
/// # Safety
/// `snapshot` came from [`crate::dqi_snapshot_new`]; the strings are NUL-terminated (`note`
/// may be NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_add_security_control(
    snapshot: *mut dqi_snapshot,
    mds2_code: *const c_char,
    name: *const c_char,
    supported: bool,
    enabled: bool,
    note: *const c_char,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed.
    let Some(s) = (unsafe { snapshot.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let [code, name, note] = unsafe { [text(mds2_code)?, text(name)?, text(note)?] };
        let (Some(code), Some(name)) = (code, name) else {
            return Err(DQI_NULL_POINTER);
        };
        if code.is_empty() || code.len() > 16 || name.len() > 255 {
            return Err(DQI_INVALID_ARGUMENT);
        }
        s.snapshot.security_controls.push(SecurityControl {
            code,
            name,
            supported,
            enabled,
            note: bounded(note, 255)?,
        });
        Ok(())
    })())
}
