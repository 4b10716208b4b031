//! RFC 3414 §4 discovery by hand: the probe, and a minimal BER reader for the Report.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

/// What an unknownEngineID Report carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    pub engine_id: Vec<u8>,
    pub boots: i64,
    pub time: i64,
    /// The Report's first varbind OID and value (usmStatsUnknownEngineIDs.0 per RFC 3414 §3.2
    /// step 3).
    pub report_oid: String,
    pub report_value: i64,
}

/// A noAuthNoPriv, reportable SNMPv3 GetRequest with an empty engine ID and user: the probe an
/// RFC 3414 §4 manager sends to learn the agent's snmpEngineID, boots and time.
pub fn discovery_probe(msg_id: u32) -> Vec<u8> {
    let id = msg_id.to_be_bytes();
    let mut m = vec![0x30, 0x3e, 0x02, 0x01, 0x03];
    // msgGlobalData: msgID, msgMaxSize 65507, msgFlags reportable, msgSecurityModel USM.
    m.extend([0x30, 0x11, 0x02, 0x04]);
    m.extend(id);
    m.extend([
        0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03,
    ]);
    // msgSecurityParameters: empty engine ID, boots 0, time 0, empty user, auth and priv params.
    m.extend([
        0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
    ]);
    m.extend([0x04, 0x00, 0x04, 0x00, 0x04, 0x00]);
    // ScopedPDU: empty contextEngineID and contextName, GetRequest with no bindings.
    m.extend([0x30, 0x14, 0x04, 0x00, 0x04, 0x00, 0xa0, 0x0e, 0x02, 0x04]);
    m.extend(id);
    m.extend([0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00]);
    debug_assert_eq!(m.len(), 0x40);
    m
}

/// Sends one discovery probe to `addr` (up to 3 tries of 500 ms) and parses the Report.
pub fn discover(addr: SocketAddr) -> Discovery {
    let local: SocketAddr = match addr {
        SocketAddr::V4(_) => (Ipv4Addr::LOCALHOST, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::LOCALHOST, 0).into(),
    };
    let socket = UdpSocket::bind(local).expect("bind probe socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("set timeout");
    let mut buf = [0u8; 4096];
    for attempt in 0..3u32 {
        socket
            .send_to(&discovery_probe(0x4000_0000 + attempt), addr)
            .expect("send probe");
        if let Ok((len, from)) = socket.recv_from(&mut buf)
            && from == addr
        {
            return parse_discovery_report(&buf[..len])
                .unwrap_or_else(|e| panic!("bad discovery Report {:02x?}: {e}", &buf[..len]));
        }
    }
    panic!("no answer to a discovery probe from {addr}");
}

/// A minimal BER reader: enough to take a discovery Report apart.
struct Ber<'a>(&'a [u8]);

impl<'a> Ber<'a> {
    fn tlv(&mut self) -> Result<(u8, &'a [u8]), String> {
        let data = self.0;
        let (&tag, rest) = data.split_first().ok_or("truncated tag")?;
        let (&first, rest) = rest.split_first().ok_or("truncated length")?;
        let (len, rest) = if first < 0x80 {
            (first as usize, rest)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || rest.len() < n {
                return Err("bad length".into());
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | b as usize);
            (len, &rest[n..])
        };
        if rest.len() < len {
            return Err("truncated value".into());
        }
        self.0 = &rest[len..];
        Ok((tag, &rest[..len]))
    }

    fn expect(&mut self, want: u8) -> Result<&'a [u8], String> {
        let (tag, value) = self.tlv()?;
        if tag != want {
            return Err(format!("tag {tag:#04x} where {want:#04x} was expected"));
        }
        Ok(value)
    }

    fn integer(&mut self) -> Result<i64, String> {
        let value = self.expect(0x02)?;
        if value.is_empty() || value.len() > 8 {
            return Err("bad integer".into());
        }
        let sign = if value[0] & 0x80 != 0 { -1i64 } else { 0 };
        Ok(value.iter().fold(sign, |acc, &b| acc << 8 | b as i64))
    }
}

fn decode_oid(bytes: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut acc: u64 = 0;
    for &b in bytes {
        acc = acc << 7 | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter().map(|a| format!(".{a}")).collect()
}

/// Takes apart the Report an agent sends in answer to [`discovery_probe`].
pub fn parse_discovery_report(datagram: &[u8]) -> Result<Discovery, String> {
    let mut message = Ber(Ber(datagram).expect(0x30)?);
    if message.integer()? != 3 {
        return Err("not SNMPv3".into());
    }
    let mut global = Ber(message.expect(0x30)?);
    let _msg_id = global.integer()?;
    let _max_size = global.integer()?;
    let flags = global.expect(0x04)?;
    if flags.first().is_some_and(|f| f & 0x03 != 0) {
        return Err("a discovery Report must be noAuthNoPriv".into());
    }
    let mut usm = Ber(message.expect(0x04)?);
    let mut usm = Ber(usm.expect(0x30)?);
    let engine_id = usm.expect(0x04)?.to_vec();
    let boots = usm.integer()?;
    let time = usm.integer()?;
    let mut scoped = Ber(message.expect(0x30)?);
    let _context_engine_id = scoped.expect(0x04)?;
    let _context_name = scoped.expect(0x04)?;
    let mut pdu = Ber(scoped
        .expect(0xa8)
        .map_err(|e| format!("not a Report: {e}"))?);
    let _request_id = pdu.integer()?;
    let _error_status = pdu.integer()?;
    let _error_index = pdu.integer()?;
    let mut varbinds = Ber(pdu.expect(0x30)?);
    let mut varbind = Ber(varbinds.expect(0x30)?);
    let report_oid = decode_oid(varbind.expect(0x06)?);
    let (_, value) = varbind.tlv()?;
    let report_value = value.iter().fold(0i64, |acc, &b| acc << 8 | b as i64);
    Ok(Discovery {
        engine_id,
        boots,
        time,
        report_oid,
        report_value,
    })
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
