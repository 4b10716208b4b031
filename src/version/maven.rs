//! Maven version order: the algorithm of Maven's `ComparableVersion`, which OSV names for the
//! `Maven` ecosystem ("Versions are compared as Maven does").
//!
//! A version is lower-cased and split into items: `.` separates items, `-` opens a sub-list,
//! and a change between digits and letters acts as `-` (`1.0beta1` is `1.0-beta-1`). Numbers
//! compare as numbers; known qualifiers in the order `alpha < beta < milestone < rc (= cr) <
//! snapshot < "" (= ga, final, release) < sp`, any other qualifier after them alphabetically;
//! a single letter followed by a digit is the qualifier it abbreviates (`a1` is `alpha-1`).
//! Trailing zeros and release qualifiers are dropped, so `2.0-beta9` equals `2.0.0-beta9` and
//! `1.0.0.ga` equals `1`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// One parsed item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Int(u128),
    Str(String),
    List(Vec<Item>),
}

/// Maven's ordering of `a` and `b`. Every string parses, so this never fails.
pub fn compare(a: &str, b: &str) -> Ordering {
    cmp_list(&parse(a), Some(&Item::List(parse(b))))
}

/// The qualifier names in order; the index of `""` (release) is [`RELEASE`].
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE: &str = "5";

fn parse(version: &str) -> Vec<Item> {
    let version = version.to_ascii_lowercase();
    // A stack of open lists; the bottom is the whole version.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut start = 0;
    let mut digits = false;
    let chars: Vec<char> = version.chars().collect();
    let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            let item = if i == start {
                Item::Int(0)
            } else {
                item(&text(start, i), digits, false)
            };
            push(&mut stack, item);
            start = i + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !digits && i > start {
                push(&mut stack, item(&text(start, i), false, true));
                start = i;
                stack.push(Vec::new());
            }
            digits = true;
        } else {
            if digits && i > start {
                push(&mut stack, item(&text(start, i), true, false));
                start = i;
                stack.push(Vec::new());
            }
            digits = false;
        }
    }
    if chars.len() > start {
        push(&mut stack, item(&text(start, chars.len()), digits, false));
    }
    // Close the open lists innermost first, normalizing each as Maven does when it pops them.
    while stack.len() > 1 {
        let mut list = stack.pop().unwrap_or_default();
        normalize(&mut list);
        push(&mut stack, Item::List(list));
    }
    let mut top = stack.pop().unwrap_or_default();
    normalize(&mut top);
    top
}

fn push(stack: &mut [Vec<Item>], item: Item) {
    if let Some(list) = stack.last_mut() {
        list.push(item);
    }
}

fn item(text: &str, digits: bool, followed_by_digit: bool) -> Item {
    if digits {
        // Longer than u128 only in a hostile string; keep it ordered as a big number.
        return Item::Int(text.parse().unwrap_or(u128::MAX));
    }
    let mut q = text;
    if followed_by_digit && q.len() == 1 {
        q = match q {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let q = match q {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(q.to_string())
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(n) => *n == 0,
        Item::Str(s) => s.is_empty(),
        Item::List(l) => l.is_empty(),
    }
}

/// Drops trailing null items, looking past sub-lists as Maven does.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

fn qualifier_key(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

/// `item` against `other` (None: the absent item Maven calls null).
fn cmp_item(item: &Item, other: Option<&Item>) -> Ordering {
    match item {
        Item::Int(n) => match other {
            None => {
                if *n == 0 {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Some(Item::Int(m)) => n.cmp(m),
            Some(Item::Str(_)) | Some(Item::List(_)) => Ordering::Greater,
        },
        Item::Str(s) => match other {
            None => qualifier_key(s).as_str().cmp(RELEASE),
            Some(Item::Int(_)) | Some(Item::List(_)) => Ordering::Less,
            Some(Item::Str(t)) => qualifier_key(s).cmp(&qualifier_key(t)),
        },
        Item::List(l) => cmp_list(l, other),
    }
}

fn cmp_list(list: &[Item], other: Option<&Item>) -> Ordering {
    let right: &[Item] = match other {
        None => {
            return list
                .first()
                .map_or(Ordering::Equal, |first| cmp_item(first, None));
        }
        Some(Item::Int(_)) => return Ordering::Less,
        Some(Item::Str(_)) => return Ordering::Greater,
        Some(Item::List(r)) => r,
    };
    for i in 0..list.len().max(right.len()) {
        let order = match (list.get(i), right.get(i)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => cmp_item(r, None).reverse(),
            (Some(l), r) => cmp_item(l, r),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_order(versions: &[&str]) {
        for pair in versions.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
            assert_eq!(compare(pair[1], pair[0]), Ordering::Greater, "{pair:?}");
        }
    }

    #[test]
    fn qualifiers_order_as_maven_documents() {
        // The sequence of Maven's own ComparableVersionTest (VERSIONS_QUALIFIER).
        assert_order(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    #[test]
    fn numbers_order_as_maven_documents() {
        // Maven's VERSIONS_NUMBER sequence.
        assert_order(&[
            "2.0", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn equal_spellings() {
        for (a, b) in [
            ("2.0-beta9", "2.0.0-beta9"),
            ("2.0-beta9", "2.0-beta-9"),
            ("1", "1.0.0"),
            ("1.0.0.ga", "1"),
            ("1-final", "1"),
            ("1a1", "1-alpha-1"),
            ("1cr", "1rc"),
            ("1.0-RC1", "1.0-rc-1"),
        ] {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} = {b}");
        }
    }

    #[test]
    fn log4j_versions() {
        // The log4j-core versions the 2021 advisories draw their lines between.
        assert_order(&[
            "2.0-alpha1",
            "2.0-beta9",
            "2.0-rc1",
            "2.0",
            "2.3.1",
            "2.12.1",
            "2.12.2",
            "2.14.1",
            "2.15.0",
            "2.16.0",
            "2.17.0",
            "2.17.1",
        ]);
    }
}
