//! The typed client's paths no other scenario runs, on both backends: the
//! batch retry loop and its give-up error (driven by a backend that answers
//! with unprocessed items, as DynamoDB does under load), `put_many` refusing
//! versioned types, `get_many_consistent`, a `get_many` past the 16 MB
//! response cap, `create_collection_table` and each way its members can
//! disagree, and the typed operators `ne`, `le`, `between`, `is_in`,
//! `exists`, OR and NOT, and `set_if_not_exists`.

use async_trait::async_trait;
use dynamo::ops::*;
use dynamo::{
    Backend, Client, Collection, Error, Item, Key, Result, TableSchema, schema::TimeToLiveStatus,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "products")]
struct Product {
    #[dynamo(partition_key)]
    sku: String,
    category: String,
    price_cents: u64,
    stock: u32,
    discontinued: Option<bool>,
    first_sold: Option<String>,
}

fn product(sku: &str, category: &str, price_cents: u64, stock: u32) -> Product {
    Product {
        sku: sku.into(),
        category: category.into(),
        price_cents,
        stock,
        discontinued: None,
        first_sold: None,
    }
}

fn numbered(n: usize) -> Product {
    product(&format!("p{n:02}"), "bulk", n as u64, 1)
}

/// What a batch asked the backend for.
#[derive(Debug, Default)]
struct Log {
    /// Keys or writes per `BatchGetItem`/`BatchWriteItem` call.
    batch_sizes: Vec<usize>,
    /// `ConsistentRead` of each `BatchGetItem` call.
    consistent: Vec<Option<bool>>,
    /// Pauses the client took before retries.
    pauses: Vec<Duration>,
}

/// A backend in front of another that processes at most `per_call` of a
/// batch's keys or writes and answers the rest as unprocessed, the way
/// DynamoDB answers under throttling. It records each batch and the
/// pauses the client asks for, without waiting them out.
struct Throttled {
    inner: Client,
    per_call: usize,
    log: Mutex<Log>,
}

impl Throttled {
    /// `inner` behind a throttle, and a client over it.
    fn over(inner: &Client, per_call: usize) -> (Arc<Self>, Client) {
        let throttled = Arc::new(Self {
            inner: inner.clone(),
            per_call,
            log: Mutex::default(),
        });
        // Unjittered waits from 50 ms, doubling up to 1.6 s, 8 attempts:
        // the schedule these scenarios pin.
        let policy = dynamo::RetryPolicy::default()
            .max_attempts(8)
            .throttling_base_delay(Duration::from_millis(50))
            .max_backoff(Duration::from_millis(1600))
            .without_jitter();
        let client = Client::from_arc(throttled.clone()).with_retry_policy(policy);
        (throttled, client)
    }

    fn log<R>(&self, f: impl FnOnce(&mut Log) -> R) -> R {
        f(&mut self.log.lock().unwrap())
    }
}

