//! The DynamoDB JSON wire format of values: each of the ten types against
//! hand-written samples in both directions, and the errors DynamoDB gives
//! for malformed values (ValidationException vs SerializationException).

use dynamo_core::{AttributeMap, AttributeValue, KeyValue, Number, WireError, decode_json};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn n(s: &str) -> Number {
    s.parse().unwrap()
}

fn decode(sample: &Value) -> AttributeValue {
    decode_json(sample.to_string().as_bytes()).unwrap_or_else(|e| panic!("{sample}: {e}"))
}

fn encode(value: &AttributeValue) -> Value {
    serde_json::to_value(value).unwrap()
}

fn validation(sample: Value) -> String {
    match decode_json::<AttributeValue>(sample.to_string().as_bytes()) {
        Err(WireError::Validation(m)) => m,
        other => panic!("{sample}: expected a validation error, got {other:?}"),
    }
}

fn serialization(sample: &str) -> String {
    match decode_json::<AttributeValue>(sample.as_bytes()) {
        Err(WireError::Serialization(m)) => m,
        other => panic!("{sample}: expected a serialization error, got {other:?}"),
    }
}

#[test]
fn each_type_decodes_from_and_encodes_to_its_sample() {
    let cases: Vec<(Value, AttributeValue)> = vec![
        (json!({"S": "hello"}), AttributeValue::S("hello".into())),
        (json!({"S": ""}), AttributeValue::S(String::new())),
        (
            json!({"S": "naïve ☃ 🦀"}),
            AttributeValue::S("naïve ☃ 🦀".into()),
        ),
        (json!({"N": "-12.5"}), AttributeValue::N(n("-12.5"))),
        (
            json!({"B": "AQID/w=="}),
            AttributeValue::B(vec![1, 2, 3, 255]),
        ),
        (json!({"B": ""}), AttributeValue::B(vec![])),
        (json!({"BOOL": true}), AttributeValue::Bool(true)),
        (json!({"BOOL": false}), AttributeValue::Bool(false)),
        (json!({"NULL": true}), AttributeValue::Null),
        (json!({"M": {}}), AttributeValue::M(AttributeMap::new())),
        (
            json!({"M": {"a": {"S": "x"}, "b": {"M": {"c": {"N": "1"}}}}}),
            AttributeValue::M(AttributeMap::from([
                ("a".into(), AttributeValue::S("x".into())),
                (
                    "b".into(),
                    AttributeValue::M(AttributeMap::from([(
                        "c".into(),
                        AttributeValue::N(n("1")),
                    )])),
                ),
            ])),
        ),
        (json!({"L": []}), AttributeValue::L(vec![])),
        (
            json!({"L": [{"S": "a"}, {"N": "2"}, {"NULL": true}, {"L": [{"BOOL": false}]}]}),
            AttributeValue::L(vec![
                AttributeValue::S("a".into()),
                AttributeValue::N(n("2")),
                AttributeValue::Null,
                AttributeValue::L(vec![AttributeValue::Bool(false)]),
            ]),
        ),
        (
            json!({"SS": ["a", "b", ""]}),
            AttributeValue::Ss(BTreeSet::from(["a".into(), "b".into(), String::new()])),
        ),
        (
            json!({"NS": ["1", "-2.5", "1e3"]}),
            AttributeValue::Ns(BTreeSet::from([n("1"), n("-2.5"), n("1000")])),
        ),
        (
            json!({"BS": ["AQ==", "AgM="]}),
            AttributeValue::Bs(BTreeSet::from([vec![1], vec![2, 3]])),
        ),
    ];
    for (sample, value) in cases {
        assert_eq!(decode(&sample), value, "decoding {sample}");
        assert_eq!(decode(&encode(&value)), value, "re-decoding {sample}");
    }
}

#[test]
fn output_is_canonical() {
    assert_eq!(encode(&decode(&json!({"N": "1.50"}))), json!({"N": "1.5"}));
    assert_eq!(encode(&decode(&json!({"N": "1E2"}))), json!({"N": "100"}));
    assert_eq!(
        encode(&decode(&json!({"NS": ["3", "1", "2"]}))),
        json!({"NS": ["1", "2", "3"]})
    );
    assert_eq!(
        encode(&AttributeValue::B(vec![0xff; 3])),
        json!({"B": "////"})
    );
    assert_eq!(encode(&AttributeValue::Null), json!({"NULL": true}));
}

