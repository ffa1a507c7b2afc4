//! The typed client's retries, driven by a backend that fails the next
//! calls with a chosen error (an engine behind it does the rest), counts
//! every call and records the waits the client asks for without waiting
//! them out: what is retried and what is not, the waits of each class,
//! the bounds, `x-amz-retry-after`, one client token for every attempt of
//! a transaction, batches' unprocessed items, the stats, and the client's
//! default consistency. Then the same through `dynamo-local serve` and the
//! AWS SDK, whose own retries must stay off; and the engine's injected
//! faults absorbed, in process and over HTTP, the retries reported adding
//! up to the faults injected.

use async_trait::async_trait;
use dynamo::local::server::Server;
use dynamo::ops::*;
use dynamo::{Backend, Client, Consistency, Error, Item, Result, RetryPolicy};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "accounts")]
#[dynamo(gsi(name = "by_owner", pk = "OWNER#{owner}"))]
struct Account {
    #[dynamo(partition_key)]
    id: String,
    owner: String,
    balance: i64,
}

fn account(id: &str, balance: i64) -> Account {
    Account {
        id: id.into(),
        owner: "ada".into(),
        balance,
    }
}

/// What the client sent.
#[derive(Debug, Default)]
struct Log {
    /// Every data-plane call, by operation name.
    calls: Vec<&'static str>,
    /// The waits the client asked for.
    pauses: Vec<Duration>,
    /// The `ClientRequestToken` of each `TransactWriteItems`.
    tokens: Vec<Option<String>>,
    /// `ConsistentRead` of each GetItem, Query and BatchGetItem.
    consistent: Vec<Option<bool>>,
}

/// An engine behind a switch: the next data-plane calls fail with the
/// errors queued by [`Flaky::fail_next`]; batches process at most
/// `per_batch` requests a call and answer the rest as unprocessed.
struct Flaky {
    engine: dynamo::local::Engine,
    failures: Mutex<VecDeque<Error>>,
    per_batch: Mutex<usize>,
    log: Mutex<Log>,
}

impl Flaky {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            engine: dynamo::local::Engine::new(),
            failures: Mutex::default(),
            per_batch: Mutex::new(usize::MAX),
            log: Mutex::default(),
        })
    }

    /// The next `n` calls fail with `error`.
    fn fail_next(&self, n: usize, error: Error) {
        self.failures
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n(error, n));
    }

    fn log<R>(&self, f: impl FnOnce(&mut Log) -> R) -> R {
        f(&mut self.log.lock().unwrap())
    }

    /// Records a call; its error, when one is queued.
    fn call(&self, operation: &'static str) -> Result<()> {
        self.log(|l| l.calls.push(operation));
        match self.failures.lock().unwrap().pop_front() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn calls(&self) -> usize {
        self.log(|l| l.calls.len())
    }

    fn pauses(&self) -> Vec<Duration> {
        self.log(|l| l.pauses.clone())
    }
}

macro_rules! flaky {
    (control { $($c:ident($ci:ty) -> $co:ty;)* } data { $($d:ident($di:ty) -> $do:ty = $name:literal;)* }) => {
        #[async_trait]
        impl Backend for Flaky {
            $(async fn $c(&self, input: $ci) -> Result<$co> {
                self.engine.$c(input).await
            })*

            $(async fn $d(&self, input: $di) -> Result<$do> {
                self.call($name)?;
                self.engine.$d(input).await
            })*

            async fn get_item(&self, input: GetItemInput) -> Result<GetItemOutput> {
                self.log(|l| l.consistent.push(input.consistent_read));
                self.call("GetItem")?;
                self.engine.get_item(input).await
            }

            async fn query(&self, input: QueryInput) -> Result<QueryOutput> {
                self.log(|l| l.consistent.push(input.consistent_read));
                self.call("Query")?;
                self.engine.query(input).await
            }

            async fn transact_write_items(
                &self,
                input: TransactWriteItemsInput,
            ) -> Result<TransactWriteItemsOutput> {
                self.log(|l| l.tokens.push(input.client_request_token.clone()));
                self.call("TransactWriteItems")?;
                self.engine.transact_write_items(input).await
            }

            async fn batch_write_item(
                &self,
                mut input: BatchWriteItemInput,
            ) -> Result<BatchWriteItemOutput> {
                self.call("BatchWriteItem")?;
                let per_batch = *self.per_batch.lock().unwrap();
                let mut held = Vec::new();
                for (table, writes) in &mut input.request_items {
                    let rest = writes.split_off(writes.len().min(per_batch));
                    held.push((table.clone(), rest));
                }
                input.request_items.retain(|_, w| !w.is_empty());
                let mut output = if input.request_items.is_empty() {
                    BatchWriteItemOutput::default()
                } else {
                    self.engine.batch_write_item(input).await?
                };
                for (table, rest) in held.into_iter().filter(|(_, r)| !r.is_empty()) {
                    output.unprocessed_items.entry(table).or_default().extend(rest);
                }
                Ok(output)
            }

            async fn batch_get_item(&self, input: BatchGetItemInput) -> Result<BatchGetItemOutput> {
                self.log(|l| {
                    l.consistent
                        .extend(input.request_items.values().map(|r| r.consistent_read))
                });
                self.call("BatchGetItem")?;
                self.engine.batch_get_item(input).await
            }

            async fn pause(&self, duration: Duration) {
                self.log(|l| l.pauses.push(duration));
            }
        }
    };
}

