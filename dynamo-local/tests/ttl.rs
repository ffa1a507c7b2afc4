//! Time to live, on a clock the test controls.

mod common;

use common::*;
use dynamo_core::Backend;
use dynamo_core::ops::*;
use dynamo_core::schema::{
    Projection, ScalarAttributeType, TimeToLiveSpecification, TimeToLiveStatus,
};
use dynamo_local::{Engine, EngineOptions, ManualClock};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const NOW: u64 = 1_700_000_000;

async fn engine() -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(NOW)));
    let engine = Engine::with_options(EngineOptions {
        clock: clock.clone(),
        ttl_sweep_interval: None,
        ..EngineOptions::default()
    });
    let mut input = table("sessions");
    input
        .attribute_definitions
        .push(def("user", ScalarAttributeType::S));
    input.global_secondary_indexes = Some(vec![gsi(
        "by_user",
        &["user"],
        &[],
        Projection::keys_only(),
    )]);
    engine.create_table(input).await.unwrap();
    (engine, clock)
}

fn spec(enabled: bool, attribute: &str) -> UpdateTimeToLiveInput {
    UpdateTimeToLiveInput {
        table_name: "sessions".into(),
        time_to_live_specification: TimeToLiveSpecification {
            enabled,
            attribute_name: attribute.into(),
        },
    }
}

async fn count(engine: &Engine) -> i32 {
    engine.scan(ScanInput::new("sessions")).await.unwrap().count
}

#[tokio::test]
async fn expired_items_are_swept_and_others_never() {
    let (engine, clock) = engine().await;
    let put = |sk: i64, expires: Option<dynamo_core::AttributeValue>| {
        let mut i = item(&[("pk", s("s")), ("sk", n(sk)), ("user", s("u1"))]);
        if let Some(e) = expires {
            i.insert("expires".into(), e);
        }
        let engine = engine.clone();
        async move {
            engine
                .put_item(PutItemInput::new("sessions", i))
                .await
                .unwrap()
        }
    };
    put(1, Some(n(NOW - 10))).await; // expired
    put(2, Some(n(NOW + 60))).await; // expires in a minute
    put(3, None).await; // no TTL attribute
    put(4, Some(s("yesterday"))).await; // not a number
    put(5, Some(n(NOW - 6 * 365 * 24 * 3600))).await; // over five years ago: ignored

    // TTL is off: nothing is deleted.
    assert_eq!(engine.sweep_expired(), 0);
    let described = engine
        .describe_time_to_live(DescribeTimeToLiveInput {
            table_name: "sessions".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        described.time_to_live_description.time_to_live_status,
        TimeToLiveStatus::Disabled
    );

    engine
        .update_time_to_live(spec(true, "expires"))
        .await
        .unwrap();
    let described = engine
        .describe_time_to_live(DescribeTimeToLiveInput {
            table_name: "sessions".into(),
        })
        .await
        .unwrap()
        .time_to_live_description;
    assert_eq!(described.time_to_live_status, TimeToLiveStatus::Enabled);
    assert_eq!(described.attribute_name.as_deref(), Some("expires"));

    assert_eq!(engine.sweep_expired(), 1);
    assert_eq!(count(&engine).await, 4);
    clock.advance(Duration::from_secs(61));
    assert_eq!(engine.sweep_expired(), 1);
    assert_eq!(count(&engine).await, 3);
    // The index lost the swept entries too.
    let mut scan = ScanInput::new("sessions");
    scan.index_name = Some("by_user".into());
    assert_eq!(engine.scan(scan).await.unwrap().count, 3);
}

#[tokio::test]
async fn ttl_specification_errors() {
    let (engine, _) = engine().await;
    assert_eq!(
        validation(engine.update_time_to_live(spec(false, "expires")).await),
        "TimeToLive is already disabled"
    );
    engine
        .update_time_to_live(spec(true, "expires"))
        .await
        .unwrap();
    assert_eq!(
        validation(engine.update_time_to_live(spec(true, "expires")).await),
        "TimeToLive is already enabled"
    );
    assert_eq!(
        validation(engine.update_time_to_live(spec(true, "other")).await),
        "TimeToLive is active on a different AttributeName: current AttributeName is expires"
    );
    engine
        .update_time_to_live(spec(false, "expires"))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_background_sweeper_deletes_expired_items() {
    let engine = Engine::with_options(EngineOptions {
        ttl_sweep_interval: Some(Duration::from_millis(20)),
        ..EngineOptions::default()
    });
    engine.create_table(table("sessions")).await.unwrap();
    engine
        .update_time_to_live(spec(true, "expires"))
        .await
        .unwrap();
    let past = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 5;
    engine
        .put_item(PutItemInput::new(
            "sessions",
            item(&[("pk", s("s")), ("sk", n(1)), ("expires", n(past))]),
        ))
        .await
        .unwrap();
    // Bounded wait: the sweeper runs every 20 ms.
    for _ in 0..250 {
        if count(&engine).await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the expired item was not swept within 5 s");
}
