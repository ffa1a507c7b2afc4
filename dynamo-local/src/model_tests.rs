//! A model-based check of the commit path: random sequences of puts,
//! updates, deletes, batches, transactions, TTL expiry and index creation
//! and deletion run against the engine and against a plain map. After every
//! step the storage invariants hold (counts and sizes, every index equal to
//! its definition over the table's items) and the table holds what the map
//! holds; at the end, replaying the table's change log onto an empty table
//! reproduces it exactly.

use crate::clock::ManualClock;
use crate::engine::{Engine, EngineOptions};
use crate::exec;
use crate::log::{Change, Retention};
use crate::table::{Table, TableState};
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, decode_json};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const TABLE: &str = "model";
const NOW: u64 = 1_700_000_000;

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    decode_json(value.to_string().as_bytes()).expect("a well-formed request")
}

/// The engine's view of an item's attributes, as JSON, for comparing.
fn to_json(item: &AttributeMap) -> Value {
    serde_json::to_value(item).expect("items serialize")
}

#[derive(Clone, Debug)]
enum Step {
    /// Put item `k` with group `g` (as a number when `wrong_type`, which
    /// the GSI refuses), rank `n`, expiry `ttl` seconds from now.
    Put {
        k: u8,
        g: Option<u8>,
        n: u8,
        ttl: Option<i8>,
        wrong_type: bool,
    },
    /// `SET n = n + 1` or `REMOVE g` on item `k`, if it exists.
    Update {
        k: u8,
        remove_group: bool,
    },
    Delete {
        k: u8,
    },
    /// Several puts and deletes; refused whole when one put is invalid.
    Batch(Vec<(u8, Option<u8>, bool)>),
    /// Puts `a` and deletes `b`, only if `a` does not exist.
    Transact {
        a: u8,
        b: u8,
    },
    /// Time passes by this many seconds, then expired items are swept.
    Expire(u8),
    CreateIndex,
    DeleteIndex,
}

fn step() -> impl Strategy<Value = Step> {
    let key = 0u8..12;
    prop_oneof![
        4 => (key.clone(), proptest::option::of(0u8..3), any::<u8>(), proptest::option::of(-3i8..5), proptest::bool::weighted(0.1))
            .prop_map(|(k, g, n, ttl, wrong_type)| Step::Put { k, g, n, ttl, wrong_type }),
        2 => (key.clone(), any::<bool>()).prop_map(|(k, remove_group)| Step::Update { k, remove_group }),
        2 => key.clone().prop_map(|k| Step::Delete { k }),
        1 => proptest::collection::vec((key.clone(), proptest::option::of(0u8..3), proptest::bool::weighted(0.1)), 1..5)
            .prop_map(Step::Batch),
        1 => (key.clone(), key).prop_map(|(a, b)| Step::Transact { a, b }),
        1 => (0u8..4).prop_map(Step::Expire),
        1 => Just(Step::CreateIndex),
        1 => Just(Step::DeleteIndex),
    ]
}

fn item_json(k: u8, g: Option<u8>, n: u8, ttl: Option<i64>, wrong_type: bool) -> Value {
    let mut item = json!({"pk": {"S": format!("k{k}")}, "n": {"N": n.to_string()}});
    if let Some(g) = g {
        item["g"] = if wrong_type {
            json!({"N": g.to_string()})
        } else {
            json!({"S": format!("g{g}")})
        };
    }
    if let Some(at) = ttl {
        item["exp"] = json!({"N": at.to_string()});
    }
    item
}

/// The reference: items by key, as JSON.
type Model = BTreeMap<String, Value>;

struct World {
    engine: Engine,
    clock: Arc<ManualClock>,
    model: Model,
    has_index: bool,
}

