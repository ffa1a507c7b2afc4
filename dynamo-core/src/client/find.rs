//! `db.find::<T>()`: the entry to the query planner ([`crate::planner`]).

use super::Client;
use crate::error::Result;
use crate::item::{CollectionMember, Item};
use crate::planner::{Find, Plannable, TableStatistics};
use std::sync::Arc;

impl Client {
    /// A planned read of items of `T`: the planner chooses GetItem,
    /// BatchGetItem, a Query of the table or an index, or (only when
    /// allowed) a Scan, from the predicates given to [`Find::matching`].
    pub fn find<T: Plannable>(&self) -> Find<'_, T> {
        Find::new(self)
    }

    /// A planned read of the collection `C` (a single-table design's enum
    /// of entity types): predicates are written over the member type `T`,
    /// whose keys select the item collections (partitions) to read, and
    /// every item of `C`'s types there for which the predicate holds is
    /// returned as a `C`, with the same planning, explain and cost as
    /// [`Client::find`]. A key `T` renders from a template only says where
    /// `T` keeps its items, so a templated sort key gives no key condition
    /// (other types are keyed by other templates) and the terms a
    /// templated partition key consumed are checked on other types' items
    /// by the client. With the derive:
    /// `db.find_in::<CustomerCollection, Customer>().matching(Customer::CUSTOMER_ID.eq("c1")).all().await?`
    /// reads the customer's profile, orders and addresses in sort-key order.
    pub fn find_in<C: CollectionMember<T>, T: Plannable>(&self) -> Find<'_, T, C> {
        Find::new(self).in_collection::<C>()
    }

    /// Fetches the statistics the planner estimates costs with for `T`'s
    /// table (DescribeTable), replacing cached ones.
    pub async fn refresh_statistics<T: Item>(&self) -> Result<Arc<TableStatistics>> {
        crate::planner::table_statistics::<T>(self, true).await
    }
}
