//! The typed change feed (`db.changes::<T>()`, `db.collection_changes::<C>()`)
//! on both backends: in process, and through dynamo-aws (aws-sdk-dynamodb
//! and aws-sdk-dynamodbstreams) against `dynamo-local serve`. Inserts,
//! modifies and removes arrive in commit order with their images, TTL
//! deletions with their origin; the feed starts now or at the oldest
//! record, reopens an expired iterator where it stopped, ends when the
//! stream is disabled, and says why when there is nothing to read.

use dynamo::ops::*;
use dynamo::{Backend, Change, ChangeKind, Client, Error, Item, Origin, Result, SequenceNumber};
use dynamo_local::{Engine, EngineOptions, ManualClock};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod common;

/// Seconds since the epoch of the scenarios' manual clock.
const NOW: u64 = 1_700_000_000;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "sessions")]
struct Session {
    #[dynamo(partition_key)]
    id: String,
    user: String,
    visits: u64,
    #[dynamo(ttl)]
    expires_at: Option<SystemTime>,
}

fn session(id: &str, user: &str, visits: u64) -> Session {
    Session {
        id: id.into(),
        user: user.into(),
        visits,
        expires_at: None,
    }
}

/// A customer of a single-table shop.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "PROFILE")]
struct Customer {
    customer_id: String,
    name: String,
}

/// An order in the same partition as its customer.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "ORDER#{order_id}")]
struct Order {
    customer_id: String,
    order_id: String,
    cents: u64,
}

#[derive(dynamo::Collection, Debug, Clone, PartialEq)]
enum Shop {
    Customer(Customer),
    Order(Order),
}

async fn set_stream(db: &Client, table: &str, view: Option<StreamViewType>) -> Result<()> {
    db.backend()
        .update_table(UpdateTableInput {
            table_name: table.into(),
            stream_specification: Some(StreamSpecification {
                stream_enabled: view.is_some(),
                stream_view_type: view,
            }),
            ..UpdateTableInput::default()
        })
        .await
        .map(drop)
}

/// The sessions table with a NEW_AND_OLD_IMAGES stream (and TTL on).
async fn sessions(db: &Client) {
    db.create_table::<Session>().await.unwrap();
    set_stream(db, "sessions", Some(StreamViewType::NewAndOldImages))
        .await
        .unwrap();
}

fn key(id: &str) -> dynamo::AttributeMap {
    dynamo::AttributeMap::from([("id".to_owned(), dynamo::AttributeValue::S(id.into()))])
}

/// The next `n` changes of `feed`.
async fn take<T>(feed: &mut dynamo::ChangeStream<T>, n: usize) -> Vec<Change<T>> {
    let mut changes = Vec::with_capacity(n);
    for _ in 0..n {
        changes.push(feed.next().await.expect("the feed ended").unwrap());
    }
    changes
}

fn kinds<T: Clone>(changes: &[Change<T>]) -> Vec<ChangeKind<T>> {
    changes.iter().map(|c| c.kind.clone()).collect()
}

async fn a_feed_from_the_oldest_record_reads_inserts_modifies_and_removes_in_commit_order(
    db: Client,
) {
    sessions(&db).await;
    db.put(&session("s1", "ada", 1)).await.unwrap();
    db.update(Session::key("s1"))
        .set(Session::VISITS, 2u64)
        .await
        .unwrap();
    db.put(&session("s2", "bob", 1)).await.unwrap();
    db.delete(Session::key("s1")).await.unwrap();
    // Changes nothing, so the stream records nothing.
    db.put(&session("s2", "bob", 1)).await.unwrap();

    let mut feed = db.changes::<Session>().from_oldest().await.unwrap();
    assert_eq!(feed.view_type(), StreamViewType::NewAndOldImages);
    assert!(feed.stream_arn().contains(":table/sessions/stream/"));
    let changes = take(&mut feed, 4).await;
    assert_eq!(
        kinds(&changes),
        [
            ChangeKind::Inserted {
                new: Some(session("s1", "ada", 1))
            },
            ChangeKind::Modified {
                old: Some(session("s1", "ada", 1)),
                new: Some(session("s1", "ada", 2))
            },
            ChangeKind::Inserted {
                new: Some(session("s2", "bob", 1))
            },
            ChangeKind::Removed {
                old: Some(session("s1", "ada", 2))
            },
        ]
    );
    let keys: Vec<_> = changes.iter().map(|c| c.key.clone()).collect();
    assert_eq!(keys, [key("s1"), key("s1"), key("s2"), key("s1")]);
    assert!(changes.iter().all(|c| c.origin == Origin::User));
    let numbers: Vec<&SequenceNumber> = changes.iter().map(|c| &c.sequence_number).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    let now = SystemTime::now();
    assert!(changes.iter().all(|c| c.at <= now && c.at > UNIX_EPOCH));

    // The next change is the next write: the feed invented nothing and the
    // identical put recorded nothing.
    db.put(&session("s3", "cy", 1)).await.unwrap();
    let next = take(&mut feed, 1).await;
    assert_eq!(
        kinds(&next),
        [ChangeKind::Inserted {
            new: Some(session("s3", "cy", 1))
        }]
    );
    assert!(next[0].sequence_number > changes[3].sequence_number);
}

