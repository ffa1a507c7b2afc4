//! `Client`: the typed front door. It turns calls on derived items into
//! requests of the [`crate::ops`] model and hands them to a [`Backend`].
//! Builders are awaited directly (`db.get(key).consistent().await`).

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::expr::{Condition, KeyCondition, Operand, Path, SortKeyOp};
use crate::item::{AttributeError, CollectionMember, Item, Key, KeyArg};
use crate::item::{Collection, IndexKind, IndexSchema, KeyAttributeSchema, TableSchema};
use crate::key_template::{BeginsWithKey, SortCompare, SortKeyShape, SortKeyType};
use crate::ops::*;
use crate::schema::{
    AttributeDefinition, GlobalSecondaryIndex, LocalSecondaryIndex, Projection, TableDescription,
    TimeToLiveSpecification,
};
use crate::value::AttributeMap;
use crate::value::{AttributeValue, KeyValue};
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

mod write;

pub use write::{Delete, Put, Update};

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

    /// Creates the table `T` is declared to live in (on-demand billing),
    /// with the secondary indexes `T` declares (projecting all attributes),
    /// and turns on TTL when `T` has a `#[dynamo(ttl)]` field.
    pub async fn create_table<T: Item>(&self) -> Result<TableDescription> {
        self.create_table_of(&[T::SCHEMA]).await
    }

    /// Creates the table shared by the member types of the collection `C`,
    /// with every index any of them declares: the way to create a
    /// single-table design. Members must agree on the table's key and on
    /// the key attributes of an index they both declare.
    pub async fn create_collection_table<C: Collection>(&self) -> Result<TableDescription> {
        self.create_table_of(C::MEMBERS).await
    }

    async fn create_table_of(&self, schemas: &[TableSchema]) -> Result<TableDescription> {
        let (input, ttl) = create_table_input(schemas)?;
        let table_name = input.table_name.clone();
        let description = self.backend.create_table(input).await?.table_description;
        if let Some(ttl) = ttl {
            self.backend
                .update_time_to_live(UpdateTimeToLiveInput {
                    table_name,
                    time_to_live_specification: TimeToLiveSpecification {
                        enabled: true,
                        attribute_name: ttl.to_owned(),
                    },
                })
                .await?;
        }
        Ok(description)
    }

    /// Deletes the table `T` lives in, with all its items.
    pub async fn delete_table<T: Item>(&self) -> Result<TableDescription> {
        let input = DeleteTableInput {
            table_name: T::SCHEMA.table_name.to_owned(),
        };
        Ok(self.backend.delete_table(input).await?.table_description)
    }

    /// Writes `item`, replacing any item with the same key. Maintains the
    /// type's lifecycle attributes: a `#[dynamo(version)]` field makes the
    /// write conditional on the stored version (0 for a new item) and
    /// stores the next one; `updated_at` is set to now, `created_at` to now
    /// when unset.
    pub fn put<'a, T: Item>(&'a self, item: &'a T) -> Put<'a, T> {
        Put::new(self, item)
    }

    /// Changes some attributes of the item with `key` (creating it when it
    /// does not exist, unless [`Update::if_exists`]).
    pub fn update<T: Item>(&self, key: Key<T>) -> Update<'_, T> {
        Update::new(self, key)
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
        Delete::new(self, key)
    }

    /// Reads the items of one partition, in sort-key order.
    pub fn query<T: Item, S>(&self, query: KeyQuery<T, S>) -> Query<'_, T> {
        Query {
            client: self,
            table: T::SCHEMA.table_name,
            index: query.index,
            key_condition: query.key_condition(),
            filter: entity_filter(&T::SCHEMA),
            decode: |item| T::from_item(item).map(Some),
            limit: None,
            page_size: None,
            forward: true,
            consistent: false,
            after: None,
        }
    }

    /// Reads every item of the partition `query` selects, whatever its
    /// entity type, as the collection `C` (an enum deriving
    /// `dynamo::Collection` that lists `T`). Sort-key conditions of `query`
    /// still apply; its entity's implicit sort-key prefix does not.
    pub fn collection<C: CollectionMember<T>, T: Item, S>(
        &self,
        query: KeyQuery<T, S>,
    ) -> Query<'_, C> {
        Query {
            client: self,
            table: T::SCHEMA.table_name,
            index: query.index,
            key_condition: query.explicit_condition(),
            filter: None,
            decode: C::from_collection_item,
            limit: None,
            page_size: None,
            forward: true,
            consistent: false,
            after: None,
        }
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

