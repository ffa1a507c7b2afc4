//! The engine: a catalog of tables, the clock, the TTL sweeper, and the
//! `Backend` implementation that dispatches each operation to its executor
//! in `exec`, through `guard` (the fault plan and capacity enforcement).

use crate::clock::{Clock, SystemClock};
use crate::durable::{Durable, Entry, OpenError};
use crate::exec;
use crate::faults::{FaultPlan, Faults};
use crate::guard;
use crate::in_flight::{Tokens, TransactionGate, TransactionHold};
use crate::log::Retention;
use crate::table::Table;
use async_trait::async_trait;
use dynamo_core::ops::*;
use dynamo_core::{Backend, Error, Result};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};
use std::time::{Duration, UNIX_EPOCH};

/// How an [`Engine`] is set up.
pub struct EngineOptions {
    /// Where time comes from (TTL expiry, creation times).
    pub clock: Arc<dyn Clock>,
    /// How often a background thread deletes expired items; `None` runs no
    /// thread (call [`Engine::sweep_expired`] yourself).
    pub ttl_sweep_interval: Option<Duration>,
    /// What each table's change log keeps (nothing by default).
    pub change_log: Retention,
    /// How far behind the latest commit eventually consistent reads may be:
    /// each table's replicas apply commits between half this and all of it
    /// later. Zero (the default) makes every read see the latest commit.
    pub replica_lag: Duration,
    /// Replica lag for the tables of these names, instead of
    /// `replica_lag` (applied when a table of that name is created).
    pub table_replica_lag: BTreeMap<String, Duration>,
    /// Seeds the generator that sets replica delays and chooses the
    /// replica of each eventual read, and the fault plan's draws, so runs
    /// repeat.
    pub seed: u64,
    /// Faults to inject (none by default); changeable later through
    /// [`Engine::faults`].
    pub faults: FaultPlan,
    /// Throttle tables in PROVISIONED billing mode above their read and
    /// write capacity, with 300 seconds of burst (off by default).
    pub enforce_capacity: bool,
    /// Whether TransactWriteItems stay in flight between prepare and
    /// commit, so that conflicts with them can be seen (none by default).
    pub transaction_hold: TransactionHold,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            ttl_sweep_interval: Some(Duration::from_secs(1)),
            change_log: Retention::default(),
            replica_lag: Duration::ZERO,
            table_replica_lag: BTreeMap::new(),
            seed: 0,
            faults: FaultPlan::new(),
            enforce_capacity: false,
            transaction_hold: TransactionHold::None,
        }
    }
}

impl std::fmt::Debug for EngineOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineOptions")
            .field("ttl_sweep_interval", &self.ttl_sweep_interval)
            .field("change_log", &self.change_log)
            .field("replica_lag", &self.replica_lag)
            .field("table_replica_lag", &self.table_replica_lag)
            .field("seed", &self.seed)
            .field("faults", &self.faults)
            .field("enforce_capacity", &self.enforce_capacity)
            .field("transaction_hold", &self.transaction_hold)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    catalog: RwLock<BTreeMap<String, Arc<Table>>>,
    clock: Arc<dyn Clock>,
    change_log: Retention,
    replica_lag: Duration,
    table_replica_lag: BTreeMap<String, Duration>,
    seed: u64,
    faults: Faults,
    /// Provisioned-throughput buckets, when enforcement is on.
    throughput: Option<crate::throughput::Throughput>,
    region: String,
    account_id: String,
    next_id: AtomicU64,
    /// TransactWriteItems client tokens.
    tokens: Tokens,
    transaction_hold: Mutex<TransactionHold>,
    /// The durable log, in a durable engine.
    durable: std::sync::OnceLock<Arc<Durable>>,
}

