//! Property: paging a query or scan with any Limit returns every matching
//! item exactly once, in order.

mod common;

use common::*;
use dynamo_core::expr::{KeyCondition, SortKeyOp};
use dynamo_core::ops::*;
use dynamo_core::{AttributeValue, Backend};
use dynamo_local::Engine;
use proptest::prelude::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

async fn load(engine: &Engine, partitions: usize, per_partition: &[i64], payload: usize) {
    engine.create_table(table("paged")).await.unwrap();
    for p in 0..partitions {
        for sk in per_partition {
            let i = item(&[
                ("pk", s(&format!("p{p}"))),
                ("sk", n(sk)),
                ("d", s(&"x".repeat(payload))),
            ]);
            engine
                .put_item(PutItemInput::new("paged", i))
                .await
                .unwrap();
        }
    }
}

fn sk_of(i: &dynamo_core::AttributeMap) -> AttributeValue {
    i["sk"].clone()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn query_pages_return_every_match_once_in_order(
        sort_keys in proptest::collection::btree_set(-1000i64..1000, 1..60),
        limit in 1i32..20,
        forward in any::<bool>(),
        lower in -1000i64..1000,
        payload in prop_oneof![Just(0usize), Just(200_000usize)],
    ) {
        runtime().block_on(async {
            let engine = Engine::new();
            let keys: Vec<i64> = sort_keys.into_iter().collect();
            load(&engine, 2, &keys, payload).await;
            let condition = KeyCondition::partition("pk", s("p1")).and_sort_key("sk", SortKeyOp::Ge(n(lower)));
            let mut expected: Vec<_> = keys.iter().filter(|k| **k >= lower).map(n).collect();
            if !forward {
                expected.reverse();
            }
            let mut got = Vec::new();
            let mut start = None;
            for _ in 0..200 {
                let mut q = QueryInput::new("paged", condition.clone());
                q.limit = Some(limit);
                q.scan_index_forward = Some(forward);
                q.exclusive_start_key = start.take();
                let page = engine.query(q).await.unwrap();
                prop_assert!(page.count <= limit);
                got.extend(page.items.unwrap().iter().map(sk_of));
                match page.last_evaluated_key {
                    Some(k) => start = Some(k),
                    None => break,
                }
            }
            prop_assert_eq!(got, expected);
            Ok(())
        })?;
    }

    #[test]
    fn scan_pages_return_every_item_once(
        partitions in 1usize..25,
        per_partition in 1i64..6,
        limit in 1i32..30,
        segments in 1i32..5,
    ) {
        runtime().block_on(async {
            let engine = Engine::new();
            let keys: Vec<i64> = (0..per_partition).collect();
            load(&engine, partitions, &keys, 0).await;
            let mut seen = Vec::new();
            for segment in 0..segments {
                let mut start = None;
                for _ in 0..1000 {
                    let mut scan = ScanInput::new("paged");
                    scan.limit = Some(limit);
                    scan.segment = Some(segment);
                    scan.total_segments = Some(segments);
                    scan.exclusive_start_key = start.take();
                    let page = engine.scan(scan).await.unwrap();
                    seen.extend(page.items.unwrap().iter().map(|i| format!("{:?}/{:?}", i["pk"], i["sk"])));
                    match page.last_evaluated_key {
                        Some(k) => start = Some(k),
                        None => break,
                    }
                }
            }
            let total = seen.len();
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), total, "an item was returned twice");
            prop_assert_eq!(total, partitions * per_partition as usize);
            Ok(())
        })?;
    }
}