/// Which items a query selects: one partition of the table or of one of
/// its indexes, optionally narrowed by a condition on the sort key. Built by
/// the derived `T::partition(...)` and by one method per declared index
/// (`Order::by_status(status)`). `S` is the type sort-key conditions take;
/// it has no [`SortKeyType`] implementation when there is no sort key, so
/// `sk_*` methods do not compile there.
pub struct KeyQuery<T, S> {
    index: Option<&'static str>,
    condition: KeyCondition,
    sort: Option<SortKeyShape>,
    sort_condition: bool,
    marker: PhantomData<fn() -> (T, S)>,
}

impl<T, S> Clone for KeyQuery<T, S> {
    fn clone(&self) -> Self {
        Self {
            index: self.index,
            condition: self.condition.clone(),
            sort: self.sort,
            sort_condition: self.sort_condition,
            marker: PhantomData,
        }
    }
}

impl<T, S> std::fmt::Debug for KeyQuery<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyQuery")
            .field("index", &self.index)
            .field("key_condition", &self.key_condition())
            .finish()
    }
}

impl<T: Item, S> KeyQuery<T, S> {
    /// All items whose partition key (of the table, or of `index`) is
    /// `partition_key`; `sort` describes the sort key conditions apply to.
    /// Called by derived code.
    #[doc(hidden)]
    pub fn new(
        index: Option<&'static str>,
        partition_key: &'static str,
        value: KeyValue,
        sort: Option<SortKeyShape>,
    ) -> Self {
        Self {
            index,
            condition: KeyCondition::partition(partition_key, value),
            sort,
            sort_condition: false,
            marker: PhantomData,
        }
    }
}

impl<T, S> KeyQuery<T, S> {
    /// The index queried, or `None` for the table.
    pub fn index(&self) -> Option<&'static str> {
        self.index
    }

    /// The key condition this query sends: the partition, and the sort-key
    /// condition given or, for a templated sort key, the entity's prefix.
    pub fn key_condition(&self) -> KeyCondition {
        let mut condition = self.condition.clone();
        if !self.sort_condition
            && let Some(shape) = &self.sort
            && let Some(op) = shape.implicit()
        {
            condition = condition.and_sort_key(shape.name, op);
        }
        condition
    }

    /// The condition without the implicit prefix: the partition and the
    /// caller's own sort-key condition (for collections).
    pub(crate) fn explicit_condition(&self) -> KeyCondition {
        self.condition.clone()
    }

    fn with_sort(mut self, op: impl FnOnce(&SortKeyShape) -> SortKeyOp) -> Self {
        if let Some(shape) = self.sort {
            self.condition = self.condition.and_sort_key(shape.name, op(&shape));
            self.sort_condition = true;
        }
        self
    }

    fn compare(self, op: SortCompare, value: S) -> Self
    where
        S: SortKeyType,
    {
        self.with_sort(|shape| shape.compare(op, &value))
    }
}

// The bounds sit on each method, not on the block, so that calling one
// where there is no sort key reports `SortKeyType`'s message (E0277) rather
// than "method exists but its trait bounds were not satisfied".
impl<T, S> KeyQuery<T, S> {
    /// Adds equality on another key attribute (a multi-attribute key's
    /// further partition attributes, or leading sort attributes). Called by
    /// derived code.
    #[doc(hidden)]
    pub fn and_key_eq(mut self, name: &'static str, value: KeyValue) -> Self {
        self.condition = self
            .condition
            .and_sort_key(name, SortKeyOp::Eq(value.into()));
        self
    }

    /// Items whose sort key (or its template's first field) equals `value`.
    pub fn sk_eq(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Eq, value.into_key())
    }
    /// Items whose sort key is below `value`.
    pub fn sk_lt(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Lt, value.into_key())
    }
    /// Items whose sort key is at most `value`.
    pub fn sk_le(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Le, value.into_key())
    }
    /// Items whose sort key is above `value`.
    pub fn sk_gt(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Gt, value.into_key())
    }
    /// Items whose sort key is at least `value`.
    pub fn sk_ge(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Ge, value.into_key())
    }
    /// Items whose sort key lies between `low` and `high`, both included.
    pub fn sk_between(self, low: impl KeyArg<S>, high: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        let (low, high) = (low.into_key(), high.into_key());
        self.with_sort(|shape| shape.between(&low, &high))
    }
    /// Items whose string or binary sort key starts with `prefix`.
    pub fn sk_begins_with(self, prefix: impl KeyArg<S>) -> Self
    where
        S: BeginsWithKey,
    {
        let prefix = prefix.into_key();
        self.with_sort(|shape| shape.begins_with(&prefix))
    }
}

