//! One table's storage: its items and its secondary indexes, both held in
//! the same ordered structure, a [`Store`], behind the table's lock.
//!
//! This module is the storage boundary. [`TableState`]'s fields are private
//! to it; readers see the state through [`Table::read`], and the only
//! mutable access in the crate is a [`TableWriter`] from [`Table::write`].
//! A writer changes items only by applying a [`PlannedWrite`], which
//! carries everything the write needs (the item, its key, its index
//! entries) so that applying cannot fail, and appends a record of every
//! change to the table's [`ChangeLog`] while the lock is held.
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
//!   Both are kept by [`TableWriter::apply`], the only way items change;
//! - the change log holds one record per changed item or setting, in apply
//!   order, and none for a write that changed nothing.

use crate::key::{IndexDef, KeySchema, PrimaryKey, partition_hash_of};
use crate::log::{Change, ChangeLog, Commit, Retention, StreamInfo, TableChange};
use dynamo_core::schema::{
    AttributeDefinition, BillingMode, ProvisionedThroughputDescription, TableDescription,
    TimeToLiveSpecification,
};
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, Error, KeyValue};
use std::collections::{BTreeMap, HashMap};
use std::ops::{Bound, RangeBounds};
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
    Item(Box<(KeyValue, Option<KeyValue>)>),
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

pub(crate) use crate::stored::StoredItem;

/// The entries of one partition, in order. A partition of one entry (every
/// partition of a table without a sort key) holds it inline rather than in
/// an ordered map: most of a map's cost is its first node. Entries are
/// shared: the change log holds the same items as images.
#[derive(Debug)]
pub(crate) enum Partition {
    One(EntryKey, StoredItem),
    Many(BTreeMap<EntryKey, StoredItem>),
}

/// The entries of a partition in a range, in order from either end.
pub(crate) enum PartitionRange<'a> {
    One(Option<(&'a EntryKey, &'a StoredItem)>),
    Many(std::collections::btree_map::Range<'a, EntryKey, StoredItem>),
}

impl<'a> Iterator for PartitionRange<'a> {
    type Item = (&'a EntryKey, &'a StoredItem);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::One(entry) => entry.take(),
            Self::Many(range) => range.next(),
        }
    }
}

impl DoubleEndedIterator for PartitionRange<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Self::One(entry) => entry.take(),
            Self::Many(range) => range.next_back(),
        }
    }
}

impl Partition {
    /// A partition without entries (only ever transient or a reader's
    /// stand-in: stores drop empty partitions).
    pub const EMPTY: Partition = Partition::Many(BTreeMap::new());

    pub fn get(&self, entry: &EntryKey) -> Option<&StoredItem> {
        match self {
            Self::One(key, stored) => (key == entry).then_some(stored),
            Self::Many(map) => map.get(entry),
        }
    }

    /// The entries between `bounds`.
    pub fn range(&self, bounds: (Bound<EntryKey>, Bound<EntryKey>)) -> PartitionRange<'_> {
        match self {
            Self::One(key, stored) => {
                PartitionRange::One(bounds.contains(key).then_some((key, stored)))
            }
            Self::Many(map) => PartitionRange::Many(map.range(bounds)),
        }
    }

    /// Every entry, in order.
    pub fn iter(&self) -> PartitionRange<'_> {
        self.range((Bound::Unbounded, Bound::Unbounded))
    }

    /// Every entry's item, in order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &StoredItem> {
        self.iter().map(|(_, stored)| stored)
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Many(map) if map.is_empty())
    }

    /// Stores `stored` under `entry`, returning what it replaced.
    fn insert(&mut self, entry: EntryKey, stored: StoredItem) -> Option<StoredItem> {
        match self {
            Self::One(key, old) if *key == entry => Some(std::mem::replace(old, stored)),
            Self::Many(map) if !map.is_empty() => map.insert(entry, stored),
            Self::Many(_) => {
                *self = Self::One(entry, stored);
                None
            }
            Self::One(..) => {
                let Self::One(key, old) = std::mem::replace(self, Self::EMPTY) else {
                    return None;
                };
                *self = Self::Many(BTreeMap::from([(key, old), (entry, stored)]));
                None
            }
        }
    }

    /// Removes the entry under `entry`, returning it.
    fn remove(&mut self, entry: &EntryKey) -> Option<StoredItem> {
        match self {
            Self::One(key, _) if key == entry => {
                let Self::One(_, old) = std::mem::replace(self, Self::EMPTY) else {
                    return None;
                };
                Some(old)
            }
            Self::One(..) => None,
            Self::Many(map) => map.remove(entry),
        }
    }
}

