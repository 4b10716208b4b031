//! The hot path's own BER: the request ScopedPDU read and the response ScopedPDU written without
//! going through `rasn`'s generic codec (X.690 §8.1, §8.3, §8.7, §8.8, §8.19; RFC 3416 §3).
//!
//! Every served request decodes one ScopedPDU and encodes one, and the generic codec pays per
//! arc for each OBJECT IDENTIFIER: its arc vector starts at 16 and is grown (copied) past that,
//! so a string-indexed name (a lookup table's key, 20 to 40 arcs) cost more than a short one for
//! no reason of the protocol. Here an OID's arcs are decoded into one vector sized from its
//! octets (no growth), sixteen one-octet arcs at a time, and the response is written once
//! into a buffer of its exact length.
//!
//! [`scoped_pdu`] reads the forms SNMP managers send: single-octet tags, definite lengths in
//! their shortest form, minimal INTEGERs, a Get, GetNext or GetBulk whose bindings hold NULL (or
//! an exception). Anything else that may still be valid BER is [`Read::Other`], and the caller
//! decodes it with `rasn` as before, so the accepted language does not shrink. An OBJECT
//! IDENTIFIER it reads is checked as X.690 §8.19.2 requires: no empty contents, no subidentifier
//! whose leading octet is 0x80 (not the fewest octets), none past 2^32 - 1 (the SMI's arc
//! range, RFC 2578 §7.1.3), no truncated last subidentifier; such a datagram is
//! [`Read::Malformed`].
//!
//! [`response`] writes what `rasn::ber::encode` writes for the same ScopedPDU (tests compare
//! them byte for byte), and [`varbind_len`] is its exact size, which the responder uses to fit
//! a response in msgMaxSize before encoding it.
// Network bytes are handled here: no unwrap, no indexing that can panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing))]

use alloc::vec::Vec;
use core::ops::Range;

use rasn::types::{IntegerType, ObjectIdentifier, OctetString};
use rasn_smi::v1::{Counter, Gauge, IpAddress, TimeTicks};
use rasn_smi::v2::{ApplicationSyntax, Counter64, ObjectSyntax, SimpleSyntax};

use super::{BulkPdu, Pdu, Pdus, ScopedPdu, VarBind, VarBindValue};

/// Universal and context tags (X.680 §8.4, RFC 3416 §3).
mod tag {
    pub(super) const INTEGER: u8 = 0x02;
    pub(super) const OCTET_STRING: u8 = 0x04;
    pub(super) const NULL: u8 = 0x05;
    pub(super) const OBJECT_IDENTIFIER: u8 = 0x06;
    pub(super) const SEQUENCE: u8 = 0x30;
    pub(super) const IP_ADDRESS: u8 = 0x40;
    pub(super) const COUNTER32: u8 = 0x41;
    pub(super) const GAUGE32: u8 = 0x42;
    pub(super) const TIME_TICKS: u8 = 0x43;
    pub(super) const OPAQUE: u8 = 0x44;
    pub(super) const COUNTER64: u8 = 0x46;
    pub(super) const NO_SUCH_OBJECT: u8 = 0x80;
    pub(super) const NO_SUCH_INSTANCE: u8 = 0x81;
    pub(super) const END_OF_MIB_VIEW: u8 = 0x82;
    pub(super) const GET: u8 = 0xa0;
    pub(super) const GET_NEXT: u8 = 0xa1;
    pub(super) const RESPONSE: u8 = 0xa2;
    pub(super) const GET_BULK: u8 = 0xa5;
}

/// What [`scoped_pdu`] made of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// The ScopedPDU and the number of octets it took (a decrypted one may be followed by
    /// padding).
    Scoped(ScopedPdu, usize),
    /// Not valid BER for a ScopedPDU (a malformed OBJECT IDENTIFIER, or a TLV longer than its
    /// input): to be dropped as a parse error.
    Malformed,
    /// A form this reader leaves to the general decoder.
    Other,
}

/// Why reading stopped.
pub(super) enum Stop {
    Malformed,
    Other,
}

pub(super) type Step<T> = Result<T, Stop>;

/// Reads a ScopedPDU from the start of `input` (RFC 3412 §6.8).
pub fn scoped_pdu(input: &[u8]) -> Read {
    scoped_pdu_named(input).0
}

/// [`scoped_pdu`], with where the first binding's name's contents sit in `input` when it read
/// one: the octets a reply name beginning with that name begins with ([`KnownName`]).
pub fn scoped_pdu_named(input: &[u8]) -> (Read, Option<Range<usize>>) {
    match read_scoped_pdu(input) {
        Ok((scoped, used, first_name)) => (
            Read::Scoped(scoped, used),
            first_name.and_then(|name| offset_in(input, name)),
        ),
        Err(Stop::Malformed) => (Read::Malformed, None),
        Err(Stop::Other) => (Read::Other, None),
    }
}

/// The range `part` occupies in `whole`, which it is a slice of.
pub(super) fn offset_in(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

type ReadScoped<'a> = (ScopedPdu, usize, Option<&'a [u8]>);

fn read_scoped_pdu(input: &[u8]) -> Step<ReadScoped<'_>> {
    let mut outer = Reader(input);
    let mut seq = Reader(outer.expect(tag::SEQUENCE)?);
    let used = input.len() - outer.0.len();
    let context_engine_id = OctetString::from_slice(seq.expect(tag::OCTET_STRING)?);
    let context_name = OctetString::from_slice(seq.expect(tag::OCTET_STRING)?);
    let (pdu_tag, contents) = seq.tlv()?;
    seq.end()?;
    let mut body = Reader(contents);
    let request_id = i32::try_from(body.integer()?).map_err(|_| Stop::Other)?;
    let (first, second) = (body.integer()?, body.integer()?);
    let (varbinds, first_name) = varbinds(body.expect(tag::SEQUENCE)?)?;
    body.end()?;
    let pdu = |varbinds| Pdu {
        request_id,
        error_status: first,
        error_index: second,
        varbinds,
    };
    let pdu = match pdu_tag {
        tag::GET => Pdus::Get(pdu(varbinds)),
        tag::GET_NEXT => Pdus::GetNext(pdu(varbinds)),
        tag::GET_BULK => Pdus::GetBulk(BulkPdu {
            request_id,
            non_repeaters: first,
            max_repetitions: second,
            varbinds,
        }),
        _ => return Err(Stop::Other),
    };
    let scoped = ScopedPdu {
        context_engine_id,
        context_name,
        pdu,
    };
    Ok((scoped, used, first_name))
}

