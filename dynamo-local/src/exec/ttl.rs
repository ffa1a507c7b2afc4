//! Time to live: deleting items whose expiry time has passed.
//!
//! An item expires when its TTL attribute is a number of epoch seconds
//! before now. Items without the attribute, or with a non-number, never
//! expire; times more than five years in the past are ignored, as DynamoDB
//! does, so that millisecond timestamps stored by mistake do not wipe a table.

use super::write::apply;
use crate::engine::Engine;
use crate::log::{Commit, Origin};
use dynamo_core::{AttributeValue, Number};

const FIVE_YEARS_SECONDS: i64 = 5 * 365 * 24 * 60 * 60;

pub(crate) fn sweep(engine: &Engine) -> usize {
    let now = i64::try_from(engine.now().as_secs()).unwrap_or(i64::MAX);
    let (now_n, oldest) = (Number::from(now), Number::from(now - FIVE_YEARS_SECONDS));
    let tables: Vec<_> = engine.catalog().values().cloned().collect();
    let mut deleted = 0;
    for table in tables {
        let mut state = table.write();
        let Some(spec) = state.time_to_live().cloned() else {
            continue;
        };
        let expired: Vec<_> = state
            .base()
            .entries()
            .filter(|(_, _, stored)| {
                matches!(
                    stored.get(&spec.attribute_name),
                    Some(AttributeValue::N(t)) if t < now_n && t >= oldest
                )
            })
            .filter_map(|(_, _, stored)| table.schema.key_of_item(&stored.item()).ok())
            .collect();
        let commit = Commit {
            at: engine.now(),
            origin: Origin::TimeToLive,
            transaction: None,
        };
        for key in expired {
            let planned = state.plan_delete(key);
            if apply(&mut state, planned, &commit).0.is_some() {
                deleted += 1;
            }
        }
    }
    deleted
}
