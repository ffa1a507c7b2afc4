//! Fault injection and capacity enforcement from the connection string:
//! `local://memory?fault=<spec>&fault=<spec>&seed=<n>&provisioned=enforce`
//! opens an engine with those rules; a spec that does not parse, or an
//! unknown value, is a `BadOption` naming the option and saying why. An
//! injected throttle reaches the AWS backend, through `dynamo-local serve`,
//! as the same error it is in process.
#![cfg(feature = "local")]

mod common;

use dynamo::ops::{CreateTableInput, PutItemInput};
use dynamo::schema::{
    AttributeDefinition, BillingMode, KeySchemaElement, ProvisionedThroughput, ScalarAttributeType,
};
use dynamo::{AttributeMap, AttributeValue, Backend, ConnectError, Error};
use dynamo_local::{Engine, EngineOptions, FaultPlan};
use std::time::Duration;

fn notes(provisioned: bool) -> CreateTableInput {
    let mut input = CreateTableInput::new(
        "notes",
        vec![KeySchemaElement::hash("id")],
        vec![AttributeDefinition {
            attribute_name: "id".into(),
            attribute_type: ScalarAttributeType::S,
        }],
    );
    if provisioned {
        input.billing_mode = Some(BillingMode::Provisioned);
        input.provisioned_throughput = Some(ProvisionedThroughput {
            read_capacity_units: 1,
            write_capacity_units: 1,
        });
    }
    input
}

fn note(id: usize) -> PutItemInput {
    let item: AttributeMap = [("id".to_owned(), AttributeValue::S(format!("n{id}")))].into();
    PutItemInput::new("notes", item)
}

/// The error type of each of `calls` raw PutItems that failed, by call.
async fn failures(db: &dynamo::Client, calls: usize) -> Vec<(usize, String)> {
    let mut failed = Vec::new();
    for call in 1..=calls {
        if let Err(e) = db.backend().put_item(note(call)).await {
            failed.push((call, e.error_type().to_owned()));
        }
    }
    failed
}

fn bad_option(url: &str) -> (String, String) {
    let error = block_on(dynamo::connect(url));
    match error {
        Err(ConnectError::BadOption { option, reason, .. }) => (option, reason),
        Err(other) => panic!("`{url}`: {other}"),
        Ok(_) => panic!("`{url}` connected"),
    }
}

/// Runs a future that does not wait (opening `local://memory`).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[tokio::test]
async fn fault_options_inject_their_rules_in_the_order_given() {
    let db = dynamo::connect(
        "local://memory?seed=3&fault=PutItem:conflict:every=3&fault=PutItem@notes:unavailable:calls=5",
    )
    .await
    .unwrap();
    db.backend().create_table(notes(false)).await.unwrap();
    assert_eq!(
        failures(&db, 7).await,
        [
            (3, "TransactionConflictException".to_owned()),
            (5, "ServiceUnavailable".to_owned()),
            (6, "TransactionConflictException".to_owned()),
        ]
    );
}

#[tokio::test]
async fn provisioned_enforce_throttles_a_provisioned_table_above_its_capacity() {
    let db = dynamo::connect("local://memory?provisioned=enforce")
        .await
        .unwrap();
    db.backend().create_table(notes(true)).await.unwrap();
    // One write unit a second and 300 seconds of burst: the system clock
    // refills a fraction of a unit while the burst is spent, so the 301st
    // write may still pass, taking the bucket below zero.
    let failed = failures(&db, 310).await;
    assert!(
        (301..=302).contains(&failed[0].0) && failed.len() >= 5,
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .all(|(_, e)| e == "ProvisionedThroughputExceededException")
    );
    let Err(Error::Throttled { reasons, .. }) = db.backend().put_item(note(0)).await else {
        panic!("not throttled");
    };
    assert_eq!(reasons[0].reason, "TableWriteProvisionedThroughputExceeded");

    let db = dynamo::connect("local://memory?provisioned=ignore")
        .await
        .unwrap();
    db.backend().create_table(notes(true)).await.unwrap();
    assert!(failures(&db, 301).await.is_empty());
}

#[test]
fn bad_fault_and_provisioned_options_name_the_option_and_why() {
    assert_eq!(
        bad_option("local://memory?fault=throttle:2"),
        (
            "fault=throttle:2".to_owned(),
            "fault `throttle:2`: `2` is not a trigger: probabilities are from 0 to 1, every=<n> needs n of 1 or more, calls=<a>..<b> counts from 1 with a <= b".to_owned()
        )
    );
    assert_eq!(
        bad_option("local://memory?seed=1&fault=Scan:partial"),
        (
            "fault=Scan:partial".to_owned(),
            "fault `Scan:partial`: partial cannot happen to Scan, only to BatchWriteItem, BatchGetItem".to_owned()
        )
    );
    assert_eq!(
        bad_option("local://memory?provisioned=maybe"),
        (
            "provisioned=maybe".to_owned(),
            "expected provisioned=enforce or provisioned=ignore".to_owned()
        )
    );
    assert_eq!(
        bad_option("local://memory?faults=throttle"),
        (
            "faults=throttle".to_owned(),
            "expected replica_lag=<duration>, replica_lag.<table>=<duration>, seed=<number>, transaction_hold=<duration>, fault=<spec> or provisioned=enforce"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn an_injected_throttle_reaches_the_aws_backend_as_the_same_error() {
    let engine = Engine::with_options(EngineOptions {
        ttl_sweep_interval: None,
        faults: FaultPlan::parse(["PutItem@notes:provisioned:retry_after=250ms"]).unwrap(),
        ..EngineOptions::default()
    });
    let server = common::serve_engine(engine.clone()).await;
    let sdk = common::aws_backend(&server);
    sdk.create_table(notes(false)).await.unwrap();
    let in_process = engine.put_item(note(1)).await.unwrap_err();
    let Error::Throttled {
        retry_after,
        reasons,
        ..
    } = &in_process
    else {
        panic!("not throttled: {in_process:?}");
    };
    assert_eq!(*retry_after, Some(Duration::from_millis(250)));
    assert_eq!(
        reasons[0].resource,
        "arn:aws:dynamodb:us-east-1:000000000000:table/notes"
    );
    assert_eq!(sdk.put_item(note(1)).await.unwrap_err(), in_process);
    server.shutdown().await;
}
