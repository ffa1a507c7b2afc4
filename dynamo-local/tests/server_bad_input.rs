//! The server against malformed, unauthenticated and hostile requests:
//! each gets DynamoDB's status and error type, and the server keeps
//! serving. Requests are written by hand over TCP, and SigV4 signatures are
//! computed here independently of the server's verifier.
#![cfg(feature = "server")]

use dynamo_local::Engine;
use dynamo_local::server::{Credentials, Server, ServerOptions};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn error_type(&self) -> String {
        let value = self.json();
        let t = value["__type"].as_str().unwrap_or("");
        t.rsplit('#').next().unwrap_or("").to_owned()
    }

    fn message(&self) -> String {
        let value = self.json();
        value["message"]
            .as_str()
            .or(value["Message"].as_str())
            .unwrap_or("")
            .to_owned()
    }
}

async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Response {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    // A server may answer (413) before reading a huge body.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn amz_date_now() -> String {
    format_amz_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    )
}

fn format_amz_date(t: i64) -> String {
    // Civil date from days (Howard Hinnant), written independently of the server.
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Headers of a request signed with SigV4 as the AWS SDKs sign it.
fn signed(
    addr: SocketAddr,
    target: &str,
    body: &[u8],
    key: &str,
    secret: &str,
    date: &str,
) -> Vec<(&'static str, String)> {
    let day = &date[..8];
    let host = addr.to_string();
    let content_type = "application/x-amz-json-1.0";
    let canonical = format!(
        "POST\n/\n\ncontent-type:{content_type}\nhost:{host}\nx-amz-date:{date}\nx-amz-target:{target}\n\ncontent-type;host;x-amz-date;x-amz-target\n{}",
        hex(&Sha256::digest(body))
    );
    let scope = format!("{day}/us-east-1/dynamodb/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let k = hmac(format!("AWS4{secret}").as_bytes(), day);
    let k = hmac(&k, "us-east-1");
    let k = hmac(&k, "dynamodb");
    let k = hmac(&k, "aws4_request");
    let signature = hex(&hmac(&k, &to_sign));
    vec![
        ("content-type", content_type.to_owned()),
        ("x-amz-date", date.to_owned()),
        ("x-amz-target", target.to_owned()),
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}"
            ),
        ),
    ]
}

/// Headers of a request in the default mode, where any well-formed
/// signature is accepted.
fn plain(target: &str) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        ("x-amz-date", amz_date_now()),
        ("x-amz-target", format!("DynamoDB_20120810.{target}")),
        ("authorization", "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00".to_owned()),
    ]
}

