//! BatchGetItem and BatchWriteItem: happy paths and DynamoDB's errors.

mod common;

use common::*;
use dynamo_core::expr::{Path, Projection};
use dynamo_core::ops::*;
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, AttributeValue, Backend, Error};
use dynamo_local::Engine;
use std::collections::HashMap;

async fn engine() -> Engine {
    let engine = Engine::new();
    engine.create_table(table("orders")).await.unwrap();
    engine.create_table(table("users")).await.unwrap();
    engine
}

fn key(pk: &str, sk: i64) -> AttributeMap {
    item(&[("pk", s(pk)), ("sk", n(sk))])
}

fn write(table: &str, requests: Vec<WriteRequest>) -> BatchWriteItemInput {
    BatchWriteItemInput {
        request_items: [(table.to_owned(), requests)].into(),
        return_consumed_capacity: None,
    }
}

fn get(table: &str, keys: Vec<AttributeMap>) -> BatchGetItemInput {
    BatchGetItemInput {
        request_items: [(
            table.to_owned(),
            KeysAndAttributes {
                keys,
                consistent_read: None,
                projection: None,
            },
        )]
        .into(),
        return_consumed_capacity: None,
    }
}

#[tokio::test]
async fn a_batch_writes_and_reads_across_tables() {
    let engine = engine().await;
    let mut requests = HashMap::new();
    requests.insert(
        "orders".to_owned(),
        (0..10)
            .map(|i| WriteRequest::PutRequest { item: key("c1", i) })
            .collect::<Vec<_>>(),
    );
    requests.insert(
        "users".to_owned(),
        vec![WriteRequest::PutRequest { item: key("u1", 0) }],
    );
    engine
        .batch_write_item(BatchWriteItemInput {
            request_items: requests,
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    // Every write landed: each item reads back as written.
    for (table, key) in (0..10)
        .map(|i| ("orders", key("c1", i)))
        .chain([("users", key("u1", 0))])
    {
        let got = engine
            .get_item(GetItemInput::new(table, key.clone()))
            .await
            .unwrap();
        assert_eq!(got.item, Some(key), "{table}");
    }

    let mut request_items = HashMap::new();
    request_items.insert(
        "orders".to_owned(),
        KeysAndAttributes {
            keys: vec![key("c1", 3), key("c1", 99)],
            consistent_read: Some(true),
            projection: None,
        },
    );
    request_items.insert(
        "users".to_owned(),
        KeysAndAttributes {
            keys: vec![key("u1", 0)],
            consistent_read: None,
            projection: None,
        },
    );
    let out = engine
        .batch_get_item(BatchGetItemInput {
            request_items,
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    assert_eq!(
        out.responses["orders"],
        vec![key("c1", 3)],
        "missing keys are simply absent"
    );
    assert_eq!(out.responses["users"], vec![key("u1", 0)]);
    assert!(out.unprocessed_keys.is_empty());

    // Deletes in a batch.
    engine
        .batch_write_item(write(
            "orders",
            vec![WriteRequest::DeleteRequest { key: key("c1", 3) }],
        ))
        .await
        .unwrap();
    let out = engine
        .batch_get_item(get("orders", vec![key("c1", 3)]))
        .await
        .unwrap();
    assert!(out.responses["orders"].is_empty());
}

#[tokio::test]
async fn batch_validation_errors_reject_the_whole_request() {
    let engine = engine().await;
    assert_eq!(
        validation(
            engine
                .batch_write_item(BatchWriteItemInput::default())
                .await
        ),
        "The requestItems parameter is required for BatchWriteItem"
    );
    assert_eq!(
        validation(engine.batch_get_item(BatchGetItemInput::default()).await),
        "The requestItems parameter is required for BatchGetItem"
    );
    let too_many = (0..26)
        .map(|i| WriteRequest::PutRequest { item: key("c", i) })
        .collect();
    let message = validation(engine.batch_write_item(write("orders", too_many)).await);
    assert!(
        message
            .starts_with("1 validation error detected: Value '{orders=[WriteRequest(PutRequest), "),
        "{message}"
    );
    assert!(message.ends_with("]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"), "{message}");
    let duplicate = vec![
        WriteRequest::PutRequest { item: key("c", 1) },
        WriteRequest::DeleteRequest { key: key("c", 1) },
    ];
    assert_eq!(
        validation(engine.batch_write_item(write("orders", duplicate)).await),
        "Provided list of item keys contains duplicates"
    );
    // A bad key anywhere rejects the batch before anything is written.
    let partly_bad = vec![
        WriteRequest::PutRequest { item: key("c", 1) },
        WriteRequest::PutRequest {
            item: item(&[("pk", s("c"))]),
        },
    ];
    assert_eq!(
        validation(engine.batch_write_item(write("orders", partly_bad)).await),
        "One or more parameter values were invalid: Missing the key sk in the item"
    );
    let out = engine
        .batch_get_item(get("orders", vec![key("c", 1)]))
        .await
        .unwrap();
    assert!(out.responses["orders"].is_empty());

    let keys = (0..101).map(|i| key("c", i)).collect();
    assert_eq!(
        validation(engine.batch_get_item(get("orders", keys)).await),
        "1 validation error detected: Value at 'RequestItems.orders.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100"
    );
    assert_eq!(
        validation(
            engine
                .batch_get_item(get("orders", vec![key("c", 1), key("c", 1)]))
                .await
        ),
        "Provided list of item keys contains duplicates"
    );
    let mut split = HashMap::new();
    split.insert(
        "orders".to_owned(),
        KeysAndAttributes {
            keys: (0..60).map(|i| key("c", i)).collect(),
            consistent_read: None,
            projection: None,
        },
    );
    split.insert(
        "users".to_owned(),
        KeysAndAttributes {
            keys: (0..41).map(|i| key("c", i)).collect(),
            consistent_read: None,
            projection: None,
        },
    );
    assert_eq!(
        validation(
            engine
                .batch_get_item(BatchGetItemInput {
                    request_items: split,
                    return_consumed_capacity: None
                })
                .await
        ),
        "Too many items requested for the BatchGetItem call"
    );
    assert_eq!(
        engine
            .batch_get_item(get("nope", vec![key("c", 1)]))
            .await
            .unwrap_err(),
        Error::ResourceNotFound("Requested resource not found".into())
    );
}

/// Stores `count` items under partition `pk` of `table`, each exactly
/// `size` bytes by DynamoDB's accounting, and returns their keys.
async fn put_items_of_size(
    engine: &Engine,
    table: &str,
    pk: &str,
    count: i64,
    size: usize,
) -> Vec<AttributeMap> {
    let mut keys = Vec::new();
    for i in 0..count {
        let key = key(pk, i);
        // The payload fills the item to `size`: its name "d" is one byte.
        let mut full = key.clone();
        full.insert("d".into(), s(&"x".repeat(size - item_size(&key) - 1)));
        assert_eq!(item_size(&full), size);
        engine
            .put_item(PutItemInput::new(table, full))
            .await
            .unwrap();
        keys.push(key);
    }
    keys
}

/// The keys of `items`, sorted by sort key.
fn keys_of(items: &[AttributeMap]) -> Vec<AttributeMap> {
    let mut keys: Vec<AttributeMap> = items
        .iter()
        .map(|i| {
            i.iter()
                .filter(|(k, _)| *k != "d")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .collect();
    keys.sort_by_key(|k| match &k["sk"] {
        AttributeValue::N(n) => i64::try_from(*n).unwrap(),
        other => panic!("sk {other:?}"),
    });
    keys
}

const SIXTEEN_MB: usize = 16 * 1024 * 1024;

#[tokio::test]
async fn a_batch_get_returns_at_most_16_mb_and_the_rest_as_unprocessed_keys() {
    let engine = engine().await;
    // 50 items of 390,000 bytes: 43 make 16,770,000 bytes, 44 would make
    // 17,160,000, past the 16,777,216-byte cap.
    let keys = put_items_of_size(&engine, "orders", "big", 50, 390_000).await;
    const { assert!(43 * 390_000 <= SIXTEEN_MB && 44 * 390_000 > SIXTEEN_MB) };
    let out = engine
        .batch_get_item(get("orders", keys.clone()))
        .await
        .unwrap();
    let returned = &out.responses["orders"];
    let unprocessed = out.unprocessed_keys["orders"].keys.clone();
    assert_eq!(returned.len(), 43);
    assert_eq!(unprocessed.len(), 7);
    let total: usize = returned.iter().map(item_size).sum();
    assert!(total <= SIXTEEN_MB, "{total} bytes returned");
    // Returned and unprocessed keys together are the keys asked for, once.
    let mut all = keys_of(returned);
    all.extend(keys_of(&unprocessed));
    assert_eq!(keys_of(&all), keys);
    // Asking again for the unprocessed keys returns their items whole.
    let again = engine
        .batch_get_item(get("orders", unprocessed.clone()))
        .await
        .unwrap();
    assert!(again.unprocessed_keys.is_empty());
    assert_eq!(keys_of(&again.responses["orders"]), keys_of(&unprocessed));
    assert!(
        again.responses["orders"]
            .iter()
            .all(|i| item_size(i) == 390_000)
    );

    // 2^18-byte items: 64 of them are exactly 16 MB, which still fits.
    let keys = put_items_of_size(&engine, "users", "exact", 70, 1 << 18).await;
    let out = engine
        .batch_get_item(get("users", keys.clone()))
        .await
        .unwrap();
    assert_eq!(out.responses["users"].len(), 64);
    assert_eq!(out.unprocessed_keys["users"].keys.len(), 6);

    // The cap counts what is returned: projected to their keys, all 70 fit.
    let mut projected = get("users", keys);
    projected.request_items.get_mut("users").unwrap().projection = Some(Projection {
        paths: vec![Path::attribute("pk"), Path::attribute("sk")],
    });
    let out = engine.batch_get_item(projected).await.unwrap();
    assert_eq!(out.responses["users"].len(), 70);
    assert!(out.unprocessed_keys.is_empty());
}
