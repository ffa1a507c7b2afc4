//! The client's retries: the [`RetryPolicy`] (which errors are retried,
//! how long to wait, when to stop), the [`RetryStats`] that count what it
//! did, and `Retrying`, the backend every typed call goes through.
//!
//! Design: a [`Client`](super::Client) holds its backend only inside a
//! `Retrying`, which implements [`Backend`] and [`StreamsBackend`] by
//! sending each request again while the policy allows. So every typed
//! call (gets, writes, queries, transactions, table calls, the change
//! feed's stream reads) is retried the same way on every backend, and
//! the AWS backend's SDK clients have their own retries turned off: the
//! typed client is the only layer that retries. Requests are resent
//! unchanged, so a transaction keeps its `ClientRequestToken` on every
//! attempt (the client gives one to a transaction that has none, as the
//! SDKs do, so that a retried transaction is applied once). Batch helpers
//! also resend unprocessed items; they drive a [`Schedule`] themselves so
//! that failed requests and unprocessed items share one budget.
//!
//! Which errors are retried is [`Error::retry_class`]; the policy adds the
//! waits and the bounds:
//! - the `n`th retry waits a random time between zero and
//!   `min(max_backoff, base * 2^(n-1))` ("full jitter"), the base being
//!   [`RetryPolicy::throttling_base_delay`] for throttling and
//!   [`RetryPolicy::transient_base_delay`] for the rest;
//! - when the service said how long to wait (`x-amz-retry-after`, in
//!   [`Error::Throttled`]), the client waits that long instead (capped at
//!   the maximum backoff);
//! - at most [`RetryPolicy::max_attempts`] requests are sent per call, and
//!   no retry starts a wait that would end after
//!   [`RetryPolicy::max_total_time`]. Time spent is the larger of the wall
//!   time since the first attempt and the waits asked for, so a backend
//!   whose `pause` returns at once (a test's) still spends its budget.
//!
//! Waits go through [`Backend::pause`]: the core knows no runtime, and the
//! engine's pause sleeps on a timer thread. Every retry emits a `tracing`
//! event (target `dynamo::retry`, level DEBUG) with the operation, the
//! error type, the attempt that failed and the delay.

use crate::backend::Backend;
use crate::error::{Error, Result, RetryClass};
use crate::ops::*;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// When and how the client retries a failed request.
///
/// The defaults are those DynamoDB's SDKs adopt in their 2026 retry update:
/// 4 attempts, 25 ms base for transient errors, 1 s base for throttling
/// (a throttled table needs time, not a quick second try), 20 s maximum
/// backoff; no limit on the total time besides those; conflicts not
/// retried.
///
/// ```
/// use dynamo_core::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .max_total_time(Duration::from_secs(10))
///     .retry_conflicts();
/// assert_eq!(policy.delay_bound(dynamo_core::RetryClass::Throttling, 2), Duration::from_secs(2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_total_time: Option<Duration>,
    transient_base_delay: Duration,
    throttling_base_delay: Duration,
    max_backoff: Duration,
    retry_conflicts: bool,
    jitter: bool,
    seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_total_time: None,
            transient_base_delay: Duration::from_millis(25),
            throttling_base_delay: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            retry_conflicts: false,
            jitter: true,
            seed: None,
        }
    }
}

impl RetryPolicy {
    /// No retries: every error is returned as the first attempt got it
    /// (batch helpers send unprocessed items once more, never).
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// At most `attempts` requests per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// No retry waits past `limit` after the first attempt started.
    pub fn max_total_time(mut self, limit: Duration) -> Self {
        self.max_total_time = Some(limit);
        self
    }

    /// The base of the backoff after a transient error (and a conflict).
    pub fn transient_base_delay(mut self, delay: Duration) -> Self {
        self.transient_base_delay = delay;
        self
    }

    /// The base of the backoff after throttling (and unprocessed batch items).
    pub fn throttling_base_delay(mut self, delay: Duration) -> Self {
        self.throttling_base_delay = delay;
        self
    }

    /// The longest a single wait can be.
    pub fn max_backoff(mut self, cap: Duration) -> Self {
        self.max_backoff = cap;
        self
    }

