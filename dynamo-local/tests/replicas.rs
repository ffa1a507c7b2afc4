//! Eventually consistent reads served by lagging replicas: with a replica
//! lag, an eventual read just after a write shows the table as it was, a
//! strong read never does, a global index lags too, held replicas stay
//! where they are, and a replica only ever shows a state the table had, in
//! order, converging once writes stop.

use dynamo_core::{AttributeMap, Backend, decode_json};
use dynamo_local::{Engine, EngineOptions, ManualClock};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    decode_json(value.to_string().as_bytes()).unwrap()
}

fn lagging(lag: Duration, seed: u64) -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let engine = Engine::with_options(EngineOptions {
        clock: clock.clone(),
        ttl_sweep_interval: None,
        replica_lag: lag,
        seed,
        ..EngineOptions::default()
    });
    (engine, clock)
}

async fn create(engine: &Engine) {
    engine
        .create_table(input(json!({
            "TableName": "profiles", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "city", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{"IndexName": "by_city",
                "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}]
        })))
        .await
        .unwrap();
}

async fn put(engine: &Engine, pk: &str, city: &str) {
    engine
        .put_item(input(json!({"TableName": "profiles",
            "Item": {"pk": {"S": pk}, "city": {"S": city}}})))
        .await
        .unwrap();
}

async fn city_of(engine: &Engine, pk: &str, consistent: bool) -> Option<String> {
    engine
        .get_item(input(
            json!({"TableName": "profiles", "Key": {"pk": {"S": pk}},
            "ConsistentRead": consistent}),
        ))
        .await
        .unwrap()
        .item
        .and_then(|i| i.get("city").and_then(|c| c.as_s()).map(str::to_owned))
}

async fn people_in(engine: &Engine, city: &str) -> Vec<String> {
    let out = engine
        .query(input(
            json!({"TableName": "profiles", "IndexName": "by_city",
            "KeyConditionExpression": "city = :c",
            "ExpressionAttributeValues": {":c": {"S": city}}}),
        ))
        .await
        .unwrap();
    let mut people: Vec<String> = out
        .items
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i.get("pk").and_then(|p| p.as_s()).map(str::to_owned))
        .collect();
    people.sort();
    people
}

#[tokio::test]
async fn an_eventual_read_just_after_a_write_is_stale_and_a_strong_read_never_is() {
    let lag = Duration::from_millis(100);
    let (engine, clock) = lagging(lag, 7);
    create(&engine).await;
    put(&engine, "ada", "London").await;
    clock.advance(Duration::from_secs(1));
    put(&engine, "ada", "Paris").await;
    // Every replica applies commits at least half the lag late.
    for _ in 0..10 {
        assert_eq!(
            city_of(&engine, "ada", false).await.as_deref(),
            Some("London")
        );
        assert_eq!(
            city_of(&engine, "ada", true).await.as_deref(),
            Some("Paris")
        );
    }
    // The global index lags as well; only eventual reads exist on it.
    assert_eq!(people_in(&engine, "London").await, ["ada"]);
    assert!(people_in(&engine, "Paris").await.is_empty());
    // Once the lag has passed, every replica has caught up.
    clock.advance(lag);
    for _ in 0..10 {
        assert_eq!(
            city_of(&engine, "ada", false).await.as_deref(),
            Some("Paris")
        );
    }
    assert_eq!(people_in(&engine, "Paris").await, ["ada"]);
    assert!(people_in(&engine, "London").await.is_empty());
}

#[tokio::test]
async fn a_new_item_is_invisible_to_eventual_queries_and_scans_until_replicated() {
    let lag = Duration::from_millis(50);
    let (engine, clock) = lagging(lag, 1);
    create(&engine).await;
    clock.advance(Duration::from_secs(1));
    put(&engine, "bo", "Oslo").await;
    let scan = |consistent: bool| {
        let engine = engine.clone();
        async move {
            engine
                .scan(input(
                    json!({"TableName": "profiles", "ConsistentRead": consistent}),
                ))
                .await
                .unwrap()
                .count
        }
    };
    assert_eq!(scan(false).await, 0);
    assert_eq!(scan(true).await, 1);
    let batch = engine
        .batch_get_item(input(
            json!({"RequestItems": {"profiles": {"Keys": [{"pk": {"S": "bo"}}]}}}),
        ))
        .await
        .unwrap();
    assert!(batch.responses["profiles"].is_empty());
    clock.advance(lag);
    assert_eq!(scan(false).await, 1);
}

#[tokio::test]
async fn held_replicas_make_the_next_eventual_read_stale_without_a_lag() {
    let engine = Engine::new();
    create(&engine).await;
    put(&engine, "cy", "Rome").await;
    engine.hold_replicas("profiles").unwrap();
    put(&engine, "cy", "Lima").await;
    assert_eq!(city_of(&engine, "cy", false).await.as_deref(), Some("Rome"));
    assert_eq!(city_of(&engine, "cy", true).await.as_deref(), Some("Lima"));
    engine.release_replicas("profiles").unwrap();
    assert_eq!(city_of(&engine, "cy", false).await.as_deref(), Some("Lima"));
}

#[tokio::test]
async fn without_a_lag_every_read_sees_the_latest_commit() {
    let engine = Engine::new();
    create(&engine).await;
    put(&engine, "di", "Cairo").await;
    assert_eq!(
        city_of(&engine, "di", false).await.as_deref(),
        Some("Cairo")
    );
    assert_eq!(people_in(&engine, "Cairo").await, ["di"]);
}

