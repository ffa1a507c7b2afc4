//! Field options and the optional type conversions: every supported type
//! survives a trip through an item and through DynamoDB's JSON wire format
//! (property-tested), and is stored as the DynamoDB type a user expects.

use dynamo::{Attribute, AttributeError, AttributeMap, AttributeValue, Item, KeyPart};
use proptest::prelude::*;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Attribute, Debug, Clone, PartialEq)]
#[dynamo(rename_all = "snake_case")]
enum Payment {
    #[dynamo(rename = "CASH")]
    Cash,
    Card {
        last4: String,
        expiry_month: u8,
    },
    Voucher(String),
    Split(Vec<Payment>),
}

#[derive(Attribute, Debug, Clone, PartialEq)]
#[dynamo(tag = "kind", content = "data")]
enum Event {
    Started,
    Moved(Position),
}

#[derive(Attribute, Debug, Clone, PartialEq)]
struct Position {
    lat: f64,
    lon: f64,
}

#[derive(Attribute, Debug, Clone, PartialEq)]
struct Audit {
    created_by: String,
    reason: Option<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
struct Preferences {
    theme: String,
    shortcuts: Vec<String>,
    volume: u8,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "everything_else", pk = "THING#{id}")]
struct Thing {
    id: uuid::Uuid,
    seen_at: SystemTime,
    #[dynamo(with = dynamo::epoch_seconds)]
    seen_epoch: SystemTime,
    #[dynamo(ttl)]
    expires_at: Option<SystemTime>,
    #[dynamo(set)]
    labels: Vec<String>,
    #[dynamo(set)]
    scores: VecDeque<u32>,
    #[dynamo(binary)]
    digest: [u8; 4],
    #[dynamo(null)]
    nickname: Option<String>,
    #[dynamo(flatten)]
    audit: Audit,
    #[dynamo(serde)]
    preferences: Preferences,
    payment: Payment,
    events: Vec<Event>,
    chrono_at: chrono::DateTime<chrono::Utc>,
    time_at: time::OffsetDateTime,
    #[dynamo(with = dynamo::epoch_seconds)]
    chrono_epoch: Option<chrono::DateTime<chrono::Utc>>,
    price: rust_decimal::Decimal,
    blob: bytes::Bytes,
}

fn thing() -> Thing {
    let t = UNIX_EPOCH + Duration::new(1_764_089_981, 123_456_789);
    Thing {
        id: uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
        seen_at: t,
        seen_epoch: t,
        expires_at: Some(UNIX_EPOCH + Duration::from_secs(1_900_000_000)),
        labels: vec!["a".into(), "b".into()],
        scores: VecDeque::from([1, 5, 9]),
        digest: [0xde, 0xad, 0xbe, 0xef],
        nickname: None,
        audit: Audit {
            created_by: "ops".into(),
            reason: Some("import".into()),
        },
        preferences: Preferences {
            theme: "dark".into(),
            shortcuts: vec!["ctrl-k".into()],
            volume: 7,
        },
        payment: Payment::Card {
            last4: "4242".into(),
            expiry_month: 12,
        },
        events: vec![
            Event::Started,
            Event::Moved(Position {
                lat: 48.85,
                lon: 2.35,
            }),
        ],
        chrono_at: chrono::DateTime::<chrono::Utc>::from(t),
        time_at: time::OffsetDateTime::from(t),
        chrono_epoch: Some(chrono::DateTime::<chrono::Utc>::from(t)),
        price: "19.990".parse().unwrap(),
        blob: bytes::Bytes::from_static(b"\x00\x01"),
    }
}

