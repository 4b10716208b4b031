//! Readiness notification to systemd (`sd_notify(3)`), for the packaged unit's `Type=notify`:
//! one datagram of `KEY=value` lines to the Unix datagram socket named by `$NOTIFY_SOCKET`, a
//! path or, after `@`, a Linux abstract socket name. Without `$NOTIFY_SOCKET` (not started by
//! systemd, or not `Type=notify`) nothing is sent.
//!
//! The agent sends `READY=1` once every listen socket is bound, so `systemctl start` returns
//! when managers can be answered, and `STOPPING=1` when it stops.

use std::ffi::OsStr;
use std::io;
use std::os::unix::net::UnixDatagram;

/// The environment variable systemd sets for `Type=notify` services.
const NOTIFY_SOCKET: &str = "NOTIFY_SOCKET";

/// Sends `state` (such as `"READY=1"`) to systemd when the agent runs under it. Failures are
/// logged, never fatal: the agent serves either way, and systemd times the start out itself.
pub(crate) fn notify(state: &str) {
    let Some(socket) = std::env::var_os(NOTIFY_SOCKET) else {
        return;
    };
    if let Err(e) = send(&socket, state) {
        tracing::warn!(
            "cannot notify systemd at ${NOTIFY_SOCKET} ({}): {e}",
            socket.to_string_lossy()
        );
    }
}

/// Sends `state` as one datagram to the socket `address` names.
fn send(address: &OsStr, state: &str) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let socket = UnixDatagram::unbound()?;
    let bytes = address.as_bytes();
    let sent = match bytes.first() {
        Some(b'/') => socket.send_to(state.as_bytes(), address)?,
        #[cfg(any(target_os = "linux", target_os = "android"))]
        Some(b'@') => {
            #[cfg(target_os = "android")]
            use std::os::android::net::SocketAddrExt;
            #[cfg(target_os = "linux")]
            use std::os::linux::net::SocketAddrExt;
            let name = std::os::unix::net::SocketAddr::from_abstract_name(&bytes[1..])?;
            socket.send_to_addr(state.as_bytes(), &name)?
        }
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "neither an absolute path nor an abstract socket name (@...)",
            ));
        }
    };
    if sent != state.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "the notification was cut short",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receive(socket: &UnixDatagram) -> String {
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0u8; 256];
        let n = socket.recv(&mut buf).unwrap();
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn a_path_socket_receives_the_state() {
        let dir = std::env::temp_dir().join(format!("dqi-sd-notify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notify");
        let _ = std::fs::remove_file(&path);
        let systemd = UnixDatagram::bind(&path).unwrap();
        send(path.as_os_str(), "READY=1\nSTATUS=serving").unwrap();
        assert_eq!(receive(&systemd), "READY=1\nSTATUS=serving");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_abstract_socket_receives_the_state() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("dqi-sd-notify-test-{}", std::process::id());
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let systemd = UnixDatagram::bind_addr(&addr).unwrap();
        send(OsStr::new(&format!("@{name}")), "STOPPING=1").unwrap();
        assert_eq!(receive(&systemd), "STOPPING=1");
    }

    #[test]
    fn other_addresses_and_absent_sockets_are_errors() {
        let relative = send(OsStr::new("notify"), "READY=1").unwrap_err();
        assert_eq!(relative.kind(), io::ErrorKind::InvalidInput);
        assert!(send(OsStr::new(""), "READY=1").is_err());
        let missing = std::env::temp_dir().join("dqi-sd-notify-no-such-socket");
        assert!(send(missing.as_os_str(), "READY=1").is_err());
    }
}
