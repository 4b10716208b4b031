//! The flood meter: which sources send datagrams no user answers for faster than the driver's
//! `[budget] block_after`, so the driver can drop them in the kernel (its socket filter).
//!
//! # What is counted
//!
//! Every datagram read is charged to its source's meter when [`super::Budget::admit_source`]
//! sees it, and given back when it turns out to be a known user's request (paid from, or
//! refused by, that user's budget: the user's budget tells such datagrams apart, a kernel
//! filter cannot). What stays counted is what no user answers for: malformed datagrams,
//! discovery, unknown users, wrong digests. A request a user's budget refused counts
//! [`USER_WEIGHT`] of [`OTHER_WEIGHT`] while the agent reads all that arrives: the source may be
//! an address other users share, and the user's budget already tells their datagrams apart, so
//! only a user's flood twenty times as heavy gets the address blocked. While the kernel drops
//! most of what arrives for want of reading (the scale, below, is at least [`FULL_SCALE`]) it
//! counts in full: the user's budget no longer sees most of the datagrams it would tell apart,
//! and the kernel drops every party's alike, so the sources whose requests are refused are
//! better dropped than everyone. (Not from a scale of 2: a busy host that stalls the agent
//! for a moment has it read a backlog in a burst, which can look like that.)
//!
//! # Counting against the share read
//!
//! Under a flood the driver reads only part of what arrives (the intake ceiling, receive
//! moderation: the kernel drops the rest), so a source's count understates what it sends: from
//! 64 sources at 50,000 datagrams a second in all, the agent reads about a fifth of each. The
//! driver measures that share over each window (datagrams read against datagrams the kernel
//! dropped for the socket) and passes its inverse, the *scale*, with the window
//! ([`Watch::start`]); every datagram read stands for `scale` sent. So `block_after` means
//! datagrams a source *sends*, whatever share of them the agent can afford to read.
//!
//! A source is flagged the first time, within a window, its count reaches the window's
//! threshold, at least [`MIN_SEEN`] of its datagrams were read, and either the budget refused
//! one of them in the window or the agent reads only part of what arrives (the scale is over
//! 1). So a burst that the source's budget still pays (managers starting sessions together
//! behind one address) is never blocked while the agent keeps up, and under a flood the scale
//! may be an overestimate (the kernel's drop counter also counts the datagrams its filter
//! drops) but a manager's discovery exchange, a datagram or two, never gets it blocked. The flag is checked when the source's next datagram arrives, once the
//! previous ones' fate (a user's, or not) is settled, so the driver hears of a flooding source
//! within a datagram of it crossing the threshold, not at the end of the window.

/// What a datagram no user answers for counts.
pub(super) const OTHER_WEIGHT: u64 = 20;
/// What a request refused by its user's budget counts: a twentieth of [`OTHER_WEIGHT`].
pub(super) const USER_WEIGHT: u64 = 1;
/// The fewest datagrams read from a source within a window before it can be flagged, whatever
/// the scale: a manager's discovery and time synchronisation are two.
pub const MIN_SEEN: u32 = 4;
/// The scale from which a request refused by its user's budget counts in full: three
/// quarters of what arrives dropped.
pub const FULL_SCALE: u32 = 4;
/// The largest scale the meter accepts: beyond it a datagram read stands for too many unseen
/// ones to judge a source by.
pub const MAX_SCALE: u32 = 16;

/// The thresholds of the current window, set by the driver.
#[derive(Debug, Clone, Copy)]
pub(super) struct Watch {
    /// The weighted count (in [`OTHER_WEIGHT`]s per datagram) that flags a source; zero
    /// flags none.
    at_least: u64,
    /// Datagrams sent per datagram read, 1 to [`MAX_SCALE`].
    scale: u64,
    /// What a request refused by its user's budget counts in this window.
    user_weight: u64,
    /// Whether a source was flagged since the driver last took the flagged ones.
    pub(super) pending: bool,
}

impl Default for Watch {
    /// Flags nothing until the driver starts a window.
    fn default() -> Watch {
        Watch {
            at_least: 0,
            scale: 1,
            user_weight: USER_WEIGHT,
            pending: false,
        }
    }
}

impl Watch {
    /// A new window in which `at_least` datagrams sent (estimated) flag a source, each datagram
    /// read standing for `scale` sent.
    pub(super) fn start(&mut self, at_least: u32, scale: u32) {
        self.at_least = u64::from(at_least).saturating_mul(OTHER_WEIGHT);
        self.scale = u64::from(scale.clamp(1, MAX_SCALE));
        self.user_weight = match self.scale >= u64::from(FULL_SCALE) {
            false => USER_WEIGHT,
            true => OTHER_WEIGHT,
        };
    }
}

/// One source's count in the current window.
#[derive(Debug, Default)]
pub(super) struct Meter {
    /// Weighted and scaled.
    units: u64,
    /// Datagrams read and not given back.
    seen: u32,
    /// Whether the budget refused one of its datagrams in the window.
    refused: bool,
    /// Flagged since the driver last took the flagged sources.
    flagged: bool,
}

