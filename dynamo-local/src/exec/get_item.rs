//! GetItem.

use crate::engine::Engine;
use dynamo_core::Result;
use dynamo_core::ops::{GetItemInput, GetItemOutput};

pub(crate) fn get_item(engine: &Engine, input: GetItemInput) -> Result<GetItemOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    let key = table.schema.key_of_key(&input.key)?;
    let item = table.read().get(&key).map(|stored| stored.item.clone());
    Ok(GetItemOutput {
        item,
        consumed_capacity: None,
    })
}