/// Every operation but the batches and `pause` goes to the inner backend.
macro_rules! delegate {
    ($($method:ident($input:ty) -> $output:ty;)*) => {
        #[async_trait]
        impl Backend for Throttled {
            $(async fn $method(&self, input: $input) -> Result<$output> {
                self.inner.backend().$method(input).await
            })*

            async fn batch_get_item(&self, mut input: BatchGetItemInput) -> Result<BatchGetItemOutput> {
                let mut held = HashMap::new();
                for (table, request) in &mut input.request_items {
                    self.log(|l| {
                        l.batch_sizes.push(request.keys.len());
                        l.consistent.push(request.consistent_read);
                    });
                    let rest = request.keys.split_off(request.keys.len().min(self.per_call));
                    if !rest.is_empty() {
                        held.insert(table.clone(), KeysAndAttributes {
                            keys: rest,
                            consistent_read: request.consistent_read,
                            projection: request.projection.clone(),
                        });
                    }
                }
                input.request_items.retain(|_, r| !r.keys.is_empty());
                let mut output = if input.request_items.is_empty() {
                    BatchGetItemOutput::default()
                } else {
                    self.inner.backend().batch_get_item(input).await?
                };
                for (table, rest) in held {
                    match output.unprocessed_keys.get_mut(&table) {
                        Some(unprocessed) => unprocessed.keys.extend(rest.keys),
                        None => {
                            output.unprocessed_keys.insert(table, rest);
                        }
                    }
                }
                Ok(output)
            }

            async fn batch_write_item(&self, mut input: BatchWriteItemInput) -> Result<BatchWriteItemOutput> {
                let mut held = HashMap::new();
                for (table, writes) in &mut input.request_items {
                    self.log(|l| l.batch_sizes.push(writes.len()));
                    let rest = writes.split_off(writes.len().min(self.per_call));
                    if !rest.is_empty() {
                        held.insert(table.clone(), rest);
                    }
                }
                input.request_items.retain(|_, w| !w.is_empty());
                let mut output = if input.request_items.is_empty() {
                    BatchWriteItemOutput::default()
                } else {
                    self.inner.backend().batch_write_item(input).await?
                };
                for (table, rest) in held {
                    output.unprocessed_items.entry(table).or_default().extend(rest);
                }
                Ok(output)
            }

            async fn pause(&self, duration: Duration) {
                self.log(|l| l.pauses.push(duration));
            }
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
    transact_write_items(TransactWriteItemsInput) -> TransactWriteItemsOutput;
    transact_get_items(TransactGetItemsInput) -> TransactGetItemsOutput;
}

fn ms(values: &[u64]) -> Vec<Duration> {
    values.iter().map(|&v| Duration::from_millis(v)).collect()
}

/// The give-up error of a batch.
fn gave_up(what: &str) -> Error {
    let (remaining, what) = what.split_once(' ').unwrap();
    let (unprocessed, what) = match what {
        "keys" => ("UnprocessedKeys", "keys"),
        _ => ("UnprocessedItems", "writes"),
    };
    Error::BatchUnprocessed {
        unprocessed,
        what,
        remaining: remaining.parse().unwrap(),
        attempts: 8,
    }
}

fn product_keys(numbers: impl IntoIterator<Item = usize>) -> Vec<Key<Product>> {
    numbers
        .into_iter()
        .map(|n| Product::key(format!("p{n:02}")))
        .collect()
}

async fn get_many_retries_unprocessed_keys_with_growing_pauses(db: Client) {
    db.create_table::<Product>().await.unwrap();
    let stored: Vec<Product> = (0..10).map(numbered).collect();
    db.put_many(&stored).await.unwrap();
    let (throttled, slow) = Throttled::over(&db, 4);
    // Ten stored, two missing, one asked twice: twelve distinct keys.
    let asked = [9, 10, 0, 1, 2, 3, 11, 4, 5, 6, 7, 8, 9];
    let got = slow.get_many(product_keys(asked)).await.unwrap();
    let expected: Vec<Option<Product>> = asked
        .iter()
        .map(|&n| (n < 10).then(|| numbered(n)))
        .collect();
    assert_eq!(got, expected);
    throttled.log(|l| {
        assert_eq!(l.batch_sizes, [12, 8, 4]);
        assert_eq!(l.pauses, ms(&[50, 100]));
    });
}

async fn get_many_gives_up_after_eight_attempts(db: Client) {
    db.create_table::<Product>().await.unwrap();
    let (throttled, stuck) = Throttled::over(&db, 0);
    assert_eq!(
        stuck.get_many(product_keys([1, 2, 3])).await.unwrap_err(),
        gave_up("3 keys")
    );
    throttled.log(|l| {
        assert_eq!(l.batch_sizes, [3; 8]);
        assert_eq!(l.pauses, ms(&[50, 100, 200, 400, 800, 1600, 1600]));
    });
}

async fn put_many_and_delete_many_retry_unprocessed_writes(db: Client) {
    db.create_table::<Product>().await.unwrap();
    let (throttled, slow) = Throttled::over(&db, 10);
    let products: Vec<Product> = (0..30).map(numbered).collect();
    slow.put_many(&products).await.unwrap();
    // 25 writes a request: the first 25 take three calls, the last 5 one.
    throttled.log(|l| {
        assert_eq!(l.batch_sizes, [25, 15, 5, 5]);
        assert_eq!(l.pauses, ms(&[50, 100]));
    });
    let read = db.get_many_consistent(product_keys(0..30)).await.unwrap();
    assert_eq!(read, products.into_iter().map(Some).collect::<Vec<_>>());

    throttled.log(|l| *l = Log::default());
    slow.delete_many(product_keys(0..30)).await.unwrap();
    throttled.log(|l| assert_eq!(l.batch_sizes, [25, 15, 5, 5]));
    let read = db.get_many_consistent(product_keys(0..30)).await.unwrap();
    assert_eq!(read, vec![None; 30]);
}

async fn put_many_and_delete_many_give_up_after_eight_attempts(db: Client) {
    db.create_table::<Product>().await.unwrap();
    let (throttled, stuck) = Throttled::over(&db, 0);
    let products: Vec<Product> = (0..30).map(numbered).collect();
    // The first request of 25 never goes through, so the last 5 are not sent.
    assert_eq!(
        stuck.put_many(&products).await.unwrap_err(),
        gave_up("25 writes")
    );
    throttled.log(|l| {
        assert_eq!(l.batch_sizes, [25; 8]);
        assert_eq!(l.pauses, ms(&[50, 100, 200, 400, 800, 1600, 1600]));
    });
    assert!(db.scan::<Product>().await.unwrap().is_empty());
    assert_eq!(
        stuck.delete_many(product_keys([1, 2])).await.unwrap_err(),
        gave_up("2 writes")
    );
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(partition_key)]
    id: String,
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

async fn put_many_refuses_a_versioned_type_and_sends_nothing(db: Client) {
    db.create_table::<Account>().await.unwrap();
    let (throttled, watched) = Throttled::over(&db, 25);
    let accounts = [Account {
        id: "a".into(),
        balance: 10,
        version: 0,
    }];
    assert_eq!(
        watched.put_many(&accounts).await.unwrap_err(),
        Error::Validation(
            "batch writes cannot check the #[dynamo(version)] of an item; use put or a transaction"
                .into()
        )
    );
    throttled.log(|l| assert!(l.batch_sizes.is_empty(), "{l:?}"));
    assert_eq!(db.get(Account::key("a")).consistent().await.unwrap(), None);
}

async fn get_many_consistent_asks_for_strongly_consistent_reads(db: Client) {
    db.create_table::<Product>().await.unwrap();
    db.put_many(&[numbered(1), numbered(2)]).await.unwrap();
    let (throttled, watched) = Throttled::over(&db, 100);
    let expected = vec![Some(numbered(2)), None, Some(numbered(1))];
    assert_eq!(
        watched
            .get_many_consistent(product_keys([2, 3, 1]))
            .await
            .unwrap(),
        expected
    );
    assert_eq!(
        watched.get_many(product_keys([2, 3, 1])).await.unwrap(),
        expected
    );
    throttled.log(|l| assert_eq!(l.consistent, [Some(true), None]));
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "blobs")]
struct Blob {
    #[dynamo(partition_key)]
    id: u32,
    data: String,
}

async fn get_many_past_16_mb_reads_the_rest_from_unprocessed_keys(db: Client) {
    db.create_table::<Blob>().await.unwrap();
    // 50 items of 390,000 bytes: 19.5 MB, more than one response holds.
    let blobs: Vec<Blob> = (0..50)
        .map(|id| {
            let mut blob = Blob {
                id,
                data: String::new(),
            };
            let size = dynamo::value::item_size(&blob.to_item().unwrap());
            blob.data = char::from(b'a' + (id % 26) as u8)
                .to_string()
                .repeat(390_000 - size);
            blob
        })
        .collect();
    db.put_many(&blobs).await.unwrap();
    // Nothing throttled: the watcher only records what the client sends.
    let (watched, client) = Throttled::over(&db, usize::MAX);
    let keys = (0..50).rev().map(Blob::key);
    let read = client.get_many_consistent(keys).await.unwrap();
    let expected: Vec<Option<Blob>> = blobs.into_iter().rev().map(Some).collect();
    assert!(read == expected, "the blobs read back differ");
    // The engine answered 43 items (16,770,000 bytes) and 7 keys unprocessed.
    watched.log(|l| {
        assert_eq!(l.batch_sizes, [50, 7]);
        assert_eq!(l.pauses, ms(&[50]));
    });
}

/// A 200,000-byte part of a file.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "files")]
struct Part {
    #[dynamo(partition_key)]
    file: String,
    #[dynamo(sort_key)]
    n: u32,
    data: String,
}

fn part(n: u32) -> Part {
    let mut part = Part {
        file: "f".into(),
        n,
        data: String::new(),
    };
    let size = dynamo::value::item_size(&part.to_item().unwrap());
    part.data = "d".repeat(200_000 - size);
    part
}

async fn a_typed_page_stops_at_1_mb_and_its_cursor_resumes_there(db: Client) {
    db.create_table::<Part>().await.unwrap();
    let parts: Vec<Part> = (1..=12).map(part).collect();
    db.put_many(&parts).await.unwrap();
    let numbers = |page: &dynamo::Page<Part>| page.items.iter().map(|p| p.n).collect::<Vec<_>>();
    // A page holds what one request reads: 1 MB is reached after 6 parts.
    let first = db.query(Part::partition("f")).page().await.unwrap();
    assert_eq!(numbers(&first), [1, 2, 3, 4, 5, 6]);
    let cursor = first.next.expect("a cursor after a full page").to_string();
    let second = db
        .query(Part::partition("f"))
        .after(cursor.parse().unwrap())
        .page()
        .await
        .unwrap();
    assert_eq!(numbers(&second), [7, 8, 9, 10, 11, 12]);
    // The second page also stopped at 1 MB, so it cannot know it was the
    // last: its cursor leads to an empty page without one.
    let third = db
        .query(Part::partition("f"))
        .after(second.next.expect("a cursor after a full page"))
        .page()
        .await
        .unwrap();
    assert_eq!((numbers(&third), third.next), (vec![], None));
    // Awaiting or streaming the query reads all pages.
    assert_eq!(db.query(Part::partition("f")).await.unwrap(), parts);
    let mut stream = db.query(Part::partition("f")).reverse().stream();
    let mut streamed = Vec::new();
    while let Some(part) = stream.next().await {
        streamed.push(part.unwrap().n);
    }
    assert_eq!(streamed, (1..=12).rev().collect::<Vec<_>>());
}

async fn typed_filters_with_ne_le_between_is_in_exists_or_and_not(db: Client) {
    db.create_table::<Product>().await.unwrap();
    let mut t1 = product("t1", "toys", 2500, 7);
    t1.discontinued = Some(true);
    db.put_many(&[
        product("b1", "book", 1500, 3),
        product("b2", "book", 900, 0),
        t1,
        product("t2", "toys", 500, 1),
        product("g1", "games", 4000, 0),
    ])
    .await
    .unwrap();
    let skus = |filter: dynamo::Cond<Product>| {
        let db = db.clone();
        async move {
            let mut skus: Vec<String> = db
                .scan::<Product>()
                .filter(filter)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.sku)
                .collect();
            skus.sort();
            skus
        }
    };
    assert_eq!(skus(Product::CATEGORY.ne("toys")).await, ["b1", "b2", "g1"]);
    assert_eq!(skus(Product::PRICE_CENTS.le(900u64)).await, ["b2", "t2"]);
    assert_eq!(
        skus(Product::PRICE_CENTS.between(900u64, 2500u64)).await,
        ["b1", "b2", "t1"]
    );
    assert_eq!(
        skus(Product::CATEGORY.is_in(["games", "toys"])).await,
        ["g1", "t1", "t2"]
    );
    assert_eq!(skus(Product::DISCONTINUED.exists()).await, ["t1"]);
    assert_eq!(
        skus(Product::DISCONTINUED.not_exists()).await,
        ["b1", "b2", "g1", "t2"]
    );
    assert_eq!(
        skus(Product::STOCK.eq(0u32).or(Product::PRICE_CENTS.ge(2500u64))).await,
        ["b2", "g1", "t1"]
    );
    assert_eq!(
        skus(Product::STOCK.eq(0u32) | Product::CATEGORY.eq("toys")).await,
        ["b2", "g1", "t1", "t2"]
    );
    assert_eq!(
        skus(!Product::CATEGORY.eq("book")).await,
        ["g1", "t1", "t2"]
    );
    // AND binds inside OR as written: (book AND in stock) OR games.
    assert_eq!(
        skus(
            Product::CATEGORY
                .eq("book")
                .and(Product::STOCK.gt(0u32))
                .or(Product::CATEGORY.eq("games"))
        )
        .await,
        ["b1", "g1"]
    );
    // OR inside AND: book AND (out of stock OR cheap).
    assert_eq!(
        skus(
            Product::CATEGORY
                .eq("book")
                .and(Product::STOCK.eq(0u32).or(Product::PRICE_CENTS.lt(1000u64)))
        )
        .await,
        ["b2"]
    );
}

