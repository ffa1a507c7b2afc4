//! The cost model: estimated items read and returned, and read units, for
//! one access. Formulas (ADR 0006):
//!
//! * a partition holds the mean entries of the partitions a sample of the
//!   table or index read whole (see `statistics`); without a sample, a
//!   partition fixed by `k` fields holds `N^(1/(k+1))` of `N` entries (the
//!   square root for one field, between "one partition holds everything"
//!   and "every item is its own partition");
//! * each sort-key component fixed by equality keeps 0.1 of a partition,
//!   a range 0.3, `BETWEEN` and `begins_with` 0.1; a full primary key
//!   selects one item;
//! * a filter term keeps 0.1 (`=`), 0.3 (range), 0.1 per IN value, 0.5
//!   (anything else) of what is read, and costs nothing: DynamoDB charges
//!   for what it reads;
//! * read units: a Query or Scan pays `ceil(bytes / 4 KB)` (at least one)
//!   per request, a Get or each key of a BatchGet `ceil(item / 4 KB)`
//!   (at least one), half of that for eventually consistent reads; an
//!   index fetch-back is one BatchGet key per entry that passes the index's
//!   filter.

use super::access::{AccessPath, PathKind};
use super::statistics::TableStatistics;

/// What an access, or a whole plan, is expected to read and cost.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Estimate {
    /// Items (or index entries) read.
    pub items_read: f64,
    /// Items returned to the caller.
    pub items_returned: f64,
    /// Read capacity units consumed, fetch-backs included.
    pub read_units: f64,
    /// Requests sent (queries, gets, batch gets).
    pub requests: usize,
}

impl Estimate {
    /// The sum of two estimates.
    pub fn plus(self, other: Estimate) -> Estimate {
        Estimate {
            items_read: self.items_read + other.items_read,
            items_returned: self.items_returned + other.items_returned,
            read_units: self.read_units + other.read_units,
            requests: self.requests + other.requests,
        }
    }
}

const READ_UNIT_BYTES: f64 = 4096.0;
/// The size assumed for an item of an empty table.
const DEFAULT_ITEM_BYTES: f64 = 1024.0;

/// Entries of a path and their average size.
pub(crate) fn population(path: &AccessPath, stats: &TableStatistics) -> (f64, f64) {
    let (count, bytes) = match path.index {
        None => (stats.item_count, stats.size_bytes),
        Some(name) => stats
            .index(name)
            .map_or((0, 0), |i| (i.item_count, i.size_bytes)),
    };
    let average = if count == 0 {
        DEFAULT_ITEM_BYTES
    } else {
        bytes as f64 / count as f64
    };
    (count as f64, average)
}

/// The entries one partition of `path` is expected to hold: the mean of
/// the partitions its sample read whole; without one, `N^(1/(k+1))` for a
/// key rendered from `k` fields, and never less than a sample that read
/// one partition without reaching its end.
pub(crate) fn partition_entries(
    path: &AccessPath,
    partition_fields: usize,
    stats: &TableStatistics,
) -> f64 {
    let (count, _) = population(path, stats);
    let sample = stats.partitions(path.index);
    if let Some(mean) = sample.and_then(|s| s.mean()) {
        return mean.min(count);
    }
    let root = 1.0 / (partition_fields.max(1) as f64 + 1.0);
    let guess = count.powf(root);
    sample.map_or(guess, |s| guess.max(s.entries as f64).min(count))
}

/// Units for one request reading `bytes`.
pub(crate) fn units(bytes: f64, consistent: bool) -> f64 {
    let units = (bytes / READ_UNIT_BYTES).ceil().max(1.0);
    if consistent { units } else { units / 2.0 }
}

/// The units one item of the table costs by key (Get, BatchGet, fetch-back).
pub(crate) fn per_item(stats: &TableStatistics, consistent: bool) -> f64 {
    let average = if stats.item_count == 0 {
        DEFAULT_ITEM_BYTES
    } else {
        stats.size_bytes as f64 / stats.item_count as f64
    };
    units(average, consistent)
}

/// The inputs of one access's estimate.
pub(crate) struct Shape {
    pub requests: usize,
    pub partition_fields: usize,
    pub full_key: bool,
    pub sort_factor: f64,
    /// Selectivity of the filter evaluated by DynamoDB.
    pub server_filter: f64,
    /// Selectivity of the filter evaluated after fetch-back.
    pub client_filter: f64,
    pub fetch_back: bool,
    pub scan: bool,
}

/// The estimate of an access of `path` shaped like `shape`.
pub(crate) fn estimate(
    path: &AccessPath,
    shape: &Shape,
    stats: &TableStatistics,
    consistent: bool,
    limit: Option<usize>,
) -> Estimate {
    let (count, average) = population(path, stats);
    let requests = shape.requests.max(1) as f64;
    let strong = consistent && path.kind != PathKind::GlobalIndex;
    if shape.full_key {
        let returned = requests * shape.server_filter * shape.client_filter;
        return Estimate {
            items_read: requests,
            items_returned: limit.map_or(returned, |l| returned.min(l as f64)),
            read_units: requests * per_item(stats, strong),
            requests: shape.requests.max(1),
        };
    }
    let per_request = if shape.scan {
        count
    } else if count == 0.0 {
        0.0
    } else {
        partition_entries(path, shape.partition_fields, stats) * shape.sort_factor
    };
    let mut read = per_request * requests;
    let kept = shape.server_filter * shape.client_filter;
    let mut returned = read * kept;
    if let Some(limit) = limit.map(|l| l as f64)
        && returned > limit
    {
        read *= limit / returned;
        returned = limit;
    }
    let per_request_read = read / requests;
    let mut read_units = requests * units(per_request_read * average, strong);
    if shape.fetch_back {
        read_units += read * shape.server_filter * per_item(stats, strong);
    }
    Estimate {
        items_read: read,
        items_returned: returned,
        read_units,
        requests: shape.requests.max(1),
    }
}