/// The bindings of a request: names, and NULL or an exception as values; with the contents of
/// the first name.
fn varbinds(contents: &[u8]) -> Step<(Vec<VarBind>, Option<&[u8]>)> {
    let mut list = Reader(contents);
    let mut varbinds = Vec::new();
    let mut first_name = None;
    while !list.0.is_empty() {
        let mut binding = Reader(list.expect(tag::SEQUENCE)?);
        let octets = binding.expect(tag::OBJECT_IDENTIFIER)?;
        let name = object_identifier(octets)?;
        first_name = first_name.or(Some(octets));
        let value = match binding.tlv()? {
            (tag::NULL, []) => VarBindValue::Unspecified,
            (tag::NO_SUCH_OBJECT, []) => VarBindValue::NoSuchObject,
            (tag::NO_SUCH_INSTANCE, []) => VarBindValue::NoSuchInstance,
            (tag::END_OF_MIB_VIEW, []) => VarBindValue::EndOfMibView,
            _ => return Err(Stop::Other),
        };
        binding.end()?;
        varbinds.push(VarBind { name, value });
    }
    Ok((varbinds, first_name))
}

/// The contents of an OBJECT IDENTIFIER (X.690 §8.19): its arcs in one vector, the first
/// subidentifier split into the first two arcs (§8.19.4).
fn object_identifier(contents: &[u8]) -> Step<ObjectIdentifier> {
    // Every subidentifier ends on an octet with bit 8 clear (§8.19.2): the last octet must be
    // one.
    match contents.last() {
        Some(last) if last & 0x80 == 0 => {}
        _ => return Err(Stop::Malformed),
    }
    // At most one arc per octet, plus the one the first subidentifier adds, plus room for a
    // whole window widened past the last arc (cut back at once): no reallocation.
    let mut arcs = Vec::with_capacity(contents.len() + 1 + WINDOW);
    let (head, mut rest) = subidentifier(contents)?;
    // §8.19.4: (X * 40) + Y, X in 0..=2 and Y < 40 unless X is 2.
    let first = (head / 40).min(2);
    arcs.extend_from_slice(&[first, head - first * 40]);
    while let Some(&octet) = rest.first() {
        if octet & 0x80 != 0 {
            let (arc, tail) = subidentifier(rest)?;
            arcs.push(arc);
            rest = tail;
            continue;
        }
        // Most arcs of a name take one octet (a string index's are its characters): the next
        // WINDOW octets are widened at once (it vectorises), then tested for bit 8 a word at a
        // time, and the arcs widened past the run of one-octet subidentifiers are taken back
        // off. (Widening first keeps the two apart: LLVM reloads the window after the arcs'
        // stores instead of building the arcs from the words byte by byte.)
        let mut scratch = [0; WINDOW];
        let window = window(rest, &mut scratch);
        let at = arcs.len();
        arcs.extend_from_slice(&window.map(u32::from));
        let run = single_octet_run(window).min(rest.len());
        arcs.truncate(at + run);
        rest = rest.get(run..).unwrap_or_default();
    }
    ObjectIdentifier::new(arcs).ok_or(Stop::Malformed)
}

/// Octets of an OID's contents tested and widened at once.
const WINDOW: usize = 16;

/// The first [`WINDOW`] octets of `bytes`, or all of them copied into `scratch` and padded
/// with zeros (one-octet subidentifiers, so the padding never cuts a run short; the caller
/// caps the run at what is left). A reference either way: read from memory, the window
/// loads as two words and one vector.
fn window<'a>(bytes: &'a [u8], scratch: &'a mut [u8; WINDOW]) -> &'a [u8; WINDOW] {
    if let Some(window) = bytes.first_chunk::<WINDOW>() {
        return window;
    }
    *scratch = [0; WINDOW];
    if let Some(head) = scratch.get_mut(..bytes.len()) {
        head.copy_from_slice(bytes);
    }
    scratch
}

/// How many leading octets of `window` have bit 8 clear (each a whole subidentifier), a word
/// at a time.
fn single_octet_run(window: &[u8; WINDOW]) -> usize {
    let (words, _) = window.as_chunks::<8>();
    let mut run = 0;
    for word in words {
        let high = u64::from_le_bytes(*word) & 0x8080_8080_8080_8080;
        run += (high.trailing_zeros() / 8) as usize;
        if high != 0 {
            break;
        }
    }
    run
}

/// Arcs of a reply name taken at once: tested for a multi-octet arc, narrowed or sized.
const ARCS: usize = 8;

/// How many leading arcs of `arcs` are below 128 (one octet each), in whole chunks of
/// [`ARCS`]: each chunk is tested with one OR of its arcs.
fn small_arc_run(arcs: &[u32]) -> usize {
    let (chunks, _) = arcs.as_chunks::<ARCS>();
    chunks
        .iter()
        .take_while(|chunk| chunk.iter().fold(0, |all, arc| all | arc) < 0x80)
        .count()
        * ARCS
}

/// One subidentifier from the start of `input` (X.690 §8.19.2): base 128, bit 8 set on every
/// octet but the last, the leading octet never 0x80 (fewest octets), the value at most
/// 2^32 - 1 (the SMI's arc range, RFC 2578 §7.1.3).
fn subidentifier(input: &[u8]) -> Step<(u32, &[u8])> {
    if input.first() == Some(&0x80) {
        return Err(Stop::Malformed);
    }
    // Two octets (most larger arcs: an enterprise number, a row index): no loop, and no
    // overflow to check.
    if let [high @ 0x81..=0xff, low @ 0..=0x7f, rest @ ..] = input {
        return Ok((u32::from(high & 0x7f) << 7 | u32::from(*low), rest));
    }
    let mut value = 0u32;
    let mut rest = input;
    while let Some((&octet, tail)) = rest.split_first() {
        if value > u32::MAX >> 7 {
            return Err(Stop::Malformed);
        }
        value = (value << 7) | u32::from(octet & 0x7f);
        rest = tail;
        if octet & 0x80 == 0 {
            return Ok((value, rest));
        }
    }
    Err(Stop::Malformed)
}

/// A cursor over TLVs.
pub(super) struct Reader<'a>(pub(super) &'a [u8]);

impl<'a> Reader<'a> {
    /// The next TLV's tag and contents. Single-octet tags and shortest definite lengths only
    /// (anything else is left to the general decoder); a length past the input is malformed.
    pub(super) fn tlv(&mut self) -> Step<(u8, &'a [u8])> {
        let [tag, first, rest @ ..] = self.0 else {
            return Err(Stop::Malformed);
        };
        if tag & 0x1f == 0x1f {
            return Err(Stop::Other);
        }
        let (len, rest) = match (*first, rest) {
            (short @ 0..=0x7f, _) => (usize::from(short), rest),
            (0x81, [len, rest @ ..]) if *len >= 0x80 => (usize::from(*len), rest),
            (0x82, [hi, lo, rest @ ..]) if *hi != 0 => {
                (usize::from(*hi) << 8 | usize::from(*lo), rest)
            }
            _ => return Err(Stop::Other),
        };
        if len > rest.len() {
            return Err(Stop::Malformed);
        }
        let (contents, rest) = rest.split_at(len);
        self.0 = rest;
        Ok((*tag, contents))
    }

