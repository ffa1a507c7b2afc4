//! Provisioned-throughput enforcement, when the engine is asked for it:
//! each table in PROVISIONED billing mode, and each of its global secondary
//! indexes, has a read and a write token bucket, refilled at its read or
//! write capacity units per second (by the engine's clock) up to 300
//! seconds' worth, DynamoDB's burst capacity. A bucket starts full.
//!
//! An operation is refused with `ProvisionedThroughputExceededException`
//! when a bucket it draws on is empty (at or below zero): reads draw on the
//! table's read bucket, or the global index's for a Query or Scan of one;
//! writes on the table's write bucket and every global index's. An
//! operation that runs is charged what it consumed, as its
//! `ConsumedCapacity` reports it (local indexes share the table's
//! capacity), so one large read may take a bucket below zero, and the
//! next waits until refilling brings it back above.

use crate::engine::Engine;
use crate::faults::{Access, Call};
use crate::key::IndexKind;
use dynamo_core::schema::{BillingMode, ProvisionedThroughputDescription};
use dynamo_core::{Error, ThrottlingReason, ops::ConsumedCapacity};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Seconds of unused capacity a bucket keeps.
const BURST_SECONDS: f64 = 300.0;

/// DynamoDB's message when a table's own capacity is exceeded.
pub(crate) const TABLE_EXCEEDED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";

/// DynamoDB's message when a global secondary index's capacity is exceeded.
const INDEX_EXCEEDED: &str = "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API";

/// Units left, as of a time.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Duration,
}

impl Bucket {
    fn full(rate: f64, now: Duration) -> Self {
        Self {
            tokens: rate * BURST_SECONDS,
            at: now,
        }
    }

    /// Adds what `rate` refills since the last refill, up to the burst.
    fn refill(&mut self, rate: f64, now: Duration) {
        let elapsed = now.saturating_sub(self.at).as_secs_f64();
        self.tokens = (self.tokens + rate * elapsed).min(rate * BURST_SECONDS);
        self.at = self.at.max(now);
    }

    fn is_empty(&self) -> bool {
        self.tokens <= 0.0
    }
}

/// The read and write buckets of a table or index.
#[derive(Clone, Copy, Debug)]
struct Pair {
    read: Bucket,
    write: Bucket,
}

impl Pair {
    fn full(throughput: ProvisionedThroughputDescription, now: Duration) -> Self {
        Self {
            read: Bucket::full(throughput.read_capacity_units as f64, now),
            write: Bucket::full(throughput.write_capacity_units as f64, now),
        }
    }

    fn bucket(&mut self, access: Access) -> &mut Bucket {
        match access {
            Access::Write => &mut self.write,
            Access::Read | Access::Control => &mut self.read,
        }
    }
}

fn rate(throughput: ProvisionedThroughputDescription, access: Access) -> f64 {
    match access {
        Access::Write => throughput.write_capacity_units as f64,
        Access::Read | Access::Control => throughput.read_capacity_units as f64,
    }
}

/// The buckets of one table incarnation.
#[derive(Debug)]
struct TableBuckets {
    /// The table's id: a table dropped and created again starts afresh.
    id: String,
    table: Pair,
    indexes: HashMap<String, Pair>,
}

/// The buckets of every provisioned table seen, by table name.
#[derive(Debug, Default)]
pub(crate) struct Throughput {
    tables: Mutex<HashMap<String, TableBuckets>>,
}

