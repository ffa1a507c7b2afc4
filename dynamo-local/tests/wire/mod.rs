//! A bare client of `dynamo-local serve` for the message tests: requests
//! written by hand over TCP in DynamoDB's JSON 1.0 protocol, answers read
//! as status, `__type` and message, so each test pins exactly what a
//! caller of the real service would see.
#![allow(dead_code)]

use dynamo_local::Engine;
use dynamo_local::server::{Server, ServerOptions};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The error type without its namespace (`ValidationException`).
    pub fn error_type(&self) -> String {
        let json = self.json();
        let t = json["__type"].as_str().unwrap_or("");
        t.rsplit('#').next().unwrap_or("").to_owned()
    }

    pub fn message(&self) -> String {
        let json = self.json();
        json["message"]
            .as_str()
            .or(json["Message"].as_str())
            .unwrap_or("")
            .to_owned()
    }
}

/// A request the server must refuse, and how.
#[derive(Debug)]
pub struct Refusal {
    pub operation: &'static str,
    pub request: Value,
    pub status: u16,
    pub error_type: &'static str,
    pub message: String,
}

/// `operation` with `request` is refused with HTTP 400 and a
/// ValidationException saying `message`.
pub fn invalid(operation: &'static str, request: Value, message: impl Into<String>) -> Refusal {
    refused(operation, request, "ValidationException", message)
}

/// `operation` with `request` is refused with HTTP 400, `error_type` and
/// `message`.
pub fn refused(
    operation: &'static str,
    request: Value,
    error_type: &'static str,
    message: impl Into<String>,
) -> Refusal {
    Refusal {
        operation,
        request,
        status: 400,
        error_type,
        message: message.into(),
    }
}

/// The civil time of `t` seconds after the epoch as `YYYYMMDDTHHMMSSZ`.
pub fn amz_date(t: i64) -> String {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Days to civil date (Howard Hinnant's algorithm).
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

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A `dynamo-local serve` on an ephemeral loopback port.
pub struct Wire {
    server: Server,
}

impl Wire {
    /// A server over a fresh engine, accepting any well-formed signature.
    pub async fn start() -> Self {
        Self::start_with(ServerOptions::default()).await
    }

    pub async fn start_with(options: ServerOptions) -> Self {
        let server = Server::bind("127.0.0.1:0".parse().unwrap(), Engine::new(), options)
            .await
            .unwrap();
        Self { server }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// Sends `body` to `operation` with a well-formed (unverified) signature.
    pub async fn call(&self, operation: &str, request: &Value) -> Answer {
        let date = amz_date(now());
        let headers = [
            ("content-type", "application/x-amz-json-1.0".to_owned()),
            ("x-amz-target", format!("DynamoDB_20120810.{operation}")),
            ("x-amz-date", date.clone()),
            (
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=local/{}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
                    &date[..8]
                ),
            ),
        ];
        send(self.addr(), &headers, request.to_string().as_bytes()).await
    }

    /// Sends `request` and returns the answer's JSON, which must be a success.
    pub async fn ok(&self, operation: &str, request: Value) -> Value {
        let answer = self.call(operation, &request).await;
        assert_eq!(
            answer.status,
            200,
            "{operation} {request} failed: {}",
            String::from_utf8_lossy(&answer.body)
        );
        answer.json()
    }

    /// Sends every refused request and fails listing each answer that is
    /// not the expected status, error type and message.
    pub async fn assert_refusals(&self, refusals: Vec<Refusal>) {
        let mut wrong = Vec::new();
        for r in &refusals {
            let answer = self.call(r.operation, &r.request).await;
            let got = (answer.status, answer.error_type(), answer.message());
            if got != (r.status, r.error_type.to_owned(), r.message.clone()) {
                wrong.push(format!(
                    "{} {}\n  expected {} {}: {}\n  got      {} {}: {}",
                    r.operation, r.request, r.status, r.error_type, r.message, got.0, got.1, got.2
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {} requests were not refused as expected:\n{}",
            wrong.len(),
            refusals.len(),
            wrong.join("\n")
        );
        // The server still serves after every refusal.
        self.ok("ListTables", json!({})).await;
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Sends one request (`POST /`, closing the connection) with `headers`.
pub async fn send(addr: SocketAddr, headers: &[(&str, String)], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    // A server may answer (413) before reading a large body.
    let _ = stream.write_all(body).await;
    read_answer(&mut stream).await
}

/// Reads one response from `stream` until the server closes it.
pub async fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "no complete response in {:?}",
                String::from_utf8_lossy(&raw)
            )
        });
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    Answer {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

/// The headers of a request to `operation` signed with SigV4 (AWS's
/// published algorithm, written here independently of the server) by
/// `access_key`/`secret_key` at time `t`, for `body` sent to `addr`.
pub fn signed_headers(
    addr: SocketAddr,
    operation: &str,
    access_key: &str,
    secret_key: &str,
    t: i64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    fn hmac(key: &[u8], data: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
    let date = amz_date(t);
    let day = &date[..8];
    let target = format!("DynamoDB_20120810.{operation}");
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:{addr}\nx-amz-date:{date}\nx-amz-target:{target}\n\ncontent-type;host;x-amz-date;x-amz-target\n{}",
        hex(&Sha256::digest(body))
    );
    let scope = format!("{day}/us-east-1/dynamodb/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = ["us-east-1", "dynamodb", "aws4_request"].iter().fold(
        hmac(format!("AWS4{secret_key}").as_bytes(), day),
        |k, part| hmac(&k, part),
    );
    vec![
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        ("x-amz-date", date),
        ("x-amz-target", target),
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={}",
                hex(&hmac(&key, &to_sign))
            ),
        ),
    ]
}