impl World {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(NOW)));
        let engine = Engine::with_options(EngineOptions {
            clock: clock.clone(),
            ttl_sweep_interval: None,
            change_log: Retention::Everything,
            ..EngineOptions::default()
        });
        exec::tables::create_table(
            &engine,
            input(json!({
                "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"},
                                         {"AttributeName": "n", "AttributeType": "N"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "GlobalSecondaryIndexes": [{"IndexName": "by_group",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "ALL"}}],
                "Tags": [{"Key": "team", "Value": "storage"}]
            })),
        )
        .expect("the table is created");
        exec::tables::update_time_to_live(
            &engine,
            input(json!({"TableName": TABLE, "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}})),
        )
        .expect("TTL is enabled");
        Self {
            engine,
            clock,
            model: Model::new(),
            has_index: true,
        }
    }

    fn now(&self) -> i64 {
        i64::try_from(self.engine.now().as_secs()).unwrap_or(i64::MAX)
    }

    fn run(&mut self, step: &Step) {
        let engine = &self.engine;
        match step {
            Step::Put {
                k,
                g,
                n,
                ttl,
                wrong_type,
            } => {
                let ttl = ttl.map(|t| self.now() + i64::from(t));
                let item = item_json(*k, *g, *n, ttl, *wrong_type);
                let result = exec::put_item::put_item(
                    engine,
                    input(json!({"TableName": TABLE, "Item": item})),
                );
                let refused = *wrong_type && g.is_some() && self.has_index;
                assert_eq!(result.is_err(), refused, "{step:?}: {result:?}");
                if !refused {
                    self.model.insert(format!("k{k}"), item);
                }
            }
            Step::Update { k, remove_group } => {
                let key = format!("k{k}");
                let expression = if *remove_group {
                    "REMOVE g"
                } else {
                    "SET n = n + :one"
                };
                let mut request = json!({"TableName": TABLE, "Key": {"pk": {"S": key}},
                    "UpdateExpression": expression, "ConditionExpression": "attribute_exists(pk)"});
                if !remove_group {
                    request["ExpressionAttributeValues"] = json!({":one": {"N": "1"}});
                }
                let result = exec::update_item::update_item(engine, input(request));
                let has_index = self.has_index;
                match self.model.get_mut(&key) {
                    // An item stored while the index was gone keeps a
                    // group of the wrong type; the index refuses to take it.
                    Some(item) if has_index && !remove_group && item["g"]["N"].is_string() => {
                        assert!(
                            result.is_err(),
                            "{step:?}: a mistyped index key was accepted"
                        );
                    }
                    Some(item) => {
                        assert!(result.is_ok(), "{step:?}: {result:?}");
                        let map = item.as_object_mut().expect("an object");
                        if *remove_group {
                            map.remove("g");
                        } else {
                            let n: u64 = map["n"]["N"]
                                .as_str()
                                .and_then(|n| n.parse().ok())
                                .expect("a number");
                            map.insert("n".into(), json!({"N": (n + 1).to_string()}));
                        }
                    }
                    None => assert!(result.is_err(), "{step:?}: an update created an item"),
                }
            }
            Step::Delete { k } => {
                exec::delete_item::delete_item(
                    engine,
                    input(json!({"TableName": TABLE, "Key": {"pk": {"S": format!("k{k}")}}})),
                )
                .expect("deletes succeed");
                self.model.remove(&format!("k{k}"));
            }
            Step::Batch(writes) => {
                let mut seen = std::collections::HashSet::new();
                let writes: Vec<_> = writes.iter().filter(|(k, _, _)| seen.insert(*k)).collect();
                let requests: Vec<Value> = writes
                    .iter()
                    .map(|(k, g, wrong)| match g {
                        Some(_) => {
                            json!({"PutRequest": {"Item": item_json(*k, *g, 1, None, *wrong)}})
                        }
                        None => json!({"DeleteRequest": {"Key": {"pk": {"S": format!("k{k}")}}}}),
                    })
                    .collect();
                let result = exec::batch::batch_write_item(
                    engine,
                    input(json!({"RequestItems": {TABLE: requests}})),
                    None,
                );
                let refused =
                    self.has_index && writes.iter().any(|(_, g, wrong)| g.is_some() && *wrong);
                assert_eq!(result.is_err(), refused, "{step:?}: {result:?}");
                if !refused {
                    for (k, g, wrong) in writes {
                        match g {
                            Some(_) => {
                                self.model
                                    .insert(format!("k{k}"), item_json(*k, *g, 1, None, *wrong));
                            }
                            None => {
                                self.model.remove(&format!("k{k}"));
                            }
                        }
                    }
                }
            }
            Step::Transact { a, b } => {
                if a == b {
                    return;
                }
                let item = item_json(*a, Some(0), 7, None, false);
                let result = at_once(exec::transact::transact_write_items(
                    engine,
                    input(json!({"TransactItems": [
                        {"Put": {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": format!("k{b}")}}}}
                    ]})),
                ));
                match self.model.entry(format!("k{a}")) {
                    std::collections::btree_map::Entry::Occupied(_) => {
                        assert!(result.is_err(), "{step:?}: the condition should fail");
                    }
                    std::collections::btree_map::Entry::Vacant(slot) => {
                        assert!(result.is_ok(), "{step:?}: {result:?}");
                        slot.insert(item);
                        self.model.remove(&format!("k{b}"));
                    }
                }
            }
            Step::Expire(seconds) => {
                self.clock.advance(Duration::from_secs(u64::from(*seconds)));
                let now = self.now();
                engine.sweep_expired();
                self.model.retain(|_, item| {
                    item["exp"]["N"]
                        .as_str()
                        .and_then(|t| t.parse::<i64>().ok())
                        .is_none_or(|t| t >= now)
                });
            }
            Step::CreateIndex if !self.has_index => {
                exec::tables::update_table(
                    engine,
                    input(json!({"TableName": TABLE,
                        "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}],
                        "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_group",
                            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                            "Projection": {"ProjectionType": "ALL"}}}]})),
                )
                .expect("the index is created");
                self.has_index = true;
            }
            Step::DeleteIndex if self.has_index => {
                exec::tables::update_table(
                    engine,
                    input(json!({"TableName": TABLE,
                        "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_group"}}]})),
                )
                .expect("the index is deleted");
                self.has_index = false;
            }
            Step::CreateIndex | Step::DeleteIndex => {}
        }
    }

    fn table(&self) -> Arc<Table> {
        self.engine.table(TABLE).expect("the table exists")
    }

    /// The storage invariants, and the table against the model.
    fn check(&self) {
        let table = self.table();
        let state = table.read();
        check_invariants(&table, &state);
        let items: Model = state
            .base()
            .entries()
            .map(|(_, _, stored)| {
                let key = stored.item()["pk"].as_s().unwrap_or("").to_owned();
                (key, to_json(&stored.item()))
            })
            .collect();
        assert_eq!(items, self.model);
        assert_eq!(state.indexes().len(), usize::from(self.has_index));
    }
}

