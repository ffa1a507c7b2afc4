//! PutItem.

use super::write::{checked_key, put, validate_values};
use crate::engine::Engine;
use dynamo_core::Result;
use dynamo_core::ops::{PutItemInput, PutItemOutput, ReturnValue};

pub(crate) fn put_item(engine: &Engine, input: PutItemInput) -> Result<PutItemOutput> {
    input.validate()?;
    validate_values(&input.item)?;
    let table = engine.table(&input.table_name)?;
    let key = checked_key(&table, &input.item)?;
    let (old, usage) = put(&table, &mut table.write(), &key, input.item)?;
    Ok(PutItemOutput {
        attributes: old
            .filter(|_| input.return_values == Some(ReturnValue::AllOld))
            .map(|s| s.item),
        consumed_capacity: usage.report(&table.name, input.return_consumed_capacity),
    })
}
