//! The response cache: a retransmitted or retried request answered without recomputing it.
//!
//! [`Replies`] holds two kinds of entries side by side in one bounded [`ResponseCache`] (see
//! [`store`] for why both are needed): the reply datagram by the request datagram's bytes,
//! looked up before anything is parsed, and the response scopedPDU, as encoded, by user,
//! security level and plaintext request scopedPDU, looked up after the digest check and
//! decryption. A hit by request is sent from the stored bytes in a message for the retry's
//! msgID ([`crate::usm::outgoing`]); it is never decoded again.
//!
//! The agent remembers only replies to requests whose digest verified, so forged traffic
//! cannot churn the cache. Both keys are hashed at a cost that does not grow with the request
//! (samples of long datagrams and scopedPDUs, see [`store`]) and compared in full. Its bounds are the `[budget]` `cache_*` settings
//! ([`BudgetConfig`]); the hits count in the budget's statistics
//! ([`crate::budget::Budget::count_cache_hit`]), which the DQI-MIB serves.

pub mod store;

use core::net::SocketAddr;

pub use store::{Hashed, ResponseCache};

use crate::budget::BudgetConfig;
use crate::time::Instant;

/// First key part of an entry keyed by datagram bytes.
const BY_DATAGRAM: &[u8] = b"D";
/// First key part of an entry keyed by user, level and plaintext scopedPDU.
const BY_REQUEST: &[u8] = b"R";

/// Recent replies, by datagram and by request.
#[derive(Debug)]
pub struct Replies {
    store: ResponseCache,
}

impl Replies {
    /// An empty cache bounded as `config` says; `keys` key its hash (from the driver's random
    /// source, so senders cannot predict collisions among the octets it covers: see [`store`]
    /// for which those are, and what keys that share a hash cost).
    pub fn new(config: &BudgetConfig, keys: [u64; 2]) -> Replies {
        Replies {
            store: ResponseCache::new(
                config.cache_entries,
                config.cache_bytes,
                config.cache_window,
                keys,
            ),
        }
    }

    /// The hash of the key by which a reply to `datagram` from `source` is kept: made once,
    /// for [`Replies::reply`] and [`Replies::remember_reply`].
    pub fn datagram_key(&self, source: SocketAddr, datagram: &[u8]) -> Hashed {
        self.store.hash(source, &[BY_DATAGRAM, datagram])
    }

    /// The reply sent for these exact datagram bytes from `source` within the cache window, to
    /// send again as is; `hash` is [`Replies::datagram_key`]'s.
    pub fn reply(
        &mut self,
        source: SocketAddr,
        hash: Hashed,
        datagram: &[u8],
        now: Instant,
    ) -> Option<&[u8]> {
        self.store
            .lookup_hashed(source, hash, &[BY_DATAGRAM, datagram], now)
    }

    /// Remembers the reply datagram sent for `datagram` from `source`; `hash` is
    /// [`Replies::datagram_key`]'s.
    pub fn remember_reply(
        &mut self,
        source: SocketAddr,
        hash: Hashed,
        datagram: &[u8],
        reply: &[u8],
        now: Instant,
    ) {
        self.store
            .insert_hashed(source, hash, &[BY_DATAGRAM, datagram], reply, now);
    }

    /// The hash of the key by which the response to a request is kept (user, security level
    /// as msgFlags' auth and priv bits, and the plaintext `scoped_pdu`): made once, for
    /// [`Replies::response`] and [`Replies::remember_response`].
    pub fn request_key(
        &self,
        source: SocketAddr,
        user: &[u8],
        level: u8,
        scoped_pdu: &[u8],
    ) -> Hashed {
        self.store
            .hash(source, &[BY_REQUEST, user, &[level], scoped_pdu])
    }

    /// The response scopedPDU (encoded) made for the same `user`, security `level` and
    /// plaintext `scoped_pdu` from `source` within the cache window, to send again for the
    /// retry's msgID; `hash` is [`Replies::request_key`]'s.
    pub fn response(
        &mut self,
        source: SocketAddr,
        hash: Hashed,
        (user, level, scoped_pdu): (&[u8], u8, &[u8]),
        now: Instant,
    ) -> Option<&[u8]> {
        self.store
            .lookup_hashed(source, hash, &[BY_REQUEST, user, &[level], scoped_pdu], now)
    }

    /// Remembers the response scopedPDU made for a request (see [`Replies::response`]).
    pub fn remember_response(
        &mut self,
        source: SocketAddr,
        hash: Hashed,
        (user, level, scoped_pdu): (&[u8], u8, &[u8]),
        response: &[u8],
        now: Instant,
    ) {
        self.store.insert_hashed(
            source,
            hash,
            &[BY_REQUEST, user, &[level], scoped_pdu],
            response,
            now,
        );
    }
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;

