//! A small cache of recent replies, so a retransmitted request is answered without recomputing it.
//!
//! An entry is a (source address and port, key) pair with the reply made for it. The key is any
//! list of byte strings the caller chooses, compared in full: the keyed 64-bit hash only skips
//! entries quickly, so a collision can never return another request's reply.
//!
//! # What to key by
//!
//! Two keys are useful, and the cache holds both kinds side by side (the caller tags them with
//! a first part, see [`Replies`](super::Replies)):
//!
//! - **The datagram's bytes**, looked up before anything is parsed; the value is the reply
//!   datagram, sent again as is. This catches datagrams duplicated by the network, a captured
//!   request replayed within the time window (which would otherwise buy a full HMAC, decryption
//!   and MIB walk on every copy), and clients that resend the same buffer.
//! - **The request as the client means it**: user name, security level and the plaintext
//!   scopedPDU (which holds the request-id), looked up after the digest check and decryption;
//!   the value is the response's plaintext scopedPDU, which the agent sends again, as
//!   encoded, in a message for the new msgID. This is what catches net-snmp's retries, which never repeat bytes: captured on
//!   loopback (`snmpget -v3 -r 2 -t 1` at a port where nothing answers, net-snmp 5.9.3), each
//!   retry carries msgID + 1, a fresh digest and, at authPriv, a fresh salt and ciphertext,
//!   while the request-id and the plaintext PDU stay the same. A reply must carry the retry's
//!   own msgID, since net-snmp matches responses by it; only the MIB work is saved there.
//!
//! Remember only replies to requests whose digest verified: forged traffic then cannot churn
//! the cache, and a user can churn it only within the user's own budget.
//!
//! Bounded twice: by entries and by the bytes of keys and replies together, so a few large
//! replies cannot grow it past its budget. Entries expire after the window, oldest first.
//!
//! # What the hash covers
//!
//! The hash is made on every request, twice (by datagram, then by request), so its cost should
//! not grow with the request. It covers the source, each key part's length, and of each part
//! either every octet (parts of at most [`HEAD`] octets; one under 8 octets, such as a tag or
//! the security level, makes a single word with its length) or its first [`HEAD`] and last
//! [`TAIL`] octets (which overlap, so still cover every octet, below `HEAD + TAIL`): the same
//! 13 words of SipHash-1-3 for every part longer than `HEAD`, whatever its length. The samples
//! are where real requests differ: a datagram's msgID sits in its first ~24 octets and
//! at authPriv its tail is ciphertext, which CFB makes differ to the end as soon as anything
//! before differs (and a fresh salt makes differ everywhere); a scopedPDU's request-id sits
//! after contextEngineID and contextName, within its first 64 octets for engine IDs up to 32
//! octets and an empty context, and its varbinds end it.
//!
//! Keys that differ only between the samples share a hash, and a sender needs no secret to make
//! them: a verified user can send requests that differ only in a middle varbind (or, with a
//! long contextName, only in the request-id). That costs comparisons, never a wrong reply, and
//! the cost is bounded: the hash includes the source, so only that source's own lookups meet
//! the shared hash; only replies to requests whose digest verified are remembered, so only a
//! user with keys, within its budget, can store such entries; and at most [`MAX_SHARING`]
//! entries with one hash are kept (an insert past that evicts the oldest of them), so a lookup
//! compares at most that many keys in full, however large `cache_entries` is. Honest traffic
//! almost never has two entries with one hash, so the bound does not cost it hits. Within the
//! samples the hash stays keyed by the secret from the driver's seed: keys that differ there
//! share a hash only by chance.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

use crate::budget::hash::SipHasher13;
use crate::time::Instant;

/// Octets at the start of a long key part that its hash covers (see the module doc).
pub const HEAD: usize = 64;
/// Octets at the end of a long key part that its hash covers.
pub const TAIL: usize = 32;
/// Entries with one hash kept at once: a lookup compares at most this many keys in full.
pub const MAX_SHARING: usize = 4;

/// A key's hash in one [`ResponseCache`] (keyed by its secret), made once per request and
/// used for both the lookup and the insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hashed(u64);