    /// Also retry [`RetryClass::Conflict`]: `TransactionConflictException`
    /// and transactions cancelled only by conflicts. Worth it when nothing
    /// else in the application reacts to contention; the SDKs leave it off.
    pub fn retry_conflicts(mut self) -> Self {
        self.retry_conflicts = true;
        self
    }

    /// Draw the jitter from a generator seeded with `seed`, so the waits of
    /// a run repeat exactly (by default the seed is random).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Wait the full bound every time instead of a random part of it.
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// The most the `retry`th retry (from 1) waits after an error of `class`:
    /// `min(max_backoff, base * 2^(retry-1))`.
    pub fn delay_bound(&self, class: RetryClass, retry: u32) -> Duration {
        let base = match class {
            RetryClass::Throttling => self.throttling_base_delay,
            RetryClass::Transient | RetryClass::Conflict => self.transient_base_delay,
        };
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        base.checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_backoff)
    }

    /// Whether an error of `class` is retried at all.
    fn retries(&self, class: RetryClass) -> bool {
        class != RetryClass::Conflict || self.retry_conflicts
    }

    /// Whether the policy ever sends a request twice.
    pub(crate) fn retries_at_all(&self) -> bool {
        self.max_attempts > 1
    }
}

/// What a client's retries did: the counts since the client was made,
/// shared by its clones. With no call in flight, `requests == calls +
/// retries`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryStats {
    /// Calls made: typed operations, and each batch request of a batch helper.
    pub calls: u64,
    /// Requests sent, first attempts and retries.
    pub requests: u64,
    /// Retries made, whatever the error.
    pub retries: u64,
    /// Retries per error type (`ProvisionedThroughputExceededException`,
    /// `TransactionConflictException`, ...); unprocessed items of a batch
    /// count as `UnprocessedItems` and `UnprocessedKeys`.
    pub by_error_type: BTreeMap<String, u64>,
    /// Calls that failed with a retryable error because the policy's
    /// attempts or time ran out.
    pub exhausted: u64,
    /// The waits asked for, added up.
    pub waited: Duration,
}

impl RetryStats {
    /// Retries made after errors of type `error_type`.
    pub fn retries_of(&self, error_type: &str) -> u64 {
        self.by_error_type.get(error_type).copied().unwrap_or(0)
    }
}

/// The counts behind [`RetryStats`], shared by a client's clones. Every
/// request counts, so those two counters are atomics; the rest changes
/// only on a retry or a give-up, under the lock.
#[derive(Debug, Default)]
pub(crate) struct StatsCell {
    calls: AtomicU64,
    requests: AtomicU64,
    retries: Mutex<RetryStats>,
}

/// A backend whose calls are retried by a policy; see the module header.
pub(crate) struct Retrying {
    backend: Arc<dyn Backend>,
    policy: RetryPolicy,
    /// The jitter generator's state (SplitMix64).
    random: Mutex<u64>,
    stats: Arc<StatsCell>,
}

impl super::Client {
    /// The retry budget of one call of `operation`, for a reader outside
    /// this module that resends a batch's unprocessed keys itself (the
    /// planner's BatchGet), so failed requests and unprocessed keys share
    /// one budget as in the batch helpers.
    pub(crate) fn schedule(&self, operation: &'static str) -> Schedule<'_> {
        self.backend.schedule(operation)
    }
}

impl Retrying {
    pub(crate) fn new(
        backend: Arc<dyn Backend>,
        policy: RetryPolicy,
        stats: Arc<StatsCell>,
    ) -> Self {
        let seed = policy.seed.unwrap_or_else(random_seed);
        Self {
            backend,
            policy,
            random: Mutex::new(seed),
            stats,
        }
    }

