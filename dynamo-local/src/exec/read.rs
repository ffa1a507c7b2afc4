//! What Query and Scan share: the key space read (the table or one of its
//! indexes), how a page is filled (Limit counts evaluated items; a page stops
//! at 1 MB of data read), `ExclusiveStartKey` and `LastEvaluatedKey`, and
//! `Select`.

use super::capacity::{Kind, Usage, read_units};
use crate::key::{IndexDef, IndexKind, KeyDef};
use crate::replica::{Merged, Overlay, StoreOverlay};
use crate::table::{
    EntryKey, Ext, Index, Position, Slot, Store, StoredItem, Table, TableState, Tiebreak,
};
use dynamo_core::expr::{Condition, Projection};
use dynamo_core::ops::Select;
use dynamo_core::{AttributeMap, Error, Result};
use std::collections::HashSet;
use std::ops::Bound;

/// Most data one Query or Scan call reads.
pub(crate) const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// The table or index a Query or Scan reads.
pub(crate) struct Source<'a> {
    pub table: &'a Table,
    pub state: &'a TableState,
    pub index: Option<&'a Index>,
    /// Read table items for index entries (a local index asked for
    /// attributes it does not project).
    fetch_from_table: bool,
    /// `ALL_ATTRIBUTES`: return whole table items, not index entries.
    whole_items: bool,
    count_only: bool,
    consistent: bool,
    filter: Option<&'a Condition>,
    projection: Option<&'a Projection>,
    /// How the replica serving an eventual read differs from the table.
    overlay: Option<&'a Overlay>,
}

/// What a Query or Scan asks for besides its keys.
pub(crate) struct ReadRequest<'a> {
    pub index_name: Option<&'a str>,
    pub consistent_read: Option<bool>,
    pub select: Option<Select>,
    pub filter: Option<&'a Condition>,
    pub projection: Option<&'a Projection>,
}

impl<'a> Source<'a> {
    /// Resolves `IndexName`, `ConsistentRead` and `Select` as DynamoDB does.
    pub fn open(
        table: &'a Table,
        state: &'a TableState,
        request: ReadRequest<'a>,
        overlay: Option<&'a Overlay>,
    ) -> Result<Self> {
        let ReadRequest {
            index_name,
            consistent_read,
            select,
            filter,
            projection,
        } = request;
        if projection.is_some() && !matches!(select, None | Some(Select::SpecificAttributes)) {
            return Err(Error::validation(
                "One or more parameter values were invalid: ProjectionExpression can only be used with Select SPECIFIC_ATTRIBUTES",
            ));
        }
        if select == Some(Select::SpecificAttributes) && projection.is_none() {
            return Err(Error::validation(
                "One or more parameter values were invalid: SPECIFIC_ATTRIBUTES requires a ProjectionExpression",
            ));
        }
        let index = match index_name {
            None => None,
            Some(name) => Some(state.index(name).ok_or_else(|| {
                Error::Validation(format!(
                    "The table does not have the specified index: {name}"
                ))
            })?),
        };
        let consistent = consistent_read.unwrap_or(false);
        if consistent && index.is_some_and(|i| i.def.kind == IndexKind::Global) {
            return Err(Error::validation(
                "Consistent reads are not supported on global secondary indexes",
            ));
        }
        let projects_all = index.is_none_or(|i| i.def.projected == crate::key::Projected::All);
        let fetch_from_table = match (select, index) {
            (Some(Select::AllProjectedAttributes), None) => {
                return Err(Error::validation(
                    "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is not supported when not querying an index",
                ));
            }
            (Some(Select::AllAttributes), Some(i)) if !projects_all => {
                if i.def.kind == IndexKind::Global {
                    return Err(Error::Validation(format!(
                        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
                        i.def.name
                    )));
                }
                true
            }
            // A local index also fetches from the table the attributes a
            // projection or filter names that it does not hold; a global
            // index cannot, and returns what it has.
            (_, Some(i)) if i.def.kind == IndexKind::Local && !projects_all => {
                let filtered = filter.map(Condition::paths).unwrap_or_default();
                projection
                    .iter()
                    .flat_map(|p| &p.paths)
                    .chain(filtered)
                    .any(|path| !i.def.projects(path.top()))
            }
            _ => false,
        };
        Ok(Self {
            table,
            state,
            index,
            fetch_from_table,
            whole_items: select == Some(Select::AllAttributes),
            count_only: select == Some(Select::Count),
            consistent,
            filter,
            projection,
            overlay,
        })
    }