flaky! {
    control {
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
    }
    data {
    put_item(PutItemInput) -> PutItemOutput = "PutItem";
    update_item(UpdateItemInput) -> UpdateItemOutput = "UpdateItem";
    delete_item(DeleteItemInput) -> DeleteItemOutput = "DeleteItem";
    scan(ScanInput) -> ScanOutput = "Scan";
    transact_get_items(TransactGetItemsInput) -> TransactGetItemsOutput = "TransactGetItems";
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn throttled(retry_after: Option<Duration>) -> Error {
    Error::Throttled {
        error_type: "ProvisionedThroughputExceededException".into(),
        message: "The level of configured provisioned throughput for the table was exceeded."
            .into(),
        reasons: vec![dynamo::ThrottlingReason {
            reason: "TableWriteProvisionedThroughputExceeded".into(),
            resource: "arn:aws:dynamodb:us-east-1:000000000000:table/accounts".into(),
        }],
        retry_after,
    }
}

fn service(error_type: &str) -> Error {
    Error::Service {
        error_type: error_type.into(),
        message: format!("injected {error_type}"),
    }
}

/// A client over `flaky` whose waits are the bounds themselves, so they
/// can be compared exactly.
async fn client(flaky: &Arc<Flaky>, policy: RetryPolicy) -> Client {
    let db = Client::from_arc(flaky.clone()).with_retry_policy(policy.without_jitter());
    db.create_table::<Account>().await.unwrap();
    db
}

#[tokio::test]
async fn throttles_are_retried_after_the_throttling_backoff() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    flaky.fail_next(3, throttled(None));
    db.put(&account("a", 10)).await.unwrap();
    assert_eq!(flaky.calls(), 4);
    assert_eq!(flaky.pauses(), [secs(1), secs(2), secs(4)]);
    assert_eq!(
        db.get(Account::key("a")).await.unwrap(),
        Some(account("a", 10))
    );
    let stats = db.retry_stats();
    assert_eq!(stats.retries, 3);
    assert_eq!(
        stats.retries_of("ProvisionedThroughputExceededException"),
        3
    );
    assert_eq!(stats.waited, secs(7));
}

#[tokio::test]
async fn transient_errors_are_retried_after_the_shorter_backoff() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    flaky.fail_next(
        1,
        Error::InternalServerError("Internal server error".into()),
    );
    flaky.fail_next(1, service("ServiceUnavailable"));
    flaky.fail_next(1, Error::Transport("connection reset by peer".into()));
    db.put(&account("a", 10)).await.unwrap();
    assert_eq!(flaky.pauses(), [ms(25), ms(50), ms(100)]);
    let stats = db.retry_stats();
    assert_eq!(stats.retries_of("InternalServerError"), 1);
    assert_eq!(stats.retries_of("ServiceUnavailable"), 1);
    assert_eq!(stats.retries_of("TransportError"), 1);
}

#[tokio::test]
async fn a_failed_condition_an_invalid_request_and_a_cancelled_transaction_are_not_retried() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    db.put(&account("a", 10)).await.unwrap();
    let before = flaky.calls();

    let again = db.put(&account("a", 20)).if_not_exists().await.unwrap_err();
    assert!(
        matches!(again, Error::ConditionalCheckFailed { .. }),
        "{again:?}"
    );

    flaky.fail_next(
        1,
        Error::validation("One or more parameter values were invalid"),
    );
    let invalid = db.get(Account::key("a")).await.unwrap_err();
    assert!(matches!(invalid, Error::Validation(_)), "{invalid:?}");

    let overdrawn = db
        .transaction()
        .update(Account::key("a"), |u| {
            u.add(Account::BALANCE, -50).when(Account::BALANCE.ge(50))
        })
        .commit()
        .await
        .unwrap_err();
    assert!(
        matches!(overdrawn, Error::TransactionCanceled { .. }),
        "{overdrawn:?}"
    );

    assert_eq!(flaky.calls() - before, 3, "each sent once");
    assert!(flaky.pauses().is_empty());
    assert_eq!(db.retry_stats().retries, 0);
}