/// An ordered set of entries: a table's items or an index's entries.
#[derive(Default)]
pub(crate) struct Store {
    partitions: BTreeMap<Slot, Partition>,
    item_count: usize,
    size_bytes: usize,
}

impl Store {
    pub fn get(&self, position: &Position) -> Option<&StoredItem> {
        self.partitions
            .get(&position.slot)
            .and_then(|p| p.get(&position.entry))
    }

    fn get_shared(&self, position: &Position) -> Option<&StoredItem> {
        self.partitions
            .get(&position.slot)
            .and_then(|p| p.get(&position.entry))
    }

    /// The partitions, in scan order.
    pub fn partitions(&self) -> &BTreeMap<Slot, Partition> {
        &self.partitions
    }

    /// Stores `stored` at `position`, returning what it replaced.
    fn insert(&mut self, position: Position, stored: StoredItem) -> Option<StoredItem> {
        let size = stored.size();
        let old = match self.partitions.entry(position.slot) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(Partition::One(position.entry, stored));
                None
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                slot.get_mut().insert(position.entry, stored)
            }
        };
        self.size_bytes += size;
        match &old {
            Some(old) => {
                debug_assert!(
                    self.size_bytes >= old.size(),
                    "size_bytes counts every entry"
                );
                self.size_bytes -= old.size()
            }
            None => self.item_count += 1,
        }
        old
    }

    /// Removes the entry at `position`, returning it.
    fn remove(&mut self, position: &Position) -> Option<StoredItem> {
        let partition = self.partitions.get_mut(&position.slot)?;
        let old = partition.remove(&position.entry)?;
        if partition.is_empty() {
            self.partitions.remove(&position.slot);
        }
        debug_assert!(
            self.item_count > 0 && self.size_bytes >= old.size(),
            "the counts include the removed entry"
        );
        self.item_count -= 1;
        self.size_bytes -= old.size();
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
    store: Store,
}

impl Index {
    /// The index's entries.
    pub fn store(&self) -> &Store {
        &self.store
    }
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

/// The settings a table is created with.
pub(crate) struct Settings {
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub billing_mode: BillingMode,
    pub provisioned_throughput: ProvisionedThroughputDescription,
}

/// The mutable state of a table, behind its lock. Read through
/// [`Table::read`]; changed only through a [`TableWriter`].
pub(crate) struct TableState {
    base: Store,
    indexes: Vec<Index>,
    attribute_definitions: Vec<AttributeDefinition>,
    billing_mode: BillingMode,
    provisioned_throughput: ProvisionedThroughputDescription,
    time_to_live: Option<TimeToLiveSpecification>,
    /// Tags by key.
    tags: BTreeMap<String, String>,
    /// Every stream the table has had, oldest first, with the sequence
    /// number after its last record once it was disabled.
    streams: Vec<(Arc<StreamInfo>, Option<u64>)>,
    log: ChangeLog,
    /// Items held by transactions in flight, with the transaction's
    /// number: prepared, not yet committed. Not part of the logged state.
    holds: HashMap<PrimaryKey, u64>,
}

/// A write planned against a table's current indexes; applying it cannot
/// fail.
#[derive(Debug)]
pub(crate) enum PlannedWrite {
    /// Store an item with its index entries (one per index, in order).
    Put {
        key: PrimaryKey,
        stored: StoredItem,
        entries: Vec<Option<(Position, StoredItem)>>,
    },
    /// Remove an item and its index entries.
    Delete { key: PrimaryKey },
}

/// What applying a [`PlannedWrite`] did.
#[derive(Debug)]
pub(crate) struct Applied {
    /// The item as it was, if there was one.
    pub old: Option<StoredItem>,
    /// The size of the item written (0 for a delete).
    pub new_size: usize,
    /// What changed in each index, for capacity accounting.
    pub index_writes: Vec<IndexWrite>,
}

impl TableState {
    /// A new, empty table's state, whose log starts with its creation.
    pub fn new(settings: Settings, retention: Retention) -> Self {
        Self {
            base: Store::default(),
            indexes: Vec::new(),
            attribute_definitions: settings.attribute_definitions,
            billing_mode: settings.billing_mode,
            provisioned_throughput: settings.provisioned_throughput,
            time_to_live: None,
            tags: BTreeMap::new(),
            streams: Vec::new(),
            log: ChangeLog::new(retention),
            holds: HashMap::new(),
        }
    }