#[derive(Debug)]
struct Entry {
    source: SocketAddr,
    hash: u64,
    /// The key parts, each preceded by its length as 4 big-endian octets.
    key: Vec<u8>,
    reply: Vec<u8>,
    stored: Instant,
}

impl Entry {
    fn size(&self) -> usize {
        self.key.len().saturating_add(self.reply.len())
    }

    fn matches(&self, source: SocketAddr, hash: u64, parts: &[&[u8]]) -> bool {
        self.hash == hash && self.source == source && key_equals(&self.key, parts)
    }
}

/// Recent replies by source and request, bounded in entries and bytes.
#[derive(Debug)]
pub struct ResponseCache {
    /// Oldest first.
    entries: VecDeque<Entry>,
    /// Each entry's hash, in the same order: a lookup scans these eight octets an entry
    /// (a count that vectorises) and reads an entry only where its hash matches.
    hashes: VecDeque<u64>,
    max_entries: usize,
    max_bytes: usize,
    window: Duration,
    /// Key and reply octets held.
    bytes: usize,
    k0: u64,
    k1: u64,
}

impl ResponseCache {
    /// An empty cache of at most `max_entries` entries and `max_bytes` octets of keys and
    /// replies, each kept for `window`. A zero bound disables the cache.
    pub fn new(
        max_entries: usize,
        max_bytes: usize,
        window: Duration,
        seed: [u64; 2],
    ) -> ResponseCache {
        ResponseCache {
            entries: VecDeque::new(),
            hashes: VecDeque::new(),
            max_entries,
            max_bytes,
            window,
            bytes: 0,
            k0: seed[0],
            k1: seed[1],
        }
    }

    /// The reply stored for `key` from `source` within the window before `now`.
    pub fn lookup(&mut self, source: SocketAddr, key: &[&[u8]], now: Instant) -> Option<&[u8]> {
        let hash = self.hash(source, key);
        self.lookup_hashed(source, hash, key, now)
    }

    /// [`ResponseCache::lookup`] with the key's [`Hashed`] already made, so that a miss
    /// followed by an insert of the same key hashes it once.
    pub fn lookup_hashed(
        &mut self,
        source: SocketAddr,
        hash: Hashed,
        key: &[&[u8]],
        now: Instant,
    ) -> Option<&[u8]> {
        self.expire(now);
        let at = self.find(source, hash, key)?;
        self.entries.get(at).map(|entry| entry.reply.as_slice())
    }

    /// The position of the entry for `key` from `source`, whose hash is `hash`.
    fn find(&self, source: SocketAddr, Hashed(hash): Hashed, key: &[&[u8]]) -> Option<usize> {
        // The usual miss costs one count that vectorises; the scan below stops at the first
        // match, which keeps the compiler from vectorising it.
        if self.sharing(hash) == 0 {
            return None;
        }
        let (front, back) = self.hashes.as_slices();
        let mut base = 0;
        for part in [front, back] {
            for (i, &h) in part.iter().enumerate() {
                if h == hash
                    && self
                        .entries
                        .get(base + i)
                        .is_some_and(|entry| entry.matches(source, hash, key))
                {
                    return Some(base + i);
                }
            }
            base += part.len();
        }
        None
    }

    /// How many entries have the hash `hash`: a scan without early exit, which vectorises.
    fn sharing(&self, hash: u64) -> usize {
        let (front, back) = self.hashes.as_slices();
        let count = |part: &[u64]| part.iter().filter(|&&h| h == hash).count();
        count(front) + count(back)
    }

    /// Stores `reply` for `key` from `source` at `now`, replacing any reply for the same key
    /// and evicting the oldest entries as needed. Returns whether it was stored: a key and
    /// reply larger than the whole byte budget are not.
    pub fn insert(
        &mut self,
        source: SocketAddr,
        key: &[&[u8]],
        reply: &[u8],
        now: Instant,
    ) -> bool {
        let hash = self.hash(source, key);
        self.insert_hashed(source, hash, key, reply, now)
    }

