//! Scenario tests of the budget with explicit time: each drives the call sites in the order the
//! agent does (see the module docs) and asserts who gets through.

use alloc::vec::Vec;
use core::net::IpAddr;
use core::time::Duration;

use super::*;

const T0: Instant = Instant::from_secs(1_000);

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn rate(text: &str) -> Rate {
    text.parse().unwrap()
}

fn budget(config: BudgetConfig) -> Budget {
    Budget::new(valid(config), ["alice", "bob", "walker"], 0x5eed, T0)
}

fn valid(config: BudgetConfig) -> ValidBudget {
    ValidBudget::new(config).unwrap()
}

fn at(millis: u64) -> Instant {
    T0 + Duration::from_millis(millis)
}

/// How many of `n` datagrams from `source` at `now` pass step 1.
fn admitted(budget: &mut Budget, source: IpAddr, n: u32, now: Instant) -> u32 {
    (0..n)
        .filter(|_| budget.admit_source(source, now).is_ok())
        .count() as u32
}

const GET1: Work = Work::Get { varbinds: 1 };
const GET25: Work = Work::Get { varbinds: 25 };
const BULK25: Work = Work::GetBulk {
    non_repeaters: 0,
    max_repetitions: 25,
    varbinds: 1,
};

/// One verified request through steps 1, 4, 5 and 7; the response carries `varbinds`.
fn request(
    budget: &mut Budget,
    source: IpAddr,
    user: &[u8],
    work: Work,
    varbinds: usize,
    now: Instant,
) -> Result<(), Rejection> {
    budget.admit_source(source, now)?;
    let least = budget.config().least(work);
    budget.check_principal(source, user, least, now)?;
    let charge = budget.admit_principal(source, user, work, now)?;
    budget.settle(charge, varbinds, now);
    Ok(())
}

/// The budget of the tests written for the cost unit of one per request and one per varbind,
/// with no hold: the defaults before shaping. What they check does not depend on the values.
fn strict() -> BudgetConfig {
    BudgetConfig {
        per_user: rate("6000/minute"),
        user_burst: 100,
        request_cost: 1,
        hold: Duration::ZERO,
        ..BudgetConfig::default()
    }
}

fn row<'a>(budget: &'a Budget, user: &[u8], now: Instant) -> PrincipalRow<'a> {
    budget.principals(now).find(|r| r.user == user).unwrap()
}

#[test]
fn defaults_are_the_documented_values() {
    let config = BudgetConfig::default();
    assert_eq!(config.validate(), Ok(()));
    assert_eq!(config.global, rate("200/second"));
    assert_eq!(config.per_source, rate("50/second"));
    assert_eq!(config.per_user, rate("20000/second"));
    assert_eq!((config.burst, config.global_burst), (100, 400));
    assert_eq!((config.user_burst, config.request_cost), (4000, 32));
    assert_eq!(config.hold, Duration::from_millis(200));
    assert_eq!(config.ipv6_prefix, 64);
    assert_eq!(
        (config.max_repetitions, config.max_response_varbinds),
        (25, 100)
    );
    assert_eq!(config.over_budget, OverBudget::Drop);
    assert_eq!(config.sources, 1024);
    assert_eq!(config.unauthenticated, rate("10/second"));
    assert_eq!(config.cache_window, Duration::from_secs(5));
}