    /// The changes a replica view makes to the store this read walks.
    fn changes(&self) -> Option<&'a StoreOverlay> {
        let overlay = self.overlay?;
        match self.index {
            None => Some(&overlay.base),
            Some(index) => {
                let ordinal = self
                    .state
                    .indexes()
                    .iter()
                    .position(|i| std::ptr::eq(i, index))?;
                overlay.indexes.get(ordinal)
            }
        }
    }

    /// The entries of partition `slot` between `bounds`, in order (or in
    /// reverse), as this read sees them: the store's, or the replica's.
    pub fn entries(
        &self,
        slot: &Slot,
        bounds: (Bound<EntryKey>, Bound<EntryKey>),
        forward: bool,
    ) -> Option<(&'a Slot, Entries<'a>)> {
        let current = self.store().partitions().get_key_value(slot);
        let changes = self.changes().and_then(|c| c.get_key_value(slot));
        let slot = current.map(|(s, _)| s).or(changes.map(|(s, _)| s))?;
        let empty_current: &'a crate::table::Partition = empty_partition();
        let current = current.map_or(empty_current, |(_, p)| p);
        let Some((_, changes)) = changes else {
            let range = current.range(bounds);
            let plain: Entries<'a> = if forward {
                Box::new(range)
            } else {
                Box::new(range.rev())
            };
            return Some((slot, plain));
        };
        let merged: Entries<'a> = if forward {
            Box::new(Merged::new(
                current.range(bounds.clone()),
                changes.range(bounds),
                true,
            ))
        } else {
            Box::new(Merged::new(
                current.range(bounds.clone()).rev(),
                changes.range(bounds).rev(),
                false,
            ))
        };
        Some((slot, merged))
    }

    /// The partitions from `first` on, in scan order, as this read sees
    /// them.
    pub fn slots_from(&self, first: Bound<Slot>) -> Vec<&'a Slot> {
        let range = (first, Bound::Unbounded);
        let mut slots: Vec<&'a Slot> = self
            .store()
            .partitions()
            .range(range.clone())
            .map(|(s, _)| s)
            .collect();
        if let Some(changes) = self.changes() {
            slots.extend(changes.range(range).map(|(s, _)| s));
            slots.sort();
            slots.dedup();
        }
        slots
    }

    /// The table item under `position`, as this read sees it.
    fn table_item(&self, position: &Position) -> Option<&'a StoredItem> {
        if let Some(overlay) = self.overlay
            && let Some(then) = overlay
                .base
                .get(&position.slot)
                .and_then(|p| p.get(&position.entry))
        {
            return then.as_ref();
        }
        self.state.base().get(position)
    }

    pub fn store(&self) -> &'a Store {
        self.index.map_or(self.state.base(), |i| i.store())
    }

    pub fn partition_defs(&self) -> &'a [KeyDef] {
        match self.index {
            Some(i) => &i.def.partition,
            None => std::slice::from_ref(&self.table.schema.partition_key),
        }
    }

    pub fn sort_defs(&self) -> &'a [KeyDef] {
        match self.index {
            Some(i) => &i.def.sort,
            None => self.table.schema.sort_key.as_slice(),
        }
    }

    fn index_def(&self) -> Option<&'a IndexDef> {
        self.index.map(|i| &*i.def)
    }

    /// The position an `ExclusiveStartKey` names in this key space.
    pub fn start_position(&self, start: &AttributeMap) -> Result<Position> {
        let schema = &self.table.schema;
        let Some(def) = self.index_def() else {
            return Ok(schema.position(&schema.start_key(start)?));
        };
        let mismatch = || {
            Error::validation(
                "The provided starting key is invalid: The provided key element does not match the schema",
            )
        };
        let names: HashSet<&str> = schema
            .key_names()
            .chain(
                def.partition
                    .iter()
                    .chain(&def.sort)
                    .map(|d| d.name.as_str()),
            )
            .collect();
        if start.len() != names.len() || !start.keys().all(|k| names.contains(k.as_str())) {
            return Err(mismatch());
        }
        let table_key: AttributeMap = schema
            .key_names()
            .filter_map(|n| start.get(n).map(|v| (n.to_owned(), v.clone())))
            .collect();
        let key = schema.start_key(&table_key)?;
        let values = def
            .key_values(start)
            .map_err(|_| mismatch())?
            .ok_or_else(mismatch)?;
        Ok(def.position_from(&key, values))
    }

    /// The `LastEvaluatedKey` of an entry: the table key, plus the index key
    /// for an index.
    pub fn key_map(&self, slot: &Slot, entry: &EntryKey) -> AttributeMap {
        let mut map = AttributeMap::new();
        for (def, value) in self.partition_defs().iter().zip(&slot.key) {
            map.insert(def.name.clone(), value.clone().into());
        }
        for (def, value) in self.sort_defs().iter().zip(&entry.sort) {
            if let Ext::Val(v) = value {
                map.insert(def.name.clone(), v.clone().into());
            }
        }
        if let Tiebreak::Item(item_key) = &entry.tiebreak {
            let (partition, sort) = &**item_key;
            map.extend(self.table.schema.key_map(&crate::key::PrimaryKey {
                partition: partition.clone(),
                sort: sort.clone(),
            }));
        }
        map
    }

    /// The item a page returns for an entry.
    fn item_of(&self, entry: &EntryKey, stored: &'a StoredItem) -> Option<&'a StoredItem> {
        if !self.fetch_from_table {
            return Some(stored);
        }
        let Tiebreak::Item(item_key) = &entry.tiebreak else {
            return Some(stored);
        };
        let (partition, sort) = &**item_key;
        let key = crate::key::PrimaryKey {
            partition: partition.clone(),
            sort: sort.clone(),
        };
        self.table_item(&self.table.schema.position(&key))
    }
}

