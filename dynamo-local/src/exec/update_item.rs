//! UpdateItem: changes attributes of an item, creating it from its key
//! when it does not exist; a failing condition never creates an item.

use super::write::{apply, check_condition, collection_metrics, into_item, validate_values};
use crate::engine::Engine;
use crate::log::Commit;
use dynamo_core::expr::project_paths;
use dynamo_core::ops::{ReturnValue, UpdateItemInput, UpdateItemOutput};
use dynamo_core::value::{MAX_ITEM_SIZE, item_size};
use dynamo_core::{AttributeMap, Error, Result};

pub(crate) fn update_item(engine: &Engine, input: UpdateItemInput) -> Result<UpdateItemOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    let key = table.schema.key_of_key(&input.key)?;
    if let Some(update) = &input.update
        && let Some(path) = update
            .target_paths()
            .find(|p| table.schema.key_names().any(|k| k == p.top()))
    {
        return Err(Error::Validation(format!(
            "One or more parameter values were invalid: Cannot update attribute {}. This attribute is part of the key",
            path.top()
        )));
    }
    let mut state = table.write();
    state.check_not_held(&key)?;
    let current = state
        .base()
        .get(&table.schema.position(&key))
        .map(|s| s.item());
    check_condition(
        input.condition.as_ref(),
        current.as_ref(),
        input.return_values_on_condition_check_failure,
    )?;
    let empty = AttributeMap::new();
    let mut new = match &input.update {
        Some(update) => update.apply(current.as_ref().unwrap_or(&empty))?,
        None => current.unwrap_or_default(),
    };
    new.extend(input.key);
    validate_values(&new)?;
    if item_size(&new) > MAX_ITEM_SIZE {
        return Err(Error::validation(
            "Item size to update has exceeded the maximum allowed size",
        ));
    }
    let return_values = input.return_values.unwrap_or_default();
    let new_image =
        matches!(return_values, ReturnValue::AllNew | ReturnValue::UpdatedNew).then(|| new.clone());
    let planned = state.plan_put(key.clone(), new)?;
    let (old, usage) = apply(&mut state, planned, &Commit::user(engine.now()));
    let item_collection_metrics =
        collection_metrics(&table, &state, &key, input.return_item_collection_metrics);
    drop(state);
    let targets = || input.update.iter().flat_map(|u| u.target_paths());
    let attributes = match return_values {
        ReturnValue::None => None,
        ReturnValue::AllOld => old.map(into_item),
        ReturnValue::UpdatedOld => old.map(|s| project_paths(&s.item(), targets())),
        ReturnValue::AllNew => new_image,
        ReturnValue::UpdatedNew => new_image.map(|n| project_paths(&n, targets())),
    }
    .filter(|a| !a.is_empty());
    Ok(UpdateItemOutput {
        attributes,
        consumed_capacity: usage.report(&table.name, input.return_consumed_capacity),
        item_collection_metrics,
    })
}