    /// The contents of the next TLV, which must carry `want` (primitive, for the universal
    /// string types: a constructed string is left to the general decoder).
    pub(super) fn expect(&mut self, want: u8) -> Step<&'a [u8]> {
        match self.tlv()? {
            (tag, contents) if tag == want => Ok(contents),
            _ => Err(Stop::Other),
        }
    }

    /// An INTEGER in the fewest octets (X.690 §8.3.2) that fits `i64`.
    pub(super) fn integer(&mut self) -> Step<i64> {
        let contents = self.expect(tag::INTEGER)?;
        let redundant = match contents {
            [0x00, next, ..] => next & 0x80 == 0,
            [0xff, next, ..] => next & 0x80 != 0,
            _ => false,
        };
        let Some(&first) = contents.first() else {
            return Err(Stop::Other);
        };
        if redundant || contents.len() > 8 {
            return Err(Stop::Other);
        }
        let init = if first & 0x80 != 0 { -1i64 } else { 0 };
        Ok(contents
            .iter()
            .fold(init, |acc, &b| (acc << 8) | i64::from(b)))
    }

    /// Nothing may follow the last field of a SEQUENCE.
    pub(super) fn end(&self) -> Step<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Stop::Other)
        }
    }
}

/// The BER encoding of a Response ScopedPDU (RFC 3412 §6.8, RFC 3416 §3), exactly as
/// `rasn::ber::encode` gives it, in one allocation of its exact size.
pub fn response(
    context_engine_id: &[u8],
    context_name: &[u8],
    request_id: i32,
    error_status: i64,
    error_index: i64,
    varbinds: &[VarBind],
) -> Vec<u8> {
    let pdu = (request_id, error_status, error_index);
    response_knowing(context_engine_id, context_name, pdu, varbinds, None)
}

/// A request binding's name as [`scoped_pdu_named`] read it: its arcs, and the octets of its
/// contents. A reply name that begins with those arcs begins with those octets too: X.690
/// §8.19 encodes each subidentifier on its own, the first two arcs in the first one, and the
/// reader takes only the fewest-octets form, which is the one written here. A lookup's reply
/// is its question plus the row's index, so its name is mostly copied, not encoded again.
#[derive(Debug, Clone, Copy)]
pub struct KnownName<'a> {
    /// The name's arcs.
    pub arcs: &'a [u32],
    /// Its contents' octets, as received.
    pub octets: &'a [u8],
}

impl<'k> KnownName<'k> {
    /// The octets `name` begins with and the arcs after them, when it begins with this name's
    /// arcs (at least the first subidentifier's two).
    fn split<'n>(self, name: &'n [u32]) -> Option<Split<'k, 'n>> {
        // The last arc first: a GetNext's answer that leaves the asked row differs there.
        let last = self.arcs.len().checked_sub(1).filter(|&last| last >= 1)?;
        if name.get(last) != self.arcs.get(last) {
            return None;
        }
        Some(Split {
            octets: self.octets,
            rest: name.strip_prefix(self.arcs)?,
        })
    }
}

/// A reply name as the octets of a [`KnownName`] it begins with and the arcs after them.
#[derive(Debug, Clone, Copy)]
struct Split<'k, 'n> {
    octets: &'k [u8],
    rest: &'n [u32],
}

impl Split<'_, '_> {
    /// [`oid_content_len`] of `split`'s name, or of `name` without one.
    fn content_len(split: Option<Self>, name: &[u32]) -> usize {
        match split {
            Some(Split { octets, rest }) => rest
                .iter()
                .fold(octets.len(), |len, &arc| len + base128_len(u64::from(arc))),
            None => oid_content_len(name),
        }
    }

    /// [`oid_contents`] of `split`'s name, or of `name` without one.
    fn contents(split: Option<Self>, out: &mut Vec<u8>, name: &[u32]) {
        match split {
            Some(Split { octets, rest }) => {
                out.extend_from_slice(octets);
                for &arc in rest {
                    base128(out, u64::from(arc));
                }
            }
            None => oid_contents(out, name),
        }
    }
}

/// [`response`] for `(request-id, error-status, error-index)`, the first binding's name written
/// from `known` (the request's first name) where it begins with it.
pub fn response_knowing(
    context_engine_id: &[u8],
    context_name: &[u8],
    (request_id, error_status, error_index): (i32, i64, i64),
    varbinds: &[VarBind],
    known: Option<KnownName<'_>>,
) -> Vec<u8> {
    // Each binding's name and value lengths, measured once for both the list's length and the
    // binding's header (kept for the first few: a Get or GetNext response has one or two).
    let mut measured = [(0usize, 0usize); 4];
    // The first name, split once for measuring and writing.
    let first = known.and_then(|known| known.split(&varbinds.first()?.name));
    let list: usize = varbinds
        .iter()
        .enumerate()
        .map(|(i, varbind)| {
            let split = first.filter(|_| i == 0);
            let name = Split::content_len(split, &varbind.name);
            let lengths = (name, value_len(&varbind.value));
            if let Some(slot) = measured.get_mut(i) {
                *slot = lengths;
            }
            binding_len(lengths)
        })
        .sum();
    let pdu = integer_tlv_len(i64::from(request_id))
        + integer_tlv_len(error_status)
        + integer_tlv_len(error_index)
        + tlv_len(list);
    let scoped = tlv_len(context_engine_id.len()) + tlv_len(context_name.len()) + tlv_len(pdu);
    let mut out = Vec::with_capacity(tlv_len(scoped));
    header(&mut out, tag::SEQUENCE, scoped);
    header(&mut out, tag::OCTET_STRING, context_engine_id.len());
    out.extend_from_slice(context_engine_id);
    header(&mut out, tag::OCTET_STRING, context_name.len());
    out.extend_from_slice(context_name);
    header(&mut out, tag::RESPONSE, pdu);
    integer(&mut out, tag::INTEGER, i64::from(request_id));
    integer(&mut out, tag::INTEGER, error_status);
    integer(&mut out, tag::INTEGER, error_index);
    header(&mut out, tag::SEQUENCE, list);
    for (i, varbind) in varbinds.iter().enumerate() {
        let (name, value_octets) = measured
            .get(i)
            .copied()
            .unwrap_or_else(|| (oid_content_len(&varbind.name), value_len(&varbind.value)));
        header(
            &mut out,
            tag::SEQUENCE,
            tlv_len(name).saturating_add(value_octets),
        );
        header(&mut out, tag::OBJECT_IDENTIFIER, name);
        Split::contents(first.filter(|_| i == 0), &mut out, &varbind.name);
        value(&mut out, &varbind.value);
    }
    out
}

/// The fields of an SNMPv3 message around its msgData (RFC 3412 §6, the USM's
/// UsmSecurityParameters of RFC 3414 §2.4), for [`message_head`].
#[derive(Debug, Clone, Copy)]
pub struct MessageHead<'a> {
    /// msgID.
    pub msg_id: i64,
    /// msgMaxSize.
    pub max_size: i64,
    /// msgFlags' one octet.
    pub flags: u8,
    /// msgSecurityModel.
    pub security_model: i64,
    /// msgAuthoritativeEngineID.
    pub engine_id: &'a [u8],
    /// msgAuthoritativeEngineBoots.
    pub boots: i64,
    /// msgAuthoritativeEngineTime.
    pub time: i64,
    /// msgUserName.
    pub user_name: &'a [u8],
    /// Octets of msgAuthenticationParameters, written as zeros for the digest to replace.
    pub auth_len: usize,
    /// Octets of msgPrivacyParameters, written as zeros for the salt to replace.
    pub priv_len: usize,
}