async fn typed_write_conditions_and_set_if_not_exists(db: Client) {
    db.create_table::<Product>().await.unwrap();
    db.put_many(&[
        product("b1", "book", 1500, 3),
        product("t2", "toys", 500, 1),
    ])
    .await
    .unwrap();
    let failed = Error::ConditionalCheckFailed {
        message: "The conditional request failed".into(),
        item: None,
    };
    let stock = |sku: &'static str| {
        let db = db.clone();
        async move {
            db.get(Product::key(sku))
                .consistent()
                .await
                .unwrap()
                .map(|p| p.stock)
        }
    };
    // Sell the last one only while there is one.
    let sell = || {
        db.update(Product::key("t2"))
            .decrement(Product::STOCK, 1u32)
            .when(Product::STOCK.ne(0u32))
    };
    sell().await.unwrap();
    assert_eq!(stock("t2").await, Some(0));
    // A typed update asks for the item on failure (to tell a missing one).
    assert!(matches!(
        sell().await.unwrap_err(),
        Error::ConditionalCheckFailed { item: Some(_), .. }
    ));
    assert_eq!(stock("t2").await, Some(0));
    // A put replacing an item only in a price band.
    let repriced = product("b1", "book", 1700, 3);
    db.put(&repriced)
        .when(Product::PRICE_CENTS.between(1000u64, 2000u64))
        .await
        .unwrap();
    let again = product("b1", "book", 2100, 3);
    db.put(&again)
        .when(Product::PRICE_CENTS.between(2000u64, 3000u64))
        .await
        .unwrap_err();
    assert_eq!(
        db.get(Product::key("b1")).consistent().await.unwrap(),
        Some(repriced)
    );
    // Delete an out-of-stock product that is not marked discontinued.
    db.delete(Product::key("t2"))
        .when(Product::STOCK.le(0u32) & Product::DISCONTINUED.not_exists())
        .await
        .unwrap();
    assert_eq!(stock("t2").await, None);
    assert_eq!(
        db.delete(Product::key("b1"))
            .when(Product::STOCK.le(0u32) | Product::CATEGORY.is_in(["games", "toys"]))
            .await
            .unwrap_err(),
        failed
    );
    // set_if_not_exists writes the first date only.
    for date in ["2024-01-01", "2025-06-30"] {
        db.update(Product::key("b1"))
            .set_if_not_exists(Product::FIRST_SOLD, date)
            .await
            .unwrap();
    }
    let b1 = db
        .get(Product::key("b1"))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b1.first_sold.as_deref(), Some("2024-01-01"));
    // On an item an upsert creates, it is the only value.
    db.upsert(&product("n1", "new", 1, 0))
        .set_if_not_exists(Product::FIRST_SOLD, "2026-02-02")
        .await
        .unwrap();
    let n1 = db
        .get(Product::key("n1"))
        .consistent()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        n1,
        Product {
            first_sold: Some("2026-02-02".into()),
            ..product("n1", "new", 1, 0)
        }
    );
}

