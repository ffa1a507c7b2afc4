//! Seeded fault injection and provisioned-capacity enforcement, as an
//! application sees them: each fault kind fails (or delays, or cuts short)
//! the calls its rule picks, with DynamoDB's error types, messages and
//! throttling reasons, and applies nothing; every trigger picks the calls
//! it says; two engines with the same seed inject at the same calls; the
//! plan changes at run time; the server answers each fault in DynamoDB's
//! wire form; the admin endpoint is off unless asked for and then reads and
//! changes the plan over HTTP; `dynamo-local serve --fault/--admin` runs
//! them; tables in PROVISIONED mode throttle above their capacity when
//! enforcement is on, by a manual clock.
#![cfg(feature = "server")]

mod wire;

use dynamo_core::{Backend, CancellationReason, Error, ThrottlingReason, decode_json};
use dynamo_local::faults::{FaultKind, FaultPlan, FaultRule, FaultSpecError, Operation, Trigger};
use dynamo_local::server::{Server, ServerOptions};
use dynamo_local::{Engine, EngineOptions, ManualClock};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use wire::{Answer, amz_date, now, read_answer, send};

const ARN: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/orders";
const PROVISIONED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
const PROVISIONED_INDEX: &str = "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API";
const THROTTLING: &str = "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";
const REQUEST_LIMIT: &str = "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase";
const UNAVAILABLE: &str = "The request has failed due to a temporary failure of the server.";
const ONGOING: &str = "Transaction is ongoing for the item";

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    decode_json(value.to_string().as_bytes()).unwrap()
}

fn engine(specs: &[&str], seed: u64) -> Engine {
    Engine::with_options(EngineOptions {
        ttl_sweep_interval: None,
        seed,
        faults: FaultPlan::parse(specs).unwrap(),
        ..EngineOptions::default()
    })
}

/// `orders` (pk S) with a global index `by_status`, and `audit` (pk S).
async fn create_tables(engine: &Engine) {
    engine
        .create_table(input(json!({
            "TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "status", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}]
        })))
        .await
        .unwrap();
    engine
        .create_table(input(json!({
            "TableName": "audit", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]
        })))
        .await
        .unwrap();
}

fn order(pk: &str) -> Value {
    json!({"pk": {"S": pk}, "status": {"S": "open"}})
}

async fn put(engine: &Engine, table: &str, pk: &str) -> Result<(), Error> {
    engine
        .put_item(input(json!({"TableName": table, "Item": order(pk)})))
        .await
        .map(drop)
}

async fn exists(engine: &Engine, table: &str, pk: &str) -> bool {
    engine
        .get_item(input(
            json!({"TableName": table, "Key": {"pk": {"S": pk}}, "ConsistentRead": true}),
        ))
        .await
        .unwrap()
        .item
        .is_some()
}

fn reason(reason: &str, resource: &str) -> ThrottlingReason {
    ThrottlingReason {
        reason: reason.to_owned(),
        resource: resource.to_owned(),
    }
}

fn throttled(
    error_type: &str,
    message: &str,
    reasons: Vec<ThrottlingReason>,
    retry_after: Option<Duration>,
) -> Error {
    Error::Throttled {
        error_type: error_type.to_owned(),
        message: message.to_owned(),
        reasons,
        retry_after,
    }
}

#[tokio::test]
async fn each_throttle_fails_with_its_type_message_and_reason_and_writes_nothing() {
    let cases = [
        (
            "PutItem@orders:provisioned:retry_after=100ms",
            throttled(
                "ProvisionedThroughputExceededException",
                PROVISIONED,
                vec![reason("TableWriteProvisionedThroughputExceeded", ARN)],
                Some(Duration::from_millis(100)),
            ),
        ),
        (
            "PutItem:throttle",
            throttled(
                "ThrottlingException",
                THROTTLING,
                vec![reason("TableWriteKeyRangeThroughputExceeded", ARN)],
                None,
            ),
        ),
        (
            "@orders:request-limit:retry_after=2s",
            throttled(
                "RequestLimitExceeded",
                REQUEST_LIMIT,
                vec![reason("TableWriteAccountLimitExceeded", ARN)],
                Some(Duration::from_secs(2)),
            ),
        ),
    ];
    for (spec, expected) in cases {
        let engine = engine(&[], 0);
        create_tables(&engine).await;
        engine.faults().add(spec.parse().unwrap());
        assert_eq!(put(&engine, "orders", "o1").await, Err(expected), "{spec}");
        engine.faults().clear();
        assert!(!exists(&engine, "orders", "o1").await, "{spec} wrote");
    }
}

