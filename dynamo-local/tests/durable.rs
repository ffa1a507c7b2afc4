//! Durable mode as a user sees it: data written to an engine on a data
//! directory is there after the engine is dropped and the directory opened
//! again, with its tables' identities, indexes, settings and client tokens;
//! a second engine cannot open a directory in use; and a log cut or damaged
//! anywhere recovers a prefix of what was written, never garbage.

use dynamo_core::{AttributeMap, Backend, Error, decode_json};
use dynamo_local::{Engine, EngineOptions, OpenError, Sync};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    decode_json(value.to_string().as_bytes()).unwrap_or_else(|e| panic!("{value}: {e:?}"))
}

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dynamo-durable-{name}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn open(dir: &Path) -> Engine {
    Engine::open(
        dir,
        EngineOptions {
            ttl_sweep_interval: None,
            ..EngineOptions::default()
        },
        Sync::Os,
    )
    .unwrap()
}

async fn get(engine: &Engine, table: &str, pk: &str) -> Option<AttributeMap> {
    engine
        .get_item(input(
            json!({"TableName": table, "Key": {"pk": {"S": pk}}, "ConsistentRead": true}),
        ))
        .await
        .unwrap()
        .item
}

fn n(item: &AttributeMap, name: &str) -> String {
    serde_json::to_value(&item[name]).unwrap()["N"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create_accounts(engine: &Engine) {
    engine
        .create_table(input(json!({
            "TableName": "accounts", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "city", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_city",
                "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            "Tags": [{"Key": "team", "Value": "ledger"}]
        })))
        .await
        .unwrap();
}

fn transfer(amount: u32, token: &str) -> dynamo_core::ops::TransactWriteItemsInput {
    input(json!({"ClientRequestToken": token, "TransactItems": [
        {"Update": {"TableName": "accounts", "Key": {"pk": {"S": "ada"}},
            "UpdateExpression": "SET balance = balance - :n", "ConditionExpression": "balance >= :n",
            "ExpressionAttributeValues": {":n": {"N": amount.to_string()}}}},
        {"Update": {"TableName": "accounts", "Key": {"pk": {"S": "bob"}},
            "UpdateExpression": "SET balance = balance + :n",
            "ExpressionAttributeValues": {":n": {"N": amount.to_string()}}}}
    ]}))
}

#[tokio::test]
async fn what_was_written_is_there_after_reopening() {
    let dir = scratch("reopen");
    let described = {
        let engine = open(&dir);
        create_accounts(&engine).await;
        for (pk, city, balance) in [
            ("ada", "paris", 100),
            ("bob", "lima", 50),
            ("cy", "lima", 7),
        ] {
            engine
                .put_item(input(json!({"TableName": "accounts", "Item": {
                    "pk": {"S": pk}, "city": {"S": city}, "balance": {"N": balance.to_string()}}})))
                .await
                .unwrap();
        }
        engine
            .transact_write_items(transfer(30, "t-1"))
            .await
            .unwrap();
        engine
            .delete_item(input(
                json!({"TableName": "accounts", "Key": {"pk": {"S": "cy"}}}),
            ))
            .await
            .unwrap();
        engine
            .update_time_to_live(input(json!({"TableName": "accounts",
                "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}})))
            .await
            .unwrap();
        // A table created and deleted stays deleted; its name can be reused.
        for _ in 0..2 {
            engine
                .create_table(input(json!({
                    "TableName": "scratch", "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})))
                .await
                .unwrap();
            engine
                .put_item(input(
                    json!({"TableName": "scratch", "Item": {"pk": {"S": "x"}}}),
                ))
                .await
                .unwrap();
            engine
                .delete_table(input(json!({"TableName": "scratch"})))
                .await
                .unwrap();
        }
        engine
            .describe_table(input(json!({"TableName": "accounts"})))
            .await
            .unwrap()
            .table
    };

    let engine = open(&dir);
    let again = engine
        .describe_table(input(json!({"TableName": "accounts"})))
        .await
        .unwrap()
        .table;
    let (again, described) = (
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&described).unwrap(),
    );
    // The same table: identity, key schema, index, counts and sizes.
    for field in [
        "TableName",
        "TableArn",
        "TableId",
        "CreationDateTime",
        "KeySchema",
        "AttributeDefinitions",
        "ItemCount",
        "TableSizeBytes",
        "BillingModeSummary",
    ] {
        assert_eq!(again[field], described[field], "{field}");
    }
    assert_eq!(
        again["GlobalSecondaryIndexes"][0]["IndexArn"],
        described["GlobalSecondaryIndexes"][0]["IndexArn"]
    );
    assert_eq!(
        again["GlobalSecondaryIndexes"][0]["ItemCount"],
        described["GlobalSecondaryIndexes"][0]["ItemCount"]
    );
    assert_eq!(
        n(&get(&engine, "accounts", "ada").await.unwrap(), "balance"),
        "70"
    );
    assert_eq!(
        n(&get(&engine, "accounts", "bob").await.unwrap(), "balance"),
        "80"
    );
    assert_eq!(get(&engine, "accounts", "cy").await, None);
    let lima = engine
        .query(input(json!({"TableName": "accounts", "IndexName": "by_city",
            "KeyConditionExpression": "city = :c", "ExpressionAttributeValues": {":c": {"S": "lima"}}})))
        .await
        .unwrap();
    assert_eq!(lima.count, 1, "the index is rebuilt");
    let ttl = engine
        .describe_time_to_live(input(json!({"TableName": "accounts"})))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&ttl).unwrap()["TimeToLiveDescription"]["AttributeName"],
        "expires"
    );
    let tables = engine.list_tables(input(json!({}))).await.unwrap();
    assert_eq!(tables.table_names, ["accounts"]);

    // The client token survived: a retry is answered without applying it
    // again, a different request under it is refused.
    engine
        .transact_write_items(transfer(30, "t-1"))
        .await
        .unwrap();
    assert_eq!(
        n(&get(&engine, "accounts", "ada").await.unwrap(), "balance"),
        "70"
    );
    let mismatch = engine
        .transact_write_items(transfer(31, "t-1"))
        .await
        .unwrap_err();
    assert_eq!(
        mismatch.error_type(),
        "IdempotentParameterMismatchException"
    );

    // Writes after reopening are logged too.
    engine
        .put_item(input(json!({"TableName": "accounts", "Item": {
            "pk": {"S": "dee"}, "city": {"S": "oslo"}, "balance": {"N": "1"}}})))
        .await
        .unwrap();
    drop(engine);
    let engine = open(&dir);
    assert!(get(&engine, "accounts", "dee").await.is_some());
    drop(engine);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_directory_in_use_cannot_be_opened_twice() {
    let dir = scratch("lock");
    let engine = open(&dir);
    let second = Engine::open(&dir, EngineOptions::default(), Sync::Fsync);
    match second {
        Err(OpenError::InUse(path)) => assert_eq!(path, dir),
        other => panic!("expected InUse, got {other:?}"),
    }
    assert_eq!(
        Engine::open(&dir, EngineOptions::default(), Sync::Os)
            .unwrap_err()
            .to_string(),
        format!(
            "data directory {} is in use by another dynamo-local engine",
            dir.display()
        )
    );
    drop(engine);
    drop(open(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes `counter` = 1..=`writes`, one PutItem each (one frame each), and
/// returns the log's bytes.
async fn counted_log(dir: &Path, writes: u32) -> Vec<u8> {
    let engine = open(dir);
    engine
        .create_table(input(json!({
            "TableName": "counters", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})))
        .await
        .unwrap();
    for value in 1..=writes {
        engine
            .put_item(input(json!({"TableName": "counters", "Item": {
                "pk": {"S": "c"}, "value": {"N": value.to_string()}, "pad": {"S": "x".repeat(value as usize % 40)}}})))
            .await
            .unwrap();
    }
    drop(engine);
    std::fs::read(dir.join("wal.log")).unwrap()
}

/// The counter after recovering `log`, or `None` when even the table's
/// creation was lost.
async fn recover(dir: &Path, log: &[u8]) -> Option<u32> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("wal.log"), log).unwrap();
    let engine = open(dir);
    let value = match engine
        .get_item(input(
            json!({"TableName": "counters", "Key": {"pk": {"S": "c"}}}),
        ))
        .await
    {
        Ok(output) => output.item.map(|item| n(&item, "value").parse().unwrap()),
        Err(Error::ResourceNotFound(_)) => return None,
        Err(other) => panic!("{other:?}"),
    };
    Some(value.unwrap_or(0))
}

#[tokio::test]
async fn a_cut_or_damaged_log_recovers_a_prefix_and_never_garbage() {
    let dir = scratch("torn");
    let writes = 120;
    let log = counted_log(&dir, writes).await;
    let work = dir.with_extension("work");
    // Frame boundaries: where a recovered log of each prefix ends.
    let mut state: u64 = 99;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut last = None;
    let mut cuts: Vec<usize> = (0..60).map(|_| next() % (log.len() + 1)).collect();
    cuts.sort_unstable();
    for cut in cuts {
        let value = recover(&work, &log[..cut]).await;
        // A longer prefix of the log never recovers less.
        assert!(value >= last, "cut at {cut}: {value:?} after {last:?}");
        last = value;
        // The recovered log is cut back to whole frames, and reopening it
        // again recovers the same.
        let kept = std::fs::read(work.join("wal.log")).unwrap();
        assert!(kept.len() <= cut && log.starts_with(&kept));
        let engine = open(&work);
        drop(engine);
        assert_eq!(std::fs::read(work.join("wal.log")).unwrap(), kept);
    }
    assert_eq!(recover(&work, &log).await, Some(writes));
    for _ in 0..40 {
        let at = next() % log.len();
        let mut damaged = log.clone();
        damaged[at] ^= 1 << (next() % 8);
        let value = recover(&work, &damaged).await;
        // Everything before the damaged frame, nothing from it on.
        let intact = recover(&dir.with_extension("intact"), &log[..at]).await;
        assert_eq!(value, intact, "a flipped bit at {at}");
    }
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_dir_all(dir.with_extension("intact"));
    std::fs::remove_dir_all(&dir).unwrap();
}
