//! The fixed-capacity table of per-source state, and the key that groups addresses into sources.
//!
//! # Why this shape
//!
//! A flood of datagrams with spoofed source addresses creates a new source per datagram, so the
//! table must stay bounded (fixed capacity, no allocation after it fills) and every operation
//! must stay O(1): slots live in one vector, an open-addressing index keyed by SipHash with a
//! secret seed finds them (so senders cannot craft colliding addresses), and intrusive lists
//! order them for eviction.
//!
//! # Eviction: a segmented LRU
//!
//! Entries live in one of two segments, each ordered by last use:
//!
//! - *probation*: every new source starts here;
//! - *protected*: sources the caller [`promote`](SourceTable::promote)s, which the budget does
//!   once a request from the source passed its digest check. At most three quarters of the
//!   table.
//!
//! A new source evicts the least recently used probation entry, and a protected entry only
//! when probation is empty. A spoofed flood therefore churns probation while the sources that
//! proved they hold a key keep their state. Plain LRU would let 1,024 spoofed datagrams (20 ms
//! at 50,000/s) push every poller out.
//!
//! What eviction loses is the evicted bucket's debt: a returning source starts afresh. For an
//! entry whose buckets had refilled (idle longer than burst / rate, 2 s with the defaults)
//! nothing is lost at all; the budget counts the other, "lossy", evictions.

use alloc::vec::Vec;
use core::net::IpAddr;

use super::hash::SipHasher;

/// A source as the budget sees it: an IPv4 address, or an IPv6 address masked to the configured
/// prefix (a host controls a whole /64, so a per-address limit alone would be no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKey {
    /// An IPv4 address, including one reported as IPv4-mapped IPv6 by a dual-stack socket.
    V4(u32),
    /// An IPv6 address with the bits past the prefix cleared.
    V6(u128),
}

impl SourceKey {
    /// The key for `ip`, keeping the first `ipv6_prefix` bits (at most 128) of an IPv6 address.
    pub fn new(ip: IpAddr, ipv6_prefix: u8) -> SourceKey {
        match ip {
            IpAddr::V4(v4) => SourceKey::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => SourceKey::V4(u32::from(v4)),
                None => {
                    let prefix = u32::from(ipv6_prefix.min(128));
                    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
                    SourceKey::V6(u128::from(v6) & mask)
                }
            },
        }
    }

    /// The address the key stands for: an IPv4 address, or the IPv6 prefix's first address.
    pub fn ip(self) -> IpAddr {
        match self {
            SourceKey::V4(v4) => IpAddr::V4(v4.into()),
            SourceKey::V6(v6) => IpAddr::V6(v6.into()),
        }
    }

    fn hash(self, k0: u64, k1: u64) -> u64 {
        // Whole words (the family tag, then the address), so no word is assembled octet by
        // octet: one word for IPv4, three for IPv6.
        let mut h = SipHasher::new(k0, k1);
        match self {
            SourceKey::V4(v4) => {
                let [a, b, c, d] = v4.to_be_bytes();
                h.write_words(&[[4, a, b, c, d, 0, 0, 0]]);
            }
            SourceKey::V6(v6) => {
                let octets = v6.to_be_bytes();
                h.write_words(&[[6, 0, 0, 0, 0, 0, 0, 0]]);
                h.write_words(octets.as_chunks::<8>().0);
            }
        }
        h.finish()
    }
}

/// Marks an empty index cell and the end of a list.
const NONE: u32 = u32::MAX;
/// The most sources a table may hold: slot numbers stay 32-bit and the index stays small.
pub const MAX_SOURCES: usize = 1 << 20;

const PROBATION: usize = 0;
const PROTECTED: usize = 1;

#[derive(Debug)]
struct Slot<V> {
    key: SourceKey,
    hash: u64,
    value: V,
    segment: usize,
    /// Towards the most recently used end of the segment's list.
    prev: u32,
    /// Towards the least recently used end.
    next: u32,
}

#[derive(Debug, Clone, Copy)]
struct List {
    /// Most recently used.
    head: u32,
    /// Least recently used: the next to evict.
    tail: u32,
    len: usize,
}

const EMPTY_LIST: List = List {
    head: NONE,
    tail: NONE,
    len: 0,
};

