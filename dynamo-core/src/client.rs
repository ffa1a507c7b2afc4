//! `Client`: the typed front door. It turns calls on derived items into
//! requests of the [`crate::ops`] model and hands them to a [`Backend`].
//! Builders are awaited directly (`db.get(key).consistent().await`).

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::expr::{KeyCondition, SortKeyOp};
use crate::item::{Item, Key, KeyArg, KeyAttribute};
use crate::ops::*;
use crate::schema::TableDescription;
use crate::value::AttributeMap;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connection to DynamoDB or to the local engine. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// A client over `backend`.
    pub fn new(backend: impl Backend) -> Self {
        Self {
            backend: Arc::new(backend),
        }
    }

    /// A client over a shared backend.
    pub fn from_arc(backend: Arc<dyn Backend>) -> Self {
        Self { backend }
    }

    /// The backend, for calling operations with the raw request model.
    pub fn backend(&self) -> &dyn Backend {
        &*self.backend
    }

    /// Creates the table `T` is declared to live in (on-demand billing).
    pub async fn create_table<T: Item>(&self) -> Result<TableDescription> {
        let schema = T::SCHEMA;
        let input = CreateTableInput::new(
            schema.table_name,
            schema.key_schema(),
            schema.attribute_definitions(),
        );
        Ok(self.backend.create_table(input).await?.table_description)
    }

    /// Deletes the table `T` lives in, with all its items.
    pub async fn delete_table<T: Item>(&self) -> Result<TableDescription> {
        let input = DeleteTableInput {
            table_name: T::SCHEMA.table_name.to_owned(),
        };
        Ok(self.backend.delete_table(input).await?.table_description)
    }

    /// Writes `item`, replacing any item with the same key.
    pub fn put<'a, T: Item>(&'a self, item: &'a T) -> Put<'a, T> {
        Put { client: self, item }
    }

    /// Reads the item with `key`; `None` when there is none.
    pub fn get<T: Item>(&self, key: Key<T>) -> Get<'_, T> {
        Get {
            client: self,
            key,
            consistent: false,
        }
    }

    /// Deletes the item with `key`, if there is one.
    pub fn delete<T: Item>(&self, key: Key<T>) -> Delete<'_, T> {
        Delete { client: self, key }
    }

    /// Reads the items of one partition, in sort-key order.
    pub fn query<T: Item>(&self, query: KeyQuery<T>) -> Query<'_, T> {
        Query {
            client: self,
            query,
            limit: None,
            forward: true,
            consistent: false,
            after: None,
        }
    }
}

/// A pending `put`; await it.
#[must_use = "a put does nothing until it is awaited"]
pub struct Put<'a, T> {
    client: &'a Client,
    item: &'a T,
}

impl<'a, T: Item + Sync> IntoFuture for Put<'a, T> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let item = self.item.to_item()?;
            let input = PutItemInput::new(T::SCHEMA.table_name, item);
            self.client.backend.put_item(input).await?;
            Ok(())
        })
    }
}

/// A pending `get`; await it.
#[must_use = "a get does nothing until it is awaited"]
pub struct Get<'a, T> {
    client: &'a Client,
    key: Key<T>,
    consistent: bool,
}

impl<T> Get<'_, T> {
    /// Read with strong consistency (DynamoDB's default is eventual).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }
}

impl<'a, T: Item + Send + 'a> IntoFuture for Get<'a, T> {
    type Output = Result<Option<T>>;
    type IntoFuture = BoxFuture<'a, Result<Option<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut input = GetItemInput::new(T::SCHEMA.table_name, self.key.into_attributes());
            input.consistent_read = self.consistent.then_some(true);
            let output = self.client.backend.get_item(input).await?;
            output
                .item
                .map(T::from_item)
                .transpose()
                .map_err(Error::from)
        })
    }
}

/// A pending `delete`; await it.
#[must_use = "a delete does nothing until it is awaited"]
pub struct Delete<'a, T> {
    client: &'a Client,
    key: Key<T>,
}

impl<'a, T: Item + Send + 'a> IntoFuture for Delete<'a, T> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let input = DeleteItemInput::new(T::SCHEMA.table_name, self.key.into_attributes());
            self.client.backend.delete_item(input).await?;
            Ok(())
        })
    }
}

/// Which items of `T`'s table a query selects: one partition, optionally
/// narrowed by a sort-key condition. Built by the derived `T::partition(...)`.
pub struct KeyQuery<T> {
    condition: KeyCondition,
    item: PhantomData<fn() -> T>,
}

impl<T: Item> KeyQuery<T> {
    /// All items whose partition key is `partition_key`.
    pub fn partition(partition_key: &T::PartitionKey) -> Self {
        Self {
            condition: KeyCondition::partition(
                T::SCHEMA.partition_key.name,
                partition_key.to_key_value(),
            ),
            item: PhantomData,
        }
    }

    /// The key condition this query sends.
    pub fn key_condition(&self) -> &KeyCondition {
        &self.condition
    }
}