#[test]
fn validation_names_the_mistake() {
    let with = |edit: fn(&mut BudgetConfig)| {
        let mut config = BudgetConfig::default();
        edit(&mut config);
        ValidBudget::new(config).map(|_| ())
    };
    let out_of_range = |key, value, min, max| {
        Err(BudgetConfigError::OutOfRange {
            key,
            value,
            min,
            max,
        })
    };
    assert_eq!(
        with(|c| c.burst = 0),
        out_of_range("burst", 0, 1, 1_000_000)
    );
    assert_eq!(
        with(|c| c.ipv6_prefix = 129),
        out_of_range("ipv6_prefix", 129, 0, 128)
    );
    assert_eq!(
        with(|c| c.max_repetitions = 0),
        out_of_range("max_repetitions", 0, 1, 10_000)
    );
    assert_eq!(
        with(|c| c.sources = 0),
        out_of_range("sources", 0, 1, 1 << 20)
    );
    assert_eq!(
        with(|c| c.hold = Duration::from_micros(1_000_001)),
        out_of_range("hold_ms", 1001, 0, 1000),
        "a hold just past a second is refused, not rounded down to one"
    );
    assert_eq!(
        with(|c| c.cache_bytes = 17 << 20),
        out_of_range("cache_bytes", 17 << 20, 0, 16 << 20)
    );
    let twice = |c: &mut BudgetConfig| {
        let own = UserBudget {
            user: b"alice".to_vec(),
            rate: Rate::new(1, Period::Second).unwrap(),
            burst: 1,
        };
        c.users = alloc::vec![own.clone(), own];
    };
    assert_eq!(
        with(twice),
        Err(BudgetConfigError::DuplicateUser { index: 1 })
    );
    let zero = |c: &mut BudgetConfig| {
        c.users = alloc::vec![UserBudget {
            user: b"alice".to_vec(),
            rate: Rate::new(1, Period::Second).unwrap(),
            burst: 0,
        }];
    };
    assert_eq!(
        with(zero),
        Err(BudgetConfigError::UserBurst {
            index: 0,
            value: 0,
            min: 1,
            max: 1_000_000
        })
    );
    // The message names the key as the configuration file spells it.
    assert_eq!(
        with(|c| c.request_cost = 0).unwrap_err().to_string(),
        "budget.request_cost: 0 is outside 1..=10000"
    );
    // What the agent takes without a check is valid.
    assert_eq!(ValidBudget::default().validate(), Ok(()));
    assert_eq!(ValidBudget::unlimited().validate(), Ok(()));
}

#[test]
fn burst_then_refill_per_source() {
    let mut budget = budget(BudgetConfig::default());
    let a = ip("192.0.2.1");
    assert_eq!(admitted(&mut budget, a, 150, T0), 100, "the burst");
    assert_eq!(budget.counters().rejected(Rejection::PerSource), 50);
    // 50/second: one datagram per 20 ms.
    assert_eq!(admitted(&mut budget, a, 5, at(19)), 0);
    assert_eq!(admitted(&mut budget, a, 5, at(20)), 1);
    assert_eq!(admitted(&mut budget, a, 100, at(1_020)), 50);
    assert_eq!(
        admitted(&mut budget, a, 200, at(60_000)),
        100,
        "refilled to the burst only"
    );
}

#[test]
fn one_flooding_source_does_not_starve_another() {
    let mut budget = budget(BudgetConfig::default());
    let (flooder, poller) = (ip("192.0.2.66"), ip("192.0.2.7"));
    let mut poller_ok = 0;
    for tick in 0..1_000u64 {
        // 1,000 datagrams a second from the flooder, one every 100 ms from the poller.
        let now = at(tick * 10);
        admitted(&mut budget, flooder, 10, now);
        if tick % 10 == 0 {
            poller_ok += admitted(&mut budget, poller, 1, now);
        }
    }
    assert_eq!(poller_ok, 100, "every poller datagram passed");
    let counters = budget.counters();
    assert!(counters.rejected(Rejection::PerSource) >= 9_000);
    assert_eq!(
        counters.rejected(Rejection::Global),
        0,
        "the flooder cannot reach global"
    );
}

#[test]
fn global_bucket_caps_all_sources_together() {
    let mut config = BudgetConfig::default();
    (config.global, config.global_burst) = (rate("100/second"), 10);
    let mut budget = budget(config);
    let total: u32 = (0..20u8)
        .map(|n| admitted(&mut budget, IpAddr::from([10, 0, 0, n]), 5, T0))
        .sum();
    assert_eq!(total, 10);
    assert_eq!(budget.counters().rejected(Rejection::Global), 90);
    // A source refused by the global bucket keeps its per-source token: after a refusal at
    // T0 it still has its whole burst, and the global burst is what limits it later.
    let late = ip("10.0.1.1");
    assert_eq!(admitted(&mut budget, late, 1, T0), 0);
    assert_eq!(admitted(&mut budget, late, 200, at(60_000)), 10);
    assert_eq!(admitted(&mut budget, late, 200, at(120_000)), 10);
}

