//! BatchGetItem and BatchWriteItem. The whole request is validated before
//! anything is read or written; each item is then read or written on its
//! own (a batch is not atomic), one table lock at a time. Requests a
//! partial-batch fault defers are validated with the rest, then returned
//! unprocessed, neither read nor written.

use super::capacity::{Kind, Usage, read_units};
use super::write::{apply, checked_key, validate_values};
use crate::engine::Engine;
use crate::faults::Deferred;
use crate::key::PrimaryKey;
use crate::log::Commit;
use crate::table::Table;
use dynamo_core::ops::*;
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, Error, Result};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Largest BatchGetItem response, counted in the sizes of the items it
/// returns: the key whose item would take the response past it, and every
/// key after it, is left unprocessed.
const MAX_BATCH_GET_BYTES: usize = 16 * 1024 * 1024;

fn duplicates() -> Error {
    Error::validation("Provided list of item keys contains duplicates")
}

fn batch_table(engine: &Engine, name: &str) -> Result<Arc<Table>> {
    validate_table_name(name)?;
    engine.table(name)
}

pub(crate) fn batch_get_item(
    engine: &Engine,
    input: BatchGetItemInput,
    deferred: Option<&Deferred>,
) -> Result<BatchGetItemOutput> {
    input.validate()?;
    let mut plan = Vec::with_capacity(input.request_items.len());
    for (name, request) in input.request_items {
        let table = batch_table(engine, &name)?;
        let mut seen = HashSet::with_capacity(request.keys.len());
        let mut keys = Vec::with_capacity(request.keys.len());
        for key in &request.keys {
            let parsed = table.schema.key_of_key(key)?;
            if !seen.insert(parsed.clone()) {
                return Err(duplicates());
            }
            keys.push(parsed);
        }
        plan.push((name, table, request, keys));
    }

    let mut output = BatchGetItemOutput::default();
    let mut capacity = Vec::new();
    let mut bytes = 0;
    let mut full = false;
    for (name, table, request, keys) in plan {
        let consistent = request.consistent_read.unwrap_or(false);
        let mut usage = Usage::new(Kind::Read);
        let mut found = Vec::new();
        let mut unprocessed = Vec::new();
        {
            let state = table.read();
            let view =
                super::read::replica_view(engine, &table, &state, request.consistent_read, None);
            for (position, (key, raw)) in keys.iter().zip(&request.keys).enumerate() {
                if !full && !deferred.is_some_and(|d| d.is_deferred(&name, position)) {
                    let position = table.schema.position(key);
                    let stored = match &view {
                        Some(view) => view.table_item(&state, &position),
                        None => state.base().get(&position),
                    };
                    let returned = stored.map(|s| match &request.projection {
                        Some(projection) => projection.apply(&s.item()),
                        None => s.item(),
                    });
                    let returned_size = match (&returned, &request.projection) {
                        (Some(item), Some(_)) => item_size(item),
                        _ => stored.map_or(0, |s| s.size()),
                    };
                    if bytes + returned_size <= MAX_BATCH_GET_BYTES {
                        usage.add_table(read_units(stored.map_or(0, |s| s.size()), consistent));
                        bytes += returned_size;
                        found.extend(returned);
                        continue;
                    }
                    full = true;
                }
                unprocessed.push(raw.clone());
            }
        }
        capacity.extend(usage.report(&name, input.return_consumed_capacity));
        if !unprocessed.is_empty() {
            output.unprocessed_keys.insert(
                name.clone(),
                KeysAndAttributes {
                    keys: unprocessed,
                    ..request
                },
            );
        }
        output.responses.insert(name, found);
    }
    output.consumed_capacity = (input.return_consumed_capacity.unwrap_or_default()
        != ReturnConsumedCapacity::None)
        .then_some(capacity);
    Ok(output)
}

/// One validated write of a batch.
enum Write {
    Put(PrimaryKey, AttributeMap),
    Delete(PrimaryKey),
}

pub(crate) fn batch_write_item(
    engine: &Engine,
    input: BatchWriteItemInput,
    deferred: Option<&Deferred>,
) -> Result<BatchWriteItemOutput> {
    input.validate()?;
    let mut plan = Vec::with_capacity(input.request_items.len());
    let mut unprocessed_items = HashMap::new();
    for (name, requests) in input.request_items {
        let table = batch_table(engine, &name)?;
        let mut seen = HashSet::with_capacity(requests.len());
        let mut writes = Vec::with_capacity(requests.len());
        let mut left = Vec::new();
        for (position, request) in requests.into_iter().enumerate() {
            let key = match &request {
                WriteRequest::PutRequest { item } => {
                    validate_values(item)?;
                    checked_key(&table, item)?
                }
                WriteRequest::DeleteRequest { key } => table.schema.key_of_key(key)?,
            };
            if !seen.insert(key.clone()) {
                return Err(duplicates());
            }
            if deferred.is_some_and(|d| d.is_deferred(&name, position)) {
                left.push(request);
                continue;
            }
            writes.push(match request {
                WriteRequest::PutRequest { item } => Write::Put(key, item),
                WriteRequest::DeleteRequest { .. } => Write::Delete(key),
            });
        }
        if !left.is_empty() {
            unprocessed_items.insert(name.clone(), left);
        }
        if !writes.is_empty() {
            plan.push((name, table, writes));
        }
    }

    // Every write is planned (index keys checked) before any is applied,
    // so an invalid request anywhere in the batch writes nothing. Tables
    // are locked in name order, as transactions lock them.
    plan.sort_by(|a, b| a.0.cmp(&b.0));
    let requested: Vec<Vec<Write>> = plan
        .iter_mut()
        .map(|(_, _, writes)| std::mem::take(writes))
        .collect();
    let mut writers: Vec<_> = plan.iter().map(|(_, table, _)| table.write()).collect();
    let mut planned = Vec::with_capacity(plan.len());
    for ((writes, writer), (name, table, _)) in requested.into_iter().zip(&writers).zip(&plan) {
        let mut table_writes = Vec::with_capacity(writes.len());
        for write in writes {
            // An item a transaction in flight holds is not written now: its
            // request comes back unprocessed, to be retried.
            let (Write::Put(key, _) | Write::Delete(key)) = &write;
            if writer.held_by(key).is_some() {
                let request = match write {
                    Write::Put(_, item) => WriteRequest::PutRequest { item },
                    Write::Delete(key) => WriteRequest::DeleteRequest {
                        key: table.schema.key_map(&key),
                    },
                };
                unprocessed_items
                    .entry(name.clone())
                    .or_insert_with(Vec::new)
                    .push(request);
                continue;
            }
            table_writes.push(match write {
                Write::Put(key, item) => writer.plan_put(key, item)?,
                Write::Delete(key) => writer.plan_delete(key),
            });
        }
        planned.push(table_writes);
    }
    let commit = Commit::user(engine.now());
    let mut capacity = Vec::new();
    for (((name, _, _), writer), writes) in plan.iter().zip(&mut writers).zip(planned) {
        let mut usage = Usage::new(Kind::Write);
        for write in writes {
            usage.merge(apply(writer, write, &commit).1);
        }
        capacity.extend(usage.report(name, input.return_consumed_capacity));
    }
    drop(writers);
    Ok(BatchWriteItemOutput {
        unprocessed_items,
        consumed_capacity: (input.return_consumed_capacity.unwrap_or_default()
            != ReturnConsumedCapacity::None)
            .then_some(capacity),
    })
}
