//! Every error the typed client itself raises, through the AWS SDK against
//! `dynamo-local serve`: stored attributes its types cannot read (time,
//! UUID, decimal, float, serde and shape codecs), values it cannot write,
//! collections whose item types disagree, batch writes of versioned items,
//! batches a server never finishes, cursors it did not issue, and a server
//! that is gone. Each pins the error's text.

use dynamo::ops::*;
use dynamo::schema::ScalarAttributeType;
use dynamo::{
    AttributeError, AttributeMap, AttributeValue, Client, Collection, Error, IndexKind,
    IndexSchema, Item, KeyAttributeSchema, Lifecycle, TableSchema,
};
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod common;

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
struct Notes {
    text: String,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "readings", pk = "READING#{id}")]
struct Reading {
    id: String,
    taken_at: SystemTime,
    #[dynamo(with = dynamo::epoch_seconds)]
    logged_at: SystemTime,
    ratio: f32,
    device: uuid::Uuid,
    price: rust_decimal::Decimal,
    #[dynamo(serde)]
    notes: Notes,
    #[dynamo(set)]
    labels: Vec<String>,
    tags: HashSet<String>,
    count: u8,
}

fn reading() -> Reading {
    Reading {
        id: "r1".into(),
        taken_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        logged_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ratio: 0.5,
        device: uuid::Uuid::nil(),
        price: rust_decimal::Decimal::new(1999, 2),
        notes: Notes {
            text: "calibrated".into(),
        },
        labels: vec!["a".into()],
        tags: HashSet::from(["t".to_owned()]),
        count: 3,
    }
}

/// The error reading back a stored reading whose attribute `name` was
/// overwritten with `value`.
async fn reading_back(db: &Client, name: &str, value: Option<AttributeValue>) -> String {
    let mut item = reading().to_item().unwrap();
    match value {
        Some(value) => item.insert(name.to_owned(), value),
        None => item.remove(name),
    };
    db.backend()
        .put_item(PutItemInput::new("readings", item))
        .await
        .unwrap();
    match db.get(Reading::key("r1")).await {
        Err(Error::Undecodable(e)) => e.source.to_string(),
        other => panic!("{name}: expected an undecodable item, got {other:?}"),
    }
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.parse().unwrap())
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