#[test]
fn ipv6_sources_in_one_prefix_share_a_bucket() {
    let mut budget = budget(BudgetConfig::default());
    let a = ip("2001:db8:0:1::1");
    let b = ip("2001:db8:0:1:ffff:ffff:ffff:fffe");
    let other = ip("2001:db8:0:2::1");
    assert_eq!(admitted(&mut budget, a, 60, T0), 60);
    assert_eq!(
        admitted(&mut budget, b, 60, T0),
        40,
        "same /64: the rest of the burst"
    );
    assert_eq!(
        admitted(&mut budget, other, 60, T0),
        60,
        "another /64: its own bucket"
    );
    assert_eq!(budget.sources_len(), 2);

    let config = BudgetConfig {
        ipv6_prefix: 128,
        ..BudgetConfig::default()
    };
    let mut per_address = Budget::new(valid(config), [""; 0], 1, T0);
    assert_eq!(admitted(&mut per_address, a, 60, T0), 60);
    assert_eq!(admitted(&mut per_address, b, 60, T0), 60);
}

#[test]
fn getbulk_costs_its_worst_case_then_settles_to_its_work() {
    let config = strict();
    assert_eq!(config.estimate(GET1), 2);
    assert_eq!(config.estimate(Work::Get { varbinds: 0 }), 1);
    assert_eq!(config.estimate(BULK25), 26);
    let bulk = |non_repeaters, max_repetitions, varbinds| Work::GetBulk {
        non_repeaters,
        max_repetitions,
        varbinds,
    };
    // N + M x R, M capped at 25, the total at 100 bindings.
    assert_eq!(config.estimate(bulk(2, 10, 5)), 1 + 2 + 10 * 3);
    assert_eq!(config.estimate(bulk(0, 1_000, 1)), 26);
    assert_eq!(config.estimate(bulk(0, 25, 8)), 101);
    // Negative fields from the wire count as 0; huge ones cannot overflow (CVE-2008-4309).
    assert_eq!(config.estimate(bulk(-5, -5, 3)), 1);
    assert_eq!(config.estimate(bulk(i64::MAX, i64::MAX, usize::MAX)), 101);
    assert_eq!(config.estimate(bulk(0, i64::MAX, usize::MAX)), 101);
    assert_eq!(config.repetitions(-1), 0);
    assert_eq!(config.repetitions(10), 10);
    assert_eq!(config.repetitions(i64::MAX), 25);

    // Charged 26 up front; a bulk that found only 3 bindings costs 4.
    let mut budget = budget(strict());
    let src = ip("192.0.2.1");
    budget.admit_source(src, T0).unwrap();
    let charge = budget.admit_principal(src, b"alice", BULK25, T0).unwrap();
    assert_eq!(charge.charged(), 26);
    assert_eq!(row(&budget, b"alice", T0).available, 74);
    budget.settle(charge, 3, T0);
    let alice = row(&budget, b"alice", T0);
    assert_eq!((alice.available, alice.used_this_minute), (96, 4));

    // A Get of one costs 2: 50 fit in the burst, while only 3 full bulks do.
    let mut gets = 0;
    while request(&mut budget, src, b"bob", GET1, 1, T0).is_ok() {
        gets += 1;
    }
    assert_eq!(gets, 50);
    let mut budget = self::budget(strict());
    let mut bulks = 0;
    while request(&mut budget, src, b"bob", BULK25, 25, T0).is_ok() {
        bulks += 1;
    }
    // Three full ones, then one shaped to the 21 repetitions the last 22 units pay for.
    assert_eq!(bulks, 4);
    assert_eq!(budget.counters().bulk_shaped, 1);
}