    /// [`ResponseCache::insert`] with the key's [`Hashed`] already made (by
    /// [`ResponseCache::hash`] for the same source and key).
    pub fn insert_hashed(
        &mut self,
        source: SocketAddr,
        hash: Hashed,
        key: &[&[u8]],
        reply: &[u8],
        now: Instant,
    ) -> bool {
        self.expire(now);
        let Hashed(hash) = hash;
        let key_len = key.iter().fold(0usize, |sum, part| {
            sum.saturating_add(4).saturating_add(part.len())
        });
        let size = key_len.saturating_add(reply.len());
        if self.max_entries == 0 || size > self.max_bytes {
            return false;
        }
        // The buffers of the entries this insert removes hold the new one: a full cache then
        // stores without allocating, whatever the size class of the request.
        let mut spare = Spare::default();
        let sharing = self.sharing(hash);
        if sharing > 0 {
            if let Some(at) = self.find(source, Hashed(hash), key) {
                spare.keep(self.remove(at));
            } else if sharing >= MAX_SHARING
                && let Some(oldest) = self.hashes.iter().position(|&h| h == hash)
            {
                spare.keep(self.remove(oldest));
            }
        }
        while self.entries.len() >= self.max_entries
            || self.bytes.saturating_add(size) > self.max_bytes
        {
            let Some(removed) = self.remove(0) else {
                break;
            };
            spare.keep(Some(removed));
        }
        let mut stored_key = spare.take(key_len);
        for part in key {
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            stored_key.extend_from_slice(&len.to_be_bytes());
            stored_key.extend_from_slice(part);
        }
        let mut stored_reply = spare.take(reply.len());
        stored_reply.extend_from_slice(reply);
        self.bytes = self.bytes.saturating_add(size);
        self.hashes.push_back(hash);
        self.entries.push_back(Entry {
            source,
            hash,
            key: stored_key,
            reply: stored_reply,
            stored: now,
        });
        true
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Octets of keys and replies held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Drops entries older than the window. Entries are stored in time order, so the expired
    /// ones are at the front.
    fn expire(&mut self, now: Instant) {
        while let Some(front) = self.entries.front() {
            if now.saturating_since(front.stored) < self.window {
                break;
            }
            self.remove(0);
        }
    }

    fn remove(&mut self, at: usize) -> Option<Entry> {
        let entry = self.entries.remove(at)?;
        self.hashes.remove(at);
        self.bytes = self.bytes.saturating_sub(entry.size());
        Some(entry)
    }

    /// The keyed hash of `source` and `key`, for [`ResponseCache::lookup_hashed`] and
    /// [`ResponseCache::insert_hashed`]: of each part its length and, when it is longer than
    /// [`HEAD`] octets, only its first `HEAD` and last [`TAIL`] octets (see the module doc).
    pub fn hash(&self, source: SocketAddr, key: &[&[u8]]) -> Hashed {
        let mut h = SipHasher13::new(self.k0, self.k1);
        // Whole 8-octet words throughout, so SipHash never assembles a word octet by octet.
        let [p0, p1] = source.port().to_le_bytes();
        match source.ip() {
            IpAddr::V4(ip) => {
                let [a, b, c, d] = ip.octets();
                h.write_words(&[[a, b, c, d, p0, p1, 4, 0]]);
            }
            IpAddr::V6(ip) => {
                let octets = ip.octets();
                h.write_words(octets.as_chunks::<8>().0);
                h.write_words(&[[p0, p1, 6, 0, 0, 0, 0, 0]]);
            }
        }
        for part in key {
            if part.len() < 8 {
                // A short part (a tag, the security level) is one word: its octets, then
                // 0x80 | its length in the top octet, which no length word (below 2^56) has.
                let mut word = [0; 8];
                for (to, from) in word.iter_mut().zip(*part) {
                    *to = *from;
                }
                word[7] = 0x80 | part.len() as u8;
                h.write_words(&[word]);
                continue;
            }
            h.write_words(&[(part.len() as u64).to_le_bytes()]);
            match (part.first_chunk::<HEAD>(), part.last_chunk::<TAIL>()) {
                (Some(head), Some(tail)) if part.len() > HEAD => {
                    h.write_words(head.as_chunks::<8>().0);
                    h.write_words(tail.as_chunks::<8>().0);
                }
                _ => {
                    // Every octet, the last word padded with zeros (the length, written
                    // before, tells the padding from data).
                    let (words, rest) = part.as_chunks::<8>();
                    h.write_words(words);
                    if !rest.is_empty() {
                        let mut last = [0; 8];
                        last[..rest.len()].copy_from_slice(rest);
                        h.write_words(&[last]);
                    }
                }
            }
        }
        Hashed(h.finish())
    }
}

/// The buffers of up to two removed entries, for the entry that replaces them.
#[derive(Default)]
struct Spare([Option<Vec<u8>>; 4]);

impl Spare {
    /// Keeps the key and reply buffers of `removed`, while there is room.
    fn keep(&mut self, removed: Option<Entry>) {
        let Some(entry) = removed else {
            return;
        };
        for buffer in [entry.key, entry.reply] {
            if let Some(slot) = self.0.iter_mut().find(|slot| slot.is_none()) {
                *slot = Some(buffer);
            }
        }
    }

