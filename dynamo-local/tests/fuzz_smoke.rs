//! The short CI version of the fuzz benches: each target's loop over a few
//! thousand inputs with a fixed seed, in process and against a real server
//! on 127.0.0.1, none of which may panic, hang, crash the server or get a
//! malformed answer. The long runs are `cargo bench -p dynamo-local --bench
//! fuzz_expressions|fuzz_requests|fuzz_http -- --inputs 10000000`.
//! Inputs the long runs found are pinned at the end as regression tests.
#![cfg(feature = "server")]

#[path = "../benches/common/mod.rs"]
mod common;

use common::driver::{Args, Case, Run};
use common::rng::Rng;
use common::{expressions, front_door, requests};
use dynamo_local::Engine;
use dynamo_local::server::{Credentials, Server, ServerOptions};
use std::sync::Arc;
use std::time::SystemTime;

const SEED: u64 = 20_240_101;

/// A run of `target` reporting to target/fuzz-findings, quietly.
fn run(
    target: &'static str,
    slots: usize,
    describe: impl Fn(u64) -> Case + Send + Sync + 'static,
) -> Arc<Run> {
    let args = Args::parse(vec!["--seed".into(), SEED.to_string()], 0);
    common::driver::install_panic_hook();
    Run::new(target, &args, slots, Arc::new(describe))
}

fn assert_clean(run: &Run, inputs: u64) {
    assert_eq!(
        run.inputs.load(std::sync::atomic::Ordering::Relaxed),
        inputs,
        "every input ran"
    );
    assert!(run.findings() == 0, "findings:\n{}", run.log().join("\n"));
}

/// On a thread with a tokio worker's stack, as the server runs requests.
fn on_worker_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("the fuzz loop itself does not panic");
}

#[test]
fn random_and_mutated_expressions_parse_or_fail_with_an_error_and_round_trip() {
    let run = run("smoke_expressions", 1, |i| {
        expressions::describe(&expressions::generate(&mut Rng::for_input(SEED, i)))
    });
    let inner = run.clone();
    on_worker_stack(move || common::run_expressions(&inner, 0, 4000));
    assert_clean(&run, 4000);
    let parsed: u64 = run
        .notes()
        .iter()
        .filter(|(outcome, _)| outcome.ends_with(": parsed"))
        .map(|(_, n)| n)
        .sum();
    assert!(
        parsed > 400,
        "a useful share of the inputs parse: {:?}",
        run.notes()
    );
}

