//! Transactions that conflict as DynamoDB's do, on both backends (the
//! in-process engine, and aws-sdk-dynamodb against `dynamo-local serve`
//! over the same engine): while a TransactWriteItems is held in flight by
//! the engine's gate, single-item writes of its items fail with
//! `TransactionConflictException`, other transactions touching them are
//! cancelled with the `TransactionConflict` reason, batches return them
//! unprocessed, reads see the state
//! before it, and a retry with the same client token is
//! `TransactionInProgressException`. Concurrent same-token retries apply
//! once.

use dynamo::ops::*;
use dynamo::{Client, Error, decode_json};
use dynamo_local::Engine;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

mod common;

fn req<T: DeserializeOwned>(v: Value) -> T {
    decode_json(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{v}: {e:?}"))
}

async fn accounts(db: &Client) {
    db.backend()
        .create_table(req(json!({
            "TableName": "accounts",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        })))
        .await
        .unwrap();
    for (id, balance) in [("a", 100), ("b", 100), ("c", 100)] {
        db.backend()
            .put_item(req(json!({
                "TableName": "accounts",
                "Item": {"id": {"S": id}, "balance": {"N": balance.to_string()}}
            })))
            .await
            .unwrap();
    }
}

async fn balance(db: &Client, id: &str) -> String {
    let output = db
        .backend()
        .get_item(req(json!({
            "TableName": "accounts", "Key": {"id": {"S": id}}, "ConsistentRead": true
        })))
        .await
        .unwrap();
    let item = output.item.unwrap();
    serde_json::to_value(&item["balance"]).unwrap()["N"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Moves `amount` from `from` to `to` if `from` has it.
fn transfer(from: &str, to: &str, amount: u32, token: Option<&str>) -> TransactWriteItemsInput {
    let mut request = json!({"TransactItems": [
        {"Update": {
            "TableName": "accounts", "Key": {"id": {"S": from}},
            "UpdateExpression": "SET balance = balance - :n",
            "ConditionExpression": "balance >= :n",
            "ExpressionAttributeValues": {":n": {"N": amount.to_string()}}
        }},
        {"Update": {
            "TableName": "accounts", "Key": {"id": {"S": to}},
            "UpdateExpression": "SET balance = balance + :n",
            "ExpressionAttributeValues": {":n": {"N": amount.to_string()}}
        }}
    ]});
    if let Some(token) = token {
        request["ClientRequestToken"] = json!(token);
    }
    req(request)
}

fn conflict_codes(error: &Error) -> Vec<String> {
    match error {
        Error::TransactionCanceled { reasons, .. } => {
            reasons.iter().map(|r| r.code.clone()).collect()
        }
        other => panic!("expected a cancelled transaction, got {other:?}"),
    }
}

/// Starts `input` in a task and waits until the engine's gate holds it.
async fn in_flight(
    db: &Client,
    gate: &dynamo_local::TransactionGate,
    input: TransactWriteItemsInput,
) -> tokio::task::JoinHandle<dynamo::Result<TransactWriteItemsOutput>> {
    let before = gate.in_flight();
    let task = {
        let db = db.clone();
        tokio::spawn(async move { db.backend().transact_write_items(input).await })
    };
    gate.wait_for_in_flight(before + 1).await;
    task
}

async fn writes_of_held_items_conflict_and_reads_see_the_state_before(db: Client, engine: Engine) {
    accounts(&db).await;
    let gate = engine.hold_transactions();
    let held = in_flight(&db, &gate, transfer("a", "b", 30, None)).await;

    // Single-item writes of a held item are refused.
    let put = db
        .backend()
        .put_item(req(json!({
            "TableName": "accounts", "Item": {"id": {"S": "a"}, "balance": {"N": "0"}}
        })))
        .await
        .unwrap_err();
    assert_eq!(put.error_type(), "TransactionConflictException");
    assert_eq!(put.message(), "Transaction is ongoing for the item");
    let update = db
        .backend()
        .update_item(req(json!({
            "TableName": "accounts", "Key": {"id": {"S": "b"}},
            "UpdateExpression": "SET balance = :z", "ExpressionAttributeValues": {":z": {"N": "0"}}
        })))
        .await
        .unwrap_err();
    assert_eq!(update.error_type(), "TransactionConflictException");
    let delete = db
        .backend()
        .delete_item(req(
            json!({"TableName": "accounts", "Key": {"id": {"S": "a"}}}),
        ))
        .await
        .unwrap_err();
    assert_eq!(delete.error_type(), "TransactionConflictException");

    // Another transaction touching a held item is cancelled, naming it.
    let other = db
        .backend()
        .transact_write_items(transfer("c", "b", 5, None))
        .await
        .unwrap_err();
    assert_eq!(conflict_codes(&other), ["None", "TransactionConflict"]);
    let Error::TransactionCanceled { message, reasons } = &other else {
        unreachable!()
    };
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]"
    );
    assert_eq!(
        reasons[1].message.as_deref(),
        Some("Transaction is ongoing for the item")
    );
    let read = db
        .backend()
        .transact_get_items(req(json!({"TransactItems": [
            {"Get": {"TableName": "accounts", "Key": {"id": {"S": "c"}}}},
            {"Get": {"TableName": "accounts", "Key": {"id": {"S": "a"}}}}
        ]})))
        .await
        .unwrap_err();
    assert_eq!(conflict_codes(&read), ["None", "TransactionConflict"]);

    // A batch writes what it can and returns the held item unprocessed.
    let batch = db
        .backend()
        .batch_write_item(req(json!({"RequestItems": {"accounts": [
            {"PutRequest": {"Item": {"id": {"S": "a"}, "balance": {"N": "0"}}}},
            {"PutRequest": {"Item": {"id": {"S": "d"}, "balance": {"N": "1"}}}}
        ]}})))
        .await
        .unwrap();
    let left = &batch.unprocessed_items["accounts"];
    assert_eq!(left.len(), 1);
    assert_eq!(
        serde_json::to_value(&left[0]).unwrap(),
        json!({"PutRequest": {"Item": {"id": {"S": "a"}, "balance": {"N": "0"}}}})
    );
    assert_eq!(balance(&db, "d").await, "1");

    // Plain reads see the state before the transaction; other items are free.
    assert_eq!(balance(&db, "a").await, "100");
    assert_eq!(balance(&db, "b").await, "100");
    db.backend()
        .update_item(req(json!({
            "TableName": "accounts", "Key": {"id": {"S": "c"}},
            "UpdateExpression": "SET balance = balance + :n",
            "ExpressionAttributeValues": {":n": {"N": "1"}}
        })))
        .await
        .unwrap();

    gate.release();
    held.await.unwrap().unwrap();
    assert_eq!(balance(&db, "a").await, "70");
    assert_eq!(balance(&db, "b").await, "130");
    assert_eq!(balance(&db, "c").await, "101");
    // Released: the items take writes again, and transactions run through.
    db.backend()
        .transact_write_items(transfer("b", "a", 30, None))
        .await
        .unwrap();
    assert_eq!(balance(&db, "a").await, "100");
}

async fn a_retry_while_the_first_is_in_flight_is_in_progress(db: Client, engine: Engine) {
    accounts(&db).await;
    let gate = engine.hold_transactions();
    let first = in_flight(&db, &gate, transfer("a", "b", 10, Some("t-1"))).await;

    let retry = db
        .backend()
        .transact_write_items(transfer("a", "b", 10, Some("t-1")))
        .await
        .unwrap_err();
    assert_eq!(retry.error_type(), "TransactionInProgressException");
    assert_eq!(
        retry.message(),
        "Transaction from previous request is still in progress"
    );
    let different = db
        .backend()
        .transact_write_items(transfer("a", "b", 11, Some("t-1")))
        .await
        .unwrap_err();
    assert_eq!(
        different.error_type(),
        "IdempotentParameterMismatchException"
    );

    gate.release();
    first.await.unwrap().unwrap();
    // Once it completed, a retry succeeds without applying it again.
    db.backend()
        .transact_write_items(transfer("a", "b", 10, Some("t-1")))
        .await
        .unwrap();
    assert_eq!(balance(&db, "a").await, "90");
    assert_eq!(balance(&db, "b").await, "110");
}

async fn a_transaction_dropped_in_flight_releases_its_items_and_token(db: Client, engine: Engine) {
    accounts(&db).await;
    let gate = engine.hold_transactions();
    let held = in_flight(&db, &gate, transfer("a", "b", 10, Some("t-2"))).await;
    held.abort();
    let _ = held.await;
    // The in-process future is dropped at once; over HTTP the server drops
    // it when it notices the closed connection: wait for that.
    for _ in 0..200 {
        if gate.in_flight() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(gate.in_flight(), 0, "the aborted transaction left the gate");
    gate.release();
    db.backend()
        .put_item(req(json!({
            "TableName": "accounts", "Item": {"id": {"S": "a"}, "balance": {"N": "5"}}
        })))
        .await
        .unwrap();
    // The token was not used up: a retry runs (and fails its condition).
    let retry = db
        .backend()
        .transact_write_items(transfer("a", "b", 10, Some("t-2")))
        .await
        .unwrap_err();
    assert_eq!(conflict_codes(&retry), ["ConditionalCheckFailed", "None"]);
    assert_eq!(balance(&db, "b").await, "100");
}

async fn concurrent_retries_with_one_token_apply_once(db: Client, _engine: Engine) {
    accounts(&db).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (db, barrier) = (db.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                db.backend()
                    .transact_write_items(transfer("a", "b", 1, Some("same")))
                    .await
            })
        })
        .collect();
    let mut succeeded = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => succeeded += 1,
            Err(e) => assert_eq!(e.error_type(), "TransactionInProgressException", "{e}"),
        }
    }
    assert!(succeeded >= 1);
    assert_eq!(balance(&db, "a").await, "99", "applied exactly once");
    assert_eq!(balance(&db, "b").await, "101");
}

