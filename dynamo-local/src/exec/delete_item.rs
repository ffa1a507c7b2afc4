//! DeleteItem.

use super::write::delete;
use crate::engine::Engine;
use dynamo_core::Result;
use dynamo_core::ops::{DeleteItemInput, DeleteItemOutput, ReturnValue};

pub(crate) fn delete_item(engine: &Engine, input: DeleteItemInput) -> Result<DeleteItemOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    let key = table.schema.key_of_key(&input.key)?;
    let (old, usage) = delete(&table, &mut table.write(), &key);
    Ok(DeleteItemOutput {
        attributes: old
            .filter(|_| input.return_values == Some(ReturnValue::AllOld))
            .map(|s| s.item),
        consumed_capacity: usage.report(&table.name, input.return_consumed_capacity),
    })
}
