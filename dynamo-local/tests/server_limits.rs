//! What a client cannot make the server do: overflow its stack with a
//! deeply nested expression or document, take it down with a panic, hold
//! more connections or body bytes than its limits, or keep a connection
//! with a slow or silent client. After each, the server answers the next
//! request.
#![cfg(feature = "server")]

use async_trait::async_trait;
use dynamo_core::ops::*;
use dynamo_core::{Backend, Result};
use dynamo_local::Engine;
use dynamo_local::server::{Limits, Server, ServerOptions};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Answer {
    status: u16,
    body: Value,
}

impl Answer {
    fn error_type(&self) -> &str {
        let t = self.body["__type"].as_str().unwrap_or("");
        t.rsplit('#').next().unwrap_or("")
    }

    fn message(&self) -> &str {
        self.body["message"]
            .as_str()
            .or(self.body["Message"].as_str())
            .unwrap_or("")
    }
}

/// Reads one HTTP response from `stream` (the server closes after it).
async fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete response in {raw:?}"));
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    let body = serde_json::from_slice(&raw[split + 4..]).unwrap_or(Value::Null);
    Answer { status, body }
}

fn request(addr: SocketAddr, operation: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.{operation}\r\nx-amz-date: 20261201T000000Z\r\nauthorization: AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

async fn post(addr: SocketAddr, operation: &str, body: &Value) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&request(addr, operation, body.to_string().as_bytes()))
        .await
        .unwrap();
    read_answer(&mut stream).await
}

async fn start_with(backend: impl Backend, limits: Limits) -> Server {
    let options = ServerOptions {
        limits,
        ..ServerOptions::default()
    };
    Server::bind("127.0.0.1:0".parse().unwrap(), backend, options)
        .await
        .unwrap()
}

async fn start() -> Server {
    start_with(Engine::new(), Limits::default()).await
}

/// The server still serves: a table can be listed.
async fn still_serves(addr: SocketAddr) {
    let answer = post(addr, "ListTables", &json!({})).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
}

