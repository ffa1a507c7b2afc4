//! A minimal HTTP/1.1 client for the fuzzers and the soak: keep-alive
//! connections on tokio's `TcpStream`, a strict response parser (so a
//! malformed response is a finding, not something a lenient client papers
//! over), DynamoDB's JSON 1.0 request framing, the checks every DynamoDB
//! answer must pass, and an independent SigV4 signer.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest response the client accepts.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// One parsed response.
#[derive(Clone, Debug)]
pub struct Response {
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// Header names (lower-cased) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The short DynamoDB error type (`ValidationException`), if any.
    pub fn error_type(&self) -> Option<String> {
        let json = self.json()?;
        let t = json.get("__type")?.as_str()?;
        Some(t.rsplit('#').next().unwrap_or(t).to_owned())
    }

    /// Whether the server keeps the connection open after this response.
    pub fn keep_alive(&self) -> bool {
        match self.header("connection") {
            Some(v) if v.eq_ignore_ascii_case("close") => false,
            Some(v) if v.eq_ignore_ascii_case("keep-alive") => true,
            _ => self.version == "HTTP/1.1",
        }
    }
}

/// Parses one response from the front of `buf`: `Ok(None)` when more bytes
/// are needed, `Err` when the bytes are not a well-formed HTTP/1.1 response.
/// `head_only` is for responses to HEAD, which have no body.
pub fn parse_response(buf: &[u8], head_only: bool) -> Result<Option<(Response, usize)>, String> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buf.len() > 64 * 1024 {
            return Err("response head over 64 KiB".into());
        }
        if !buf.is_empty() && !b"HTTP/1.".starts_with(&buf[..buf.len().min(7)]) {
            return Err(format!("not an HTTP response: {:?}", shorten(buf)));
        }
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| "response head is not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(format!("bad status line {status_line:?}"));
    }
    let status: u16 = parts
        .next()
        .filter(|s| s.len() == 3)
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..600).contains(s))
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line {line:?}"))?;
        if name.is_empty() || name.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(format!("bad header name {name:?}"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut response = Response {
        version: version.to_owned(),
        status,
        headers,
        body: Vec::new(),
    };
    let start = end + 4;
    if head_only || status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(Some((response, start)));
    }
    if response
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        return parse_chunked(&buf[start..]).map(|parsed| {
            parsed.map(|(body, used)| {
                response.body = body;
                (response, start + used)
            })
        });
    }
    let length: usize = match response.header("content-length") {
        Some(v) => v.parse().map_err(|_| format!("bad content-length {v:?}"))?,
        None => return Err("response without content-length or chunked body".into()),
    };
    if length > MAX_RESPONSE_BYTES {
        return Err(format!("response body of {length} bytes"));
    }
    if buf.len() < start + length {
        return Ok(None);
    }
    response.body = buf[start..start + length].to_vec();
    Ok(Some((response, start + length)))
}

fn parse_chunked(buf: &[u8]) -> Result<Option<(Vec<u8>, usize)>, String> {
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        let Some(line_end) = buf[at..].windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        let line = std::str::from_utf8(&buf[at..at + line_end]).map_err(|_| "bad chunk size")?;
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("bad chunk size {line:?}"))?;
        at += line_end + 2;
        if size == 0 {
            // No trailers from our server: the final CRLF.
            if buf.len() < at + 2 {
                return Ok(None);
            }
            return Ok(Some((body, at + 2)));
        }
        if buf.len() < at + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&buf[at..at + size]);
        at += size + 2;
    }
}

fn shorten(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
    s.into_owned()
}

/// A keep-alive connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// Why a request got no response.
#[derive(Debug)]
pub enum Failure {
    /// Connecting, writing or reading failed, or the server closed the
    /// connection before a complete response.
    Closed(String),
    /// No complete response within the time bound.
    Timeout,
    /// The bytes received are not a well-formed response.
    Malformed(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Closed(why) => write!(f, "connection closed without a response ({why})"),
            Failure::Timeout => f.write_str("no response within the time bound"),
            Failure::Malformed(why) => write!(f, "malformed response: {why}"),
        }
    }
}

