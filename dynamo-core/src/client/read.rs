//! Reading many items: typed queries and scans, their pages and cursors,
//! and the stream of their items. A [`Query`] is one reader for both: its
//! source is a key condition (Query) or the whole table or index (Scan).

use super::{BoxFuture, Client, Consistency, KeyQuery};
use crate::backend::Backend;
use crate::error::{Error, Result, UndecodableItem};
use crate::expr::{Comparator, Condition, KeyCondition, Operand, Path};
use crate::item::{AttributeError, CollectionMember, IndexKind, Item, TableSchema};
use crate::ops::{QueryInput, ScanInput, Select};
use crate::typed_path::Cond;
use crate::value::{AttributeMap, AttributeValue};
use std::future::IntoFuture;
use std::pin::Pin;

impl Client {
    /// Reads the items of one partition, in sort-key order.
    pub fn query<T: Item, S>(&self, query: KeyQuery<T, S>) -> Query<'_, T> {
        Query::new(
            self,
            &T::SCHEMA,
            query.index(),
            Source::Query(query.key_condition()),
            entity_filter(&T::SCHEMA),
            |item| T::from_item(item).map(Some),
        )
    }

    /// Reads every item of the partition `query` selects, whatever its
    /// entity type, as the collection `C` (an enum deriving
    /// `dynamo::Collection` that lists `T`). Sort-key conditions of `query`
    /// still apply; its entity's implicit sort-key prefix does not.
    pub fn collection<C: CollectionMember<T>, T: Item, S>(
        &self,
        query: KeyQuery<T, S>,
    ) -> Query<'_, C> {
        Query::new(
            self,
            &T::SCHEMA,
            query.index(),
            Source::Query(query.explicit_condition()),
            None,
            C::from_collection_item,
        )
    }

    /// Reads every item of type `T` in its table, in no particular order
    /// (DynamoDB's Scan); narrow it with [`Query::filter`], split it with
    /// [`Query::segment`] for parallel workers.
    pub fn scan<T: Item>(&self) -> Query<'_, T> {
        Query::new(
            self,
            &T::SCHEMA,
            None,
            Source::Scan { segment: None },
            entity_filter(&T::SCHEMA),
            |item| T::from_item(item).map(Some),
        )
    }
}

/// Keeps the items of `schema`'s entity type, for types that share a table.
fn entity_filter(schema: &TableSchema) -> Option<Condition> {
    schema.entity.map(|entity| Condition::Compare {
        left: Operand::Path(Path::attribute(entity.attribute)),
        op: Comparator::Eq,
        right: Operand::Value(AttributeValue::S(entity.name.to_owned())),
    })
}

/// Where a reader's items come from.
enum Source {
    /// The items matching a key condition.
    Query(KeyCondition),
    /// Every item, or one segment `(segment, total)` of a parallel scan.
    Scan { segment: Option<(u32, u32)> },
}

/// A pending query or scan; await it for the matching items, call
/// [`Query::page`] for one page and a cursor to the next, or
/// [`Query::stream`] for the items as they are fetched.
#[must_use = "a query does nothing until it is awaited"]
pub struct Query<'a, T> {
    client: &'a Client,
    table: &'static str,
    /// The table's partition and sort key attributes, to name an item
    /// that cannot be read.
    key_names: [Option<&'static str>; 2],
    /// Skip (and report) items that cannot be read instead of failing.
    lenient: bool,
    /// Ask for `Select: COUNT` (no items).
    count_only: bool,
    index: Option<&'static str>,
    source: Source,
    filter: Option<Condition>,
    /// A typed filter's value that could not be converted, reported when
    /// the request is sent.
    filter_error: Option<AttributeError>,
    /// Reads one item; `None` skips it (a collection's unknown entity type).
    decode: fn(AttributeMap) -> std::result::Result<Option<T>, AttributeError>,
    limit: Option<usize>,
    /// Items evaluated per request (DynamoDB's `Limit`).
    page_size: Option<usize>,
    forward: bool,
    /// `None`: the client's default, or eventual on a global secondary
    /// index (which serves no other).
    consistency: Option<Consistency>,
    /// What `None` means for this reader.
    default_consistency: Consistency,
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
    /// The items of this page that could not be read, with why: always
    /// empty unless the query is [`Query::lenient`] (a strict query fails
    /// with [`Error::Undecodable`] instead).
    pub skipped: Vec<UndecodableItem>,
}

/// What a [`LenientQuery`] read: the items, and those it skipped.
#[derive(Debug)]
pub struct Lenient<T> {
    /// The items that could be read.
    pub items: Vec<T>,
    /// The items that could not, each naming its table, key and attribute.
    pub skipped: Vec<UndecodableItem>,
}

/// A query that skips items its type cannot read and reports them; see
/// [`Query::lenient`]. Await it for all items, or call
/// [`LenientQuery::page`].
#[must_use = "a query does nothing until it is awaited"]
pub struct LenientQuery<'a, T>(Query<'a, T>);

