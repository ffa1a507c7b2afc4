//! `db.find::<T>()`: the builder of a planned read, its statistics cache,
//! and the stream of its items.

use super::execute::Executor;
use super::plan::{FindRequest, Plan};
use super::statistics::{PartitionSample, SAMPLE_ENTRIES, TableStatistics, partition_keys};
use super::{FindError, PlanError, Plannable};
use crate::client::Client;
use crate::expr::{Path as ExprPath, Projection};
use crate::item::{AttributeError, CollectionMember, Item};
use crate::ops::{DescribeTableInput, ScanInput};
use crate::schema::KeySchemaElement;
use crate::typed_path::{Cond, Path};
use crate::value::AttributeMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long table statistics are used before DescribeTable is asked again.
pub const STATISTICS_MAX_AGE: Duration = Duration::from_secs(300);

struct Cached {
    backend: usize,
    table: &'static str,
    fetched: Instant,
    statistics: Arc<TableStatistics>,
    // Keeps the backend alive while its entry lives, so no other backend
    // can be allocated at the same address and read these statistics.
    _pin: Client,
}

static CACHE: Mutex<Vec<Cached>> = Mutex::new(Vec::new());

fn address(client: &Client) -> usize {
    (client.backend() as *const dyn crate::backend::Backend).cast::<()>() as usize
}

/// The statistics of `table` as `client` last fetched them, unless older
/// than [`STATISTICS_MAX_AGE`] (old entries are dropped).
fn cached(client: &Client, table: &'static str) -> Option<Arc<TableStatistics>> {
    let mut cache = CACHE.lock().ok()?;
    cache.retain(|c| c.fetched.elapsed() < STATISTICS_MAX_AGE);
    let backend = address(client);
    cache
        .iter()
        .find(|c| c.backend == backend && c.table == table)
        .map(|c| c.statistics.clone())
}

/// Fetches the statistics of `table` with DescribeTable and caches them.
pub(crate) async fn refresh(
    client: &Client,
    table: &'static str,
) -> crate::error::Result<Arc<TableStatistics>> {
    let description = client
        .retrying()
        .describe_table(DescribeTableInput {
            table_name: table.to_owned(),
        })
        .await?
        .table;
    let mut statistics = TableStatistics::from_description(&description);
    if statistics.item_count > 0 {
        statistics.partitions = sample(
            client,
            table,
            None,
            &partition_keys(&description.key_schema),
        )
        .await;
        let schemas: Vec<(&str, &[KeySchemaElement])> = description
            .global_secondary_indexes
            .iter()
            .flatten()
            .map(|i| (i.index_name.as_str(), i.key_schema.as_slice()))
            .chain(
                description
                    .local_secondary_indexes
                    .iter()
                    .flatten()
                    .map(|i| (i.index_name.as_str(), i.key_schema.as_slice())),
            )
            .collect();
        for index in &mut statistics.indexes {
            if index.item_count == 0 {
                continue;
            }
            if let Some((_, keys)) = schemas.iter().find(|(name, _)| *name == index.name) {
                index.partitions =
                    sample(client, table, Some(&index.name), &partition_keys(keys)).await;
            }
        }
    }
    let statistics = Arc::new(statistics);
    if let Ok(mut cache) = CACHE.lock() {
        let backend = address(client);
        cache.retain(|c| !(c.backend == backend && c.table == table));
        cache.push(Cached {
            backend,
            table,
            fetched: Instant::now(),
            statistics: statistics.clone(),
            _pin: client.clone(),
        });
    }
    Ok(statistics)
}

/// One Scan page of the table or `index`, read for its partitions. A
/// failed sample (a caller allowed Query but not Scan, say) leaves the
/// estimate to the fallback instead of failing the find.
async fn sample(
    client: &Client,
    table: &'static str,
    index: Option<&str>,
    partition_keys: &[&str],
) -> Option<PartitionSample> {
    let mut input = ScanInput::new(table);
    input.index_name = index.map(str::to_owned);
    input.limit = i32::try_from(SAMPLE_ENTRIES).ok();
    input.projection = Some(Projection {
        paths: partition_keys
            .iter()
            .map(|k| ExprPath::attribute(*k))
            .collect(),
    });
    let out = client.retrying().scan(input).await.ok()?;
    let entries = out.items.unwrap_or_default();
    Some(PartitionSample::of(
        &entries,
        partition_keys,
        out.last_evaluated_key.is_some(),
    ))
}

/// The statistics of `table`, cached or fetched.
pub(crate) async fn statistics(
    client: &Client,
    table: &'static str,
) -> crate::error::Result<Arc<TableStatistics>> {
    match cached(client, table) {
        Some(s) => Ok(s),
        None => refresh(client, table).await,
    }
}

