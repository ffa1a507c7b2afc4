//! PutItem.

use super::validate_values;
use crate::engine::Engine;
use dynamo_core::ops::{PutItemInput, PutItemOutput, ReturnValue};
use dynamo_core::value::{MAX_ITEM_SIZE, item_size};
use dynamo_core::{Error, Result};

pub(crate) fn put_item(engine: &Engine, input: PutItemInput) -> Result<PutItemOutput> {
    input.validate()?;
    validate_values(&input.item)?;
    let table = engine.table(&input.table_name)?;
    let key = table.schema.key_of_item(&input.item)?;
    if item_size(&input.item) > MAX_ITEM_SIZE {
        return Err(Error::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    let old = table.write().put(key, input.item);
    Ok(PutItemOutput {
        attributes: old.filter(|_| input.return_values == Some(ReturnValue::AllOld)),
        consumed_capacity: None,
    })
}
