//! The engine shared across tokio tasks on several threads: concurrent
//! writers and readers on one table and across tables lose nothing, and
//! every read sees a whole item as one write left it.

mod common;

use common::*;
use dynamo_core::expr::{KeyCondition, Path, SetAction, SetValue, Update, UpdateOperand};
use dynamo_core::ops::*;
use dynamo_core::schema::{Projection, ScalarAttributeType};
use dynamo_core::{AttributeMap, AttributeValue, Backend};
use dynamo_local::Engine;

const WRITERS: usize = 8;
const ITEMS_PER_WRITER: i64 = 200;
/// Each table gets every other item of every writer.
const ITEMS_PER_TABLE: usize = WRITERS * ITEMS_PER_WRITER as usize / 2;

/// The body a write of revision `rev` stores with item `pk`/`sk`: long
/// enough that a torn copy could not pass for a whole one.
fn body(pk: &str, sk: &str, rev: &str) -> String {
    format!("{pk}/{sk}/rev{rev};").repeat(16)
}

fn text(item: &AttributeMap, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v.clone(),
        Some(AttributeValue::N(v)) => v.to_string(),
        other => panic!("{name} is {other:?} in {item:?}"),
    }
}

/// Panics unless `item` is exactly what the put (rev 0) or the update
/// (rev 1) of its key wrote: all five attributes, its body matching its
/// key and revision.
fn assert_whole(item: &AttributeMap) {
    let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["body", "g", "pk", "rev", "sk"], "{item:?}");
    let (pk, sk, rev) = (text(item, "pk"), text(item, "sk"), text(item, "rev"));
    assert!(rev == "0" || rev == "1", "{item:?}");
    assert_eq!(text(item, "g"), "all", "{item:?}");
    assert_eq!(
        text(item, "body"),
        body(&pk, &sk, &rev),
        "torn item {item:?}"
    );
}

/// `SET rev = 1, body = <rev 1 body>`.
fn second_revision(pk: &str, sk: &str) -> Update {
    let set = |name: &str, value: AttributeValue| SetAction {
        path: Path::attribute(name),
        value: SetValue::Operand(UpdateOperand::Value(value)),
    };
    Update {
        set: vec![set("rev", n(1)), set("body", s(&body(pk, sk, "1")))],
        ..Update::default()
    }
}

fn by_g(table: &str) -> QueryInput {
    let mut q = QueryInput::new(table, KeyCondition::partition("g", s("all")));
    q.index_name = Some("by_g".into());
    q
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_and_readers_lose_nothing_and_see_whole_items() {
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
    for writer in 0..WRITERS {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            let pk = format!("w{writer}");
            for i in 0..ITEMS_PER_WRITER {
                let name = if i % 2 == 0 { "left" } else { "right" };
                let sk = i.to_string();
                let first = item(&[
                    ("pk", s(&pk)),
                    ("sk", n(i)),
                    ("g", s("all")),
                    ("rev", n(0)),
                    ("body", s(&body(&pk, &sk, "0"))),
                ]);
                engine
                    .put_item(PutItemInput::new(name, first))
                    .await
                    .unwrap();
                let key = item(&[("pk", s(&pk)), ("sk", n(i))]);
                let update = UpdateItemInput::new(name, key, second_revision(&pk, &sk));
                engine.update_item(update).await.unwrap();
            }
        }));
    }
    for reader in 0..4 {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = 0;
            for round in 0..50 {
                // Scans of the table, queries of the index, and single
                // reads; items are never deleted, so a reader never sees
                // fewer than it saw before.
                let (count, items, more) = if reader % 2 == 0 {
                    let page = engine.scan(ScanInput::new("left")).await.unwrap();
                    (page.count, page.items, page.last_evaluated_key)
                } else {
                    let page = engine.query(by_g("right")).await.unwrap();
                    (page.count, page.items, page.last_evaluated_key)
                };
                assert!(more.is_none(), "the whole table fits one page");
                let items = items.unwrap();
                assert_eq!(count as usize, items.len());
                assert!(
                    items.len() >= seen,
                    "saw {} items after {seen}",
                    items.len()
                );
                seen = items.len();
                items.iter().for_each(assert_whole);
                let key = item(&[("pk", s(&format!("w{}", round % 8))), ("sk", n(round * 2))]);
                let got = engine
                    .get_item(GetItemInput::new("left", key))
                    .await
                    .unwrap();
                if let Some(item) = &got.item {
                    assert_whole(item);
                }
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
        assert_eq!(table.item_count as usize, ITEMS_PER_TABLE, "{name}");
        let scanned = engine.scan(ScanInput::new(name)).await.unwrap();
        let indexed = engine.query(by_g(name)).await.unwrap();
        for items in [scanned.items.unwrap(), indexed.items.unwrap()] {
            assert_eq!(items.len(), ITEMS_PER_TABLE, "{name}");
            for item in &items {
                assert_whole(item);
                assert_eq!(text(item, "rev"), "1", "every update landed: {item:?}");
            }
        }
    }
}