#[tokio::test]
async fn a_throttled_read_of_a_global_index_names_the_index() {
    let engine = engine(&["Query:throttle", "GetItem@orders:provisioned"], 0);
    create_tables(&engine).await;
    let query = engine
        .query(input(json!({
            "TableName": "orders", "IndexName": "by_status",
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "open"}}
        })))
        .await;
    assert_eq!(
        query.unwrap_err(),
        throttled(
            "ThrottlingException",
            THROTTLING,
            vec![reason(
                "IndexReadKeyRangeThroughputExceeded",
                &format!("{ARN}/index/by_status")
            )],
            None,
        )
    );
    let get = engine
        .get_item(input(
            json!({"TableName": "orders", "Key": {"pk": {"S": "o1"}}}),
        ))
        .await;
    assert_eq!(
        get.unwrap_err(),
        throttled(
            "ProvisionedThroughputExceededException",
            PROVISIONED,
            vec![reason("TableReadProvisionedThroughputExceeded", ARN)],
            None,
        )
    );
    // A rule for another table leaves this one alone.
    engine
        .faults()
        .set(FaultPlan::parse(["@audit:internal"]).unwrap());
    put(&engine, "orders", "o1").await.unwrap();
}

#[tokio::test]
async fn internal_errors_and_unavailability_fail_any_operation_and_apply_nothing() {
    let engine = engine(&[], 0);
    create_tables(&engine).await;
    engine.faults().add("internal:calls=1".parse().unwrap());
    engine
        .faults()
        .add("any:unavailable:calls=1".parse().unwrap());
    assert_eq!(
        put(&engine, "orders", "o1").await,
        Err(Error::InternalServerError("Internal server error".into()))
    );
    // The first failure wins; the second rule counted the call, so its
    // window has passed.
    let counts = engine.faults().injected();
    assert_eq!((counts[0].matched, counts[0].injected), (1, 1));
    assert_eq!((counts[1].matched, counts[1].injected), (1, 0));
    engine
        .faults()
        .set(FaultPlan::parse(["unavailable"]).unwrap());
    assert_eq!(
        engine
            .list_tables(input(json!({})))
            .await
            .map(|o| o.table_names),
        Err(Error::Service {
            error_type: "ServiceUnavailable".into(),
            message: UNAVAILABLE.into(),
        })
    );
    engine.faults().clear();
    assert!(!exists(&engine, "orders", "o1").await);
}

fn none() -> CancellationReason {
    CancellationReason {
        code: "None".into(),
        message: None,
        item: None,
    }
}

fn conflict() -> CancellationReason {
    CancellationReason {
        code: "TransactionConflict".into(),
        message: Some(ONGOING.into()),
        item: None,
    }
}

fn cancelled(reasons: Vec<CancellationReason>) -> Error {
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    Error::TransactionCanceled {
        message: format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ),
        reasons,
    }
}

fn transfer() -> Value {
    json!({"TransactItems": [
        {"Put": {"TableName": "orders", "Item": order("o1")}},
        {"Put": {"TableName": "audit", "Item": order("a1")}},
        {"Put": {"TableName": "orders", "Item": order("o2")}}
    ]})
}

#[tokio::test]
async fn conflicts_fail_single_item_writes_and_cancel_transactions_on_the_rules_table() {
    let engine = engine(&["@orders:conflict"], 0);
    create_tables(&engine).await;
    assert_eq!(
        put(&engine, "orders", "o1").await,
        Err(Error::Service {
            error_type: "TransactionConflictException".into(),
            message: ONGOING.into(),
        })
    );
    let write = engine.transact_write_items(input(transfer())).await;
    assert_eq!(
        write.unwrap_err(),
        cancelled(vec![conflict(), none(), conflict()])
    );
    let read = engine
        .transact_get_items(input(json!({"TransactItems": [
            {"Get": {"TableName": "audit", "Key": {"pk": {"S": "a1"}}}},
            {"Get": {"TableName": "orders", "Key": {"pk": {"S": "o1"}}}}
        ]})))
        .await;
    assert_eq!(read.unwrap_err(), cancelled(vec![none(), conflict()]));
    // Reads of one item and other tables do not conflict.
    assert!(!exists(&engine, "orders", "o1").await);
    put(&engine, "audit", "a1").await.unwrap();
    assert!(!exists(&engine, "orders", "o2").await);
}

