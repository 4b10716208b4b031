//! The progress line on stderr: `dqi-query: 37/120 devices asked`, redrawn in place (carriage
//! return, erase to end of line) at most ten times a second and once at the end, then erased.
//! Only when stderr is a terminal: a log or a pipe gets the summary line alone.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The shortest time between two redraws.
const EVERY: Duration = Duration::from_millis(100);

/// A progress line, drawn only when enabled.
pub struct Progress {
    enabled: bool,
    last: Mutex<Option<Instant>>,
}

impl Progress {
    /// A line drawn when `enabled` (stderr is a terminal), else a no-op.
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            last: Mutex::new(None),
        }
    }

    /// `done` of `total` devices asked.
    pub fn update(&self, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if done < total && last.is_some_and(|t| now.duration_since(t) < EVERY) {
            return;
        }
        *last = Some(now);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}\x1b[K", line(done, total));
        let _ = err.flush();
    }

    /// Erases the line, before the summary is printed.
    pub fn finish(&self) {
        let drawn = self.last.lock().is_ok_and(|l| l.is_some());
        if self.enabled && drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

/// The text of the line.
pub fn line(done: usize, total: usize) -> String {
    format!("dqi-query: {done}/{total} devices asked")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_devices() {
        assert_eq!(line(37, 120), "dqi-query: 37/120 devices asked");
        // Disabled: nothing drawn, nothing to erase.
        let p = Progress::new(false);
        p.update(1, 2);
        assert!(p.last.lock().unwrap().is_none());
    }
}