#[tokio::test]
async fn four_thousand_parentheses_in_every_expression_parameter_are_a_validation_error() {
    let server = start().await;
    let addr = server.local_addr();
    let deep = "(".repeat(4096);
    let key = json!({"pk": {"S": "a"}});
    // (operation, parameter, request)
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "PutItem",
            "ConditionExpression",
            json!({"TableName": "t", "Item": key, "ConditionExpression": deep}),
        ),
        (
            "DeleteItem",
            "ConditionExpression",
            json!({"TableName": "t", "Key": key, "ConditionExpression": deep}),
        ),
        (
            "UpdateItem",
            "UpdateExpression",
            json!({"TableName": "t", "Key": key, "UpdateExpression": deep}),
        ),
        (
            "UpdateItem",
            "ConditionExpression",
            json!({"TableName": "t", "Key": key, "UpdateExpression": "REMOVE a", "ConditionExpression": deep}),
        ),
        (
            "GetItem",
            "ProjectionExpression",
            json!({"TableName": "t", "Key": key, "ProjectionExpression": deep}),
        ),
        (
            "Query",
            "KeyConditionExpression",
            json!({"TableName": "t", "KeyConditionExpression": deep}),
        ),
        (
            "Query",
            "FilterExpression",
            json!({"TableName": "t", "KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"S": "a"}}, "FilterExpression": deep}),
        ),
        (
            "Query",
            "ProjectionExpression",
            json!({"TableName": "t", "KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": {"S": "a"}}, "ProjectionExpression": deep}),
        ),
        (
            "Scan",
            "FilterExpression",
            json!({"TableName": "t", "FilterExpression": deep}),
        ),
        (
            "Scan",
            "ProjectionExpression",
            json!({"TableName": "t", "ProjectionExpression": deep}),
        ),
        (
            "BatchGetItem",
            "ProjectionExpression",
            json!({"RequestItems": {"t": {"Keys": [key], "ProjectionExpression": deep}}}),
        ),
        (
            "TransactGetItems",
            "ProjectionExpression",
            json!({"TransactItems": [{"Get": {"TableName": "t", "Key": key, "ProjectionExpression": deep}}]}),
        ),
        (
            "TransactWriteItems",
            "ConditionExpression",
            json!({"TransactItems": [{"ConditionCheck": {"TableName": "t", "Key": key, "ConditionExpression": deep}}]}),
        ),
        (
            "TransactWriteItems",
            "ConditionExpression",
            json!({"TransactItems": [{"Put": {"TableName": "t", "Item": key, "ConditionExpression": deep}}]}),
        ),
        (
            "TransactWriteItems",
            "ConditionExpression",
            json!({"TransactItems": [{"Delete": {"TableName": "t", "Key": key, "ConditionExpression": deep}}]}),
        ),
        (
            "TransactWriteItems",
            "UpdateExpression",
            json!({"TransactItems": [{"Update": {"TableName": "t", "Key": key, "UpdateExpression": deep}}]}),
        ),
    ];
    for (operation, parameter, body) in cases {
        let answer = post(addr, operation, &body).await;
        assert_eq!(
            (answer.status, answer.error_type()),
            (400, "ValidationException"),
            "{operation} {parameter}: {:?}",
            answer.body
        );
        assert!(
            answer
                .message()
                .starts_with(&format!("Invalid {parameter}: ")),
            "{operation} {parameter}: {}",
            answer.message()
        );
        still_serves(addr).await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn too_many_operators_over_the_wire_is_dynamodbs_error() {
    let server = start().await;
    let addr = server.local_addr();
    let condition = format!("{}a = :v", "NOT ".repeat(1000));
    let answer = post(
        addr,
        "Scan",
        &json!({"TableName": "t", "FilterExpression": condition, "ExpressionAttributeValues": {":v": {"N": "1"}}}),
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.message(),
        "Invalid FilterExpression: The expression contains too many operators; operator count: 301"
    );
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_document_nested_ten_thousand_deep_is_refused_and_the_server_goes_on() {
    let server = start().await;
    let addr = server.local_addr();
    let depth = 10_000;
    let value = format!(
        "{}{{\"NULL\":true}}{}",
        "{\"L\":[".repeat(depth),
        "]}".repeat(depth)
    );
    let body = format!(r#"{{"TableName":"tbl","Item":{{"pk":{{"S":"a"}},"deep":{value}}}}}"#);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&request(addr, "PutItem", body.as_bytes()))
        .await
        .unwrap();
    let answer = read_answer(&mut stream).await;
    assert_eq!(
        (answer.status, answer.error_type()),
        (400, "SerializationException"),
        "{:?}",
        answer.body
    );
    // Within the JSON decoder's depth but deeper than DynamoDB's 32 levels.
    server_create_table(addr).await;
    let value = format!(
        "{}{{\"NULL\":true}}{}",
        "{\"L\":[".repeat(40),
        "]}".repeat(40)
    );
    let body: Value = serde_json::from_str(&format!(
        r#"{{"TableName":"tbl","Item":{{"pk":{{"S":"a"}},"deep":{value}}}}}"#
    ))
    .unwrap();
    let answer = post(addr, "PutItem", &body).await;
    assert_eq!(
        (answer.status, answer.message()),
        (400, "Nesting Levels have exceeded supported limits"),
    );
    still_serves(addr).await;
    server.shutdown().await;
}

async fn server_create_table(addr: SocketAddr) {
    let answer = post(
        addr,
        "CreateTable",
        &json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
    )
    .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
}

/// An engine whose PutItem panics, standing for any broken invariant.
struct PanicsOnPut(Engine);

/// Implements `Backend` for `PanicsOnPut`: PutItem panics, every other
/// operation goes to the engine.
macro_rules! panics_on_put {
    ($($method:ident($input:ty) -> $output:ty;)*) => {
        #[async_trait]
        impl Backend for PanicsOnPut {
            async fn put_item(&self, _input: PutItemInput) -> Result<PutItemOutput> {
                panic!("an invariant broke while writing")
            }
            $(async fn $method(&self, input: $input) -> Result<$output> { self.0.$method(input).await })*
        }
    };
}

panics_on_put! {
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

#[tokio::test]
async fn a_panic_answers_that_request_with_internal_server_error_and_the_server_goes_on() {
    let server = start_with(PanicsOnPut(Engine::new()), Limits::default()).await;
    let addr = server.local_addr();
    server_create_table(addr).await;
    for _ in 0..3 {
        let answer = post(
            addr,
            "PutItem",
            &json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}}}),
        )
        .await;
        assert_eq!(
            (answer.status, answer.error_type(), answer.message()),
            (500, "InternalServerError", "Internal server error")
        );
    }
    let answer = post(
        addr,
        "GetItem",
        &json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}}}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, json!({}));
    server.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_are_answered_503_and_the_rest_are_served() {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let server = start_with(Engine::new(), limits).await;
    let addr = server.local_addr();
    let held_a = TcpStream::connect(addr).await.unwrap();
    let held_b = TcpStream::connect(addr).await.unwrap();
    // Let the server accept both before the third arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    let answer = read_answer(&mut third).await;
    assert_eq!(answer.status, 503);
    assert_eq!(answer.error_type(), "ServiceUnavailableException");
    drop((held_a, held_b));
    tokio::time::sleep(Duration::from_millis(100)).await;
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_client_that_sends_its_headers_too_slowly_or_idles_is_disconnected() {
    let limits = Limits {
        header_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start_with(Engine::new(), limits).await;
    let addr = server.local_addr();
    // Half a request head, then silence (slowloris).
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the slow client was not disconnected");
    // A connection opened and never used.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the idle connection was not closed");
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_body_sent_too_slowly_gets_request_timeout() {
    let limits = Limits {
        body_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start_with(Engine::new(), limits).await;
    let addr = server.local_addr();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = request(addr, "ListTables", b"{}");
    // Announce 1000 bytes, send 2.
    let at = head.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    head.truncate(at + 4);
    let head = String::from_utf8(head)
        .unwrap()
        .replace("content-length: 2", "content-length: 1000");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"{}").await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut stream))
        .await
        .unwrap();
    assert_eq!(
        (answer.status, answer.error_type()),
        (408, "RequestTimeoutException")
    );
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn request_bodies_beyond_the_in_flight_budget_are_throttled() {
    let limits = Limits {
        max_body_bytes: 1024 * 1024,
        max_in_flight_body_bytes: 1024 * 1024,
        body_timeout: Duration::from_secs(10),
        ..Limits::default()
    };
    let server = start_with(Engine::new(), limits).await;
    let addr = server.local_addr();
    // One request announces a whole megabyte and sends it slowly.
    let mut big = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.ListTables\r\ncontent-length: {}\r\n\r\n",
        1024 * 1024
    );
    big.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Meanwhile another is refused with the error SDKs retry.
    let answer = post(addr, "ListTables", &json!({})).await;
    assert_eq!(
        (answer.status, answer.error_type(), answer.message()),
        (
            400,
            "ThrottlingException",
            "Rate of requests exceeds the allowed throughput."
        )
    );
    drop(big);
    tokio::time::sleep(Duration::from_millis(200)).await;
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_request_head_too_large_or_with_too_many_headers_is_refused() {
    let limits = Limits {
        max_headers: 20,
        ..Limits::default()
    };
    let server = start_with(Engine::new(), limits).await;
    let addr = server.local_addr();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = "POST / HTTP/1.1\r\nhost: x\r\n".to_owned();
    for i in 0..30 {
        head.push_str(&format!("x-h{i}: v\r\n"));
    }
    head.push_str("content-length: 0\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    assert!(
        String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 431"),
        "{raw:?}"
    );
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: x\r\nx-big: {}\r\ncontent-length: 0\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    assert!(
        String::from_utf8_lossy(&raw).starts_with("HTTP/1.1 431"),
        "{raw:?}"
    );
    still_serves(addr).await;
    server.shutdown().await;
}

#[tokio::test]
async fn serving_beyond_loopback_without_access_keys_needs_an_explicit_flag() {
    let refused = Server::bind(
        "0.0.0.0:0".parse().unwrap(),
        Engine::new(),
        ServerOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(refused.to_string().contains("without access keys"));
    let allowed = Server::bind(
        "0.0.0.0:0".parse().unwrap(),
        Engine::new(),
        ServerOptions {
            allow_anonymous: true,
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap();
    allowed.shutdown().await;
}

#[tokio::test]
async fn a_legacy_attribute_list_of_fifty_thousand_names_is_answered_at_once() {
    let server = start().await;
    let addr = server.local_addr();
    server_create_table(addr).await;
    let names: Vec<String> = (0..50_000).map(|i| format!("g{i}")).collect();
    let answer = post(
        addr,
        "GetItem",
        &json!({"TableName": "tbl", "Key": {"pk": {"S": "p1"}}, "AttributesToGet": names}),
    )
    .await;
    // Before the fix a quadratic duplicate check took seconds here (the
    // fuzz driver's hang F1); the fuzz targets' time bound guards it.
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let mut duplicated: Vec<String> = (0..50_000).map(|i| format!("g{i}")).collect();
    duplicated.push("g49999".into());
    let answer = post(
        addr,
        "GetItem",
        &json!({"TableName": "tbl", "Key": {"pk": {"S": "p1"}}, "AttributesToGet": duplicated}),
    )
    .await;
    assert_eq!(
        answer.message(),
        "One or more parameter values were invalid: Duplicate value in attribute name: g49999"
    );
    server.shutdown().await;
}