/// What [`SourceTable::entry`] did to make room.
#[derive(Debug)]
pub struct Evicted<V> {
    /// The key that left the table.
    pub key: SourceKey,
    /// Its state.
    pub value: V,
}

/// A map from [`SourceKey`] to `V` that never holds more than its capacity.
#[derive(Debug)]
pub struct SourceTable<V> {
    /// Grows to `capacity` and never beyond; a slot is reused in place on eviction.
    slots: Vec<Slot<V>>,
    /// Open addressing with linear probing: slot numbers, or [`NONE`]. At least twice the
    /// capacity, a power of two, so probes stay short.
    index: Vec<u32>,
    lists: [List; 2],
    capacity: usize,
    protected_max: usize,
    k0: u64,
    k1: u64,
}

impl<V> SourceTable<V> {
    /// An empty table for `capacity` sources (1 to [`MAX_SOURCES`]), hashing with `seed`.
    pub fn new(capacity: usize, seed: [u64; 2]) -> SourceTable<V> {
        let capacity = capacity.clamp(1, MAX_SOURCES);
        let index_len = capacity.saturating_mul(2).next_power_of_two();
        SourceTable {
            // Allocated once, so memory does not move under a flood.
            slots: Vec::with_capacity(capacity),
            index: alloc::vec![NONE; index_len],
            lists: [EMPTY_LIST; 2],
            capacity,
            protected_max: (capacity.saturating_mul(3) / 4).max(1),
            k0: seed[0],
            k1: seed[1],
        }
    }

    /// Sources held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no source is held.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The most sources the table holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Sources in the protected segment.
    pub fn protected_len(&self) -> usize {
        self.lists[PROTECTED].len
    }

    /// Whether `key` is held in the protected segment.
    pub fn is_protected(&self, key: SourceKey) -> bool {
        self.find(key)
            .is_some_and(|(_, slot)| self.slots[slot as usize].segment == PROTECTED)
    }

    /// The state of `key`, if held, without touching its recency.
    pub fn peek_mut(&mut self, key: SourceKey) -> Option<&mut V> {
        let (_, slot) = self.find(key)?;
        Some(&mut self.slots[slot as usize].value)
    }

    /// The state of `key`, marked most recently used; created with `make` if absent, evicting
    /// the least recently used probation entry (or protected, if probation is empty) when full.
    pub fn entry(
        &mut self,
        key: SourceKey,
        make: impl FnOnce() -> V,
    ) -> (&mut V, Option<Evicted<V>>) {
        let hash = key.hash(self.k0, self.k1);
        if let Some((_, slot)) = self.find_hashed(key, hash) {
            self.touch(slot);
            return (&mut self.slots[slot as usize].value, None);
        }
        let mut evicted = None;
        let slot = if self.slots.len() < self.capacity {
            let slot = self.slots.len() as u32;
            self.slots.push(Slot {
                key,
                hash,
                value: make(),
                segment: PROBATION,
                prev: NONE,
                next: NONE,
            });
            slot
        } else {
            let segment = if self.lists[PROBATION].len > 0 {
                PROBATION
            } else {
                PROTECTED
            };
            let slot = self.lists[segment].tail;
            self.unlink(slot);
            self.unindex(slot);
            let victim = &mut self.slots[slot as usize];
            let old_key = core::mem::replace(&mut victim.key, key);
            let old_value = core::mem::replace(&mut victim.value, make());
            victim.hash = hash;
            victim.segment = PROBATION;
            evicted = Some(Evicted {
                key: old_key,
                value: old_value,
            });
            slot
        };
        self.push_head(slot);
        self.reindex(slot);
        (&mut self.slots[slot as usize].value, evicted)
    }

    /// Moves `key` to the protected segment (most recently used end), demoting the protected
    /// segment's least recently used entry to probation if the segment is full.
    pub fn promote(&mut self, key: SourceKey) {
        let Some((_, slot)) = self.find(key) else {
            return;
        };
        self.unlink(slot);
        self.slots[slot as usize].segment = PROTECTED;
        self.push_head(slot);
        if self.lists[PROTECTED].len > self.protected_max {
            let demoted = self.lists[PROTECTED].tail;
            self.unlink(demoted);
            self.slots[demoted as usize].segment = PROBATION;
            self.push_head(demoted);
        }
    }