/// Entries of a partition in the order a read walks them.
pub(crate) type Entries<'a> = Box<dyn Iterator<Item = (&'a EntryKey, &'a StoredItem)> + 'a>;

fn empty_partition() -> &'static crate::table::Partition {
    static EMPTY: crate::table::Partition = crate::table::Partition::EMPTY;
    &EMPTY
}

/// The replica view an eventual read sees, when it differs from the
/// table: reads that are not strongly consistent, and every read of a
/// global index.
pub(crate) fn replica_view(
    engine: &crate::engine::Engine,
    table: &Table,
    state: &TableState,
    consistent_read: Option<bool>,
    index_name: Option<&str>,
) -> Option<Overlay> {
    let global = index_name
        .and_then(|name| state.index(name))
        .is_some_and(|i| i.def.kind == IndexKind::Global);
    if (consistent_read.unwrap_or(false) && !global) || table.replicas.in_step() {
        return None;
    }
    let position = table.replicas.position(state, engine.now());
    if position + 1 >= state.log().next_seq() {
        return None;
    }
    Some(crate::replica::overlay(table, state, position))
}

/// One page of a Query or Scan being filled.
pub(crate) struct Page<'a> {
    source: &'a Source<'a>,
    limit: usize,
    items: Vec<AttributeMap>,
    matched: usize,
    scanned: usize,
    bytes: usize,
    last: Option<(&'a Slot, &'a EntryKey)>,
    stopped_early: bool,
}

/// A finished page.
pub(crate) struct PageResult {
    pub items: Option<Vec<AttributeMap>>,
    pub count: i32,
    pub scanned_count: i32,
    pub last_evaluated_key: Option<AttributeMap>,
    pub usage: Usage,
}

impl<'a> Page<'a> {
    pub fn new(source: &'a Source<'a>, limit: Option<i32>) -> Self {
        Self {
            source,
            limit: limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX)),
            items: Vec::new(),
            matched: 0,
            scanned: 0,
            bytes: 0,
            last: None,
            stopped_early: false,
        }
    }

    /// Evaluates one entry; returns false when the page is full.
    pub fn push(&mut self, slot: &'a Slot, entry: &'a EntryKey, stored: &'a StoredItem) -> bool {
        self.scanned += 1;
        self.bytes += stored.size();
        if let Some(item) = self.source.item_of(entry, stored) {
            if self.source.fetch_from_table {
                self.bytes += item.size();
            }
            // The filter applies after Limit: evaluated items count toward
            // the page whether or not they match.
            if self.source.filter.is_none_or(|f| f.evaluate(&item.item())) {
                self.matched += 1;
                if !self.source.count_only {
                    self.items.push(match self.source.projection {
                        Some(projection) => projection.apply(&item.item()),
                        // Fetched only for the filter: the entry is returned.
                        None if !self.source.whole_items => stored.item(),
                        None => item.item(),
                    });
                }
            }
        }
        self.last = Some((slot, entry));
        self.stopped_early = self.scanned >= self.limit || self.bytes >= MAX_PAGE_BYTES;
        !self.stopped_early
    }

    pub fn finish(self) -> PageResult {
        let count = self.matched;
        let last_evaluated_key = self
            .last
            .filter(|_| self.stopped_early)
            .map(|(slot, entry)| self.source.key_map(slot, entry));
        let units = read_units(self.bytes, self.source.consistent);
        let mut usage = Usage::new(Kind::Read);
        match self.source.index_def() {
            Some(def) => usage.index(def.kind, &def.name, units),
            None => usage.add_table(units),
        }
        PageResult {
            items: (!self.source.count_only).then_some(self.items),
            count: i32::try_from(count).unwrap_or(i32::MAX),
            scanned_count: i32::try_from(self.scanned).unwrap_or(i32::MAX),
            last_evaluated_key,
            usage,
        }
    }
}