#[tokio::test]
async fn conflicts_are_retried_only_when_the_policy_opts_in() {
    let conflict = || service("TransactionConflictException");
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    flaky.fail_next(1, conflict());
    assert_eq!(db.put(&account("a", 10)).await.unwrap_err(), conflict());
    assert_eq!(flaky.calls(), 1);

    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default().retry_conflicts()).await;
    flaky.fail_next(2, conflict());
    db.put(&account("a", 10)).await.unwrap();
    assert_eq!(flaky.calls(), 3);
    assert_eq!(flaky.pauses(), [ms(25), ms(50)]);
    assert_eq!(
        db.retry_stats().retries_of("TransactionConflictException"),
        2
    );

    // A transaction cancelled only because of a conflict, likewise.
    let cancelled = Error::TransactionCanceled {
        message: "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]".into(),
        reasons: ["None", "TransactionConflict"]
            .map(|code| dynamo::CancellationReason {
                code: code.into(),
                message: None,
                item: None,
            })
            .to_vec(),
    };
    flaky.fail_next(1, cancelled);
    db.transaction()
        .put(&account("b", 1))
        .put(&account("c", 2))
        .commit()
        .await
        .unwrap();
    assert_eq!(
        db.get(Account::key("c")).await.unwrap(),
        Some(account("c", 2))
    );
}

#[tokio::test]
async fn attempts_are_bounded_and_the_last_error_is_returned() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    flaky.fail_next(10, throttled(None));
    assert_eq!(
        db.put(&account("a", 10)).await.unwrap_err(),
        throttled(None)
    );
    assert_eq!(flaky.calls(), 4, "DynamoDB's SDK default: 4 attempts");
    let stats = db.retry_stats();
    assert_eq!((stats.retries, stats.exhausted), (3, 1));

    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default().max_attempts(2)).await;
    flaky.fail_next(10, throttled(None));
    db.put(&account("a", 10)).await.unwrap_err();
    assert_eq!(flaky.calls(), 2);

    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::none()).await;
    flaky.fail_next(10, throttled(None));
    db.put(&account("a", 10)).await.unwrap_err();
    assert_eq!(flaky.calls(), 1);
}

#[tokio::test]
async fn no_retry_waits_past_the_total_time() {
    let flaky = Flaky::new();
    let policy = RetryPolicy::default()
        .max_attempts(10)
        .max_total_time(ms(3500));
    let db = client(&flaky, policy).await;
    flaky.fail_next(10, throttled(None));
    db.put(&account("a", 10)).await.unwrap_err();
    // 1 s, then 2 s; another 4 s would end at 7 s, past 3.5 s.
    assert_eq!(flaky.pauses(), [secs(1), secs(2)]);
    assert_eq!(flaky.calls(), 3);
}

#[tokio::test]
async fn the_wait_the_service_asks_for_is_honoured() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    flaky.fail_next(1, throttled(Some(ms(300))));
    flaky.fail_next(1, throttled(Some(secs(90))));
    db.put(&account("a", 10)).await.unwrap();
    // Exactly as asked, capped at the 20 s maximum backoff.
    assert_eq!(flaky.pauses(), [ms(300), secs(20)]);
}