#[tokio::test]
async fn a_conflict_of_any_table_cancels_one_action_chosen_by_the_seed() {
    let chosen = |seed| async move {
        let engine = engine(&["TransactWriteItems:conflict"], seed);
        create_tables(&engine).await;
        let error = engine
            .transact_write_items(input(transfer()))
            .await
            .unwrap_err();
        let Error::TransactionCanceled { reasons, .. } = error else {
            panic!("expected a cancellation, got {error:?}");
        };
        assert_eq!(
            reasons.iter().filter(|r| **r == conflict()).count(),
            1,
            "{reasons:?}"
        );
        assert_eq!(reasons.iter().filter(|r| **r == none()).count(), 2);
        reasons.iter().position(|r| *r == conflict()).unwrap()
    };
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..16 {
        assert_eq!(chosen(seed).await, chosen(seed).await, "seed {seed}");
        seen.insert(chosen(seed).await);
    }
    assert!(seen.len() > 1, "every seed chose action {seen:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn latency_delays_the_call_without_blocking_the_thread_then_it_runs() {
    let engine = engine(&["PutItem@orders:latency=80ms"], 0);
    create_tables(&engine).await;
    let start = Instant::now();
    let (slow, other) = tokio::join!(put(&engine, "orders", "o1"), async {
        engine.list_tables(input(json!({}))).await.unwrap();
        start.elapsed()
    });
    slow.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(80));
    assert!(
        other < Duration::from_millis(60),
        "another call on the same thread waited {other:?}"
    );
    assert!(exists(&engine, "orders", "o1").await);
    assert_eq!(engine.faults().injected()[0].injected, 1);
}

fn batch_write(pks: &[&str]) -> Value {
    let puts: Vec<Value> = pks
        .iter()
        .map(|pk| json!({"PutRequest": {"Item": order(pk)}}))
        .collect();
    json!({"RequestItems": {"orders": puts}})
}

fn pks(requests: &[Value]) -> Vec<String> {
    let mut pks: Vec<String> = requests
        .iter()
        .map(|r| {
            r.pointer("/PutRequest/Item/pk/S")
                .or(r.pointer("/pk/S"))
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
        })
        .collect();
    pks.sort();
    pks
}

#[tokio::test]
async fn a_partial_batch_write_applies_only_what_it_does_not_return_unprocessed() {
    let names: Vec<String> = (0..12).map(|i| format!("o{i:02}")).collect();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    let engine = engine(&["BatchWriteItem:partial"], 5);
    create_tables(&engine).await;
    let output = engine
        .batch_write_item(input(batch_write(&all)))
        .await
        .unwrap();
    let left = serde_json::to_value(&output.unprocessed_items).unwrap();
    let left = pks(left["orders"].as_array().unwrap());
    assert!(!left.is_empty() && left.len() < all.len(), "{left:?}");
    for pk in &all {
        assert_eq!(
            exists(&engine, "orders", pk).await,
            !left.contains(&pk.to_string()),
            "{pk}"
        );
    }
    // Retrying what was left, with the fault gone, writes the rest.
    engine.faults().clear();
    let retry = json!({"RequestItems": serde_json::to_value(&output.unprocessed_items).unwrap()});
    let output = engine.batch_write_item(input(retry)).await.unwrap();
    assert!(output.unprocessed_items.is_empty());
    for pk in &all {
        assert!(exists(&engine, "orders", pk).await);
    }
}

#[tokio::test]
async fn a_partial_batch_get_returns_the_keys_it_did_not_read() {
    let engine = engine(&[], 9);
    create_tables(&engine).await;
    let names: Vec<String> = (0..10).map(|i| format!("o{i}")).collect();
    for pk in &names {
        put(&engine, "orders", pk).await.unwrap();
    }
    engine.faults().add("BatchGetItem:partial".parse().unwrap());
    let keys: Vec<Value> = names.iter().map(|pk| json!({"pk": {"S": pk}})).collect();
    let output = engine
        .batch_get_item(input(json!({"RequestItems": {"orders": {"Keys": keys}}})))
        .await
        .unwrap();
    let read = serde_json::to_value(&output.responses["orders"]).unwrap();
    let left = serde_json::to_value(&output.unprocessed_keys).unwrap();
    let (read, left) = (
        pks(read.as_array().unwrap()),
        pks(left["orders"]["Keys"].as_array().unwrap()),
    );
    assert!(!left.is_empty(), "nothing left unprocessed");
    let mut together = [read, left].concat();
    together.sort();
    assert_eq!(together, names);
}