/// Where [`message_head`] wrote the zeroed parameters, as ranges of its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholders {
    /// msgAuthenticationParameters' contents.
    pub auth: Range<usize>,
    /// msgPrivacyParameters' contents.
    pub privacy: Range<usize>,
}

/// Writes into `out` (cleared first) an SNMPv3 message up to its msgData, exactly as
/// `rasn::ber::encode` writes the same message, in one allocation of the whole message's size.
/// The caller appends msgData's `data` octets next: a plaintext ScopedPDU's encoding as it is
/// (`encrypted` false), or the contents of the encrypted one's OCTET STRING, whose tag and
/// length are written here (`encrypted` true). Both parameters are left as zeros at the ranges
/// returned: the outgoing procedure fills them in once the ciphertext and the digest are known
/// (RFC 3414 §3.1 steps 4 to 6), without searching the message for them.
pub fn message_head(
    out: &mut Vec<u8>,
    head: &MessageHead<'_>,
    data: usize,
    encrypted: bool,
) -> Placeholders {
    let header_content = integer_tlv_len(head.msg_id)
        + integer_tlv_len(head.max_size)
        + tlv_len(1)
        + integer_tlv_len(head.security_model);
    let usm_content = tlv_len(head.engine_id.len())
        + integer_tlv_len(head.boots)
        + integer_tlv_len(head.time)
        + tlv_len(head.user_name.len())
        + tlv_len(head.auth_len)
        + tlv_len(head.priv_len);
    let data_tlv = if encrypted { tlv_len(data) } else { data };
    let content = integer_tlv_len(super::VERSION_3)
        + tlv_len(header_content)
        + tlv_len(tlv_len(usm_content))
        + data_tlv;
    out.clear();
    out.reserve(tlv_len(content));
    header(out, tag::SEQUENCE, content);
    integer(out, tag::INTEGER, super::VERSION_3);
    header(out, tag::SEQUENCE, header_content);
    integer(out, tag::INTEGER, head.msg_id);
    integer(out, tag::INTEGER, head.max_size);
    octets(out, tag::OCTET_STRING, &[head.flags]);
    integer(out, tag::INTEGER, head.security_model);
    header(out, tag::OCTET_STRING, tlv_len(usm_content));
    header(out, tag::SEQUENCE, usm_content);
    octets(out, tag::OCTET_STRING, head.engine_id);
    integer(out, tag::INTEGER, head.boots);
    integer(out, tag::INTEGER, head.time);
    octets(out, tag::OCTET_STRING, head.user_name);
    let auth = zeros(out, head.auth_len);
    let privacy = zeros(out, head.priv_len);
    if encrypted {
        header(out, tag::OCTET_STRING, data);
    }
    Placeholders { auth, privacy }
}

/// An OCTET STRING of `len` zeros; where its contents are.
fn zeros(out: &mut Vec<u8>, len: usize) -> Range<usize> {
    header(out, tag::OCTET_STRING, len);
    let start = out.len();
    out.resize(start + len, 0);
    start..out.len()
}

/// A tag and a definite length in its shortest form (X.690 §8.1.3).
fn header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let octets = unsigned_octets(len as u64);
        out.push(0x80 | octets as u8);
        let be = (len as u64).to_be_bytes();
        out.extend_from_slice(be.get(8 - octets..).unwrap_or(&be));
    }
}

/// An INTEGER TLV of `v` in the fewest two's-complement octets (X.690 §8.3.2).
fn integer(out: &mut Vec<u8>, tag: u8, v: i64) {
    let n = integer_content_len(v);
    header(out, tag, n);
    let be = v.to_be_bytes();
    out.extend_from_slice(be.get(8 - n..).unwrap_or(&be));
}

/// An INTEGER TLV of the non-negative `v`, with the leading zero octet two's complement needs
/// when its top bit is set.
fn unsigned(out: &mut Vec<u8>, tag: u8, v: u64) {
    let n = non_negative_integer_len(v);
    header(out, tag, n);
    if n > 8 {
        out.push(0);
    }
    let be = v.to_be_bytes();
    out.extend_from_slice(be.get(8usize.saturating_sub(n)..).unwrap_or(&be));
}

/// The subidentifiers of `arcs` (X.690 §8.19), the first two arcs in one: the octets
/// [`oid_content_len`] counts.
fn oid_contents(out: &mut Vec<u8>, arcs: &[u32]) {
    match arcs {
        [first, second, rest @ ..] => {
            base128(out, u64::from(*first) * 40 + u64::from(*second));
            let mut rest = rest;
            while !rest.is_empty() {
                // Most arcs of a name take one octet (a string index's are its characters):
                // whole chunks of them are found with one OR each, then narrowed u32 -> u8 in
                // one pass (both vectorise); the next chunk, which holds a larger arc, or the
                // last few arcs, one at a time.
                let (small, tail) = rest.split_at(small_arc_run(rest));
                out.extend(small.iter().map(|&arc| arc as u8));
                let (mixed, tail) = tail.split_at(tail.len().min(ARCS));
                for &arc in mixed {
                    base128(out, u64::from(arc));
                }
                rest = tail;
            }
        }
        // Not a valid OID (rasn's ObjectIdentifier cannot hold one); what rasn writes for it.
        [only] => base128(out, u64::from(*only)),
        [] => {}
    }
}

/// `v` in base 128, bit 8 set on every octet but the last (X.690 §8.19.2).
fn base128(out: &mut Vec<u8>, v: u64) {
    if v < 0x80 {
        return out.push(v as u8);
    }
    // Two octets: most larger arcs (an enterprise number, a row index) are below 2^14.
    if v < 1 << 14 {
        return out.extend_from_slice(&[0x80 | (v >> 7) as u8, (v & 0x7f) as u8]);
    }
    for i in (1..base128_len(v)).rev() {
        out.push(0x80 | (v >> (7 * i)) as u8);
    }
    out.push((v & 0x7f) as u8);
}

