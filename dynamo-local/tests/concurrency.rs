//! The engine shared across tokio tasks on several threads: concurrent
//! writers and readers on one table and across tables lose nothing.

mod common;

use common::*;
use dynamo_core::Backend;
use dynamo_core::expr::KeyCondition;
use dynamo_core::ops::*;
use dynamo_core::schema::{Projection, ScalarAttributeType};
use dynamo_local::Engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_readers_lose_nothing() {
    let engine = Engine::new();
    for name in ["left", "right"] {
        let mut input = table(name);
        input
            .attribute_definitions
            .push(def("g", ScalarAttributeType::S));
        input.global_secondary_indexes =
            Some(vec![gsi("by_g", &["g"], &["sk"], Projection::all())]);
        engine.create_table(input).await.unwrap();
    }
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                let name = if i % 2 == 0 { "left" } else { "right" };
                let i = item(&[
                    ("pk", s(&format!("w{writer}"))),
                    ("sk", n(i)),
                    ("g", s("all")),
                ]);
                engine.put_item(PutItemInput::new(name, i)).await.unwrap();
            }
        }));
    }
    for _ in 0..4 {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..50 {
                let page = engine.scan(ScanInput::new("left")).await.unwrap();
                assert!(page.count <= 800);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for name in ["left", "right"] {
        let table = engine
            .describe_table(DescribeTableInput {
                table_name: name.into(),
            })
            .await
            .unwrap()
            .table;
        assert_eq!(table.item_count, 800, "{name}");
        let mut q = QueryInput::new(name, KeyCondition::partition("g", s("all")));
        q.index_name = Some("by_g".into());
        assert_eq!(engine.query(q).await.unwrap().count, 800, "{name} index");
    }
}