#[test]
fn requests_of_every_operation_get_a_dynamodb_answer_in_process() {
    let run = run("smoke_requests", 1, |i| {
        requests::describe(&requests::generate(&mut Rng::for_input(SEED, i)))
    });
    let inner = run.clone();
    on_worker_stack(move || common::run_requests_in_process(&inner, 0, 0, 1500, 0, None));
    assert_clean(&run, 1500);
    let notes = run.notes();
    for op in requests::OPERATIONS {
        assert!(
            notes
                .iter()
                .any(|(outcome, _)| outcome.starts_with(&format!("{op}: "))),
            "{op} was exercised: {notes:?}"
        );
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn requests_over_http_get_well_formed_answers_and_the_server_keeps_serving() {
    let run = run("smoke_requests_http", 2, |i| {
        requests::describe(&requests::generate(&mut Rng::for_input(SEED, i)))
    });
    runtime().block_on(async {
        let engine = Engine::new();
        common::setup_tables(&engine).await;
        let server = Server::bind(
            "127.0.0.1:0".parse().unwrap(),
            engine,
            ServerOptions::default(),
        )
        .await
        .unwrap();
        let addr = server.local_addr();
        let indices = common::Indices::range(0..400);
        let tasks: Vec<_> = (0..2)
            .map(|t| {
                tokio::spawn(common::run_requests_http(
                    run.clone(),
                    addr,
                    t,
                    indices.clone(),
                ))
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        common::check_health(&run, addr, 400).await;
        server.shutdown().await;
    });
    assert_clean(&run, 400);
}

#[test]
fn hostile_bytes_and_mangled_signatures_at_the_front_door_get_well_formed_answers() {
    let run = run("smoke_http", 2, |i| {
        let addr = "127.0.0.1:8000".parse().unwrap();
        front_door::describe(&front_door::generate(
            &mut Rng::for_input(SEED, i),
            addr,
            SystemTime::now(),
        ))
    });
    runtime().block_on(async {
        let engine = Engine::new();
        common::setup_tables(&engine).await;
        let credentials = front_door::keys()
            .into_iter()
            .map(|(signer, read_only, prefix)| Credentials {
                read_only,
                table_prefix: prefix.map(str::to_owned),
                ..Credentials::new(signer.access_key, signer.secret_key)
            })
            .collect();
        let options = ServerOptions {
            credentials,
            ..ServerOptions::default()
        };
        let server = Server::bind("127.0.0.1:0".parse().unwrap(), engine, options)
            .await
            .unwrap();
        let addr = server.local_addr();
        let indices = common::Indices::range(0..600);
        let tasks: Vec<_> = (0..2)
            .map(|t| {
                tokio::spawn(common::run_front_door(
                    run.clone(),
                    addr,
                    t,
                    indices.clone(),
                ))
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        common::check_health(&run, addr, 600).await;
        server.shutdown().await;
    });
    assert_clean(&run, 600);
}

/// F1 in notes/fuzz-findings.md: `fuzz_requests` found GetItem with 50,000
/// legacy `AttributesToGet` names taking 4 s (quadratic in the count).
#[test]
fn get_item_with_fifty_thousand_attributes_to_get_answers_promptly() {
    let names: Vec<String> = (0..50_000).map(|i| format!("g{i}")).collect();
    let body = serde_json::json!({
        "TableName": "fz_hash",
        "Key": {"pk": {"S": "p1"}},
        "AttributesToGet": names,
    });
    let body = serde_json::to_vec(&body).unwrap();
    let engine = Engine::new();
    let runtime = runtime();
    runtime.block_on(common::setup_tables(&engine));
    let answer = runtime.block_on(common::engine_calls::call(&engine, "GetItem", &body));
    assert!(
        matches!(answer, common::engine_calls::Answer::Ok),
        "{answer:?}"
    );
}

/// F2 in notes/fuzz-findings.md: a legacy `Expected`, `ScanFilter` or
/// `QueryFilter` of 33,000 entries overflowed a tokio worker's stack while
/// the condition chain built from it was dropped, aborting the server;
/// legacy conditions are now joined as a balanced tree.
#[test]
fn legacy_condition_maps_of_fifty_thousand_entries_are_refused_on_a_worker_stack() {
    let entries = |value: serde_json::Value| -> serde_json::Map<String, serde_json::Value> {
        (0..50_000)
            .map(|i| (format!("g{i}"), value.clone()))
            .collect()
    };
    let requests = [
        (
            "PutItem",
            serde_json::json!({
                "TableName": "fz_hash",
                "Item": {"pk": {"S": "p1"}},
                "Expected": entries(serde_json::json!({"Exists": false})),
            }),
        ),
        (
            "Scan",
            serde_json::json!({
                "TableName": "fz_hash",
                "ScanFilter": entries(serde_json::json!({"ComparisonOperator": "NULL"})),
            }),
        ),
        (
            "Query",
            serde_json::json!({
                "TableName": "fz_hash",
                "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p1"}]}},
                "QueryFilter": entries(serde_json::json!({"ComparisonOperator": "NULL"})),
            }),
        ),
    ];
    for (op, body) in requests {
        let body = serde_json::to_vec(&body).unwrap();
        let answer = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let engine = Engine::new();
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                runtime.block_on(common::setup_tables(&engine));
                format!(
                    "{:?}",
                    runtime.block_on(common::engine_calls::call(&engine, op, &body))
                )
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(answer, "Rejected(\"ValidationException\")", "{op}");
    }
}
