//! What the cost model knows about a table: item counts, sizes and index
//! projections, as `DescribeTable` reports them. The engine keeps them
//! exact; DynamoDB refreshes them about every six hours, so estimates from
//! them are estimates.

use crate::schema::{Projection, ProjectionType, TableDescription};

/// Item count, size and projection of a table's indexes, for estimates.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TableStatistics {
    /// Items in the table.
    pub item_count: u64,
    /// Their total size in bytes.
    pub size_bytes: u64,
    /// One entry per secondary index.
    pub indexes: Vec<IndexStatistics>,
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
            });
        Self {
            item_count: count(description.item_count),
            size_bytes: count(description.table_size_bytes),
            indexes: globals.chain(locals).collect(),
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
