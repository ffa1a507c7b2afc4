//! Random attribute values, names and items for the generators: every
//! DynamoDB type, numbers at the edges of DynamoDB's range, strings with
//! multi-byte characters, and nesting from flat to beyond the 32-level limit.

use super::rng::Rng;
use dynamo_core::{AttributeMap, AttributeValue, Number};
use std::collections::BTreeSet;

/// Attribute names the generated expressions and items share, so that paths
/// often resolve: key names, reserved words, and names only a placeholder
/// can spell.
pub const NAMES: &[&str] = &[
    "pk",
    "sk",
    "a",
    "b",
    "c",
    "n",
    "s",
    "l",
    "m",
    "ss",
    "ns",
    "bs",
    "flag",
    "status",
    "size",
    "name",
    "data",
    "count",
    "ttl",
    "gsi_pk",
    "lsi_sk",
    "x.y",
    "with space",
    "ünï",
    "#h",
    ":c",
    "a-b",
    "0lead",
];

/// Interesting strings: empty, multi-byte, control characters, lookalikes.
const STRINGS: &[&str] = &[
    "",
    "a",
    "abc",
    "ABC",
    "user#42",
    "order#2024-01-01",
    "ß",
    "日本語",
    "🦀",
    "\u{0}",
    "\t\n",
    "\"quoted\"",
    "\\",
    "{}",
    "[]",
    "<>",
    "%s",
    "null",
    "true",
    "1e400",
    "-0",
    " ",
    "\u{feff}",
    "a\u{301}",
    "\u{10ffff}",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.1",
    "1e125",
    "9.9999999999999999999999999999999999999E+125",
    "1e-130",
    "-1e-130",
    "12345678901234567890123456789012345678",
    "0.000001",
    "3.14",
    "-42",
    "100",
    "1E2",
    "5e0",
    "007",
    "123.4500",
];

/// A random number in DynamoDB's range.
pub fn number(rng: &mut Rng) -> Number {
    let text = match rng.below(4) {
        0 => (*rng.pick(NUMBERS)).to_owned(),
        1 => format!("{}", rng.below(1000) as i64 - 500),
        2 => {
            let digits = rng.range(1, 38);
            let mantissa: String = (0..digits)
                .map(|i| {
                    let d = rng.below(10) as u8;
                    char::from(b'0' + if i == 0 { d.max(1) } else { d })
                })
                .collect();
            let exponent = rng.below(200) as i64 - 120;
            let sign = if rng.coin() { "-" } else { "" };
            format!("{sign}{mantissa}e{exponent}")
        }
        _ => format!("{}.{}", rng.below(100_000), rng.below(1000)),
    };
    text.parse()
        .unwrap_or_else(|_| Number::from(rng.below(100) as i64))
}

/// A random string, short unless asked otherwise.
pub fn string(rng: &mut Rng, max: usize) -> String {
    match rng.below(3) {
        0 => (*rng.pick(STRINGS)).to_owned(),
        1 => {
            let len = rng.small(max);
            (0..len)
                .map(|_| char::from(b'a' + rng.below(26) as u8))
                .collect()
        }
        _ => {
            let len = rng.small(max);
            (0..len)
                .filter_map(|_| match rng.below(4) {
                    0 => char::from_u32(rng.below(0x80) as u32),
                    1 => char::from_u32(0x80 + rng.below(0x780) as u32),
                    2 => char::from_u32(0x800 + rng.below(0xf000) as u32),
                    _ => char::from_u32(0x10000 + rng.below(0xfffff) as u32),
                })
                .collect()
        }
    }
}

/// A name from [`NAMES`], or now and then a random one.
pub fn name(rng: &mut Rng) -> String {
    if rng.one_in(8) {
        let s = string(rng, 12);
        if s.is_empty() { "e".to_owned() } else { s }
    } else {
        (*rng.pick(NAMES)).to_owned()
    }
}