/// The 1-based numbers of the calls among `calls` PutItems that failed.
async fn failing_calls(engine: &Engine, calls: usize) -> Vec<usize> {
    let mut failed = Vec::new();
    for call in 1..=calls {
        if put(engine, "orders", &format!("o{call}")).await.is_err() {
            failed.push(call);
        }
    }
    failed
}

#[tokio::test]
async fn every_nth_call_and_a_window_of_calls_fail_exactly() {
    let engine = engine(&["PutItem:throttle:every=3"], 0);
    create_tables(&engine).await;
    assert_eq!(failing_calls(&engine, 10).await, [3, 6, 9]);
    engine
        .faults()
        .set(FaultPlan::parse(["any:unavailable:calls=5..8"]).unwrap());
    assert_eq!(failing_calls(&engine, 10).await, [5, 6, 7, 8]);
    engine
        .faults()
        .set(FaultPlan::parse(["internal:calls=4.."]).unwrap());
    assert_eq!(failing_calls(&engine, 6).await, [4, 5, 6]);
    let counts = engine.faults().injected();
    assert_eq!((counts[0].matched, counts[0].injected), (6, 3));
}

#[tokio::test]
async fn a_probability_fails_about_that_share_of_calls_and_counts_them() {
    let engine = engine(&["PutItem@orders:throttle:0.3"], 42);
    create_tables(&engine).await;
    let failed = failing_calls(&engine, 1000).await.len();
    assert!((230..=370).contains(&failed), "{failed} of 1000 failed");
    let counts = engine.faults().injected();
    assert_eq!(counts[0].matched, 1000);
    assert_eq!(counts[0].injected, failed as u64);
}

#[tokio::test]
async fn engines_with_the_same_seed_inject_at_the_same_calls() {
    let run = |seed| async move {
        let engine = engine(&["PutItem:throttle:0.5", "BatchWriteItem:partial"], seed);
        create_tables(&engine).await;
        let failed = failing_calls(&engine, 200).await;
        let batch = engine
            .batch_write_item(input(batch_write(&["b1", "b2", "b3", "b4", "b5", "b6"])))
            .await
            .unwrap();
        let left = serde_json::to_value(&batch.unprocessed_items).unwrap();
        (failed, pks(left["orders"].as_array().unwrap()))
    };
    let (first, again, other) = (run(7).await, run(7).await, run(8).await);
    assert_eq!(first, again);
    assert_ne!(first.0, other.0);
}

#[tokio::test]
async fn the_plan_changes_at_run_time_and_clearing_it_stops_every_fault() {
    let engine = engine(&[], 0);
    create_tables(&engine).await;
    let faults = engine.faults();
    faults.set(
        FaultPlan::new().with(
            FaultRule::new(FaultKind::InternalServerError)
                .operation(Operation::PutItem)
                .trigger(Trigger::every(2).unwrap()),
        ),
    );
    faults.add(FaultRule::new(FaultKind::Throttling { retry_after: None }).table("audit"));
    assert_eq!(failing_calls(&engine, 4).await, [2, 4]);
    assert!(put(&engine, "audit", "a1").await.is_err());
    assert_eq!(
        faults
            .injected()
            .iter()
            .map(|c| (c.rule.to_string(), c.matched, c.injected))
            .collect::<Vec<_>>(),
        [
            ("PutItem:internal:every=2".to_owned(), 5, 2),
            ("@audit:throttle".to_owned(), 1, 1),
        ]
    );
    faults.clear();
    assert!(faults.plan().is_empty());
    assert_eq!(failing_calls(&engine, 4).await, Vec::<usize>::new());
    put(&engine, "audit", "a1").await.unwrap();
}

