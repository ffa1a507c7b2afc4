//! PutItem.

use super::write::{
    apply, check_condition, checked_key, collection_metrics, into_item, validate_values,
};
use crate::engine::Engine;
use crate::log::Commit;
use dynamo_core::Result;
use dynamo_core::ops::{PutItemInput, PutItemOutput, ReturnValue};

pub(crate) fn put_item(engine: &Engine, input: PutItemInput) -> Result<PutItemOutput> {
    input.validate()?;
    validate_values(&input.item)?;
    let table = engine.table(&input.table_name)?;
    let key = checked_key(&table, &input.item)?;
    let mut state = table.write();
    state.check_not_held(&key)?;
    // The item is decoded only for a condition to look at.
    let current = input
        .condition
        .as_ref()
        .and_then(|_| state.base().get(&table.schema.position(&key)))
        .map(|s| s.item());
    check_condition(
        input.condition.as_ref(),
        current.as_ref(),
        input.return_values_on_condition_check_failure,
    )?;
    let planned = state.plan_put(key.clone(), input.item)?;
    let (old, usage) = apply(&mut state, planned, &Commit::user(engine.now()));
    let item_collection_metrics =
        collection_metrics(&table, &state, &key, input.return_item_collection_metrics);
    drop(state);
    Ok(PutItemOutput {
        attributes: old
            .filter(|_| input.return_values == Some(ReturnValue::AllOld))
            .map(into_item),
        consumed_capacity: usage.report(&table.name, input.return_consumed_capacity),
        item_collection_metrics,
    })
}
