//! What concurrent writers see, on both backends and on a multi-threaded
//! runtime: transactions are serializable (concurrent transfers keep the
//! total, each applies whole or is cancelled, and every transactional read
//! sees a total that never moved), exactly one of several writers holding
//! the same version wins, and atomic counters lose no increment.

use dynamo::ops::{TransactGetItem, TransactGetItemsInput};
use dynamo::{AttributeValue, Client, Error, Item};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "wallets")]
struct Wallet {
    #[dynamo(partition_key)]
    id: String,
    balance: i64,
}

const WALLETS: usize = 5;
const START: i64 = 100;

fn wallet_id(i: usize) -> String {
    format!("w{i}")
}

/// A deterministic list of transfers `(from, to, amount)`, some larger
/// than what their source will hold.
fn transfers(count: usize) -> Vec<(usize, usize, i64)> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    (0..count)
        .map(|_| {
            let from = next(WALLETS as u64) as usize;
            let to = (from + 1 + next(WALLETS as u64 - 1) as usize) % WALLETS;
            (from, to, 1 + next(70) as i64)
        })
        .collect()
}

/// The balances of every wallet, read in one transaction.
async fn snapshot(db: &Client) -> Vec<i64> {
    let input = TransactGetItemsInput {
        transact_items: (0..WALLETS)
            .map(|i| TransactGetItem {
                table_name: "wallets".into(),
                key: Wallet::key(wallet_id(i)).into_attributes(),
                projection: None,
            })
            .collect(),
        return_consumed_capacity: None,
    };
    db.backend()
        .transact_get_items(input)
        .await
        .unwrap()
        .responses
        .into_iter()
        .map(|r| Wallet::from_item(r.item.unwrap()).unwrap().balance)
        .collect()
}