/// A member's profile in the `club` table.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "club", pk = "MEMBER#{id}", sk = "PROFILE")]
#[dynamo(gsi(name = "by_email", pk = "EMAIL#{email}"))]
#[dynamo(gsi(name = "by_city", pk = "CITY#{city}"))]
struct Member {
    id: String,
    email: String,
    city: String,
    #[dynamo(ttl)]
    expires_at: Option<SystemTime>,
}

/// A visit of a member, in the member's partition.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "club", pk = "MEMBER#{member}", sk = "VISIT#{at:12}")]
#[dynamo(gsi(name = "by_city", pk = "CITY#{city}"))]
#[dynamo(lsi(name = "by_spent", sk = "{spent}"))]
struct Visit {
    member: String,
    at: u64,
    city: String,
    spent: u64,
}

#[derive(Collection, Debug, PartialEq)]
enum ClubRecord {
    Member(Member),
    Visit(Visit),
}

async fn table_of(db: &Client, name: &str) -> Result<dynamo::schema::TableDescription> {
    db.backend()
        .describe_table(DescribeTableInput {
            table_name: name.into(),
        })
        .await
        .map(|d| d.table)
}

async fn a_collection_table_has_every_members_indexes_and_ttl(db: Client) {
    let created = db.create_collection_table::<ClubRecord>().await.unwrap();
    for table in [created, table_of(&db, "club").await.unwrap()] {
        let mut global: Vec<_> = table
            .global_secondary_indexes
            .iter()
            .flatten()
            .map(|i| i.index_name.clone())
            .collect();
        global.sort();
        assert_eq!(global, ["by_city", "by_email"]);
        let local: Vec<_> = table
            .local_secondary_indexes
            .iter()
            .flatten()
            .map(|i| i.index_name.clone())
            .collect();
        assert_eq!(local, ["by_spent"]);
    }
    let ttl = db
        .backend()
        .describe_time_to_live(DescribeTimeToLiveInput {
            table_name: "club".into(),
        })
        .await
        .unwrap()
        .time_to_live_description;
    assert_eq!(ttl.time_to_live_status, TimeToLiveStatus::Enabled);
    assert_eq!(ttl.attribute_name.as_deref(), Some("expires_at"));

    let ada = Member {
        id: "m1".into(),
        email: "ada@example.com".into(),
        city: "Paris".into(),
        expires_at: Some(UNIX_EPOCH + Duration::from_secs(4_000_000_000)),
    };
    db.put(&ada).await.unwrap();
    let visits = [(10, 300), (20, 100), (30, 200)].map(|(at, spent)| Visit {
        member: "m1".into(),
        at,
        city: "Paris".into(),
        spent,
    });
    db.put_many(&visits).await.unwrap();
    // Each index answers its own member type.
    assert_eq!(
        db.query(Member::by_email("ada@example.com")).await.unwrap(),
        std::slice::from_ref(&ada)
    );
    assert_eq!(
        db.query(Member::by_city("Paris")).await.unwrap(),
        std::slice::from_ref(&ada)
    );
    let mut in_paris = db.query(Visit::by_city("Paris")).await.unwrap();
    in_paris.sort_by_key(|v| v.at);
    assert_eq!(in_paris, visits);
    let by_spent: Vec<u64> = db
        .query(Visit::by_spent("m1"))
        .consistent()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.spent)
        .collect();
    assert_eq!(by_spent, [100, 200, 300]);
    let everything = db
        .collection::<ClubRecord, _, _>(Member::partition("m1"))
        .await
        .unwrap();
    assert_eq!(
        everything,
        [
            ClubRecord::Member(ada),
            ClubRecord::Visit(visits[0].clone()),
            ClubRecord::Visit(visits[1].clone()),
            ClubRecord::Visit(visits[2].clone()),
        ]
    );
}

