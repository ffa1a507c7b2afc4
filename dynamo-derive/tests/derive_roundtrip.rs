//! Every supported field type survives a trip through an item and through
//! DynamoDB's JSON wire format, and a user reading a mismatched item learns
//! which attribute is wrong.

use dynamo::{Attribute, AttributeError, AttributeMap, AttributeValue, Item, Number};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

#[derive(dynamo::Attribute, Debug, Clone, PartialEq)]
enum Status {
    Placed,
    Shipped,
}

#[derive(dynamo::Attribute, Debug, Clone, PartialEq)]
struct Line {
    sku: String,
    qty: u32,
    note: Option<String>,
}

#[derive(dynamo::Item, Debug, Clone, PartialEq)]
#[dynamo(table = "everything")]
struct Everything {
    #[dynamo(partition_key)]
    id: String,
    #[dynamo(sort_key)]
    version: u64,
    i8: i8,
    i16: i16,
    i32: i32,
    i64: i64,
    i128: i128,
    isize: isize,
    u8: u8,
    u16: u16,
    u32: u32,
    u128: u128,
    usize: usize,
    f32: f32,
    f64: f64,
    flag: bool,
    blob: Vec<u8>,
    maybe: Option<String>,
    maybe_not: Option<u32>,
    list: Vec<i64>,
    deque: VecDeque<String>,
    map: HashMap<String, f64>,
    tree: BTreeMap<String, Vec<u8>>,
    strings: HashSet<String>,
    numbers: HashSet<u32>,
    binaries: BTreeSet<Vec<u8>>,
    empty_set: HashSet<String>,
    status: Status,
    line: Line,
    lines: Vec<Line>,
    maybe_line: Option<Line>,
    exact: Number,
    raw: AttributeValue,
}

fn sample() -> Everything {
    Everything {
        id: "ü-1".into(),
        version: 7,
        i8: i8::MIN,
        i16: i16::MAX,
        i32: -42,
        i64: i64::MIN,
        i128: -170_141_183_460_469_231_731_687_303_715_884_105, // 36 digits
        isize: isize::MAX,
        u8: u8::MAX,
        u16: 0,
        u32: u32::MAX,
        u128: 99_999_999_999_999_999_999_999_999_999_999_999_999, // 38 digits
        usize: 12,
        f32: 0.1,
        f64: -2.5e-10,
        flag: true,
        blob: vec![0, 1, 254, 255],
        maybe: Some("here".into()),
        maybe_not: None,
        list: vec![1, -2, 3],
        deque: VecDeque::from(["a".to_owned(), "b".to_owned()]),
        map: HashMap::from([("ratio".into(), 1.25), ("rate".into(), -0.07)]),
        tree: BTreeMap::from([("k".into(), vec![9, 8])]),
        strings: HashSet::from(["red".into(), "blue".into()]),
        numbers: HashSet::from([1, 2, 3]),
        binaries: BTreeSet::from([vec![1], vec![2, 2]]),
        empty_set: HashSet::new(),
        status: Status::Shipped,
        line: Line {
            sku: "s1".into(),
            qty: 2,
            note: None,
        },
        lines: vec![
            Line {
                sku: "a".into(),
                qty: 1,
                note: Some("gift".into()),
            },
            Line {
                sku: "b".into(),
                qty: 5,
                note: None,
            },
        ],
        maybe_line: Some(Line {
            sku: "c".into(),
            qty: 0,
            note: None,
        }),
        exact: "12345678901234567890.123456789".parse().unwrap(),
        raw: AttributeValue::L(vec![AttributeValue::Null, AttributeValue::Bool(false)]),
    }
}

fn through_wire(item: &AttributeMap) -> AttributeMap {
    let json = serde_json::to_vec(item).unwrap();
    dynamo::decode_json(&json).unwrap()
}

#[test]
fn every_supported_type_round_trips_through_an_item_and_the_wire() {
    let value = sample();
    let item = value.to_item().unwrap();
    assert_eq!(Everything::from_item(item.clone()).unwrap(), value);
    assert_eq!(Everything::from_item(through_wire(&item)).unwrap(), value);
}

