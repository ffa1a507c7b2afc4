//! DynamoDB Streams on the engine, in process and over HTTP: a table
//! created or updated with a StreamSpecification gets a stream whose
//! records show every change after it was enabled, in commit order, with
//! the images its view type asks for; TTL deletions carry the service
//! identity; iterators expire; disabling closes the shard.
#![cfg(feature = "server")]

use dynamo_core::ops::*;
use dynamo_core::{Backend, Error, decode_json};
use dynamo_local::server::{Server, ServerOptions};
use dynamo_local::{Engine, EngineOptions, ManualClock};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    decode_json(value.to_string().as_bytes()).unwrap()
}

fn create(name: &str, view: Option<&str>) -> CreateTableInput {
    let mut request = json!({
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]
    });
    if let Some(view) = view {
        request["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": view});
    }
    input(request)
}

async fn put(engine: &Engine, table: &str, pk: &str, data: &str) {
    engine
        .put_item(input(
            json!({"TableName": table, "Item": {"pk": {"S": pk}, "data": {"S": data}}}),
        ))
        .await
        .unwrap();
}

/// Every record of the table's (one-shard) stream, from the trim horizon.
async fn read_all(engine: &Engine, stream_arn: &str) -> Vec<Record> {
    let streams = engine.streams().unwrap();
    let description = streams
        .describe_stream(DescribeStreamInput {
            stream_arn: stream_arn.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .stream_description;
    let mut records = Vec::new();
    for shard in description.shards {
        let mut iterator = streams
            .get_shard_iterator(GetShardIteratorInput {
                stream_arn: stream_arn.into(),
                shard_id: shard.shard_id,
                shard_iterator_type: ShardIteratorType::TrimHorizon,
                sequence_number: None,
            })
            .await
            .unwrap()
            .shard_iterator;
        while let Some(it) = iterator {
            let page = streams
                .get_records(GetRecordsInput {
                    shard_iterator: it,
                    limit: Some(2),
                })
                .await
                .unwrap();
            if page.records.is_empty() {
                break;
            }
            records.extend(page.records);
            iterator = page.next_shard_iterator;
        }
    }
    records
}

fn summary(records: &[Record]) -> Vec<(OperationType, String, Option<String>, Option<String>)> {
    let data = |image: &Option<dynamo_core::AttributeMap>| {
        image
            .as_ref()
            .and_then(|i| i.get("data"))
            .and_then(|v| v.as_s())
            .map(str::to_owned)
    };
    records
        .iter()
        .map(|r| {
            (
                r.event_name,
                r.dynamodb.keys["pk"].as_s().unwrap_or("").to_owned(),
                data(&r.dynamodb.old_image),
                data(&r.dynamodb.new_image),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_stream_shows_inserts_modifies_and_removes_in_commit_order_with_both_images() {
    let engine = Engine::new();
    let created = engine
        .create_table(create("orders", Some("NEW_AND_OLD_IMAGES")))
        .await
        .unwrap()
        .table_description;
    let arn = created.latest_stream_arn.clone().unwrap();
    assert!(arn.starts_with("arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/20"));
    assert_eq!(
        created.latest_stream_label.as_deref(),
        arn.rsplit('/').next()
    );
    assert_eq!(
        created.stream_specification,
        Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(StreamViewType::NewAndOldImages)
        })
    );
    put(&engine, "orders", "a", "one").await;
    put(&engine, "orders", "a", "one").await; // changes nothing: no record
    put(&engine, "orders", "a", "two").await;
    put(&engine, "orders", "b", "x").await;
    engine
        .delete_item(input(
            json!({"TableName": "orders", "Key": {"pk": {"S": "a"}}}),
        ))
        .await
        .unwrap();
    let records = read_all(&engine, &arn).await;
    use OperationType::*;
    assert_eq!(
        summary(&records),
        vec![
            (Insert, "a".into(), None, Some("one".into())),
            (Modify, "a".into(), Some("one".into()), Some("two".into())),
            (Insert, "b".into(), None, Some("x".into())),
            (Remove, "a".into(), Some("two".into()), None),
        ]
    );
    let seqs: Vec<u128> = records
        .iter()
        .map(|r| r.dynamodb.sequence_number.parse().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(records.iter().all(|r| r.event_source == "aws:dynamodb"
        && r.aws_region == "us-east-1"
        && r.dynamodb.stream_view_type == StreamViewType::NewAndOldImages
        && r.user_identity.is_none()));
    let ids: std::collections::HashSet<_> = records.iter().map(|r| &r.event_id).collect();
    assert_eq!(ids.len(), records.len());
}

#[tokio::test]
async fn view_types_choose_the_images() {
    let engine = Engine::new();
    for (table, view) in [
        ("keys", "KEYS_ONLY"),
        ("new", "NEW_IMAGE"),
        ("old", "OLD_IMAGE"),
    ] {
        let arn = engine
            .create_table(create(table, Some(view)))
            .await
            .unwrap()
            .table_description
            .latest_stream_arn
            .unwrap();
        put(&engine, table, "a", "one").await;
        put(&engine, table, "a", "two").await;
        let records = read_all(&engine, &arn).await;
        let images: Vec<(bool, bool)> = records
            .iter()
            .map(|r| {
                (
                    r.dynamodb.old_image.is_some(),
                    r.dynamodb.new_image.is_some(),
                )
            })
            .collect();
        let expected = match view {
            "KEYS_ONLY" => vec![(false, false), (false, false)],
            "NEW_IMAGE" => vec![(false, true), (false, true)],
            _ => vec![(false, false), (true, false)],
        };
        assert_eq!(images, expected, "{view}");
        assert!(
            records
                .iter()
                .all(|r| r.dynamodb.keys["pk"].as_s() == Some("a"))
        );
    }
}

#[tokio::test]
async fn enabling_and_disabling_a_stream_follow_dynamodbs_rules() {
    let engine = Engine::new();
    engine.create_table(create("t1x", None)).await.unwrap();
    let update = |spec: Value| -> UpdateTableInput {
        input(json!({"TableName": "t1x", "StreamSpecification": spec}))
    };
    let message = |r: Result<UpdateTableOutput, Error>| r.unwrap_err().message();
    assert_eq!(
        message(
            engine
                .update_table(update(json!({"StreamEnabled": false})))
                .await
        ),
        "Table has no stream to disable: TableName: t1x"
    );
    assert_eq!(
        message(
            engine
                .update_table(update(json!({"StreamEnabled": true})))
                .await
        ),
        "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required"
    );
    put(&engine, "t1x", "before", "not streamed").await;
    let first = engine
        .update_table(update(
            json!({"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}),
        ))
        .await
        .unwrap()
        .table_description;
    let first_arn = first.latest_stream_arn.unwrap();
    assert_eq!(
        message(
            engine
                .update_table(update(
                    json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"})
                ))
                .await
        ),
        "Table already has an enabled stream: TableName: t1x"
    );
    put(&engine, "t1x", "during", "streamed").await;
    assert_eq!(
        message(
            engine
                .update_table(update(
                    json!({"StreamEnabled": false, "StreamViewType": "NEW_IMAGE"})
                ))
                .await
        ),
        "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified"
    );
    let disabled = engine
        .update_table(update(json!({"StreamEnabled": false})))
        .await
        .unwrap()
        .table_description;
    assert_eq!(disabled.stream_specification, None);
    assert_eq!(
        disabled.latest_stream_arn.as_deref(),
        Some(first_arn.as_str())
    );
    put(&engine, "t1x", "after", "not streamed").await;
    // The disabled stream still holds what it received, and is closed.
    let records = read_all(&engine, &first_arn).await;
    assert_eq!(
        summary(&records),
        vec![(
            OperationType::Insert,
            "during".into(),
            None,
            Some("streamed".into())
        )]
    );
    let streams = engine.streams().unwrap();
    let described = streams
        .describe_stream(DescribeStreamInput {
            stream_arn: first_arn.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .stream_description;
    assert_eq!(described.stream_status, StreamStatus::Disabled);
    assert!(
        described.shards[0]
            .sequence_number_range
            .ending_sequence_number
            .is_some()
    );
    // Enabling again makes a new stream; both are listed.
    let second = engine
        .update_table(update(
            json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}),
        ))
        .await
        .unwrap()
        .table_description
        .latest_stream_arn
        .unwrap();
    assert_ne!(second, first_arn);
    let listed = streams
        .list_streams(ListStreamsInput {
            table_name: Some("t1x".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .streams;
    assert_eq!(listed.len(), 2);
}

#[tokio::test]
async fn ttl_deletions_are_marked_with_the_service_identity_and_iterators_expire() {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let engine = Engine::with_options(EngineOptions {
        clock: clock.clone(),
        ttl_sweep_interval: None,
        ..EngineOptions::default()
    });
    let arn = engine
        .create_table(create("sessions", Some("OLD_IMAGE")))
        .await
        .unwrap()
        .table_description
        .latest_stream_arn
        .unwrap();
    engine
        .update_time_to_live(input(json!({"TableName": "sessions",
            "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}})))
        .await
        .unwrap();
    engine
        .put_item(input(json!({"TableName": "sessions",
            "Item": {"pk": {"S": "s1"}, "exp": {"N": "1700000010"}}})))
        .await
        .unwrap();
    let streams = engine.streams().unwrap();
    let shard_id = streams
        .describe_stream(DescribeStreamInput {
            stream_arn: arn.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .stream_description
        .shards[0]
        .shard_id
        .clone();
    let latest = streams
        .get_shard_iterator(GetShardIteratorInput {
            stream_arn: arn.clone(),
            shard_id: shard_id.clone(),
            shard_iterator_type: ShardIteratorType::Latest,
            sequence_number: None,
        })
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    clock.advance(Duration::from_secs(60));
    assert_eq!(engine.sweep_expired(), 1);
    let page = streams
        .get_records(GetRecordsInput {
            shard_iterator: latest,
            limit: None,
        })
        .await
        .unwrap();
    assert_eq!(page.records.len(), 1);
    let removed = &page.records[0];
    assert_eq!(removed.event_name, OperationType::Remove);
    assert_eq!(
        removed.user_identity,
        Some(Identity {
            principal_id: "dynamodb.amazonaws.com".into(),
            identity_type: "Service".into()
        })
    );
    assert!(removed.dynamodb.old_image.is_some());
    // Fifteen minutes later the iterator it returned has expired.
    clock.advance(Duration::from_secs(15 * 60 + 1));
    let expired = streams
        .get_records(GetRecordsInput {
            shard_iterator: page.next_shard_iterator.unwrap(),
            limit: None,
        })
        .await
        .unwrap_err();
    assert_eq!(expired.error_type(), "ExpiredIteratorException");
    let unknown = streams
        .get_shard_iterator(GetShardIteratorInput {
            stream_arn: arn,
            shard_id: "shardId-00000000000000000000-00000000".into(),
            shard_iterator_type: ShardIteratorType::TrimHorizon,
            sequence_number: None,
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.error_type(), "ResourceNotFoundException");
}

/// Sends one request to the server at `addr` with the `X-Amz-Target`
/// `target`, returning the response body.
async fn post(addr: std::net::SocketAddr, target: &str, body: Value) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = body.to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: {target}\r\nx-amz-date: 20261201T000000Z\r\nauthorization: AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    serde_json::from_slice::<Value>(&raw[split + 4..]).unwrap()
}

#[tokio::test]
async fn the_server_serves_streams_on_their_own_target() {
    let server = Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        Engine::new(),
        ServerOptions::default(),
    )
    .await
    .unwrap();
    let addr = server.local_addr();
    let post = |target: &'static str, body: Value| post(addr, target, body);
    let created = post(
        "DynamoDB_20120810.CreateTable",
        json!({"TableName": "events", "BillingMode": "PAY_PER_REQUEST",
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}),
    )
    .await;
    let arn = created["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        "DynamoDB_20120810.PutItem",
        json!({"TableName": "events", "Item": {"pk": {"S": "e1"}, "n": {"N": "1"}}}),
    )
    .await;
    let listed = post("DynamoDBStreams_20120810.ListStreams", json!({})).await;
    assert_eq!(
        listed["Streams"][0]["StreamArn"],
        Value::String(arn.clone())
    );
    assert_eq!(listed["Streams"][0]["TableName"], "events");
    let described = post(
        "DynamoDBStreams_20120810.DescribeStream",
        json!({"StreamArn": arn}),
    )
    .await;
    assert_eq!(described["StreamDescription"]["StreamStatus"], "ENABLED");
    let shard = described["StreamDescription"]["Shards"][0]["ShardId"].clone();
    let iterator = post(
        "DynamoDBStreams_20120810.GetShardIterator",
        json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
    )
    .await;
    let records = post(
        "DynamoDBStreams_20120810.GetRecords",
        json!({"ShardIterator": iterator["ShardIterator"]}),
    )
    .await;
    let record = &records["Records"][0];
    assert_eq!(record["eventName"], "INSERT");
    assert_eq!(record["eventSource"], "aws:dynamodb");
    assert_eq!(record["dynamodb"]["Keys"], json!({"pk": {"S": "e1"}}));
    assert_eq!(
        record["dynamodb"]["NewImage"],
        json!({"pk": {"S": "e1"}, "n": {"N": "1"}})
    );
    assert_eq!(record["dynamodb"]["StreamViewType"], "NEW_IMAGE");
    assert!(record["dynamodb"]["OldImage"].is_null());
    assert!(records["NextShardIterator"].is_string());
    server.shutdown().await;
}

#[tokio::test]
async fn streams_errors_over_the_wire_carry_dynamodbs_types_and_messages() {
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ));
    let engine = Engine::with_options(EngineOptions {
        clock: clock.clone(),
        ttl_sweep_interval: None,
        ..EngineOptions::default()
    });
    let server = Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        engine,
        ServerOptions::default(),
    )
    .await
    .unwrap();
    let addr = server.local_addr();
    let post = |target: &'static str, body: Value| post(addr, target, body);
    let error = |answer: &Value| {
        (
            answer["__type"]
                .as_str()
                .unwrap_or("")
                .rsplit('#')
                .next()
                .unwrap_or("")
                .to_owned(),
            answer["message"].as_str().unwrap_or("").to_owned(),
        )
    };
    let table = |spec: Value| {
        json!({"TableName": "wire", "BillingMode": "PAY_PER_REQUEST",
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "StreamSpecification": spec})
    };
    assert_eq!(
        error(&post("DynamoDB_20120810.CreateTable", table(json!({"StreamEnabled": false, "StreamViewType": "KEYS_ONLY"}))).await),
        (
            "ValidationException".into(),
            "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified".into()
        )
    );
    let created = post(
        "DynamoDB_20120810.CreateTable",
        table(json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"})),
    )
    .await;
    let arn = created["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let described = post(
        "DynamoDBStreams_20120810.DescribeStream",
        json!({"StreamArn": arn}),
    )
    .await;
    let shard = described["StreamDescription"]["Shards"][0]["ShardId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        error(&post("DynamoDBStreams_20120810.GetShardIterator",
            json!({"StreamArn": arn, "ShardId": "shardId-00000000000000000001-00000000", "ShardIteratorType": "LATEST"})).await),
        (
            "ResourceNotFoundException".into(),
            format!("Requested resource not found: Shard does not exist: shardId-00000000000000000001-00000000 in stream {arn}")
        )
    );
    assert_eq!(
        error(&post("DynamoDBStreams_20120810.GetShardIterator",
            json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "AT_SEQUENCE_NUMBER"})).await),
        (
            "ValidationException".into(),
            "Must specify a SequenceNumber when using ShardIteratorType AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER".into()
        )
    );
    // Record 1 is the table's creation, before the stream existed.
    let trimmed = error(
        &post(
            "DynamoDBStreams_20120810.GetShardIterator",
            json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "AT_SEQUENCE_NUMBER",
               "SequenceNumber": "000000000000000000001"}),
        )
        .await,
    );
    assert_eq!(trimmed.0, "TrimmedDataAccessException");
    assert!(trimmed.1.starts_with(
        "Attempted to access data that has been trimmed: sequence number 000000000000000000001 is before the trim horizon "
    ), "{}", trimmed.1);
    let iterator = post(
        "DynamoDBStreams_20120810.GetShardIterator",
        json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
    )
    .await;
    clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(
        error(
            &post(
                "DynamoDBStreams_20120810.GetRecords",
                json!({"ShardIterator": iterator["ShardIterator"]})
            )
            .await
        ),
        (
            "ExpiredIteratorException".into(),
            "Iterator expired. The iterator was created more than 15 minutes ago".into()
        )
    );
    server.shutdown().await;
}