async fn start(credentials: Option<Credentials>) -> Server {
    let options = ServerOptions {
        credentials: credentials.into_iter().collect(),
        ..ServerOptions::default()
    };
    Server::bind("127.0.0.1:0".parse().unwrap(), Engine::new(), options)
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_requests_get_dynamodb_errors_and_the_server_keeps_serving() {
    let server = start(None).await;
    let addr = server.local_addr();
    let post = |target: &str, body: &str| {
        let headers = plain(target);
        let body = body.as_bytes().to_vec();
        async move { send(addr, "POST", "/", &headers, &body).await }
    };
    let create = r#"{"TableName":"tbl","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}"#;
    assert_eq!(post("CreateTable", create).await.status, 200);

    let mut cases: Vec<(&str, Response, u16, &str)> = Vec::new();
    macro_rules! case {
        ($name:expr, $response:expr, $status:expr, $type:expr) => {
            cases.push(($name, $response, $status, $type));
        };
    }
    case!(
        "broken JSON",
        post("ListTables", r#"{"Limit":"#).await,
        400,
        "SerializationException"
    );
    case!(
        "JSON array body",
        post("ListTables", "[]").await,
        400,
        "SerializationException"
    );
    case!(
        "string where a number goes",
        post("ListTables", r#"{"Limit":"ten"}"#).await,
        400,
        "SerializationException"
    );
    case!(
        "invalid UTF-8",
        send(
            addr,
            "POST",
            "/",
            &plain("DescribeTable"),
            b"{\"TableName\":\"\xff\"}"
        )
        .await,
        400,
        "SerializationException"
    );
    case!(
        "deeply nested JSON",
        post("PutItem", &"[".repeat(100_000)).await,
        400,
        "SerializationException"
    );
    case!(
        "empty body",
        post("ListTables", "").await,
        400,
        "SerializationException"
    );
    case!(
        "unknown operation",
        post("Frobnicate", "{}").await,
        400,
        "UnknownOperationException"
    );
    case!(
        "target of another API version",
        send(
            addr,
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.0".into()),
                ("x-amz-target", "DynamoDB_20991231.ListTables".into())
            ],
            b"{}"
        )
        .await,
        400,
        "UnknownOperationException"
    );
    case!(
        "missing target header",
        send(
            addr,
            "POST",
            "/",
            &[("content-type", "application/x-amz-json-1.0".into())],
            b"{}"
        )
        .await,
        400,
        "UnknownOperationException"
    );
    case!(
        "wrong method",
        send(addr, "PUT", "/", &plain("ListTables"), b"{}").await,
        404,
        ""
    );
    case!(
        "GET of another path",
        send(addr, "GET", "/tables", &[], b"").await,
        404,
        ""
    );
    case!(
        "wrong content type",
        send(
            addr,
            "POST",
            "/",
            &[
                ("content-type", "text/plain".into()),
                ("x-amz-target", "DynamoDB_20120810.ListTables".into())
            ],
            b"{}"
        )
        .await,
        404,
        ""
    );
    case!(
        "oversized body",
        send(
            addr,
            "POST",
            "/",
            &plain("PutItem"),
            &vec![b' '; 17 * 1024 * 1024]
        )
        .await,
        413,
        ""
    );
    case!(
        "number out of range",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"1e200"}}}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!("number with 39 digits", post("PutItem", r#"{"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"123456789012345678901234567890123456789"}}}"#).await, 400, "ValidationException");
    case!(
        "not a number",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"twelve"}}}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!(
        "empty string set",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"},"s":{"SS":[]}}}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!(
        "NULL false",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"},"z":{"NULL":false}}}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!(
        "two datatypes",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a","N":"1"}}}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!(
        "bad base64",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"},"b":{"B":"abc"}}}"#
        )
        .await,
        400,
        "SerializationException"
    );
    case!(
        "missing TableName",
        post("PutItem", r#"{"Item":{"pk":{"S":"a"}}}"#).await,
        400,
        "ValidationException"
    );
    case!(
        "invalid table name",
        post("DescribeTable", r#"{"TableName":"bad name!"}"#).await,
        400,
        "ValidationException"
    );
    case!(
        "unknown enum value",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"}},"ReturnValues":"INVALID"}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!(
        "ReturnValues PutItem cannot return",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_NEW"}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!(
        "expression syntax error",
        post(
            "PutItem",
            r#"{"TableName":"tbl","Item":{"pk":{"S":"a"}},"ConditionExpression":"pk == "}"#
        )
        .await,
        400,
        "ValidationException"
    );
    case!(
        "missing table",
        post("GetItem", r#"{"TableName":"nope","Key":{"pk":{"S":"a"}}}"#).await,
        400,
        "ResourceNotFoundException"
    );
    case!(
        "no Authorization header",
        send(
            addr,
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.0".into()),
                ("x-amz-target", "DynamoDB_20120810.ListTables".into())
            ],
            b"{}"
        )
        .await,
        400,
        "MissingAuthenticationTokenException"
    );
    case!(
        "Authorization without a signature",
        send(
            addr,
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.0".into()),
                ("x-amz-date", amz_date_now()),
                ("x-amz-target", "DynamoDB_20120810.ListTables".into()),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/dynamodb/aws4_request".into()
                )
            ],
            b"{}"
        )
        .await,
        400,
        "IncompleteSignatureException"
    );

    for (name, response, status, error_type) in &cases {
        assert_eq!(
            response.status,
            *status,
            "{name}: {}",
            String::from_utf8_lossy(&response.body)
        );
        if !error_type.is_empty() {
            assert_eq!(
                response.error_type(),
                *error_type,
                "{name}: {}",
                String::from_utf8_lossy(&response.body)
            );
            let crc = crc32(&response.body).to_string();
            assert_eq!(response.header("x-amz-crc32"), Some(crc.as_str()), "{name}");
            assert!(
                response
                    .header("x-amzn-requestid")
                    .is_some_and(|id| id.len() == 52),
                "{name}"
            );
        }
    }
    // No rejected PutItem stored anything: every one of them named pk "a".
    let get_a = post("GetItem", r#"{"TableName":"tbl","Key":{"pk":{"S":"a"}}}"#).await;
    assert_eq!(
        (get_a.status, get_a.json()),
        (200, serde_json::json!({})),
        "a rejected write left an item behind"
    );
    assert_eq!(
        cases
            .iter()
            .find(|c| c.0 == "missing TableName")
            .unwrap()
            .1
            .message(),
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
    );
    assert!(cases.iter().find(|c| c.0 == "unknown enum value").unwrap().1.message().starts_with(
        "1 validation error detected: Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: ["
    ));

    // Still serving, data intact.
    let listed = post("ListTables", "{}").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["TableNames"], serde_json::json!(["tbl"]));
    let health = send(addr, "GET", "/", &[], b"").await;
    assert_eq!(
        (
            health.status,
            String::from_utf8_lossy(&health.body).as_ref()
        ),
        (200, "healthy: dynamodb.us-east-1.amazonaws.com ")
    );
    server.shutdown().await;
}

