//! Scan: every partition of the table or an index in hash order, or one
//! segment of that order for a parallel scan.

use super::read::{Page, ReadRequest, Source};
use crate::engine::Engine;
use crate::table::Slot;
use dynamo_core::Result;
use dynamo_core::ops::{ScanInput, ScanOutput};
use std::ops::Bound;

/// The hash range `[start, end)` of `segment` out of `total` (end `None` = 2^64).
fn segment_range(segment: i32, total: i32) -> (u64, Option<u64>) {
    let bound = |s: i32| -> Option<u64> {
        let s = u128::try_from(s).ok()?;
        let t = u128::try_from(total).ok()?.max(1);
        // ceil(s * 2^64 / t): the first hash h with floor(h * t / 2^64) == s.
        u64::try_from((s << 64).div_ceil(t)).ok()
    };
    (bound(segment).unwrap_or(0), bound(segment + 1))
}

pub(crate) fn scan(engine: &Engine, input: ScanInput) -> Result<ScanOutput> {
    input.validate()?;
    let table = engine.table(&input.table_name)?;
    let state = table.read();
    let view = super::read::replica_view(
        engine,
        &table,
        &state,
        input.consistent_read,
        input.index_name.as_deref(),
    );
    let source = Source::open(
        &table,
        &state,
        ReadRequest {
            index_name: input.index_name.as_deref(),
            consistent_read: input.consistent_read,
            select: input.select,
            filter: input.filter.as_ref(),
            projection: input.projection.as_ref(),
        },
        view.as_ref(),
    )?;
    let start = input
        .exclusive_start_key
        .as_ref()
        .map(|k| source.start_position(k))
        .transpose()?;
    let (hash_start, hash_end) = match (input.segment, input.total_segments) {
        (Some(s), Some(t)) => segment_range(s, t),
        _ => (0, None),
    };

    let mut page = Page::new(&source, input.limit);
    let mut more = true;
    let first_slot = match &start {
        Some(start) => {
            // The rest of the partition the previous page stopped in.
            let rest = (Bound::Excluded(start.entry.clone()), Bound::Unbounded);
            if let Some((slot, entries)) = source.entries(&start.slot, rest, true) {
                for (entry, stored) in entries {
                    more = page.push(slot, entry, stored);
                    if !more {
                        break;
                    }
                }
            }
            Bound::Excluded(start.slot.clone())
        }
        None => Bound::Included(Slot::first_with_hash(hash_start)),
    };
    if more {
        'partitions: for slot in source.slots_from(first_slot) {
            if hash_end.is_some_and(|end| slot.hash >= end) {
                break;
            }
            let all = (Bound::Unbounded, Bound::Unbounded);
            let Some((slot, entries)) = source.entries(slot, all, true) else {
                continue;
            };
            for (entry, stored) in entries {
                if !page.push(slot, entry, stored) {
                    break 'partitions;
                }
            }
        }
    }
    let result = page.finish();
    Ok(ScanOutput {
        items: result.items,
        count: result.count,
        scanned_count: result.scanned_count,
        last_evaluated_key: result.last_evaluated_key,
        consumed_capacity: result
            .usage
            .report(&table.name, input.return_consumed_capacity),
    })
}