/// A planned read of items of `T`, built by [`Client::find`]: say what you
/// want with [`Find::matching`], and the planner picks GetItem,
/// BatchGetItem, a Query of the table or the best index, or (with
/// [`Find::allow_scan`]) a Scan. [`Find::explain`] shows the plan and its
/// cost without reading items; [`Find::plan_with`] plans with given
/// statistics and no I/O (see the [module example](super)). With the
/// derive, a read looks like
/// `db.find::<Order>().matching(Order::STATUS.eq("open").and(Order::PLACED_AT.ge(100u64))).order_by(Order::PLACED_AT).descending().all().await?`.
#[must_use = "a find does nothing until it is executed or explained"]
pub struct Find<'a, T, O = T> {
    client: &'a Client,
    request: FindRequest,
    error: Option<AttributeError>,
    statistics: Option<Arc<TableStatistics>>,
    page_size: Option<usize>,
    decode: Decode<O>,
    marker: PhantomData<fn() -> T>,
}

/// Reads one item as what a find returns; `Ok(None)` skips it.
type Decode<O> = fn(AttributeMap) -> Result<Option<O>, AttributeError>;

fn decode_item<T: Item>(item: AttributeMap) -> Result<Option<T>, AttributeError> {
    T::from_item(item).map(Some)
}

fn decode_attributes(item: AttributeMap) -> Result<Option<AttributeMap>, AttributeError> {
    Ok(Some(item))
}

impl<'a, T: Plannable> Find<'a, T> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self {
            client,
            request: FindRequest {
                consistent: client.consistency() == crate::client::Consistency::Strong,
                ..FindRequest::default()
            },
            error: None,
            statistics: None,
            page_size: None,
            decode: decode_item::<T>,
            marker: PhantomData,
        }
    }

    /// The same find over the collection `C` (see [`Client::find_in`]).
    pub(crate) fn in_collection<C: CollectionMember<T>>(self) -> Find<'a, T, C> {
        let Self {
            client,
            mut request,
            error,
            statistics,
            page_size,
            ..
        } = self;
        // Members without an entity type cannot be told apart by a filter:
        // then every item of the partitions is read and C decides.
        let names: Option<Vec<&'static str>> = C::MEMBERS
            .iter()
            .map(|m| m.entity.map(|e| e.name))
            .collect();
        request.collection = Some(names.unwrap_or_default());
        Find {
            client,
            request,
            error,
            statistics,
            page_size,
            decode: C::from_collection_item,
            marker: PhantomData,
        }
    }
}

