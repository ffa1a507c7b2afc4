//! Query: one partition, a sort-key range, in either direction.

use super::Page;
use crate::engine::Engine;
use crate::key::{KeyDef, KeySchema};
use dynamo_core::expr::{KeyCondition, SortKeyOp};
use dynamo_core::ops::{QueryInput, QueryOutput};
use dynamo_core::{AttributeValue, Error, KeyValue, Result};
use std::cmp::Ordering;
use std::ops::Bound;

type SortBound = Bound<Option<KeyValue>>;

/// A key condition checked against the table's key schema.
struct Selection {
    partition: KeyValue,
    lower: SortBound,
    upper: SortBound,
    prefix: Option<KeyValue>,
}

fn type_mismatch() -> Error {
    Error::validation(
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
    )
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

fn resolve(schema: &KeySchema, condition: &KeyCondition) -> Result<Selection> {
    let pk = &schema.partition_key;
    let partition = match condition.partition_key.as_slice() {
        [(name, value)] if *name == pk.name => key_value(value, pk)?,
        _ => {
            return Err(Error::Validation(format!(
                "Query condition missed key schema element: {}",
                pk.name
            )));
        }
    };
    let mut selection = Selection {
        partition,
        lower: Bound::Unbounded,
        upper: Bound::Unbounded,
        prefix: None,
    };
    let condition = match condition.sort_key.as_slice() {
        [] => return Ok(selection),
        [condition] => condition,
        _ => {
            return Err(Error::validation(
                "KeyConditionExpressions must only contain one condition per key",
            ));
        }
    };
    let sk = match &schema.sort_key {
        Some(sk) if sk.name == condition.name => sk,
        Some(sk) => {
            return Err(Error::Validation(format!(
                "Query condition missed key schema element: {}",
                sk.name
            )));
        }
        None => return Err(Error::validation("Query key condition not supported")),
    };
    let value = |v: &AttributeValue| key_value(v, sk).map(Some);
    match &condition.op {
        SortKeyOp::Eq(v) => {
            let v = value(v)?;
            selection.lower = Bound::Included(v.clone());
            selection.upper = Bound::Included(v);
        }
        SortKeyOp::Lt(v) => selection.upper = Bound::Excluded(value(v)?),
        SortKeyOp::Le(v) => selection.upper = Bound::Included(value(v)?),
        SortKeyOp::Gt(v) => selection.lower = Bound::Excluded(value(v)?),
        SortKeyOp::Ge(v) => selection.lower = Bound::Included(value(v)?),
        SortKeyOp::Between(lo, hi) => {
            let (lo, hi) = (value(lo)?, value(hi)?);
            if let (Some(l), Some(h)) = (&lo, &hi)
                && l > h
            {
                return Err(Error::Validation(format!(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                    describe(l),
                    describe(h)
                )));
            }
            selection.lower = Bound::Included(lo);
            selection.upper = Bound::Included(hi);
        }
        SortKeyOp::BeginsWith(v) => {
            let prefix = key_value(v, sk)?;
            if let KeyValue::N(_) = prefix {
                return Err(Error::validation(
                    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
                ));
            }
            selection.lower = Bound::Included(Some(prefix.clone()));
            selection.prefix = Some(prefix);
        }
    }
    Ok(selection)
}

fn starts_with(value: &KeyValue, prefix: &KeyValue) -> bool {
    match (value, prefix) {
        (KeyValue::S(v), KeyValue::S(p)) => v.starts_with(p.as_str()),
        (KeyValue::B(v), KeyValue::B(p)) => v.starts_with(p),
        _ => false,
    }
}

/// The tighter of two lower bounds.
fn max_lower(a: SortBound, b: SortBound) -> SortBound {
    match (&a, &b) {
        (Bound::Unbounded, _) => b,
        (_, Bound::Unbounded) => a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            match x.cmp(y) {
                Ordering::Less => b,
                Ordering::Greater => a,
                Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
                Ordering::Equal => b,
            }
        }
    }
}

/// The tighter of two upper bounds.
fn min_upper(a: SortBound, b: SortBound) -> SortBound {
    match (&a, &b) {
        (Bound::Unbounded, _) => b,
        (_, Bound::Unbounded) => a,
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            match x.cmp(y) {
                Ordering::Less => a,
                Ordering::Greater => b,
                Ordering::Equal if matches!(a, Bound::Excluded(_)) => a,
                Ordering::Equal => b,
            }
        }
    }
}

/// Whether `BTreeMap::range` accepts these bounds (it panics on an inverted
/// or empty-exclusive range).
fn is_valid_range(lower: &SortBound, upper: &SortBound) -> bool {
    match (lower, upper) {
        (Bound::Unbounded, _) | (_, Bound::Unbounded) => true,
        (Bound::Included(l), Bound::Included(u)) => l <= u,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => l < u,
    }
}

pub(crate) fn query(engine: &Engine, input: QueryInput) -> Result<QueryOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    if let Some(index) = &input.index_name {
        return Err(Error::Validation(format!(
            "The table does not have the specified index: {index}"
        )));
    }
    let schema = &table.schema;
    let mut selection = resolve(schema, &input.key_condition)?;
    let forward = input.scan_index_forward.unwrap_or(true);
    if let Some(start) = &input.exclusive_start_key {
        let start = schema.start_key(start)?;
        if start.partition != selection.partition {
            return Err(Error::validation(
                "The provided starting key is outside query boundaries based on provided conditions",
            ));
        }
        if forward {
            selection.lower = max_lower(selection.lower, Bound::Excluded(start.sort));
        } else {
            selection.upper = min_upper(selection.upper, Bound::Excluded(start.sort));
        }
    }

    let data = table.read();
    let mut page = Page::new(input.limit, input.select);
    let mut stopped_early = false;
    if let Some(partition) = data.partition(&selection.partition)
        && is_valid_range(&selection.lower, &selection.upper)
    {
        let range = partition.range((selection.lower, selection.upper));
        let in_prefix = |sort: &Option<KeyValue>| match (&selection.prefix, sort) {
            (None, _) => true,
            (Some(p), Some(v)) => starts_with(v, p),
            (Some(_), None) => false,
        };
        let mut visit = |(sort, stored)| {
            let partition_key = &selection.partition;
            page.push(partition_key, sort, stored)
        };
        if forward {
            for entry in range.take_while(|(sort, _)| in_prefix(sort)) {
                if visit(entry) {
                    stopped_early = true;
                    break;
                }
            }
        } else {
            for entry in range.rev().filter(|(sort, _)| in_prefix(sort)) {
                if visit(entry) {
                    stopped_early = true;
                    break;
                }
            }
        }
    }
    let (items, count, scanned_count, last_evaluated_key) = page.finish(schema, stopped_early);
    Ok(QueryOutput {
        items,
        count,
        scanned_count,
        last_evaluated_key,
        consumed_capacity: None,
    })
}