    /// The transaction in flight that holds the item under `key`, if any.
    pub fn held_by(&self, key: &PrimaryKey) -> Option<u64> {
        if self.holds.is_empty() {
            return None;
        }
        self.holds.get(key).copied()
    }

    /// Refuses a single-item write of an item a transaction in flight
    /// holds, as DynamoDB does.
    pub fn check_not_held(&self, key: &PrimaryKey) -> Result<(), Error> {
        match self.held_by(key) {
            None => Ok(()),
            Some(_) => Err(Error::Service {
                error_type: "TransactionConflictException".to_owned(),
                message: TRANSACTION_ONGOING.to_owned(),
            }),
        }
    }

    /// The table's items.
    pub fn base(&self) -> &Store {
        &self.base
    }

    /// The secondary indexes, in creation order.
    pub fn indexes(&self) -> &[Index] {
        &self.indexes
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.def.name == name)
    }

    pub fn attribute_definitions(&self) -> &[AttributeDefinition] {
        &self.attribute_definitions
    }

    pub fn billing_mode(&self) -> BillingMode {
        self.billing_mode
    }

    pub fn provisioned_throughput(&self) -> ProvisionedThroughputDescription {
        self.provisioned_throughput
    }

    pub fn time_to_live(&self) -> Option<&TimeToLiveSpecification> {
        self.time_to_live.as_ref()
    }

    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }

    /// The table's change log.
    pub fn log(&self) -> &ChangeLog {
        &self.log
    }

    /// Every stream the table has had, oldest first, each with the
    /// sequence number after its last record if it is disabled.
    pub fn streams(&self) -> &[(Arc<StreamInfo>, Option<u64>)] {
        &self.streams
    }

    /// The enabled stream, if any.
    pub fn enabled_stream(&self) -> Option<&Arc<StreamInfo>> {
        self.streams
            .last()
            .filter(|(_, end)| end.is_none())
            .map(|(info, _)| info)
    }

    /// Plans storing `item` under `key`: computes its index entries,
    /// checking the indexes' key types, so that an invalid item is refused
    /// before anything is written.
    pub fn plan_put(&self, key: PrimaryKey, item: AttributeMap) -> Result<PlannedWrite, Error> {
        let entries = self
            .indexes
            .iter()
            .map(|index| index.def.entry_for(&key, &item))
            .collect::<Result<_, Error>>()?;
        Ok(PlannedWrite::Put {
            key,
            stored: StoredItem::new(&item),
            entries,
        })
    }

    /// Plans removing the item under `key` (nothing happens if there is
    /// none).
    pub fn plan_delete(&self, key: PrimaryKey) -> PlannedWrite {
        PlannedWrite::Delete { key }
    }
}

/// Why a log could not be replayed (recovery of a durable engine, and the
/// model test).
#[derive(Debug, thiserror::Error, PartialEq)]
pub(crate) enum ReplayError {
    /// The log does not start with the table's creation.
    #[error("the change log does not start with the table's creation")]
    NoCreation,
    /// Record `0` creates a table with another key schema.
    #[error("record {0} creates a table with another key schema")]
    Schema(u64),
    /// Record `0`'s item does not fit the table's indexes.
    #[error("record {0}: {1}")]
    Item(u64, String),
}