impl Meter {
    /// A datagram read: charged as one no user answers for until [`Meter::attribute`]d.
    pub(super) fn charge(&mut self, watch: &Watch) {
        self.units = self
            .units
            .saturating_add(OTHER_WEIGHT.saturating_mul(watch.scale));
        self.seen = self.seen.saturating_add(1);
    }

    /// The datagram last charged is a known user's request: given back, and counted
    /// [`USER_WEIGHT`] (in full while sampled) if the user's budget `refused` it.
    pub(super) fn attribute(&mut self, watch: &Watch, refused: bool) {
        let given = OTHER_WEIGHT.saturating_mul(watch.scale);
        self.units = self.units.saturating_sub(given);
        if refused {
            self.units = self
                .units
                .saturating_add(watch.user_weight.saturating_mul(watch.scale));
        } else {
            self.seen = self.seen.saturating_sub(1);
        }
    }

    /// The budget refused one of the source's datagrams.
    pub(super) fn note_refused(&mut self) {
        self.refused = true;
    }

    /// Flags the source if its settled count reached the window's threshold (see the module
    /// docs); whether it was newly flagged.
    pub(super) fn check(&mut self, watch: &mut Watch) -> bool {
        let over = watch.at_least > 0
            && self.units >= watch.at_least
            && self.seen >= MIN_SEEN
            && (self.refused || watch.scale > 1);
        if over && !self.flagged {
            self.flagged = true;
            watch.pending = true;
            return true;
        }
        false
    }

    /// Whether flagged; clears the flag.
    pub(super) fn take_flag(&mut self) -> bool {
        core::mem::take(&mut self.flagged)
    }

    /// Starts the next window.
    pub(super) fn reset(&mut self) {
        self.units = 0;
        self.seen = 0;
        self.refused = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(at_least: u32, scale: u32) -> Watch {
        let mut w = Watch::default();
        w.start(at_least, scale);
        w
    }

    #[test]
    fn nothing_is_flagged_before_a_window_starts() {
        let mut w = Watch::default();
        let mut m = Meter::default();
        for _ in 0..1000 {
            m.charge(&w);
        }
        assert!(!m.check(&mut w) && !w.pending);
    }

    #[test]
    fn unattributed_datagrams_flag_at_the_threshold() {
        let mut w = watch(10, 1);
        let mut m = Meter::default();
        for _ in 0..9 {
            m.charge(&w);
            assert!(!m.check(&mut w));
        }
        m.charge(&w);
        assert!(
            !m.check(&mut w),
            "a burst the source's budget paid is no flood"
        );
        m.note_refused();
        assert!(m.check(&mut w) && w.pending);
        assert!(!m.check(&mut w), "flagged once");
        assert!(m.take_flag() && !m.take_flag());
    }

    #[test]
    fn a_users_requests_count_only_when_refused_and_then_a_twentieth() {
        let mut w = watch(10, 1);
        let mut m = Meter::default();
        for _ in 0..1000 {
            m.charge(&w);
            m.attribute(&w, false);
        }
        assert!(!m.check(&mut w), "answered requests count nothing");
        for _ in 0..199 {
            m.charge(&w);
            m.attribute(&w, true);
            m.note_refused();
        }
        assert!(!m.check(&mut w), "199 refusals count 9.95 datagrams");
        m.charge(&w);
        m.attribute(&w, true);
        assert!(m.check(&mut w));
        // Mostly dropped, a refused request counts in full: the user's budget no longer sees
        // them all. Half dropped, still a twentieth.
        let mut w = watch(10, FULL_SCALE - 1);
        let mut m = Meter::default();
        for _ in 0..60 {
            m.charge(&w);
            m.attribute(&w, true);
        }
        assert!(!m.check(&mut w));
        let mut w = watch(20, FULL_SCALE);
        let mut m = Meter::default();
        for _ in 0..4 {
            m.charge(&w);
            m.attribute(&w, true);
        }
        assert!(!m.check(&mut w));
        m.charge(&w);
        m.attribute(&w, true);
        assert!(m.check(&mut w));
    }

    #[test]
    fn the_scale_counts_what_was_not_read_but_never_flags_on_a_few_datagrams() {
        // A fifth read: 2 datagrams read stand for 10 sent, but fewer than MIN_SEEN were read.
        let mut w = watch(10, 5);
        let mut m = Meter::default();
        for _ in 0..(MIN_SEEN - 1) {
            m.charge(&w);
        }
        assert!(!m.check(&mut w));
        m.charge(&w);
        assert!(m.check(&mut w));
        // The scale is capped.
        let w = watch(10, 1000);
        assert_eq!(w.scale, u64::from(MAX_SCALE));
        // A new window starts from nothing.
        m.reset();
        let mut w = watch(10, 5);
        assert!(!m.check(&mut w));
    }
}