async fn a_feed_from_now_reads_only_the_changes_made_after_it_started(db: Client) {
    sessions(&db).await;
    db.put(&session("before", "ada", 1)).await.unwrap();
    let mut feed = db.changes::<Session>().await.unwrap();
    db.put(&session("after", "bob", 1)).await.unwrap();
    db.update(Session::key("before"))
        .set(Session::USER, "eve".to_owned())
        .await
        .unwrap();
    assert_eq!(
        kinds(&take(&mut feed, 2).await),
        [
            ChangeKind::Inserted {
                new: Some(session("after", "bob", 1))
            },
            ChangeKind::Modified {
                old: Some(session("before", "ada", 1)),
                new: Some(session("before", "eve", 1))
            },
        ]
    );
}

async fn a_waiting_feed_lets_the_writer_it_waits_for_run(db: Client) {
    sessions(&db).await;
    let mut feed = db
        .changes::<Session>()
        .poll_interval(Duration::from_millis(20))
        .await
        .unwrap();
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            db.put(&session("late", "ada", 1)).await.unwrap();
        })
    };
    let change = tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .expect("the feed never let the writer run")
        .unwrap()
        .unwrap();
    assert_eq!(
        change.kind,
        ChangeKind::Inserted {
            new: Some(session("late", "ada", 1))
        }
    );
    writer.await.unwrap();
}

async fn a_feed_ends_once_its_stream_is_disabled_and_read_to_its_end(db: Client) {
    sessions(&db).await;
    let mut feed = db.changes::<Session>().await.unwrap();
    db.put(&session("s1", "ada", 1)).await.unwrap();
    set_stream(&db, "sessions", None).await.unwrap();
    // Not recorded: the stream is disabled.
    db.put(&session("s2", "bob", 1)).await.unwrap();
    assert_eq!(
        kinds(&take(&mut feed, 1).await),
        [ChangeKind::Inserted {
            new: Some(session("s1", "ada", 1))
        }]
    );
    assert!(feed.next().await.is_none());
    assert!(feed.next().await.is_none());
}

async fn view_types_decide_which_images_a_change_has(db: Client) {
    db.create_table::<Session>().await.unwrap();
    set_stream(&db, "sessions", Some(StreamViewType::KeysOnly))
        .await
        .unwrap();
    let mut keys_only = db.changes::<Session>().await.unwrap();
    db.put(&session("s1", "ada", 1)).await.unwrap();
    db.put(&session("s1", "ada", 2)).await.unwrap();
    db.delete(Session::key("s1")).await.unwrap();
    let changes = take(&mut keys_only, 3).await;
    assert_eq!(
        kinds(&changes),
        [
            ChangeKind::Inserted { new: None },
            ChangeKind::Modified {
                old: None,
                new: None
            },
            ChangeKind::Removed { old: None },
        ]
    );
    assert!(changes.iter().all(|c| c.key == key("s1")));

    set_stream(&db, "sessions", None).await.unwrap();
    set_stream(&db, "sessions", Some(StreamViewType::OldImage))
        .await
        .unwrap();
    let mut old_images = db.changes::<Session>().await.unwrap();
    db.put(&session("s2", "bob", 1)).await.unwrap();
    db.put(&session("s2", "bob", 2)).await.unwrap();
    assert_eq!(
        kinds(&take(&mut old_images, 2).await),
        [
            ChangeKind::Inserted { new: None },
            ChangeKind::Modified {
                old: Some(session("s2", "bob", 1)),
                new: None
            },
        ]
    );
}