impl Conn {
    /// Connects to `addr`.
    pub async fn connect(addr: SocketAddr) -> Result<Conn, Failure> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| Failure::Closed(format!("connect: {e}")))?;
        let _ = stream.set_nodelay(true);
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends `request` and reads one response within `limit`.
    pub async fn roundtrip(
        &mut self,
        request: &[u8],
        limit: Duration,
    ) -> Result<Response, Failure> {
        match tokio::time::timeout(limit, async {
            self.stream
                .write_all(request)
                .await
                .map_err(|e| Failure::Closed(format!("write: {e}")))?;
            self.read_response(false).await
        })
        .await
        {
            Ok(result) => result,
            Err(_) => Err(Failure::Timeout),
        }
    }

    /// Reads one response.
    pub async fn read_response(&mut self, head_only: bool) -> Result<Response, Failure> {
        loop {
            match parse_response(&self.buf, head_only) {
                Ok(Some((response, used))) => {
                    self.buf.drain(..used);
                    return Ok(response);
                }
                Ok(None) => {}
                Err(e) => return Err(Failure::Malformed(e)),
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk).await {
                Ok(0) => return Err(Failure::Closed("end of stream".into())),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(Failure::Closed(format!("read: {e}"))),
            }
        }
    }
}

/// Sends `raw` on a fresh connection and reads until the server closes,
/// within `limit`; returns every byte received. With `half_close` the
/// writing half is closed after the bytes (for input whose framing may
/// leave the server waiting for more; the server may then drop answers in
/// flight); without, `raw` must end in a request that closes the
/// connection (see [`SENTINEL`]).
pub async fn exchange_raw(
    addr: SocketAddr,
    raw: &[u8],
    limit: Duration,
    half_close: bool,
) -> Result<Vec<u8>, Failure> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| Failure::Closed(format!("connect: {e}")))?;
    // No TIME_WAIT per input (millions of short connections on loopback).
    let _ = socket_linger_zero(&stream);
    let mut received = Vec::new();
    let result = tokio::time::timeout(limit, async {
        // The server may answer and close before reading everything.
        if stream.write_all(raw).await.is_ok() && half_close {
            let _ = stream.shutdown().await;
        }
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    received.extend_from_slice(&chunk[..n]);
                    if received.len() > MAX_RESPONSE_BYTES {
                        return;
                    }
                }
            }
        }
    })
    .await;
    match result {
        Ok(()) => Ok(received),
        Err(_) => Err(Failure::Timeout),
    }
}

#[allow(deprecated)]
fn socket_linger_zero(stream: &TcpStream) -> std::io::Result<()> {
    stream.set_linger(Some(Duration::ZERO))
}

/// A health check that asks the server to close the connection: appended
/// to input with intact framing, so the end of the answers is known.
pub const SENTINEL: &[u8] = b"GET / HTTP/1.1\r\nhost: sentinel\r\nconnection: close\r\n\r\n";

/// Splits `received` into responses; `Err` if any is malformed or bytes
/// are left over.
pub fn parse_all(mut received: &[u8]) -> Result<Vec<Response>, String> {
    let mut responses = Vec::new();
    while !received.is_empty() {
        match parse_response(received, false)? {
            Some((response, used)) => {
                responses.push(response);
                received = &received[used..];
            }
            None => return Err(format!("truncated response: {:?}", shorten(received))),
        }
    }
    Ok(responses)
}

/// DynamoDB's JSON 1.0 POST of `body` to operation `target`, with
/// `authorization` (and the date it was signed at) if given.
pub fn dynamo_request(
    addr: SocketAddr,
    target: &str,
    body: &[u8],
    signer: Option<&Signer>,
) -> Vec<u8> {
    let host = addr.to_string();
    let date = amz_date(SystemTime::now());
    // A header value cannot hold control characters; keep the framing.
    let target: String = target
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let target = target.as_str();
    let mut head = format!(
        "POST / HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.{target}\r\nx-amz-date: {date}\r\ncontent-length: {}\r\n",
        body.len()
    );
    let authorization = match signer {
        Some(signer) => signer.authorization(
            &[
                ("content-type", "application/x-amz-json-1.0"),
                ("host", &host),
                ("x-amz-date", &date),
                ("x-amz-target", &format!("DynamoDB_20120810.{target}")),
            ],
            &date,
            body,
        ),
        None => format!(
            "AWS4-HMAC-SHA256 Credential=fuzz/{}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
            &date[..8]
        ),
    };
    head.push_str(&format!("authorization: {authorization}\r\n\r\n"));
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    request
}

/// `GET /`, DynamoDB's health check.
pub fn health_request(addr: SocketAddr) -> Vec<u8> {
    format!("GET / HTTP/1.1\r\nhost: {addr}\r\n\r\n").into_bytes()
}

/// Whether the server at `addr` answers its health check within `limit`.
pub async fn healthy(addr: SocketAddr, limit: Duration) -> bool {
    let Ok(mut conn) = Conn::connect(addr).await else {
        return false;
    };
    matches!(conn.roundtrip(&health_request(addr), limit).await, Ok(r) if r.status == 200)
}