/// Each bad spec with what is said about it.
fn bad_specs() -> Vec<(&'static str, String)> {
    let faults = "provisioned, throttle, request-limit, internal, unavailable, conflict, partial or latency=<duration>";
    vec![
        (
            " ",
            "a fault spec is empty: write one such as throttle:0.02 or PutItem:conflict:every=10"
                .to_owned(),
        ),
        (
            "PutIt:throttle",
            "fault `PutIt:throttle`: `PutIt` is not a DynamoDB operation; write one such as PutItem or Query, or any".to_owned(),
        ),
        (
            "Query@:throttle",
            "fault `Query@:throttle`: `Query@` names no table after the @".to_owned(),
        ),
        (
            "throttel:0.1",
            format!(
                "fault `throttel:0.1`: `throttel` is not a fault, retry_after=<duration> or trigger; faults are {faults}, triggers a probability from 0 to 1, every=<n> or calls=<a>..<b>"
            ),
        ),
        (
            "throttle:1.5",
            "fault `throttle:1.5`: `1.5` is not a trigger: probabilities are from 0 to 1, every=<n> needs n of 1 or more, calls=<a>..<b> counts from 1 with a <= b".to_owned(),
        ),
        (
            "internal:calls=8..5",
            "fault `internal:calls=8..5`: `calls=8..5` is not a trigger: probabilities are from 0 to 1, every=<n> needs n of 1 or more, calls=<a>..<b> counts from 1 with a <= b".to_owned(),
        ),
        (
            "GetItem:latency=fast",
            "fault `GetItem:latency=fast`: `latency=fast` does not end in a duration such as 20ms or 2s".to_owned(),
        ),
        (
            "GetItem:every=2",
            format!("fault `GetItem:every=2` names no fault: add one of {faults}"),
        ),
        (
            "throttle:internal",
            "fault `throttle:internal`: `internal` is a second fault; a rule has one".to_owned(),
        ),
        (
            "internal:retry_after=1s",
            "fault `internal:retry_after=1s`: `retry_after=1s` applies only to provisioned, throttle and request-limit".to_owned(),
        ),
        (
            "GetItem:conflict",
            "fault `GetItem:conflict`: conflict cannot happen to GetItem, only to PutItem, UpdateItem, DeleteItem, TransactWriteItems, TransactGetItems".to_owned(),
        ),
        (
            "Query:partial",
            "fault `Query:partial`: partial cannot happen to Query, only to BatchWriteItem, BatchGetItem".to_owned(),
        ),
    ]
}

#[test]
fn bad_specs_are_refused_naming_the_part_at_fault() {
    for (spec, message) in bad_specs() {
        let error = spec.parse::<FaultRule>().unwrap_err();
        assert_eq!(error.to_string(), message, "{spec:?}");
    }
    assert_eq!(
        "PutIt:throttle".parse::<FaultRule>(),
        Err(FaultSpecError::UnknownOperation {
            spec: "PutIt:throttle".into(),
            part: "PutIt".into(),
        })
    );
}

// Capacity enforcement.

fn enforcing() -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let engine = Engine::with_options(EngineOptions {
        clock: clock.clone(),
        ttl_sweep_interval: None,
        enforce_capacity: true,
        ..EngineOptions::default()
    });
    (engine, clock)
}

/// `orders` in PROVISIONED mode with `rcu`/`wcu`, and a global index
/// `by_status` with `index_wcu` write units.
async fn create_provisioned(engine: &Engine, rcu: u32, wcu: u32, index_wcu: u32) {
    engine
        .create_table(input(json!({
            "TableName": "orders", "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu},
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "status", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": index_wcu}}]
        })))
        .await
        .unwrap();
}

fn write_exceeded() -> Error {
    throttled(
        "ProvisionedThroughputExceededException",
        PROVISIONED,
        vec![reason("TableWriteProvisionedThroughputExceeded", ARN)],
        None,
    )
}

#[tokio::test]
async fn a_provisioned_table_throttles_writes_after_its_five_minute_burst_then_refills() {
    let (engine, clock) = enforcing();
    create_provisioned(&engine, 1, 1, 1000).await;
    // One write unit a second, 300 seconds of burst: 300 one-unit writes.
    for i in 0..300 {
        put(&engine, "orders", &format!("o{i}")).await.unwrap();
    }
    assert_eq!(put(&engine, "orders", "late").await, Err(write_exceeded()));
    assert!(!exists(&engine, "orders", "late").await);
    clock.advance(Duration::from_secs(1));
    put(&engine, "orders", "late").await.unwrap();
    assert_eq!(put(&engine, "orders", "later").await, Err(write_exceeded()));
    // Refilling stops at the burst.
    clock.advance(Duration::from_secs(3600));
    for i in 0..300 {
        put(&engine, "orders", &format!("n{i}")).await.unwrap();
    }
    assert_eq!(put(&engine, "orders", "last").await, Err(write_exceeded()));
}