#[tokio::test]
async fn every_attempt_of_a_transaction_carries_the_same_client_token() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    let transfer = |token: Option<&str>| {
        let t = db.transaction().put(&account("a", 5)).put(&account("b", 5));
        match token {
            Some(token) => t.token(token),
            None => t,
        }
    };
    flaky.fail_next(2, service("TransactionInProgressException"));
    transfer(Some("transfer-1")).commit().await.unwrap();
    assert_eq!(
        flaky.log(|l| l.tokens.clone()),
        vec![Some("transfer-1".to_owned()); 3]
    );
    assert_eq!(
        flaky.pauses(),
        [secs(1), secs(2)],
        "in progress waits like throttling"
    );

    // Without a token of its own, the client makes one for all attempts.
    flaky.log(|l| l.tokens.clear());
    flaky.fail_next(
        1,
        Error::InternalServerError("Internal server error".into()),
    );
    transfer(None).commit().await.unwrap();
    let tokens = flaky.log(|l| l.tokens.clone());
    assert_eq!(tokens.len(), 2);
    assert!(tokens[0].is_some() && tokens[0] == tokens[1], "{tokens:?}");
    assert!(tokens[0].as_ref().is_some_and(|t| t.len() <= 36));

    // And a new one for the next transaction.
    flaky.log(|l| l.tokens.clear());
    transfer(None).commit().await.unwrap();
    let next = flaky.log(|l| l.tokens.clone());
    assert_ne!(next[0], tokens[0]);

    // A client that never retries sends what it was given.
    let once = Client::from_arc(flaky.clone()).with_retry_policy(RetryPolicy::none());
    flaky.log(|l| l.tokens.clear());
    once.transaction()
        .put(&account("c", 1))
        .commit()
        .await
        .unwrap();
    assert_eq!(flaky.log(|l| l.tokens.clone()), [None]);
}

#[tokio::test]
async fn unprocessed_batch_items_are_retried_until_done_or_the_policy_is_spent() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    *flaky.per_batch.lock().unwrap() = 8;
    let accounts: Vec<Account> = (0..20).map(|i| account(&format!("a{i:02}"), i)).collect();
    db.put_many(&accounts).await.unwrap();
    assert_eq!(flaky.calls(), 3, "8 + 8 + 4");
    assert_eq!(flaky.pauses(), [secs(1), secs(2)]);
    assert_eq!(db.retry_stats().retries_of("UnprocessedItems"), 2);
    let keys = accounts.iter().map(|a| Account::key(a.id.clone()));
    let read = db.get_many_consistent(keys).await.unwrap();
    assert_eq!(read, accounts.iter().cloned().map(Some).collect::<Vec<_>>());

    // A failed request and unprocessed items share one budget.
    *flaky.per_batch.lock().unwrap() = 0;
    flaky.log(|l| *l = Log::default());
    flaky.fail_next(1, throttled(None));
    let error = db.delete_many([Account::key("a00")]).await.unwrap_err();
    assert_eq!(
        error,
        Error::BatchUnprocessed {
            unprocessed: "UnprocessedItems",
            what: "writes",
            remaining: 1,
            attempts: 4,
        }
    );
    assert_eq!(flaky.calls(), 4);
    assert_eq!(flaky.pauses(), [secs(1), secs(2), secs(4)]);
}

#[tokio::test]
async fn the_stats_add_up_to_the_requests_sent() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default().retry_conflicts()).await;
    let before = db.retry_stats();
    flaky.fail_next(2, throttled(None));
    db.put(&account("a", 1)).await.unwrap();
    flaky.fail_next(1, service("TransactionConflictException"));
    db.update(Account::key("a"))
        .add(Account::BALANCE, 1)
        .await
        .unwrap();
    flaky.fail_next(
        1,
        Error::InternalServerError("Internal server error".into()),
    );
    db.get(Account::key("a")).await.unwrap();
    // A clone shares the counts.
    let clone = db.clone();
    clone.delete(Account::key("a")).await.unwrap();
    flaky.fail_next(4, throttled(None));
    clone.get(Account::key("a")).await.unwrap_err();

    let stats = db.retry_stats();
    let sent = flaky.calls() as u64;
    assert_eq!(stats.requests - before.requests, sent);
    assert_eq!(stats.calls - before.calls, 5);
    assert_eq!(stats.requests, stats.calls + stats.retries);
    assert_eq!(stats.retries, 2 + 1 + 1 + 3);
    assert_eq!(
        stats.retries_of("ProvisionedThroughputExceededException"),
        5
    );
    assert_eq!(stats.retries_of("TransactionConflictException"), 1);
    assert_eq!(stats.retries_of("InternalServerError"), 1);
    assert_eq!(stats.exhausted, 1);
    assert_eq!(stats.waited, flaky.pauses().iter().sum::<Duration>());
}