    /// Every held source and its state, in no particular order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (SourceKey, &mut V)> {
        self.slots
            .iter_mut()
            .map(|slot| (slot.key, &mut slot.value))
    }

    /// The index cell and slot of `key`.
    fn find(&self, key: SourceKey) -> Option<(usize, u32)> {
        self.find_hashed(key, key.hash(self.k0, self.k1))
    }

    fn find_hashed(&self, key: SourceKey, hash: u64) -> Option<(usize, u32)> {
        let mask = self.index.len().saturating_sub(1);
        let mut cell = (hash as usize) & mask;
        loop {
            let slot = self.index[cell];
            if slot == NONE {
                return None;
            }
            if self.slots[slot as usize].key == key {
                return Some((cell, slot));
            }
            cell = (cell + 1) & mask;
        }
    }

    /// Adds `slot` to the index at the first free cell from its hash. The index is at least
    /// twice the capacity, so a free cell exists.
    fn reindex(&mut self, slot: u32) {
        let mask = self.index.len().saturating_sub(1);
        let mut cell = (self.slots[slot as usize].hash as usize) & mask;
        while self.index[cell] != NONE {
            cell = (cell + 1) & mask;
        }
        self.index[cell] = slot;
    }

    /// Removes `slot` from the index, shifting later entries of its probe run back so that no
    /// lookup stops early at the hole (deletion without tombstones).
    fn unindex(&mut self, slot: u32) {
        let mask = self.index.len().saturating_sub(1);
        let mut hole = (self.slots[slot as usize].hash as usize) & mask;
        while self.index[hole] != slot {
            if self.index[hole] == NONE {
                return;
            }
            hole = (hole + 1) & mask;
        }
        self.index[hole] = NONE;
        let mut cell = (hole + 1) & mask;
        while self.index[cell] != NONE {
            let moving = self.index[cell];
            let home = (self.slots[moving as usize].hash as usize) & mask;
            // The entry may move back to the hole only if its home is not inside (hole, cell].
            if (cell.wrapping_sub(home) & mask) >= (cell.wrapping_sub(hole) & mask) {
                self.index[hole] = moving;
                self.index[cell] = NONE;
                hole = cell;
            }
            cell = (cell + 1) & mask;
        }
    }

    fn touch(&mut self, slot: u32) {
        if self.lists[self.slots[slot as usize].segment].head != slot {
            self.unlink(slot);
            self.push_head(slot);
        }
    }

    fn push_head(&mut self, slot: u32) {
        let segment = self.slots[slot as usize].segment;
        let list = &mut self.lists[segment];
        let old_head = list.head;
        list.head = slot;
        if old_head == NONE {
            list.tail = slot;
        }
        list.len += 1;
        if old_head != NONE {
            self.slots[old_head as usize].prev = slot;
        }
        let entry = &mut self.slots[slot as usize];
        entry.prev = NONE;
        entry.next = old_head;
    }

    fn unlink(&mut self, slot: u32) {
        let (segment, prev, next) = {
            let entry = &self.slots[slot as usize];
            (entry.segment, entry.prev, entry.next)
        };
        if prev == NONE {
            self.lists[segment].head = next;
        } else {
            self.slots[prev as usize].next = next;
        }
        if next == NONE {
            self.lists[segment].tail = prev;
        } else {
            self.slots[next as usize].prev = prev;
        }
        self.lists[segment].len = self.lists[segment].len.saturating_sub(1);
        let entry = &mut self.slots[slot as usize];
        entry.prev = NONE;
        entry.next = NONE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    fn v4(n: u32) -> SourceKey {
        SourceKey::V4(n)
    }

    #[test]
    fn ipv6_sources_group_by_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(SourceKey::new(a, 64), SourceKey::new(b, 64));
        assert_ne!(SourceKey::new(a, 64), SourceKey::new(c, 64));
        assert_eq!(SourceKey::new(a, 48), SourceKey::new(c, 48));
        assert_ne!(SourceKey::new(a, 128), SourceKey::new(b, 128));
        assert_eq!(SourceKey::new(a, 200), SourceKey::new(a, 128));
        assert_eq!(SourceKey::new(a, 0), SourceKey::V6(0));
        assert_eq!(
            SourceKey::new(a, 64).ip(),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
        assert_eq!(SourceKey::new(c, 128).ip(), c);
    }

    #[test]
    fn ipv4_mapped_ipv6_is_ipv4() {
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        let plain: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        assert_eq!(SourceKey::new(mapped, 64), SourceKey::new(plain, 64));
        // IPv4 is never grouped: 192.0.2.8 is another source.
        assert_ne!(SourceKey::new(other, 0), SourceKey::new(plain, 0));
    }

    #[test]
    fn behaves_as_a_map_below_capacity() {
        let mut table = SourceTable::new(64, [1, 2]);
        for n in 0..64 {
            let (value, evicted) = table.entry(v4(n), || n * 10);
            assert_eq!(*value, n * 10);
            assert!(evicted.is_none());
        }
        for n in 0..64 {
            assert_eq!(table.peek_mut(v4(n)).copied(), Some(n * 10));
            assert_eq!(
                *table.entry(v4(n), || 0).0,
                n * 10,
                "existing entries are kept"
            );
        }
        assert_eq!(table.len(), 64);
        assert!(table.peek_mut(v4(64)).is_none());
    }

    #[test]
    fn evicts_least_recently_used() {
        let mut table = SourceTable::new(3, [0, 0]);
        for n in 0..3 {
            table.entry(v4(n), || n);
        }
        table.entry(v4(0), || 99); // 0 is now the most recent; 1 the least
        let (_, evicted) = table.entry(v4(3), || 3);
        assert_eq!(evicted.map(|e| (e.key, e.value)), Some((v4(1), 1)));
        let (_, evicted) = table.entry(v4(4), || 4);
        assert_eq!(evicted.map(|e| e.key), Some(v4(2)));
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn protected_sources_survive_a_spoofed_flood() {
        let mut table = SourceTable::new(1024, [7, 11]);
        let pollers: Vec<SourceKey> = (0..100).map(|n| v4(0x0a00_0000 + n)).collect();
        for &poller in &pollers {
            table.entry(poller, || 0u8);
            table.promote(poller);
        }
        for n in 0..100_000u32 {
            table.entry(v4(0xc000_0000 + n), || 1u8);
            assert!(table.len() <= table.capacity());
        }
        assert_eq!(table.len(), 1024);
        for &poller in &pollers {
            assert!(
                table.is_protected(poller),
                "{poller:?} evicted by the flood"
            );
        }
    }

    #[test]
    fn protected_segment_is_bounded_and_demotes() {
        let mut table = SourceTable::new(8, [3, 4]);
        for n in 0..8 {
            table.entry(v4(n), || n);
            table.promote(v4(n));
        }
        assert_eq!(table.protected_len(), 6, "three quarters of the table");
        assert!(!table.is_protected(v4(0)) && !table.is_protected(v4(1)));
        // The demoted entries are the first evicted.
        let (_, evicted) = table.entry(v4(100), || 100);
        assert_eq!(evicted.map(|e| e.key), Some(v4(0)));
        // Then the other demoted entry, then newcomers evict each other; the protected six stay.
        let (_, evicted) = table.entry(v4(101), || 101);
        assert_eq!(evicted.map(|e| e.key), Some(v4(1)));
        let (_, evicted) = table.entry(v4(102), || 102);
        assert_eq!(evicted.map(|e| e.key), Some(v4(100)));
        assert_eq!(table.protected_len(), 6);
    }

    #[test]
    fn index_stays_consistent_under_churn() {
        // A tiny table with a weak seed forces long probe runs and wrap-around shifts; a
        // reference map checks every lookup.
        let mut table = SourceTable::new(5, [0, 0]);
        let mut reference: BTreeMap<SourceKey, u32> = BTreeMap::new();
        let mut x: u32 = 12345;
        for step in 0..20_000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = v4((x >> 16) % 23);
            let (value, evicted) = table.entry(key, || step);
            let value = *value;
            reference.entry(key).or_insert(value);
            if let Some(evicted) = evicted {
                assert_eq!(reference.remove(&evicted.key), Some(evicted.value));
            }
            if step % 7 == 0 {
                table.promote(key);
            }
            assert_eq!(table.len(), reference.len());
            for (&k, &v) in &reference {
                assert_eq!(table.peek_mut(k).copied(), Some(v), "step {step}");
            }
        }
    }
}