async fn a_typed_feed_of_a_shared_table_reads_its_own_type_and_a_collection_feed_every_type(
    db: Client,
) {
    db.create_collection_table::<Shop>().await.unwrap();
    set_stream(&db, "shop", Some(StreamViewType::NewAndOldImages))
        .await
        .unwrap();
    let mut orders = db.changes::<Order>().await.unwrap();
    let mut everything = db.collection_changes::<Shop>().await.unwrap();
    let ada = Customer {
        customer_id: "c1".into(),
        name: "Ada".into(),
    };
    let first = Order {
        customer_id: "c1".into(),
        order_id: "o1".into(),
        cents: 500,
    };
    db.put(&ada).await.unwrap();
    db.put(&first).await.unwrap();
    db.delete(Customer::key("c1")).await.unwrap();
    let last = Order {
        order_id: "o2".into(),
        ..first.clone()
    };
    db.put(&last).await.unwrap();

    // The customer's records are skipped.
    assert_eq!(
        kinds(&take(&mut orders, 2).await),
        [
            ChangeKind::Inserted {
                new: Some(first.clone())
            },
            ChangeKind::Inserted {
                new: Some(last.clone())
            },
        ]
    );
    let all = take(&mut everything, 4).await;
    assert_eq!(
        kinds(&all),
        [
            ChangeKind::Inserted {
                new: Some(Shop::Customer(ada.clone()))
            },
            ChangeKind::Inserted {
                new: Some(Shop::Order(first))
            },
            ChangeKind::Removed {
                old: Some(Shop::Customer(ada))
            },
            ChangeKind::Inserted {
                new: Some(Shop::Order(last))
            },
        ]
    );
    assert_eq!(
        all[2].key,
        dynamo::AttributeMap::from([
            (
                "pk".to_owned(),
                dynamo::AttributeValue::S("CUSTOMER#c1".into())
            ),
            ("sk".to_owned(), dynamo::AttributeValue::S("PROFILE".into())),
        ])
    );

    // Without both images a record may not show its item type: the typed
    // feed refuses, the collection feed reads keys.
    set_stream(&db, "shop", None).await.unwrap();
    set_stream(&db, "shop", Some(StreamViewType::KeysOnly))
        .await
        .unwrap();
    let refused = db.changes::<Order>().await.unwrap_err();
    assert_eq!(
        refused,
        Error::Validation(
            "the records of a KEYS_ONLY stream do not all show which item type changed, so the changes of `Order` items cannot be told from the other types of table `shop`; enable NEW_AND_OLD_IMAGES or read them with collection_changes".into()
        )
    );
    let mut keys = db.collection_changes::<Shop>().await.unwrap();
    db.delete(Order::key("c1", "o1")).await.unwrap();
    let removed = take(&mut keys, 1).await;
    assert_eq!(kinds(&removed), [ChangeKind::Removed { old: None }]);
    assert_eq!(
        removed[0].key["sk"],
        dynamo::AttributeValue::S("ORDER#o1".into())
    );
}

/// A backend in front of another that serves no DynamoDB Streams.
struct NoStreams(Client);

macro_rules! delegate {
    ($($method:ident($input:ty) -> $output:ty;)*) => {
        #[async_trait::async_trait]
        impl Backend for NoStreams {
            $(async fn $method(&self, input: $input) -> Result<$output> {
                self.0.backend().$method(input).await
            })*
        }
    };
}

delegate! {
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

async fn a_feed_says_why_it_cannot_start(db: Client) {
    let missing = db.changes::<Session>().await.unwrap_err();
    assert_eq!(missing.error_type(), "ResourceNotFoundException");

    db.create_table::<Session>().await.unwrap();
    let no_stream = db.changes::<Session>().from_oldest().await.unwrap_err();
    assert_eq!(
        no_stream,
        Error::Validation(
            "table `sessions` has no stream enabled; enable one with a StreamSpecification to read its changes".into()
        )
    );
    set_stream(&db, "sessions", Some(StreamViewType::NewImage))
        .await
        .unwrap();
    set_stream(&db, "sessions", None).await.unwrap();
    let disabled = db.changes::<Session>().await.unwrap_err();
    assert_eq!(disabled, no_stream);

    let without_streams = Client::new(NoStreams(db.clone()));
    assert!(without_streams.backend().streams().is_none());
    assert_eq!(
        without_streams.changes::<Session>().await.unwrap_err(),
        Error::Validation(
            "this backend does not serve DynamoDB Streams, so it has no change feed".into()
        )
    );
}

/// The Streams API's errors are the engine's, with its types and
/// messages, through aws-sdk-dynamodbstreams as in process.
async fn streams_errors_carry_the_engines_types_and_messages(db: Client) {
    let streams = db.backend().streams().unwrap();
    let unknown =
        "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2024-01-01T00:00:00.000";
    let not_found = streams
        .describe_stream(DescribeStreamInput {
            stream_arn: unknown.into(),
            ..DescribeStreamInput::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        not_found,
        Error::ResourceNotFound(format!(
            "Requested resource not found: Stream: {unknown} not found"
        ))
    );
    let invalid = streams
        .get_records(GetRecordsInput {
            shard_iterator: "not-an-iterator".into(),
            limit: None,
        })
        .await
        .unwrap_err();
    assert_eq!(invalid, Error::Validation("Invalid ShardIterator".into()));

    // A stream enabled after two writes does not hold them.
    db.create_table::<Session>().await.unwrap();
    db.put(&session("s1", "ada", 1)).await.unwrap();
    db.put(&session("s2", "bob", 1)).await.unwrap();
    set_stream(&db, "sessions", Some(StreamViewType::NewImage))
        .await
        .unwrap();
    let arn = streams
        .list_streams(ListStreamsInput {
            table_name: Some("sessions".into()),
            ..ListStreamsInput::default()
        })
        .await
        .unwrap()
        .streams
        .remove(0)
        .stream_arn;
    let description = streams
        .describe_stream(DescribeStreamInput {
            stream_arn: arn.clone(),
            ..DescribeStreamInput::default()
        })
        .await
        .unwrap()
        .stream_description;
    assert_eq!(description.stream_status, StreamStatus::Enabled);
    assert_eq!(description.table_name, "sessions");
    let shard = &description.shards[0];
    let horizon = shard
        .sequence_number_range
        .starting_sequence_number
        .clone()
        .unwrap();
    let trimmed = streams
        .get_shard_iterator(GetShardIteratorInput {
            stream_arn: arn,
            shard_id: shard.shard_id.clone(),
            shard_iterator_type: ShardIteratorType::AtSequenceNumber,
            sequence_number: Some("1".into()),
        })
        .await
        .unwrap_err();
    assert_eq!(
        trimmed,
        Error::Service {
            error_type: "TrimmedDataAccessException".into(),
            message: format!(
                "Attempted to access data that has been trimmed: sequence number {:021} is before the trim horizon {horizon}",
                1
            ),
        }
    );
}

on_both_backends!(
    a_feed_from_the_oldest_record_reads_inserts_modifies_and_removes_in_commit_order,
    a_feed_from_now_reads_only_the_changes_made_after_it_started,
    a_waiting_feed_lets_the_writer_it_waits_for_run,
    a_feed_ends_once_its_stream_is_disabled_and_read_to_its_end,
    view_types_decide_which_images_a_change_has,
    a_typed_feed_of_a_shared_table_reads_its_own_type_and_a_collection_feed_every_type,
    a_feed_says_why_it_cannot_start,
    streams_errors_carry_the_engines_types_and_messages,
);

/// An engine on a manual clock that sweeps TTL only when told.
fn engine_on_manual_clock() -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(NOW)));
    let engine = Engine::with_options(EngineOptions {
        clock: clock.clone(),
        ttl_sweep_interval: None,
        ..EngineOptions::default()
    });
    (engine, clock)
}