/// A tag of a member, with no sort key: not the table's primary key.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "club", pk = "MEMBER#{id}")]
struct Tag {
    id: String,
}

// Only its members' schemas are used.
#[allow(dead_code)]
#[derive(Collection, Debug)]
enum KeysDiffer {
    Member(Member),
    Tag(Tag),
}

/// A score keyed by its number.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "club", pk = "MEMBER#{id}", sk = "SCORE")]
#[dynamo(gsi(name = "by_score", pk = "{score}"))]
struct Score {
    id: String,
    score: u64,
}

/// A rank stored in the same attribute as a string.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "club", pk = "MEMBER#{id}", sk = "RANK")]
#[dynamo(gsi(name = "by_rank", pk = "{score}"))]
struct Rank {
    id: String,
    score: String,
}

// Only its members' schemas are used.
#[allow(dead_code)]
#[derive(Collection, Debug)]
enum AttributeTypesDiffer {
    Score(Score),
    Rank(Rank),
}

/// An event that declares `by_city` with a sort key, unlike `Member`.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "club", pk = "MEMBER#{id}", sk = "EVENT#{at}")]
#[dynamo(gsi(name = "by_city", pk = "CITY#{city}", sk = "{at}"))]
struct Event {
    id: String,
    at: u64,
    city: String,
}

