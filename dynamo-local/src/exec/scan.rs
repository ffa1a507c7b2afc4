//! Scan: every partition in hash order, or one segment of that order for a
//! parallel scan.

use super::Page;
use crate::engine::Engine;
use crate::table::Slot;
use dynamo_core::ops::{ScanInput, ScanOutput};
use dynamo_core::{Error, KeyValue, Result};
use std::ops::Bound;

/// The hash range `[start, end)` of `segment` out of `total` (end `None` = 2^64).
fn segment_range(segment: i32, total: i32) -> (u64, Option<u64>) {
    let bound = |s: i32| -> Option<u64> {
        let s = u128::try_from(s).ok()?;
        let t = u128::try_from(total).ok()?.max(1);
        // ceil(s * 2^64 / t): the first hash h with floor(h * t / 2^64) == s.
        u64::try_from(((s << 64) + t - 1) / t).ok()
    };
    (bound(segment).unwrap_or(0), bound(segment + 1))
}

pub(crate) fn scan(engine: &Engine, input: ScanInput) -> Result<ScanOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    if let Some(index) = &input.index_name {
        return Err(Error::Validation(format!(
            "The table does not have the specified index: {index}"
        )));
    }
    let schema = &table.schema;
    let start = input
        .exclusive_start_key
        .as_ref()
        .map(|k| schema.start_key(k))
        .transpose()?;
    let (hash_start, hash_end) = match (input.segment, input.total_segments) {
        (Some(s), Some(t)) => segment_range(s, t),
        _ => (0, None),
    };

    let data = table.read();
    let mut page = Page::new(input.limit, input.select);
    let mut stopped_early = false;
    // The rest of the partition the previous page stopped in.
    let first_slot = match &start {
        Some(start) => {
            let slot = Slot::of(&start.partition);
            if let Some((slot, partition)) = data.partitions.get_key_value(&slot) {
                let rest = partition.range((Bound::Excluded(start.sort.clone()), Bound::Unbounded));
                for (sort, stored) in rest {
                    if page.push(&slot.key, sort, stored) {
                        stopped_early = true;
                        break;
                    }
                }
            }
            Bound::Excluded(Slot::of(&start.partition))
        }
        // The empty string is the least key value of any type.
        None => Bound::Included(Slot {
            hash: hash_start,
            key: KeyValue::S(String::new()),
        }),
    };
    if !stopped_early {
        'partitions: for (slot, partition) in data.partitions.range((first_slot, Bound::Unbounded))
        {
            if hash_end.is_some_and(|end| slot.hash >= end) {
                break;
            }
            for (sort, stored) in partition {
                if page.push(&slot.key, sort, stored) {
                    stopped_early = true;
                    break 'partitions;
                }
            }
        }
    }
    let (items, count, scanned_count, last_evaluated_key) = page.finish(schema, stopped_early);
    Ok(ScanOutput {
        items,
        count,
        scanned_count,
        last_evaluated_key,
        consumed_capacity: None,
    })
}