/// A TTL deletion arrives with origin TimeToLive; a feed left unread for
/// longer than an iterator lives reopens after the last change it read,
/// and one that has read nothing says its iterator expired.
async fn ttl_deletions_and_expired_iterators(db: Client, engine: Engine, clock: Arc<ManualClock>) {
    sessions(&db).await;
    let mut feed = db.changes::<Session>().await.unwrap();
    let mut idle = db.changes::<Session>().await.unwrap();
    let expiring = Session {
        expires_at: Some(UNIX_EPOCH + Duration::from_secs(NOW + 10)),
        ..session("s1", "ada", 1)
    };
    db.put(&expiring).await.unwrap();
    clock.advance(Duration::from_secs(60));
    assert_eq!(engine.sweep_expired(), 1);
    let changes = take(&mut feed, 2).await;
    assert_eq!(
        changes
            .iter()
            .map(|c| (c.kind.clone(), c.origin.clone()))
            .collect::<Vec<_>>(),
        [
            (
                ChangeKind::Inserted {
                    new: Some(expiring.clone())
                },
                Origin::User
            ),
            (
                ChangeKind::Removed {
                    old: Some(expiring)
                },
                Origin::TimeToLive
            ),
        ]
    );
    assert_eq!(
        changes[1].at,
        UNIX_EPOCH + Duration::from_secs(NOW + 60),
        "the commit time is the engine's clock"
    );

    clock.advance(Duration::from_secs(15 * 60 + 1));
    db.put(&session("s2", "bob", 1)).await.unwrap();
    assert_eq!(
        kinds(&take(&mut feed, 1).await),
        [ChangeKind::Inserted {
            new: Some(session("s2", "bob", 1))
        }]
    );
    let expired = idle.next().await.unwrap().unwrap_err();
    assert_eq!(
        expired,
        Error::Service {
            error_type: "ExpiredIteratorException".into(),
            message: "Iterator expired. The iterator was created more than 15 minutes ago".into(),
        }
    );
    assert!(idle.next().await.is_none(), "an error ends the feed");
}

mod on_a_manual_clock {
    use super::*;

    #[tokio::test]
    async fn in_process() {
        let (engine, clock) = engine_on_manual_clock();
        ttl_deletions_and_expired_iterators(Client::new(engine.clone()), engine, clock).await;
    }

    #[tokio::test]
    async fn aws_sdk_over_http() {
        let (engine, clock) = engine_on_manual_clock();
        let server = common::serve_engine(engine.clone()).await;
        ttl_deletions_and_expired_iterators(common::aws_client(&server), engine, clock).await;
        server.shutdown().await;
    }
}
