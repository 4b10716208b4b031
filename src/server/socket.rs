//! Socket set-up: one UDP socket per listen address, IPv6 sockets `IPV6_V6ONLY`, a large
//! kernel receive buffer, non-blocking.

use std::io;
use std::net::SocketAddr;

/// Kernel socket receive buffer asked for, to absorb bursts while a task is busy.
const SOCKET_RECEIVE_BUFFER: usize = 1 << 20;

/// A UDP socket bound to `addr`, IPv6 sockets limited to IPv6 so that `0.0.0.0:161` and
/// `[::]:161` can both be listened on.
pub(super) fn udp_socket(addr: SocketAddr) -> io::Result<std::net::UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    // Best effort: a smaller buffer only means earlier drops under a burst.
    let _ = socket.set_recv_buffer_size(SOCKET_RECEIVE_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_sockets_leave_the_ipv4_port_free() {
        if std::net::UdpSocket::bind("[::]:0").is_err() {
            return; // no IPv6 in this environment
        }
        let v6 = udp_socket("[::]:0".parse().unwrap()).unwrap();
        let port = v6.local_addr().unwrap().port();
        // Without IPV6_V6ONLY the v6 wildcard would hold the v4 port too.
        udp_socket(SocketAddr::from(([0, 0, 0, 0], port))).unwrap();
    }
}
