//! Consumed capacity by DynamoDB's rounding rules: reads in 4 KB units
//! (half for eventually consistent reads), writes in 1 KB units, at least
//! one unit per item touched; index writes counted per index.

use crate::key::IndexKind;
use crate::table::{Index, IndexWrite};
use dynamo_core::ops::{Capacity, ConsumedCapacity, ReturnConsumedCapacity};
use std::collections::HashMap;

const READ_UNIT_BYTES: usize = 4 * 1024;
const WRITE_UNIT_BYTES: usize = 1024;

/// Read units for reading `bytes` (rounded up once, at least one unit).
pub(crate) fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(READ_UNIT_BYTES).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

/// Write units for writing an item of `bytes` (at least one unit).
pub(crate) fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(WRITE_UNIT_BYTES).max(1) as f64
}

/// Write units one index consumed for one item write.
pub(crate) fn index_write_units(write: IndexWrite) -> f64 {
    match write {
        IndexWrite::None | IndexWrite::Unchanged => 0.0,
        IndexWrite::Put(new) => write_units(new),
        IndexWrite::Delete(old) => write_units(old),
        IndexWrite::Replace {
            new, moved: false, ..
        } => write_units(new),
        IndexWrite::Replace {
            old,
            new,
            moved: true,
        } => write_units(old) + write_units(new),
    }
}

/// Whether units are read or write units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Read,
    Write,
}

/// Capacity consumed by one operation on one table.
#[derive(Clone, Debug)]
pub(crate) struct Usage {
    kind: Kind,
    table: f64,
    global: Vec<(String, f64)>,
    local: Vec<(String, f64)>,
}

impl Usage {
    pub fn new(kind: Kind) -> Self {
        Self {
            kind,
            table: 0.0,
            global: Vec::new(),
            local: Vec::new(),
        }
    }

    pub fn table(mut self, units: f64) -> Self {
        self.table += units;
        self
    }

    /// This usage times `factor` (transactions cost twice: prepare and commit).
    pub fn scaled(mut self, factor: f64) -> Self {
        self.table *= factor;
        for (_, u) in self.global.iter_mut().chain(self.local.iter_mut()) {
            *u *= factor;
        }
        self
    }

    pub fn add_table(&mut self, units: f64) {
        self.table += units;
    }

    /// Adds units consumed on index `name`.
    pub fn index(&mut self, kind: IndexKind, name: &str, units: f64) {
        let list = match kind {
            IndexKind::Global => &mut self.global,
            IndexKind::Local => &mut self.local,
        };
        match list.iter_mut().find(|(n, _)| n == name) {
            Some((_, u)) => *u += units,
            None => list.push((name.to_owned(), units)),
        }
    }

    /// Adds the index writes of one item write.
    pub fn index_writes(&mut self, indexes: &[Index], writes: &[IndexWrite]) {
        for (index, write) in indexes.iter().zip(writes) {
            let units = index_write_units(*write);
            if units > 0.0 {
                self.index(index.def.kind, &index.def.name, units);
            }
        }
    }

    /// Merges another usage of the same table and kind.
    pub fn merge(&mut self, other: Usage) {
        self.table += other.table;
        for (name, units) in other.global {
            self.index(IndexKind::Global, &name, units);
        }
        for (name, units) in other.local {
            self.index(IndexKind::Local, &name, units);
        }
    }

    fn total(&self) -> f64 {
        self.table
            + self.global.iter().map(|(_, u)| u).sum::<f64>()
            + self.local.iter().map(|(_, u)| u).sum::<f64>()
    }

    /// The `ConsumedCapacity` to return, if the request asked for one.
    pub fn report(
        &self,
        table_name: &str,
        mode: Option<ReturnConsumedCapacity>,
    ) -> Option<ConsumedCapacity> {
        let mode = mode.unwrap_or_default();
        if mode == ReturnConsumedCapacity::None {
            return None;
        }
        let capacity = |units: f64| {
            let (read, write) = match self.kind {
                Kind::Read => (Some(units), None),
                Kind::Write => (None, Some(units)),
            };
            Capacity {
                read_capacity_units: read,
                write_capacity_units: write,
                capacity_units: Some(units),
            }
        };
        let total = capacity(self.total());
        let mut consumed = ConsumedCapacity {
            table_name: Some(table_name.to_owned()),
            capacity_units: total.capacity_units,
            read_capacity_units: total.read_capacity_units,
            write_capacity_units: total.write_capacity_units,
            ..ConsumedCapacity::default()
        };
        if mode == ReturnConsumedCapacity::Indexes {
            let map = |list: &[(String, f64)]| {
                (!list.is_empty()).then(|| {
                    list.iter()
                        .map(|(n, u)| (n.clone(), capacity(*u)))
                        .collect::<HashMap<_, _>>()
                })
            };
            consumed.table = Some(capacity(self.table));
            consumed.global_secondary_indexes = map(&self.global);
            consumed.local_secondary_indexes = map(&self.local);
        }
        Some(consumed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_per_operation() {
        assert_eq!(read_units(1, true), 1.0);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(4097, false), 1.0);
        assert_eq!(read_units(0, false), 0.5);
        assert_eq!(write_units(1), 1.0);
        assert_eq!(write_units(1024), 1.0);
        assert_eq!(write_units(1025), 2.0);
    }
}