    /// An empty buffer for `len` octets: a kept one whose capacity is `len` to twice that (so
    /// the heap an entry holds stays within twice the octets the byte bound counts), else a
    /// new one.
    fn take(&mut self, len: usize) -> Vec<u8> {
        let fits = |b: &Vec<u8>| (len..=len.saturating_mul(2)).contains(&b.capacity());
        match self
            .0
            .iter_mut()
            .find(|slot| slot.as_ref().is_some_and(fits))
        {
            Some(slot) => {
                let mut buffer = slot.take().unwrap_or_default();
                buffer.clear();
                buffer
            }
            None => Vec::with_capacity(len),
        }
    }
}

/// Whether `stored` (length-prefixed parts) holds exactly `parts`.
fn key_equals(stored: &[u8], parts: &[&[u8]]) -> bool {
    let mut rest = stored;
    for part in parts {
        let Some((len, tail)) = rest.split_first_chunk::<4>() else {
            return false;
        };
        let len = u32::from_be_bytes(*len) as usize;
        if len != part.len() || tail.get(..len) != Some(*part) {
            return false;
        }
        rest = &tail[len..];
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn cache() -> ResponseCache {
        ResponseCache::new(4, 1000, Duration::from_secs(5), [1, 2])
    }

    const T0: Instant = Instant::from_secs(50);

    #[test]
    fn hit_within_the_window_miss_after() {
        let mut cache = cache();
        let a = addr("192.0.2.1:40000");
        assert!(cache.insert(a, &[b"request"], b"reply", T0));
        assert_eq!(cache.lookup(a, &[b"request"], T0), Some(&b"reply"[..]));
        let almost = Instant::from_micros(T0.micros() + 4_999_999);
        assert_eq!(cache.lookup(a, &[b"request"], almost), Some(&b"reply"[..]));
        assert_eq!(
            cache.lookup(a, &[b"request"], T0 + Duration::from_secs(5)),
            None
        );
        assert!(cache.is_empty());
        assert_eq!(cache.bytes(), 0);
    }

    /// A full cache stores each new entry in the buffers of the ones it evicts: whatever
    /// their sizes, every entry kept reads back exactly, and none of an old one's octets.
    #[test]
    fn evicted_buffers_hold_only_the_new_entry() {
        let mut cache = cache();
        let a = addr("192.0.2.1:40000");
        let sizes = [40usize, 3, 40, 80, 1, 39, 41, 200, 2, 0, 120, 60];
        for (round, &n) in sizes.iter().cycle().take(60).enumerate() {
            let key = alloc::vec![round as u8; n % 17 + 1];
            let reply = alloc::vec![!(round as u8); n];
            assert!(cache.insert(a, &[&key, b"k"], &reply, T0));
            assert_eq!(cache.lookup(a, &[&key, b"k"], T0), Some(&reply[..]));
            assert!(cache.len() <= 4 && cache.bytes() <= 1000);
        }
        // The last four inserted are the ones kept, each whole.
        for round in 56..60 {
            let n = sizes[round % sizes.len()];
            let key = alloc::vec![round as u8; n % 17 + 1];
            let reply = alloc::vec![!(round as u8); n];
            assert_eq!(cache.lookup(a, &[&key, b"k"], T0), Some(&reply[..]));
        }
    }

    #[test]
    fn key_is_source_port_and_every_byte() {
        let mut cache = cache();
        let a = addr("192.0.2.1:40000");
        cache.insert(a, &[b"request"], b"reply", T0);
        assert_eq!(
            cache.lookup(addr("192.0.2.2:40000"), &[b"request"], T0),
            None
        );
        assert_eq!(
            cache.lookup(addr("192.0.2.1:40001"), &[b"request"], T0),
            None
        );
        assert_eq!(cache.lookup(a, &[b"requesT"], T0), None);
        assert_eq!(cache.lookup(a, &[b"request", b""], T0), None);
        // Part boundaries count: ("req", "uest") is not ("requ", "est").
        cache.insert(a, &[b"req", b"uest"], b"split", T0);
        assert_eq!(cache.lookup(a, &[b"requ", b"est"], T0), None);
        assert_eq!(cache.lookup(a, &[b"req", b"uest"], T0), Some(&b"split"[..]));
    }

    #[test]
    fn bounded_by_entries_oldest_out_first() {
        let mut cache = cache();
        let a = addr("[2001:db8::1]:161");
        for n in 0..10u8 {
            cache.insert(
                a,
                &[&[n]],
                &[n; 10],
                T0 + Duration::from_millis(u64::from(n)),
            );
            assert!(cache.len() <= 4);
        }
        for n in 0..6u8 {
            assert_eq!(cache.lookup(a, &[&[n]], T0), None);
        }
        for n in 6..10u8 {
            assert_eq!(cache.lookup(a, &[&[n]], T0), Some(&[n; 10][..]));
        }
    }

    #[test]
    fn bounded_by_bytes() {
        let mut cache = cache();
        let a = addr("192.0.2.1:1");
        assert!(cache.insert(a, &[b"1"], &[0; 400], T0));
        assert!(cache.insert(a, &[b"2"], &[0; 400], T0));
        assert!(cache.insert(a, &[b"3"], &[0; 400], T0));
        assert!(cache.bytes() <= 1000);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.lookup(a, &[b"1"], T0), None);
        assert!(
            !cache.insert(a, &[b"4"], &[0; 1000], T0),
            "larger than the whole budget"
        );
        assert_eq!(cache.len(), 2, "a refused insert evicts nothing");
    }

    #[test]
    fn same_key_replaces() {
        let mut cache = cache();
        let a = addr("192.0.2.1:1");
        cache.insert(a, &[b"k"], b"first", T0);
        cache.insert(a, &[b"k"], b"second", T0);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.bytes(), 4 + 1 + 6);
        assert_eq!(cache.lookup(a, &[b"k"], T0), Some(&b"second"[..]));
    }

