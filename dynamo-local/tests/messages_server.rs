//! Every refusal of the server's front door, through the wire: missing and
//! malformed `Authorization` headers, credential scopes, signing times,
//! unknown keys, wrong signatures, grants, bodies over the limit or too
//! slow, and connections over the limit. Each pins the HTTP status, error
//! type and message.
#![cfg(feature = "server")]

mod wire;

use dynamo_local::server::{Credentials, Limits, ServerOptions};
use serde_json::json;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use wire::{Answer, Wire, amz_date, now, send, signed_headers};

const BODY: &[u8] = br#"{"TableName":"tbl"}"#;

fn pinned(answer: &Answer) -> (u16, String, String) {
    (answer.status, answer.error_type(), answer.message())
}

fn expect(status: u16, error_type: &str, message: &str) -> (u16, String, String) {
    (status, error_type.to_owned(), message.to_owned())
}

/// Headers of a DescribeTable request with `authorization` and `date`.
fn with_authorization(authorization: &str, date: Option<&str>) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        ("x-amz-target", "DynamoDB_20120810.DescribeTable".to_owned()),
        ("authorization", authorization.to_owned()),
    ];
    if let Some(date) = date {
        headers.push(("x-amz-date", date.to_owned()));
    }
    headers
}

async fn keyed() -> Wire {
    let mut reader = Credentials::new("reader", "reader-secret");
    reader.user = "reader".into();
    reader.read_only = true;
    let mut reports = Credentials::new("reports", "reports-secret");
    reports.user = "analyst".into();
    reports.table_prefix = Some("reports_".into());
    Wire::start_with(ServerOptions {
        credentials: vec![Credentials::new("owner", "owner-secret"), reader, reports],
        ..ServerOptions::default()
    })
    .await
}

#[tokio::test]
async fn authorization_headers_dynamodb_cannot_read_are_refused() {
    let wire = Wire::start().await;
    let addr = wire.addr();
    let date = amz_date(now());
    let no_authorization = [
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        ("x-amz-target", "DynamoDB_20120810.DescribeTable".to_owned()),
    ];
    assert_eq!(
        pinned(&send(addr, &no_authorization, BODY).await),
        expect(
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token"
        )
    );
    let headers = with_authorization(
        "AWS4-HMAC-SHA512 Credential=k/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00",
        Some(&date),
    );
    assert_eq!(
        pinned(&send(addr, &headers, BODY).await),
        expect(
            400,
            "IncompleteSignatureException",
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"
        )
    );
    let headers = with_authorization("AWS4-HMAC-SHA256 SignedHeaders=host", Some(&date));
    assert_eq!(
        pinned(&send(addr, &headers, BODY).await),
        expect(
            400,
            "IncompleteSignatureException",
            "Authorization header requires 'Credential' and 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 SignedHeaders=host"
        )
    );
    let headers = with_authorization(
        "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00",
        None,
    );
    assert_eq!(
        pinned(&send(addr, &headers, BODY).await),
        expect(
            400,
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    );
    wire.shutdown().await;
}

#[tokio::test]
async fn with_access_keys_scopes_times_keys_and_signatures_are_checked() {
    let wire = keyed().await;
    let addr = wire.addr();
    let t = now();
    let date = amz_date(t);
    let day = &date[..8];
    let signature = |credential: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date, Signature=00"
        )
    };
    let cases = [
        (
            signature(&format!("owner/{day}/us-east-1/dynamodb")),
            date.clone(),
            expect(
                400,
                "IncompleteSignatureException",
                &format!(
                    "Credential should be scoped to a valid region. Credential=owner/{day}/us-east-1/dynamodb"
                ),
            ),
        ),
        (
            signature(&format!("owner/{day}/us-east-1/dynamodb/aws4_request")),
            "yesterday".to_owned(),
            expect(
                400,
                "InvalidSignatureException",
                "Invalid X-Amz-Date: yesterday",
            ),
        ),
        (
            signature("owner/20200101/us-east-1/dynamodb/aws4_request"),
            date.clone(),
            expect(
                400,
                "InvalidSignatureException",
                &format!(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20200101' != '{day}', from '{date}'."
                ),
            ),
        ),
        (
            signature(&format!("owner/{day}/us-east-1/s3/aws4_request")),
            date.clone(),
            expect(
                400,
                "InvalidSignatureException",
                &format!(
                    "Credential should be scoped to correct service: 'dynamodb'. Credential=owner/{day}/us-east-1/s3/aws4_request"
                ),
            ),
        ),
        (
            signature(&format!("owner/{day}/us-east-1/dynamodb/aws5_request")),
            date.clone(),
            expect(
                400,
                "InvalidSignatureException",
                "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
            ),
        ),
        (
            signature(&format!("stranger/{day}/us-east-1/dynamodb/aws4_request")),
            date.clone(),
            expect(
                400,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
        ),
        (
            format!(
                "AWS4-HMAC-SHA256 Credential=owner/{day}/us-east-1/dynamodb/aws4_request, SignedHeaders=x-amz-date, Signature=00"
            ),
            date.clone(),
            expect(
                400,
                "InvalidSignatureException",
                "'Host' must be a 'SignedHeader' in the AWS Authorization.",
            ),
        ),
        (
            signature(&format!("owner/{day}/us-east-1/dynamodb/aws4_request")),
            date.clone(),
            expect(
                400,
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            ),
        ),
    ];
    for (authorization, date, expected) in cases {
        let answer = send(addr, &with_authorization(&authorization, Some(&date)), BODY).await;
        assert_eq!(pinned(&answer), expected, "{authorization} at {date}");
    }
    wire.shutdown().await;
}

