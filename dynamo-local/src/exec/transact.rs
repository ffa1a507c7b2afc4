//! TransactWriteItems and TransactGetItems. The tables involved are locked
//! in name order (so two transactions can never wait on each other), every
//! action's outcome is decided before anything changes, and then all writes
//! are applied with their index maintenance: all or nothing. Writes are
//! therefore serializable against every other operation on those tables.

use super::capacity::{Kind, Usage, read_units};
use super::write::{apply, validate_values};
use crate::engine::Engine;
use crate::key::PrimaryKey;
use crate::log::{Commit, Origin};
use crate::table::{PlannedWrite, Table, TableState};
use dynamo_core::ops::*;
use dynamo_core::value::{MAX_ITEM_SIZE, item_size};
use dynamo_core::{AttributeMap, CancellationReason, Error, Result};
use std::collections::HashSet;
use std::sync::Arc;

/// Largest total size of the items and keys of one transaction.
const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;

/// The distinct tables of a transaction, sorted by name (the lock order).
fn tables_of<'a>(engine: &Engine, names: impl Iterator<Item = &'a str>) -> Result<Vec<Arc<Table>>> {
    let mut tables: Vec<Arc<Table>> = Vec::new();
    for name in names {
        validate_table_name(name)?;
        if !tables.iter().any(|t| t.name == name) {
            tables.push(engine.table(name)?);
        }
    }
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tables)
}

fn position(tables: &[Arc<Table>], name: &str) -> usize {
    tables.iter().position(|t| t.name == name).unwrap_or(0)
}

fn cancelled(reasons: Vec<CancellationReason>) -> Error {
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    Error::TransactionCanceled {
        message: format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ),
        reasons,
    }
}

fn reason(code: &str, message: Option<String>, item: Option<AttributeMap>) -> CancellationReason {
    CancellationReason {
        code: code.to_owned(),
        message,
        item,
    }
}

/// What an action will do once every action is known to succeed.
enum Plan {
    Check(PrimaryKey),
    Write(PlannedWrite),
}

/// Decides one action against the locked state: its plan, or why it fails.
fn plan(
    table: &Table,
    state: &TableState,
    action: &TransactWriteItem,
) -> std::result::Result<Plan, CancellationReason> {
    let validation = |e: Error| reason("ValidationError", Some(e.message()), None);
    let (key, condition, return_item) = match action {
        TransactWriteItem::Put {
            item,
            condition,
            return_values_on_condition_check_failure,
            ..
        } => {
            validate_values(item).map_err(validation)?;
            (
                table.schema.key_of_item(item).map_err(validation)?,
                condition.as_ref(),
                *return_values_on_condition_check_failure,
            )
        }
        TransactWriteItem::ConditionCheck {
            key,
            condition,
            return_values_on_condition_check_failure,
            ..
        } => (
            table.schema.key_of_key(key).map_err(validation)?,
            Some(condition),
            *return_values_on_condition_check_failure,
        ),
        TransactWriteItem::Update {
            key,
            condition,
            return_values_on_condition_check_failure,
            ..
        }
        | TransactWriteItem::Delete {
            key,
            condition,
            return_values_on_condition_check_failure,
            ..
        } => (
            table.schema.key_of_key(key).map_err(validation)?,
            condition.as_ref(),
            *return_values_on_condition_check_failure,
        ),
    };
    let current = state
        .base()
        .get(&table.schema.position(&key))
        .map(|s| &s.item);
    if let Err(Error::ConditionalCheckFailed { message, item }) =
        super::write::check_condition(condition, current, return_item)
    {
        return Err(reason("ConditionalCheckFailed", Some(message), item));
    }
    let checked =
        |item: AttributeMap, too_large: &str| -> std::result::Result<Plan, CancellationReason> {
            if item_size(&item) > MAX_ITEM_SIZE {
                return Err(reason("ValidationError", Some(too_large.to_owned()), None));
            }
            state
                .plan_put(key.clone(), item)
                .map(Plan::Write)
                .map_err(validation)
        };
    match action {
        TransactWriteItem::ConditionCheck { .. } => Ok(Plan::Check(key)),
        TransactWriteItem::Delete { .. } => Ok(Plan::Write(state.plan_delete(key))),
        TransactWriteItem::Put { item, .. } => checked(
            item.clone(),
            "Item size has exceeded the maximum allowed size",
        ),
        TransactWriteItem::Update {
            key: raw_key,
            update,
            ..
        } => {
            if let Some(path) = update
                .target_paths()
                .find(|p| table.schema.key_names().any(|k| k == p.top()))
            {
                return Err(reason(
                    "ValidationError",
                    Some(format!(
                        "One or more parameter values were invalid: Cannot update attribute {}. This attribute is part of the key",
                        path.top()
                    )),
                    None,
                ));
            }
            let empty = AttributeMap::new();
            let mut new = update
                .apply(current.unwrap_or(&empty))
                .map_err(validation)?;
            new.extend(raw_key.clone());
            validate_values(&new).map_err(validation)?;
            checked(
                new,
                "Item size to update has exceeded the maximum allowed size",
            )
        }
    }
}