    fn roomy() -> ResponseCache {
        ResponseCache::new(32, 1 << 16, Duration::from_secs(5), [5, 6])
    }

    /// A 300-octet key part with octet `at` changed (none when `at` is past the end).
    fn long_key(at: usize) -> Vec<u8> {
        let mut key: Vec<u8> = (0..300u32).map(|i| (i * 7 + 1) as u8).collect();
        if let Some(octet) = key.get_mut(at) {
            *octet ^= 0x40;
        }
        key
    }

    #[test]
    fn long_keys_hash_by_samples_and_compare_whole() {
        let mut cache = roomy();
        let a = addr("192.0.2.1:40000");
        let base = long_key(usize::MAX);
        let hash = |cache: &ResponseCache, key: &[u8]| cache.hash(a, &[b"D", key]);
        // Between the first HEAD and the last TAIL octets: not hashed.
        for at in [HEAD, 150, 300 - TAIL - 1] {
            assert_eq!(hash(&cache, &long_key(at)), hash(&cache, &base), "{at}");
        }
        // In the samples, or another length: hashed.
        for at in [0, 30, HEAD - 1, 300 - TAIL, 299] {
            assert_ne!(hash(&cache, &long_key(at)), hash(&cache, &base), "{at}");
        }
        assert_ne!(hash(&cache, &base[..299]), hash(&cache, &base));

        // Keys told apart in full, whether their hashes differ or not.
        let keys = [
            base.clone(),
            long_key(150),
            long_key(200),
            long_key(10),
            long_key(290),
        ];
        for (n, key) in keys.iter().enumerate() {
            assert!(cache.insert(a, &[b"D", key], &[n as u8; 3], T0));
        }
        for (n, key) in keys.iter().enumerate() {
            assert_eq!(cache.lookup(a, &[b"D", key], T0), Some(&[n as u8; 3][..]));
        }
        assert_eq!(cache.lookup(a, &[b"D", &long_key(100)], T0), None);
        assert_eq!(cache.lookup(a, &[b"D", &base[..299]], T0), None);
    }