/// The whole table as a sorted list of (key, value).
#[tokio::test]
async fn a_table_can_lag_on_its_own_and_be_set_at_run_time() {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let engine = Engine::with_options(EngineOptions {
        clock: clock.clone(),
        ttl_sweep_interval: None,
        table_replica_lag: [("profiles".to_owned(), Duration::from_secs(10))].into(),
        ..EngineOptions::default()
    });
    create(&engine).await;
    engine
        .create_table(input(json!({
            "TableName": "prompt", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]
        })))
        .await
        .unwrap();
    put(&engine, "ada", "paris").await;
    engine
        .put_item(input(
            json!({"TableName": "prompt", "Item": {"pk": {"S": "ada"}}}),
        ))
        .await
        .unwrap();
    // Only the table with its own lag is stale.
    assert_eq!(city_of(&engine, "ada", false).await, None);
    let prompt = engine
        .get_item(input(
            json!({"TableName": "prompt", "Key": {"pk": {"S": "ada"}}}),
        ))
        .await
        .unwrap();
    assert!(prompt.item.is_some());
    // The manual clock moves the replicas on.
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        city_of(&engine, "ada", false).await.as_deref(),
        Some("paris")
    );

    // At run time: no lag makes every read current; a lag makes them stale.
    engine.set_replica_lag("profiles", Duration::ZERO).unwrap();
    put(&engine, "ada", "rome").await;
    assert_eq!(
        city_of(&engine, "ada", false).await.as_deref(),
        Some("rome")
    );
    engine
        .set_replica_lag("prompt", Duration::from_secs(60))
        .unwrap();
    engine
        .put_item(input(
            json!({"TableName": "prompt", "Item": {"pk": {"S": "bob"}}}),
        ))
        .await
        .unwrap();
    let stale = engine
        .get_item(input(
            json!({"TableName": "prompt", "Key": {"pk": {"S": "bob"}}}),
        ))
        .await
        .unwrap();
    assert!(stale.item.is_none());
    assert!(matches!(
        engine.set_replica_lag("nothing", Duration::ZERO),
        Err(dynamo_core::Error::ResourceNotFound(_))
    ));
}

async fn snapshot(engine: &Engine, consistent: bool) -> Vec<(String, String)> {
    let out = engine
        .scan(input(
            json!({"TableName": "history", "ConsistentRead": consistent}),
        ))
        .await
        .unwrap();
    let text = |item: &AttributeMap, name: &str| {
        item.get(name)
            .and_then(|v| v.as_s())
            .unwrap_or("")
            .to_owned()
    };
    let mut rows: Vec<(String, String)> = out
        .items
        .unwrap_or_default()
        .iter()
        .map(|i| (text(i, "pk"), text(i, "v")))
        .collect();
    rows.sort();
    rows
}

#[derive(Clone, Debug)]
enum Step {
    Put(u8, u8),
    Delete(u8),
    /// Writes two items in one transaction.
    Both(u8, u8, u8),
    Wait(u8),
    Read,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..6, any::<u8>()).prop_map(|(k, v)| Step::Put(k, v)),
        1 => (0u8..6).prop_map(Step::Delete),
        2 => (0u8..6, 0u8..6, any::<u8>()).prop_map(|(a, b, v)| Step::Both(a, b, v)),
        2 => (0u8..40).prop_map(Step::Wait),
        4 => Just(Step::Read),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_replica_shows_only_states_the_table_had_in_order_and_converges(
        steps in proptest::collection::vec(step(), 1..40),
        seed in any::<u64>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let lag = Duration::from_millis(60);
            let (engine, clock) = lagging(lag, seed);
            engine
                .create_table(input(json!({
                    "TableName": "history", "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})))
                .await
                .unwrap();
            // Every state the table has had, in commit order.
            let mut states = vec![snapshot(&engine, true).await];
            let item = |k: u8, v: u8| json!({"pk": {"S": format!("k{k}")}, "v": {"S": format!("v{v}")}});
            for step in &steps {
                match step {
                    Step::Put(k, v) => {
                        engine.put_item(input(json!({"TableName": "history", "Item": item(*k, *v)}))).await.unwrap();
                    }
                    Step::Delete(k) => {
                        engine.delete_item(input(json!({"TableName": "history", "Key": {"pk": {"S": format!("k{k}")}}}))).await.unwrap();
                    }
                    Step::Both(a, b, v) if a != b => {
                        engine.transact_write_items(input(json!({"TransactItems": [
                            {"Put": {"TableName": "history", "Item": item(*a, *v)}},
                            {"Put": {"TableName": "history", "Item": item(*b, *v)}}]}))).await.unwrap();
                    }
                    Step::Both(..) => {}
                    Step::Wait(ms) => clock.advance(Duration::from_millis(u64::from(*ms))),
                    Step::Read => {
                        // Replicas differ from each other, but each shows a
                        // state the table had, whole (never half a
                        // transaction).
                        let seen = snapshot(&engine, false).await;
                        prop_assert!(states.contains(&seen), "a replica showed {seen:?}, which never existed");
                    }
                }
                let now = snapshot(&engine, true).await;
                if states.last() != Some(&now) {
                    states.push(now);
                }
            }
            // Writes stop; after the lag every replica shows the last state.
            clock.advance(lag);
            for _ in 0..6 {
                prop_assert_eq!(snapshot(&engine, false).await, states.last().cloned().unwrap_or_default());
            }
            Ok(())
        })?;
    }
}
