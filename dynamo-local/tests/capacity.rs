//! Consumed capacity against figures computed by hand from DynamoDB's rules:
//! reads in 4 KB units (half for eventual consistency), writes in 1 KB units,
//! query and scan rounded once over all data read, batch items rounded one
//! by one, index writes counted per index.

mod common;

use common::*;
use dynamo_core::expr::KeyCondition;
use dynamo_core::ops::*;
use dynamo_core::schema::{KeySchemaElement, Projection, ScalarAttributeType};
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, Backend};
use dynamo_local::Engine;

/// An item of exactly `bytes` bytes in the hash-only table `cap`:
/// `k` (1) + "a" (1) + `d` (1) + filler.
fn sized(key: &str, bytes: usize) -> AttributeMap {
    let i = item(&[("k", s(key)), ("d", s(&"x".repeat(bytes - 2 - key.len())))]);
    assert_eq!(item_size(&i), bytes);
    i
}

async fn cap_engine() -> Engine {
    let engine = Engine::new();
    let mut input = CreateTableInput::new(
        "cap",
        vec![KeySchemaElement::hash("k")],
        vec![def("k", ScalarAttributeType::S)],
    );
    input
        .attribute_definitions
        .push(def("g", ScalarAttributeType::S));
    input.global_secondary_indexes = Some(vec![gsi("by_g", &["g"], &[], Projection::all())]);
    engine.create_table(input).await.unwrap();
    engine
}

async fn put_units(engine: &Engine, i: AttributeMap) -> f64 {
    let mut input = PutItemInput::new("cap", i);
    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
    let c = engine
        .put_item(input)
        .await
        .unwrap()
        .consumed_capacity
        .unwrap();
    assert_eq!(c.table_name.as_deref(), Some("cap"));
    c.capacity_units.unwrap()
}

async fn get_units(engine: &Engine, key: &str, consistent: bool) -> f64 {
    let mut input = GetItemInput::new("cap", item(&[("k", s(key))]));
    input.consistent_read = Some(consistent);
    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
    engine
        .get_item(input)
        .await
        .unwrap()
        .consumed_capacity
        .unwrap()
        .capacity_units
        .unwrap()
}

#[tokio::test]
async fn single_item_reads_and_writes_round_up_per_unit() {
    let engine = cap_engine().await;
    // (bytes, write units, strong read units, eventual read units)
    for (key, bytes, wcu, strong, eventual) in [
        ("a", 3, 1.0, 1.0, 0.5),
        ("b", 1024, 1.0, 1.0, 0.5),
        ("c", 1025, 2.0, 1.0, 0.5),
        ("d", 4096, 4.0, 1.0, 0.5),
        ("e", 4097, 5.0, 2.0, 1.0),
    ] {
        assert_eq!(
            put_units(&engine, sized(key, bytes)).await,
            wcu,
            "put {bytes} B"
        );
        assert_eq!(
            get_units(&engine, key, true).await,
            strong,
            "strong get {bytes} B"
        );
        assert_eq!(
            get_units(&engine, key, false).await,
            eventual,
            "eventual get {bytes} B"
        );
    }
    // A missing item still costs one read unit (half when eventual).
    assert_eq!(get_units(&engine, "missing", true).await, 1.0);
    assert_eq!(get_units(&engine, "missing", false).await, 0.5);
    // Overwriting costs the larger of the old and new item.
    assert_eq!(put_units(&engine, sized("e", 3)).await, 5.0);
    // Deleting costs the deleted item's size; a missing item one unit.
    let delete = |key: &str| {
        let mut input = DeleteItemInput::new("cap", item(&[("k", s(key))]));
        input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
        let engine = engine.clone();
        async move {
            engine
                .delete_item(input)
                .await
                .unwrap()
                .consumed_capacity
                .unwrap()
                .capacity_units
                .unwrap()
        }
    };
    assert_eq!(delete("d").await, 4.0);
    assert_eq!(delete("d").await, 1.0);
}