// Only its members' schemas are used.
#[allow(dead_code)]
#[derive(Collection, Debug)]
enum IndexesDiffer {
    Member(Member),
    Event(Event),
}

/// A pass expiring by another attribute than `Member`.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "club", pk = "MEMBER#{id}", sk = "PASS")]
struct Pass {
    id: String,
    #[dynamo(ttl)]
    gone_at: Option<SystemTime>,
}

// Only its members' schemas are used.
#[allow(dead_code)]
#[derive(Collection, Debug)]
enum TtlsDiffer {
    Member(Member),
    Pass(Pass),
}

/// A user in another table.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "users", pk = "USER#{id}", sk = "PROFILE")]
struct User {
    id: String,
}

/// A collection written by hand (the derive refuses two tables at compile
/// time), and one with no members.
struct TwoTables;

impl Collection for TwoTables {
    const MEMBERS: &'static [TableSchema] = &[Member::SCHEMA, User::SCHEMA];

    fn from_collection_item(
        _: dynamo::AttributeMap,
    ) -> Result<Option<Self>, dynamo::AttributeError> {
        Ok(None)
    }
}

struct NoMembers;

impl Collection for NoMembers {
    const MEMBERS: &'static [TableSchema] = &[];

    fn from_collection_item(
        _: dynamo::AttributeMap,
    ) -> Result<Option<Self>, dynamo::AttributeError> {
        Ok(None)
    }
}

