//! The SNMPv3 message on the wire (RFC 3412 §6). SKELETON.