fn action_size(action: &TransactWriteItem) -> usize {
    match action {
        TransactWriteItem::Put { item, .. } => item_size(item),
        TransactWriteItem::ConditionCheck { key, .. }
        | TransactWriteItem::Update { key, .. }
        | TransactWriteItem::Delete { key, .. } => item_size(key),
    }
}

pub(crate) fn transact_write_items(
    engine: &Engine,
    input: TransactWriteItemsInput,
) -> Result<TransactWriteItemsOutput> {
    input.validate()?;
    let tables = tables_of(
        engine,
        input
            .transact_items
            .iter()
            .map(TransactWriteItem::table_name),
    )?;
    if input.transact_items.iter().map(action_size).sum::<usize>() > MAX_TRANSACTION_BYTES {
        return Err(Error::validation(
            "Transaction request cannot be larger than 4 MB",
        ));
    }
    // No two actions may touch one item.
    let mut seen = HashSet::with_capacity(input.transact_items.len());
    for action in &input.transact_items {
        let table = &tables[position(&tables, action.table_name())];
        let key = match action {
            TransactWriteItem::Put { item, .. } => table.schema.key_of_item(item).ok(),
            TransactWriteItem::ConditionCheck { key, .. }
            | TransactWriteItem::Update { key, .. }
            | TransactWriteItem::Delete { key, .. } => table.schema.key_of_key(key).ok(),
        };
        if let Some(key) = key
            && !seen.insert((table.name.clone(), key))
        {
            return Err(Error::validation(
                "Transaction request cannot include multiple operations on one item",
            ));
        }
    }
    let fingerprint = input
        .client_request_token
        .as_ref()
        .map(|_| fingerprint(&input));
    if let (Some(token), Some(fingerprint)) = (&input.client_request_token, fingerprint) {
        match engine.idempotency(token, fingerprint) {
            Some(true) => {
                return Ok(TransactWriteItemsOutput {
                    consumed_capacity: None,
                });
            }
            Some(false) => {
                return Err(Error::Service {
                    error_type: "IdempotentParameterMismatchException".into(),
                    message: "The request uses the same client token as a previous, but non-identical request.".into(),
                });
            }
            None => {}
        }
    }

    let mut states: Vec<_> = tables.iter().map(|t| t.write()).collect();
    let mut plans = Vec::with_capacity(input.transact_items.len());
    let mut reasons = Vec::with_capacity(input.transact_items.len());
    for action in &input.transact_items {
        let i = position(&tables, action.table_name());
        match plan(&tables[i], &states[i], action) {
            Ok(p) => {
                plans.push((i, p));
                reasons.push(reason("None", None, None));
            }
            Err(r) => reasons.push(r),
        }
    }
    if reasons.iter().any(|r| r.code != "None") {
        return Err(cancelled(reasons));
    }

    let commit = Commit {
        at: engine.now(),
        origin: Origin::User,
        transaction: Some(engine.next_id()),
    };
    let mut usage: Vec<Usage> = tables.iter().map(|_| Usage::new(Kind::Write)).collect();
    for (i, plan) in plans {
        let (table, state) = (&tables[i], &mut states[i]);
        let used = match plan {
            Plan::Write(planned) => apply(state, planned, &commit).1,
            Plan::Check(key) => {
                let size = state
                    .base()
                    .get(&table.schema.position(&key))
                    .map_or(0, |s| s.size);
                Usage::new(Kind::Write).table(super::capacity::write_units(size))
            }
        };
        usage[i].merge(used.scaled(2.0));
    }
    drop(states);
    if let (Some(token), Some(fingerprint)) = (&input.client_request_token, fingerprint) {
        engine.remember(token, fingerprint);
    }
    let asked = input.return_consumed_capacity.unwrap_or_default() != ReturnConsumedCapacity::None;
    Ok(TransactWriteItemsOutput {
        consumed_capacity: asked.then(|| {
            tables
                .iter()
                .zip(&usage)
                .filter_map(|(t, u)| u.report(&t.name, input.return_consumed_capacity))
                .collect()
        }),
    })
}