#[test]
fn a_whole_item_round_trips() {
    let sample = json!({
        "pk": {"S": "customer#1"},
        "sk": {"N": "42"},
        "tags": {"SS": ["new", "vip"]},
        "profile": {"M": {"age": {"N": "33"}, "avatar": {"B": "iVBO"}}},
        "history": {"L": [{"N": "1"}, {"S": "two"}]},
        "active": {"BOOL": true},
        "deleted_at": {"NULL": true}
    });
    let item: AttributeMap = decode_json(sample.to_string().as_bytes()).unwrap();
    assert_eq!(item.len(), 7);
    assert_eq!(serde_json::to_value(&item).unwrap(), sample);
}

#[test]
fn malformed_values_are_validation_errors_with_dynamodb_messages() {
    let invalid = "One or more parameter values were invalid: ";
    assert_eq!(
        validation(json!({})),
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    );
    assert_eq!(
        validation(json!({"S": "a", "N": "1"})),
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
    );
    assert_eq!(
        validation(json!({"NULL": false})),
        format!("{invalid}Null attribute value types must have the value of true")
    );
    assert_eq!(
        validation(json!({"SS": []})),
        format!("{invalid}An string set  may not be empty")
    );
    assert_eq!(
        validation(json!({"NS": []})),
        format!("{invalid}An number set  may not be empty")
    );
    assert_eq!(
        validation(json!({"BS": []})),
        format!("{invalid}Binary sets should not be empty")
    );
    assert_eq!(
        validation(json!({"SS": ["a", "a"]})),
        format!("{invalid}Input collection [a, a] contains duplicates.")
    );
    assert_eq!(
        validation(json!({"NS": ["1", "1.0"]})),
        "Input collection contains duplicates"
    );
    assert_eq!(
        validation(json!({"BS": ["AQ==", "AQ=="]})),
        format!("{invalid}Input collection [AQ==, AQ==]of type BS contains duplicates.")
    );
    assert_eq!(
        validation(json!({"N": "abc"})),
        "The parameter cannot be converted to a numeric value: abc"
    );
    assert_eq!(
        validation(json!({"N": "1e126"})),
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    );
    assert_eq!(
        validation(json!({"NS": ["1", "x"]})),
        "The parameter cannot be converted to a numeric value: x"
    );
    // Empty sets are rejected at any depth; empty strings inside are fine.
    assert_eq!(
        validation(json!({"M": {"a": {"L": [{"SS": []}]}}})),
        format!("{invalid}An string set  may not be empty")
    );
    assert_eq!(
        decode(&json!({"L": [{"S": ""}], })),
        AttributeValue::L(vec![AttributeValue::S(String::new())])
    );
}

#[test]
fn wrong_json_shapes_are_serialization_errors() {
    assert!(serialization(r#"{"S": 1}"#).contains("invalid type"));
    assert!(serialization(r#"{"BOOL": "true"}"#).contains("invalid type"));
    assert!(serialization(r#"{"L": {}}"#).contains("invalid type"));
    assert!(serialization(r#"["S", "x"]"#).contains("invalid type"));
    assert!(serialization(r#"{"S": "x""#).contains("EOF"));
    assert!(
        serialization(r#"{"B": "abc"}"#)
            .starts_with("Base64 encoded length is expected a multiple of 4 bytes but found: 3"),
    );
    assert!(
        serialization(r#"{"BS": ["abc"]}"#)
            .contains("Base64 encoded length is expected a multiple of 4 bytes but found: 3")
    );
}

#[test]
fn unknown_type_members_are_ignored_beside_a_known_one() {
    // DynamoDB ignores members it does not model.
    assert_eq!(
        decode(&json!({"S": "x", "Q": 1})),
        AttributeValue::S("x".into())
    );
    // Explicit nulls count as absent.
    assert_eq!(
        decode(&json!({"S": null, "N": "1"})),
        AttributeValue::N(n("1"))
    );
}

#[test]
fn key_values_order_like_dynamodb_sort_keys() {
    let s = |v: &str| KeyValue::S(v.into());
    assert!(s("Z") < s("a"));
    assert!(s("a") < s("ab"));
    assert!(s("ab") < s("b"));
    assert!(s("z") < s("é"), "UTF-8 bytes: 0xC3 sorts after ASCII");
    let b = |v: &[u8]| KeyValue::B(v.to_vec());
    assert!(b(&[0x7f]) < b(&[0x80]), "bytes are unsigned");
    assert!(b(&[0x80]) < b(&[0xff]));
    assert!(b(&[]) < b(&[0]));
    assert!(KeyValue::N(n("-1")) < KeyValue::N(n("0.5")));
    assert!(
        KeyValue::N(n("9")) < KeyValue::N(n("10")),
        "numbers compare numerically, not as text"
    );
}
