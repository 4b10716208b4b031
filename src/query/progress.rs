//! The progress bar on stderr (indicatif): `dqi-query: [#####-----] 37/120 devices asked, 2s`,
//! redrawn in place at most ten times a second, then cleared before the summary line.
//!
//! Only when stderr is a terminal: a log or a pipe gets the summary line alone, not one byte
//! of bar. Ctrl-C clears the bar the same way, so the records answered so far and the summary
//! follow on a clean line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Redraws a second at most: enough to see it move, little enough for a slow terminal.
const REDRAWS_PER_SECOND: u8 = 10;

/// The bar's layout (indicatif template).
const TEMPLATE: &str = "dqi-query: [{bar:30}] {pos}/{len} devices asked, {elapsed}";

/// A progress bar, drawn only when enabled.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar over `total` devices, drawn on stderr when `enabled` (stderr is a terminal), else
    /// hidden (nothing is written).
    pub fn new(enabled: bool, total: usize) -> Progress {
        let target = if enabled {
            ProgressDrawTarget::stderr_with_hz(REDRAWS_PER_SECOND)
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total as u64), target);
        // The template is a constant: a mistake in it is caught by the unit test below.
        if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
            bar.set_style(style.progress_chars("#>-"));
        }
        Progress { bar }
    }

    /// `done` of the devices asked.
    pub fn update(&self, done: usize) {
        self.bar.set_position(done as u64);
    }

    /// Clears the bar, before the records and the summary are printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Whether anything is drawn.
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_and_a_pipe_gets_no_bar() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
        let p = Progress::new(false, 2);
        assert!(p.is_hidden());
        p.update(1);
        assert_eq!(p.bar.position(), 1);
        p.finish();
    }
}