fn value(out: &mut Vec<u8>, value: &VarBindValue) {
    let syntax = match value {
        VarBindValue::Value(syntax) => syntax,
        VarBindValue::Unspecified => return out.extend_from_slice(&[tag::NULL, 0]),
        VarBindValue::NoSuchObject => return out.extend_from_slice(&[tag::NO_SUCH_OBJECT, 0]),
        VarBindValue::NoSuchInstance => {
            return out.extend_from_slice(&[tag::NO_SUCH_INSTANCE, 0]);
        }
        VarBindValue::EndOfMibView => return out.extend_from_slice(&[tag::END_OF_MIB_VIEW, 0]),
    };
    match syntax {
        ObjectSyntax::Simple(SimpleSyntax::Integer(v)) => {
            let (bytes, n) = v.to_signed_bytes_be();
            let bytes = bytes.as_ref();
            header(out, tag::INTEGER, n);
            out.extend_from_slice(bytes.get(..n).unwrap_or(bytes));
        }
        ObjectSyntax::Simple(SimpleSyntax::String(v)) => octets(out, tag::OCTET_STRING, v),
        ObjectSyntax::Simple(SimpleSyntax::ObjectId(v)) => {
            let len = oid_content_len(v);
            header(out, tag::OBJECT_IDENTIFIER, len);
            oid_contents(out, v);
        }
        ObjectSyntax::ApplicationWide(app) => match app {
            ApplicationSyntax::Address(IpAddress(v)) => octets(out, tag::IP_ADDRESS, &v[..]),
            ApplicationSyntax::Counter(Counter(v)) => unsigned(out, tag::COUNTER32, (*v).into()),
            ApplicationSyntax::Unsigned(Gauge(v)) => unsigned(out, tag::GAUGE32, (*v).into()),
            ApplicationSyntax::Ticks(TimeTicks(v)) => unsigned(out, tag::TIME_TICKS, (*v).into()),
            ApplicationSyntax::Arbitrary(v) => octets(out, tag::OPAQUE, v.as_ref()),
            ApplicationSyntax::BigCounter(Counter64(v)) => unsigned(out, tag::COUNTER64, *v),
        },
    }
}

fn octets(out: &mut Vec<u8>, tag: u8, v: &[u8]) {
    header(out, tag, v.len());
    out.extend_from_slice(v);
}

/// The exact number of octets BER gives `varbind` (tag, length and contents of the SEQUENCE),
/// as [`response`] and `rasn::ber::encode` write it. Saturates instead of overflowing.
pub fn varbind_len(varbind: &VarBind) -> usize {
    binding_len((oid_content_len(&varbind.name), value_len(&varbind.value)))
}

/// An upper bound on [`varbind_len`] that does not look at the name's arcs: each arc takes at
/// most five octets (X.690 §8.19.2, arcs below 2^32; the first two share one subidentifier).
/// The responder spends these while they fit and measures exactly only near its limit.
pub fn varbind_len_bound(varbind: &VarBind) -> usize {
    let name = varbind.name.len().saturating_mul(5);
    binding_len((name, value_len(&varbind.value)))
}

/// The octets of a binding whose name's contents take `name` octets and whose value's TLV
/// takes `value`.
fn binding_len((name, value): (usize, usize)) -> usize {
    tlv_len(tlv_len(name).saturating_add(value))
}

/// Tag (all tags here are below 31, so one octet), length octets, then `content` octets.
pub fn tlv_len(content: usize) -> usize {
    1usize
        .saturating_add(length_octets(content))
        .saturating_add(content)
}

/// X.690 §8.1.3: the short form below 128, else one octet plus the big-endian length.
fn length_octets(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + unsigned_octets(len as u64)
    }
}

/// Octets of `v` without leading zero octets (at least one).
fn unsigned_octets(v: u64) -> usize {
    let bits = u64::BITS - v.leading_zeros();
    (bits.div_ceil(8) as usize).max(1)
}

/// Contents of an INTEGER holding the non-negative `v`: two's complement needs a leading zero
/// octet when the top bit is set (0xFFFF_FFFF takes five octets).
fn non_negative_integer_len(v: u64) -> usize {
    let bits = u64::BITS - v.leading_zeros() + 1;
    bits.div_ceil(8) as usize
}

/// Contents of an INTEGER holding `v` in the fewest two's-complement octets.
fn integer_content_len(v: i64) -> usize {
    // The bits that are not copies of the sign bit, plus the sign bit itself.
    let bits = i64::BITS - (v ^ (v >> 63)).leading_zeros() + 1;
    bits.div_ceil(8) as usize
}

fn integer_tlv_len(v: i64) -> usize {
    tlv_len(integer_content_len(v))
}

/// Base-128 groups of `v` (at least one).
fn base128_len(v: u64) -> usize {
    ((u64::BITS - v.leading_zeros()).div_ceil(7) as usize).max(1)
}

/// Contents of an OBJECT IDENTIFIER (X.690 §8.19): the first two arcs share one
/// sub-identifier, each sub-identifier in base 128. Computed in `u64` so that `2.x` with a
/// large `x` cannot overflow.
fn oid_content_len(arcs: &[u32]) -> usize {
    match arcs {
        [first, second, rest @ ..] => {
            let head = u64::from(*first) * 40 + u64::from(*second);
            // One octet per arc plus one per further 7 bits, counted a chunk at a time (the
            // last few arcs padded with zeros, which add nothing): a chunk of one-octet arcs
            // costs one OR of its arcs.
            let (chunks, tail) = rest.as_chunks::<ARCS>();
            let mut last = [0; ARCS];
            if let Some(padded) = last.get_mut(..tail.len()) {
                padded.copy_from_slice(tail);
            }
            let extra = chunks
                .iter()
                .chain([&last])
                .map(extra_octets)
                .fold(0, u32::wrapping_add);
            base128_len(head) + rest.len() + extra as usize
        }
        // Not a valid OID; the one octet rasn would write for a lone arc.
        [only] => base128_len(u64::from(*only)),
        [] => 0,
    }
}

/// Octets past the first that the arcs of `chunk` take in base 128. Branch-free past the
/// test for a larger arc, and counted in `u32` lanes, so that it vectorises. At most 4 per
/// arc: no OID an agent sees (at most 65,507 octets on the wire) comes near 2^30 arcs, where
/// the sum over a name would wrap.
fn extra_octets(chunk: &[u32; ARCS]) -> u32 {
    if chunk.iter().fold(0, |all, arc| all | arc) < 0x80 {
        return 0;
    }
    chunk
        .iter()
        .map(|&arc| {
            u32::from(arc >= 1 << 7)
                + u32::from(arc >= 1 << 14)
                + u32::from(arc >= 1 << 21)
                + u32::from(arc >= 1 << 28)
        })
        .fold(0, u32::wrapping_add)
}

fn value_len(value: &VarBindValue) -> usize {
    match value {
        VarBindValue::Value(syntax) => tlv_len(syntax_content_len(syntax)),
        // NULL and the three [n] IMPLICIT NULL exceptions: tag and a zero length.
        VarBindValue::Unspecified
        | VarBindValue::NoSuchObject
        | VarBindValue::NoSuchInstance
        | VarBindValue::EndOfMibView => 2,
    }
}

