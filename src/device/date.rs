//! Calendar dates and times as the device data carries them: parsed from ISO 8601 / RFC 3339
//! strings (SBOM timestamps, end-of-support dates, the description file), compared as instants,
//! and rendered as the SNMP `DateAndTime` textual convention (RFC 2579).
//!
//! A small own type instead of a date crate: the core is `no_std`, and everything the agent needs
//! is parsing, ordering and one octet encoding.

use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

/// A calendar date with an optional time of day and an optional UTC offset.
///
/// Built only by [`Timestamp::parse`], [`Timestamp::new`] or [`Timestamp::from_unix_seconds`],
/// so every value is a real date (month 1..=12, day within the month, leap years honoured).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    /// Whether a time of day was given; a bare date means the whole day.
    has_time: bool,
    /// Minutes east of UTC; `None` when the source gave no offset (local or unknown).
    offset_minutes: Option<i16>,
}

impl Timestamp {
    /// A date at midnight with no time of day and no offset; `None` if it is no real date.
    pub fn date(year: u16, month: u8, day: u8) -> Option<Timestamp> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Timestamp {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            has_time: false,
            offset_minutes: None,
        })
    }

    /// A date and time in UTC; `None` if any field is out of range.
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<Timestamp> {
        // 60 admits a leap second, as RFC 3339 §5.6 and DateAndTime both do.
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let mut t = Timestamp::date(year, month, day)?;
        t.hour = hour;
        t.minute = minute;
        t.second = second;
        t.has_time = true;
        t.offset_minutes = Some(0);
        Some(t)
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `T` (or a space) and `hh:mm[:ss[.fraction]]`,
    /// optionally followed by `Z` or `±hh:mm` (ISO 8601 extended format, RFC 3339 §5.6).
    /// Fractions of a second are dropped. `None` on anything else.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.trim().as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = u16::try_from(digits(&b[0..4])?).ok()?;
        let month = u8::try_from(digits(&b[5..7])?).ok()?;
        let day = u8::try_from(digits(&b[8..10])?).ok()?;
        if b.len() == 10 {
            return Timestamp::date(year, month, day);
        }
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
            return None;
        }
        let hour = u8::try_from(digits(&b[11..13])?).ok()?;
        let minute = u8::try_from(digits(&b[14..16])?).ok()?;
        let mut rest = &b[16..];
        let mut second = 0;
        if let [b':', s1, s2, tail @ ..] = rest {
            second = u8::try_from(digits(&[*s1, *s2])?).ok()?;
            rest = tail;
        }
        if let [b'.' | b',', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            rest = &tail[n..];
        }
        let offset = match rest {
            [] => None,
            [b'Z' | b'z'] => Some(0),
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let h = i16::try_from(digits(&[*h1, *h2])?).ok()?;
                let m = i16::try_from(digits(&[*m1, *m2])?).ok()?;
                if h > 23 || m > 59 {
                    return None;
                }
                let total = h * 60 + m;
                Some(if *sign == b'-' { -total } else { total })
            }
            _ => return None,
        };
        let mut t = Timestamp::new(year, month, day, hour, minute, second)?;
        t.offset_minutes = offset;
        Some(t)
    }

    /// The UTC date and time `secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix_seconds(secs: u64) -> Timestamp {
        let days = secs / 86_400;
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        // rem < 86 400, so each part fits its field.
        let hour = (rem / 3600) as u8;
        let minute = ((rem % 3600) / 60) as u8;
        let second = (rem % 60) as u8;
        Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
            has_time: true,
            offset_minutes: Some(0),
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z, the offset applied (no offset is taken as UTC).
    pub fn unix_seconds(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        secs - i64::from(self.offset_minutes.unwrap_or(0)) * 60
    }

    /// The last second this value covers: itself with a time of day, the day's last second
    /// for a bare date. An end-of-support date "2025-12-31" still holds on that day.
    pub fn end_unix_seconds(&self) -> i64 {
        if self.has_time {
            self.unix_seconds()
        } else {
            self.unix_seconds() + 86_399
        }
    }

    /// Compares the instants two timestamps denote (offsets applied), not their fields.
    pub fn cmp_instant(&self, other: &Timestamp) -> Ordering {
        self.unix_seconds().cmp(&other.unix_seconds())
    }

    /// Year.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// Hour, 0 to 23 (0 for a bare date).
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second, 0 to 60.
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Whether a time of day was given.
    pub fn has_time(&self) -> bool {
        self.has_time
    }
    /// Minutes east of UTC, if known.
    pub fn offset_minutes(&self) -> Option<i16> {
        self.offset_minutes
    }

    /// The RFC 2579 `DateAndTime` octets: 8 octets without an offset, 11 with one.
    pub fn date_and_time(&self) -> Vec<u8> {
        let [yh, yl] = self.year.to_be_bytes();
        let mut out = alloc::vec![
            yh,
            yl,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            0
        ];
        if let Some(off) = self.offset_minutes {
            let abs = off.unsigned_abs();
            out.push(if off < 0 { b'-' } else { b'+' });
            // |offset| <= 23:59, so both parts fit a u8.
            out.push((abs / 60) as u8);
            out.push((abs % 60) as u8);
        }
        out
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 extended format, the form [`Timestamp::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)?;
        if self.has_time {
            write!(f, "T{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
            match self.offset_minutes {
                Some(0) => f.write_str("Z")?,
                Some(off) => {
                    let sign = if off < 0 { '-' } else { '+' };
                    let abs = off.unsigned_abs();
                    write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)?;
                }
                None => {}
            }
        }
        Ok(())
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days-from-civil algorithm, proleptic Gregorian calendar.
fn days_from_civil(year: u16, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: u64) -> (u16, u8, u8) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Years past 65535 are beyond any clock this agent will meet; saturate instead of wrapping.
    (u16::try_from(year).unwrap_or(u16::MAX), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parses_the_forms_sboms_use() {
        let d = Timestamp::parse("2025-12-31").unwrap();
        assert_eq!(
            (d.year(), d.month(), d.day(), d.has_time()),
            (2025, 12, 31, false)
        );
        let t = Timestamp::parse("2024-03-14T09:26:53.589Z").unwrap();
        assert_eq!((t.hour(), t.minute(), t.second()), (9, 26, 53));
        assert_eq!(t.offset_minutes(), Some(0));
        let o = Timestamp::parse("2024-03-14T10:26:53+01:00").unwrap();
        assert_eq!(o.cmp_instant(&t), Ordering::Equal);
        let m = Timestamp::parse("2024-03-14 10:26").unwrap();
        assert_eq!((m.second(), m.offset_minutes()), (0, None));
    }

    #[test]
    fn refuses_what_is_no_date() {
        for bad in [
            "",
            "2024",
            "2024-13-01",
            "2023-02-29",
            "2024-04-31",
            "2024-01-01T25:00",
            "2024-01-01T10:00:00+1:00",
            "2024-01-01T10:00:00.Z",
            "2024-01-01garbage",
            "２０２４-01-01",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        assert!(Timestamp::parse("2024-02-29").is_some());
    }

    #[test]
    fn unix_seconds_round_trip() {
        for secs in [0u64, 951_782_400, 1_710_408_413, 4_102_444_799] {
            let t = Timestamp::from_unix_seconds(secs);
            assert_eq!(t.unix_seconds(), secs as i64);
        }
        assert_eq!(
            Timestamp::from_unix_seconds(1_710_408_413).to_string(),
            "2024-03-14T09:26:53Z"
        );
    }

    #[test]
    fn date_and_time_octets() {
        let t = Timestamp::parse("2024-03-14T10:26:53-05:30").unwrap();
        assert_eq!(
            t.date_and_time(),
            [0x07, 0xe8, 3, 14, 10, 26, 53, 0, b'-', 5, 30]
        );
        assert_eq!(
            Timestamp::date(2024, 3, 14).unwrap().date_and_time().len(),
            8
        );
    }

    #[test]
    fn a_bare_date_covers_its_whole_day() {
        let d = Timestamp::parse("2025-12-31").unwrap();
        let evening = Timestamp::parse("2025-12-31T23:59:59Z").unwrap();
        let next = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        assert!(evening.unix_seconds() <= d.end_unix_seconds());
        assert!(next.unix_seconds() > d.end_unix_seconds());
    }
}