#[tokio::test]
async fn index_writes_are_counted_per_index_with_indexes() {
    let engine = cap_engine().await;
    let mut with_g = sized("a", 1025);
    with_g.insert("g".into(), s("x"));
    let mut input = PutItemInput::new("cap", with_g.clone());
    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Indexes);
    let c = engine
        .put_item(input)
        .await
        .unwrap()
        .consumed_capacity
        .unwrap();
    // 1028 B item: 2 units on the table, 2 on the index entry (ALL projection).
    assert_eq!(c.capacity_units, Some(4.0));
    assert_eq!(c.table.unwrap().capacity_units, Some(2.0));
    assert_eq!(
        c.global_secondary_indexes.unwrap()["by_g"].capacity_units,
        Some(2.0)
    );

    // Changing the index key: the old entry is deleted and a new one put.
    with_g.insert("g".into(), s("y"));
    let mut input = PutItemInput::new("cap", with_g.clone());
    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Indexes);
    let c = engine
        .put_item(input)
        .await
        .unwrap()
        .consumed_capacity
        .unwrap();
    assert_eq!(
        c.global_secondary_indexes.unwrap()["by_g"].capacity_units,
        Some(4.0)
    );

    // Rewriting the same item leaves the index entry unchanged: no index write.
    let mut input = PutItemInput::new("cap", with_g);
    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Indexes);
    let c = engine
        .put_item(input)
        .await
        .unwrap()
        .consumed_capacity
        .unwrap();
    assert_eq!(c.capacity_units, Some(2.0));
    assert!(c.global_secondary_indexes.is_none());
}

#[tokio::test]
async fn a_3_mb_query_reads_1_mb_pages_rounded_once_per_page() {
    let engine = Engine::new();
    engine.create_table(table("big")).await.unwrap();
    // 30 items of exactly 100 KB: "pk"+"p" (3) + "sk"+a number of one or two
    // significant digits (2 + 2) + "d" (1) + filler.
    for sk in 1..=30 {
        let i = item(&[
            ("pk", s("p")),
            ("sk", n(sk)),
            ("d", s(&"x".repeat(102_400 - 8))),
        ]);
        assert_eq!(item_size(&i), 102_400, "item {sk}");
        engine.put_item(PutItemInput::new("big", i)).await.unwrap();
    }
    let mut pages = Vec::new();
    let mut start = None;
    loop {
        let mut q = QueryInput::new("big", KeyCondition::partition("pk", s("p")));
        q.consistent_read = Some(true);
        q.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
        q.exclusive_start_key = start.take();
        let page = engine.query(q).await.unwrap();
        pages.push((
            page.count,
            page.consumed_capacity.unwrap().capacity_units.unwrap(),
        ));
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => break,
        }
    }
    // A page stops once 1 MB (1,048,576 B) is read: 11 items = 1,126,400 B = 275 units.
    assert_eq!(pages, vec![(11, 275.0), (11, 275.0), (8, 200.0)]);
    let total: f64 = pages.iter().map(|(_, u)| u).sum();
    assert_eq!(total, 750.0);

    // Eventually consistent, Select COUNT costs the same (half).
    let mut q = QueryInput::new("big", KeyCondition::partition("pk", s("p")));
    q.select = Some(Select::Count);
    q.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
    let page = engine.query(q).await.unwrap();
    assert_eq!(page.consumed_capacity.unwrap().capacity_units, Some(137.5));
    assert_eq!((page.count, page.scanned_count), (11, 11));
}

#[tokio::test]
async fn batch_items_are_rounded_one_by_one() {
    let engine = cap_engine().await;
    let writes = vec![
        WriteRequest::PutRequest {
            item: sized("a", 1025),
        },
        WriteRequest::PutRequest {
            item: sized("b", 1025),
        },
    ];
    let out = engine
        .batch_write_item(BatchWriteItemInput {
            request_items: [("cap".to_owned(), writes)].into(),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
        })
        .await
        .unwrap();
    assert_eq!(out.consumed_capacity.unwrap()[0].capacity_units, Some(4.0));
    let out = engine
        .batch_get_item(BatchGetItemInput {
            request_items: [(
                "cap".to_owned(),
                KeysAndAttributes {
                    keys: vec![item(&[("k", s("a"))]), item(&[("k", s("b"))])],
                    consistent_read: Some(true),
                    projection: None,
                },
            )]
            .into(),
            return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
        })
        .await
        .unwrap();
    // Two 1025 B items: one unit each, not one for 2050 B together.
    assert_eq!(out.consumed_capacity.unwrap()[0].capacity_units, Some(2.0));
    assert_eq!(out.responses["cap"].len(), 2);
}

#[tokio::test]
async fn no_capacity_is_reported_unless_asked() {
    let engine = cap_engine().await;
    let out = engine
        .put_item(PutItemInput::new("cap", sized("a", 3)))
        .await
        .unwrap();
    assert_eq!(out.consumed_capacity, None);
}
