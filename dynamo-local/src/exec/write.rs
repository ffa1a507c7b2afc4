//! Writing and deleting one item together with its index entries, and the
//! checks every written item passes.

use super::capacity::{Kind, Usage, write_units};
use crate::key::IndexKind;
use crate::key::PrimaryKey;
use crate::log::Commit;
use crate::table::Slot;
use crate::table::{PlannedWrite, StoredItem, Table, TableState, TableWriter};
use dynamo_core::expr::Condition;
use dynamo_core::ops::{
    ItemCollectionMetrics, ReturnItemCollectionMetrics, ReturnValuesOnConditionCheckFailure,
};
use dynamo_core::value::{MAX_ITEM_SIZE, item_size};
use dynamo_core::{AttributeMap, Error, Result};

/// Checks a write's condition against the item as it is (an empty item
/// when there is none); on failure, the error carries the item when
/// `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`.
pub(crate) fn check_condition(
    condition: Option<&Condition>,
    current: Option<&AttributeMap>,
    return_item: Option<ReturnValuesOnConditionCheckFailure>,
) -> Result<()> {
    let Some(condition) = condition else {
        return Ok(());
    };
    let empty = AttributeMap::new();
    if condition.evaluate(current.unwrap_or(&empty)) {
        return Ok(());
    }
    Err(Error::ConditionalCheckFailed {
        message: "The conditional request failed".to_owned(),
        item: current
            .filter(|_| return_item == Some(ReturnValuesOnConditionCheckFailure::AllOld))
            .cloned(),
    })
}

/// The checks DynamoDB makes of an item to be written, before looking at
/// the table: values (empty sets, nesting depth).
pub(crate) fn validate_values(item: &AttributeMap) -> Result<()> {
    item.values()
        .try_for_each(|v| v.validate().map_err(Error::Validation))
}

/// The checks of an item against the table: its key, and its size.
pub(crate) fn checked_key(table: &Table, item: &AttributeMap) -> Result<PrimaryKey> {
    let key = table.schema.key_of_item(item)?;
    if item_size(item) > MAX_ITEM_SIZE {
        return Err(Error::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(key)
}

/// Applies a planned write with its commit, returning the replaced item
/// and the capacity consumed (one unit for deleting nothing).
pub(crate) fn apply(
    writer: &mut TableWriter,
    planned: PlannedWrite,
    commit: &Commit,
) -> (Option<StoredItem>, Usage) {
    let applied = writer.apply(planned, commit);
    let old_size = applied.old.as_ref().map_or(0, |s| s.size());
    let mut usage = Usage::new(Kind::Write).table(write_units(old_size.max(applied.new_size)));
    usage.index_writes(writer.indexes(), &applied.index_writes);
    (applied.old, usage)
}

/// The item of a stored entry.
pub(crate) fn into_item(stored: StoredItem) -> AttributeMap {
    stored.item()
}

/// The size of the item collection of `key` (its partition's items and
/// their local index entries), when asked for and the table has a local
/// secondary index; DynamoDB reports nothing otherwise.
pub(crate) fn collection_metrics(
    table: &Table,
    state: &TableState,
    key: &PrimaryKey,
    asked: Option<ReturnItemCollectionMetrics>,
) -> Option<ItemCollectionMetrics> {
    if asked != Some(ReturnItemCollectionMetrics::Size)
        || !state
            .indexes()
            .iter()
            .any(|i| i.def.kind == IndexKind::Local)
    {
        return None;
    }
    let slot = Slot::of(vec![key.partition.clone()]);
    let size_of = |store: &crate::table::Store| -> usize {
        store
            .partitions()
            .get(&slot)
            .map_or(0, |p| p.values().map(|s| s.size()).sum())
    };
    let bytes = size_of(state.base())
        + state
            .indexes()
            .iter()
            .filter(|i| i.def.kind == IndexKind::Local)
            .map(|i| size_of(i.store()))
            .sum::<usize>();
    let gigabytes = (bytes as f64 / (1u64 << 30) as f64).floor();
    Some(ItemCollectionMetrics {
        item_collection_key: AttributeMap::from([(
            table.schema.partition_key.name.clone(),
            key.partition.clone().into(),
        )]),
        size_estimate_range_gb: vec![gigabytes, gigabytes + 1.0],
    })
}