#[tokio::test]
async fn reads_are_charged_what_they_consumed_and_callers_see_the_capacity_they_asked_for() {
    let (engine, _clock) = enforcing();
    create_provisioned(&engine, 1, 1000, 1000).await;
    put(&engine, "orders", "o1").await.unwrap();
    let get = |consistent: bool, capacity: &str| {
        engine.get_item(input(json!({
            "TableName": "orders", "Key": {"pk": {"S": "o1"}},
            "ConsistentRead": consistent, "ReturnConsumedCapacity": capacity
        })))
    };
    // 300 read units: 500 eventual reads (0.5 each) and 50 strong ones.
    for _ in 0..500 {
        let output = get(false, "NONE").await.unwrap();
        assert_eq!(output.consumed_capacity, None);
    }
    let total = get(true, "TOTAL").await.unwrap().consumed_capacity.unwrap();
    assert_eq!((total.capacity_units, total.table), (Some(1.0), None));
    for _ in 0..49 {
        get(true, "INDEXES").await.unwrap();
    }
    assert_eq!(
        get(false, "NONE").await.unwrap_err(),
        throttled(
            "ProvisionedThroughputExceededException",
            PROVISIONED,
            vec![reason("TableReadProvisionedThroughputExceeded", ARN)],
            None,
        )
    );
}

#[tokio::test]
async fn a_global_index_without_write_capacity_throttles_writes_to_its_table() {
    let (engine, _clock) = enforcing();
    create_provisioned(&engine, 100, 1000, 1).await;
    for i in 0..300 {
        put(&engine, "orders", &format!("o{i}")).await.unwrap();
    }
    assert_eq!(
        put(&engine, "orders", "late").await,
        Err(throttled(
            "ProvisionedThroughputExceededException",
            PROVISIONED_INDEX,
            vec![reason(
                "IndexWriteProvisionedThroughputExceeded",
                &format!("{ARN}/index/by_status")
            )],
            None,
        ))
    );
}

#[tokio::test]
async fn without_enforcement_or_on_demand_nothing_is_throttled() {
    let engine = engine(&[], 0);
    create_provisioned(&engine, 1, 1, 1).await;
    for i in 0..400 {
        put(&engine, "orders", &format!("o{i}")).await.unwrap();
    }
    let (engine, _clock) = enforcing();
    create_tables(&engine).await;
    for i in 0..400 {
        put(&engine, "orders", &format!("o{i}")).await.unwrap();
    }
}

// Through the server.

async fn serve(engine: Engine, admin: bool) -> Server {
    let fault_admin = admin.then(|| engine.faults());
    Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        engine,
        ServerOptions {
            fault_admin,
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap()
}

/// A DynamoDB request with a well-formed (unverified) signature.
async fn call(addr: SocketAddr, operation: &str, request: &Value) -> Answer {
    let date = amz_date(now());
    let headers = [
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        ("x-amz-target", format!("DynamoDB_20120810.{operation}")),
        ("x-amz-date", date.clone()),
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=local/{}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
                &date[..8]
            ),
        ),
    ];
    send(addr, &headers, request.to_string().as_bytes()).await
}

