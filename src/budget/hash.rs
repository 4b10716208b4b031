//! SipHash with a caller-supplied key, for the tables an attacker fills: SipHash-2-4, and
//! SipHash-1-3 where the hash only skips entries that are then compared in full.
//!
//! The source table and the response cache are indexed by values a remote sender chooses
//! (addresses, datagram bytes). With an unkeyed hash, a sender could pick values that collide and
//! turn each lookup into a scan; SipHash keyed by a secret seed from the driver's random source
//! makes collisions unpredictable. The core has no random source of its own, hence the seed.

/// `N` independent hash keys from one seed (Steele, Lea and Flood's SplitMix64), so each
/// table gets keys of its own from the driver's one seed.
pub(crate) fn derive_keys<const N: usize>(seed: u64) -> [u64; N] {
    let mut state = seed;
    core::array::from_fn(|_| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

/// SipHash-2-4, the paper's recommended parameters: the source table's hash.
pub(crate) type SipHasher = Sip<2, 4>;

/// SipHash-1-3 (one compression round per word, three to finish), Rust's own `HashMap` hash:
/// the response cache's, which hashes up to about a dozen words of each key part (it samples
/// long ones) on every request, and whose hash only skips entries that are compared in full
/// before any is used (a collision costs a comparison, never a wrong reply).
pub(crate) type SipHasher13 = Sip<1, 3>;

/// A SipHash-`C`-`D` state (Aumasson and Bernstein, 2012): `C` compression rounds per 8-byte
/// word, `D` finalization rounds.
#[derive(Debug, Clone)]
pub(crate) struct Sip<const C: usize, const D: usize> {
    v: [u64; 4],
    /// Bytes of the current, incomplete 8-byte word.
    tail: u64,
    tail_len: u32,
    /// Total bytes written, mod 256 as the algorithm needs.
    len: u8,
}

impl<const C: usize, const D: usize> Sip<C, D> {
    /// A hasher keyed with `(k0, k1)`, the two little-endian halves of the 128-bit key.
    pub(crate) fn new(k0: u64, k1: u64) -> Sip<C, D> {
        Sip {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: 0,
            tail_len: 0,
            len: 0,
        }
    }

    /// Appends `bytes` to the message.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u8);
        // Complete a partial word first, then take whole little-endian words: the hash runs on
        // every served request, so it should not go byte by byte.
        let mut rest = bytes;
        while self.tail_len != 0 {
            let Some((&byte, tail)) = rest.split_first() else {
                return;
            };
            self.push(byte);
            rest = tail;
        }
        let mut words = rest.chunks_exact(8);
        for word in &mut words {
            let mut le = [0u8; 8];
            le.copy_from_slice(word);
            self.compress(u64::from_le_bytes(le));
        }
        for &byte in words.remainder() {
            self.push(byte);
        }
    }

    /// Appends one byte to the partial word, compressing it once full.
    fn push(&mut self, byte: u8) {
        self.tail |= u64::from(byte) << (8 * self.tail_len);
        self.tail_len += 1;
        if self.tail_len == 8 {
            self.compress(self.tail);
            self.tail = 0;
            self.tail_len = 0;
        }
    }

    /// Appends whole 8-octet words. Inlined, so that a caller which writes only words (and
    /// so never needs the partial-word path) keeps the state in registers throughout.
    #[inline(always)]
    pub(crate) fn write_words(&mut self, words: &[[u8; 8]]) {
        if self.tail_len != 0 {
            self.write(words.as_flattened());
            return;
        }
        // The length counts mod 256: the cast keeps the low octet of 8 × words.
        self.len = self.len.wrapping_add((words.len() << 3) as u8);
        for word in words {
            self.compress(u64::from_le_bytes(*word));
        }
    }

    /// The 64-bit hash of everything written.
    pub(crate) fn finish(mut self) -> u64 {
        let last = self.tail | (u64::from(self.len) << 56);
        self.compress(last);
        self.v[2] ^= 0xff;
        for _ in 0..D {
            self.round();
        }
        self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3]
    }

    fn compress(&mut self, word: u64) {
        self.v[3] ^= word;
        for _ in 0..C {
            self.round();
        }
        self.v[0] ^= word;
    }

    fn round(&mut self) {
        let [mut v0, mut v1, mut v2, mut v3] = self.v;
        v0 = v0.wrapping_add(v1);
        v1 = v1.rotate_left(13) ^ v0;
        v0 = v0.rotate_left(32);
        v2 = v2.wrapping_add(v3);
        v3 = v3.rotate_left(16) ^ v2;
        v0 = v0.wrapping_add(v3);
        v3 = v3.rotate_left(21) ^ v0;
        v2 = v2.wrapping_add(v1);
        v1 = v1.rotate_left(17) ^ v2;
        v2 = v2.rotate_left(32);
        self.v = [v0, v1, v2, v3];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key 00 01 .. 0f of the SipHash paper's test vectors.
    const K0: u64 = 0x0706_0504_0302_0100;
    const K1: u64 = 0x0f0e_0d0c_0b0a_0908;

    fn hash(bytes: &[u8]) -> u64 {
        let mut h = SipHasher::new(K0, K1);
        h.write(bytes);
        h.finish()
    }

    #[test]
    fn paper_vectors() {
        // Appendix A of the paper: the 15-byte message 00 01 .. 0e.
        let msg: [u8; 15] = core::array::from_fn(|i| i as u8);
        assert_eq!(hash(&msg), 0xa129_ca61_49be_45e5);
        // The reference implementation's vectors.h, first entry (empty message).
        assert_eq!(hash(&[]), 0x726f_db47_dd0e_0e31);
    }

    #[test]
    #[allow(deprecated)] // core's SipHasher is deprecated for general use, fine as a reference
    fn matches_core_siphash_for_every_length_and_split() {
        use core::hash::Hasher;
        let msg: [u8; 64] = core::array::from_fn(|i| (i as u8).wrapping_mul(37));
        for len in 0..msg.len() {
            let mut reference = core::hash::SipHasher::new_with_keys(K0 ^ 7, K1 ^ 9);
            reference.write(&msg[..len]);
            for split in 0..=len {
                let mut ours = SipHasher::new(K0 ^ 7, K1 ^ 9);
                ours.write(&msg[..split]);
                ours.write(&msg[split..len]);
                assert_eq!(ours.finish(), reference.finish(), "len {len} split {split}");
            }
        }
    }

    /// SipHash-1-3 with the all-zero key, as other implementations publish it.
    #[test]
    fn siphash_1_3_vectors() {
        let hash13 = |bytes: &[u8]| {
            let mut h = SipHasher13::new(0, 0);
            h.write(bytes);
            h.finish()
        };
        assert_eq!(hash13(b""), 0xd1fb_a762_150c_532c);
        assert_eq!(hash13(b"siphash"), 0x8264_ceec_cb16_bcbe);
        // Split writes give the same hash, for every length and split.
        let msg: [u8; 40] = core::array::from_fn(|i| (i as u8).wrapping_mul(37));
        for len in 0..msg.len() {
            for split in 0..=len {
                let mut whole = SipHasher13::new(K0, K1);
                whole.write(&msg[..len]);
                let mut parts = SipHasher13::new(K0, K1);
                parts.write(&msg[..split]);
                parts.write(&msg[split..len]);
                assert_eq!(parts.finish(), whole.finish(), "len {len} split {split}");
            }
        }
    }

    #[test]
    fn key_changes_the_hash() {
        let mut a = SipHasher::new(1, 2);
        let mut b = SipHasher::new(1, 3);
        a.write_words(&[42u64.to_le_bytes()]);
        b.write_words(&[42u64.to_le_bytes()]);
        assert_ne!(a.finish(), b.finish());
    }

    /// Whole words hash as the same octets written any other way, after a partial word too.
    #[test]
    fn words_are_their_octets() {
        let words: [[u8; 8]; 3] =
            core::array::from_fn(|i| core::array::from_fn(|j| (8 * i + j) as u8));
        for prefix in 0..=9 {
            let head: Vec<u8> = (100..100 + prefix).collect();
            let (mut by_words, mut by_octets) =
                (SipHasher13::new(K0, K1), SipHasher13::new(K0, K1));
            by_words.write(&head);
            by_words.write_words(&words);
            by_octets.write(&head);
            by_octets.write(words.as_flattened());
            assert_eq!(by_words.finish(), by_octets.finish(), "prefix {prefix}");
        }
    }
}