/// An in-process DynamoDB-compatible engine holding its data in memory.
///
/// Safe to share across tasks and threads; clones share the same data.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("region", &self.inner.region)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An empty engine for region `us-east-1`, account `000000000000`, on
    /// the system clock, sweeping expired items every second.
    pub fn new() -> Self {
        Self::with_options(EngineOptions::default())
    }

    /// An empty engine set up by `options`.
    pub fn with_options(options: EngineOptions) -> Self {
        let engine = Self {
            inner: Arc::new(Inner {
                catalog: RwLock::new(BTreeMap::new()),
                clock: options.clock,
                change_log: options.change_log,
                replica_lag: options.replica_lag,
                table_replica_lag: options.table_replica_lag,
                seed: options.seed,
                faults: Faults::new(options.seed, options.faults),
                throughput: options.enforce_capacity.then(Default::default),
                region: "us-east-1".to_owned(),
                account_id: "000000000000".to_owned(),
                next_id: AtomicU64::new(1),
                tokens: Tokens::default(),
                transaction_hold: Mutex::new(options.transaction_hold),
                durable: std::sync::OnceLock::new(),
            }),
        };
        if let Some(interval) = options.ttl_sweep_interval {
            spawn_sweeper(Arc::downgrade(&engine.inner), interval);
        }
        engine
    }

    /// An engine whose data lives in the directory `dir` (created if
    /// missing): what the directory holds is read back first, and every
    /// write from then on is logged there before it is answered (`sync`
    /// says how far: to the operating system, or to the disk). The
    /// directory stays locked while the engine lives; a second engine
    /// opening it gets [`OpenError::InUse`].
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("dynamo-doc-{}", std::process::id()));
    /// use dynamo_local::{Engine, EngineOptions, Sync};
    /// let engine = Engine::open(&dir, EngineOptions::default(), Sync::Os).unwrap();
    /// assert!(Engine::open(&dir, EngineOptions::default(), Sync::Os).is_err());
    /// drop(engine);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn open(
        dir: impl AsRef<std::path::Path>,
        options: EngineOptions,
        sync: crate::durable::Sync,
    ) -> std::result::Result<Self, OpenError> {
        let recovered = Durable::open(dir.as_ref(), sync)?;
        if recovered.truncated > 0 {
            tracing::warn!(
                directory = %dir.as_ref().display(),
                bytes = recovered.truncated,
                "the log ended in an incomplete or damaged frame, cut off"
            );
        }
        let engine = Self::with_options(options);
        let mut order: Vec<String> = Vec::new();
        let mut logs: std::collections::HashMap<String, Vec<crate::log::ChangeRecord>> =
            std::collections::HashMap::new();
        let mut last_id = 0;
        let mut deleted = std::collections::HashSet::new();
        for entry in recovered.entries {
            match entry {
                // A write that raced its table's deletion.
                Entry::Record { table_id, .. } if deleted.contains(&table_id) => {}
                Entry::Record { table_id, record } => {
                    last_id = last_id.max(record.commit.transaction.unwrap_or(0));
                    let log = logs.entry(table_id.clone()).or_insert_with(|| {
                        order.push(table_id);
                        Vec::new()
                    });
                    log.push(*record);
                }
                Entry::TableDeleted { table_id } => {
                    logs.remove(&table_id);
                    order.retain(|t| *t != table_id);
                    deleted.insert(table_id);
                }
                Entry::Token {
                    token,
                    fingerprint,
                    completed,
                } => engine.tokens().restore(token, fingerprint, completed),
            }
        }
        let durable = Arc::new(recovered.durable);
        let path = durable.path().to_owned();
        for (number, id) in order.iter().enumerate() {
            let Some(records) = logs.get(id) else {
                continue;
            };
            let name = match records.first().map(|r| &r.change) {
                Some(crate::log::Change::Table(crate::log::TableChange::Created {
                    name, ..
                })) => name.clone(),
                _ => String::new(),
            };
            let table = Table::rebuild(
                records,
                engine.log_retention(&name),
                engine.new_replicas(&name, number as u64 + 1),
            )
            .map_err(|e| OpenError::Replay {
                path: path.clone(),
                table: id.clone(),
                reason: e.to_string(),
            })?;
            table.make_durable(Arc::clone(&durable));
            engine.catalog_mut().insert(name, Arc::new(table));
        }
        engine
            .inner
            .next_id
            .store(last_id + order.len() as u64 + 1, Ordering::Relaxed);
        let _ = engine.inner.durable.set(durable);
        Ok(engine)
    }

    /// The durable log, in a durable engine.
    pub(crate) fn durable(&self) -> Option<&Arc<Durable>> {
        self.inner.durable.get()
    }

    /// Refuses every request once a log frame failed to reach the disk.
    pub(crate) fn check_durable(&self) -> Result<()> {
        match self.durable() {
            Some(durable) if durable.failed() => Err(Error::InternalServerError(
                "The data directory can no longer be written".to_owned(),
            )),
            _ => Ok(()),
        }
    }

    /// `output`, unless what it did could not be logged: a write is
    /// answered only once its log record reached the operating system.
    pub(crate) fn answer_durably<T>(&self, output: Result<T>) -> Result<T> {
        let output = output?;
        self.check_durable()?;
        Ok(output)
    }

    /// Deletes every item whose TTL attribute holds an epoch-seconds number
    /// in the past (by the engine's clock), in every table with TTL on.
    /// Returns how many items were deleted.
    pub fn sweep_expired(&self) -> usize {
        exec::ttl::sweep(self)
    }

    pub(crate) fn now(&self) -> Duration {
        self.inner
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }

    /// The client request tokens of TransactWriteItems.
    pub(crate) fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    /// How TransactWriteItems run now.
    pub(crate) fn transaction_hold(&self) -> TransactionHold {
        self.inner
            .transaction_hold
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sets how TransactWriteItems run from now on: at once (the default),
    /// or held in flight between prepare and commit so that other writes
    /// of their items conflict.
    pub fn set_transaction_hold(&self, hold: TransactionHold) {
        *self
            .inner
            .transaction_hold
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = hold;
    }

    /// Keeps every TransactWriteItems that prepares from now on in flight,
    /// its items held, until the returned gate is released: a write of one
    /// of those items meanwhile fails with `TransactionConflictException`,
    /// and a transaction touching one is cancelled with the
    /// `TransactionConflict` reason. Lets a test reproduce conflicts
    /// deterministically.
    pub fn hold_transactions(&self) -> TransactionGate {
        let gate = TransactionGate::new();
        self.set_transaction_hold(TransactionHold::Gate(gate.clone()));
        gate
    }

    /// The replica lag of the table named `name`.
    fn replica_lag_of(&self, name: &str) -> Duration {
        self.inner
            .table_replica_lag
            .get(name)
            .copied()
            .unwrap_or(self.inner.replica_lag)
    }

    /// What a new table's change log keeps: what the engine was asked for,
    /// and at least the table's replica lag.
    pub(crate) fn log_retention(&self, name: &str) -> Retention {
        let lag = self.replica_lag_of(name);
        match self.inner.change_log {
            Retention::Nothing if !lag.is_zero() => Retention::For(lag),
            Retention::For(keep) => Retention::For(keep.max(lag)),
            other => other,
        }
    }

    /// The replicas of a new table, seeded by the engine's seed and the
    /// table's number.
    pub(crate) fn new_replicas(&self, name: &str, table_number: u64) -> crate::replica::Replicas {
        crate::replica::Replicas::new(self.replica_lag_of(name), self.replica_seed(table_number))
    }

    fn replica_seed(&self, table_number: u64) -> u64 {
        self.inner.seed ^ table_number.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// Sets how far eventually consistent reads of table `name` may lag
    /// its latest commit from now on (zero: every read sees the latest).
    pub fn set_replica_lag(&self, name: &str, lag: Duration) -> Result<()> {
        let table = self.table(name)?;
        let mut writer = table.write();
        if !lag.is_zero() {
            writer.retain_log(Retention::For(lag));
        }
        table.replicas.set_lag(lag);
        Ok(())
    }

    /// Holds the replicas of table `name` where they are: eventual reads
    /// show the table as it is now until [`Engine::release_replicas`],
    /// whatever is written meanwhile. Lets a test make the next eventual
    /// read stale deterministically.
    pub fn hold_replicas(&self, name: &str) -> Result<()> {
        let table = self.table(name)?;
        let mut writer = table.write();
        writer.retain_log(Retention::Everything);
        table.replicas.hold(&writer);
        Ok(())
    }

    /// Lets the replicas of table `name` catch up again.
    pub fn release_replicas(&self, name: &str) -> Result<()> {
        self.table(name)?.replicas.release();
        Ok(())
    }

    /// The engine's fault plan, to change or read its counts while it
    /// runs.
    pub fn faults(&self) -> Faults {
        self.inner.faults.clone()
    }

    pub(crate) fn fault_plan(&self) -> &Faults {
        &self.inner.faults
    }

    pub(crate) fn throughput(&self) -> Option<&crate::throughput::Throughput> {
        self.inner.throughput.as_ref()
    }

    pub(crate) fn region(&self) -> &str {
        &self.inner.region
    }

    pub(crate) fn account_id(&self) -> &str {
        &self.inner.account_id
    }

    /// A fresh identifier, unique within this engine.
    pub(crate) fn next_id(&self) -> u64 {
        self.inner.next_id.fetch_add(1, Ordering::Relaxed)
    }

    // The catalog only ever changes by single insert/remove calls, so a
    // poisoned lock still holds a consistent map.
    pub(crate) fn catalog(&self) -> RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.inner.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn catalog_mut(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.inner
            .catalog
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The table named `name`, for data-plane operations.
    pub(crate) fn table(&self, name: &str) -> Result<Arc<Table>> {
        self.catalog()
            .get(name)
            .cloned()
            .ok_or_else(|| Error::ResourceNotFound("Requested resource not found".to_owned()))
    }
}

/// Runs the TTL sweep every `interval` until the engine is dropped.
fn spawn_sweeper(engine: Weak<Inner>, interval: Duration) {
    let spawned = std::thread::Builder::new()
        .name("dynamo-local-ttl".into())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                let Some(inner) = engine.upgrade() else {
                    return;
                };
                Engine { inner }.sweep_expired();
            }
        });
    if let Err(e) = spawned {
        report_sweeper_failure(&e);
    }
}

