//! Query: one partition of the table or an index, a range of sort-key
//! values, in either direction.

use super::read::{Page, ReadRequest, Source};
use crate::engine::Engine;
use crate::key::KeyDef;
use crate::table::{EntryKey, Ext, Slot, Tiebreak};
use dynamo_core::expr::{KeyCondition, SortKeyOp};
use dynamo_core::ops::{QueryInput, QueryOutput};
use dynamo_core::{AttributeValue, Error, KeyValue, Result};
use std::cmp::Ordering;
use std::ops::Bound;

type EntryBound = Bound<EntryKey>;

/// A key condition resolved against a key space.
struct Selection {
    slot: Slot,
    lower: EntryBound,
    upper: EntryBound,
    /// `begins_with` on sort-key attribute `.0`.
    prefix: Option<(usize, KeyValue)>,
}

fn type_mismatch() -> Error {
    Error::validation(
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
    )
}

fn missed(name: &str) -> Error {
    Error::Validation(format!("Query condition missed key schema element: {name}"))
}

fn key_value(value: &AttributeValue, def: &KeyDef) -> Result<KeyValue> {
    KeyValue::try_from(value.clone())
        .ok()
        .filter(|k| k.scalar_type() == def.scalar_type)
        .ok_or_else(type_mismatch)
}

/// DynamoDB's rendering of a value inside an error message (`{N:5}`).
fn describe(value: &KeyValue) -> String {
    match value {
        KeyValue::S(s) => format!("{{S:{s}}}"),
        KeyValue::N(n) => format!("{{N:{n}}}"),
        KeyValue::B(b) => format!("{{B:{} bytes}}", b.len()),
    }
}

fn entry(sort: Vec<Ext<KeyValue>>, tiebreak: Tiebreak) -> EntryKey {
    EntryKey { sort, tiebreak }
}

fn with(prefix: &[Ext<KeyValue>], more: &[Ext<KeyValue>]) -> Vec<Ext<KeyValue>> {
    prefix.iter().chain(more).cloned().collect()
}

fn resolve(
    partition_defs: &[KeyDef],
    sort_defs: &[KeyDef],
    condition: &KeyCondition,
) -> Result<Selection> {
    let mut partition = Vec::with_capacity(partition_defs.len());
    for def in partition_defs {
        let term = condition.term(&def.name).ok_or_else(|| missed(&def.name))?;
        let SortKeyOp::Eq(value) = &term.op else {
            return Err(Error::validation("Query key condition not supported"));
        };
        partition.push(key_value(value, def)?);
    }
    let mut selection = Selection {
        slot: Slot::of(partition),
        lower: Bound::Unbounded,
        upper: Bound::Unbounded,
        prefix: None,
    };
    // Every other term must be on a sort-key attribute; those conditioned
    // must be the leading ones, equality on all but the last.
    let others = condition.terms.len().saturating_sub(partition_defs.len());
    if others == 0 {
        return Ok(selection);
    }
    if sort_defs.is_empty() {
        return Err(Error::validation("Query key condition not supported"));
    }
    let conditioned: Vec<_> = sort_defs
        .iter()
        .map_while(|def| condition.term(&def.name).map(|t| (def, t)))
        .collect();
    if conditioned.len() != others {
        let missing = sort_defs
            .get(conditioned.len())
            .unwrap_or(&partition_defs[0]);
        return Err(missed(&missing.name));
    }
    let Some(((def, last), equalities)) = conditioned.split_last() else {
        return Ok(selection);
    };
    let def: &KeyDef = def;
    let mut prefix = Vec::with_capacity(equalities.len() + 2);
    for (def, term) in equalities {
        let SortKeyOp::Eq(value) = &term.op else {
            return Err(Error::Validation(format!(
                "Query key condition not supported: only equality is allowed on sort key attribute {} when later sort key attributes are conditioned",
                def.name
            )));
        };
        prefix.push(Ext::Val(key_value(value, def)?));
    }
    let value = |v: &AttributeValue| key_value(v, def).map(Ext::Val);
    let prefix_lower = if prefix.is_empty() {
        Bound::Unbounded
    } else {
        Bound::Included(entry(prefix.clone(), Tiebreak::Below))
    };
    let prefix_upper = if prefix.is_empty() {
        Bound::Unbounded
    } else {
        Bound::Included(entry(with(&prefix, &[Ext::Max]), Tiebreak::Above))
    };
    // At v: from below every entry starting with v to above every one.
    let at_or_after =
        |v: Ext<KeyValue>| Bound::Included(entry(with(&prefix, &[v]), Tiebreak::Below));
    let at_or_before =
        |v: Ext<KeyValue>| Bound::Included(entry(with(&prefix, &[v, Ext::Max]), Tiebreak::Above));
    let (lower, upper) = match &last.op {
        SortKeyOp::Eq(v) => {
            let v = value(v)?;
            (at_or_after(v.clone()), at_or_before(v))
        }
        SortKeyOp::Lt(v) => (
            prefix_lower,
            Bound::Excluded(entry(with(&prefix, &[value(v)?]), Tiebreak::Below)),
        ),
        SortKeyOp::Le(v) => (prefix_lower, at_or_before(value(v)?)),
        SortKeyOp::Gt(v) => (
            Bound::Excluded(entry(
                with(&prefix, &[value(v)?, Ext::Max]),
                Tiebreak::Above,
            )),
            prefix_upper,
        ),
        SortKeyOp::Ge(v) => (at_or_after(value(v)?), prefix_upper),
        SortKeyOp::Between(lo, hi) => {
            let (lo, hi) = (key_value(lo, def)?, key_value(hi, def)?);
            if lo > hi {
                return Err(Error::Validation(format!(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                    describe(&lo),
                    describe(&hi)
                )));
            }
            (at_or_after(Ext::Val(lo)), at_or_before(Ext::Val(hi)))
        }
        SortKeyOp::BeginsWith(v) => {
            let start = key_value(v, def)?;
            if let KeyValue::N(_) = start {
                return Err(Error::validation(
                    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
                ));
            }
            selection.prefix = Some((equalities.len(), start.clone()));
            (at_or_after(Ext::Val(start)), prefix_upper)
        }
    };
    selection.lower = lower;
    selection.upper = upper;
    Ok(selection)
}