impl Table {
    /// Rebuilds a table from a log that starts with its creation, as it
    /// was after the last record.
    #[cfg(test)]
    pub fn from_log<'r>(
        records: impl IntoIterator<Item = &'r crate::log::ChangeRecord>,
        retention: Retention,
    ) -> Result<Table, ReplayError> {
        Self::rebuild(
            records,
            retention,
            crate::replica::Replicas::new(std::time::Duration::ZERO, 0),
        )
    }

    /// Rebuilds a table from a log that starts with its creation, with
    /// these replicas and log retention.
    pub fn rebuild<'r>(
        records: impl IntoIterator<Item = &'r crate::log::ChangeRecord>,
        retention: Retention,
        replicas: crate::replica::Replicas,
    ) -> Result<Table, ReplayError> {
        let mut records = records.into_iter();
        let Some(first) = records.next() else {
            return Err(ReplayError::NoCreation);
        };
        let Change::Table(TableChange::Created {
            name,
            arn,
            id,
            creation_date_time,
            schema,
            attribute_definitions,
            billing_mode,
            throughput,
        }) = &first.change
        else {
            return Err(ReplayError::NoCreation);
        };
        let state = TableState::new(
            Settings {
                attribute_definitions: attribute_definitions.clone(),
                billing_mode: *billing_mode,
                provisioned_throughput: *throughput,
            },
            retention,
        );
        let table = Table::new(
            schema.clone(),
            name.clone(),
            arn.clone(),
            id.clone(),
            *creation_date_time,
            state,
            replicas,
        );
        {
            let mut writer = table.write();
            writer.created(&first.commit);
            for record in records {
                writer.replay(record)?;
            }
        }
        Ok(table)
    }
}

/// DynamoDB's message for an item a transaction in flight holds.
pub(crate) const TRANSACTION_ONGOING: &str = "Transaction is ongoing for the item";

/// A table: fixed identity and key schema, and its state behind a lock.
pub(crate) struct Table {
    pub schema: KeySchema,
    pub name: String,
    pub arn: String,
    pub id: String,
    pub creation_date_time: f64,
    /// The simulated replicas eventual reads are served by.
    pub replicas: crate::replica::Replicas,
    /// The durable log its changes go to, in a durable engine.
    durable: std::sync::OnceLock<Arc<crate::durable::Durable>>,
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
        replicas: crate::replica::Replicas,
    ) -> Self {
        Self {
            schema,
            name,
            arn,
            id,
            creation_date_time,
            replicas,
            durable: std::sync::OnceLock::new(),
            state: RwLock::new(state),
        }
    }

    /// Sends every change from now on to `durable` (each writer's records
    /// as one frame when it releases the table).
    pub fn make_durable(&self, durable: Arc<crate::durable::Durable>) {
        self.write().state.log.capture();
        let _ = self.durable.set(durable);
    }

    // Every mutation of TableState completes its invariants without calling
    // anything that can panic on user input, so a poisoned lock still holds
    // consistent data and is safe to keep using.
    pub fn read(&self) -> RwLockReadGuard<'_, TableState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The table's writer: the only way to change it. Holds the table's
    /// write lock until dropped.
    pub fn write(&self) -> TableWriter<'_> {
        TableWriter {
            table: self,
            state: self.state.write().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// The table's description with current counts.
    pub fn describe(&self, status: dynamo_core::schema::TableStatus) -> TableDescription {
        crate::exec::tables::describe(self, &self.read(), status)
    }
}

/// Exclusive access to a table: applies planned writes and control-plane
/// changes, recording each in the change log. Reads see the state through
/// `Deref`.
pub(crate) struct TableWriter<'a> {
    table: &'a Table,
    state: RwLockWriteGuard<'a, TableState>,
}

impl std::ops::Deref for TableWriter<'_> {
    type Target = TableState;

    fn deref(&self) -> &TableState {
        &self.state
    }
}

impl Drop for TableWriter<'_> {
    /// Writes what this writer changed to the durable log, if any, before
    /// the table is released: a change is on its way to disk before anyone
    /// can see it.
    fn drop(&mut self) {
        if let Some(durable) = self.table.durable.get() {
            let records = self.state.log.take_pending();
            if let Some(last) = records.last() {
                let at = last.commit.at;
                durable.write(
                    &[crate::durable::EntryRef::Records {
                        table_id: &self.table.id,
                        records: &records,
                    }],
                    at,
                );
            }
        }
    }
}

