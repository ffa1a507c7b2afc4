//! What the cost model knows about a table: item counts, sizes and index
//! projections, as `DescribeTable` reports them, and how many entries a
//! partition of the table and of each index holds, from a sample. The
//! engine keeps counts exact; DynamoDB refreshes them about every six
//! hours, so estimates from them are estimates.
//!
//! The partition sample: one Scan page of at most [`SAMPLE_ENTRIES`]
//! entries of the table and of each index, read once per cache period.
//! A Scan returns partitions in hash order, each partition's entries
//! together, so the page holds whole partitions drawn at random by their
//! hash, and at most one cut off at the end; the whole ones give the mean
//! entries per partition. DescribeTable knows no key cardinality, and
//! without it a partition's size is a guess (the planner's fallback,
//! `N^(1/(k+1))`, was 4x off on a table of three tenants and on a unique
//! key).

use crate::schema::{KeySchemaElement, KeyType, Projection, ProjectionType, TableDescription};
use crate::value::{AttributeMap, KeyValue};

/// Entries the partition sample reads of the table and of each index.
pub const SAMPLE_ENTRIES: usize = 100;

/// Item count, size and projection of a table's indexes, for estimates.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TableStatistics {
    /// Items in the table.
    pub item_count: u64,
    /// Their total size in bytes.
    pub size_bytes: u64,
    /// One entry per secondary index.
    pub indexes: Vec<IndexStatistics>,
    /// The table's partitions, as a sample saw them.
    pub partitions: Option<PartitionSample>,
}

/// Item count, size and projection of one secondary index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexStatistics {
    /// The index's name.
    pub name: String,
    /// Entries in the index.
    pub item_count: u64,
    /// Their total size in bytes.
    pub size_bytes: u64,
    /// What the index stores besides the keys.
    pub projection: Projection,
    /// The index's partitions, as a sample saw them.
    pub partitions: Option<PartitionSample>,
}

/// What one Scan page of a table or index showed about its partitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PartitionSample {
    /// Entries read.
    pub entries: u64,
    /// Partitions read whole: a run of entries with one partition-key
    /// value that the page did not cut off.
    pub whole_partitions: u64,
    /// The entries of those partitions.
    pub whole_entries: u64,
}

impl PartitionSample {
    /// The sample of one Scan page: `entries` in the order returned, cut
    /// off after the last one when `more` (the page had a last key);
    /// `partition_keys` names the partition-key attributes.
    pub fn of(entries: &[AttributeMap], partition_keys: &[&str], more: bool) -> Self {
        let key = |e: &AttributeMap| -> Vec<Option<KeyValue>> {
            partition_keys
                .iter()
                .map(|k| e.get(*k).cloned().and_then(|v| KeyValue::try_from(v).ok()))
                .collect()
        };
        // Runs of one partition-key value, in page order.
        let mut runs: Vec<u64> = Vec::new();
        let mut last = None;
        for entry in entries {
            let k = key(entry);
            match runs.last_mut() {
                Some(n) if last.as_ref() == Some(&k) => *n += 1,
                _ => runs.push(1),
            }
            last = Some(k);
        }
        if more {
            runs.pop();
        }
        Self {
            entries: entries.len() as u64,
            whole_partitions: runs.len() as u64,
            whole_entries: runs.iter().sum(),
        }
    }

    /// Mean entries per partition, when some partition was read whole.
    pub fn mean(&self) -> Option<f64> {
        (self.whole_partitions > 0)
            .then(|| self.whole_entries as f64 / self.whole_partitions as f64)
    }
}

/// The partition-key attributes of a key schema.
pub(crate) fn partition_keys(schema: &[KeySchemaElement]) -> Vec<&str> {
    schema
        .iter()
        .filter(|k| k.key_type == KeyType::Hash)
        .map(|k| k.attribute_name.as_str())
        .collect()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl TableStatistics {
    /// The statistics in a table description.
    pub fn from_description(description: &TableDescription) -> Self {
        let globals = description
            .global_secondary_indexes
            .iter()
            .flatten()
            .map(|i| IndexStatistics {
                name: i.index_name.clone(),
                item_count: count(i.item_count),
                size_bytes: count(i.index_size_bytes),
                projection: i.projection.clone(),
                partitions: None,
            });
        let locals = description
            .local_secondary_indexes
            .iter()
            .flatten()
            .map(|i| IndexStatistics {
                name: i.index_name.clone(),
                item_count: count(i.item_count),
                size_bytes: count(i.index_size_bytes),
                projection: i.projection.clone(),
                partitions: None,
            });
        Self {
            item_count: count(description.item_count),
            size_bytes: count(description.table_size_bytes),
            indexes: globals.chain(locals).collect(),
            partitions: None,
        }
    }

    /// The partition sample of the table (`None`) or index `name`.
    pub fn partitions(&self, index: Option<&str>) -> Option<PartitionSample> {
        match index {
            None => self.partitions,
            Some(name) => self.index(name).and_then(|i| i.partitions),
        }
    }

    /// The statistics of index `name`, if the table has it.
    pub fn index(&self, name: &str) -> Option<&IndexStatistics> {
        self.indexes.iter().find(|i| i.name == name)
    }
}

/// Which attributes an index stores, as the planner uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stored {
    /// Every attribute.
    All,
    /// The table's and the index's key attributes and these.
    Only(Vec<String>),
}

impl Stored {
    /// What `projection` stores, besides the key attributes `keys`.
    pub fn of(projection: &Projection, keys: impl IntoIterator<Item = String>) -> Self {
        match projection.projection_type {
            Some(ProjectionType::All) | None => Self::All,
            Some(kind) => {
                let mut names: Vec<String> = keys.into_iter().collect();
                if kind == ProjectionType::Include {
                    names.extend(projection.non_key_attributes.iter().flatten().cloned());
                }
                Self::Only(names)
            }
        }
    }

    /// Whether the attribute `name` is stored.
    pub fn holds(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(names) => names.iter().any(|n| n == name),
        }
    }
}