/// Counts and sizes match the entries; each index holds exactly the
/// entries its definition gives the table's items.
fn check_invariants(table: &Table, state: &TableState) {
    let base = state.base();
    assert_eq!(base.item_count(), base.entries().count());
    assert_eq!(
        base.size_bytes(),
        base.entries()
            .map(|(_, _, s)| item_size(&s.item()))
            .sum::<usize>()
    );
    assert!(base.partitions().values().all(|p| !p.is_empty()));
    for index in state.indexes() {
        let mut expected: Vec<(String, Value)> = base
            .entries()
            .filter_map(|(_, _, stored)| {
                let key = table.schema.key_of_item(&stored.item()).ok()?;
                let (position, entry) = index.def.entry_for(&key, &stored.item()).ok()??;
                Some((format!("{position:?}"), to_json(&entry.item())))
            })
            .collect();
        let mut actual: Vec<(String, Value)> = index
            .store()
            .partitions()
            .iter()
            .flat_map(|(slot, p)| {
                p.iter().map(move |(entry, stored)| {
                    let position = crate::table::Position {
                        slot: slot.clone(),
                        entry: entry.clone(),
                    };
                    (format!("{position:?}"), to_json(&stored.item()))
                })
            })
            .collect();
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        actual.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            actual, expected,
            "index {} drifted from its table",
            index.def.name
        );
        assert_eq!(index.store().item_count(), actual.len());
    }
}