async fn concurrent_transfers_keep_the_total_and_apply_all_or_nothing(db: Client) {
    db.create_table::<Wallet>().await.unwrap();
    for i in 0..WALLETS {
        db.put(&Wallet {
            id: wallet_id(i),
            balance: START,
        })
        .await
        .unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (db, done) = (db.clone(), done.clone());
            tokio::spawn(async move {
                let mut reads = 0;
                while !done.load(Ordering::Acquire) || reads == 0 {
                    let balances = snapshot(&db).await;
                    assert_eq!(balances.iter().sum::<i64>(), START * WALLETS as i64);
                    assert!(balances.iter().all(|b| *b >= 0), "{balances:?}");
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    // One more than all the money there is: always cancelled.
    let mut planned = transfers(60);
    planned.push((0, 1, START * WALLETS as i64 + 1));
    let writers: Vec<_> = planned
        .iter()
        .map(|&(from, to, amount)| {
            let db = db.clone();
            tokio::spawn(async move {
                db.transaction()
                    .update(Wallet::key(wallet_id(from)), |u| {
                        u.add(Wallet::BALANCE, -amount)
                            .when(Wallet::BALANCE.ge(amount))
                    })
                    .update(Wallet::key(wallet_id(to)), |u| {
                        u.add(Wallet::BALANCE, amount)
                    })
                    .commit()
                    .await
            })
        })
        .collect();
    let mut expected = vec![START; WALLETS];
    let (mut applied, mut cancelled) = (0, 0);
    for (writer, &(from, to, amount)) in writers.into_iter().zip(&planned) {
        match writer.await.unwrap() {
            Ok(()) => {
                expected[from] -= amount;
                expected[to] += amount;
                applied += 1;
            }
            // Only the source's condition can cancel a transfer; the
            // other action is reported as fine.
            Err(Error::TransactionCanceled { reasons, .. }) => {
                let codes: Vec<_> = reasons.iter().map(|r| r.code.as_str()).collect();
                assert_eq!(codes, ["ConditionalCheckFailed", "None"]);
                cancelled += 1;
            }
            Err(other) => panic!("transfer {from} -> {to} of {amount}: {other:?}"),
        }
    }
    done.store(true, Ordering::Release);
    for reader in readers {
        assert!(reader.await.unwrap() > 0);
    }
    assert_eq!(applied + cancelled, planned.len());
    // Whatever the order, the first transfer to run has the money and the
    // impossible one has not.
    assert!(
        applied > 0 && cancelled > 0,
        "{applied} applied, {cancelled} cancelled"
    );
    // The balances are those of the applied transfers alone: none applied
    // half, none was lost.
    assert_eq!(snapshot(&db).await, expected);
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "docs")]
struct Doc {
    #[dynamo(partition_key)]
    id: String,
    body: String,
    #[dynamo(version)]
    version: u64,
}

const WRITERS: usize = 12;

/// One writer's write, to race against the others.
type Write = Pin<Box<dyn Future<Output = dynamo::Result<()>> + Send>>;

/// Runs `WRITERS` writes at once; returns which writer succeeded and the
/// errors of the others.
async fn race<F>(db: &Client, write: F) -> (usize, Vec<Error>)
where
    F: Fn(Client, usize) -> Write + Send + Sync + 'static,
{
    let write = Arc::new(write);
    let tasks: Vec<_> = (0..WRITERS)
        .map(|i| {
            let (db, write) = (db.clone(), write.clone());
            tokio::spawn(async move { write(db, i).await })
        })
        .collect();
    let mut winners = Vec::new();
    let mut errors = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(()) => winners.push(i),
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(winners.len(), 1, "winners {winners:?}, errors {errors:?}");
    (winners[0], errors)
}

async fn exactly_one_of_concurrent_versioned_writers_wins(db: Client) {
    db.create_table::<Doc>().await.unwrap();
    let conflict = |expected: u32, found: u32| Error::VersionConflict {
        expected: expected.into(),
        found: Some(found.into()),
    };
    let read =
        |db: Client| async move { db.get(Doc::key("d")).consistent().await.unwrap().unwrap() };

    // Creating: every writer starts from version 0.
    let (winner, errors) = race(&db, |db, i| {
        Box::pin(async move {
            db.put(&Doc {
                id: "d".into(),
                body: format!("created by {i}"),
                version: 0,
            })
            .await
        })
    })
    .await;
    assert_eq!(errors, vec![conflict(0, 1); WRITERS - 1]);
    let stored = read(db.clone()).await;
    assert_eq!(
        (stored.body, stored.version),
        (format!("created by {winner}"), 1)
    );

    // Replacing what everyone read at version 1.
    let (winner, errors) = race(&db, |db, i| {
        Box::pin(async move {
            db.put(&Doc {
                id: "d".into(),
                body: format!("edited by {i}"),
                version: 1,
            })
            .await
        })
    })
    .await;
    assert_eq!(errors, vec![conflict(1, 2); WRITERS - 1]);
    let stored = read(db.clone()).await;
    assert_eq!(
        (stored.body, stored.version),
        (format!("edited by {winner}"), 2)
    );

    // Updating only if still at version 2.
    let (winner, errors) = race(&db, |db, i| {
        Box::pin(async move {
            db.update(Doc::key("d"))
                .set(Doc::BODY, format!("updated by {i}"))
                .if_version(2u64)
                .await
        })
    })
    .await;
    assert_eq!(errors, vec![conflict(2, 3); WRITERS - 1]);
    let stored = read(db.clone()).await;
    assert_eq!(
        (stored.body, stored.version),
        (format!("updated by {winner}"), 3)
    );
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "counters")]
struct Counter {
    #[dynamo(partition_key)]
    name: String,
    hits: u64,
}

async fn concurrent_increments_lose_no_update(db: Client) {
    db.create_table::<Counter>().await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                for _ in 0..25 {
                    let first = Counter {
                        name: "page".into(),
                        hits: 0,
                    };
                    db.upsert(&first).add(Counter::HITS, 1u64).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let counter = db.get(Counter::key("page")).consistent().await.unwrap();
    assert_eq!(
        counter,
        Some(Counter {
            name: "page".into(),
            hits: 200
        })
    );
    let item = counter.unwrap().to_item().unwrap();
    assert_eq!(item["hits"], AttributeValue::N(200u32.into()));
}

on_both_backends!(
    multi_thread: concurrent_transfers_keep_the_total_and_apply_all_or_nothing,
    exactly_one_of_concurrent_versioned_writers_wins,
    concurrent_increments_lose_no_update,
);