fn starts_with(value: &Ext<KeyValue>, prefix: &KeyValue) -> bool {
    match (value, prefix) {
        (Ext::Val(KeyValue::S(v)), KeyValue::S(p)) => v.starts_with(p.as_str()),
        (Ext::Val(KeyValue::B(v)), KeyValue::B(p)) => v.starts_with(p),
        _ => false,
    }
}

fn bound_value<T>(b: &Bound<T>) -> Option<&T> {
    match b {
        Bound::Included(v) | Bound::Excluded(v) => Some(v),
        Bound::Unbounded => None,
    }
}

/// The tighter of two lower bounds.
fn max_lower<T: Ord>(a: Bound<T>, b: Bound<T>) -> Bound<T> {
    match (bound_value(&a), bound_value(&b)) {
        (None, _) => b,
        (_, None) => a,
        (Some(x), Some(y)) => match x.cmp(y) {
            Ordering::Less => b,
            Ordering::Greater => a,
            Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
            Ordering::Equal => b,
        },
    }
}

/// The tighter of two upper bounds.
fn min_upper<T: Ord>(a: Bound<T>, b: Bound<T>) -> Bound<T> {
    match (bound_value(&a), bound_value(&b)) {
        (None, _) => b,
        (_, None) => a,
        (Some(x), Some(y)) => match x.cmp(y) {
            Ordering::Less => a,
            Ordering::Greater => b,
            Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
            Ordering::Equal => b,
        },
    }
}

/// Whether `BTreeMap::range` accepts these bounds (it panics on an inverted
/// range or an empty one with both ends excluded).
fn is_valid_range<T: Ord>(lower: &Bound<T>, upper: &Bound<T>) -> bool {
    match (lower, upper) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => true,
        (Bound::Included(l), Bound::Included(u)) => l <= u,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => l < u,
    }
}

pub(crate) fn query(engine: &Engine, input: QueryInput) -> Result<QueryOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    let state = table.read();
    let view = super::read::replica_view(
        engine,
        &table,
        &state,
        input.consistent_read,
        input.index_name.as_deref(),
    );
    let source = Source::open(
        &table,
        &state,
        ReadRequest {
            index_name: input.index_name.as_deref(),
            consistent_read: input.consistent_read,
            select: input.select,
            filter: input.filter.as_ref(),
            projection: input.projection.as_ref(),
        },
        view.as_ref(),
    )?;
    if let Some(filter) = &input.filter {
        let keys = source.partition_defs().iter().chain(source.sort_defs());
        for key in keys {
            if filter.paths().iter().any(|p| p.top() == key.name) {
                return Err(Error::Validation(format!(
                    "Filter Expression can only contain non-primary key attributes: Primary key attribute: {}",
                    key.name
                )));
            }
        }
    }
    let mut selection = resolve(
        source.partition_defs(),
        source.sort_defs(),
        &input.key_condition,
    )?;
    let forward = input.scan_index_forward.unwrap_or(true);
    if let Some(start) = &input.exclusive_start_key {
        let start = source.start_position(start)?;
        if start.slot != selection.slot {
            return Err(Error::validation(
                "The provided starting key is outside query boundaries based on provided conditions",
            ));
        }
        if forward {
            selection.lower = max_lower(selection.lower, Bound::Excluded(start.entry));
        } else {
            selection.upper = min_upper(selection.upper, Bound::Excluded(start.entry));
        }
    }

    let mut page = Page::new(&source, input.limit);
    if is_valid_range(&selection.lower, &selection.upper)
        && let Some((slot, entries)) =
            source.entries(&selection.slot, (selection.lower, selection.upper), forward)
    {
        let in_prefix = |e: &EntryKey| match &selection.prefix {
            None => true,
            Some((i, p)) => e.sort.get(*i).is_some_and(|v| starts_with(v, p)),
        };
        let mut entries = entries;
        if forward {
            for (entry, stored) in entries.by_ref().take_while(|(e, _)| in_prefix(e)) {
                if !page.push(slot, entry, stored) {
                    break;
                }
            }
        } else {
            for (entry, stored) in entries.filter(|(e, _)| in_prefix(e)) {
                if !page.push(slot, entry, stored) {
                    break;
                }
            }
        }
    }
    let result = page.finish();
    Ok(QueryOutput {
        items: result.items,
        count: result.count,
        scanned_count: result.scanned_count,
        last_evaluated_key: result.last_evaluated_key,
        consumed_capacity: result
            .usage
            .report(&table.name, input.return_consumed_capacity),
    })
}
