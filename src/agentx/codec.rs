//! The AgentX encodings (RFC 2741 §5 and §6): the header, OIDs, octet strings, search ranges,
//! varbinds and the PDU bodies the subagent sends and receives.
//!
//! Multi-octet fields follow the sender's `NETWORK_BYTE_ORDER` flag when decoding; the subagent
//! always sends big-endian with the flag set, which every master must accept (§5).

use alloc::vec::Vec;

use super::{
    Data, HEADER_LEN, Header, MAX_PAYLOAD, MAX_SUBIDS, Oid, Pdu, PduType, SearchRange, VERSION,
    VarBind, flags,
};

/// The `1.3.6.1` that a non-zero `prefix` field stands for (RFC 2741 §5.1).
const INTERNET: [u32; 4] = [1, 3, 6, 1];

/// VarBind type tags (RFC 2741 §5.4).
mod tag {
    pub const INTEGER: u16 = 2;
    pub const OCTET_STRING: u16 = 4;
    pub const NULL: u16 = 5;
    pub const OBJECT_IDENTIFIER: u16 = 6;
    pub const IP_ADDRESS: u16 = 64;
    pub const COUNTER32: u16 = 65;
    pub const GAUGE32: u16 = 66;
    pub const TIME_TICKS: u16 = 67;
    pub const OPAQUE: u16 = 68;
    pub const COUNTER64: u16 = 70;
    pub const NO_SUCH_OBJECT: u16 = 128;
    pub const NO_SUCH_INSTANCE: u16 = 129;
    pub const END_OF_MIB_VIEW: u16 = 130;
}

/// Why bytes from the master are not a PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// `h.version` is not 1.
    #[error("AgentX version {0}, expected 1")]
    Version(u8),
    /// `h.payload_length` is not a multiple of 4, or larger than [`MAX_PAYLOAD`].
    #[error("payload length {0} is not a multiple of 4 up to 65536")]
    PayloadLength(u32),
    /// A field runs past the payload's end.
    #[error("a field runs past the end of the payload")]
    Truncated,
    /// An OID with more than 128 sub-identifiers.
    #[error("an OID has {0} sub-identifiers; at most 128 are allowed")]
    OidTooLong(u8),
    /// A VarBind type RFC 2741 does not define.
    #[error("unknown VarBind type {0}")]
    UnknownType(u16),
    /// Octets left over after the PDU's last field.
    #[error("{0} octets after the last field")]
    Trailing(usize),
}

/// Parses the fixed header at the start of `bytes` (at least [`HEADER_LEN`] octets).
pub fn header(bytes: &[u8]) -> Result<Header, DecodeError> {
    let fixed = bytes.get(..HEADER_LEN).ok_or(DecodeError::Truncated)?;
    if fixed[0] != VERSION {
        return Err(DecodeError::Version(fixed[0]));
    }
    let mut r = Reader::new(&fixed[4..], fixed[2] & flags::NETWORK_BYTE_ORDER != 0);
    let header = Header {
        kind: fixed[1],
        flags: fixed[2],
        session_id: r.u32()?,
        transaction_id: r.u32()?,
        packet_id: r.u32()?,
        payload_length: r.u32()?,
    };
    let len = header.payload_length;
    if len % 4 != 0 || len as usize > MAX_PAYLOAD {
        return Err(DecodeError::PayloadLength(len));
    }
    Ok(header)
}

/// Decodes the body of a PDU whose header is `header`, from exactly `payload_length` octets.
pub fn decode(header: &Header, payload: &[u8]) -> Result<Pdu, DecodeError> {
    let mut r = Reader::new(payload, header.flags & flags::NETWORK_BYTE_ORDER != 0);
    let context = |r: &mut Reader<'_>| -> Result<Option<Vec<u8>>, DecodeError> {
        if header.flags & flags::NON_DEFAULT_CONTEXT != 0 {
            Ok(Some(r.octets()?.to_vec()))
        } else {
            Ok(None)
        }
    };
    let pdu = match header.pdu_type() {
        Some(PduType::Get) => Pdu::Get {
            context: context(&mut r)?,
            ranges: r.ranges()?,
        },
        Some(PduType::GetNext) => Pdu::GetNext {
            context: context(&mut r)?,
            ranges: r.ranges()?,
        },
        Some(PduType::GetBulk) => Pdu::GetBulk {
            context: context(&mut r)?,
            non_repeaters: r.u16()?,
            max_repetitions: r.u16()?,
            ranges: r.ranges()?,
        },
        Some(PduType::Ping) => Pdu::Ping {
            context: context(&mut r)?,
        },
        Some(PduType::Close) => {
            let reason = r.u8()?;
            r.skip(3)?;
            Pdu::Close { reason }
        }
        Some(PduType::Response) => {
            let sys_uptime = r.u32()?;
            let error = r.u16()?;
            let index = r.u16()?;
            let mut varbinds = Vec::new();
            while !r.is_empty() {
                varbinds.push(r.varbind()?);
            }
            Pdu::Response {
                sys_uptime,
                error,
                index,
                varbinds,
            }
        }
        Some(
            kind @ (PduType::TestSet | PduType::CommitSet | PduType::UndoSet | PduType::CleanupSet),
        ) => return Ok(Pdu::Set(kind)),
        Some(PduType::Open) => {
            let timeout = r.u8()?;
            r.skip(3)?;
            let id = r.oid()?.subids;
            let descr = r.octets()?.to_vec();
            Pdu::Open { timeout, id, descr }
        }
        Some(PduType::Register) => {
            let timeout = r.u8()?;
            let priority = r.u8()?;
            r.skip(2)?;
            let _ = context(&mut r)?;
            let subtree = r.oid()?.subids;
            // A range registration's upper bound is not kept: the subagent never sends one.
            return Ok(Pdu::Register {
                timeout,
                priority,
                subtree,
            });
        }
        _ => return Ok(Pdu::Other(header.kind)),
    };
    match r.remaining() {
        0 => Ok(pdu),
        n => Err(DecodeError::Trailing(n)),
    }
}

