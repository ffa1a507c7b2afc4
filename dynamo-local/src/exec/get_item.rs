//! GetItem.

use super::capacity::{Kind, Usage, read_units};
use crate::engine::Engine;
use dynamo_core::Result;
use dynamo_core::ops::{GetItemInput, GetItemOutput};

pub(crate) fn get_item(engine: &Engine, input: GetItemInput) -> Result<GetItemOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    let key = table.schema.key_of_key(&input.key)?;
    let position = table.schema.position(&key);
    let state = table.read();
    let view = super::read::replica_view(engine, &table, &state, input.consistent_read, None);
    let stored = match &view {
        Some(view) => view.table_item(&state, &position),
        None => state.base().get(&position),
    };
    let (item, size) = match stored {
        Some(stored) => (
            Some(match &input.projection {
                Some(projection) => projection.apply(&stored.item()),
                None => stored.item(),
            }),
            stored.size(),
        ),
        None => (None, 0),
    };
    drop(state);
    let consistent = input.consistent_read.unwrap_or(false);
    let usage = Usage::new(Kind::Read).table(read_units(size, consistent));
    Ok(GetItemOutput {
        item,
        consumed_capacity: usage.report(&table.name, input.return_consumed_capacity),
    })
}