#[test]
fn each_rust_type_is_stored_as_the_dynamodb_type_a_user_expects() {
    let item = sample().to_item().unwrap();
    let ty = |name: &str| item[name].type_name();
    for name in ["i8", "i64", "i128", "u128", "f32", "f64", "exact"] {
        assert_eq!(ty(name), "N", "{name}");
    }
    assert_eq!(ty("id"), "S");
    assert_eq!(ty("flag"), "BOOL");
    assert_eq!(ty("blob"), "B");
    assert_eq!(ty("list"), "L");
    assert_eq!(ty("deque"), "L");
    assert_eq!(ty("lines"), "L");
    assert_eq!(ty("map"), "M");
    assert_eq!(ty("tree"), "M");
    assert_eq!(ty("line"), "M");
    assert_eq!(ty("strings"), "SS");
    assert_eq!(ty("numbers"), "NS");
    assert_eq!(ty("binaries"), "BS");
    assert_eq!(ty("status"), "S");
    assert_eq!(item["status"], AttributeValue::S("Shipped".into()));
    assert_eq!(
        format!("{:?}", item["f32"]),
        r#"{"N":"0.1"}"#,
        "floats keep their shortest form"
    );
    assert_eq!(format!("{:?}", item["f64"]), r#"{"N":"-0.00000000025"}"#);
    // None and empty sets are left out of the item rather than stored as NULL.
    assert!(!item.contains_key("maybe_not"));
    assert!(!item.contains_key("empty_set"));
}

#[test]
fn missing_optional_attributes_and_nulls_read_as_none() {
    let mut item = sample().to_item().unwrap();
    item.remove("maybe");
    item.insert("maybe_line".into(), AttributeValue::Null);
    let read = Everything::from_item(item).unwrap();
    assert_eq!(read.maybe, None);
    assert_eq!(read.maybe_line, None);
}

#[test]
fn keys_and_the_table_schema_come_from_the_key_fields() {
    let key = Everything::key("ü-1", 7);
    assert_eq!(
        key.attributes(),
        &AttributeMap::from([
            ("id".to_owned(), AttributeValue::S("ü-1".into())),
            ("version".to_owned(), AttributeValue::N(Number::from(7))),
        ])
    );
    assert_eq!(sample().primary_key(), key);
    let schema = Everything::SCHEMA;
    assert_eq!(schema.table_name, "everything");
    assert_eq!(schema.partition_key.name, "id");
    assert_eq!(
        schema.partition_key.scalar_type,
        dynamo::schema::ScalarAttributeType::S
    );
    let sort = schema.sort_key.unwrap();
    assert_eq!(
        (sort.name, sort.scalar_type),
        ("version", dynamo::schema::ScalarAttributeType::N)
    );
}

#[test]
fn a_missing_required_attribute_is_named() {
    let mut item = sample().to_item().unwrap();
    item.remove("u32");
    assert_eq!(
        Everything::from_item(item).unwrap_err(),
        AttributeError::Missing { path: "u32".into() }
    );
}

#[test]
fn a_mistyped_nested_attribute_is_named_by_its_path() {
    let mut item = sample().to_item().unwrap();
    let AttributeValue::L(lines) = item.get_mut("lines").unwrap() else {
        unreachable!()
    };
    let AttributeValue::M(second) = &mut lines[1] else {
        unreachable!()
    };
    second.insert("qty".into(), AttributeValue::S("five".into()));
    let err = Everything::from_item(item).unwrap_err();
    assert_eq!(
        err,
        AttributeError::TypeMismatch {
            path: "lines[1].qty".into(),
            expected: "N",
            found: "S"
        }
    );
    assert_eq!(
        err.to_string(),
        "attribute `lines[1].qty`: expected N, found S"
    );
}

#[test]
fn values_that_do_not_fit_are_errors_not_silent_changes() {
    let mut item = sample().to_item().unwrap();
    item.insert("u8".into(), AttributeValue::N(Number::from(256)));
    assert!(
        matches!(Everything::from_item(item).unwrap_err(), AttributeError::Invalid { path, .. } if path == "u8")
    );

    let mut item = sample().to_item().unwrap();
    item.insert("status".into(), AttributeValue::S("Lost".into()));
    assert_eq!(
        Everything::from_item(item).unwrap_err().to_string(),
        "attribute `status`: unknown Status variant `Lost`; expected one of Placed, Shipped"
    );

    let mut nan = sample();
    nan.f64 = f64::NAN;
    assert!(
        matches!(nan.to_item().unwrap_err(), AttributeError::Invalid { path, .. } if path == "f64")
    );
    let mut tiny = sample();
    tiny.f64 = 1e-300;
    assert_eq!(
        tiny.to_item().unwrap_err().to_string(),
        "attribute `f64`: Number underflow. Attempting to store a number with magnitude smaller than supported range"
    );
    assert!(
        Attribute::to_attribute(&u128::MAX).is_err(),
        "39 digits do not fit a DynamoDB number"
    );
    let mut item = sample().to_item().unwrap();
    item.insert("f32".into(), AttributeValue::N("1e100".parse().unwrap()));
    assert_eq!(
        Everything::from_item(item).unwrap_err().to_string(),
        "attribute `f32`: 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 is out of range for f32"
    );
}

proptest! {
    #[test]
    fn arbitrary_values_round_trip(
        id in "\\PC{1,20}",
        version in any::<u64>(),
        i64v in any::<i64>(),
        f in any::<f64>().prop_filter("finite, in range", |f| f.is_finite() && (*f == 0.0 || (f.abs() > 1e-120 && f.abs() < 1e120))),
        blob in proptest::collection::vec(any::<u8>(), 0..40),
        strings in proptest::collection::hash_set("\\PC{0,8}", 0..6),
        list in proptest::collection::vec(any::<i32>(), 0..10),
        maybe in proptest::option::of("\\PC{0,10}"),
    ) {
        let mut value = sample();
        value.id = id;
        value.version = version;
        value.i64 = i64v;
        value.f64 = f;
        value.blob = blob;
        value.strings = strings;
        value.list = list.into_iter().map(i64::from).collect();
        value.maybe = maybe;
        let item = value.to_item().unwrap();
        prop_assert_eq!(&Everything::from_item(through_wire(&item)).unwrap(), &value);
    }
}