/// A random scalar value (S, N, B, BOOL or NULL).
pub fn scalar(rng: &mut Rng) -> AttributeValue {
    match rng.below(5) {
        0 => AttributeValue::S(string(rng, 40)),
        1 => AttributeValue::N(number(rng)),
        2 => {
            let len = rng.small(40);
            AttributeValue::B(rng.bytes(len))
        }
        3 => AttributeValue::Bool(rng.coin()),
        _ => AttributeValue::Null,
    }
}

/// A key value: S, N or B.
pub fn key_scalar(rng: &mut Rng) -> AttributeValue {
    match rng.below(3) {
        0 => AttributeValue::S(string(rng, 20)),
        1 => AttributeValue::N(number(rng)),
        _ => {
            let len = rng.range(1, 8);
            AttributeValue::B(rng.bytes(len))
        }
    }
}

/// A random value of any type, nested at most `depth` levels. Sets are
/// non-empty unless `allow_invalid` (then now and then empty).
pub fn value(rng: &mut Rng, depth: usize, allow_invalid: bool) -> AttributeValue {
    let kinds = if depth == 0 { 8 } else { 10 };
    match rng.below(kinds) {
        0..=4 => scalar(rng),
        5 => {
            let mut set = BTreeSet::new();
            let want = if allow_invalid && rng.one_in(20) {
                0
            } else {
                rng.range(1, 6)
            };
            for _ in 0..want {
                set.insert(string(rng, 10));
            }
            AttributeValue::Ss(set)
        }
        6 => {
            let mut set = BTreeSet::new();
            let want = if allow_invalid && rng.one_in(20) {
                0
            } else {
                rng.range(1, 6)
            };
            for _ in 0..want {
                set.insert(number(rng));
            }
            AttributeValue::Ns(set)
        }
        7 => {
            let mut set = BTreeSet::new();
            let want = if allow_invalid && rng.one_in(20) {
                0
            } else {
                rng.range(1, 4)
            };
            for _ in 0..want {
                let len = rng.range(if allow_invalid { 0 } else { 1 }, 6);
                set.insert(rng.bytes(len));
            }
            AttributeValue::Bs(set)
        }
        8 => {
            let len = rng.small(6);
            AttributeValue::L(
                (0..len)
                    .map(|_| value(rng, depth - 1, allow_invalid))
                    .collect(),
            )
        }
        _ => {
            let len = rng.small(6);
            AttributeValue::M(
                (0..len)
                    .map(|_| (name(rng), value(rng, depth - 1, allow_invalid)))
                    .collect(),
            )
        }
    }
}

/// A value nested exactly `depth` levels of maps and lists, for the
/// document nesting limit (32) and beyond.
pub fn deep_value(rng: &mut Rng, depth: usize) -> AttributeValue {
    let mut v = scalar(rng);
    for _ in 0..depth {
        v = if rng.coin() {
            AttributeValue::L(vec![v])
        } else {
            AttributeValue::M(AttributeMap::from([(name(rng), v)]))
        };
    }
    v
}

/// A nesting depth: mostly shallow, sometimes at and past DynamoDB's limit.
pub fn depth(rng: &mut Rng) -> usize {
    match rng.below(16) {
        0 => *rng.pick(&[31, 32, 33, 64, 127, 128, 129, 500]),
        1..=4 => rng.below(6),
        _ => rng.below(3),
    }
}

/// A random item over [`NAMES`], with `pk`/`sk` set when given.
pub fn item(rng: &mut Rng, keys: &[(&str, AttributeValue)]) -> AttributeMap {
    let mut item = AttributeMap::new();
    for _ in 0..rng.small(12) {
        item.insert(name(rng), value(rng, 3, false));
    }
    if rng.one_in(4) {
        item.insert(
            "l".into(),
            AttributeValue::L(vec![value(rng, 2, false), scalar(rng)]),
        );
        item.insert(
            "m".into(),
            AttributeValue::M(AttributeMap::from([("a".into(), value(rng, 2, false))])),
        );
    }
    for (k, v) in keys {
        item.insert((*k).to_owned(), v.clone());
    }
    item
}
