//! TransactWriteItems and TransactGetItems. The tables involved are locked
//! in name order (so two transactions can never wait on each other), every
//! action's outcome is decided before anything changes, and then all writes
//! are applied with their index maintenance: all or nothing. Writes are
//! therefore serializable against every other operation on those tables.

use super::capacity::{Kind, Usage, read_units};
use super::write::{apply, validate_values};
use crate::engine::Engine;
use crate::in_flight::{Claim, TransactionHold};
use crate::key::PrimaryKey;
use crate::log::{Commit, Origin};
use crate::table::{PlannedWrite, TRANSACTION_ONGOING, Table, TableState};
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

pub(crate) fn cancelled(reasons: Vec<CancellationReason>) -> Error {
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

/// The reason of an action whose item a transaction in flight holds.
pub(crate) fn conflict() -> CancellationReason {
    reason(
        "TransactionConflict",
        Some(TRANSACTION_ONGOING.to_owned()),
        None,
    )
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
    transaction: u64,
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
    if state
        .held_by(&key)
        .is_some_and(|holder| holder != transaction)
    {
        return Err(conflict());
    }
    let current = state
        .base()
        .get(&table.schema.position(&key))
        .map(|s| s.item());
    if let Err(Error::ConditionalCheckFailed { message, item }) =
        super::write::check_condition(condition, current.as_ref(), return_item)
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
                .apply(current.as_ref().unwrap_or(&empty))
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

pub(crate) async fn transact_write_items(
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
        if let Some(key) = key_of(table, action)
            && !seen.insert((table.name.clone(), key))
        {
            return Err(Error::validation(
                "Transaction request cannot include multiple operations on one item",
            ));
        }
    }
    // The request's digest, computed once: claimed now, logged at commit.
    let token = input
        .client_request_token
        .as_deref()
        .map(|token| (token, fingerprint(&input)));
    let claim = match token {
        None => None,
        Some((token, fingerprint)) => match engine.tokens().claim(token, fingerprint, engine.now())
        {
            Claim::Run => Some(TokenClaim {
                engine,
                token,
                finished: false,
            }),
            Claim::Replay => {
                return Ok(TransactWriteItemsOutput {
                    consumed_capacity: None,
                });
            }
            Claim::InProgress => {
                return Err(Error::Service {
                    error_type: "TransactionInProgressException".into(),
                    message: "Transaction from previous request is still in progress".into(),
                });
            }
            Claim::Mismatch => {
                return Err(Error::Service {
                    error_type: "IdempotentParameterMismatchException".into(),
                    message: "The request uses the same client token as a previous, but non-identical request.".into(),
                });
            }
        },
    };
    let transaction = engine.next_id();
    let wait = match engine.transaction_hold() {
        TransactionHold::For(hold) if !hold.is_zero() => Some(Wait::For(hold)),
        TransactionHold::Gate(gate) if !gate.is_released() => Some(Wait::Gate(gate)),
        TransactionHold::None | TransactionHold::For(_) | TransactionHold::Gate(_) => None,
    };
    let result = match wait {
        None => commit(engine, &tables, &input, token, transaction, None),
        Some(wait) => {
            let mut holds = prepare(&tables, &input, transaction)?;
            wait.until().await;
            commit(
                engine,
                &tables,
                &input,
                token,
                transaction,
                Some(&mut holds),
            )
        }
    };
    if let Some(mut claim) = claim {
        claim.finish(result.is_ok());
    }
    result
}

/// How a held transaction waits between prepare and commit.
enum Wait {
    For(std::time::Duration),
    Gate(crate::in_flight::TransactionGate),
}

impl Wait {
    async fn until(self) {
        match self {
            Self::For(duration) => crate::engine::Sleep::new(duration).await,
            Self::Gate(gate) => gate.pass().await,
        }
    }
}

/// A claimed client token: forgotten unless the transaction succeeded,
/// also when the request is dropped while in flight.
struct TokenClaim<'a> {
    engine: &'a Engine,
    token: &'a str,
    finished: bool,
}

impl TokenClaim<'_> {
    fn finish(&mut self, succeeded: bool) {
        self.finished = true;
        self.engine
            .tokens()
            .finish(self.token, succeeded, self.engine.now());
    }
}

impl Drop for TokenClaim<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.finish(false);
        }
    }
}

/// The items a prepared transaction holds, per table (in lock order);
/// released when committed, cancelled, or dropped in flight.
struct Holds<'a> {
    tables: &'a [Arc<Table>],
    keys: Vec<Vec<PrimaryKey>>,
    transaction: u64,
    released: bool,
}

impl Holds<'_> {
    /// Releases the holds through writers the caller already has.
    fn release_in(&mut self, writers: &mut [crate::table::TableWriter<'_>]) {
        for (writer, keys) in writers.iter_mut().zip(&self.keys) {
            writer.release(keys, self.transaction);
        }
        self.released = true;
    }
}

