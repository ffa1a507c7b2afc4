//! BatchGetItem and BatchWriteItem: happy paths and DynamoDB's errors.

mod common;

use common::*;
use dynamo_core::ops::*;
use dynamo_core::{AttributeMap, Backend, Error};
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
    let out = engine
        .batch_write_item(BatchWriteItemInput {
            request_items: requests,
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    assert!(out.unprocessed_items.is_empty());

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

#[tokio::test]
async fn a_batch_get_over_16_mb_returns_the_rest_as_unprocessed_keys() {
    let engine = engine().await;
    // 50 items of ~390 KB: about 19.5 MB in all.
    for i in 0..50 {
        let mut big = key("big", i);
        big.insert("d".into(), s(&"x".repeat(390_000)));
        engine
            .put_item(PutItemInput::new("orders", big))
            .await
            .unwrap();
    }
    let keys: Vec<_> = (0..50).map(|i| key("big", i)).collect();
    let out = engine
        .batch_get_item(get("orders", keys.clone()))
        .await
        .unwrap();
    let returned = out.responses["orders"].len();
    let unprocessed = out.unprocessed_keys["orders"].keys.clone();
    assert!((40..50).contains(&returned), "returned {returned}");
    assert_eq!(returned + unprocessed.len(), 50);
    // Asking again for the unprocessed keys returns them.
    let again = engine
        .batch_get_item(get("orders", unprocessed.clone()))
        .await
        .unwrap();
    assert_eq!(again.responses["orders"].len(), unprocessed.len());
}