/// A stable digest of a request, to tell a retry from a different request
/// under the same client token.
fn fingerprint(input: &TransactWriteItemsInput) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut without_token = input.clone();
    without_token.client_request_token = None;
    // serde_json's maps are sorted, so equal requests print equally.
    let canonical = serde_json::to_value(&without_token)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    canonical.hash(&mut hasher);
    hasher.finish()
}

pub(crate) fn transact_get_items(
    engine: &Engine,
    input: TransactGetItemsInput,
) -> Result<TransactGetItemsOutput> {
    input.validate()?;
    let tables = tables_of(
        engine,
        input.transact_items.iter().map(|g| g.table_name.as_str()),
    )?;
    let mut seen = HashSet::with_capacity(input.transact_items.len());
    for get in &input.transact_items {
        let table = &tables[position(&tables, &get.table_name)];
        if let Ok(key) = table.schema.key_of_key(&get.key)
            && !seen.insert((table.name.clone(), key))
        {
            return Err(Error::validation(
                "Transaction request cannot include multiple operations on one item",
            ));
        }
    }
    let states: Vec<_> = tables.iter().map(|t| t.read()).collect();
    let mut responses = Vec::with_capacity(input.transact_items.len());
    let mut reasons = Vec::with_capacity(input.transact_items.len());
    let mut usage: Vec<Usage> = tables.iter().map(|_| Usage::new(Kind::Read)).collect();
    for get in &input.transact_items {
        let i = position(&tables, &get.table_name);
        match tables[i].schema.key_of_key(&get.key) {
            Ok(key) => {
                let stored = states[i].base().get(&tables[i].schema.position(&key));
                usage[i].add_table(2.0 * read_units(stored.map_or(0, |s| s.size), true));
                responses.push(ItemResponse {
                    item: stored.map(|s| match &get.projection {
                        Some(projection) => projection.apply(&s.item),
                        None => s.item.clone(),
                    }),
                });
                reasons.push(reason("None", None, None));
            }
            Err(e) => reasons.push(reason("ValidationError", Some(e.message()), None)),
        }
    }
    if reasons.iter().any(|r| r.code != "None") {
        return Err(cancelled(reasons));
    }
    let asked = input.return_consumed_capacity.unwrap_or_default() != ReturnConsumedCapacity::None;
    Ok(TransactGetItemsOutput {
        responses,
        consumed_capacity: asked.then(|| {
            tables
                .iter()
                .zip(&usage)
                .filter_map(|(t, u)| u.report(&t.name, input.return_consumed_capacity))
                .collect()
        }),
    })
}