fn syntax_content_len(syntax: &ObjectSyntax) -> usize {
    match syntax {
        ObjectSyntax::Simple(SimpleSyntax::Integer(v)) => v.to_signed_bytes_be().1,
        ObjectSyntax::Simple(SimpleSyntax::String(v)) => v.len(),
        ObjectSyntax::Simple(SimpleSyntax::ObjectId(v)) => oid_content_len(v),
        ObjectSyntax::ApplicationWide(app) => match app {
            ApplicationSyntax::Address(_) => 4,
            ApplicationSyntax::Counter(Counter(v))
            | ApplicationSyntax::Ticks(TimeTicks(v))
            | ApplicationSyntax::Unsigned(Gauge(v)) => non_negative_integer_len(u64::from(*v)),
            ApplicationSyntax::Arbitrary(v) => v.as_ref().len(),
            ApplicationSyntax::BigCounter(Counter64(v)) => non_negative_integer_len(*v),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use rasn::types::Integer;
    use rasn_smi::v2::ToOpaque;

    fn oid(arcs: &[u32]) -> ObjectIdentifier {
        ObjectIdentifier::new(arcs.to_vec()).unwrap()
    }

    fn bind(arcs: &[u32], value: VarBindValue) -> VarBind {
        VarBind {
            name: oid(arcs),
            value,
        }
    }

    /// Names of every shape: short, string-indexed (past 16 arcs), arcs of 1 to 5 octets,
    /// `2.x` with a first subidentifier of several octets.
    fn names() -> Vec<Vec<u32>> {
        let mut lookup = vec![1, 3, 6, 1, 4, 1, 99_999, 1, 4, 14, 1, 2, 22];
        lookup.extend(b"pkg:npm/component-2500".iter().map(|&b| u32::from(b)));
        lookup.push(2500);
        let long: Vec<u32> = (0..128).map(|i| i * 1_000_003 % 300).collect();
        // Runs of one-octet arcs of every length around the eight (four) scanned at once,
        // each ended by an arc of 2 to 5 octets.
        let runs: Vec<u32> = (0..20u32)
            .flat_map(|n| {
                (0..n)
                    .map(move |i| i * 7 % 128)
                    .chain([128 << (7 * (n % 4))])
            })
            .collect();
        vec![
            vec![1, 3, 6, 1, 2, 1, 1, 1, 0],
            vec![0, 0],
            vec![1, 39, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152],
            vec![1, 3, 268_435_455, 268_435_456, u32::MAX],
            vec![2, 999, 1],
            vec![2, u32::MAX - 80],
            lookup,
            [vec![1, 3], long].concat(),
            [vec![1, 3], runs.clone()].concat(),
            [vec![1, 3], runs, vec![5; 17]].concat(),
        ]
    }

    fn request(pdu: Pdus, engine_id: &[u8], context: &[u8]) -> ScopedPdu {
        ScopedPdu {
            context_engine_id: OctetString::from(engine_id.to_vec()),
            context_name: OctetString::from(context.to_vec()),
            pdu,
        }
    }

    fn requests() -> Vec<ScopedPdu> {
        let values = [
            VarBindValue::Unspecified,
            VarBindValue::NoSuchObject,
            VarBindValue::NoSuchInstance,
            VarBindValue::EndOfMibView,
        ];
        let binds: Vec<VarBind> = names()
            .iter()
            .enumerate()
            .map(|(i, n)| bind(n, values[i % values.len()].clone()))
            .collect();
        let mut out = Vec::new();
        for (request_id, a, b) in [
            (0, 0, 0),
            (-1, 5, -3),
            (i32::MAX, i64::MAX, i64::MIN),
            (i32::MIN, 128, -129),
        ] {
            let pdu = Pdu {
                request_id,
                error_status: a,
                error_index: b,
                varbinds: binds.clone(),
            };
            let bulk = BulkPdu {
                request_id,
                non_repeaters: a,
                max_repetitions: b,
                varbinds: binds[..2].to_vec(),
            };
            for pdu in [
                Pdus::Get(pdu.clone()),
                Pdus::GetNext(Pdu {
                    varbinds: vec![],
                    ..pdu.clone()
                }),
                Pdus::GetNext(pdu),
                Pdus::GetBulk(bulk),
            ] {
                out.push(request(pdu.clone(), b"\x80\x00\x1f\x88\x04dqi", b""));
                out.push(request(pdu, &[7; 200], &[b'c'; 300]));
            }
        }
        out
    }

    #[test]
    fn reads_what_rasn_reads() {
        for scoped in requests() {
            let bytes = rasn::ber::encode(&scoped).unwrap();
            assert_eq!(
                scoped_pdu(&bytes),
                Read::Scoped(scoped.clone(), bytes.len())
            );
            // Padding after a decrypted ScopedPDU (DES, RFC 3414 §8.1.1.2) is not taken.
            let mut padded = bytes.clone();
            padded.extend_from_slice(&[0; 7]);
            assert_eq!(scoped_pdu(&padded), Read::Scoped(scoped, bytes.len()));
        }
    }

    #[test]
    fn other_forms_go_to_the_general_decoder() {
        let scoped = request(
            Pdus::Set(Pdu {
                request_id: 1,
                error_status: 0,
                error_index: 0,
                varbinds: vec![bind(
                    &[1, 3, 6, 1, 2, 1, 1, 5, 0],
                    VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::String(
                        OctetString::from_static(b"x"),
                    ))),
                )],
            }),
            b"\x80\x00\x1f\x88\x04dqi",
            b"",
        );
        let bytes = rasn::ber::encode(&scoped).unwrap();
        assert_eq!(scoped_pdu(&bytes), Read::Other, "a Set with a value");
        assert_eq!(
            super::super::decode_scoped_pdu(&bytes),
            Some((scoped, bytes.len()))
        );

        // GetNext { request-id 1 as 02 02 00 01 (not the fewest octets), 0, 0, {} }: BER
        // allows it for the general decoder to judge; the fast reader does not.
        let redundant = [
            0x30, 0x0f, 0x04, 0x00, 0x04, 0x00, 0xa1, 0x09, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01,
            0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
        ];
        assert_eq!(scoped_pdu(&redundant[..]), Read::Other);
        // The same with a long-form length where the short form fits.
        let long_length = [
            0x30, 0x81, 0x0e, 0x04, 0x00, 0x04, 0x00, 0xa1, 0x08, 0x02, 0x01, 0x01, 0x02, 0x01,
            0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
        ];
        assert_eq!(scoped_pdu(&long_length[..]), Read::Other);
    }

    /// A GetNext ScopedPDU whose one name has `contents` as its OID contents.
    fn getnext_with_oid(contents: &[u8]) -> Vec<u8> {
        let oid_tlv = [&[0x06, contents.len() as u8][..], contents].concat();
        let binding = [
            &[0x30, (oid_tlv.len() + 2) as u8][..],
            &oid_tlv,
            &[0x05, 0x00],
        ]
        .concat();
        let list = [&[0x30, binding.len() as u8][..], &binding].concat();
        let ints = [0x02, 0x01, 0x07, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
        let pdu = [&[0xa1, (ints.len() + list.len()) as u8][..], &ints, &list].concat();
        let body = [&[0x04, 0x00, 0x04, 0x00][..], &pdu].concat();
        [&[0x30, body.len() as u8][..], &body].concat()
    }

    #[test]
    fn object_identifiers_are_checked_as_x690_says() {
        let malformed: [(&str, &[u8]); 6] = [
            ("empty contents", &[]),
            ("last subidentifier cut", &[0x2b, 0x06, 0x81]),
            ("leading 0x80 in a later arc", &[0x2b, 0x06, 0x80, 0x01]),
            ("leading 0x80 in the first", &[0x80, 0x2b, 0x06]),
            ("2^32 in a later arc", &[0x2b, 0x90, 0x80, 0x80, 0x80, 0x00]),
            ("2^35 in the first", &[0xff, 0xff, 0xff, 0xff, 0x7f]),
        ];
        for (what, contents) in malformed {
            let bytes = getnext_with_oid(contents);
            assert_eq!(scoped_pdu(&bytes), Read::Malformed, "{what}");
            assert_eq!(super::super::decode_scoped_pdu(&bytes), None, "{what}");
        }
        let good: [(&[u8], &[u32]); 5] = [
            (&[0x2b, 0x06, 0x01], &[1, 3, 6, 1]),
            (&[0x00], &[0, 0]),
            (&[0x27], &[0, 39]),
            (&[0x50, 0x00], &[2, 0, 0]),
            // 2^32 - 1 is the largest arc (and first subidentifier) allowed.
            (&[0x2b, 0x8f, 0xff, 0xff, 0xff, 0x7f], &[1, 3, u32::MAX]),
        ];
        for (contents, arcs) in good {
            let bytes = getnext_with_oid(contents);
            let Read::Scoped(scoped, _) = scoped_pdu(&bytes) else {
                panic!("{arcs:?} not read");
            };
            let Pdus::GetNext(pdu) = scoped.pdu else {
                panic!("not a GetNext")
            };
            assert_eq!(&pdu.varbinds[0].name[..], arcs);
        }
        let bytes = getnext_with_oid(&[0x8f, 0xff, 0xff, 0xff, 0x7f]);
        let Read::Scoped(scoped, _) = scoped_pdu(&bytes) else {
            panic!("2.(2^32 - 81) not read");
        };
        let Pdus::GetNext(pdu) = scoped.pdu else {
            panic!("not a GetNext")
        };
        assert_eq!(&pdu.varbinds[0].name[..], &[2, u32::MAX - 80]);
    }

    /// Names with a run of every length 0..=40 of one-octet arcs, starting at every offset
    /// modulo the reader's window (a prefix of two- and three-octet arcs moves it), ended by
    /// an arc of each multi-octet size or by the name's end, or by a short run after the
    /// multi-octet arc.
    fn run_names() -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        for twos in 0..8 {
            for threes in 0..2 {
                let prefix = [vec![1, 3], vec![128; twos], vec![16_384; threes]].concat();
                for run in 0..=40u32 {
                    let arcs: Vec<u32> = (0..run).map(|i| (i * 37 + run) % 128).collect();
                    let name = [prefix.clone(), arcs].concat();
                    out.push(name.clone());
                    for big in [128, 16_383, 16_384, u32::MAX] {
                        out.push([name.clone(), vec![big]].concat());
                        out.push([name.clone(), vec![big, 0, 127, run]].concat());
                    }
                }
            }
        }
        out
    }

    /// Names whose contents take 120 to 135 and 248 to 263 octets: the OID's, the binding's
    /// and the list's lengths cross the short, one-octet and two-octet forms (X.690 §8.1.3).
    fn boundary_names() -> Vec<Vec<u32>> {
        (120..136)
            .chain(248..264)
            .flat_map(|octets: u32| {
                let small = [vec![1, 3], (1..octets).map(|i| i % 128).collect()].concat();
                // The same length with a two-octet arc last.
                let big = [
                    vec![1, 3],
                    (2..octets).map(|i| i % 128).collect(),
                    vec![300],
                ];
                [small, big.concat()]
            })
            .collect()
    }

    fn getnext_request(name: &[u32]) -> ScopedPdu {
        request(
            Pdus::GetNext(Pdu {
                request_id: 7,
                error_status: 0,
                error_index: 0,
                varbinds: vec![bind(name, VarBindValue::Unspecified)],
            }),
            b"\x80\x00\x1f\x88\x04dqi",
            b"",
        )
    }

    #[test]
    fn runs_of_one_octet_arcs_read_and_write_as_rasn_does() {
        for name in run_names().iter().chain(&boundary_names()) {
            let scoped = getnext_request(name);
            let bytes = rasn::ber::encode(&scoped).unwrap();
            assert_eq!(
                scoped_pdu(&bytes),
                Read::Scoped(scoped, bytes.len()),
                "{name:?}"
            );
            let value =
                VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::ObjectId(oid(name))));
            let binds = [bind(name, VarBindValue::Unspecified), bind(name, value)];
            for varbind in &binds {
                let alone = rasn::ber::encode(varbind).unwrap();
                assert_eq!(varbind_len(varbind), alone.len(), "{name:?}");
            }
            let reply = request(
                Pdus::Response(Pdu {
                    request_id: 7,
                    error_status: 0,
                    error_index: 0,
                    varbinds: binds.to_vec(),
                }),
                b"e",
                b"",
            );
            let ours = response(b"e", b"", 7, 0, 0, &binds);
            assert_eq!(ours, rasn::ber::encode(&reply).unwrap(), "{name:?}");
            // Sized exactly before it was written: no growth.
            assert_eq!(ours.capacity(), ours.len(), "{name:?}");
        }
    }

    #[test]
    fn a_bad_subidentifier_after_any_run_is_refused() {
        // Each damage after a run of every length of one-octet subidentifiers (and so at
        // every offset in and past the reader's window).
        // A cut subidentifier is one only at the end; the others are bad anywhere.
        let at_end: &[&[u8]] = &[&[]];
        let anywhere: &[&[u8]] = &[&[], &[0x05, 0x06], &[0x05; 20]];
        type Damage<'a> = (&'a str, &'a [u8], &'a [&'a [u8]]);
        let damages: [Damage; 5] = [
            ("last subidentifier cut", &[0x81], at_end),
            (
                "last subidentifier cut after two octets",
                &[0x90, 0x80],
                at_end,
            ),
            ("leading 0x80", &[0x80, 0x01], anywhere),
            ("2^32", &[0x90, 0x80, 0x80, 0x80, 0x00], anywhere),
            ("2^35 - 1", &[0xff, 0xff, 0xff, 0xff, 0x7f], anywhere),
        ];
        for run in 0..=40u8 {
            for (what, damage, afters) in damages {
                for after in afters {
                    let contents = [&[0x2b][..], &vec![0x05; usize::from(run)], damage, after];
                    let contents = contents.concat();
                    let bytes = getnext_with_oid(&contents);
                    assert_eq!(scoped_pdu(&bytes), Read::Malformed, "{what} after {run}");
                    assert_eq!(
                        super::super::decode_scoped_pdu(&bytes),
                        None,
                        "{what} after {run}"
                    );
                }
            }
        }
    }

    /// A seeded xorshift: the same cases every run.
    struct Seeded(u64);

    impl Seeded {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn what_it_reads_from_damaged_input_rasn_reads_the_same() {
        let encodings: Vec<Vec<u8>> = requests()
            .iter()
            .map(|s| rasn::ber::encode(s).unwrap())
            .collect();
        let mut rng = Seeded(0x9e37_79b9_7f4a_7c15);
        let (mut read, mut other, mut malformed) = (0, 0, 0);
        for _ in 0..40_000 {
            let mut bytes = encodings[rng.below(encodings.len())].clone();
            for _ in 0..=rng.below(3) {
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => bytes[at] ^= 1 << rng.below(8),
                    1 => bytes[at] = rng.next() as u8,
                    2 => bytes.truncate(at),
                    _ => bytes.insert(at, rng.next() as u8),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            let general = rasn::ber::decode_with_remainder::<ScopedPdu>(&bytes);
            match scoped_pdu(&bytes) {
                Read::Scoped(scoped, used) => {
                    read += 1;
                    let (value, rest) = general.expect("rasn reads it too");
                    assert_eq!((value, bytes.len() - rest.len()), (scoped, used));
                }
                Read::Other => other += 1,
                Read::Malformed => malformed += 1,
            }
        }
        // Each outcome was met, so the comparison above ran on many inputs.
        assert!(
            read > 1_000 && other > 1_000 && malformed > 1_000,
            "{read} {other} {malformed}"
        );
    }

    fn integer(v: i128) -> VarBindValue {
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::Integer(Integer::from(
            v,
        ))))
    }

    fn app(v: ApplicationSyntax) -> VarBindValue {
        VarBindValue::Value(ObjectSyntax::ApplicationWide(v))
    }

    #[test]
    fn writes_what_rasn_writes() {
        let mut values = vec![
            VarBindValue::Unspecified,
            VarBindValue::NoSuchObject,
            VarBindValue::NoSuchInstance,
            VarBindValue::EndOfMibView,
        ];
        for v in [0, 1, -1, 127, 128, -128, -129, 255, 256, 65_535, -65_536] {
            values.push(integer(v));
        }
        values.push(integer(i128::from(i64::MAX)));
        values.push(integer(i128::from(i64::MIN)));
        values.push(integer(i128::from(u64::MAX)));
        for len in [0, 1, 127, 128, 255, 256, 70_000] {
            let s = OctetString::from(vec![b's'; len]);
            values.push(VarBindValue::Value(ObjectSyntax::Simple(
                SimpleSyntax::String(s),
            )));
            values.push(app(ApplicationSyntax::Arbitrary(
                OctetString::from(vec![b'o'; len]).to_opaque().unwrap(),
            )));
        }
        for n in names() {
            values.push(VarBindValue::Value(ObjectSyntax::Simple(
                SimpleSyntax::ObjectId(oid(&n)),
            )));
        }
        values.push(app(ApplicationSyntax::Address(IpAddress(
            [192, 0, 2, 1].into(),
        ))));
        for v in [0u32, 127, 128, 0x7fff_ffff, 0x8000_0000, u32::MAX] {
            values.push(app(ApplicationSyntax::Counter(Counter(v))));
            values.push(app(ApplicationSyntax::Unsigned(Gauge(v))));
            values.push(app(ApplicationSyntax::Ticks(TimeTicks(v))));
        }
        for v in [0u64, 255, 1 << 63, u64::MAX] {
            values.push(app(ApplicationSyntax::BigCounter(Counter64(v))));
        }
        let names = names();
        let binds: Vec<VarBind> = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| bind(&names[i % names.len()], v))
            .collect();
        for bind in &binds {
            let alone = rasn::ber::encode(bind).unwrap();
            assert_eq!(varbind_len(bind), alone.len(), "{bind:?}");
        }
        let cases = [
            (0, 0, 0, &binds[..0]),
            (-5, 2, 1, &binds[..3]),
            (i32::MAX, 5, 7, &binds[..]),
            (i32::MIN, 0, 0, &binds[20..25]),
        ];
        for (request_id, status, index, varbinds) in cases {
            for (engine, context) in [
                (&b"\x80\x00\x1f\x88\x04dqi"[..], &b""[..]),
                (&[1; 200], &[2; 300]),
            ] {
                let scoped = request(
                    Pdus::Response(Pdu {
                        request_id,
                        error_status: status,
                        error_index: index,
                        varbinds: varbinds.to_vec(),
                    }),
                    engine,
                    context,
                );
                let ours = response(engine, context, request_id, status, index, varbinds);
                assert_eq!(ours, rasn::ber::encode(&scoped).unwrap());
                assert_eq!(
                    ours.capacity(),
                    ours.len(),
                    "one allocation of the exact size"
                );
            }
        }
    }

    /// A reply written from the request's first name, as read, is byte for byte the reply
    /// written from its arcs: for replies that extend the asked name (a lookup's row, by arcs of
    /// one to five octets), equal it (a Get), leave it at its last arc (a GetNext to the next
    /// row) or earlier, or are shorter; across the BER length-form boundaries.
    #[test]
    fn replies_from_the_requests_octets_are_what_encoding_writes() {
        let mut asked: Vec<Vec<u32>> = names();
        asked.extend(boundary_names());
        asked.extend(run_names().into_iter().step_by(7));
        let mut checked = 0;
        for name in &asked {
            let bytes = rasn::ber::encode(&getnext_request(name)).unwrap();
            let (read, at) = scoped_pdu_named(&bytes);
            let Read::Scoped(scoped, _) = read else {
                panic!("{name:?} not read");
            };
            let at = at.expect("the first name's place");
            let Pdus::GetNext(pdu) = &scoped.pdu else {
                panic!("not a GetNext");
            };
            let known = KnownName {
                arcs: &pdu.varbinds[0].name,
                octets: &bytes[at],
            };
            let mut replies = vec![name.clone(), name[..name.len() - 1].to_vec()];
            for extra in [0, 127, 128, 16_383, 16_384, 2_097_152, u32::MAX] {
                replies.push([name.clone(), vec![extra]].concat());
                replies.push([name.clone(), vec![extra, 5, 1_000]].concat());
                let mut next_row = name.clone();
                if let Some(last) = next_row.last_mut() {
                    *last = last.wrapping_add(1);
                }
                replies.push([next_row, vec![extra]].concat());
            }
            for reply in replies.into_iter().filter(|r| r.len() >= 2) {
                let binds = [
                    bind(&reply, VarBindValue::EndOfMibView),
                    bind(name, VarBindValue::Unspecified),
                ];
                for binds in [&binds[..1], &binds[..]] {
                    let plain = response(b"e", b"", 7, 0, 0, binds);
                    let fast = response_knowing(b"e", b"", (7, 0, 0), binds, Some(known));
                    assert_eq!(fast, plain, "asked {name:?}, reply {reply:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 1_000, "{checked}");
    }

    /// A known name of fewer than two arcs (no whole first subidentifier) is never used.
    #[test]
    fn a_name_without_its_first_subidentifier_is_not_used() {
        let known = KnownName {
            arcs: &[1],
            octets: &[0x2b],
        };
        assert!(known.split(&[1, 3, 6]).is_none());
    }
}