#[tokio::test]
async fn reads_use_the_clients_consistency_unless_they_choose() {
    let flaky = Flaky::new();
    let db = client(&flaky, RetryPolicy::default()).await;
    let strong = db.clone().with_consistency(Consistency::Strong);
    assert_eq!(db.consistency(), Consistency::Eventual);
    db.put(&account("a", 1)).await.unwrap();

    strong.get(Account::key("a")).await.unwrap();
    strong.get(Account::key("a")).eventual().await.unwrap();
    db.get(Account::key("a")).await.unwrap();
    db.get(Account::key("a")).consistent().await.unwrap();
    strong.query(Account::partition("a")).await.unwrap();
    strong
        .query(Account::partition("a"))
        .eventual()
        .await
        .unwrap();
    // A global secondary index serves only eventually consistent reads.
    strong.query(Account::by_owner("ada")).await.unwrap();
    strong.get_many([Account::key("a")]).await.unwrap();
    strong.get_many_eventual([Account::key("a")]).await.unwrap();
    assert_eq!(
        flaky.log(|l| l.consistent.clone()),
        [
            Some(true),
            None,
            None,
            Some(true),
            Some(true),
            None,
            None,
            Some(true),
            None
        ]
    );
}

#[test]
fn the_aws_sdk_clients_never_retry_on_their_own() {
    let attempts = |backend: &dynamo_aws::AwsBackend| {
        let dynamodb = backend
            .client()
            .config()
            .retry_config()
            .unwrap()
            .max_attempts();
        let streams = backend
            .streams_client()
            .map(|s| s.config().retry_config().unwrap().max_attempts());
        (dynamodb, streams)
    };
    let credentials =
        aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "retries test");
    let endpoint =
        dynamo_aws::AwsBackend::for_endpoint_with("http://127.0.0.1:1", "us-east-1", credentials);
    assert_eq!(attempts(&endpoint), (1, Some(1)));

    // A client made with the SDK's retries on is remade without them.
    let retrying = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::standard().with_max_attempts(5))
        .build();
    let given = dynamo_aws::AwsBackend::new(aws_sdk_dynamodb::Client::from_conf(retrying));
    assert_eq!(attempts(&given), (1, None));
}

/// Through the server and the AWS SDK: the server sees exactly the typed
/// client's attempts, and a throttle arrives as `Error::Throttled`.
#[tokio::test]
async fn over_http_the_typed_client_is_the_only_one_retrying() {
    let flaky = Flaky::new();
    let server = dynamo::local::server::Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        ServedBy(flaky.clone()),
        dynamo::local::server::ServerOptions::default(),
    )
    .await
    .unwrap();
    let db = common::aws_client(&server)
        .with_retry_policy(RetryPolicy::default().throttling_base_delay(ms(10)));
    db.create_table::<Account>().await.unwrap();

    flaky.fail_next(2, service("ThrottlingException"));
    flaky.fail_next(1, Error::InternalServerError("boom".into()));
    db.put(&account("a", 10)).await.unwrap();
    assert_eq!(flaky.calls(), 4);
    let stats = db.retry_stats();
    assert_eq!(stats.retries_of("ThrottlingException"), 2);
    assert_eq!(stats.retries_of("InternalServerError"), 1);

    flaky.fail_next(10, service("ProvisionedThroughputExceededException"));
    let error = db.get(Account::key("a")).await.unwrap_err();
    assert!(
        matches!(&error, Error::Throttled { error_type, .. } if error_type == "ProvisionedThroughputExceededException"),
        "{error:?}"
    );
    assert_eq!(flaky.calls(), 8, "4 attempts, none of them the SDK's");
    server.shutdown().await;
}

/// The flaky backend as a server's engine (the server takes it by value).
struct ServedBy(Arc<Flaky>);

macro_rules! served_by {
    ($($method:ident($input:ty) -> $output:ty;)*) => {
        #[async_trait]
        impl Backend for ServedBy {
            $(async fn $method(&self, input: $input) -> Result<$output> {
                self.0.$method(input).await
            })*
        }
    };
}

