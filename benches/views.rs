//! The cost of a MIB view on a walk: GetNext over a tree where the view excludes a large
//! subtree, against the same GetNext with no view, as the tree grows.
//!
//! Run: `cargo bench --bench views`. For trees of 10^3 to 10^6 instances under an excluded
//! subtree (`99999.1`, with the view including `99999`), prints nanoseconds per GetNext from
//! the start of the excluded subtree to the one instance after it (`99999.2.0`), and the same
//! GetNext on the same tree in the view of everything (one step). A view that stepped through
//! the excluded instances would grow linearly with n; seeking past the subtree keeps it at
//! O(log n), the cost of a tree lookup.

use std::hint::black_box;
use std::time::Instant as WallClock;

use dqi_agent::access::{Family, View};
use dqi_agent::mib::{Entry, Live, Resolve, Tree, Value};
use dqi_agent::pdu::{Limits, Operation, Scope, respond_in};
use dqi_agent::wire::{VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;

const ROOT: &[u32] = &[1, 3, 6, 1, 4, 1, 99999];

struct NoLive;

impl Resolve for NoLive {
    fn resolve(&self, _: Live) -> Value {
        Value::Integer(0)
    }
}

fn tree(n: u32) -> Tree {
    let mut entries: Vec<(Box<[u32]>, Entry)> = (0..n)
        .map(|i| {
            let oid = [ROOT, &[1, 1 + i / 1000, i % 1000]].concat();
            (oid.into_boxed_slice(), Entry::Value(Value::Integer(1)))
        })
        .collect();
    entries.push((
        [ROOT, &[2, 0]].concat().into(),
        Entry::Value(Value::Integer(2)),
    ));
    Tree::from_entries(entries)
}

fn per_request(tree: &Tree, view: &View, from: &[u32], want: &[u32]) -> f64 {
    let request = [VarBind {
        name: ObjectIdentifier::new(from.to_vec()).expect("oid"),
        value: VarBindValue::Unspecified,
    }];
    let limits = Limits {
        varbind_bytes: 65_000,
        max_repetitions: 100,
        max_varbinds: 100,
    };
    let scope = Scope {
        view,
        skip_counter64: false,
    };
    let out = respond_in(tree, &NoLive, scope, Operation::GetNext, &request, limits);
    assert_eq!(
        &out.varbinds[0].name[..],
        want,
        "the walk lands after the subtree"
    );
    let rounds = 200_000;
    let start = WallClock::now();
    for _ in 0..rounds {
        black_box(respond_in(
            black_box(tree),
            &NoLive,
            scope,
            Operation::GetNext,
            &request,
            limits,
        ));
    }
    start.elapsed().as_nanos() as f64 / f64::from(rounds)
}

fn main() {
    let view = View::new(vec![
        Family::new(ROOT, &[], true).expect("family"),
        Family::new(&[ROOT, &[1]].concat(), &[], false).expect("family"),
    ]);
    let everything = View::everything();
    let after = [ROOT, &[2, 0]].concat();
    println!("| instances excluded | GetNext across them, ns | GetNext, no view, ns |");
    println!("|---:|---:|---:|");
    for n in [1_000, 10_000, 100_000, 1_000_000] {
        let t = tree(n);
        // From the view's start: the excluded subtree is all that lies before `after`.
        let across = per_request(&t, &view, ROOT, &after);
        // The same landing with no view: GetNext from the last excluded instance.
        let last = [ROOT, &[1, 1 + (n - 1) / 1000, (n - 1) % 1000]].concat();
        let plain = per_request(&t, &everything, &last, &after);
        println!("| {n} | {across:.0} | {plain:.0} |");
    }
}