#[test]
fn a_capped_bulk_is_counted() {
    let mut budget = budget(BudgetConfig::default());
    let src = ip("192.0.2.1");
    let big = Work::GetBulk {
        non_repeaters: 0,
        max_repetitions: 200,
        varbinds: 1,
    };
    request(&mut budget, src, b"alice", big, 25, T0).unwrap();
    request(&mut budget, src, b"alice", BULK25, 25, T0).unwrap();
    assert_eq!(budget.counters().bulk_capped, 1);
    assert_eq!(budget.counters().requests_admitted, 2);
}

#[test]
fn one_user_does_not_affect_another() {
    let mut budget = budget(strict());
    let src = ip("192.0.2.1");
    let mut rejected = 0;
    for n in 0..40u64 {
        // alice at about four times her budget, from the same source as bob
        if request(&mut budget, src, b"alice", GET25, 25, at(n * 100)).is_err() {
            rejected += 1;
        }
        assert_eq!(
            request(&mut budget, src, b"bob", GET1, 1, at(n * 100)),
            Ok(())
        );
    }
    assert!(rejected > 20, "alice over budget: {rejected} refused");
    let alice = row(&budget, b"alice", at(4_000));
    assert_eq!(alice.rejected, rejected);
    assert!(alice.last_rejection.is_some());
    assert_eq!(row(&budget, b"bob", at(4_000)).rejected, 0);
    assert_eq!(budget.counters().rejected(Rejection::PerUser), rejected);
}

#[test]
fn forged_datagrams_with_a_user_name_cannot_drain_the_user() {
    let mut budget = budget(strict());
    let forger = ip("198.51.100.9");
    // Step 4 only: the HMAC then fails, so step 5 never runs for these.
    for _ in 0..10_000 {
        assert_eq!(budget.check_principal(forger, b"alice", 1, T0), Ok(()));
    }
    assert_eq!(row(&budget, b"alice", T0).available, 100);
    // Unknown names have no budget at all.
    let refused = budget.check_principal(forger, b"mallory", 1, T0);
    assert_eq!(refused, Err(Rejection::PerUser));
    assert_eq!(
        budget.admit_principal(forger, b"mallory", GET1, T0),
        Err(Rejection::PerUser)
    );
}

#[test]
fn a_user_may_have_a_budget_of_its_own() {
    let mut config = strict();
    config.users.push(UserBudget {
        user: b"bob".to_vec(),
        rate: rate("10/minute"),
        burst: 4,
    });
    let mut budget = budget(config);
    let src = ip("192.0.2.1");
    assert_eq!(request(&mut budget, src, b"bob", GET1, 1, T0), Ok(()));
    assert_eq!(request(&mut budget, src, b"bob", GET1, 1, T0), Ok(()));
    let over = request(&mut budget, src, b"bob", GET1, 1, T0);
    assert_eq!(over, Err(Rejection::PerUser));
    // 10/minute: two units, one Get, after 12 s.
    let early = request(&mut budget, src, b"bob", GET1, 1, at(11_999));
    assert_eq!(early, Err(Rejection::PerUser));
    assert_eq!(
        request(&mut budget, src, b"bob", GET1, 1, at(12_000)),
        Ok(())
    );
    let bob = row(&budget, b"bob", at(12_000));
    assert_eq!((bob.rate, bob.burst), (rate("10/minute"), 4));
    assert_eq!(row(&budget, b"alice", T0).rate, rate("6000/minute"));
}