/// The `CreateTable` request for a table holding items of every schema in
/// `schemas`, and the TTL attribute to turn on.
fn create_table_input(schemas: &[TableSchema]) -> Result<(CreateTableInput, Option<&'static str>)> {
    let Some(first) = schemas.first() else {
        return Err(Error::validation("a table needs at least one item type"));
    };
    let conflict = |what: String| {
        Err(Error::validation(format!(
            "the item types of table `{}` disagree: {what}",
            first.table_name
        )))
    };
    let key_eq = |a: &KeyAttributeSchema, b: &KeyAttributeSchema| {
        a.name == b.name && a.scalar_type == b.scalar_type
    };
    let mut definitions: Vec<AttributeDefinition> = Vec::new();
    let mut indexes: Vec<IndexSchema> = Vec::new();
    let mut ttl: Option<&'static str> = None;
    for schema in schemas {
        if schema.table_name != first.table_name {
            return conflict(format!("one lives in table `{}`", schema.table_name));
        }
        let same_sort = match (schema.sort_key, first.sort_key) {
            (Some(a), Some(b)) => key_eq(&a, &b),
            (None, None) => true,
            _ => false,
        };
        if !key_eq(&schema.partition_key, &first.partition_key) || !same_sort {
            return conflict("their primary keys are different attributes".to_owned());
        }
        for definition in schema.attribute_definitions() {
            match definitions
                .iter()
                .find(|d| d.attribute_name == definition.attribute_name)
            {
                Some(d) if d.attribute_type != definition.attribute_type => {
                    return conflict(format!(
                        "key attribute `{}` has two types",
                        d.attribute_name
                    ));
                }
                Some(_) => {}
                None => definitions.push(definition),
            }
        }
        for index in schema.indexes {
            match indexes.iter().find(|i| i.name == index.name) {
                Some(known) => {
                    let same_sort = match (known.sort_key, index.sort_key) {
                        (Some(a), Some(b)) => key_eq(&a, &b),
                        (None, None) => true,
                        _ => false,
                    };
                    if known.kind != index.kind
                        || !key_eq(&known.partition_key, &index.partition_key)
                        || !same_sort
                    {
                        return conflict(format!(
                            "index `{}` is declared with different keys",
                            index.name
                        ));
                    }
                }
                None => indexes.push(*index),
            }
        }
        match (ttl, schema.lifecycle.ttl) {
            (Some(a), Some(b)) if a != b => {
                return conflict(format!("TTL attributes `{a}` and `{b}`"));
            }
            (None, Some(b)) => ttl = Some(b),
            _ => {}
        }
    }
    let mut input = CreateTableInput::new(first.table_name, first.key_schema(), definitions);
    let index_keys = IndexSchema::key_schema;
    let global: Vec<_> = indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Global)
        .map(|i| GlobalSecondaryIndex {
            index_name: i.name.to_owned(),
            key_schema: index_keys(i),
            projection: Projection::all(),
            provisioned_throughput: None,
        })
        .collect();
    let local: Vec<_> = indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Local)
        .map(|i| LocalSecondaryIndex {
            index_name: i.name.to_owned(),
            key_schema: index_keys(i),
            projection: Projection::all(),
        })
        .collect();
    input.global_secondary_indexes = (!global.is_empty()).then_some(global);
    input.local_secondary_indexes = (!local.is_empty()).then_some(local);
    Ok((input, ttl))
}

/// Keeps the items of `schema`'s entity type, for types that share a table.
fn entity_filter(schema: &crate::item::TableSchema) -> Option<Condition> {
    schema.entity.map(|entity| Condition::Compare {
        left: Operand::Path(Path::attribute(entity.attribute)),
        op: crate::expr::Comparator::Eq,
        right: Operand::Value(AttributeValue::S(entity.name.to_owned())),
    })
}