impl<'a, T> LenientQuery<'a, T> {
    /// One request, as [`Query::page`]; unreadable items go to
    /// [`Page::skipped`].
    pub async fn page(self) -> Result<Page<T>> {
        self.0.page().await
    }
}

impl<'a, T: Send + 'a> IntoFuture for LenientQuery<'a, T> {
    type Output = Result<Lenient<T>>;
    type IntoFuture = BoxFuture<'a, Result<Lenient<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (items, skipped) = self.0.read_all().await?;
            Ok(Lenient { items, skipped })
        })
    }
}

/// The raw result of one request: items, where to continue, and how
/// many items matched (DynamoDB's `Count`).
type Fetched = (Vec<AttributeMap>, Option<AttributeMap>, u64);

impl<'a, T> Query<'a, T> {
    fn new(
        client: &'a Client,
        schema: &TableSchema,
        index: Option<&'static str>,
        source: Source,
        filter: Option<Condition>,
        decode: fn(AttributeMap) -> std::result::Result<Option<T>, AttributeError>,
    ) -> Self {
        let global_index = index.is_some_and(|name| {
            schema
                .indexes
                .iter()
                .any(|i| i.name == name && i.kind == IndexKind::Global)
        });
        Self {
            client,
            table: schema.table_name,
            key_names: [
                Some(schema.partition_key.name),
                schema.sort_key.map(|k| k.name),
            ],
            lenient: false,
            count_only: false,
            index,
            source,
            filter,
            filter_error: None,
            decode,
            limit: None,
            page_size: None,
            forward: true,
            consistency: None,
            default_consistency: if global_index {
                Consistency::Eventual
            } else {
                client.consistency
            },
            after: None,
        }
    }

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

    /// Return items in descending sort-key order (queries; a scan has no
    /// order).
    pub fn reverse(mut self) -> Self {
        self.forward = false;
        self
    }

    /// Read with strong consistency (a global secondary index refuses it
    /// with a ValidationException).
    pub fn consistent(self) -> Self {
        self.consistency(Consistency::Strong)
    }

    /// Read with eventual consistency, whatever the client's default.
    pub fn eventual(self) -> Self {
        self.consistency(Consistency::Eventual)
    }

    /// Read with `consistency`.
    pub fn consistency(mut self, consistency: Consistency) -> Self {
        self.consistency = Some(consistency);
        self
    }

    /// Continue after the page that returned `cursor`.
    pub fn after(mut self, cursor: Cursor) -> Self {
        self.after = Some(cursor.0);
        self
    }

    /// Return only the items for which `condition` holds (a filter
    /// expression: DynamoDB still reads, and `limit` and `page_size` still
    /// count, the items it drops).
    pub fn filter(mut self, condition: Cond<T>) -> Self {
        match condition.into_condition() {
            Ok(c) => {
                self.filter = Some(match self.filter.take() {
                    Some(f) => f.and(c),
                    None => c,
                });
            }
            Err(e) => {
                self.filter_error.get_or_insert(e);
            }
        }
        self
    }

    /// Read only segment `segment` of `total` (a parallel scan: run one
    /// reader per segment). No effect on a query.
    pub fn segment(mut self, segment: u32, total: u32) -> Self {
        if let Source::Scan { segment: s } = &mut self.source {
            *s = Some((segment, total));
        }
        self
    }

