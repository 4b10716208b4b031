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

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::SocketAddr;
use core::time::Duration;

use crate::budget::hash::SipHasher13;
use crate::time::Instant;

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
    /// (which vectorises) and reads an entry only where its hash matches.
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
        if let Some(at) = self.find(source, Hashed(hash), key) {
            spare.keep(self.remove(at));
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
    /// [`ResponseCache::insert_hashed`].
    pub fn hash(&self, source: SocketAddr, key: &[&[u8]]) -> Hashed {
        let mut h = SipHasher13::new(self.k0, self.k1);
        match source.ip() {
            core::net::IpAddr::V4(ip) => h.write(&ip.octets()),
            core::net::IpAddr::V6(ip) => h.write(&ip.octets()),
        }
        h.write(&source.port().to_be_bytes());
        for part in key {
            h.write_u64(part.len() as u64);
            h.write(part);
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
