//! DynamoDB numbers: 38 significant digits, magnitudes 1E-130 to
//! 9.99…E+125, canonical output, numeric equality and order, exact
//! arithmetic, and DynamoDB's messages for everything else.

use dynamo_core::{Number, NumberError};
use proptest::prelude::*;
use std::collections::HashSet;

fn n(s: &str) -> Number {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn err(s: &str) -> String {
    s.parse::<Number>().unwrap_err().to_string()
}

const OVERFLOW: &str =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
const UNDERFLOW: &str =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
const PRECISION: &str = "Attempting to store more than 38 significant digits in a Number";

#[test]
fn thirty_eight_significant_digits_are_accepted_and_thirty_nine_are_not() {
    let d38 = "12345678901234567890123456789012345678";
    let d39 = "123456789012345678901234567890123456789";
    assert_eq!(n(d38).to_string(), d38);
    assert_eq!(err(d39), PRECISION);
    // Digits on both sides of the point count together.
    assert_eq!(err("1234567890123456789.01234567890123456789"), PRECISION);
    assert_eq!(
        n("1234567890123456789.0123456789012345678").significant_digits(),
        38
    );
    // Leading and trailing zeros are not significant.
    assert_eq!(n(&format!("000{d38}")).significant_digits(), 38);
    assert_eq!(n(&format!("{d38}0")).to_string(), format!("{d38}0"));
    assert_eq!(
        n("1234567890123456789012345678901234567800").significant_digits(),
        38
    );
    assert_eq!(
        n("0.00000000000000000000000000000000000000001").to_string(),
        "0.00000000000000000000000000000000000000001"
    );
}

#[test]
fn magnitude_bounds_are_exact() {
    let max = "9.9999999999999999999999999999999999999E+125";
    assert_eq!(n(max).significant_digits(), 38);
    assert_eq!(n(&format!("-{max}")), -n(max));
    assert_eq!(err("1E+126"), OVERFLOW);
    assert_eq!(err("-1E+126"), OVERFLOW);
    assert_eq!(err("10E+125"), OVERFLOW);
    assert_eq!(n("1E-130").to_string(), format!("0.{}1", "0".repeat(129)));
    assert_eq!(n("-1E-130"), -n("1E-130"));
    assert_eq!(err("1E-131"), UNDERFLOW);
    assert_eq!(err("-0.1E-130"), UNDERFLOW);
    assert_eq!(n("1E125").to_string(), format!("1{}", "0".repeat(125)));
    // Zero is never out of range, whatever its exponent.
    assert_eq!(n("0E-999"), Number::ZERO);
    assert_eq!(n("0e99999999999999999999"), Number::ZERO);
    // Huge exponents are errors, not panics.
    assert_eq!(err("1e99999999999999999999"), OVERFLOW);
    assert_eq!(err("1e-99999999999999999999"), UNDERFLOW);
}

#[test]
fn output_is_the_canonical_plain_decimal() {
    for (input, canonical) in [
        ("00042", "42"),
        ("1.0", "1"),
        ("3.1400", "3.14"),
        ("100", "100"),
        ("1.5E2", "150"),
        ("1e2", "100"),
        ("-0", "0"),
        ("-0.0", "0"),
        ("+5", "5"),
        (".5", "0.5"),
        ("5.", "5"),
        ("-12.5E3", "-12500"),
        ("1.23e-2", "0.0123"),
        ("123e-2", "1.23"),
    ] {
        assert_eq!(n(input).to_string(), canonical, "{input}");
    }
}

#[test]
fn equal_numbers_are_equal_and_hash_alike() {
    assert_eq!(n("1e2"), n("100"));
    assert_eq!(n("1.0"), n("1"));
    assert_eq!(n("-0"), n("0"));
    let set: HashSet<Number> = ["100", "1e2", "100.000", "1E+2", "10e1"]
        .iter()
        .map(|s| n(s))
        .collect();
    assert_eq!(set.len(), 1);
}

#[test]
fn invalid_strings_get_dynamodb_messages() {
    assert_eq!(
        err(""),
        "The parameter cannot be converted to a numeric value"
    );
    for bad in [
        "abc", "1e", "--1", "1.2.3", " 1", "1 ", "0x10", "NaN", "Infinity", "1_000", "+", ".",
        "e5", "1e+", "٣",
    ] {
        assert_eq!(
            err(bad),
            format!("The parameter cannot be converted to a numeric value: {bad}"),
            "{bad:?}"
        );
    }
}

#[test]
fn ordering_is_numeric() {
    let ordered = [
        "-9.9999999999999999999999999999999999999E+125",
        "-10",
        "-9.99",
        "-1E-130",
        "0",
        "1E-130",
        "2E-130",
        "0.1",
        "0.10000000000000000000000000000000000001",
        "1",
        "1.5",
        "10",
        "9.9999999999999999999999999999999999999E+125",
    ];
    for pair in ordered.windows(2) {
        assert!(n(pair[0]) < n(pair[1]), "{} < {}", pair[0], pair[1]);
    }
}

#[test]
fn arithmetic_is_exact_or_an_error() {
    assert_eq!(n("0.1").checked_add(n("0.2")).unwrap(), n("0.3"));
    assert_eq!(
        n("1")
            .checked_sub(n("0.0000000000000000000000000000000000001"))
            .unwrap(),
        n("0.9999999999999999999999999999999999999")
    );
    assert_eq!(n("-5").checked_add(n("5")).unwrap(), Number::ZERO);
    assert_eq!(n("1e100").checked_add(n("1")), Err(NumberError::Precision));
    assert_eq!(
        n("9.9999999999999999999999999999999999999E+125").checked_add(n("1E+125")),
        Err(NumberError::Overflow)
    );
    assert_eq!(
        n("2E-130").checked_sub(n("1.5E-130")),
        Err(NumberError::Underflow)
    );
}

#[test]
fn native_conversions_respect_bounds() {
    assert_eq!(i8::try_from(n("-128")).unwrap(), i8::MIN);
    assert!(i8::try_from(n("128")).is_err());
    assert!(u64::try_from(n("-1")).is_err());
    assert_eq!(u64::try_from(n("18446744073709551615")).unwrap(), u64::MAX);
    assert!(u64::try_from(n("18446744073709551616")).is_err());
    assert!(i32::try_from(n("2.5")).is_err());
    assert_eq!(i64::try_from(n("1e18")).unwrap(), 1_000_000_000_000_000_000);
    assert_eq!(Number::from(i64::MIN).to_string(), i64::MIN.to_string());
    assert_eq!(
        Number::try_from(10u128.pow(38) - 1)
            .unwrap()
            .significant_digits(),
        38
    );
    assert!(Number::try_from(10u128.pow(38) + 1).is_err());
    assert_eq!(
        Number::try_from(10u128.pow(38)).unwrap().to_string(),
        format!("1{}", "0".repeat(38))
    );
}

#[test]
fn floats_convert_through_their_shortest_form() {
    assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
    assert_eq!(
        Number::from_f64(1.0 / 3.0).unwrap().to_string(),
        "0.3333333333333333"
    );
    assert_eq!(Number::from_f64(1e-7).unwrap().to_string(), "0.0000001");
    assert_eq!(
        Number::from_f64(-2.5e10).unwrap().to_string(),
        "-25000000000"
    );
    assert_eq!(Number::from_f64(f64::MAX), Err(NumberError::Overflow));
    assert_eq!(Number::from_f64(5e-324), Err(NumberError::Underflow));
    assert!(Number::from_f64(f64::NAN).is_err());
    assert!(Number::from_f64(f64::INFINITY).is_err());
    assert_eq!(Number::from_f32(0.1).unwrap().to_string(), "0.1");
    assert_eq!(n("0.1").to_f64(), 0.1);
}

proptest! {
    #[test]
    fn integers_print_and_order_like_the_integers(a in any::<i64>(), b in any::<i64>()) {
        prop_assert_eq!(Number::from(a).to_string(), a.to_string());
        prop_assert_eq!(Number::from(a).cmp(&Number::from(b)), a.cmp(&b));
        prop_assert_eq!(i64::try_from(Number::from(a)).unwrap(), a);
    }

    #[test]
    fn unsigned_integers_round_trip(a in any::<u64>()) {
        prop_assert_eq!(Number::from(a).to_string(), a.to_string());
    }

    #[test]
    fn decimal_strings_reparse_to_the_same_number(
        sign in prop_oneof![Just(""), Just("-"), Just("+")],
        int in "[0-9]{0,20}",
        frac in "[0-9]{1,17}",
        exp in -100i32..100,
    ) {
        // At most 37 digits and magnitudes 1E-117 to 1E+119: every input is
        // a valid number, so a parse failure is a bug, not a skipped case.
        let text = format!("{sign}{int}.{frac}e{exp}");
        let parsed = text.parse::<Number>();
        prop_assert!(parsed.is_ok(), "{} did not parse: {:?}", text, parsed);
        let parsed = parsed.unwrap();
        let printed = parsed.to_string();
        let reparsed = printed.parse::<Number>();
        prop_assert_eq!(reparsed.as_ref(), Ok(&parsed), "{} printed as {}", text, printed);
        prop_assert_eq!(reparsed.unwrap().to_string(), printed);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,60}") {
        let _ = s.parse::<Number>();
    }
}