    /// One request for at most `limit` items, from `start`.
    fn fetch(
        &self,
        limit: Option<usize>,
        start: Option<AttributeMap>,
    ) -> BoxFuture<'a, Result<Fetched>> {
        let per_request = match (limit, self.page_size) {
            (Some(l), Some(p)) => Some(l.min(p)),
            (l, p) => l.or(p),
        }
        .map(|r| i32::try_from(r).unwrap_or(i32::MAX));
        let backend = &*self.client.backend;
        let consistent_read = self
            .consistency
            .unwrap_or(self.default_consistency)
            .consistent_read();
        let select = self.count_only.then_some(Select::Count);
        if let Some(e) = &self.filter_error {
            let e = e.clone();
            return Box::pin(async move { Err(e.into()) });
        }
        match &self.source {
            Source::Query(condition) => {
                let mut input = QueryInput::new(self.table, condition.clone());
                input.index_name = self.index.map(str::to_owned);
                input.filter = self.filter.clone();
                input.scan_index_forward = Some(self.forward);
                input.consistent_read = consistent_read;
                input.limit = per_request;
                input.exclusive_start_key = start;
                input.select = select;
                Box::pin(async move {
                    let out = backend.query(input).await?;
                    let count = u64::try_from(out.count).unwrap_or(0);
                    Ok((out.items.unwrap_or_default(), out.last_evaluated_key, count))
                })
            }
            Source::Scan { segment } => {
                let mut input = ScanInput::new(self.table);
                input.index_name = self.index.map(str::to_owned);
                input.filter = self.filter.clone();
                input.consistent_read = consistent_read;
                input.limit = per_request;
                input.exclusive_start_key = start;
                if let Some((segment, total)) = segment {
                    input.segment = Some(i32::try_from(*segment).unwrap_or(i32::MAX));
                    input.total_segments = Some(i32::try_from(*total).unwrap_or(i32::MAX));
                }
                input.select = select;
                Box::pin(async move {
                    let out = backend.scan(input).await?;
                    let count = u64::try_from(out.count).unwrap_or(0);
                    Ok((out.items.unwrap_or_default(), out.last_evaluated_key, count))
                })
            }
        }
    }

    /// One request: at most `limit` items (when set) and a cursor to the rest.
    pub async fn page(mut self) -> Result<Page<T>> {
        let start = self.after.take();
        let (raw, next, _) = self.fetch(self.limit, start).await?;
        let mut items = Vec::new();
        let mut skipped = Vec::new();
        for item in raw {
            items.extend(self.read(item, &mut skipped)?);
        }
        Ok(Page {
            items,
            next: next.map(Cursor),
            skipped,
        })
    }

    /// Skip the items `T` cannot read (an attribute missing or of another
    /// type, e.g. written by another program) instead of failing on the
    /// first: the query's answers list them with their key and why.
    ///
    /// ```
    /// # async fn f<T: Send>(query: dynamo_core::Query<'_, T>) -> dynamo_core::Result<()> {
    /// let read = query.lenient().await?;
    /// for bad in &read.skipped {
    ///     eprintln!("skipped {bad}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn lenient(mut self) -> LenientQuery<'a, T> {
        self.lenient = true;
        LenientQuery(self)
    }

    /// Decodes one fetched item: `None` for an item skipped (a
    /// collection's unknown entity type, or an unreadable item of a
    /// lenient query, recorded in `skipped`).
    fn read(&self, item: AttributeMap, skipped: &mut Vec<UndecodableItem>) -> Result<Option<T>> {
        let key: AttributeMap = self
            .key_names
            .iter()
            .flatten()
            .filter_map(|name| item.get(*name).map(|v| ((*name).to_owned(), v.clone())))
            .collect();
        match (self.decode)(item) {
            Ok(value) => Ok(value),
            Err(source) => {
                let bad = UndecodableItem {
                    table: self.table.to_owned(),
                    key,
                    source,
                };
                if self.lenient {
                    skipped.push(bad);
                    Ok(None)
                } else {
                    Err(Error::Undecodable(Box::new(bad)))
                }
            }
        }
    }

    /// How many items match, counted by DynamoDB (`Select: COUNT`, page
    /// by page) without returning them: the entity-type filter and
    /// [`Query::filter`] still apply, `limit` does not (a count reads every
    /// match; [`Query::page_size`] still sizes its requests).
    ///
    /// ```
    /// # async fn f<T>(query: dynamo_core::Query<'_, T>) -> dynamo_core::Result<()> {
    /// let n: u64 = query.count().await?;
    /// # Ok(()) }
    /// ```
    pub async fn count(mut self) -> Result<u64> {
        self.count_only = true;
        let mut total = 0u64;
        let mut start = self.after.take();
        loop {
            let (_, next, count) = self.fetch(None, start.take()).await?;
            total += count;
            match next {
                Some(key) => start = Some(key),
                None => return Ok(total),
            }
        }
    }

    /// Every matching item (at most `limit`), and those skipped.
    async fn read_all(mut self) -> Result<(Vec<T>, Vec<UndecodableItem>)> {
        let mut items = Vec::new();
        let mut skipped = Vec::new();
        let mut start: Option<AttributeMap> = self.after.take();
        loop {
            let remaining = self.limit.map(|l| l.saturating_sub(items.len()));
            if remaining == Some(0) {
                break;
            }
            let (raw, next, _) = self.fetch(remaining, start.take()).await?;
            for item in raw {
                items.extend(self.read(item, &mut skipped)?);
            }
            match next {
                Some(key) => start = Some(key),
                None => break,
            }
        }
        Ok((items, skipped))
    }

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
    pending: Option<BoxFuture<'a, Result<Fetched>>>,
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
                // A stream is never lenient: `lenient()` makes another type.
                match this.query.read(item, &mut Vec::new()) {
                    Ok(Some(value)) => {
                        this.returned += 1;
                        return Poll::Ready(Some(Ok(value)));
                    }
                    Ok(None) => continue,
                    Err(e) => {
                        this.done = true;
                        this.buffer.clear();
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
            if this.done {
                return Poll::Ready(None);
            }
            let pending = match &mut this.pending {
                Some(pending) => pending,
                None => {
                    let remaining = this.query.limit.map(|l| l - this.returned);
                    let start = this.start.take();
                    this.pending.insert(this.query.fetch(remaining, start))
                }
            };
            match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    this.pending = None;
                    match result {
                        Ok((items, next, _)) => {
                            this.buffer.extend(items);
                            this.done = next.is_none();
                            this.start = next;
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
        Box::pin(async move { Ok(self.read_all().await?.0) })
    }
}