impl Drop for Holds<'_> {
    fn drop(&mut self) {
        if !self.released {
            for (table, keys) in self.tables.iter().zip(&self.keys) {
                table.write().release(keys, self.transaction);
            }
        }
    }
}

/// The key of an action's item, when it has a valid one.
fn key_of(table: &Table, action: &TransactWriteItem) -> Option<PrimaryKey> {
    match action {
        TransactWriteItem::Put { item, .. } => table.schema.key_of_item(item).ok(),
        TransactWriteItem::ConditionCheck { key, .. }
        | TransactWriteItem::Update { key, .. }
        | TransactWriteItem::Delete { key, .. } => table.schema.key_of_key(key).ok(),
    }
}

/// Plans every action (conditions checked, conflicts found) without
/// applying anything, and holds every item the transaction touches.
fn prepare<'a>(
    tables: &'a [Arc<Table>],
    input: &TransactWriteItemsInput,
    transaction: u64,
) -> Result<Holds<'a>> {
    let mut writers: Vec<_> = tables.iter().map(|t| t.write()).collect();
    let mut reasons = Vec::with_capacity(input.transact_items.len());
    let mut keys = vec![Vec::new(); tables.len()];
    for action in &input.transact_items {
        let i = position(tables, action.table_name());
        match plan(&tables[i], &writers[i], action, transaction) {
            Ok(_) => reasons.push(reason("None", None, None)),
            Err(r) => reasons.push(r),
        }
        keys[i].extend(key_of(&tables[i], action));
    }
    if reasons.iter().any(|r| r.code != "None") {
        return Err(cancelled(reasons));
    }
    for (writer, keys) in writers.iter_mut().zip(&keys) {
        writer.hold(keys, transaction);
    }
    Ok(Holds {
        tables,
        keys,
        transaction,
        released: false,
    })
}

/// Decides every action against the locked tables and, when all succeed,
/// applies them as one commit (releasing the transaction's holds, if it
/// was prepared and held, under the same locks).
fn commit(
    engine: &Engine,
    tables: &[Arc<Table>],
    input: &TransactWriteItemsInput,
    token: Option<(&str, u128)>,
    transaction: u64,
    holds: Option<&mut Holds<'_>>,
) -> Result<TransactWriteItemsOutput> {
    let mut states: Vec<_> = tables.iter().map(|t| t.write()).collect();
    let mut plans = Vec::with_capacity(input.transact_items.len());
    let mut reasons = Vec::with_capacity(input.transact_items.len());
    for action in &input.transact_items {
        let i = position(tables, action.table_name());
        match plan(&tables[i], &states[i], action, transaction) {
            Ok(p) => {
                plans.push((i, p));
                reasons.push(reason("None", None, None));
            }
            Err(r) => reasons.push(r),
        }
    }
    if reasons.iter().any(|r| r.code != "None") {
        if let Some(holds) = holds {
            holds.release_in(&mut states);
        }
        return Err(cancelled(reasons));
    }

    let commit = Commit {
        at: engine.now(),
        origin: Origin::User,
        transaction: Some(transaction),
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
                    .map_or(0, |s| s.size());
                Usage::new(Kind::Write).table(super::capacity::write_units(size))
            }
        };
        usage[i].merge(used.scaled(2.0));
    }
    if let Some(holds) = holds {
        holds.release_in(&mut states);
    }
    if let Some(durable) = engine.durable() {
        // The whole transaction, and its token, as one frame, written
        // while every table is still held: recovery sees all of it or
        // none of it.
        let pending: Vec<_> = states.iter_mut().map(|s| s.take_pending()).collect();
        let mut entries: Vec<crate::durable::EntryRef<'_>> = tables
            .iter()
            .zip(&pending)
            .filter(|(_, records)| !records.is_empty())
            .map(|(table, records)| crate::durable::EntryRef::Records {
                table_id: &table.id,
                records,
            })
            .collect();
        if let Some((token, fingerprint)) = token {
            entries.push(crate::durable::EntryRef::Token {
                token,
                fingerprint,
                completed: commit.at,
            });
        }
        durable.write(&entries, commit.at);
    }
    drop(states);
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

/// A digest of a request, stable across builds and processes, to tell a
/// retry from a different request under the same client token.
fn fingerprint(input: &TransactWriteItemsInput) -> u128 {
    let mut without_token = input.clone();
    without_token.client_request_token = None;
    let canonical = serde_json::to_value(&without_token).unwrap_or_default();
    crate::in_flight::fingerprint(&canonical)
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
            Ok(key) if states[i].held_by(&key).is_some() => reasons.push(conflict()),
            Ok(key) => {
                let stored = states[i].base().get(&tables[i].schema.position(&key));
                usage[i].add_table(2.0 * read_units(stored.map_or(0, |s| s.size()), true));
                responses.push(ItemResponse {
                    item: stored.map(|s| match &get.projection {
                        Some(projection) => projection.apply(&s.item()),
                        None => s.item(),
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
