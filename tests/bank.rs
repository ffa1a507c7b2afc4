//! A bank under contention and faults, on both backends: 50 accounts, 8
//! concurrent tasks making 2,000 random transfers, each a transaction whose
//! debit is conditioned on the balance covering it, on an engine that
//! cancels 5% of transactions with `TransactionConflict` and throttles 2% of
//! all calls. The typed client's retries absorb every injected fault: the
//! total is conserved, no balance goes negative, every transfer either
//! happened or was declined for want of money, and the retries the client
//! reports add up to the faults the engine injected.

use dynamo::{Client, Error, Item, RetryPolicy};
use dynamo_local::{Engine, EngineOptions, FaultPlan};
use std::sync::Arc;
use std::time::Duration;

mod common;

const ACCOUNTS: usize = 50;
const TASKS: usize = 8;
const TRANSFERS: usize = 2_000;
const START: i64 = 100;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(partition_key)]
    id: String,
    balance: i64,
}

fn account_id(n: usize) -> String {
    format!("acct-{n:02}")
}

/// The engine: conflicts on 5% of transactions, throttles on 2% of every
/// call, drawn from a fixed seed.
fn faulty_engine() -> Engine {
    Engine::with_options(EngineOptions {
        seed: 2026,
        faults: FaultPlan::parse(["TransactWriteItems:conflict:0.05", "throttle:0.02"])
            .expect("the fault specs parse"),
        ..EngineOptions::default()
    })
}

/// Retries fast enough for a test, conflicts included, with room to spare.
fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(12)
        .transient_base_delay(Duration::from_millis(1))
        .throttling_base_delay(Duration::from_millis(2))
        .max_backoff(Duration::from_millis(20))
        .retry_conflicts()
        .seed(7)
}

/// Transfers as (from, to, amount), from a fixed-seed generator; amounts up
/// to a starting balance, so as money moves some are declined.
fn transfers() -> Vec<(usize, usize, i64)> {
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    (0..TRANSFERS)
        .map(|_| {
            let from = next() as usize % ACCOUNTS;
            let to = (from + 1 + next() as usize % (ACCOUNTS - 1)) % ACCOUNTS;
            (from, to, 1 + (next() % START as u64) as i64)
        })
        .collect()
}

async fn run_bank(db: Client, engine: Engine) {
    db.create_table::<Account>().await.unwrap();
    for n in 0..ACCOUNTS {
        db.put(&Account {
            id: account_id(n),
            balance: START,
        })
        .await
        .unwrap();
    }
    let planned = Arc::new(transfers());
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (db, planned) = (db.clone(), Arc::clone(&planned));
            tokio::spawn(async move {
                let (mut applied, mut declined) = (0usize, 0usize);
                for &(from, to, amount) in planned.iter().skip(task).step_by(TASKS) {
                    let outcome = db
                        .transaction()
                        .update(Account::key(account_id(from)), |u| {
                            u.add(Account::BALANCE, -amount)
                                .when(Account::BALANCE.ge(amount))
                        })
                        .update(Account::key(account_id(to)), |u| {
                            u.add(Account::BALANCE, amount)
                        })
                        .commit()
                        .await;
                    match outcome {
                        Ok(()) => applied += 1,
                        Err(Error::TransactionCanceled { reasons, .. }) => {
                            let codes: Vec<_> = reasons.iter().map(|r| r.code.as_str()).collect();
                            assert_eq!(codes, ["ConditionalCheckFailed", "None"]);
                            declined += 1;
                        }
                        Err(other) => panic!("transfer {from} -> {to} of {amount}: {other:?}"),
                    }
                }
                (applied, declined)
            })
        })
        .collect();
    let (mut applied, mut declined) = (0, 0);
    for task in tasks {
        let (a, d) = task.await.unwrap();
        applied += a;
        declined += d;
    }
    assert_eq!(applied + declined, TRANSFERS);
    assert!(applied > TRANSFERS / 4, "{applied} applied");
    assert!(declined > 0, "some transfers must be declined");

    let mut total = 0;
    for n in 0..ACCOUNTS {
        let account = db
            .get(Account::key(account_id(n)))
            .consistent()
            .await
            .unwrap()
            .unwrap();
        assert!(account.balance >= 0, "{account:?}");
        total += account.balance;
    }
    assert_eq!(total, START * ACCOUNTS as i64, "money is conserved");

    // Every fault the engine injected was retried, and nothing else was.
    let stats = db.retry_stats();
    let injected: Vec<(String, u64)> = engine
        .faults()
        .injected()
        .into_iter()
        .map(|count| (count.rule.to_string(), count.injected))
        .collect();
    let conflicts = injected[0].1;
    let throttles = injected[1].1;
    println!(
        "bank: {applied} applied, {declined} declined; injected {conflicts} conflicts and {throttles} throttles; client retries {:?}, exhausted {}",
        stats.by_error_type, stats.exhausted
    );
    assert!(conflicts > 0 && throttles > 0, "{injected:?}");
    assert_eq!(stats.exhausted, 0);
    assert_eq!(
        stats.retries,
        conflicts + throttles,
        "{stats:?} {injected:?}"
    );
    assert_eq!(stats.retries_of("TransactionCanceledException"), conflicts);
    assert_eq!(stats.retries_of("ThrottlingException"), throttles);
    assert_eq!(stats.requests, stats.calls + stats.retries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_process() {
    let engine = faulty_engine();
    let db = Client::new(engine.clone()).with_retry_policy(policy());
    run_bank(db, engine).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn aws_sdk_over_http() {
    let engine = faulty_engine();
    let server = common::serve_engine(engine.clone()).await;
    let db = common::aws_client(&server).with_retry_policy(policy());
    run_bank(db, engine).await;
    server.shutdown().await;
}