fn through_wire(item: &AttributeMap) -> AttributeMap {
    let json = serde_json::to_vec(item).unwrap();
    dynamo::decode_json(&json).unwrap()
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

#[test]
fn each_option_and_type_is_stored_the_way_its_documentation_says() {
    let item = thing().to_item().unwrap();
    assert_eq!(item["id"], s("12345678-9abc-def0-1234-56789abcdef0"));
    assert_eq!(item["pk"], s("THING#12345678-9abc-def0-1234-56789abcdef0"));
    assert_eq!(item["seen_at"], s("2025-11-25T16:59:41.123456789Z"));
    assert_eq!(
        item["seen_epoch"],
        AttributeValue::N("1764089981.123456789".parse().unwrap())
    );
    assert_eq!(
        item["expires_at"],
        AttributeValue::N("1900000000".parse().unwrap())
    );
    assert_eq!(item["labels"].type_name(), "SS");
    assert_eq!(item["scores"].type_name(), "NS");
    assert_eq!(
        item["digest"],
        AttributeValue::B(vec![0xde, 0xad, 0xbe, 0xef])
    );
    assert_eq!(item["nickname"], AttributeValue::Null);
    // Flattened: the audit's attributes sit at the top of the item.
    assert_eq!(item["created_by"], s("ops"));
    assert!(!item.contains_key("audit"));
    assert_eq!(item["preferences"].type_name(), "M");
    let AttributeValue::M(payment) = &item["payment"] else {
        panic!("payment is a map")
    };
    assert_eq!(payment["type"], s("card"));
    assert_eq!(payment["last4"], s("4242"));
    let AttributeValue::L(events) = &item["events"] else {
        panic!("events is a list")
    };
    let AttributeValue::M(moved) = &events[1] else {
        panic!("an event is a map")
    };
    assert_eq!(moved["kind"], s("Moved"));
    assert_eq!(moved["data"].type_name(), "M");
    assert_eq!(item["chrono_at"], item["seen_at"]);
    assert_eq!(item["time_at"], item["seen_at"]);
    assert_eq!(item["price"], AttributeValue::N("19.99".parse().unwrap()));
    assert_eq!(item["blob"], AttributeValue::B(vec![0, 1]));
    let cash = Payment::Cash.to_attribute().unwrap();
    assert_eq!(
        cash,
        AttributeValue::M(AttributeMap::from([("type".to_owned(), s("CASH"))]))
    );
}

#[test]
fn the_whole_item_round_trips_through_the_wire() {
    let value = thing();
    let item = value.to_item().unwrap();
    assert_eq!(Thing::from_item(through_wire(&item)).unwrap(), value);
}

#[test]
fn a_set_field_refuses_duplicates_and_a_wrong_width_array_is_an_error() {
    let mut dup = thing();
    dup.labels = vec!["a".into(), "a".into()];
    assert_eq!(
        dup.to_item().unwrap_err().to_string(),
        "attribute `labels`: a set cannot hold the same element twice"
    );
    let mut item = thing().to_item().unwrap();
    item.insert("digest".into(), AttributeValue::B(vec![1, 2, 3]));
    assert_eq!(
        Thing::from_item(item).unwrap_err().to_string(),
        "attribute `digest`: expected 4 bytes, found 3"
    );
    let mut item = thing().to_item().unwrap();
    item.insert(
        "payment".into(),
        AttributeValue::M(AttributeMap::from([("type".to_owned(), s("cheque"))])),
    );
    assert_eq!(
        Thing::from_item(item).unwrap_err().to_string(),
        "attribute `payment.type`: unknown Payment variant `cheque`; expected one of CASH, card, voucher, split"
    );
}

#[test]
fn a_decimal_that_does_not_fit_is_an_error_not_a_rounding() {
    let mut item = thing().to_item().unwrap();
    item.insert(
        "price".into(),
        AttributeValue::N("1.234567890123456789012345678901234".parse().unwrap()),
    );
    match Thing::from_item(item).unwrap_err() {
        AttributeError::Invalid { path, message } => {
            assert_eq!(path, "price");
            assert!(
                message.starts_with("1.234567890123456789012345678901234 does not fit a Decimal"),
                "{message}"
            );
        }
        other => panic!("expected an invalid price, got {other:?}"),
    }
}

#[test]
fn key_parts_render_as_in_the_template() {
    let mut out = String::new();
    uuid::Uuid::nil().write_key_part(&mut out);
    assert_eq!(out, "00000000-0000-0000-0000-000000000000");
}

fn payment() -> impl Strategy<Value = Payment> {
    let leaf = prop_oneof![
        Just(Payment::Cash),
        ("[0-9]{4}", 1u8..=12).prop_map(|(last4, expiry_month)| Payment::Card {
            last4,
            expiry_month
        }),
        "\\PC{0,12}".prop_map(Payment::Voucher),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        proptest::collection::vec(inner, 0..3).prop_map(Payment::Split)
    })
}

fn time_strategy() -> impl Strategy<Value = SystemTime> {
    // Years 1900 to 9999, any nanosecond.
    (-2_208_988_800i64..253_402_300_799, 0u32..1_000_000_000).prop_map(|(secs, nanos)| {
        if secs >= 0 {
            UNIX_EPOCH + Duration::new(secs as u64, nanos)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
                + Duration::from_nanos(u64::from(nanos))
        }
    })
}