fn crc32(bytes: &[u8]) -> u32 {
    // Bitwise CRC-32 (IEEE), independent of the server's implementation.
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn with_credentials_only_correct_recent_signatures_are_accepted() {
    let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let server = start(Some(credentials)).await;
    let addr = server.local_addr();
    let target = "DynamoDB_20120810.ListTables";
    let body = b"{}";
    let now = amz_date_now();

    let good = send(
        addr,
        "POST",
        "/",
        &signed(
            addr,
            target,
            body,
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            &now,
        ),
        body,
    )
    .await;
    assert_eq!(good.status, 200, "{}", String::from_utf8_lossy(&good.body));

    let wrong_secret = send(
        addr,
        "POST",
        "/",
        &signed(addr, target, body, "AKIDEXAMPLE", "not-the-secret", &now),
        body,
    )
    .await;
    assert_eq!(wrong_secret.error_type(), "InvalidSignatureException");
    assert!(wrong_secret.message().starts_with(
        "The request signature we calculated does not match the signature you provided."
    ));

    let unknown_key = send(
        addr,
        "POST",
        "/",
        &signed(
            addr,
            target,
            body,
            "AKIDOTHER",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            &now,
        ),
        body,
    )
    .await;
    assert_eq!(unknown_key.error_type(), "UnrecognizedClientException");
    assert_eq!(
        unknown_key.message(),
        "The security token included in the request is invalid."
    );

    let stale = format_amz_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            - 3600,
    );
    let expired = send(
        addr,
        "POST",
        "/",
        &signed(
            addr,
            target,
            body,
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            &stale,
        ),
        body,
    )
    .await;
    assert_eq!(expired.error_type(), "InvalidSignatureException");
    assert!(
        expired
            .message()
            .starts_with(&format!("Signature expired: {stale} is now earlier than"))
    );

    // A body changed after signing.
    let tampered = send(
        addr,
        "POST",
        "/",
        &signed(
            addr,
            target,
            body,
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            &now,
        ),
        br#"{"Limit":1}"#,
    )
    .await;
    assert_eq!(tampered.error_type(), "InvalidSignatureException");

    let unsigned = send(
        addr,
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.0".into()),
            ("x-amz-target", target.into()),
        ],
        body,
    )
    .await;
    assert_eq!(unsigned.error_type(), "MissingAuthenticationTokenException");
    server.shutdown().await;
}