impl TableWriter<'_> {
    /// The records this writer appended and has not yet handed to the
    /// durable log, taken to be written with others (a transaction's
    /// tables as one frame).
    pub fn take_pending(&mut self) -> Vec<crate::log::ChangeRecord> {
        self.state.log.take_pending()
    }

    /// The table being written.
    pub fn table(&self) -> &Table {
        self.table
    }

    /// Applies a write planned against this table's current indexes.
    /// Records the change unless the write changed nothing.
    pub fn apply(&mut self, planned: PlannedWrite, commit: &Commit) -> Applied {
        let schema = &self.table.schema;
        let state = &mut *self.state;
        let (key, old, new, index_writes) = match planned {
            PlannedWrite::Put {
                key,
                stored,
                entries,
            } => {
                debug_assert_eq!(
                    entries.len(),
                    state.indexes.len(),
                    "planned for these indexes"
                );
                let old = state.base.insert(schema.position(&key), stored.clone());
                let writes = write_index_entries(&mut state.indexes, &key, old.as_ref(), entries);
                (key, old, Some(stored), writes)
            }
            PlannedWrite::Delete { key } => {
                let old = state.base.remove(&schema.position(&key));
                let writes = match &old {
                    Some(old) => state
                        .indexes
                        .iter_mut()
                        .map(|index| {
                            index
                                .def
                                .position_of(&key, &old.item())
                                .and_then(|p| index.store.remove(&p))
                                .map_or(IndexWrite::None, |s| IndexWrite::Delete(s.size()))
                        })
                        .collect(),
                    None => vec![IndexWrite::None; state.indexes.len()],
                };
                (key, old, None, writes)
            }
        };
        debug_assert_eq!(
            index_writes.len(),
            state.indexes.len(),
            "one outcome per index"
        );
        debug_assert!(
            new.as_ref()
                .is_none_or(|n| n.size() == item_size(&n.item())),
            "a planned item carries its own size"
        );
        let new_size = new.as_ref().map_or(0, |n| n.size());
        let changed = match (&old, &new) {
            (None, None) => false,
            (Some(old), Some(new)) => old.item() != new.item(),
            _ => true,
        };
        if changed {
            state.log.append(
                commit,
                Change::Item {
                    key,
                    old: old.clone(),
                    new,
                },
            );
        }
        Applied {
            old,
            new_size,
            index_writes,
        }
    }

    /// Marks the items under `keys` as held by transaction `transaction`
    /// until [`TableWriter::release`].
    pub fn hold<'k>(&mut self, keys: impl IntoIterator<Item = &'k PrimaryKey>, transaction: u64) {
        for key in keys {
            self.state.holds.insert(key.clone(), transaction);
        }
    }

    /// Releases what transaction `transaction` holds of `keys`.
    pub fn release<'k>(
        &mut self,
        keys: impl IntoIterator<Item = &'k PrimaryKey>,
        transaction: u64,
    ) {
        for key in keys {
            if self.state.holds.get(key) == Some(&transaction) {
                self.state.holds.remove(key);
            }
        }
    }

    /// Keeps at least what `retention` keeps in the change log from now on.
    pub fn retain_log(&mut self, retention: Retention) {
        self.state.log.retain_at_least(retention);
    }

    /// Records the table's creation: the first record of its log.
    pub fn created(&mut self, commit: &Commit) {
        let table = self.table;
        let change = TableChange::Created {
            name: table.name.clone(),
            arn: table.arn.clone(),
            id: table.id.clone(),
            creation_date_time: table.creation_date_time,
            schema: table.schema.clone(),
            attribute_definitions: self.state.attribute_definitions.clone(),
            billing_mode: self.state.billing_mode,
            throughput: self.state.provisioned_throughput,
        };
        self.state.log.append(commit, Change::Table(change));
    }

    /// Applies one record of another table's log to this table, as a
    /// restore: item images are written with this table's indexes, and
    /// settings are set as recorded. The creation record only checks that
    /// the schemas agree.
    pub fn replay(&mut self, record: &crate::log::ChangeRecord) -> Result<(), ReplayError> {
        let commit = Commit {
            at: record.commit.at,
            origin: crate::log::Origin::Restore,
            transaction: record.commit.transaction,
        };
        match &record.change {
            Change::Item {
                key,
                new: Some(new),
                ..
            } => {
                let planned = self
                    .state
                    .plan_put(key.clone(), new.item())
                    .map_err(|e| ReplayError::Item(record.seq, e.message()))?;
                self.apply(planned, &commit);
            }
            Change::Item { key, new: None, .. } => {
                let planned = self.state.plan_delete(key.clone());
                self.apply(planned, &commit);
            }
            Change::Table(TableChange::Created { schema, .. }) => {
                if *schema != self.table.schema {
                    return Err(ReplayError::Schema(record.seq));
                }
            }
            Change::Table(TableChange::Billing { mode, throughput }) => {
                self.set_billing(*mode, *throughput, &commit)
            }
            Change::Table(TableChange::AttributeDefinitions(definitions)) => {
                self.set_attribute_definitions(definitions.clone(), &commit)
            }
            Change::Table(TableChange::IndexAdded(def)) => self.add_index(def.clone(), &commit),
            Change::Table(TableChange::IndexThroughput { name, throughput }) => {
                self.set_index_throughput(name, *throughput, &commit)
            }
            Change::Table(TableChange::IndexRemoved(name)) => self.remove_index(name, &commit),
            Change::Table(TableChange::TimeToLive(spec)) => {
                self.set_time_to_live(spec.clone(), &commit)
            }
            Change::Table(TableChange::StreamEnabled(info)) => {
                self.start_stream(info.clone(), &commit)
            }
            Change::Table(TableChange::StreamDisabled) => self.disable_stream(&commit),
            Change::Table(TableChange::Tags(tags)) => {
                let stale: Vec<String> = self
                    .state
                    .tags
                    .keys()
                    .filter(|k| !tags.contains_key(*k))
                    .cloned()
                    .collect();
                self.change_tags(tags.clone(), &stale, &commit);
            }
        }
        Ok(())
    }

    /// Sets the billing mode and provisioned throughput.
    pub fn set_billing(
        &mut self,
        mode: BillingMode,
        throughput: ProvisionedThroughputDescription,
        commit: &Commit,
    ) {
        self.state.billing_mode = mode;
        self.state.provisioned_throughput = throughput;
        self.state.log.append(
            commit,
            Change::Table(TableChange::Billing { mode, throughput }),
        );
    }

    /// Replaces the attribute definitions.
    pub fn set_attribute_definitions(
        &mut self,
        definitions: Vec<AttributeDefinition>,
        commit: &Commit,
    ) {
        self.state.attribute_definitions = definitions.clone();
        self.state.log.append(
            commit,
            Change::Table(TableChange::AttributeDefinitions(definitions)),
        );
    }

    /// Adds an index and fills it from the table's items.
    pub fn add_index(&mut self, def: Arc<IndexDef>, commit: &Commit) {
        let schema = &self.table.schema;
        let mut store = Store::default();
        for (_, _, stored) in self.state.base.entries() {
            let Ok(key) = schema.key_of_item(&stored.item()) else {
                continue;
            };
            // Items whose index key has the wrong type are left out, as
            // DynamoDB's backfill does (it reports them as violations).
            if let Ok(Some((position, entry))) = def.entry_for(&key, &stored.item()) {
                store.insert(position, entry);
            }
        }
        self.state.indexes.push(Index {
            def: def.clone(),
            store,
        });
        self.state
            .log
            .append(commit, Change::Table(TableChange::IndexAdded(def)));
    }

    /// Sets the provisioned throughput of the index `name`, if there is one.
    pub fn set_index_throughput(
        &mut self,
        name: &str,
        throughput: ProvisionedThroughputDescription,
        commit: &Commit,
    ) {
        let Some(index) = self.state.indexes.iter_mut().find(|i| i.def.name == name) else {
            return;
        };
        let mut def = (*index.def).clone();
        def.provisioned_throughput = throughput;
        index.def = Arc::new(def);
        self.state.log.append(
            commit,
            Change::Table(TableChange::IndexThroughput {
                name: name.to_owned(),
                throughput,
            }),
        );
    }

    /// Removes the index `name`, if there is one.
    pub fn remove_index(&mut self, name: &str, commit: &Commit) {
        let before = self.state.indexes.len();
        self.state.indexes.retain(|i| i.def.name != name);
        if self.state.indexes.len() != before {
            self.state.log.append(
                commit,
                Change::Table(TableChange::IndexRemoved(name.to_owned())),
            );
        }
    }

    /// Enables time to live with `spec`, or disables it.
    pub fn set_time_to_live(&mut self, spec: Option<TimeToLiveSpecification>, commit: &Commit) {
        self.state.time_to_live = spec.clone();
        self.state
            .log
            .append(commit, Change::Table(TableChange::TimeToLive(spec)));
    }

    /// Enables a stream that receives the records from now on, and keeps
    /// the log at least as long as Streams keep records (24 hours).
    pub fn enable_stream(
        &mut self,
        arn: String,
        label: String,
        view_type: dynamo_core::ops::StreamViewType,
        commit: &Commit,
    ) {
        let info = Arc::new(StreamInfo {
            arn,
            label,
            view_type,
            created: commit.at.as_secs_f64(),
            first_seq: self.state.log.next_seq() + 1,
        });
        self.start_stream(info, commit);
    }

    fn start_stream(&mut self, info: Arc<StreamInfo>, commit: &Commit) {
        self.state
            .log
            .retain_at_least(Retention::For(crate::log::STREAM_RETENTION));
        self.state.streams.push((info.clone(), None));
        self.state
            .log
            .append(commit, Change::Table(TableChange::StreamEnabled(info)));
    }

    /// Disables the enabled stream; its records stay readable.
    pub fn disable_stream(&mut self, commit: &Commit) {
        let end = self.state.log.next_seq();
        if let Some((_, last)) = self.state.streams.last_mut()
            && last.is_none()
        {
            *last = Some(end);
            self.state
                .log
                .append(commit, Change::Table(TableChange::StreamDisabled));
        }
    }

    /// Adds or replaces tags, and removes the tags named in `remove`.
    pub fn change_tags(
        &mut self,
        add: impl IntoIterator<Item = (String, String)>,
        remove: &[String],
        commit: &Commit,
    ) {
        self.state.tags.extend(add);
        for key in remove {
            self.state.tags.remove(key);
        }
        let tags = self.state.tags.clone();
        self.state
            .log
            .append(commit, Change::Table(TableChange::Tags(tags)));
    }
}

