//! `db.find::<T>()`: the entry to the query planner ([`crate::planner`]).

use super::Client;
use crate::error::Result;
use crate::item::Item;
use crate::planner::{Find, Plannable, TableStatistics};
use std::sync::Arc;

impl Client {
    /// A planned read of items of `T`: the planner chooses GetItem,
    /// BatchGetItem, a Query of the table or an index, or (only when
    /// allowed) a Scan, from the predicates given to [`Find::matching`].
    pub fn find<T: Plannable>(&self) -> Find<'_, T> {
        Find::new(self)
    }

    /// Fetches the statistics the planner estimates costs with for `T`'s
    /// table (DescribeTable), replacing cached ones.
    pub async fn refresh_statistics<T: Item>(&self) -> Result<Arc<TableStatistics>> {
        crate::planner::table_statistics::<T>(self, true).await
    }
}