/// A pending query; await it for the matching items, or call
/// [`Query::page`] for one page and a cursor to the next.
#[must_use = "a query does nothing until it is awaited"]
pub struct Query<'a, T> {
    client: &'a Client,
    table: &'static str,
    index: Option<&'static str>,
    key_condition: KeyCondition,
    filter: Option<Condition>,
    /// Reads one item; `None` skips it (a collection's unknown entity type).
    decode: fn(AttributeMap) -> std::result::Result<Option<T>, AttributeError>,
    limit: Option<usize>,
    /// Items evaluated per request (DynamoDB's `Limit`).
    page_size: Option<usize>,
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

    /// Evaluate at most `n` items per request (DynamoDB's `Limit`): smaller
    /// pages for [`Query::page`], and more, smaller requests for `await`
    /// and [`Query::stream`].
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = Some(n.max(1));
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

    fn input(&self, limit: Option<usize>, start: Option<AttributeMap>) -> QueryInput {
        let mut input = QueryInput::new(self.table, self.key_condition.clone());
        input.index_name = self.index.map(str::to_owned);
        input.filter = self.filter.clone();
        input.scan_index_forward = Some(self.forward);
        input.consistent_read = self.consistent.then_some(true);
        let per_request = match (limit, self.page_size) {
            (Some(l), Some(p)) => Some(l.min(p)),
            (l, p) => l.or(p),
        };
        input.limit = per_request.map(|r| i32::try_from(r).unwrap_or(i32::MAX));
        input.exclusive_start_key = start;
        input
    }

    /// One request: at most `limit` items (when set) and a cursor to the rest.
    pub async fn page(mut self) -> Result<Page<T>> {
        let start = self.after.take();
        let output = self
            .client
            .backend
            .query(self.input(self.limit, start))
            .await?;
        let mut items = Vec::new();
        for item in output.items.unwrap_or_default() {
            items.extend((self.decode)(item)?);
        }
        Ok(Page {
            items,
            next: output.last_evaluated_key.map(Cursor),
        })
    }
}

impl<'a, T> Query<'a, T> {
    /// The matching items as a stream, fetched one page at a time as it is
    /// consumed (at most `limit` items when set).
    ///
    /// ```
    /// # async fn f<T>(query: dynamo_core::Query<'_, T>) -> dynamo_core::Result<usize> {
    /// let mut items = query.stream();
    /// let mut count = 0;
    /// while let Some(item) = items.next().await {
    ///     let _item: T = item?;
    ///     count += 1;
    /// }
    /// # Ok(count) }
    /// ```
    pub fn stream(mut self) -> QueryStream<'a, T> {
        let start = self.after.take();
        QueryStream {
            query: self,
            buffer: std::collections::VecDeque::new(),
            pending: None,
            start,
            done: false,
            returned: 0,
        }
    }
}

/// The items of a query as a [`futures_core::Stream`]; see [`Query::stream`].
#[must_use = "a stream does nothing until it is polled"]
pub struct QueryStream<'a, T> {
    query: Query<'a, T>,
    buffer: std::collections::VecDeque<AttributeMap>,
    pending: Option<BoxFuture<'a, Result<QueryOutput>>>,
    start: Option<AttributeMap>,
    done: bool,
    returned: usize,
}

impl<T> QueryStream<'_, T> {
    /// The next item, `None` at the end (for callers without a stream
    /// combinator library).
    pub async fn next(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

impl<T> futures_core::Stream for QueryStream<'_, T> {
    type Item = Result<T>;

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<T>>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            if this.query.limit.is_some_and(|l| this.returned >= l) {
                return Poll::Ready(None);
            }
            if let Some(item) = this.buffer.pop_front() {
                match (this.query.decode)(item) {
                    Ok(Some(value)) => {
                        this.returned += 1;
                        return Poll::Ready(Some(Ok(value)));
                    }
                    Ok(None) => continue,
                    Err(e) => {
                        this.done = true;
                        this.buffer.clear();
                        return Poll::Ready(Some(Err(e.into())));
                    }
                }
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.pending.is_none() {
                let remaining = this.query.limit.map(|l| l - this.returned);
                let input = this.query.input(remaining, this.start.take());
                let backend = &*this.query.client.backend;
                this.pending = Some(Box::pin(async move { backend.query(input).await }));
            }
            let Some(pending) = this.pending.as_mut() else {
                continue;
            };
            match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    this.pending = None;
                    match result {
                        Ok(page) => {
                            this.buffer.extend(page.items.unwrap_or_default());
                            this.start = page.last_evaluated_key;
                            this.done = this.start.is_none();
                        }
                        Err(e) => {
                            this.done = true;
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                }
            }
        }
    }
}

impl<'a, T: Send + 'a> IntoFuture for Query<'a, T> {
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
                    items.extend((this.decode)(item)?);
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