/// Brings each index in line with an item written under `key` (replacing
/// `old`), given the item's new entries; returns what changed in each.
fn write_index_entries(
    indexes: &mut [Index],
    key: &PrimaryKey,
    old: Option<&StoredItem>,
    entries: Vec<Option<(Position, StoredItem)>>,
) -> Vec<IndexWrite> {
    indexes
        .iter_mut()
        .zip(entries)
        .map(|(index, new_entry)| {
            let old_position = old.and_then(|old| index.def.position_of(key, &old.item()));
            match (old_position, new_entry) {
                (None, None) => IndexWrite::None,
                (None, Some((position, stored))) => {
                    let size = stored.size();
                    index.store.insert(position, stored);
                    IndexWrite::Put(size)
                }
                (Some(old_position), None) => index
                    .store
                    .remove(&old_position)
                    .map_or(IndexWrite::None, |s| IndexWrite::Delete(s.size())),
                (Some(old_position), Some((position, stored))) => {
                    let new = stored.size();
                    if index.store.get_shared(&position) == Some(&stored) {
                        IndexWrite::Unchanged
                    } else if old_position == position {
                        match index.store.insert(position, stored) {
                            Some(previous) => IndexWrite::Replace {
                                old: previous.size(),
                                new,
                                moved: false,
                            },
                            None => IndexWrite::Put(new),
                        }
                    } else {
                        let old = index.store.remove(&old_position).map_or(0, |s| s.size());
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
        .collect()
}