impl<'a, T: Plannable, O> Find<'a, T, O> {
    /// Only items for which `predicate` holds; several calls must all hold.
    pub fn matching(mut self, predicate: Cond<T>) -> Self {
        match predicate.into_condition() {
            Ok(c) => {
                self.request.predicate = Some(match self.request.predicate.take() {
                    Some(p) => p.and(c),
                    None => c,
                });
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Items in the order of `path` (ascending unless [`Find::descending`]):
    /// the plan must read an index sorted by it.
    pub fn order_by<V, P>(mut self, path: Path<T, V, P>) -> Self {
        let path = path.to_expr();
        self.request.order_by = Some(match path.elements.as_slice() {
            [_] => path.top().to_owned(),
            _ => path.to_string(),
        });
        self
    }

    /// Descending order (of [`Find::order_by`], or of the index read).
    pub fn descending(mut self) -> Self {
        self.request.descending = true;
        self
    }

    /// Ascending order (the default).
    pub fn ascending(mut self) -> Self {
        self.request.descending = false;
        self
    }

    /// At most `n` items.
    pub fn limit(mut self, n: usize) -> Self {
        self.request.limit = Some(n);
        self
    }

    /// Only these top-level attributes; read them with
    /// [`Find::execute_attributes`] (items of `T` need all their fields).
    pub fn project<S: Into<String>>(mut self, attributes: impl IntoIterator<Item = S>) -> Self {
        self.request.projection = Some(attributes.into_iter().map(Into::into).collect());
        self
    }

    /// Strongly consistent reads (global secondary indexes cannot serve
    /// them). Without this or [`Find::eventual`], reads use the client's
    /// consistency.
    pub fn consistent(mut self) -> Self {
        self.request.consistent = true;
        self
    }

    /// Eventually consistent reads, whatever the client's default.
    pub fn eventual(mut self) -> Self {
        self.request.consistent = false;
        self
    }

    /// Allow a Scan when no key serves the predicate.
    pub fn allow_scan(mut self) -> Self {
        self.request.allow_scan = true;
        self
    }

    /// When the plan is a Scan, read it in `n` parallel segments (at most
    /// [`MAX_SEGMENTS`](super::MAX_SEGMENTS)) instead of the planner's
    /// choice of one per [`SEGMENT_BYTES`](super::SEGMENT_BYTES) of table.
    pub fn scan_segments(mut self, n: u32) -> Self {
        self.request.segments = Some(n.clamp(1, super::MAX_SEGMENTS));
        self
    }

    /// Fail instead of leaving any predicate to a filter.
    pub fn strict(mut self) -> Self {
        self.request.strict = true;
        self
    }

    /// Plan with these statistics instead of DescribeTable's.
    pub fn with_statistics(mut self, statistics: TableStatistics) -> Self {
        self.statistics = Some(Arc::new(statistics));
        self
    }

    /// Evaluate at most `n` items per request (DynamoDB's `Limit`).
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = Some(n.max(1));
        self
    }

    /// What the planner is asked.
    pub fn request(&self) -> &FindRequest {
        &self.request
    }

    /// The plan with `statistics`, without I/O.
    pub fn plan_with(&self, statistics: &TableStatistics) -> Result<Plan, PlanError> {
        if let Some(e) = &self.error {
            return Err(PlanError::Attribute(e.clone()));
        }
        super::plan::<T>(&self.request, statistics)
    }

    /// The plan, with statistics from DescribeTable (cached for
    /// [`STATISTICS_MAX_AGE`]).
    pub async fn explain(&self) -> Result<Plan, FindError> {
        let statistics = match &self.statistics {
            Some(s) => s.clone(),
            None => statistics(self.client, T::SCHEMA.table_name).await?,
        };
        Ok(self.plan_with(&statistics)?)
    }

    fn stream<R>(self, decode: Decode<R>) -> FindStream<R> {
        let client = self.client.clone();
        let Self {
            request,
            error,
            statistics: known,
            page_size,
            ..
        } = self;
        // A function pointer, so the stream does not depend on `T`.
        let planner: fn(&FindRequest, &TableStatistics) -> Result<Plan, PlanError> =
            super::plan::<T>;
        let table = T::SCHEMA.table_name;
        let start: StepFuture = Box::pin(async move {
            let planned = async {
                if let Some(e) = error {
                    return Err(FindError::Plan(PlanError::Attribute(e)));
                }
                let statistics = match known {
                    Some(s) => s,
                    None => statistics(&client, table).await?,
                };
                Ok(planner(&request, &statistics)?)
            };
            let plan = match planned.await {
                Ok(plan) => plan,
                Err(e) => return (None, Some(Err(e))),
            };
            let mut executor = Executor::new(client, plan, page_size);
            let item = executor.next().await;
            (Some(executor), item)
        });
        FindStream {
            pending: Some(start),
            executor: None,
            decode,
        }
    }

    /// The items, read page by page as the stream is consumed.
    pub fn execute(self) -> FindStream<O> {
        let decode = self.decode;
        self.stream(decode)
    }

    /// The items' attributes (what [`Find::project`] asks for).
    pub fn execute_attributes(self) -> FindStream<AttributeMap> {
        self.stream(decode_attributes)
    }

    /// Every item.
    pub async fn all(self) -> Result<Vec<O>, FindError> {
        let mut stream = self.execute();
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            out.push(item?);
        }
        Ok(out)
    }

    /// How many items the predicate selects.
    pub async fn count(self) -> Result<usize, FindError> {
        let mut stream = self.execute_attributes();
        let mut n = 0;
        while let Some(item) = stream.next().await {
            item?;
            n += 1;
        }
        Ok(n)
    }

    /// The first item, in the plan's order.
    pub async fn first(self) -> Result<Option<O>, FindError> {
        self.limit(1).execute().next().await.transpose()
    }

    /// Whether any item matches.
    pub async fn exists(self) -> Result<bool, FindError> {
        Ok(self
            .limit(1)
            .execute_attributes()
            .next()
            .await
            .transpose()?
            .is_some())
    }
}

type Step = (Option<Executor>, Option<Result<AttributeMap, FindError>>);
type StepFuture = Pin<Box<dyn Future<Output = Step> + Send>>;

/// The items of a [`Find`], as a [`futures_core::Stream`]; the plan is made
/// when it is first polled.
#[must_use = "a stream does nothing until it is polled"]
pub struct FindStream<O> {
    pending: Option<StepFuture>,
    executor: Option<Executor>,
    decode: Decode<O>,
}

impl<O> FindStream<O> {
    /// The next item, `None` at the end.
    pub async fn next(&mut self) -> Option<Result<O, FindError>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }

    /// The read units DynamoDB reported for the requests sent so far.
    pub fn consumed_read_units(&self) -> f64 {
        self.executor.as_ref().map_or(0.0, |e| e.consumed)
    }
}

impl<O> futures_core::Stream for FindStream<O> {
    type Item = Result<O, FindError>;

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = self.get_mut();
        // Items the decoder skips (of a type a collection leaves out) are
        // passed over; each turn of the loop reads one item.
        loop {
            if this.pending.is_none() {
                let Some(mut executor) = this.executor.take() else {
                    return Poll::Ready(None);
                };
                this.pending = Some(Box::pin(async move {
                    let item = executor.next().await;
                    (Some(executor), item)
                }));
            }
            let Some(pending) = this.pending.as_mut() else {
                return Poll::Ready(None);
            };
            let Poll::Ready((executor, item)) = pending.as_mut().poll(cx) else {
                return Poll::Pending;
            };
            this.pending = None;
            this.executor = executor;
            let decoded = match item {
                None => return Poll::Ready(None),
                Some(Err(e)) => Err(e),
                Some(Ok(item)) => (this.decode)(item).map_err(|e| FindError::Request(e.into())),
            };
            match decoded {
                Ok(None) => continue,
                Ok(Some(o)) => return Poll::Ready(Some(Ok(o))),
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}
