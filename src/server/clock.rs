//! What the driver tells the agent about time beyond its monotonic clock: the wall clock and the
//! host's uptime at the agent's origin, for `hrSystemDate` and `hrSystemUptime`.

use crate::agent::Clock;

/// The wall clock (UTC) and the host uptime now, to be paired with the agent's `Instant::ZERO`.
/// A wall clock before 1970 reads as the epoch; an unreadable `/proc/uptime` (not Linux, a
/// sandbox) as 0.
pub(super) fn host_clock() -> Clock {
    let unix_micros_at_origin = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    let host_uptime_micros_at_origin = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|text| parse_uptime(&text))
        .unwrap_or(0);
    Clock {
        unix_micros_at_origin,
        host_uptime_micros_at_origin,
    }
}

/// Microseconds from `/proc/uptime`'s first field, seconds with a fraction (`"12345.67 890.12"`).
fn parse_uptime(text: &str) -> Option<u64> {
    let field = text.split_ascii_whitespace().next()?;
    let (secs, frac) = field.split_once('.').unwrap_or((field, ""));
    let secs: u64 = secs.parse().ok()?;
    // At most six fraction digits count; pad to microseconds.
    let digits: String = frac.chars().take(6).collect();
    let micros = if digits.is_empty() {
        0
    } else {
        let n: u64 = digits.parse().ok()?;
        n * 10u64.pow(6 - u32::try_from(digits.len()).ok()?)
    };
    secs.checked_mul(1_000_000)?.checked_add(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_uptime_parses() {
        assert_eq!(parse_uptime("12345.67 890.12\n"), Some(12_345_670_000));
        assert_eq!(parse_uptime("5 1"), Some(5_000_000));
        assert_eq!(parse_uptime("0.000001 0"), Some(1));
        assert_eq!(parse_uptime(""), None);
        assert_eq!(parse_uptime("x.5 1"), None);
        assert_eq!(parse_uptime("1.x 1"), None);
    }

    #[test]
    fn the_clock_is_plausible() {
        let c = host_clock();
        // After 2020-01-01.
        assert!(c.unix_micros_at_origin > 1_577_836_800_000_000);
    }
}
