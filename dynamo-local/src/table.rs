//! One table's storage. Items live in partitions keyed by partition key and
//! ordered by its hash (the order a Scan walks); inside a partition, items
//! are ordered by sort key in DynamoDB's order (the order a Query returns).
//!
//! Invariants: `item_count` and `size_bytes` always equal the number and the
//! summed DynamoDB size of the stored items; no partition is ever empty.

use crate::key::{KeySchema, PrimaryKey, partition_hash};
use dynamo_core::schema::TableDescription;
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, KeyValue};
use std::collections::BTreeMap;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Where a partition sits in scan order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Slot {
    pub hash: u64,
    pub key: KeyValue,
}

impl Slot {
    pub fn of(key: &KeyValue) -> Self {
        Self {
            hash: partition_hash(key),
            key: key.clone(),
        }
    }
}

/// A stored item and its DynamoDB size, computed once on write.
#[derive(Clone, Debug)]
pub(crate) struct StoredItem {
    pub item: AttributeMap,
    pub size: usize,
}

/// The items of one partition, by sort key (`None` for tables without one).
pub(crate) type Partition = BTreeMap<Option<KeyValue>, StoredItem>;

/// The items of a table.
#[derive(Default)]
pub(crate) struct TableData {
    pub partitions: BTreeMap<Slot, Partition>,
    item_count: usize,
    size_bytes: usize,
}

impl TableData {
    pub fn get(&self, key: &PrimaryKey) -> Option<&StoredItem> {
        self.partitions
            .get(&Slot::of(&key.partition))
            .and_then(|p| p.get(&key.sort))
    }

    pub fn partition(&self, key: &KeyValue) -> Option<&Partition> {
        self.partitions.get(&Slot::of(key))
    }

    /// Stores `item` under `key`, returning the item it replaced.
    pub fn put(&mut self, key: PrimaryKey, item: AttributeMap) -> Option<AttributeMap> {
        let size = item_size(&item);
        let old = self
            .partitions
            .entry(Slot::of(&key.partition))
            .or_default()
            .insert(key.sort, StoredItem { item, size });
        self.size_bytes += size;
        match old {
            Some(old) => {
                self.size_bytes -= old.size;
                Some(old.item)
            }
            None => {
                self.item_count += 1;
                None
            }
        }
    }

    /// Removes the item under `key`, returning it.
    pub fn delete(&mut self, key: &PrimaryKey) -> Option<AttributeMap> {
        let slot = Slot::of(&key.partition);
        let partition = self.partitions.get_mut(&slot)?;
        let old = partition.remove(&key.sort)?;
        if partition.is_empty() {
            self.partitions.remove(&slot);
        }
        self.item_count -= 1;
        self.size_bytes -= old.size;
        Some(old.item)
    }

    pub fn item_count(&self) -> usize {
        self.item_count
    }

    pub fn size_bytes(&self) -> usize {
        self.size_bytes
    }
}

/// A table: its key schema, its description, and its items.
pub(crate) struct Table {
    pub schema: KeySchema,
    description: TableDescription,
    data: RwLock<TableData>,
}

impl Table {
    pub fn new(schema: KeySchema, description: TableDescription) -> Self {
        Self {
            schema,
            description,
            data: RwLock::new(TableData::default()),
        }
    }

    pub fn name(&self) -> &str {
        &self.description.table_name
    }

    // A panic while holding the lock cannot leave TableData half-updated
    // (every mutation is a single map operation plus counters), so a
    // poisoned lock is safe to keep using.
    pub fn read(&self) -> RwLockReadGuard<'_, TableData> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, TableData> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The description with current item count and size.
    pub fn describe(&self) -> TableDescription {
        let data = self.read();
        let mut description = self.description.clone();
        description.item_count = i64::try_from(data.item_count()).unwrap_or(i64::MAX);
        description.table_size_bytes = i64::try_from(data.size_bytes()).unwrap_or(i64::MAX);
        description
    }
}
