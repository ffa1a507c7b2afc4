//! One table's storage: its items and its secondary indexes, both held in
//! the same ordered structure, a [`Store`].
//!
//! A store maps partitions, ordered by the hash of their partition-key
//! values (the order a Scan walks), to entries ordered by sort-key values in
//! DynamoDB's order (the order a Query returns). Index entries that share
//! sort-key values are ordered by the table key of their item.
//!
//! Invariants:
//! - each store's `item_count` and `size_bytes` equal the number and summed
//!   DynamoDB size of its entries; no partition is ever empty;
//! - every index holds exactly one entry for each table item that has all of
//!   the index's key attributes, projected as the index says, and nothing else.
//!   Both are kept by [`TableState::write_item`] and
//!   [`TableState::remove_item`], the only ways items change.

use crate::key::{IndexDef, KeySchema, PrimaryKey, partition_hash_of};
use dynamo_core::schema::{
    AttributeDefinition, BillingMode, ProvisionedThroughputDescription, TableDescription,
    TimeToLiveSpecification,
};
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, Error, KeyValue};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A value extended with a greatest element, so that a range bound can sit
/// above every entry that shares a key prefix (`Tiebreak::Below` serves as
/// the least).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ext<T> {
    Val(T),
    Max,
}

/// Orders entries that share their sort-key values.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tiebreak {
    /// A bound below every entry with the same sort-key values.
    Below,
    /// A table entry: its sort key is unique within the partition.
    Table,
    /// An index entry: the table key of its item.
    Item(KeyValue, Option<KeyValue>),
    /// A bound above every entry with the same sort-key values.
    Above,
}

/// Where a partition sits in scan order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Slot {
    pub hash: u64,
    pub key: Vec<KeyValue>,
}

impl Slot {
    pub fn of(key: Vec<KeyValue>) -> Self {
        Self {
            hash: partition_hash_of(&key),
            key,
        }
    }

    /// The least slot with hash `hash`: the empty string is the least key
    /// value of any type, and a shorter tuple sorts first.
    pub fn first_with_hash(hash: u64) -> Self {
        Self {
            hash,
            key: Vec::new(),
        }
    }
}

/// Where an entry sits within its partition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EntryKey {
    pub sort: Vec<Ext<KeyValue>>,
    pub tiebreak: Tiebreak,
}

/// An entry's full position in a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub slot: Slot,
    pub entry: EntryKey,
}

/// A stored item (or projected index entry) and its DynamoDB size.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct StoredItem {
    pub item: AttributeMap,
    pub size: usize,
}

impl StoredItem {
    pub fn new(item: AttributeMap) -> Self {
        let size = item_size(&item);
        Self { item, size }
    }
}

/// The entries of one partition.
pub(crate) type Partition = BTreeMap<EntryKey, StoredItem>;

/// An ordered set of entries: a table's items or an index's entries.
#[derive(Default)]
pub(crate) struct Store {
    pub partitions: BTreeMap<Slot, Partition>,
    item_count: usize,
    size_bytes: usize,
}

impl Store {
    pub fn get(&self, position: &Position) -> Option<&StoredItem> {
        self.partitions
            .get(&position.slot)
            .and_then(|p| p.get(&position.entry))
    }

    /// Stores `stored` at `position`, returning what it replaced.
    pub fn insert(&mut self, position: Position, stored: StoredItem) -> Option<StoredItem> {
        let size = stored.size;
        let old = self
            .partitions
            .entry(position.slot)
            .or_default()
            .insert(position.entry, stored);
        self.size_bytes += size;
        match &old {
            Some(old) => self.size_bytes -= old.size,
            None => self.item_count += 1,
        }
        old
    }

    /// Removes the entry at `position`, returning it.
    pub fn remove(&mut self, position: &Position) -> Option<StoredItem> {
        let partition = self.partitions.get_mut(&position.slot)?;
        let old = partition.remove(&position.entry)?;
        if partition.is_empty() {
            self.partitions.remove(&position.slot);
        }
        self.item_count -= 1;
        self.size_bytes -= old.size;
        Some(old)
    }

    pub fn item_count(&self) -> usize {
        self.item_count
    }

    pub fn size_bytes(&self) -> usize {
        self.size_bytes
    }

    /// Every entry, in scan order.
    pub fn entries(&self) -> impl Iterator<Item = (&Slot, &EntryKey, &StoredItem)> {
        self.partitions
            .iter()
            .flat_map(|(slot, p)| p.iter().map(move |(e, s)| (slot, e, s)))
    }
}

/// A secondary index and its entries.
pub(crate) struct Index {
    pub def: Arc<IndexDef>,
    pub store: Store,
}

/// What one item write did to one index, for capacity accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum IndexWrite {
    /// The item is in the index neither before nor after.
    #[default]
    None,
    /// An entry of this size was added.
    Put(usize),
    /// An entry of this size was removed.
    Delete(usize),
    /// An entry was replaced; `moved` when its index key changed.
    Replace { old: usize, new: usize, moved: bool },
    /// The entry is exactly as it was.
    Unchanged,
}