/// The token check survives the request being rebuilt with its maps in
/// another order: the fingerprint does not depend on map order.
async fn a_retry_with_maps_in_another_order_is_the_same_request(db: Client, _engine: Engine) {
    accounts(&db).await;
    let first = transfer("a", "b", 7, Some("t-3"));
    db.backend().transact_write_items(first).await.unwrap();
    let mut rebuilt: Value = json!({"TransactItems": [
        {"Update": {
            "ExpressionAttributeValues": {":n": {"N": "7"}},
            "ConditionExpression": "balance >= :n",
            "UpdateExpression": "SET balance = balance - :n",
            "Key": {"id": {"S": "a"}}, "TableName": "accounts"
        }},
        {"Update": {
            "ExpressionAttributeValues": {":n": {"N": "7"}},
            "UpdateExpression": "SET balance = balance + :n",
            "Key": {"id": {"S": "b"}}, "TableName": "accounts"
        }}
    ]});
    rebuilt["ClientRequestToken"] = json!("t-3");
    db.backend()
        .transact_write_items(req(rebuilt))
        .await
        .unwrap();
    assert_eq!(balance(&db, "a").await, "93", "applied once");
}

macro_rules! with_engine_on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod in_process {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    let engine = dynamo_local::Engine::new();
                    super::$scenario(dynamo::Client::new(engine.clone()), engine).await;
                }
            )*
        }

        mod aws_sdk_over_http {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    let engine = dynamo_local::Engine::new();
                    let server = crate::common::serve_engine(engine.clone()).await;
                    super::$scenario(crate::common::aws_client(&server), engine).await;
                    server.shutdown().await;
                }
            )*
        }
    };
}

with_engine_on_both_backends!(
    writes_of_held_items_conflict_and_reads_see_the_state_before,
    a_retry_while_the_first_is_in_flight_is_in_progress,
    a_transaction_dropped_in_flight_releases_its_items_and_token,
    concurrent_retries_with_one_token_apply_once,
    a_retry_with_maps_in_another_order_is_the_same_request,
);