    #[test]
    fn short_parts_hash_every_octet() {
        let cache = roomy();
        let a = addr("[2001:db8::7]:161");
        // Up to HEAD octets whole; up to HEAD + TAIL the samples overlap and cover all.
        for len in [1, 7, 8, 9, 63, HEAD, HEAD + 1, 80, HEAD + TAIL] {
            let key: Vec<u8> = (0..len as u8).collect();
            let hash = cache.hash(a, &[b"R", b"user", &key]);
            for at in 0..len {
                let mut other = key.clone();
                other[at] ^= 1;
                assert_ne!(cache.hash(a, &[b"R", b"user", &other]), hash, "{len} {at}");
            }
            // The zero padding of the last word is not data.
            let mut zeros = key.clone();
            zeros.push(0);
            assert_ne!(cache.hash(a, &[b"R", b"user", &zeros]), hash, "{len}");
        }
        // Where short parts end counts, and a short part is not a long one's length.
        let hash = |key: &[&[u8]]| cache.hash(a, key);
        assert_ne!(hash(&[b"ab", b"c"]), hash(&[b"a", b"bc"]));
        assert_ne!(hash(&[b"abc", b""]), hash(&[b"abc"]));
        assert_ne!(hash(&[&[8, 0, 0, 0, 0, 0, 0]]), hash(&[&[0; 8]]));
    }

    #[test]
    fn entries_sharing_a_hash_are_bounded() {
        let mut cache = roomy();
        let (a, b) = (addr("192.0.2.1:40000"), addr("192.0.2.2:40000"));
        cache.insert(b, &[b"D", &long_key(150)], b"other source", T0);
        cache.insert(a, &[b"D", b"short"], b"other key", T0);
        // Ten keys differing only between the samples: one hash, the newest MAX_SHARING kept.
        let middle = |n: usize| long_key(HEAD + 10 * n);
        for n in 0..10 {
            assert!(cache.insert(a, &[b"D", &middle(n)], &[n as u8], T0));
            assert!(cache.len() <= 2 + MAX_SHARING);
        }
        for n in 0..10 {
            let kept = cache.lookup(a, &[b"D", &middle(n)], T0);
            assert_eq!(
                kept,
                (n >= 10 - MAX_SHARING).then_some(&[n as u8][..]),
                "{n}"
            );
        }
        assert_eq!(cache.len(), 2 + MAX_SHARING);
        let other = cache.lookup(b, &[b"D", &long_key(150)], T0);
        assert_eq!(other, Some(&b"other source"[..]));
        assert_eq!(
            cache.lookup(a, &[b"D", b"short"], T0),
            Some(&b"other key"[..])
        );
        // Replacing a key that shares the hash evicts nothing else.
        assert!(cache.insert(a, &[b"D", &middle(9)], b"again", T0));
        assert_eq!(cache.len(), 2 + MAX_SHARING);
        assert!(cache.lookup(a, &[b"D", &middle(6)], T0).is_some());
    }

    #[test]
    fn zero_bounds_disable() {
        let a = addr("192.0.2.1:1");
        let mut none = ResponseCache::new(0, 1000, Duration::from_secs(5), [0, 0]);
        assert!(!none.insert(a, &[b"k"], b"v", T0));
        let mut tiny = ResponseCache::new(4, 0, Duration::from_secs(5), [0, 0]);
        assert!(!tiny.insert(a, &[b"k"], b"v", T0));
        assert_eq!(tiny.lookup(a, &[b"k"], T0), None);
    }
}