    /// The backend, without retries.
    pub(crate) fn inner(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    pub(crate) fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    pub(crate) fn stats(&self) -> &Arc<StatsCell> {
        &self.stats
    }

    pub(crate) fn snapshot(&self) -> RetryStats {
        // The counts of retries first: a request is counted before its
        // retry, so the snapshot never shows more retries than requests.
        let mut stats = self.count(|s| s.clone());
        stats.requests = self.stats.requests.load(Ordering::Relaxed);
        stats.calls = self.stats.calls.load(Ordering::Relaxed);
        stats
    }

    /// Changes the counts kept under the lock.
    fn count<R>(&self, f: impl FnOnce(&mut RetryStats) -> R) -> R {
        f(&mut self
            .stats
            .retries
            .lock()
            .unwrap_or_else(PoisonError::into_inner))
    }

    /// A uniform draw from `[0, bound]`.
    fn jitter(&self, bound: Duration) -> Duration {
        if !self.policy.jitter {
            return bound;
        }
        let mut state = self.random.lock().unwrap_or_else(PoisonError::into_inner);
        let fraction = (splitmix64(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
        bound.mul_f64(fraction)
    }

    /// The budget of one call of `operation`.
    pub(crate) fn schedule(&self, operation: &'static str) -> Schedule<'_> {
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        Schedule {
            retrying: self,
            operation,
            attempts: 0,
            started: Instant::now(),
            waited: Duration::ZERO,
        }
    }

    /// Sends `call()` until it succeeds, fails for good, or the policy stops.
    pub(crate) async fn run<O, F, Fut>(&self, operation: &'static str, mut call: F) -> Result<O>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<O>>,
    {
        let mut schedule = self.schedule(operation);
        loop {
            schedule.sending();
            match call().await {
                Ok(output) => return Ok(output),
                Err(error) => match schedule.after_error(&error) {
                    Some(delay) => self.backend.pause(delay).await,
                    None => return Err(error),
                },
            }
        }
    }
}

/// The attempts and time left to one call; asked after each failure how
/// long to wait before the next attempt, or whether to stop.
pub(crate) struct Schedule<'r> {
    retrying: &'r Retrying,
    operation: &'static str,
    attempts: u32,
    started: Instant,
    waited: Duration,
}

impl Schedule<'_> {
    /// Counts a request about to be sent.
    pub(crate) fn sending(&mut self) {
        self.attempts += 1;
        self.retrying.stats.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The attempts made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long to wait before retrying after `error`; `None` to return it.
    pub(crate) fn after_error(&mut self, error: &Error) -> Option<Duration> {
        let class = error.retry_class()?;
        if !self.retrying.policy.retries(class) {
            return None;
        }
        self.next(class, error.error_type(), error.retry_after())
    }

    /// How long to wait before sending a batch's unprocessed items again
    /// (`what` is `UnprocessedItems` or `UnprocessedKeys`); `None` when the
    /// policy is spent. They wait like throttling, their usual cause.
    pub(crate) fn after_unprocessed(&mut self, what: &str) -> Option<Duration> {
        self.next(RetryClass::Throttling, what, None)
    }

    fn next(
        &mut self,
        class: RetryClass,
        error_type: &str,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let policy = &self.retrying.policy;
        let delay = match retry_after {
            Some(asked) => asked.min(policy.max_backoff),
            None => self
                .retrying
                .jitter(policy.delay_bound(class, self.attempts)),
        };
        let spent = self.started.elapsed().max(self.waited);
        let out_of_time = policy
            .max_total_time
            .is_some_and(|limit| spent.saturating_add(delay) > limit);
        if self.attempts >= policy.max_attempts || out_of_time {
            self.retrying.count(|s| s.exhausted += 1);
            tracing::debug!(
                target: "dynamo::retry",
                operation = self.operation,
                error_type,
                attempts = self.attempts,
                "giving up"
            );
            return None;
        }
        self.waited = self.waited.saturating_add(delay);
        self.retrying.count(|s| {
            s.retries += 1;
            *s.by_error_type.entry(error_type.to_owned()).or_default() += 1;
            s.waited = s.waited.saturating_add(delay);
        });
        tracing::debug!(
            target: "dynamo::retry",
            operation = self.operation,
            error_type,
            attempt = self.attempts,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "retrying"
        );
        Some(delay)
    }
}

/// One step of SplitMix64: a small, well-mixed generator, enough for jitter.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed that differs between clients and processes.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

/// A fresh `ClientRequestToken`: 32 hex digits (DynamoDB takes 1 to 36
/// characters), random enough that two transactions never share one.
pub(crate) fn client_request_token() -> String {
    let mut state = random_seed();
    format!(
        "{:016x}{:016x}",
        splitmix64(&mut state),
        splitmix64(&mut state)
    )
}

/// Implements each operation of `$trait` by retrying the inner backend's,
/// with the `$extra` items as they are. `$check` runs once on each input
/// before anything is sent: an invalid request fails here, with the
/// ValidationException DynamoDB would send, and no backend sees it.
macro_rules! retried {
    ($trait:ident via $inner:expr, check $check:expr, { $($extra:tt)* }
     $($method:ident($input:ty) -> $output:ty = $name:literal;)*) => {
        #[async_trait]
        impl $trait for Retrying {
            $(async fn $method(&self, input: $input) -> Result<$output> {
                $check(&input)?;
                let inner = $inner(self)?;
                self.run($name, || inner.$method(input.clone())).await
            })*

            $($extra)*
        }
    };
}

/// The table-independent checks of a request ([`Validate`]).
fn validated(input: &impl Validate) -> Result<()> {
    input.validate()
}

/// Stream requests carry no checks of their own in the model yet.
fn unchecked<I>(_: &I) -> Result<()> {
    Ok(())
}

fn plain(retrying: &Retrying) -> Result<&dyn Backend> {
    Ok(&*retrying.backend)
}

fn streams(retrying: &Retrying) -> Result<&dyn StreamsBackend> {
    retrying
        .backend
        .streams()
        .ok_or_else(|| Error::validation("this backend does not serve DynamoDB Streams"))
}

retried! { Backend via plain, check validated, {
        fn streams(&self) -> Option<&dyn StreamsBackend> {
            self.backend.streams().map(|_| self as &dyn StreamsBackend)
        }

        async fn pause(&self, duration: Duration) {
            self.backend.pause(duration).await;
        }
    }
    create_table(CreateTableInput) -> CreateTableOutput = "CreateTable";
    delete_table(DeleteTableInput) -> DeleteTableOutput = "DeleteTable";
    describe_table(DescribeTableInput) -> DescribeTableOutput = "DescribeTable";
    list_tables(ListTablesInput) -> ListTablesOutput = "ListTables";
    update_table(UpdateTableInput) -> UpdateTableOutput = "UpdateTable";
    update_time_to_live(UpdateTimeToLiveInput) -> UpdateTimeToLiveOutput = "UpdateTimeToLive";
    describe_time_to_live(DescribeTimeToLiveInput) -> DescribeTimeToLiveOutput = "DescribeTimeToLive";
    tag_resource(TagResourceInput) -> TagsOutput = "TagResource";
    untag_resource(UntagResourceInput) -> TagsOutput = "UntagResource";
    list_tags_of_resource(ListTagsOfResourceInput) -> ListTagsOfResourceOutput = "ListTagsOfResource";
    put_item(PutItemInput) -> PutItemOutput = "PutItem";
    get_item(GetItemInput) -> GetItemOutput = "GetItem";
    update_item(UpdateItemInput) -> UpdateItemOutput = "UpdateItem";
    delete_item(DeleteItemInput) -> DeleteItemOutput = "DeleteItem";
    query(QueryInput) -> QueryOutput = "Query";
    scan(ScanInput) -> ScanOutput = "Scan";
    batch_get_item(BatchGetItemInput) -> BatchGetItemOutput = "BatchGetItem";
    transact_write_items(TransactWriteItemsInput) -> TransactWriteItemsOutput = "TransactWriteItems";
    transact_get_items(TransactGetItemsInput) -> TransactGetItemsOutput = "TransactGetItems";
    batch_write_item(BatchWriteItemInput) -> BatchWriteItemOutput = "BatchWriteItem";
}

retried! { StreamsBackend via streams, check unchecked, {}
    list_streams(ListStreamsInput) -> ListStreamsOutput = "ListStreams";
    describe_stream(DescribeStreamInput) -> DescribeStreamOutput = "DescribeStream";
    get_shard_iterator(GetShardIteratorInput) -> GetShardIteratorOutput = "GetShardIterator";
    get_records(GetRecordsInput) -> GetRecordsOutput = "GetRecords";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_bound_doubles_from_the_class_base_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let throttling: Vec<_> = (1..=7)
            .map(|n| policy.delay_bound(RetryClass::Throttling, n))
            .collect();
        assert_eq!(
            throttling,
            [1, 2, 4, 8, 16, 20, 20].map(Duration::from_secs).to_vec()
        );
        let transient: Vec<_> = (1..=4)
            .map(|n| policy.delay_bound(RetryClass::Transient, n))
            .collect();
        assert_eq!(transient, [ms(25), ms(50), ms(100), ms(200)]);
        assert_eq!(policy.delay_bound(RetryClass::Conflict, 1), ms(25));
        // Far retries saturate instead of overflowing.
        assert_eq!(
            policy.delay_bound(RetryClass::Transient, 200),
            Duration::from_secs(20)
        );
    }

    #[test]
    fn full_jitter_stays_under_the_bound_and_repeats_with_the_seed() {
        let draws = |seed| {
            let retrying = Retrying::new(
                Arc::new(NoBackend),
                RetryPolicy::default().seed(seed),
                Arc::default(),
            );
            (0..200)
                .map(|_| retrying.jitter(ms(1000)))
                .collect::<Vec<_>>()
        };
        let first = draws(7);
        assert_eq!(first, draws(7));
        assert_ne!(first, draws(8));
        assert!(first.iter().all(|d| *d <= ms(1000)));
        // Spread over the range, not clustered at one end.
        assert!(first.iter().any(|d| *d < ms(250)));
        assert!(first.iter().any(|d| *d > ms(750)));
    }

    #[test]
    fn a_schedule_stops_at_the_attempt_limit_and_counts_what_it_did() {
        let retrying = Retrying::new(
            Arc::new(NoBackend),
            RetryPolicy::default().max_attempts(3).without_jitter(),
            Arc::default(),
        );
        let throttled = Error::Throttled {
            error_type: "ThrottlingException".into(),
            message: "slow down".into(),
            reasons: Vec::new(),
            retry_after: None,
        };
        let mut schedule = retrying.schedule("GetItem");
        let mut delays = Vec::new();
        loop {
            schedule.sending();
            match schedule.after_error(&throttled) {
                Some(d) => delays.push(d),
                None => break,
            }
        }
        assert_eq!(delays, [ms(1000), ms(2000)]);
        let stats = retrying.snapshot();
        assert_eq!(
            (stats.calls, stats.requests, stats.retries, stats.exhausted),
            (1, 3, 2, 1)
        );
        assert_eq!(stats.retries_of("ThrottlingException"), 2);
        assert_eq!(stats.waited, ms(3000));
    }

    #[test]
    fn retry_after_replaces_the_backoff_and_is_capped() {
        let retrying = Retrying::new(
            Arc::new(NoBackend),
            RetryPolicy::default().max_backoff(Duration::from_secs(5)),
            Arc::default(),
        );
        let asked = |after| Error::Throttled {
            error_type: "ProvisionedThroughputExceededException".into(),
            message: String::new(),
            reasons: Vec::new(),
            retry_after: Some(after),
        };
        let mut schedule = retrying.schedule("PutItem");
        schedule.sending();
        assert_eq!(schedule.after_error(&asked(ms(1234))), Some(ms(1234)));
        schedule.sending();
        assert_eq!(
            schedule.after_error(&asked(Duration::from_secs(60))),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn the_total_time_counts_the_waits_asked_for() {
        let retrying = Retrying::new(
            Arc::new(NoBackend),
            RetryPolicy::default()
                .max_attempts(10)
                .without_jitter()
                .max_total_time(ms(3500)),
            Arc::default(),
        );
        let mut schedule = retrying.schedule("Query");
        let mut delays = Vec::new();
        loop {
            schedule.sending();
            match schedule.after_unprocessed("UnprocessedKeys") {
                Some(d) => delays.push(d),
                None => break,
            }
        }
        // 1 s + 2 s = 3 s spent; another 4 s would end past 3.5 s.
        assert_eq!(delays, [ms(1000), ms(2000)]);
        assert_eq!(retrying.snapshot().retries_of("UnprocessedKeys"), 2);
    }

    #[test]
    fn conflicts_are_retried_only_when_the_policy_opts_in() {
        let conflict = Error::Service {
            error_type: "TransactionConflictException".into(),
            message: String::new(),
        };
        for (policy, retried) in [
            (RetryPolicy::default(), false),
            (RetryPolicy::default().retry_conflicts(), true),
        ] {
            let retrying = Retrying::new(Arc::new(NoBackend), policy, Arc::default());
            let mut schedule = retrying.schedule("PutItem");
            schedule.sending();
            assert_eq!(schedule.after_error(&conflict).is_some(), retried);
        }
    }

    #[test]
    fn tokens_are_distinct_and_fit_dynamodb() {
        let a = client_request_token();
        let b = client_request_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn each_retry_is_a_tracing_event_with_operation_error_attempt_and_delay() {
        let events = Arc::new(Mutex::new(Vec::new()));
        // One recorder for the whole test binary, installed once and never
        // replaced, collecting this thread's events only: a scoped
        // subscriber races other tests' first use of the same callsites,
        // which can cache them as disabled.
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            let _ = tracing::subscriber::set_global_default(Recorder);
        });
        RECORDING.with(|r| *r.borrow_mut() = Some(events.clone()));
        {
            let retrying = Retrying::new(
                Arc::new(NoBackend),
                RetryPolicy::default().max_attempts(2).without_jitter(),
                Arc::default(),
            );
            let mut schedule = retrying.schedule("UpdateItem");
            let error = Error::InternalServerError("boom".into());
            schedule.sending();
            assert!(schedule.after_error(&error).is_some());
            schedule.sending();
            assert!(schedule.after_error(&error).is_none());
        }
        RECORDING.with(|r| *r.borrow_mut() = None);
        let events = events.lock().unwrap();
        assert_eq!(
            *events,
            [
                "target=dynamo::retry message=retrying operation=UpdateItem \
                 error_type=InternalServerError attempt=1 delay_ms=25",
                "target=dynamo::retry message=giving up operation=UpdateItem \
                 error_type=InternalServerError attempts=2",
            ]
        );
    }

    thread_local! {
        /// Where the recorder puts this thread's events, while a test records.
        static RECORDING: std::cell::RefCell<Option<Arc<Mutex<Vec<String>>>>> =
            const { std::cell::RefCell::new(None) };
    }

    /// Records each event as `target=... field=value ...`.
    struct Recorder;

    impl tracing::Subscriber for Recorder {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            struct Fields(String);
            impl tracing::field::Visit for Fields {
                fn record_debug(
                    &mut self,
                    field: &tracing::field::Field,
                    value: &dyn std::fmt::Debug,
                ) {
                    self.0.push_str(&format!(" {}={value:?}", field.name()));
                }
                fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                    self.0.push_str(&format!(" {}={value}", field.name()));
                }
            }
            let mut fields = Fields(format!("target={}", event.metadata().target()));
            event.record(&mut fields);
            RECORDING.with(|r| {
                if let Some(events) = &*r.borrow() {
                    events.lock().unwrap().push(fields.0);
                }
            });
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    /// A backend for schedules that never send anything.
    struct NoBackend;

    macro_rules! unreachable_backend {
        ($($method:ident($input:ty) -> $output:ty;)*) => {
            #[async_trait]
            impl Backend for NoBackend {
                $(async fn $method(&self, _: $input) -> Result<$output> {
                    Err(Error::validation("not sent"))
                })*
            }
        };
    }

    unreachable_backend! {
        create_table(CreateTableInput) -> CreateTableOutput;
        delete_table(DeleteTableInput) -> DeleteTableOutput;
        describe_table(DescribeTableInput) -> DescribeTableOutput;
        list_tables(ListTablesInput) -> ListTablesOutput;
        update_table(UpdateTableInput) -> UpdateTableOutput;
        update_time_to_live(UpdateTimeToLiveInput) -> UpdateTimeToLiveOutput;
        describe_time_to_live(DescribeTimeToLiveInput) -> DescribeTimeToLiveOutput;
        tag_resource(TagResourceInput) -> TagsOutput;
        untag_resource(UntagResourceInput) -> TagsOutput;
        list_tags_of_resource(ListTagsOfResourceInput) -> ListTagsOfResourceOutput;
        put_item(PutItemInput) -> PutItemOutput;
        get_item(GetItemInput) -> GetItemOutput;
        update_item(UpdateItemInput) -> UpdateItemOutput;
        delete_item(DeleteItemInput) -> DeleteItemOutput;
        query(QueryInput) -> QueryOutput;
        scan(ScanInput) -> ScanOutput;
        batch_get_item(BatchGetItemInput) -> BatchGetItemOutput;
        transact_write_items(TransactWriteItemsInput) -> TransactWriteItemsOutput;
        transact_get_items(TransactGetItemsInput) -> TransactGetItemsOutput;
        batch_write_item(BatchWriteItemInput) -> BatchWriteItemOutput;
    }
}