proptest! {
    #[test]
    fn arbitrary_things_round_trip(
        id in any::<u128>(),
        seen in time_strategy(),
        epoch in time_strategy(),
        labels in proptest::collection::btree_set("\\PC{0,6}", 0..5),
        scores in proptest::collection::btree_set(any::<u32>(), 0..5),
        digest in any::<[u8; 4]>(),
        nickname in proptest::option::of("\\PC{0,8}"),
        reason in proptest::option::of("\\PC{0,8}"),
        volume in any::<u8>(),
        payment in payment(),
        lat in -90.0f64..90.0,
        price_units in any::<i64>(),
        price_scale in 0u32..10,
        blob in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let mut value = thing();
        value.id = uuid::Uuid::from_u128(id);
        value.seen_at = seen;
        value.seen_epoch = epoch;
        value.chrono_at = chrono::DateTime::<chrono::Utc>::from(seen);
        value.time_at = time::OffsetDateTime::from(seen);
        value.chrono_epoch = Some(chrono::DateTime::<chrono::Utc>::from(epoch));
        // Sets come back in set order.
        value.labels = labels.into_iter().collect();
        value.scores = scores.into_iter().collect();
        value.digest = digest;
        value.nickname = nickname;
        value.audit.reason = reason;
        value.preferences.volume = volume;
        value.payment = payment;
        value.events.push(Event::Moved(Position { lat, lon: -lat }));
        value.price = rust_decimal::Decimal::new(price_units, price_scale);
        value.blob = bytes::Bytes::from(blob);
        let item = value.to_item().unwrap();
        let back = Thing::from_item(through_wire(&item)).unwrap();
        prop_assert_eq!(back.price.normalize(), value.price.normalize());
        value.price = back.price;
        prop_assert_eq!(back, value);
    }

    #[test]
    fn zero_padded_keys_sort_like_their_numbers(a in any::<u64>(), b in any::<u64>()) {
        let render = |n: u64| {
            let mut out = String::new();
            dynamo::PaddedKeyPart::write_padded(&n, &mut out, 20);
            out
        };
        prop_assert_eq!(render(a).cmp(&render(b)), a.cmp(&b));
    }

    #[test]
    fn iso_timestamps_sort_like_their_times(a in time_strategy(), b in time_strategy()) {
        let text = |t: SystemTime| match t.to_attribute().unwrap() {
            AttributeValue::S(s) => s,
            other => panic!("{other:?}"),
        };
        prop_assert_eq!(text(a).cmp(&text(b)), a.cmp(&b));
    }
}

#[derive(Attribute, Debug, Clone, PartialEq)]
struct Envelope<T> {
    kind: String,
    payload: T,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "documents", pk = "DOC#{id}")]
struct Document<T>
where
    T: Clone,
{
    id: String,
    body: Envelope<T>,
    history: Vec<T>,
}

#[test]
fn generic_types_derive_for_each_payload_type() {
    let doc = Document {
        id: "d1".into(),
        body: Envelope {
            kind: "numbers".into(),
            payload: 7u32,
        },
        history: vec![1u32, 2],
    };
    let item = doc.to_item().unwrap();
    assert_eq!(
        Document::<u32>::from_item(through_wire(&item)).unwrap(),
        doc
    );
    let text = Document {
        id: "d2".into(),
        body: Envelope {
            kind: "text".into(),
            payload: "hello".to_owned(),
        },
        history: Vec::new(),
    };
    assert_eq!(
        Document::<String>::from_item(text.to_item().unwrap()).unwrap(),
        text
    );
    // A mismatched payload type is an error naming the attribute.
    assert_eq!(
        Document::<u32>::from_item(text.to_item().unwrap())
            .unwrap_err()
            .to_string(),
        "attribute `body.payload`: expected N, found S"
    );
    let _path: dynamo::Path<Document<u32>, Vec<u32>> = Document::<u32>::HISTORY;
}

#[test]
fn typed_items_convert_to_and_from_the_aws_sdk_attribute_values() {
    use aws_sdk_dynamodb::types::AttributeValue as Sdk;
    let value = thing();
    let sdk = dynamo_aws::sdk::to_sdk_item(&value).unwrap();
    assert_eq!(
        sdk["pk"],
        Sdk::S("THING#12345678-9abc-def0-1234-56789abcdef0".into())
    );
    assert!(matches!(sdk["scores"], Sdk::Ns(_)));
    assert_eq!(dynamo_aws::sdk::from_sdk_item::<Thing>(sdk).unwrap(), value);
    let bad = std::collections::HashMap::from([("n".to_owned(), Sdk::N("one".into()))]);
    assert_eq!(
        dynamo_aws::sdk::from_sdk_map(bad).unwrap_err(),
        dynamo::Error::Transport(
            "DynamoDB returned an invalid number `one`: The parameter cannot be converted to a numeric value: one"
                .into()
        )
    );
}
