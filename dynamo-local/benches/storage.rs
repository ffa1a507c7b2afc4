//! How the in-process engine's storage scales: loads small profile items
//! (about 88 bytes each by DynamoDB's size rules) into one table in batches
//! of 25, then reads random keys, and prints at each size the load rate,
//! the resident memory per item against DynamoDB's computed item size, and
//! GetItem's p50/p99 latency.
//!
//! `cargo bench -p dynamo-local --bench storage -- 10000 1000000`
//! (sizes in items, each loaded into a fresh engine in this one process,
//! smallest first, each in a fresh process; defaults 10,000 and 100,000). `--gets N` sets how many
//! random GetItems are timed per size (100,000).

use dynamo_core::Backend;
use dynamo_core::ops::{
    BatchWriteItemInput, CreateTableInput, DeleteTableInput, DescribeTableInput, GetItemInput,
    WriteRequest,
};
use dynamo_core::schema::{AttributeDefinition, KeySchemaElement, KeyType, ScalarAttributeType};
use dynamo_core::{AttributeMap, AttributeValue};
use dynamo_local::{Engine, EngineOptions};
use std::time::Instant;

fn profile(i: u64) -> AttributeMap {
    let s = |v: String| AttributeValue::S(v);
    AttributeMap::from([
        ("pk".to_owned(), s(format!("user#{i:08}"))),
        ("name".to_owned(), s(format!("User Number {i}"))),
        ("email".to_owned(), s(format!("user{i}@example.com"))),
        (
            "city".to_owned(),
            s(["Paris", "Lagos", "Lima", "Osaka"][(i % 4) as usize].to_owned()),
        ),
        (
            "age".to_owned(),
            AttributeValue::N(format!("{}", 18 + i % 60).parse().unwrap()),
        ),
        (
            "active".to_owned(),
            AttributeValue::Bool(!i.is_multiple_of(3)),
        ),
    ])
}

fn key(i: u64) -> AttributeMap {
    AttributeMap::from([("pk".to_owned(), AttributeValue::S(format!("user#{i:08}")))])
}

/// Resident memory of this process in bytes.
fn resident() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// A fast deterministic generator for random keys.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

async fn measure(items: u64, gets: u64) {
    let engine = Engine::with_options(EngineOptions {
        ttl_sweep_interval: None,
        ..EngineOptions::default()
    });
    engine
        .create_table(CreateTableInput::new(
            "profiles",
            vec![KeySchemaElement {
                attribute_name: "pk".into(),
                key_type: KeyType::Hash,
            }],
            vec![AttributeDefinition {
                attribute_name: "pk".into(),
                attribute_type: ScalarAttributeType::S,
            }],
        ))
        .await
        .expect("the table is created");
    let before = resident();
    let started = Instant::now();
    let mut i = 0;
    while i < items {
        let batch: Vec<WriteRequest> = (i..(i + 25).min(items))
            .map(|n| WriteRequest::PutRequest { item: profile(n) })
            .collect();
        i += batch.len() as u64;
        let output = engine
            .batch_write_item(BatchWriteItemInput {
                request_items: [("profiles".to_owned(), batch)].into(),
                ..BatchWriteItemInput::default()
            })
            .await
            .expect("the batch is written");
        assert!(output.unprocessed_items.is_empty());
    }
    let load = started.elapsed();
    let after = resident();
    let table = engine
        .describe_table(DescribeTableInput {
            table_name: "profiles".into(),
        })
        .await
        .expect("the table is described")
        .table;
    let size = table.table_size_bytes as f64 / items as f64;
    let per_item = after.saturating_sub(before) as f64 / items as f64;

    let mut state = items;
    let mut latencies = Vec::with_capacity(gets as usize);
    for _ in 0..gets {
        let k = key(next(&mut state) % items);
        let started = Instant::now();
        let output = engine
            .get_item(GetItemInput::new("profiles", k))
            .await
            .expect("the item is read");
        latencies.push(started.elapsed());
        assert!(output.item.is_some());
    }
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "{items:>10} items: load {:>8.0} items/s | resident {:>7.1} B/item, item size {:>5.1} B, ratio {:>5.2} | GetItem p50 {:>6.2} us p99 {:>6.2} us",
        items as f64 / load.as_secs_f64(),
        per_item,
        size,
        per_item / size,
        p(0.5).as_secs_f64() * 1e6,
        p(0.99).as_secs_f64() * 1e6,
    );
    engine
        .delete_table(DeleteTableInput {
            table_name: "profiles".into(),
        })
        .await
        .expect("the table is deleted");
}

fn main() {
    let mut sizes = Vec::new();
    let mut gets = 100_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--gets" => gets = args.next().and_then(|g| g.parse().ok()).unwrap_or(gets),
            "--bench" => {}
            other => {
                if let Ok(n) = other.replace('_', "").parse::<u64>() {
                    sizes.push(n);
                }
            }
        }
    }
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
    }
    sizes.sort_unstable();
    if sizes.len() > 1 {
        // Each size in a fresh process, so memory freed by one size does
        // not hide the next one's.
        let exe = std::env::current_exe().expect("this benchmark's path");
        for items in sizes {
            let status = std::process::Command::new(&exe)
                .args([items.to_string(), "--gets".into(), gets.to_string()])
                .status()
                .expect("the benchmark runs");
            assert!(status.success());
        }
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    for items in sizes {
        runtime.block_on(measure(items, gets));
    }
}