// The bound sits on each method, not on this block, so that calling one on
// a table without a sort key reports `SortKeyType`'s message (E0277) rather
// than "method exists but its trait bounds were not satisfied".
impl<T: Item> KeyQuery<T> {
    fn sort_key(
        mut self,
        op: impl FnOnce(crate::AttributeValue) -> SortKeyOp,
        value: T::SortKey,
    ) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        if let Some(sk) = T::SCHEMA.sort_key {
            let op = op(value.to_key_value().into());
            self.condition = self.condition.and_sort_key(sk.name, op);
        }
        self
    }

    /// Items whose sort key equals `value`.
    pub fn sk_eq(self, value: impl KeyArg<T::SortKey>) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        self.sort_key(SortKeyOp::Eq, value.into_key())
    }
    /// Items whose sort key is below `value`.
    pub fn sk_lt(self, value: impl KeyArg<T::SortKey>) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        self.sort_key(SortKeyOp::Lt, value.into_key())
    }
    /// Items whose sort key is at most `value`.
    pub fn sk_le(self, value: impl KeyArg<T::SortKey>) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        self.sort_key(SortKeyOp::Le, value.into_key())
    }
    /// Items whose sort key is above `value`.
    pub fn sk_gt(self, value: impl KeyArg<T::SortKey>) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        self.sort_key(SortKeyOp::Gt, value.into_key())
    }
    /// Items whose sort key is at least `value`.
    pub fn sk_ge(self, value: impl KeyArg<T::SortKey>) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        self.sort_key(SortKeyOp::Ge, value.into_key())
    }
    /// Items whose sort key lies between `low` and `high`, both included.
    pub fn sk_between(self, low: impl KeyArg<T::SortKey>, high: impl KeyArg<T::SortKey>) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        let low = low.into_key().to_key_value().into();
        self.sort_key(|high| SortKeyOp::Between(low, high), high.into_key())
    }
    /// Items whose string or binary sort key starts with `prefix`.
    pub fn sk_begins_with(self, prefix: impl KeyArg<T::SortKey>) -> Self
    where
        T::SortKey: crate::item::SortKeyType,
    {
        self.sort_key(SortKeyOp::BeginsWith, prefix.into_key())
    }
}

/// A pending query; await it for the matching items, or call
/// [`Query::page`] for one page and a cursor to the next.
#[must_use = "a query does nothing until it is awaited"]
pub struct Query<'a, T> {
    client: &'a Client,
    query: KeyQuery<T>,
    limit: Option<usize>,
    forward: bool,
    consistent: bool,
    after: Option<AttributeMap>,
}

/// Where a paged query stopped: an opaque string safe to hand to a web
/// client and back (`to_string()`, `parse()`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cursor(AttributeMap);

/// A cursor string that was not produced by [`Cursor`]'s `Display`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid query cursor")]
pub struct CursorError;

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use base64::Engine as _;
        let json = serde_json::to_vec(&self.0).map_err(|_| std::fmt::Error)?;
        f.write_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
    }
}

impl std::str::FromStr for Cursor {
    type Err = CursorError;

    fn from_str(s: &str) -> Result<Self, CursorError> {
        use base64::Engine as _;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| CursorError)?;
        crate::value::decode_json(&json)
            .map(Cursor)
            .map_err(|_| CursorError)
    }
}

/// One page of a query: its items, and where to continue when more may follow.
#[derive(Debug)]
pub struct Page<T> {
    /// The items of this page (may be fewer than the limit, even none).
    pub items: Vec<T>,
    /// Pass to [`Query::after`] for the next page; `None` at the end.
    pub next: Option<Cursor>,
}

impl<T> Query<'_, T> {
    /// Return at most `n` items.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Return items in descending sort-key order.
    pub fn reverse(mut self) -> Self {
        self.forward = false;
        self
    }

    /// Read with strong consistency.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Continue after the page that returned `cursor`.
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor.0);
        self
    }

    fn input(&self, limit: Option<usize>, start: Option<AttributeMap>) -> QueryInput
    where
        T: Item,
    {
        let mut input = QueryInput::new(T::SCHEMA.table_name, self.query.condition.clone());
        input.scan_index_forward = Some(self.forward);
        input.consistent_read = self.consistent.then_some(true);
        input.limit = limit.map(|r| i32::try_from(r).unwrap_or(i32::MAX));
        input.exclusive_start_key = start;
        input
    }

    /// One request: at most `limit` items (when set) and a cursor to the rest.
    pub async fn page(mut self) -> Result<Page<T>>
    where
        T: Item,
    {
        let start = self.after.take();
        let output = self
            .client
            .backend
            .query(self.input(self.limit, start))
            .await?;
        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(T::from_item)
            .collect::<std::result::Result<_, _>>()?;
        Ok(Page {
            items,
            next: output.last_evaluated_key.map(Cursor),
        })
    }
}

impl<'a, T: Item + Send + 'a> IntoFuture for Query<'a, T> {
    type Output = Result<Vec<T>>;
    type IntoFuture = BoxFuture<'a, Result<Vec<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut this = self;
            let mut items = Vec::new();
            let mut start: Option<AttributeMap> = this.after.take();
            loop {
                let remaining = this.limit.map(|l| l.saturating_sub(items.len()));
                if remaining == Some(0) {
                    break;
                }
                let page = this
                    .client
                    .backend
                    .query(this.input(remaining, start.take()))
                    .await?;
                for item in page.items.unwrap_or_default() {
                    items.push(T::from_item(item)?);
                }
                match page.last_evaluated_key {
                    Some(key) => start = Some(key),
                    None => break,
                }
            }
            Ok(items)
        })
    }
}