#[test]
fn budget_table_counts_per_minute_and_hour() {
    let mut budget = budget(strict());
    let src = ip("192.0.2.1");
    // T0 is 1,000 s: the minute from 960 s, the hour from 0 s.
    request(&mut budget, src, b"alice", GET1, 1, T0).unwrap();
    request(&mut budget, src, b"alice", BULK25, 10, at(10_000)).unwrap();
    let alice = row(&budget, b"alice", at(10_000));
    assert_eq!((alice.used_this_minute, alice.used_this_hour), (2 + 11, 13));
    let next_minute = Instant::from_secs(1_020);
    request(&mut budget, src, b"alice", GET1, 1, next_minute).unwrap();
    let alice = row(&budget, b"alice", next_minute);
    assert_eq!((alice.used_this_minute, alice.used_this_hour), (2, 15));
    let next_hour = Instant::from_secs(3_600);
    let alice = row(&budget, b"alice", next_hour);
    assert_eq!((alice.used_this_minute, alice.used_this_hour), (0, 0));
    assert_eq!(alice.available, 100);
    let names: Vec<&[u8]> = budget.principals(next_hour).map(|r| r.user).collect();
    assert_eq!(names, [&b"alice"[..], b"bob", b"walker"]);
}

#[test]
fn unauthenticated_outcomes_are_limited_per_source() {
    let mut budget = budget(BudgetConfig::default());
    let (prober, other) = (ip("203.0.113.5"), ip("203.0.113.6"));
    let mut reports = 0;
    for _ in 0..100 {
        budget.admit_source(prober, T0).unwrap();
        if budget.admit_unauthenticated(prober, T0).is_ok() {
            reports += 1;
        }
    }
    assert_eq!(reports, 20, "the unauthenticated burst");
    // No more HMACs for this source until it earns an outcome back (10/second: 100 ms).
    assert_eq!(
        budget.check_unauthenticated(prober, at(99)),
        Err(Rejection::Unauthenticated)
    );
    assert_eq!(budget.check_unauthenticated(prober, at(100)), Ok(()));
    // Another source, and a source never seen, are unaffected.
    assert_eq!(budget.check_unauthenticated(other, T0), Ok(()));
    budget.admit_source(other, T0).unwrap();
    assert_eq!(budget.admit_unauthenticated(other, T0), Ok(()));
    let counters = budget.counters();
    assert_eq!(counters.unauthenticated_admitted, 21);
    assert_eq!(counters.rejected(Rejection::Unauthenticated), 81);
}

#[test]
fn spoofed_source_flood_keeps_the_table_bounded_and_the_pollers() {
    let mut budget = budget(BudgetConfig::default());
    let poller = ip("10.1.1.1");
    // The poller authenticates once (step 5 promotes it), then spends its per-source burst.
    request(&mut budget, poller, b"alice", GET1, 1, T0).unwrap();
    // Its request was paid by its user, so it left the source's bucket full.
    assert_eq!(admitted(&mut budget, poller, 200, T0), 100);
    // 100,000 spoofed sources, one datagram each, at the same instant.
    for n in 0..100_000u32 {
        let spoofed = IpAddr::from((0xc612_0000u32 + n).to_be_bytes());
        let _ = budget.admit_source(spoofed, T0);
        assert!(budget.sources_len() <= 1024);
    }
    assert_eq!(budget.sources_len(), 1024);
    let counters = budget.counters();
    assert_eq!(counters.evictions, 100_000 - 1023);
    // The global burst (400, 100 of them the poller's) let 300 spoofed datagrams through;
    // the rest were refused by the global bucket, their per-source token given back.
    assert_eq!(counters.rejected(Rejection::Global), 100_000 - 300);
    // So only those 300 entries held debt when evicted; the others were full, nothing lost.
    assert_eq!(counters.lossy_evictions, 300);
    // The poller's entry survived with its state: its bucket is still empty, not reset.
    assert_eq!(admitted(&mut budget, poller, 1, T0), 0);
    assert_eq!(budget.counters().rejected(Rejection::PerSource), 100 + 1);

    // An unproven source that spent its burst is evicted and comes back with a fresh one
    // (the global burst raised so that only the per-source bucket counts here).
    let config = BudgetConfig {
        global_burst: 10_000,
        ..BudgetConfig::default()
    };
    let mut budget = self::budget(config);
    let unproven = ip("10.2.2.2");
    assert_eq!(admitted(&mut budget, unproven, 200, T0), 100);
    for n in 0..2_000u32 {
        let spoofed = IpAddr::from((0xc612_0000u32 + n).to_be_bytes());
        let _ = budget.admit_source(spoofed, T0);
    }
    assert_eq!(admitted(&mut budget, unproven, 200, T0), 100);
}

