//! One executor per operation, named after it. Shared here: how a Query or
//! Scan page is filled (Limit counts evaluated items; a page stops at 1 MB
//! of data read; `LastEvaluatedKey` is the key of the last evaluated item).

pub(crate) mod delete_item;
pub(crate) mod get_item;
pub(crate) mod put_item;
pub(crate) mod query;
pub(crate) mod scan;
pub(crate) mod tables;

use crate::key::{KeySchema, PrimaryKey};
use crate::table::StoredItem;
use dynamo_core::ops::Select;
use dynamo_core::{AttributeMap, Error, KeyValue};

/// Most data one Query or Scan call reads.
pub(crate) const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// Collects one page of a Query or Scan.
pub(crate) struct Page<'a> {
    limit: usize,
    count_only: bool,
    items: Vec<AttributeMap>,
    scanned: usize,
    bytes: usize,
    last: Option<(&'a KeyValue, &'a Option<KeyValue>)>,
}

impl<'a> Page<'a> {
    pub fn new(limit: Option<i32>, select: Option<Select>) -> Self {
        Self {
            limit: limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX)),
            count_only: select == Some(Select::Count),
            items: Vec::new(),
            scanned: 0,
            bytes: 0,
            last: None,
        }
    }

    /// Evaluates one item; returns true when the page is full.
    pub fn push(
        &mut self,
        partition: &'a KeyValue,
        sort: &'a Option<KeyValue>,
        stored: &StoredItem,
    ) -> bool {
        self.scanned += 1;
        self.bytes += stored.size;
        if !self.count_only {
            self.items.push(stored.item.clone());
        }
        self.last = Some((partition, sort));
        self.scanned >= self.limit || self.bytes >= MAX_PAGE_BYTES
    }

    /// The page's items (absent for `Select: COUNT`), count, scanned count,
    /// and, when `stopped_early`, the key to resume after.
    pub fn finish(
        self,
        schema: &KeySchema,
        stopped_early: bool,
    ) -> (Option<Vec<AttributeMap>>, i32, i32, Option<AttributeMap>) {
        let count = i32::try_from(if self.count_only {
            self.scanned
        } else {
            self.items.len()
        })
        .unwrap_or(i32::MAX);
        let scanned = i32::try_from(self.scanned).unwrap_or(i32::MAX);
        let last_key = self
            .last
            .filter(|_| stopped_early)
            .map(|(partition, sort)| {
                schema.key_map(&PrimaryKey {
                    partition: partition.clone(),
                    sort: sort.clone(),
                })
            });
        let items = (!self.count_only).then_some(self.items);
        (items, count, scanned, last_key)
    }
}

/// Validates every attribute value of an item (empty sets, nesting depth).
pub(crate) fn validate_values(item: &AttributeMap) -> Result<(), Error> {
    item.values()
        .try_for_each(|v| v.validate().map_err(Error::Validation))
}