/// Checks an answer to a DynamoDB JSON request: a 500 is a panic behind
/// the server's catch-unwind layer (`Err((true, _))`); otherwise the status
/// must be one DynamoDB uses, the body JSON, errors typed, the CRC right
/// (`Err((false, _))` if not). Returns the answer's class for the counts:
/// `"200"` or `"400 ValidationException"`.
pub fn check_dynamo_response(response: &Response) -> Result<String, (bool, String)> {
    let status = response.status;
    if status == 500 {
        return Err((
            true,
            format!(
                "500 InternalServerError: {}",
                String::from_utf8_lossy(&response.body)
            ),
        ));
    }
    let json_reply = response.header("content-type").is_some_and(|t| {
        t.starts_with("application/x-amz-json-1.0") || t.starts_with("application/json")
    });
    if !json_reply {
        // Answers before the JSON layer: 404 XML for a wrong method or
        // content type, and the HTTP stack's own 4xx/5xx without a body.
        return match status {
            100 | 400 | 404 | 405 | 408 | 411 | 413 | 414 | 417 | 431 | 501 | 503 | 505 => {
                Ok(format!("{status} (no JSON)"))
            }
            200 if response.body.starts_with(b"healthy") => Ok("200 health check".into()),
            _ => Err((false, format!("status {status} without a JSON body"))),
        };
    }
    if let Some(crc) = response.header("x-amz-crc32") {
        let expected = crc32fast::hash(&response.body).to_string();
        if crc != expected {
            return Err((
                false,
                format!("x-amz-crc32 {crc} but the body's is {expected}"),
            ));
        }
    } else {
        return Err((false, "JSON answer without x-amz-crc32".into()));
    }
    if response.header("x-amzn-requestid").is_none() {
        return Err((false, "JSON answer without x-amzn-RequestId".into()));
    }
    let Some(json) = response.json() else {
        return Err((
            false,
            format!("body is not JSON: {:?}", shorten(&response.body)),
        ));
    };
    let Some(object) = json.as_object() else {
        return Err((false, "body is not a JSON object".into()));
    };
    match (status, object.get("__type")) {
        (200, None) => Ok("200".into()),
        (200, Some(_)) => Err((false, "200 with an error body".into())),
        (400 | 413 | 503 | 409 | 403, Some(serde_json::Value::String(t))) => {
            let (namespace, name) = t.rsplit_once('#').unwrap_or(("", t));
            if !namespace.starts_with("com.amazon") || name.is_empty() {
                return Err((
                    false,
                    format!("error type {t:?} outside DynamoDB's namespaces"),
                ));
            }
            let message = object.get("message").or(object.get("Message"));
            if message.is_some_and(|m| !m.is_string()) {
                return Err((false, "error message is not a string".into()));
            }
            Ok(format!("{status} {name}"))
        }
        (_, Some(t)) => Err((false, format!("status {status} with error {t}"))),
        (_, None) => Err((false, format!("status {status} without __type"))),
    }
}

/// An access key pair that signs requests with SigV4 for `us-east-1`
/// DynamoDB.
#[derive(Clone, Debug)]
pub struct Signer {
    /// The access key id.
    pub access_key: String,
    /// The secret.
    pub secret_key: String,
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Signer {
    /// The `Authorization` value for a POST to `/` with `headers` (lower-case
    /// names, sorted) signed at `date` (`yyyymmddTHHMMSSZ`).
    pub fn authorization(&self, headers: &[(&str, &str)], date: &str, body: &[u8]) -> String {
        let day = &date[..8];
        let canonical_headers: String = headers
            .iter()
            .map(|(n, v)| format!("{n}:{}\n", v.trim()))
            .collect();
        let signed: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
        let signed = signed.join(";");
        let canonical = format!(
            "POST\n/\n\n{canonical_headers}\n{signed}\n{}",
            hex(&Sha256::digest(body))
        );
        let scope = format!("{day}/us-east-1/dynamodb/aws4_request");
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut key = hmac(
            format!("AWS4{}", self.secret_key).as_bytes(),
            day.as_bytes(),
        );
        for part in ["us-east-1", "dynamodb", "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={}",
            self.access_key,
            hex(&hmac(&key, to_sign.as_bytes()))
        )
    }
}

/// `yyyymmddTHHMMSSZ` of `time`.
pub fn amz_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Walk years and months from 1970: at most a few hundred steps.
    let mut year = 1970u64;
    let mut days = days;
    let leap = |y: u64| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    loop {
        let len = if leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let months = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 1;
    for len in months {
        if days < len {
            break;
        }
        days -= len;
        month += 1;
    }
    format!(
        "{year:04}{month:02}{:02}T{:02}{:02}{:02}Z",
        days + 1,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Resident memory of this process in KiB (`VmRSS`), and its peak (`VmHWM`).
pub fn resident_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