served_by! {
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

/// The engine with `specs` injected (seed 7), and how to reach it: in
/// process, or through `dynamo-local serve` and the AWS SDK.
async fn faulty(
    specs: &[&str],
    over_http: bool,
) -> (dynamo::local::Engine, Client, Option<Server>) {
    let engine = dynamo::local::Engine::with_options(dynamo::local::EngineOptions {
        seed: 7,
        faults: dynamo::local::FaultPlan::parse(specs).unwrap(),
        ..dynamo::local::EngineOptions::default()
    });
    if over_http {
        let server = common::serve_engine(engine.clone()).await;
        let db = common::aws_client(&server);
        (engine, db, Some(server))
    } else {
        (engine.clone(), Client::new(engine), None)
    }
}

/// Injected throttles, 500s, 503s, conflicts and partial batches, all
/// absorbed: every write lands once, every read answers, and the retries
/// the client reports are the faults the engine injected.
async fn injected_faults_are_absorbed_by_retries(over_http: bool) {
    let (engine, db, server) = faulty(
        &[
            "PutItem:provisioned:0.2",
            "GetItem:throttle:retry_after=3ms:every=3",
            "UpdateItem:conflict:every=4",
            "UpdateItem:unavailable:every=5",
            "Query:internal:calls=2..3",
            "BatchWriteItem:partial:0.5",
            "TransactWriteItems:request-limit:every=2",
        ],
        over_http,
    )
    .await;
    let db = db.with_retry_policy(
        RetryPolicy::default()
            .max_attempts(10)
            .throttling_base_delay(ms(2))
            .transient_base_delay(ms(1))
            .retry_conflicts()
            .seed(3),
    );
    db.create_table::<Account>().await.unwrap();
    for i in 0..30 {
        db.put(&account(&format!("a{i:02}"), 100)).await.unwrap();
    }
    for i in 0..30 {
        db.update(Account::key(format!("a{i:02}")))
            .add(Account::BALANCE, 1)
            .await
            .unwrap();
    }
    for i in 0..10 {
        db.transaction()
            .update(Account::key(format!("a{i:02}")), |u| {
                u.add(Account::BALANCE, -1)
            })
            .update(Account::key(format!("a{:02}", i + 10)), |u| {
                u.add(Account::BALANCE, 1)
            })
            .commit()
            .await
            .unwrap();
    }
    let more: Vec<Account> = (30..80).map(|i| account(&format!("a{i:02}"), 5)).collect();
    db.put_many(&more).await.unwrap();
    for _ in 0..3 {
        assert_eq!(db.query(Account::partition("a00")).await.unwrap().len(), 1);
    }
    let mut total = 0;
    for i in 0..80 {
        let stored = db.get(Account::key(format!("a{i:02}"))).consistent().await;
        total += stored.unwrap().unwrap().balance;
    }
    assert_eq!(total, 30 * 101 + 50 * 5, "every write applied once");

    let injected: Vec<u64> = engine
        .faults()
        .injected()
        .iter()
        .map(|r| r.injected)
        .collect();
    assert!(
        injected.iter().all(|&n| n > 0),
        "every rule fired: {injected:?}"
    );
    let stats = db.retry_stats();
    assert_eq!(stats.exhausted, 0);
    assert_eq!(stats.retries, injected.iter().sum::<u64>(), "{stats:?}");
    let by_type = |t: &str| stats.retries_of(t);
    assert_eq!(
        by_type("ProvisionedThroughputExceededException"),
        injected[0]
    );
    assert_eq!(by_type("ThrottlingException"), injected[1]);
    assert_eq!(by_type("TransactionConflictException"), injected[2]);
    assert_eq!(by_type("ServiceUnavailable"), injected[3]);
    assert_eq!(by_type("InternalServerError"), injected[4]);
    assert_eq!(by_type("UnprocessedItems"), injected[5]);
    assert_eq!(by_type("RequestLimitExceeded"), injected[6]);
    if let Some(server) = server {
        server.shutdown().await;
    }
}

#[tokio::test]
async fn injected_faults_are_absorbed_by_retries_in_process() {
    injected_faults_are_absorbed_by_retries(false).await;
}

#[tokio::test]
async fn injected_faults_are_absorbed_by_retries_over_http() {
    injected_faults_are_absorbed_by_retries(true).await;
}

/// A throttle the client does not retry reaches the caller as it was
/// injected, with its reasons and the wait it asks for, on both paths.
#[tokio::test]
async fn a_throttle_keeps_its_reasons_and_wait_through_the_sdk() {
    let mut errors = Vec::new();
    for over_http in [false, true] {
        let (_engine, db, server) =
            faulty(&["GetItem:provisioned:retry_after=150ms"], over_http).await;
        let db = db.with_retry_policy(RetryPolicy::none());
        db.create_table::<Account>().await.unwrap();
        errors.push(db.get(Account::key("a")).await.unwrap_err());
        if let Some(server) = server {
            server.shutdown().await;
        }
    }
    let Error::Throttled {
        error_type,
        reasons,
        retry_after,
        ..
    } = &errors[0]
    else {
        panic!("{:?}", errors[0]);
    };
    assert_eq!(error_type, "ProvisionedThroughputExceededException");
    assert!(!reasons.is_empty());
    assert_eq!(*retry_after, Some(ms(150)));
    assert_eq!(errors[1], errors[0], "the same error over HTTP");
}
