//! PyPI version order: PEP 440 (the "Version specifiers" specification), which OSV names for
//! the `PyPI` ecosystem.
//!
//! `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the normalizations PEP 440 allows
//! (case, `alpha`/`beta`/`c`/`pre`/`preview` spellings, `-`/`_`/`.` separators, implicit
//! numbers, `-N` as a post-release, a leading `v`). Order: epoch, release (trailing zeros
//! ignored), then dev-release < pre-release < release < post-release, and a local version
//! after the same public version. A string that is not PEP 440 is refused.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// A parsed version, as a sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pep440 {
    epoch: u64,
    release: Vec<u64>,
    /// (phase 0 a, 1 b, 2 rc; number).
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<Local>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    // Declared first, so strings sort before numbers as PEP 440 requires.
    Str(String),
    Num(u64),
}

/// A cursor over the lower-cased version text.
struct Cursor<'a> {
    s: &'a str,
}

impl<'a> Cursor<'a> {
    fn eat(&mut self, prefix: &str) -> bool {
        match self.s.strip_prefix(prefix) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    fn eat_sep(&mut self) -> bool {
        self.eat(".") || self.eat("-") || self.eat("_")
    }

    fn number(&mut self) -> Option<u64> {
        let end = self.s.bytes().take_while(u8::is_ascii_digit).count();
        if end == 0 {
            return None;
        }
        let (digits, rest) = self.s.split_at(end);
        self.s = rest;
        // Absurdly long numbers saturate rather than fail: ordering stays right in practice.
        Some(digits.parse().unwrap_or(u64::MAX))
    }

    /// Tries `f`; restores the position when it returns None.
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Cursor<'a>) -> Option<T>) -> Option<T> {
        let saved = self.s;
        let out = f(self);
        if out.is_none() {
            self.s = saved;
        }
        out
    }

    fn word(&mut self, words: &[(&str, u8)]) -> Option<u8> {
        // Longest first so "preview" wins over "pre".
        let mut sorted: Vec<&(&str, u8)> = words.iter().collect();
        sorted.sort_by_key(|(w, _)| core::cmp::Reverse(w.len()));
        sorted
            .into_iter()
            .find(|(w, _)| self.eat(w))
            .map(|(_, v)| *v)
    }
}

impl Pep440 {
    /// Parses `text`; `None` unless it is a PEP 440 version.
    pub fn parse(text: &str) -> Option<Pep440> {
        let lower = text.trim().to_ascii_lowercase();
        let mut c = Cursor { s: &lower };
        c.eat("v");
        let first = c.number()?;
        let (epoch, mut release) = if c.eat("!") {
            (first, vec![c.number()?])
        } else {
            (0, vec![first])
        };
        while let Some(n) = c.attempt(|c| if c.eat(".") { c.number() } else { None }) {
            release.push(n);
        }
        let pre = c.attempt(|c| {
            c.eat_sep();
            let phase = c.word(&[
                ("alpha", 0),
                ("a", 0),
                ("beta", 1),
                ("b", 1),
                ("rc", 2),
                ("c", 2),
                ("preview", 2),
                ("pre", 2),
            ])?;
            c.eat_sep();
            Some((phase, c.number().unwrap_or(0)))
        });
        let post = c
            .attempt(|c| if c.eat("-") { c.number() } else { None })
            .or_else(|| {
                c.attempt(|c| {
                    c.eat_sep();
                    c.word(&[("post", 0), ("rev", 0), ("r", 0)])?;
                    c.eat_sep();
                    Some(c.number().unwrap_or(0))
                })
            });
        let dev = c.attempt(|c| {
            c.eat_sep();
            if !c.eat("dev") {
                return None;
            }
            c.eat_sep();
            Some(c.number().unwrap_or(0))
        });
        let mut local = Vec::new();
        if c.eat("+") {
            for part in c.s.split(['.', '-', '_']) {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return None;
                }
                local.push(match part.parse() {
                    Ok(n) if part.bytes().all(|b| b.is_ascii_digit()) => Local::Num(n),
                    _ => Local::Str(part.to_string()),
                });
            }
            c.s = "";
        }
        if !c.s.is_empty() {
            return None;
        }
        while release.len() > 1 && release.last() == Some(&0) {
            release.pop();
        }
        Some(Pep440 {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// PEP 440's sort key for the pre-release, post-release and dev-release parts.
    fn key(&self) -> (i128, i128, i128) {
        const LOW: i128 = i128::MIN;
        const HIGH: i128 = i128::MAX;
        let pre = match (self.pre, self.post, self.dev) {
            // A dev-release of a final release sorts before its pre-releases.
            (None, None, Some(_)) => LOW,
            (None, _, _) => HIGH,
            (Some((phase, n)), _, _) => i128::from(phase) << 64 | i128::from(n),
        };
        let post = self.post.map_or(LOW, i128::from);
        let dev = self.dev.map_or(HIGH, i128::from);
        (pre, post, dev)
    }
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Pep440) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release.cmp(&other.release))
            .then_with(|| self.key().cmp(&other.key()))
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Pep440) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// PEP 440 ordering of two strings; `None` if either is not a PEP 440 version.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Pep440::parse(a)?.cmp(&Pep440::parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_the_specification() {
        // The example order of PEP 440's "Summary of permitted suffixes and relative ordering".
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
    }

    #[test]
    fn normalized_spellings_are_equal() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0-alpha1", "1.0a1"),
            ("1.0.BETA.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0-r4", "1.0.post4"),
            ("1.0.dev", "1.0.dev0"),
            ("v2.0", "2.0"),
            ("0!2.0", "2.0"),
        ] {
            assert_eq!(compare(a, b), Some(Ordering::Equal), "{a} = {b}");
        }
        assert_eq!(
            compare("1!0.1", "2.0"),
            Some(Ordering::Greater),
            "epoch first"
        );
    }

    #[test]
    fn refuses_what_is_not_pep440() {
        for bad in ["", "abc", "1.0-beta9-x", "1..0", "1.0+", "1.0+a..b"] {
            assert_eq!(Pep440::parse(bad), None, "{bad}");
        }
    }
}