/// A bare HTTP request, for the admin endpoint.
async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    read_answer(&mut stream).await
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer.head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
async fn the_server_answers_each_fault_in_dynamodbs_wire_form() {
    let engine = engine(&[], 0);
    create_tables(&engine).await;
    let faults = engine.faults();
    let server = serve(engine, false).await;
    let addr = server.local_addr();
    let put = json!({"TableName": "orders", "Item": order("o1")});
    let cases: [(&str, u16, &str, &str); 6] = [
        (
            "PutItem:provisioned:retry_after=250ms",
            400,
            "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            PROVISIONED,
        ),
        (
            "throttle",
            400,
            "com.amazonaws.dynamodb.v20120810#ThrottlingException",
            THROTTLING,
        ),
        (
            "request-limit",
            400,
            "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
            REQUEST_LIMIT,
        ),
        (
            "internal",
            500,
            "com.amazonaws.dynamodb.v20120810#InternalServerError",
            "Internal server error",
        ),
        (
            "unavailable",
            503,
            "com.amazonaws.dynamodb.v20120810#ServiceUnavailable",
            UNAVAILABLE,
        ),
        (
            "conflict",
            400,
            "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
            ONGOING,
        ),
    ];
    for (spec, status, error_type, message) in cases {
        faults.set(FaultPlan::parse([spec]).unwrap());
        let answer = call(addr, "PutItem", &put).await;
        let body = answer.json();
        assert_eq!(
            (
                answer.status,
                body["__type"].as_str(),
                answer.message().as_str()
            ),
            (status, Some(error_type), message),
            "{spec}"
        );
        if spec.starts_with("PutItem:provisioned") {
            assert_eq!(
                body["ThrottlingReasons"],
                json!([{"reason": "TableWriteProvisionedThroughputExceeded", "resource": ARN}])
            );
            assert_eq!(header(&answer, "x-amz-retry-after"), Some("250"));
        } else {
            assert_eq!(header(&answer, "x-amz-retry-after"), None, "{spec}");
        }
    }
    faults.set(FaultPlan::parse(["TransactWriteItems@audit:conflict"]).unwrap());
    let answer = call(addr, "TransactWriteItems", &transfer()).await;
    assert_eq!(answer.error_type(), "TransactionCanceledException");
    assert_eq!(
        answer.json()["CancellationReasons"],
        json!([{"Code": "None"}, {"Code": "TransactionConflict", "Message": ONGOING}, {"Code": "None"}])
    );
    assert_eq!(
        answer.message(),
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict, None]"
    );
    faults.set(FaultPlan::parse(["BatchWriteItem:partial"]).unwrap());
    let answer = call(addr, "BatchWriteItem", &batch_write(&["b1", "b2", "b3"])).await;
    assert_eq!(answer.status, 200);
    assert!(
        !answer.json()["UnprocessedItems"]["orders"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn enforced_capacity_throttles_over_the_wire_with_its_reason() {
    let (engine, _clock) = enforcing();
    create_provisioned(&engine, 1, 1, 1000).await;
    let server = serve(engine, false).await;
    let mut last = None;
    for i in 0..301 {
        let request = json!({"TableName": "orders", "Item": order(&format!("o{i}"))});
        last = Some(call(server.local_addr(), "PutItem", &request).await);
    }
    let answer = last.unwrap();
    assert_eq!(
        (answer.status, answer.error_type(), answer.message()),
        (
            400,
            "ProvisionedThroughputExceededException".to_owned(),
            PROVISIONED.to_owned()
        )
    );
    assert_eq!(
        answer.json()["ThrottlingReasons"],
        json!([{"reason": "TableWriteProvisionedThroughputExceeded", "resource": ARN}])
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_admin_endpoint_is_off_unless_asked_for() {
    let server = serve(engine(&[], 0), false).await;
    let answer = http(
        server.local_addr(),
        "PUT",
        "/admin/faults",
        r#"{"rules":["throttle"]}"#,
    )
    .await;
    assert_eq!(answer.status, 404, "{answer:?}");
    let answer = http(
        server.local_addr(),
        "POST",
        "/admin/faults",
        r#"{"rules":["throttle"]}"#,
    )
    .await;
    assert_eq!(answer.error_type(), "UnknownOperationException");
    let answer = call(server.local_addr(), "ListTables", &json!({})).await;
    assert_eq!(answer.status, 200);
    server.shutdown().await;

    let refused = Server::bind(
        "0.0.0.0:0".parse().unwrap(),
        Engine::new(),
        ServerOptions {
            fault_admin: Some(Engine::new().faults()),
            allow_anonymous: true,
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::PermissionDenied);
    assert_eq!(
        refused.to_string(),
        "refusing to serve the fault admin endpoint on 0.0.0.0:0: anyone who can reach it could make every request fail; serve it on a loopback address"
    );
}

#[tokio::test]
async fn the_admin_endpoint_reads_and_changes_the_plan_over_http() {
    let engine = engine(&["GetItem:internal:every=2"], 0);
    create_tables(&engine).await;
    let server = serve(engine, true).await;
    let addr = server.local_addr();
    let plan = |answer: &Answer| {
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.json()["rules"].clone()
    };
    assert_eq!(
        plan(&http(addr, "GET", "/admin/faults", "").await),
        json!([{"rule": "GetItem:internal:every=2", "matched": 0, "injected": 0}])
    );
    let answer = http(
        addr,
        "PUT",
        "/admin/faults",
        r#"{"rules":["PutItem@orders:throttle:calls=1"]}"#,
    )
    .await;
    assert_eq!(
        plan(&answer),
        json!([{"rule": "PutItem@orders:throttle:calls=1", "matched": 0, "injected": 0}])
    );
    let put = json!({"TableName": "orders", "Item": order("o1")});
    assert_eq!(
        call(addr, "PutItem", &put).await.error_type(),
        "ThrottlingException"
    );
    assert_eq!(call(addr, "PutItem", &put).await.status, 200);
    let answer = http(
        addr,
        "POST",
        "/admin/faults",
        r#"{"rules":["any:unavailable:0.5"]}"#,
    )
    .await;
    assert_eq!(
        plan(&answer),
        json!([
            {"rule": "PutItem@orders:throttle:calls=1", "matched": 2, "injected": 1},
            {"rule": "unavailable:0.5", "matched": 0, "injected": 0}
        ])
    );
    assert_eq!(
        plan(&http(addr, "DELETE", "/admin/faults", "").await),
        json!([])
    );
    assert_eq!(call(addr, "PutItem", &put).await.status, 200);

    // Refusals change nothing.
    http(addr, "PUT", "/admin/faults", r#"{"rules":["internal"]}"#).await;
    for (spec, message) in bad_specs() {
        let body = json!({"rules": ["throttle", spec]}).to_string();
        let answer = http(addr, "POST", "/admin/faults", &body).await;
        assert_eq!(
            (answer.status, answer.message()),
            (400, message),
            "{spec:?}"
        );
    }
    let answer = http(addr, "PUT", "/admin/faults", r#"["throttle"]"#).await;
    assert_eq!(
        (answer.status, answer.message().as_str()),
        (
            400,
            "the body must be a JSON object whose rules member lists fault specs, such as {\"rules\": [\"throttle:0.02\"]}"
        )
    );
    let answer = http(addr, "PATCH", "/admin/faults", "").await;
    assert_eq!(
        (answer.status, answer.message().as_str()),
        (
            405,
            "the fault admin endpoint serves GET, PUT, POST and DELETE"
        )
    );
    assert_eq!(
        plan(&http(addr, "GET", "/admin/faults", "").await),
        json!([{"rule": "internal", "matched": 0, "injected": 0}])
    );
    server.shutdown().await;
}

/// `dynamo-local serve` with `args`, stopped on drop.
struct Serve {
    child: std::process::Child,
    addr: SocketAddr,
    /// Kept open: a server whose stdout is closed fails to print.
    _stdout: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
}

impl Serve {
    fn start(args: &[&str]) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .unwrap();
        Self {
            child,
            addr,
            _stdout: lines,
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_injects_the_faults_of_its_flags_and_serves_the_admin_endpoint_with_admin() {
    let serve = Serve::start(&[
        "--seed",
        "3",
        "--fault",
        "ListTables:unavailable:calls=1",
        "--fault",
        "DescribeTable:request-limit",
        "--admin",
    ]);
    let addr = serve.addr;
    assert_eq!(call(addr, "ListTables", &json!({})).await.status, 503);
    assert_eq!(call(addr, "ListTables", &json!({})).await.status, 200);
    let answer = call(addr, "DescribeTable", &json!({"TableName": "orders"})).await;
    assert_eq!(answer.message(), REQUEST_LIMIT);
    let answer = http(addr, "GET", "/admin/faults", "").await;
    assert_eq!(
        answer.json()["rules"],
        json!([
            {"rule": "ListTables:unavailable:calls=1", "matched": 2, "injected": 1},
            {"rule": "DescribeTable:request-limit", "matched": 1, "injected": 1}
        ])
    );
    drop(serve);

    let without_admin = Serve::start(&["--fault", "GetItem:throttle"]);
    let answer = http(without_admin.addr, "GET", "/admin/faults", "").await;
    assert_eq!(answer.status, 404);
}

#[test]
fn serve_refuses_a_bad_fault_and_the_admin_endpoint_off_loopback() {
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
            .args(["serve", "--port", "0"])
            .args(args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "serve {args:?} started");
        String::from_utf8(output.stderr).unwrap()
    };
    let stderr = run(&["--fault", "PutItem:throttle:2"]);
    assert!(
        stderr.contains("fault `PutItem:throttle:2`: `2` is not a trigger"),
        "{stderr}"
    );
    let stderr = run(&["--admin", "--host", "0.0.0.0", "--allow-anonymous"]);
    assert!(
        stderr.contains("refusing to serve the fault admin endpoint on 0.0.0.0:0"),
        "{stderr}"
    );
}