async fn a_collection_whose_members_disagree_creates_no_table(db: Client) {
    let disagree =
        |what: &str| Error::Validation(format!("the item types of table `club` disagree: {what}"));
    assert_eq!(
        db.create_collection_table::<KeysDiffer>()
            .await
            .unwrap_err(),
        disagree("their primary keys are different attributes")
    );
    assert_eq!(
        db.create_collection_table::<AttributeTypesDiffer>()
            .await
            .unwrap_err(),
        disagree("key attribute `score` has two types")
    );
    assert_eq!(
        db.create_collection_table::<IndexesDiffer>()
            .await
            .unwrap_err(),
        disagree("index `by_city` is declared with different keys")
    );
    assert_eq!(
        db.create_collection_table::<TtlsDiffer>()
            .await
            .unwrap_err(),
        disagree("TTL attributes `expires_at` and `gone_at`")
    );
    assert_eq!(
        db.create_collection_table::<TwoTables>().await.unwrap_err(),
        disagree("one lives in table `users`")
    );
    assert_eq!(
        db.create_collection_table::<NoMembers>().await.unwrap_err(),
        Error::Validation("a table needs at least one item type".into())
    );
    for table in ["club", "users"] {
        assert_eq!(
            table_of(&db, table).await.unwrap_err(),
            Error::ResourceNotFound(format!(
                "Requested resource not found: Table: {table} not found"
            ))
        );
    }
    let listed = db
        .backend()
        .list_tables(ListTablesInput::default())
        .await
        .unwrap();
    assert!(listed.table_names.is_empty(), "{listed:?}");
}

on_both_backends!(
    get_many_retries_unprocessed_keys_with_growing_pauses,
    get_many_gives_up_after_eight_attempts,
    put_many_and_delete_many_retry_unprocessed_writes,
    put_many_and_delete_many_give_up_after_eight_attempts,
    put_many_refuses_a_versioned_type_and_sends_nothing,
    get_many_consistent_asks_for_strongly_consistent_reads,
    get_many_past_16_mb_reads_the_rest_from_unprocessed_keys,
    a_typed_page_stops_at_1_mb_and_its_cursor_resumes_there,
    typed_filters_with_ne_le_between_is_in_exists_or_and_not,
    typed_write_conditions_and_set_if_not_exists,
    a_collection_table_has_every_members_indexes_and_ttl,
    a_collection_whose_members_disagree_creates_no_table,
);