/// Appends the PDU (`header` then `pdu`) to `out`, big-endian, `h.payload_length` computed.
pub fn encode(header: &Header, pdu: &Pdu, out: &mut Vec<u8>) {
    let start = out.len();
    let mut flags = header.flags | flags::NETWORK_BYTE_ORDER;
    if matches!(
        pdu,
        Pdu::Get {
            context: Some(_),
            ..
        } | Pdu::GetNext {
            context: Some(_),
            ..
        } | Pdu::GetBulk {
            context: Some(_),
            ..
        } | Pdu::Ping { context: Some(_) }
    ) {
        flags |= flags::NON_DEFAULT_CONTEXT;
    }
    out.extend_from_slice(&[VERSION, header.kind, flags, 0]);
    for field in [
        header.session_id,
        header.transaction_id,
        header.packet_id,
        0,
    ] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    let body = out.len();
    match pdu {
        Pdu::Open { timeout, id, descr } => {
            out.extend_from_slice(&[*timeout, 0, 0, 0]);
            put_oid(out, id, false);
            put_octets(out, descr);
        }
        Pdu::Close { reason } => out.extend_from_slice(&[*reason, 0, 0, 0]),
        Pdu::Register {
            timeout,
            priority,
            subtree,
        } => {
            out.extend_from_slice(&[*timeout, *priority, 0, 0]);
            put_oid(out, subtree, false);
        }
        Pdu::Get { context, ranges } | Pdu::GetNext { context, ranges } => {
            put_context(out, context);
            put_ranges(out, ranges);
        }
        Pdu::GetBulk {
            context,
            non_repeaters,
            max_repetitions,
            ranges,
        } => {
            put_context(out, context);
            out.extend_from_slice(&non_repeaters.to_be_bytes());
            out.extend_from_slice(&max_repetitions.to_be_bytes());
            put_ranges(out, ranges);
        }
        Pdu::Ping { context } => put_context(out, context),
        Pdu::Response {
            sys_uptime,
            error,
            index,
            varbinds,
        } => {
            out.extend_from_slice(&sys_uptime.to_be_bytes());
            out.extend_from_slice(&error.to_be_bytes());
            out.extend_from_slice(&index.to_be_bytes());
            for vb in varbinds {
                put_varbind(out, vb);
            }
        }
        Pdu::Set(_) | Pdu::Other(_) => {}
    }
    // Bodies are built from 4-octet units, so the length is a multiple of 4 by construction.
    let length = u32::try_from(out.len() - body).unwrap_or(u32::MAX);
    out[start + 16..start + 20].copy_from_slice(&length.to_be_bytes());
}

fn put_context(out: &mut Vec<u8>, context: &Option<Vec<u8>>) {
    if let Some(context) = context {
        put_octets(out, context);
    }
}

fn put_ranges(out: &mut Vec<u8>, ranges: &[SearchRange]) {
    for range in ranges {
        put_oid(out, &range.start.subids, range.start.include);
        put_oid(out, &range.end.subids, false);
    }
}

/// An OID (§5.1), compressed with the `1.3.6.1.x` prefix when it has one; more than 128
/// sub-identifiers are cut, which the tree's builders never produce.
fn put_oid(out: &mut Vec<u8>, subids: &[u32], include: bool) {
    let (prefix, rest) = match subids {
        [1, 3, 6, 1, x, rest @ ..] if (1..=255).contains(x) => (*x as u8, rest),
        _ => (0, subids),
    };
    let rest = &rest[..rest.len().min(MAX_SUBIDS)];
    out.extend_from_slice(&[rest.len() as u8, prefix, u8::from(include), 0]);
    for subid in rest {
        out.extend_from_slice(&subid.to_be_bytes());
    }
}

