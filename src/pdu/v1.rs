//! SNMPv1 answers from the SNMPv2 operations (RFC 3584 §4.2.2.1, §4.2.2.2 and §4.4).
//!
//! The operations run as for SNMPv2 (with GetNext skipping `Counter64`, which SNMPv1 cannot
//! carry: [`super::Scope::skip_counter64`]); this turns the outcome into what an SNMPv1 manager
//! expects: an exception in any binding (`noSuchObject`, `noSuchInstance`, `endOfMibView`) or
//! a `Counter64` value makes the whole response `noSuchName` at that binding's index, SNMPv2
//! error codes map to SNMPv1 ones (§4.4), and an error response carries the request's
//! bindings unchanged (RFC 1157 §4.1: "identical in form" to the request).

use alloc::vec::Vec;

use rasn_smi::v2::{ApplicationSyntax, ObjectSyntax};
use rasn_snmp::v2::{VarBind, VarBindValue};

use super::{Answer, ErrorStatus};

/// The SNMPv1 error-status for an SNMPv2 one (RFC 3584 §4.4).
pub fn error_status(status: ErrorStatus) -> ErrorStatus {
    use ErrorStatus::*;
    match status {
        NoError | TooBig | NoSuchName | BadValue | ReadOnly | GenErr => status,
        WrongValue | WrongEncoding | WrongType | WrongLength | InconsistentValue => BadValue,
        NoAccess | NotWritable | NoCreation | InconsistentName | AuthorizationError => NoSuchName,
        ResourceUnavailable | CommitFailed | UndoFailed => GenErr,
    }
}

/// `outcome`, an answer to `request`, as an SNMPv1 response.
pub fn response(outcome: Answer, request: &[VarBind]) -> Answer {
    let status = error_status(outcome.error_status);
    if status != ErrorStatus::NoError {
        return Answer {
            error_status: status,
            error_index: outcome.error_index,
            varbinds: request.to_vec(),
        };
    }
    let unsendable = outcome.varbinds.iter().position(|vb| {
        matches!(
            vb.value,
            VarBindValue::NoSuchObject
                | VarBindValue::NoSuchInstance
                | VarBindValue::EndOfMibView
                | VarBindValue::Value(ObjectSyntax::ApplicationWide(
                    ApplicationSyntax::BigCounter(_)
                ))
        )
    });
    match unsendable {
        Some(at) => Answer {
            error_status: ErrorStatus::NoSuchName,
            error_index: u32::try_from(at + 1).unwrap_or(u32::MAX),
            varbinds: request.to_vec(),
        },
        None => outcome,
    }
}

/// The refusal of a SetRequest by a read-only community: `noAccess` for SNMPv2c (RFC 3416
/// §4.2.5 step 1: no name is in the empty write view), which SNMPv1 sees as `noSuchName`
/// (RFC 3584 §4.4). An empty request changes nothing and is answered as such.
pub fn refuse_write(request: &[VarBind]) -> Answer {
    if request.is_empty() {
        return Answer::ok(Vec::new());
    }
    Answer {
        error_status: ErrorStatus::NoAccess,
        error_index: 1,
        varbinds: request.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use rasn::types::ObjectIdentifier;
    use rasn_smi::v2::Counter64;

    fn vb(arcs: &[u32], value: VarBindValue) -> VarBind {
        VarBind {
            name: ObjectIdentifier::new(arcs.to_vec()).unwrap(),
            value,
        }
    }

    #[test]
    fn exceptions_and_counter64_become_no_such_name_at_their_index() {
        let request = vec![
            vb(&[1, 3, 6, 1], VarBindValue::Unspecified),
            vb(&[1, 3, 6, 2], VarBindValue::Unspecified),
        ];
        for bad in [
            VarBindValue::NoSuchObject,
            VarBindValue::NoSuchInstance,
            VarBindValue::EndOfMibView,
            VarBindValue::Value(ObjectSyntax::ApplicationWide(
                ApplicationSyntax::BigCounter(Counter64(5)),
            )),
        ] {
            let got = Answer::ok(vec![
                vb(&[1, 3, 6, 1, 0], VarBindValue::Unspecified),
                vb(&[1, 3, 6, 2], bad),
            ]);
            let v1 = response(got, &request);
            assert_eq!(v1.error_status, ErrorStatus::NoSuchName);
            assert_eq!(v1.error_index, 2);
            assert_eq!(v1.varbinds, request);
        }
        let fine = Answer::ok(vec![vb(&[1, 3, 6, 1, 0], VarBindValue::Unspecified)]);
        assert_eq!(response(fine.clone(), &request), fine);
    }

    #[test]
    fn v2_errors_map_to_v1() {
        assert_eq!(error_status(ErrorStatus::NoAccess), ErrorStatus::NoSuchName);
        assert_eq!(
            error_status(ErrorStatus::NotWritable),
            ErrorStatus::NoSuchName
        );
        assert_eq!(error_status(ErrorStatus::WrongType), ErrorStatus::BadValue);
        assert_eq!(error_status(ErrorStatus::CommitFailed), ErrorStatus::GenErr);
        assert_eq!(error_status(ErrorStatus::TooBig), ErrorStatus::TooBig);
        let request = vec![vb(&[1, 3, 6, 1], VarBindValue::Unspecified)];
        let v1 = response(refuse_write(&request), &request);
        assert_eq!(
            (v1.error_status, v1.error_index),
            (ErrorStatus::NoSuchName, 1)
        );
    }
}