/// The mutable state of a table, behind its lock.
pub(crate) struct TableState {
    pub base: Store,
    pub indexes: Vec<Index>,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub billing_mode: BillingMode,
    pub provisioned_throughput: ProvisionedThroughputDescription,
    pub time_to_live: Option<TimeToLiveSpecification>,
    /// Tags by key.
    pub tags: BTreeMap<String, String>,
}

impl TableState {
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.def.name == name)
    }

    /// The index entries `item` would have, checked against the indexes'
    /// key types; computed before anything is written so that an invalid
    /// item changes nothing.
    pub fn index_entries(
        &self,
        key: &PrimaryKey,
        item: &AttributeMap,
    ) -> Result<Vec<Option<(Position, StoredItem)>>, Error> {
        self.indexes
            .iter()
            .map(|index| index.def.entry_for(key, item))
            .collect()
    }

    /// Writes `item` under `key` with its precomputed index entries
    /// (from [`TableState::index_entries`]), returning the replaced item and
    /// what changed in each index.
    pub fn write_item(
        &mut self,
        schema: &KeySchema,
        key: &PrimaryKey,
        item: AttributeMap,
        entries: Vec<Option<(Position, StoredItem)>>,
    ) -> (Option<StoredItem>, Vec<IndexWrite>) {
        let old = self
            .base
            .insert(schema.position(key), StoredItem::new(item));
        let writes = self
            .indexes
            .iter_mut()
            .zip(entries)
            .map(|(index, new_entry)| {
                let old_position = old
                    .as_ref()
                    .and_then(|old| index.def.position_of(key, &old.item));
                match (old_position, new_entry) {
                    (None, None) => IndexWrite::None,
                    (None, Some((position, stored))) => {
                        let size = stored.size;
                        index.store.insert(position, stored);
                        IndexWrite::Put(size)
                    }
                    (Some(old_position), None) => index
                        .store
                        .remove(&old_position)
                        .map_or(IndexWrite::None, |s| IndexWrite::Delete(s.size)),
                    (Some(old_position), Some((position, stored))) => {
                        let new = stored.size;
                        if index.store.get(&position) == Some(&stored) {
                            IndexWrite::Unchanged
                        } else if old_position == position {
                            match index.store.insert(position, stored) {
                                Some(previous) => IndexWrite::Replace {
                                    old: previous.size,
                                    new,
                                    moved: false,
                                },
                                None => IndexWrite::Put(new),
                            }
                        } else {
                            let old = index.store.remove(&old_position).map_or(0, |s| s.size);
                            index.store.insert(position, stored);
                            IndexWrite::Replace {
                                old,
                                new,
                                moved: true,
                            }
                        }
                    }
                }
            })
            .collect();
        (old, writes)
    }

    /// Removes the item under `key` and its index entries.
    pub fn remove_item(
        &mut self,
        schema: &KeySchema,
        key: &PrimaryKey,
    ) -> (Option<StoredItem>, Vec<IndexWrite>) {
        let Some(old) = self.base.remove(&schema.position(key)) else {
            return (None, vec![IndexWrite::None; self.indexes.len()]);
        };
        let writes = self
            .indexes
            .iter_mut()
            .map(|index| {
                index
                    .def
                    .position_of(key, &old.item)
                    .and_then(|p| index.store.remove(&p))
                    .map_or(IndexWrite::None, |s| IndexWrite::Delete(s.size))
            })
            .collect();
        (Some(old), writes)
    }

    /// Adds an index and fills it from the table's items.
    pub fn add_index(&mut self, schema: &KeySchema, def: Arc<IndexDef>) {
        let mut store = Store::default();
        for (_, _, stored) in self.base.entries() {
            let Ok(key) = schema.key_of_item(&stored.item) else {
                continue;
            };
            // Items whose index key has the wrong type are left out, as
            // DynamoDB's backfill does (it reports them as violations).
            if let Ok(Some((position, entry))) = def.entry_for(&key, &stored.item) {
                store.insert(position, entry);
            }
        }
        self.indexes.push(Index { def, store });
    }
}

/// A table: fixed identity and key schema, and its state behind a lock.
pub(crate) struct Table {
    pub schema: KeySchema,
    pub name: String,
    pub arn: String,
    pub id: String,
    pub creation_date_time: f64,
    state: RwLock<TableState>,
}

impl Table {
    pub fn new(
        schema: KeySchema,
        name: String,
        arn: String,
        id: String,
        creation_date_time: f64,
        state: TableState,
    ) -> Self {
        Self {
            schema,
            name,
            arn,
            id,
            creation_date_time,
            state: RwLock::new(state),
        }
    }

    // Every mutation of TableState completes its invariants without calling
    // anything that can panic on user input, so a poisoned lock still holds
    // consistent data and is safe to keep using.
    pub fn read(&self) -> RwLockReadGuard<'_, TableState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, TableState> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The table's description with current counts.
    pub fn describe(&self, status: dynamo_core::schema::TableStatus) -> TableDescription {
        crate::exec::tables::describe(self, &self.read(), status)
    }
}