#[tokio::test]
async fn signatures_more_than_fifteen_minutes_off_the_clock_are_refused() {
    let wire = keyed().await;
    let addr = wire.addr();
    for (offset, sent_at) in [(-3600, "an hour ago"), (3600, "in an hour")] {
        let t = now() + offset;
        let headers = signed_headers(addr, "DescribeTable", "owner", "owner-secret", t, BODY);
        let before = now();
        let answer = send(addr, &headers, BODY).await;
        let after = now();
        let date = amz_date(t);
        // The server reads its clock between `before` and `after`.
        let expected: Vec<String> = (before..=after)
            .map(|server_now| {
                if offset < 0 {
                    format!(
                        "Signature expired: {date} is now earlier than {} ({} - 15 min.)",
                        amz_date(server_now - 900),
                        amz_date(server_now)
                    )
                } else {
                    format!(
                        "Signature not yet current: {date} is still later than {} ({} + 15 min.)",
                        amz_date(server_now + 900),
                        amz_date(server_now)
                    )
                }
            })
            .collect();
        assert_eq!(
            (answer.status, answer.error_type()),
            (400, "InvalidSignatureException".to_owned()),
            "signed {sent_at}"
        );
        assert!(
            expected.contains(&answer.message()),
            "signed {sent_at}: {} is none of {expected:?}",
            answer.message()
        );
    }
    wire.shutdown().await;
}

#[tokio::test]
async fn a_key_outside_its_grant_is_denied_with_dynamodb_wording() {
    let wire = keyed().await;
    let addr = wire.addr();
    let put = br#"{"TableName":"tbl","Item":{"pk":{"S":"a"}}}"#;
    let headers = signed_headers(addr, "PutItem", "reader", "reader-secret", now(), put);
    assert_eq!(
        pinned(&send(addr, &headers, put).await),
        expect(
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/tbl because no identity-based policy allows the dynamodb:PutItem action"
        )
    );
    let headers = signed_headers(
        addr,
        "DescribeTable",
        "reports",
        "reports-secret",
        now(),
        BODY,
    );
    assert_eq!(
        pinned(&send(addr, &headers, BODY).await),
        expect(
            400,
            "AccessDeniedException",
            "User: arn:aws:iam::000000000000:user/analyst is not authorized to perform: dynamodb:DescribeTable on resource: arn:aws:dynamodb:us-east-1:000000000000:table/tbl because no identity-based policy allows the dynamodb:DescribeTable action"
        )
    );
    // The owner's correctly signed request gets through to the engine.
    let headers = signed_headers(addr, "DescribeTable", "owner", "owner-secret", now(), BODY);
    assert_eq!(
        pinned(&send(addr, &headers, BODY).await),
        expect(
            400,
            "ResourceNotFoundException",
            "Requested resource not found: Table: tbl not found"
        )
    );
    wire.shutdown().await;
}

#[tokio::test]
async fn bodies_over_the_limit_or_too_slow_and_connections_over_the_limit_are_refused() {
    let limits = Limits {
        max_body_bytes: 1024,
        max_connections: 1,
        body_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let wire = Wire::start_with(ServerOptions {
        limits,
        ..ServerOptions::default()
    })
    .await;
    let addr = wire.addr();
    let big = json!({"TableName": "x".repeat(2000)}).to_string();
    let answer = wire
        .call("DescribeTable", &serde_json::from_str(&big).unwrap())
        .await;
    assert_eq!(
        (
            answer.status,
            String::from_utf8_lossy(&answer.body).to_string()
        ),
        (413, "length limit exceeded".to_owned())
    );

    // A body promised and never sent.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.ListTables\r\ncontent-length: 100\r\n\r\n{{"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let answer = wire::read_answer(&mut slow).await;
    assert_eq!(
        pinned(&answer),
        expect(
            408,
            "RequestTimeoutException",
            "The request body was not received within the timeout"
        )
    );
    drop(slow);

    // While one connection is open, a second is over the limit of one.
    let held = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut second = TcpStream::connect(addr).await.unwrap();
    let answer = wire::read_answer(&mut second).await;
    assert_eq!(
        pinned(&answer),
        expect(
            503,
            "ServiceUnavailableException",
            "The server has too many open connections; retry later"
        )
    );
    drop(held);
    wire.shutdown().await;
}