impl Throughput {
    /// Refills the buckets `call` draws on and refuses it if one is empty.
    pub fn check(&self, engine: &Engine, call: &Call<'_>) -> Result<(), Error> {
        let access = call.operation.access();
        if access == Access::Control {
            return Ok(());
        }
        let now = engine.now();
        let mut names: Vec<&str> = call.tables.to_vec();
        names.sort_unstable();
        names.dedup();
        let mut reasons = Vec::new();
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        for name in names {
            let Ok(table) = engine.table(name) else {
                continue;
            };
            let state = table.read();
            if state.billing_mode() != BillingMode::Provisioned {
                continue;
            }
            let fresh = || TableBuckets {
                id: table.id.clone(),
                table: Pair::full(state.provisioned_throughput(), now),
                indexes: HashMap::new(),
            };
            let buckets = tables.entry(name.to_owned()).or_insert_with(fresh);
            if buckets.id != table.id {
                *buckets = fresh();
            }
            let global = state
                .indexes()
                .iter()
                .filter(|i| i.def.kind == IndexKind::Global);
            // (name of the index, or None for the table; its throughput)
            let mut drawn: Vec<(Option<&str>, ProvisionedThroughputDescription)> = Vec::new();
            match (access, call.index) {
                (Access::Read, Some(index)) => match global.clone().find(|i| i.def.name == index) {
                    Some(i) => drawn.push((Some(&i.def.name), i.def.provisioned_throughput)),
                    None => drawn.push((None, state.provisioned_throughput())),
                },
                (Access::Read, None) => drawn.push((None, state.provisioned_throughput())),
                _ => {
                    drawn.push((None, state.provisioned_throughput()));
                    drawn.extend(
                        global.map(|i| (Some(i.def.name.as_str()), i.def.provisioned_throughput)),
                    );
                }
            }
            for (index, throughput) in drawn {
                let pair = match index {
                    None => &mut buckets.table,
                    Some(index) => buckets
                        .indexes
                        .entry(index.to_owned())
                        .or_insert_with(|| Pair::full(throughput, now)),
                };
                let bucket = pair.bucket(access);
                bucket.refill(rate(throughput, access), now);
                if bucket.is_empty() {
                    let kind = if access == Access::Read {
                        "Read"
                    } else {
                        "Write"
                    };
                    reasons.push(match index {
                        None => ThrottlingReason {
                            reason: format!("Table{kind}ProvisionedThroughputExceeded"),
                            resource: table.arn.clone(),
                        },
                        Some(index) => ThrottlingReason {
                            reason: format!("Index{kind}ProvisionedThroughputExceeded"),
                            resource: format!("{}/index/{index}", table.arn),
                        },
                    });
                }
            }
        }
        if reasons.is_empty() {
            return Ok(());
        }
        let message = if reasons.iter().any(|r| r.reason.starts_with("Table")) {
            TABLE_EXCEEDED
        } else {
            INDEX_EXCEEDED
        };
        Err(Error::Throttled {
            error_type: "ProvisionedThroughputExceededException".to_owned(),
            message: message.to_owned(),
            reasons,
            retry_after: None,
        })
    }

    /// Takes what an operation consumed from the buckets of its tables and
    /// global indexes (checked, so present, before it ran).
    pub fn charge(&self, consumed: &[ConsumedCapacity]) {
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        for entry in consumed {
            let Some(buckets) = entry.table_name.as_ref().and_then(|n| tables.get_mut(n)) else {
                continue;
            };
            let access = if entry.read_capacity_units.is_some() {
                Access::Read
            } else {
                Access::Write
            };
            let local: f64 = entry
                .local_secondary_indexes
                .iter()
                .flatten()
                .filter_map(|(_, c)| c.capacity_units)
                .sum();
            let own = entry.table.and_then(|c| c.capacity_units).unwrap_or(0.0);
            buckets.table.bucket(access).tokens -= own + local;
            for (index, capacity) in entry.global_secondary_indexes.iter().flatten() {
                if let Some(pair) = buckets.indexes.get_mut(index) {
                    pair.bucket(access).tokens -= capacity.capacity_units.unwrap_or(0.0);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_at_its_rate_up_to_five_minutes_of_it() {
        let mut bucket = Bucket::full(2.0, Duration::ZERO);
        assert_eq!(bucket.tokens, 600.0);
        bucket.tokens = 0.0;
        assert!(bucket.is_empty());
        bucket.refill(2.0, Duration::from_millis(1500));
        assert_eq!(bucket.tokens, 3.0);
        bucket.refill(2.0, Duration::from_secs(10_000));
        assert_eq!(bucket.tokens, 600.0);
    }
}