/// An Octet String (§5.3): length, octets, zero padding to a multiple of 4.
fn put_octets(out: &mut Vec<u8>, octets: &[u8]) {
    out.extend_from_slice(
        &u32::try_from(octets.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    out.extend_from_slice(octets);
    out.resize(out.len() + (4 - octets.len() % 4) % 4, 0);
}

fn put_varbind(out: &mut Vec<u8>, vb: &VarBind) {
    let kind = match &vb.data {
        Data::Integer(_) => tag::INTEGER,
        Data::OctetString(_) => tag::OCTET_STRING,
        Data::Null => tag::NULL,
        Data::ObjectId(_) => tag::OBJECT_IDENTIFIER,
        Data::IpAddress(_) => tag::IP_ADDRESS,
        Data::Counter32(_) => tag::COUNTER32,
        Data::Gauge32(_) => tag::GAUGE32,
        Data::TimeTicks(_) => tag::TIME_TICKS,
        Data::Opaque(_) => tag::OPAQUE,
        Data::Counter64(_) => tag::COUNTER64,
        Data::NoSuchObject => tag::NO_SUCH_OBJECT,
        Data::NoSuchInstance => tag::NO_SUCH_INSTANCE,
        Data::EndOfMibView => tag::END_OF_MIB_VIEW,
    };
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    put_oid(out, &vb.name, false);
    match &vb.data {
        Data::Integer(v) => out.extend_from_slice(&v.to_be_bytes()),
        Data::Counter32(v) | Data::Gauge32(v) | Data::TimeTicks(v) => {
            out.extend_from_slice(&v.to_be_bytes());
        }
        Data::Counter64(v) => out.extend_from_slice(&v.to_be_bytes()),
        Data::OctetString(v) | Data::Opaque(v) => put_octets(out, v),
        Data::IpAddress(v) => put_octets(out, v),
        Data::ObjectId(v) => put_oid(out, v, false),
        Data::Null | Data::NoSuchObject | Data::NoSuchInstance | Data::EndOfMibView => {}
    }
}

/// A bounds-checked cursor over a payload in the sender's byte order.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], big_endian: bool) -> Reader<'a> {
        Reader {
            bytes,
            pos: 0,
            big_endian,
        }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self.bytes(N)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let bytes = self
            .bytes
            .get(self.pos..end)
            .ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    fn skip(&mut self, n: usize) -> Result<(), DecodeError> {
        self.bytes(n).map(|_| ())
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take()?;
        Ok(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take()?;
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        let b = self.take()?;
        Ok(if self.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    }

    /// An Object Identifier (§5.1).
    fn oid(&mut self) -> Result<Oid, DecodeError> {
        let [n_subid, prefix, include, _] = self.take()?;
        if usize::from(n_subid) > MAX_SUBIDS {
            return Err(DecodeError::OidTooLong(n_subid));
        }
        let mut subids = Vec::with_capacity(usize::from(n_subid) + 5);
        if prefix != 0 {
            subids.extend_from_slice(&INTERNET);
            subids.push(u32::from(prefix));
        }
        for _ in 0..n_subid {
            subids.push(self.u32()?);
        }
        Ok(Oid {
            subids,
            include: include != 0,
        })
    }

    /// An Octet String (§5.3), padding skipped.
    fn octets(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = usize::try_from(self.u32()?).map_err(|_| DecodeError::Truncated)?;
        let octets = self.bytes(len)?;
        self.skip((4 - len % 4) % 4)?;
        Ok(octets)
    }

    /// A SearchRangeList (§5.2): ranges to the end of the payload.
    fn ranges(&mut self) -> Result<Vec<SearchRange>, DecodeError> {
        let mut ranges = Vec::new();
        while !self.is_empty() {
            let start = self.oid()?;
            let mut end = self.oid()?;
            end.include = false;
            ranges.push(SearchRange { start, end });
        }
        Ok(ranges)
    }

    /// A VarBind (§5.4).
    fn varbind(&mut self) -> Result<VarBind, DecodeError> {
        let kind = self.u16()?;
        self.skip(2)?;
        let name = self.oid()?.subids;
        let data = match kind {
            tag::INTEGER => Data::Integer(self.u32()? as i32),
            tag::OCTET_STRING => Data::OctetString(self.octets()?.to_vec()),
            tag::NULL => Data::Null,
            tag::OBJECT_IDENTIFIER => Data::ObjectId(self.oid()?.subids),
            tag::IP_ADDRESS => {
                let octets = self.octets()?;
                let address = <[u8; 4]>::try_from(octets).map_err(|_| DecodeError::Truncated)?;
                Data::IpAddress(address)
            }
            tag::COUNTER32 => Data::Counter32(self.u32()?),
            tag::GAUGE32 => Data::Gauge32(self.u32()?),
            tag::TIME_TICKS => Data::TimeTicks(self.u32()?),
            tag::OPAQUE => Data::Opaque(self.octets()?.to_vec()),
            tag::COUNTER64 => Data::Counter64(self.u64()?),
            tag::NO_SUCH_OBJECT => Data::NoSuchObject,
            tag::NO_SUCH_INSTANCE => Data::NoSuchInstance,
            tag::END_OF_MIB_VIEW => Data::EndOfMibView,
            other => return Err(DecodeError::UnknownType(other)),
        };
        Ok(VarBind { name, data })
    }
}