/// Two tables hold the same items, index entries and settings.
fn assert_same(a: &Table, b: &Table) {
    let (a, b) = (a.read(), b.read());
    let items = |s: &TableState| -> Vec<Value> {
        s.base()
            .entries()
            .map(|(_, _, i)| to_json(&i.item()))
            .collect()
    };
    assert_eq!(items(&a), items(&b));
    let indexes = |s: &TableState| -> Vec<(String, Vec<Value>)> {
        s.indexes()
            .iter()
            .map(|i| {
                (
                    i.def.name.clone(),
                    i.store()
                        .entries()
                        .map(|(_, _, e)| to_json(&e.item()))
                        .collect(),
                )
            })
            .collect()
    };
    assert_eq!(indexes(&a), indexes(&b));
    assert_eq!(a.attribute_definitions(), b.attribute_definitions());
    assert_eq!(a.billing_mode(), b.billing_mode());
    assert_eq!(a.provisioned_throughput(), b.provisioned_throughput());
    assert_eq!(a.time_to_live(), b.time_to_live());
    assert_eq!(a.tags(), b.tags());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_step_keeps_the_invariants_and_the_log_replays_to_the_same_table(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let mut world = World::new();
        for step in &steps {
            world.run(step);
            world.check();
        }
        let table = world.table();
        let replayed = {
            let state = table.read();
            let records: Vec<_> = state.log().records().cloned().collect();
            // One record per change, contiguous from the creation.
            prop_assert_eq!(records.first().map(|r| r.seq), Some(1));
            prop_assert!(records.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
            prop_assert_eq!(state.log().next_seq(), records.len() as u64 + 1);
            // No record repeats an item unchanged.
            let changes_something = |r: &crate::log::ChangeRecord| match &r.change {
                Change::Item { old: Some(old), new: Some(new), .. } => old.item() != new.item(),
                Change::Item { old: None, new: None, .. } => false,
                _ => true,
            };
            prop_assert!(records.iter().all(changes_something));
            Table::from_log(&records, Retention::Nothing).expect("the log replays")
        };
        assert_same(&table, &replayed);
        check_invariants(&replayed, &replayed.read());
    }
}

#[test]
fn a_batch_whose_third_item_has_a_mistyped_index_key_writes_nothing() {
    let world = World::new();
    let requests: Vec<Value> = (0..4)
        .map(|k| json!({"PutRequest": {"Item": item_json(k, Some(1), 1, None, k == 2)}}))
        .collect();
    let error = exec::batch::batch_write_item(
        &world.engine,
        input(json!({"RequestItems": {TABLE: requests}})),
        None,
    )
    .unwrap_err();
    assert_eq!(
        error.message(),
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: by_group"
    );
    let table = world.table();
    assert_eq!(table.read().base().item_count(), 0);
    // Only the creation, its index, tags and TTL are in the log.
    assert!(
        table
            .read()
            .log()
            .records()
            .all(|r| matches!(r.change, Change::Table(_)))
    );
}

#[test]
fn a_write_that_changes_nothing_records_nothing() {
    let world = World::new();
    let put = || {
        exec::put_item::put_item(
            &world.engine,
            input(json!({"TableName": TABLE, "Item": item_json(1, Some(1), 1, None, false)})),
        )
        .unwrap()
    };
    put();
    let table = world.table();
    let after_first = table.read().log().next_seq();
    put();
    exec::delete_item::delete_item(
        &world.engine,
        input(json!({"TableName": TABLE, "Key": {"pk": {"S": "absent"}}})),
    )
    .unwrap();
    assert_eq!(table.read().log().next_seq(), after_first);
}

/// The output of a future that never waits (a transaction the engine does
/// not hold in flight).
fn at_once<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the transaction waited"),
    }
}