/// Reports a sweeper that could not start; expiry then waits for explicit
/// `sweep_expired` calls.
fn report_sweeper_failure(error: &std::io::Error) {
    eprintln!("dynamo-local: TTL sweeper thread could not start: {error}");
}

#[async_trait]
impl Backend for Engine {
    async fn create_table(&self, input: CreateTableInput) -> Result<CreateTableOutput> {
        guard::guarded!(self, input, exec::tables::create_table)
    }

    async fn delete_table(&self, input: DeleteTableInput) -> Result<DeleteTableOutput> {
        guard::guarded!(self, input, exec::tables::delete_table)
    }

    async fn describe_table(&self, input: DescribeTableInput) -> Result<DescribeTableOutput> {
        guard::guarded!(self, input, exec::tables::describe_table)
    }

    async fn list_tables(&self, input: ListTablesInput) -> Result<ListTablesOutput> {
        guard::guarded!(self, input, exec::tables::list_tables)
    }

    async fn update_table(&self, input: UpdateTableInput) -> Result<UpdateTableOutput> {
        guard::guarded!(self, input, exec::tables::update_table)
    }

    async fn update_time_to_live(
        &self,
        input: UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput> {
        guard::guarded!(self, input, exec::tables::update_time_to_live)
    }

    async fn describe_time_to_live(
        &self,
        input: DescribeTimeToLiveInput,
    ) -> Result<DescribeTimeToLiveOutput> {
        guard::guarded!(self, input, exec::tables::describe_time_to_live)
    }

    async fn tag_resource(&self, input: TagResourceInput) -> Result<TagsOutput> {
        guard::guarded!(self, input, exec::tables::tag_resource)
    }

    async fn untag_resource(&self, input: UntagResourceInput) -> Result<TagsOutput> {
        guard::guarded!(self, input, exec::tables::untag_resource)
    }

    async fn list_tags_of_resource(
        &self,
        input: ListTagsOfResourceInput,
    ) -> Result<ListTagsOfResourceOutput> {
        guard::guarded!(self, input, exec::tables::list_tags_of_resource)
    }

    async fn put_item(&self, input: PutItemInput) -> Result<PutItemOutput> {
        guard::guarded!(self, input, exec::put_item::put_item)
    }

    async fn get_item(&self, input: GetItemInput) -> Result<GetItemOutput> {
        guard::guarded!(self, input, exec::get_item::get_item)
    }

    async fn update_item(&self, input: UpdateItemInput) -> Result<UpdateItemOutput> {
        guard::guarded!(self, input, exec::update_item::update_item)
    }

    async fn delete_item(&self, input: DeleteItemInput) -> Result<DeleteItemOutput> {
        guard::guarded!(self, input, exec::delete_item::delete_item)
    }

    async fn query(&self, input: QueryInput) -> Result<QueryOutput> {
        guard::guarded!(self, input, exec::query::query)
    }

    async fn scan(&self, input: ScanInput) -> Result<ScanOutput> {
        guard::guarded!(self, input, exec::scan::scan)
    }

    async fn batch_get_item(&self, input: BatchGetItemInput) -> Result<BatchGetItemOutput> {
        guard::guarded!(batch: self, input, exec::batch::batch_get_item)
    }

    async fn transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput> {
        guard::guarded!(async: self, input, exec::transact::transact_write_items)
    }

    async fn transact_get_items(
        &self,
        input: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput> {
        guard::guarded!(self, input, exec::transact::transact_get_items)
    }

    async fn batch_write_item(&self, input: BatchWriteItemInput) -> Result<BatchWriteItemOutput> {
        guard::guarded!(batch: self, input, exec::batch::batch_write_item)
    }

    fn streams(&self) -> Option<&dyn StreamsBackend> {
        Some(self)
    }

    /// Waits `duration` on any async runtime (the engine knows none): a
    /// change feed with nothing to read, or a batch retry, sleeps instead
    /// of spinning.
    async fn pause(&self, duration: Duration) {
        Sleep::new(duration).await;
    }
}

/// Whether a [`Sleep`] has elapsed, and the task to wake when it does.
type SleepState = Arc<std::sync::Mutex<(bool, Option<std::task::Waker>)>>;

/// A timer future that needs no runtime: a thread sleeps for it and wakes
/// the task.
pub(crate) struct Sleep {
    duration: Duration,
    state: Option<SleepState>,
}

impl Sleep {
    pub(crate) fn new(duration: Duration) -> Self {
        Self {
            duration,
            state: None,
        }
    }
}

impl std::future::Future for Sleep {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.duration.is_zero() {
            return std::task::Poll::Ready(());
        }
        let duration = self.duration;
        let state = self.state.get_or_insert_with(|| {
            let state: SleepState = Arc::new(std::sync::Mutex::new((false, None)));
            let timer = Arc::clone(&state);
            let spawned = std::thread::Builder::new()
                .name("dynamo-local-pause".into())
                .spawn(move || {
                    std::thread::sleep(duration);
                    let mut guard = timer.lock().unwrap_or_else(|e| e.into_inner());
                    guard.0 = true;
                    if let Some(waker) = guard.1.take() {
                        waker.wake();
                    }
                });
            if spawned.is_err() {
                // No thread for the timer: do not wait rather than hang.
                state.lock().unwrap_or_else(|e| e.into_inner()).0 = true;
            }
            state
        });
        let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
        if guard.0 {
            std::task::Poll::Ready(())
        } else {
            guard.1 = Some(cx.waker().clone());
            std::task::Poll::Pending
        }
    }
}

#[async_trait]
impl StreamsBackend for Engine {
    async fn list_streams(&self, input: ListStreamsInput) -> Result<ListStreamsOutput> {
        exec::streams::list_streams(self, input)
    }

    async fn describe_stream(&self, input: DescribeStreamInput) -> Result<DescribeStreamOutput> {
        exec::streams::describe_stream(self, input)
    }

    async fn get_shard_iterator(
        &self,
        input: GetShardIteratorInput,
    ) -> Result<GetShardIteratorOutput> {
        exec::streams::get_shard_iterator(self, input)
    }

    async fn get_records(&self, input: GetRecordsInput) -> Result<GetRecordsOutput> {
        exec::streams::get_records(self, input)
    }
}