#[test]
fn rejections_are_summarised_per_source() {
    let mut budget = budget(BudgetConfig::default());
    let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
    admitted(&mut budget, a, 130, T0);
    admitted(&mut budget, b, 101, T0);
    let mut lines = Vec::new();
    let lost = budget.drain_rejections(|key, count| lines.push((key, count)));
    lines.sort();
    let expected = [(SourceKey::new(a, 64), 30), (SourceKey::new(b, 64), 1)];
    assert_eq!(lines, expected);
    assert_eq!(lost, 0);
    let mut again = 0;
    budget.drain_rejections(|_, _| again += 1);
    assert_eq!(again, 0, "counts reset after each summary");
}

/// The walk of the issue: a 1,115-component inventory, about 25,000 varbinds, read with
/// snmpbulkwalk's default max-repetitions of 10: 2,500 requests.
const WALK_REQUESTS: u32 = 2_500;
const BULK10: Work = Work::GetBulk {
    non_repeaters: 0,
    max_repetitions: 10,
    varbinds: 1,
};

#[test]
fn a_bulkwalk_sent_back_to_back_is_held_never_refused() {
    // snmpbulkwalk sends the next request as soon as a response arrives (0.3 ms later here).
    let mut budget = budget(BudgetConfig::default());
    let src = ip("192.0.2.10");
    let mut now = T0;
    let mut longest = Duration::ZERO;
    for n in 0..WALK_REQUESTS {
        budget.admit_source(src, now).unwrap();
        let least = budget.config().least(BULK10);
        assert_eq!(budget.check_principal(src, b"walker", least, now), Ok(()));
        let charge = budget.admit_principal(src, b"walker", BULK10, now);
        let charge = charge.unwrap_or_else(|e| panic!("request {n}: {e:?}"));
        assert_eq!(charge.repetitions(), 10, "request {n}: never shaped");
        let at = charge.at();
        longest = longest.max(at - now);
        budget.settle(charge, 10, now);
        now = at + Duration::from_micros(300);
    }
    // 42 units a request at 20,000 a second after the burst of 4,000: about 5 s.
    let took = now - T0;
    assert!(took > Duration::from_millis(4_500), "{took:?}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(longest <= Duration::from_millis(3), "{longest:?}");
    let counters = budget.counters();
    assert_eq!(counters.rejected_total(), 0);
    assert_eq!(counters.bulk_shaped, 0);
    assert!(counters.held > 2_000, "{}", counters.held);
}

#[test]
fn beyond_the_hold_a_bulk_is_shaped_and_a_get_refused() {
    let config = BudgetConfig {
        per_user: rate("1000/second"),
        user_burst: 100,
        request_cost: 10,
        // A lone source may wait half the hold (see `fair.rs`): 120 ms.
        hold: Duration::from_millis(240),
        ..BudgetConfig::default()
    };
    let mut budget = budget(config);
    let src = ip("192.0.2.10");
    let get90 = Work::Get { varbinds: 90 };
    // The burst pays the first at once; the second waits 100 ms for its 100 units.
    let first = budget.admit_principal(src, b"alice", get90, T0).unwrap();
    assert_eq!(first.at(), T0);
    let second = budget.admit_principal(src, b"alice", get90, T0).unwrap();
    assert_eq!(second.at(), at(100));
    // A full bulk (10 + 25 units) would wait 135 ms: it gets the 10 repetitions that refill
    // within the 120 ms a lone source may wait, answered at 120 ms.
    let bulk = budget.admit_principal(src, b"alice", BULK25, T0).unwrap();
    assert_eq!((bulk.repetitions(), bulk.at()), (10, at(120)));
    assert_eq!(budget.counters().bulk_shaped, 1);
    // A Get of one (11 units) would wait 131 ms: refused, before and after the HMAC.
    assert_eq!(
        budget.check_principal(src, b"alice", 11, T0),
        Err(Rejection::PerUser)
    );
    assert_eq!(
        budget.admit_principal(src, b"alice", GET1, T0),
        Err(Rejection::PerUser)
    );
    // Once the queue is paid, a Get is answered at once again; others never waited.
    let later = budget
        .admit_principal(src, b"alice", GET1, at(131))
        .unwrap();
    assert_eq!(later.at(), at(131));
    let bob = budget.admit_principal(src, b"bob", GET1, T0).unwrap();
    assert_eq!(bob.at(), T0);
    assert_eq!(budget.counters().held, 2);
}

#[test]
fn flooding_sources_are_named_for_the_kernel_filter() {
    let mut budget = budget(strict());
    budget.start_flood_window(150, 1);
    let (flood, shared, quiet) = (ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.3"));
    // 300 datagrams no user answers for: the burst of 100 passes, 200 are refused; all count.
    assert_eq!(admitted(&mut budget, flood, 300, T0), 100);
    // Flagged at its next datagram, once the 150th had been judged: the driver hears at once.
    assert!(budget.flooders_pending());
    // alice floods from an address others share: 2,000 refusals by her budget count 100.
    for _ in 0..2_000 {
        let _ = request(&mut budget, shared, b"alice", GET25, 25, T0);
    }
    assert!(row(&budget, b"alice", T0).rejected >= 1_990);
    // bob's answered requests count nothing, however many.
    for _ in 0..1_000 {
        let _ = request(&mut budget, quiet, b"bob", GET1, 1, T0);
    }
    let mut named = Vec::new();
    budget.take_flooders(|key| named.push(key));
    assert_eq!(named, [SourceKey::new(flood, 64)]);
    assert!(!budget.flooders_pending());
    // alice's 4,000th refusal (200 datagrams' worth) reaches 150 at her address.
    for _ in 0..2_000 {
        let _ = request(&mut budget, shared, b"alice", GET25, 25, T0);
    }
    let _ = budget.admit_source(shared, T0);
    budget.take_flooders(|key| named.push(key));
    assert_eq!(named[1..], [SourceKey::new(shared, 64)]);
    // A new window starts from nothing; a flagged source is named once per crossing.
    budget.start_flood_window(150, 1);
    assert_eq!(admitted(&mut budget, flood, 100, T0), 0);
    budget.take_flooders(|key| panic!("{key:?} named again?"));
}

#[test]
fn the_flood_meter_counts_against_the_share_read() {
    let mut budget = budget(strict());
    let (sampled, manager) = (ip("192.0.2.1"), ip("192.0.2.9"));
    // The driver reads a fifth of what arrives: 30 datagrams read stand for 150 sent.
    budget.start_flood_window(150, 5);
    admitted(&mut budget, sampled, 31, T0);
    // A manager's discovery and a Report (two datagrams) never get it flagged, whatever the
    // scale.
    budget.start_flood_window(1, 16);
    admitted(&mut budget, manager, 3, T0);
    let mut named = Vec::new();
    budget.take_flooders(|key| named.push(key));
    assert_eq!(named, [SourceKey::new(sampled, 64)]);
}

/// One user polled from two addresses: a source flooding over the user's budget does not
/// starve the polite one, and two sources flooding alike share the budget about equally.
#[test]
fn a_users_budget_is_shared_fairly_between_its_sources() {
    let config = BudgetConfig::default();
    let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
    let get = config.actual(1);
    let per_second = config.per_user.tokens_in(1_000_000);
    // 4x the user's rate from A for 5 s, one GET from B every 100 ms.
    let mut shared = budget(config.clone());
    let flood_every = 1_000_000 / (4 * per_second / u64::from(get));
    let (mut polite_sent, mut polite_answered, mut longest) = (0, 0, 0u64);
    let mut t = 0u64;
    while t < 5_000_000 {
        let now = T0 + Duration::from_micros(t);
        let _ = request(&mut shared, a, b"alice", GET1, 1, now);
        if t % 100_000 < flood_every {
            polite_sent += 1;
            let charge = shared
                .check_principal(b, b"alice", config.least(GET1), now)
                .and_then(|()| shared.admit_principal(b, b"alice", GET1, now));
            if let Ok(charge) = charge {
                polite_answered += 1;
                longest = longest.max(charge.at().saturating_since(now).as_micros() as u64);
                shared.settle(charge, 1, now);
            }
        }
        t += flood_every;
    }
    assert_eq!((polite_answered, polite_sent), (50, 50));
    assert!(longest <= config.hold_micros(), "waited {longest} µs");
    // Two sources at 2x the rate each: each gets 40% to 60% of what was answered.
    let mut shared = budget(config.clone());
    let mut answered = [0u32; 2];
    let mut t = 0u64;
    while t < 5_000_000 {
        let now = T0 + Duration::from_micros(t);
        for (n, source) in [a, b].into_iter().enumerate() {
            if request(&mut shared, source, b"alice", GET1, 1, now).is_ok() {
                answered[n] += 1;
            }
        }
        t += 2 * flood_every;
    }
    let total = answered[0] + answered[1];
    assert!(
        answered.iter().all(|&n| n * 10 >= total * 4),
        "shares {answered:?}"
    );
}

#[test]
fn a_polled_source_becomes_known_and_the_global_bucket_never_refuses_it() {
    let mut b = budget(BudgetConfig::default());
    let known = |b: &mut Budget, now: Instant| {
        let mut keys = Vec::new();
        b.known_sources(now, |key, _| keys.push(key));
        keys
    };
    let manager = ip("192.0.2.1");
    let key = SourceKey::new(manager, 64);
    // Answered once: not yet known; answered again a second later: known.
    request(&mut b, manager, b"alice", GET1, 1, at(0)).unwrap();
    assert!(known(&mut b, at(500)).is_empty(), "not proven yet");
    request(&mut b, manager, b"alice", GET1, 1, at(1_000)).unwrap();
    assert_eq!(known(&mut b, at(1_000)), [key]);
    // A flood from many other sources drains the global bucket: strangers are refused, the
    // known manager is not, and the global bucket gets back only what it was paid.
    let mut refused = 0;
    for i in 0..2_000u32 {
        let stranger = IpAddr::from([198, 51, (i >> 8) as u8, i as u8]);
        refused += u32::from(b.admit_source(stranger, at(1_001)).is_err());
    }
    assert!(refused > 1_000, "{refused}");
    assert_eq!(
        b.admit_source(ip("203.0.113.9"), at(1_001)),
        Err(Rejection::Global)
    );
    for _ in 0..20 {
        request(&mut b, manager, b"alice", GET1, 1, at(1_001)).unwrap();
    }
    assert_eq!(
        b.admit_source(ip("203.0.113.9"), at(1_001)),
        Err(Rejection::Global)
    );
    assert_eq!(known(&mut b, at(1_001)), [key]);
    // Its own refusal (here its source bucket) makes it unknown for CLEAN_FOR.
    let emptied = admitted(&mut b, manager, 1_000, at(1_002));
    assert!(emptied < 1_000);
    assert!(known(&mut b, at(1_003)).is_empty());
    request(&mut b, manager, b"alice", GET1, 1, at(4_000)).unwrap();
    assert_eq!(known(&mut b, at(4_000)), [key]);
    // Blocked in the kernel: never known again within KNOWN_FOR.
    b.note_blocked(key, at(4_001));
    request(&mut b, manager, b"alice", GET1, 1, at(10_000)).unwrap();
    assert!(known(&mut b, at(10_000)).is_empty());
    // Silent for KNOWN_FOR: forgotten.
    let mut other = budget(BudgetConfig::default());
    request(&mut other, manager, b"alice", GET1, 1, at(0)).unwrap();
    request(&mut other, manager, b"alice", GET1, 1, at(1_000)).unwrap();
    let later = at(1_000) + KNOWN_FOR + Duration::from_secs(1);
    assert!(known(&mut other, later).is_empty());
}
