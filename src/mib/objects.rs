//! The standard objects every agent serves. SKELETON: replaced by the PDU helper.
#![allow(missing_docs, unused_variables)]