#[tokio::test]
async fn stored_attributes_the_type_cannot_read_are_named_with_the_reason() {
    let server = common::serve().await;
    let db = common::aws_client(&server);
    db.create_table::<Reading>().await.unwrap();
    let cases = [
        (
            "taken_at",
            Some(s("last tuesday")),
            "attribute `taken_at`: `last tuesday` is not an ISO-8601 timestamp",
        ),
        (
            "logged_at",
            Some(n("1.0000000001")),
            "attribute `logged_at`: 1.0000000001 is not a time in epoch seconds",
        ),
        (
            "ratio",
            Some(n("1E+39")),
            "attribute `ratio`: 1000000000000000000000000000000000000000 is out of range for f32",
        ),
        (
            "notes",
            Some(AttributeValue::Ns(["1".parse().unwrap()].into())),
            "attribute `notes`: a NS attribute has no serde representation",
        ),
        ("count", None, "missing attribute `count`"),
        (
            "count",
            Some(s("three")),
            "attribute `count`: expected N, found S",
        ),
    ];
    for (name, value, expected) in cases {
        assert_eq!(reading_back(&db, name, value).await, expected, "{name}");
    }
    // The UUID and decimal crates word their own reasons.
    let said = reading_back(&db, "device", Some(s("not-a-uuid"))).await;
    assert!(
        said.starts_with("attribute `device`: `not-a-uuid` is not a UUID: "),
        "{said}"
    );
    let said = reading_back(&db, "price", Some(n("1E+29"))).await;
    assert!(
        said.starts_with(
            "attribute `price`: 100000000000000000000000000000 does not fit a Decimal: "
        ),
        "{said}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn values_dynamodb_cannot_store_are_refused_before_sending() {
    let server = common::serve().await;
    let db = common::aws_client(&server);
    db.create_table::<Reading>().await.unwrap();
    let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
    let cases = [
        (
            Reading {
                taken_at: year_10000,
                ..reading()
            },
            "attribute `taken_at`: year 10000 cannot be written as an ISO-8601 timestamp",
        ),
        (
            Reading {
                labels: vec!["a".into(), "a".into()],
                ..reading()
            },
            "attribute `labels`: a set cannot hold the same element twice",
        ),
    ];
    for (reading, expected) in cases {
        match db.put(&reading).await {
            Err(Error::Attribute(e)) => assert_eq!(e.to_string(), expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    // An empty set field is left out of the item; an update cannot set one.
    db.put(&Reading {
        tags: HashSet::new(),
        ..reading()
    })
    .await
    .unwrap();
    match db
        .update(Reading::key("r1"))
        .set(Reading::TAGS, HashSet::<String>::new())
        .await
    {
        Err(Error::Attribute(e)) => {
            assert_eq!(e.to_string(), "an empty set cannot be stored in DynamoDB")
        }
        other => panic!("expected an empty-set error, got {other:?}"),
    }
    let versioned = Versioned {
        id: "v1".into(),
        version: 0,
    };
    assert_eq!(
        db.put_many(&[versioned]).await.unwrap_err(),
        Error::validation(
            "batch writes cannot check the #[dynamo(version)] of an item; use put or a transaction"
        )
    );
    assert_eq!(
        "not a cursor"
            .parse::<dynamo::Cursor>()
            .unwrap_err()
            .to_string(),
        "invalid query cursor"
    );
    server.shutdown().await;
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "versioned", pk = "V#{id}")]
struct Versioned {
    id: String,
    #[dynamo(version)]
    version: u64,
}

const fn key(name: &'static str, scalar_type: ScalarAttributeType) -> KeyAttributeSchema {
    KeyAttributeSchema {
        name,
        scalar_type,
        template: None,
    }
}

const PK: KeyAttributeSchema = key("pk", ScalarAttributeType::S);

const fn schema(
    table_name: &'static str,
    partition_key: KeyAttributeSchema,
    indexes: &'static [IndexSchema],
    ttl: Option<&'static str>,
) -> TableSchema {
    TableSchema {
        table_name,
        partition_key,
        sort_key: None,
        indexes,
        entity: None,
        lifecycle: Lifecycle {
            version: None,
            ttl,
            created_at: None,
            updated_at: None,
        },
    }
}

const fn index(name: &'static str, partition_key: KeyAttributeSchema) -> IndexSchema {
    IndexSchema {
        name,
        kind: IndexKind::Global,
        partition_key,
        sort_key: None,
        more_partition_keys: &[],
        more_sort_keys: &[],
    }
}

/// Declares a collection, written by hand, whose members have `schemas`.
macro_rules! collection {
    ($name:ident, [$($schema:expr),*]) => {
        struct $name;
        impl Collection for $name {
            const MEMBERS: &'static [TableSchema] = &[$($schema),*];
            fn from_collection_item(_: AttributeMap) -> Result<Option<Self>, AttributeError> {
                Ok(None)
            }
        }
    };
}

collection!(Empty, []);
collection!(
    TwoTables,
    [
        schema("shop", PK, &[], None),
        schema("stock", PK, &[], None)
    ]
);
collection!(
    TwoKeys,
    [
        schema("shop", PK, &[], None),
        schema("shop", key("id", ScalarAttributeType::S), &[], None)
    ]
);
collection!(
    TwoTypes,
    [
        schema(
            "shop",
            PK,
            &[index("by_code", key("code", ScalarAttributeType::S))],
            None
        ),
        schema(
            "shop",
            PK,
            &[index("by_number", key("code", ScalarAttributeType::N))],
            None
        )
    ]
);
collection!(
    TwoIndexes,
    [
        schema(
            "shop",
            PK,
            &[index("by_code", key("code", ScalarAttributeType::S))],
            None
        ),
        schema(
            "shop",
            PK,
            &[index("by_code", key("sku", ScalarAttributeType::S))],
            None
        )
    ]
);
collection!(
    TwoTtls,
    [
        schema("shop", PK, &[], Some("expires_at")),
        schema("shop", PK, &[], Some("ttl"))
    ]
);

#[tokio::test]
async fn a_collection_whose_item_types_disagree_creates_no_table() {
    let server = common::serve().await;
    let db = common::aws_client(&server);
    let disagree =
        |what: &str| Error::validation(format!("the item types of table `shop` disagree: {what}"));
    assert_eq!(
        db.create_collection_table::<Empty>().await.unwrap_err(),
        Error::validation("a table needs at least one item type")
    );
    assert_eq!(
        db.create_collection_table::<TwoTables>().await.unwrap_err(),
        disagree("one lives in table `stock`")
    );
    assert_eq!(
        db.create_collection_table::<TwoKeys>().await.unwrap_err(),
        disagree("their primary keys are different attributes")
    );
    assert_eq!(
        db.create_collection_table::<TwoTypes>().await.unwrap_err(),
        disagree("key attribute `code` has two types")
    );
    assert_eq!(
        db.create_collection_table::<TwoIndexes>()
            .await
            .unwrap_err(),
        disagree("index `by_code` is declared with different keys")
    );
    assert_eq!(
        db.create_collection_table::<TwoTtls>().await.unwrap_err(),
        disagree("TTL attributes `expires_at` and `ttl`")
    );
    assert!(
        db.backend()
            .list_tables(ListTablesInput::default())
            .await
            .unwrap()
            .table_names
            .is_empty()
    );
    server.shutdown().await;
}

/// An engine that never processes a batch: every key and write comes back
/// unprocessed.
struct NeverProcesses(dynamo::local::Engine);

/// Implements `Backend` for `NeverProcesses`: the batch operations leave
/// everything unprocessed, the others go to the engine.
macro_rules! never_processes {
    ($($method:ident($input:ty) -> $output:ty;)*) => {
        #[async_trait::async_trait]
        impl dynamo::Backend for NeverProcesses {
            async fn batch_get_item(
                &self,
                input: BatchGetItemInput,
            ) -> dynamo::Result<BatchGetItemOutput> {
                Ok(BatchGetItemOutput {
                    responses: input
                        .request_items
                        .keys()
                        .map(|t| (t.clone(), Vec::new()))
                        .collect(),
                    unprocessed_keys: input.request_items,
                    consumed_capacity: None,
                })
            }

            async fn batch_write_item(
                &self,
                input: BatchWriteItemInput,
            ) -> dynamo::Result<BatchWriteItemOutput> {
                Ok(BatchWriteItemOutput {
                    unprocessed_items: input.request_items,
                    consumed_capacity: None,
                })
            }

            $(async fn $method(&self, input: $input) -> dynamo::Result<$output> {
                self.0.$method(input).await
            })*
        }
    };
}

never_processes! {
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

#[tokio::test]
async fn batches_a_server_never_finishes_give_up_after_eight_attempts() {
    let server = dynamo::local::server::Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        NeverProcesses(dynamo::local::Engine::new()),
        dynamo::local::server::ServerOptions::default(),
    )
    .await
    .unwrap();
    let db = common::aws_client(&server).with_retry_policy(
        dynamo::RetryPolicy::default()
            .max_attempts(8)
            .throttling_base_delay(Duration::from_millis(50))
            .max_backoff(Duration::from_millis(1600)),
    );
    db.create_table::<Reading>().await.unwrap();
    let readings: Vec<Reading> = (0..3)
        .map(|i| Reading {
            id: format!("r{i}"),
            ..reading()
        })
        .collect();
    // The client's own error, not one pretending the service sent it.
    let err = db.put_many(&readings).await.unwrap_err();
    assert!(matches!(err, Error::BatchUnprocessed { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "3 writes were still unprocessed after 8 attempts"
    );
    assert_eq!(err.error_type(), "UnprocessedItems");
    let err = db
        .get_many([Reading::key("r0"), Reading::key("r1")])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 keys were still unprocessed after 8 attempts"
    );
    assert_eq!(err.error_type(), "UnprocessedKeys");
    server.shutdown().await;
}

#[tokio::test]
async fn a_server_that_is_gone_is_a_transport_error() {
    let server = common::serve().await;
    let db = common::aws_client(&server);
    server.shutdown().await;
    let error = db.create_table::<Reading>().await.unwrap_err();
    assert!(
        matches!(error, Error::Transport(_)) && error.to_string().starts_with("transport error: "),
        "{error:?}"
    );
}