    const T0: Instant = Instant::from_secs(1_000);

    fn at(millis: u64) -> Instant {
        T0 + Duration::from_millis(millis)
    }

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    /// The lookups and inserts with the key hashed on the spot.
    impl Replies {
        fn reply_at(&mut self, source: SocketAddr, datagram: &[u8], now: Instant) -> Option<&[u8]> {
            let hash = self.datagram_key(source, datagram);
            self.reply(source, hash, datagram, now)
        }

        fn remember_reply_at(
            &mut self,
            source: SocketAddr,
            datagram: &[u8],
            reply: &[u8],
            now: Instant,
        ) {
            let hash = self.datagram_key(source, datagram);
            self.remember_reply(source, hash, datagram, reply, now);
        }

        fn response_at(
            &mut self,
            source: SocketAddr,
            user: &[u8],
            level: u8,
            scoped: &[u8],
            now: Instant,
        ) -> Option<&[u8]> {
            let hash = self.request_key(source, user, level, scoped);
            self.response(source, hash, (user, level, scoped), now)
        }

        fn remember_response_at(
            &mut self,
            source: SocketAddr,
            user: &[u8],
            level: u8,
            scoped: &[u8],
            response: &[u8],
            now: Instant,
        ) {
            let hash = self.request_key(source, user, level, scoped);
            self.remember_response(source, hash, (user, level, scoped), response, now);
        }
    }

    fn replies() -> Replies {
        Replies::new(&BudgetConfig::default(), [3, 4])
    }

    #[test]
    fn response_cache_answers_retransmissions() {
        let mut cache = replies();
        let (client, other) = (addr("192.0.2.1:50000"), addr("192.0.2.1:50001"));
        let datagram = b"\x30\x3e\x02\x01\x03 request bytes";
        assert_eq!(cache.reply_at(client, datagram, T0), None);
        cache.remember_reply_at(client, datagram, b"reply bytes", T0);
        let hit = cache.reply_at(client, datagram, at(4_999));
        assert_eq!(hit, Some(&b"reply bytes"[..]));
        let other_socket = cache.reply_at(other, datagram, at(10));
        assert_eq!(other_socket, None);
        assert_eq!(cache.reply_at(client, b"other request", at(10)), None);
        let expired = cache.reply_at(client, datagram, at(5_000));
        assert_eq!(expired, None, "window over");

        // By request: net-snmp's retry (new msgID, same plaintext scopedPDU) finds the response
        // PDU; a different level or user does not.
        let scoped = b"scopedPDU with request-id 0x12f89a46";
        cache.remember_response_at(client, b"alice", 3, scoped, b"response PDU", T0);
        let retry = cache.response_at(client, b"alice", 3, scoped, at(1_000));
        assert_eq!(retry, Some(&b"response PDU"[..]));
        let level = cache.response_at(client, b"alice", 1, scoped, at(1_000));
        assert_eq!(level, None);
        let user = cache.response_at(client, b"bob", 3, scoped, at(1_000));
        assert_eq!(user, None);
        // The two kinds never answer for each other.
        assert_eq!(cache.reply_at(client, scoped, at(1_000)), None);
    }

    #[test]
    fn response_cache_is_bounded() {
        let mut cache = replies();
        let client = addr("192.0.2.1:50000");
        let reply = [0u8; 1_400];
        for n in 0..1_000u32 {
            cache.remember_reply_at(client, &n.to_be_bytes(), &reply, at(u64::from(n)));
        }
        let hits = (0..1_000u32)
            .filter(|n| {
                cache
                    .reply_at(client, &n.to_be_bytes(), at(1_000))
                    .is_some()
            })
            .count();
        assert_eq!(hits, 32, "the newest 32 entries only");
        let newest = cache.reply_at(client, &999u32.to_be_bytes(), at(1_000));
        assert!(newest.is_some());
        let evicted = cache.reply_at(client, &967u32.to_be_bytes(), at(1_000));
        assert!(evicted.is_none());
        // Large replies are bounded by bytes: 256 KiB holds four of 60,000 octets.
        for n in 0..10u32 {
            cache.remember_reply_at(client, &n.to_be_bytes(), &[1u8; 60_000], at(2_000));
        }
        let big = (0..10u32)
            .filter(|n| {
                cache
                    .reply_at(client, &n.to_be_bytes(), at(2_000))
                    .is_some()
            })
            .count();
        assert_eq!(big, 4);
    }
}
