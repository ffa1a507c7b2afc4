//! Validated before sending: every operation's invalid request fails in
//! the client, before any backend sees it, with the same error type and
//! text the engine (and so the server) sends for it.

use async_trait::async_trait;
use dynamo::expr::{KeyCondition, Update};
use dynamo::ops::*;
use dynamo::schema::{KeySchemaElement, TimeToLiveSpecification};
use dynamo::{AttributeMap, AttributeValue, Backend, Client, Error, Result};
use dynamo_local::Engine;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The engine, recording the operations that reach it.
#[derive(Clone, Default)]
struct Recorder {
    engine: Engine,
    calls: Arc<Mutex<BTreeMap<&'static str, u32>>>,
}

macro_rules! recorded {
    ($($method:ident($input:ty) -> $output:ty = $name:literal;)*) => {
        #[async_trait]
        impl Backend for Recorder {
            $(async fn $method(&self, input: $input) -> Result<$output> {
                *self.calls.lock().unwrap().entry($name).or_default() += 1;
                self.engine.$method(input).await
            })*
        }
    };
}

recorded! {
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

fn key() -> AttributeMap {
    AttributeMap::from([("pk".to_owned(), AttributeValue::S("a".into()))])
}

/// Sends `input` through the client's retrying backend (where every
/// typed call goes) and straight to the engine; the client's error must
/// be the engine's, and the recorder must have seen nothing.
macro_rules! refused {
    ($recorder:expr, $db:expr, $method:ident, $input:expr, $expected:expr) => {{
        let input = $input;
        let from_client = $db.retrying().$method(input.clone()).await.unwrap_err();
        let from_engine = $recorder.engine.$method(input).await.unwrap_err();
        assert_eq!(from_client, from_engine, "{}", stringify!($method));
        assert!(
            matches!(from_client, Error::Validation(_) | Error::Service { .. }),
            "{}: {from_client:?}",
            stringify!($method)
        );
        assert_eq!(
            from_client.to_string(),
            $expected,
            "{}",
            stringify!($method)
        );
        assert!(
            $recorder.calls.lock().unwrap().is_empty(),
            "{} reached the backend: {:?}",
            stringify!($method),
            $recorder.calls.lock().unwrap()
        );
    }};
}

#[tokio::test]
async fn every_operation_refuses_an_invalid_request_before_sending_it() {
    let recorder = Recorder::default();
    let db = Client::new(recorder.clone());
    let v = |m: &str| format!("ValidationException: {m}");

    refused!(
        recorder,
        db,
        create_table,
        CreateTableInput::new("ab", vec![KeySchemaElement::hash("pk")], vec![]),
        v(
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
        )
    );
    refused!(
        recorder,
        db,
        delete_table,
        DeleteTableInput {
            table_name: String::new()
        },
        v(
            "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
    refused!(
        recorder,
        db,
        describe_table,
        DescribeTableInput {
            table_name: "no/slash".into()
        },
        v(
            "1 validation error detected: Value 'no/slash' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )
    );
    refused!(
        recorder,
        db,
        list_tables,
        ListTablesInput {
            exclusive_start_table_name: None,
            limit: Some(101),
        },
        v(
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"
        )
    );
    refused!(
        recorder,
        db,
        update_table,
        UpdateTableInput {
            table_name: "orders".into(),
            ..Default::default()
        },
        v(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
        )
    );
    refused!(
        recorder,
        db,
        update_time_to_live,
        UpdateTimeToLiveInput {
            table_name: "orders".into(),
            time_to_live_specification: TimeToLiveSpecification {
                enabled: true,
                attribute_name: String::new(),
            },
        },
        v(
            "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
    refused!(
        recorder,
        db,
        describe_time_to_live,
        DescribeTimeToLiveInput {
            table_name: String::new()
        },
        v(
            "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
    let bad_arn = "arn:aws:s3:::bucket";
    let arn_error = v(&format!(
        "Invalid TableArn: Invalid ResourceArn provided as input {bad_arn}"
    ));
    refused!(
        recorder,
        db,
        tag_resource,
        TagResourceInput {
            resource_arn: bad_arn.into(),
            tags: vec![],
        },
        arn_error
    );
    refused!(
        recorder,
        db,
        untag_resource,
        UntagResourceInput {
            resource_arn: bad_arn.into(),
            tag_keys: vec![],
        },
        arn_error
    );
    refused!(
        recorder,
        db,
        list_tags_of_resource,
        ListTagsOfResourceInput {
            resource_arn: bad_arn.into(),
            next_token: None,
        },
        arn_error
    );
    let empty_name = v(
        "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    refused!(
        recorder,
        db,
        put_item,
        PutItemInput::new("", key()),
        empty_name
    );
    refused!(
        recorder,
        db,
        get_item,
        GetItemInput::new("", key()),
        empty_name
    );
    refused!(
        recorder,
        db,
        update_item,
        UpdateItemInput::new("", key(), Update::default()),
        empty_name
    );
    refused!(
        recorder,
        db,
        delete_item,
        DeleteItemInput::new("", key()),
        empty_name
    );
    let mut query = QueryInput::new("orders", KeyCondition::partition("pk", "a"));
    query.limit = Some(0);
    refused!(
        recorder,
        db,
        query,
        query,
        v(
            "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )
    );
    let mut scan = ScanInput::new("orders");
    scan.segment = Some(0);
    scan.total_segments = Some(0);
    refused!(
        recorder,
        db,
        scan,
        scan,
        v(
            "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )
    );
    refused!(
        recorder,
        db,
        batch_get_item,
        BatchGetItemInput {
            request_items: HashMap::from([(
                "orders".to_owned(),
                KeysAndAttributes {
                    keys: vec![key(); 101],
                    ..Default::default()
                }
            )]),
            return_consumed_capacity: None,
        },
        v(
            "1 validation error detected: Value at 'RequestItems.orders.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100"
        )
    );
    refused!(
        recorder,
        db,
        batch_write_item,
        BatchWriteItemInput {
            request_items: HashMap::from([(
                "orders".to_owned(),
                vec![WriteRequest::DeleteRequest { key: key() }; 26]
            )]),
            return_consumed_capacity: None,
        },
        v(&format!(
            "1 validation error detected: Value '{{orders=[{}]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
            vec!["WriteRequest(DeleteRequest)"; 26].join(", ")
        ))
    );
    refused!(
        recorder,
        db,
        transact_write_items,
        TransactWriteItemsInput {
            transact_items: vec![],
            client_request_token: None,
            return_consumed_capacity: None,
        },
        v(
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
    refused!(
        recorder,
        db,
        transact_get_items,
        TransactGetItemsInput {
            transact_items: vec![],
            return_consumed_capacity: None,
        },
        v(
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
    // Nothing was retried either: an invalid request fails the same way
    // every time.
    assert_eq!(db.retry_stats().retries, 0);
}

#[derive(dynamo::Item, Debug, Clone, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    id: String,
}

/// A typed call validates too: a scan segment outside its total never
/// reaches the backend.
#[tokio::test]
async fn a_typed_scan_with_a_bad_segment_fails_in_the_client() {
    let recorder = Recorder::default();
    let db = Client::new(recorder.clone());
    let err = db.scan::<Order>().segment(3, 2).await.unwrap_err();
    let direct = {
        let mut input = ScanInput::new("orders");
        input.segment = Some(3);
        input.total_segments = Some(2);
        recorder.engine.scan(input).await.unwrap_err()
    };
    assert_eq!(err, direct);
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(recorder.calls.lock().unwrap().is_empty());
}
