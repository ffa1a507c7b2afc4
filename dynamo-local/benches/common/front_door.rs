//! The HTTP front door fuzz target's generator: signed DynamoDB requests
//! with their `Authorization` header taken apart (algorithm, credential
//! scope, signed headers, signature, date), whole requests mutated byte by
//! byte, header soup with conflicting framing, raw byte soup, pipelined
//! requests, and odd methods, paths and versions.

use super::http::{Signer, amz_date};
use super::mutate;
use super::requests;
use super::rng::Rng;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

/// The access keys the fuzzed server is started with: full access, read
/// only, and limited to tables starting with `fz_h`.
pub fn keys() -> Vec<(Signer, bool, Option<&'static str>)> {
    let key = |access: &str, secret: &str| Signer {
        access_key: access.into(),
        secret_key: secret.into(),
    };
    vec![
        (key("AKIDFUZZEXAMPLE", "fuzz/secret+key"), false, None),
        (key("AKIDFUZZREADONLY", "read-only-secret"), true, None),
        (key("AKIDFUZZPREFIX", "prefix-secret"), false, Some("fz_h")),
    ]
}

/// One of the keys, mostly the full-access one.
fn signer(rng: &mut Rng) -> Signer {
    let keys = keys();
    let i = if rng.one_in(3) {
        rng.below(keys.len())
    } else {
        0
    };
    keys[i].0.clone()
}

/// One front-door input.
#[derive(Clone, Debug)]
pub struct RawInput {
    /// The bytes sent on a fresh connection.
    pub bytes: Vec<u8>,
    /// Whether the framing is intact, so an answer is owed.
    pub expect_response: bool,
    /// How it was made.
    pub origin: &'static str,
}

const HTTP_TOKENS: &[&[u8]] = &[
    b"POST",
    b"GET",
    b"HEAD",
    b"PUT",
    b" / ",
    b"HTTP/1.1",
    b"HTTP/1.0",
    b"HTTP/2.0",
    b"\r\n",
    b"\r\n\r\n",
    b"\n",
    b": ",
    b":",
    b"host",
    b"content-length: ",
    b"transfer-encoding: chunked",
    b"0\r\n\r\n",
    b"ffffffffffffffff\r\n",
    b"-1",
    b"18446744073709551616",
    b"authorization: ",
    b"AWS4-HMAC-SHA256 ",
    b"Credential=",
    b"SignedHeaders=",
    b"Signature=",
    b"x-amz-date: ",
    b"x-amz-target: ",
    b"DynamoDB_20120810.GetItem",
    b"content-type: application/x-amz-json-1.0",
    b"expect: 100-continue",
    b"connection: close",
    b"connection: keep-alive",
    b"\0",
    b"\xff",
    b" ",
    b"\t",
    b"{}",
    b"/",
    b";",
    b",",
    b"=",
];

struct Parts {
    method: String,
    path: String,
    version: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Parts {
    fn bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {} {}\r\n", self.method, self.path, self.version).into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    fn header_mut(&mut self, name: &str) -> Option<&mut Vec<u8>> {
        self.headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// A correctly signed request for a generated body.
fn signed(rng: &mut Rng, addr: SocketAddr, now: SystemTime) -> Parts {
    let request = requests::generate(rng);
    // Mostly small bodies: the front door is the subject here.
    let body = if request.body.len() > 64 * 1024 {
        b"{}".to_vec()
    } else {
        request.body
    };
    let host = addr.to_string();
    let date = amz_date(now);
    // Control characters in the operation would break the framing here;
    // the byte-mutating classes break it on purpose.
    let op: String = request
        .op
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let target = format!("DynamoDB_20120810.{op}");
    let authorization = signer(rng).authorization(
        &[
            ("content-type", "application/x-amz-json-1.0"),
            ("host", &host),
            ("x-amz-date", &date),
            ("x-amz-target", &target),
        ],
        &date,
        &body,
    );
    Parts {
        method: "POST".into(),
        path: "/".into(),
        version: "HTTP/1.1".into(),
        headers: vec![
            ("host".into(), host.into_bytes()),
            (
                "content-type".into(),
                b"application/x-amz-json-1.0".to_vec(),
            ),
            ("x-amz-target".into(), target.into_bytes()),
            ("x-amz-date".into(), date.into_bytes()),
            ("authorization".into(), authorization.into_bytes()),
            ("content-length".into(), body.len().to_string().into_bytes()),
        ],
        body,
    }
}

/// Printable junk without CR or LF, so the framing survives.
fn junk(rng: &mut Rng, max: usize) -> String {
    let len = rng.small(max);
    (0..len)
        .map(|_| match rng.below(8) {
            0 => char::from_u32(0x80 + rng.below(0x700) as u32).unwrap_or('x'),
            1 => *rng.pick(&['/', '=', ',', ' ', ';', '\t', '%', '"']),
            _ => char::from(b'!' + rng.below(94) as u8),
        })
        .collect()
}

fn split_authorization(value: &str) -> Vec<String> {
    value.split(", ").map(str::to_owned).collect()
}

/// Takes one part of the Authorization header (or the date) apart.
fn mutate_authorization(rng: &mut Rng, parts: &mut Parts, now: SystemTime) {
    let Some(value) = parts.header_mut("authorization") else {
        return;
    };
    let text = String::from_utf8_lossy(value).into_owned();
    let mut fields = split_authorization(&text);
    match rng.below(16) {
        // The algorithm.
        0 => {
            let algorithm = *rng.pick(&[
                "AWS4-HMAC-SHA512",
                "aws4-hmac-sha256",
                "AWS4-",
                "AWS4-HMAC-SHA256\t",
                "",
                "Bearer x",
                "AWS3-HTTPS",
                "AWS4-HMAC-SHA256AWS4-HMAC-SHA256",
            ]);
            if let Some(first) = fields.first_mut() {
                *first = first.replacen("AWS4-HMAC-SHA256", algorithm, 1);
            }
        }
        // One slash-separated part of the credential scope.
        1 | 2 => {
            if let Some(first) = fields.first_mut()
                && let Some((head, scope)) = first.split_once("Credential=")
            {
                let mut scope: Vec<String> = scope.split('/').map(str::to_owned).collect();
                let i = rng.below(scope.len() + 1);
                let replacement = match rng.below(6) {
                    0 => String::new(),
                    1 => junk(rng, 20),
                    2 => "x".repeat(*rng.pick(&[256, 65_536])),
                    3 => "２０２４０１０１".into(),
                    4 => {
                        (*rng.pick(&["AKIDOTHER", "s3", "us-west-2", "aws4_request2", "20000101"]))
                            .into()
                    }
                    _ => "a/b/c".into(),
                };
                if i == scope.len() || rng.one_in(4) {
                    scope.insert(i.min(scope.len()), replacement);
                } else {
                    scope[i] = replacement;
                }
                *first = format!("{head}Credential={}", scope.join("/"));
            }
        }
        // The signed header list.
        3 | 4 => {
            if let Some(field) = fields.iter_mut().find(|f| f.starts_with("SignedHeaders=")) {
                let list = field.trim_start_matches("SignedHeaders=").to_owned();
                let mut names: Vec<String> = list.split(';').map(str::to_owned).collect();
                match rng.below(6) {
                    0 => names.retain(|n| n != "host"),
                    1 => names.push(junk(rng, 10)),
                    2 => names.insert(0, "Host".into()),
                    3 => {
                        names = (0..*rng.pick(&[100usize, 10_000]))
                            .map(|i| format!("h{i}"))
                            .collect()
                    }
                    4 => names.clear(),
                    _ => names.push("content-length".into()),
                }
                *field = format!("SignedHeaders={}", names.join(";"));
            }
        }
        // The signature.
        5 | 6 => {
            if let Some(field) = fields.iter_mut().find(|f| f.starts_with("Signature=")) {
                let mut sig = field
                    .trim_start_matches("Signature=")
                    .to_owned()
                    .into_bytes();
                match rng.below(6) {
                    0 if !sig.is_empty() => {
                        let i = rng.below(sig.len());
                        sig[i] = *rng.pick(b"0123456789abcdef");
                    }
                    1 => {
                        sig.pop();
                    }
                    2 => sig = sig.to_ascii_uppercase(),
                    3 => sig = junk(rng, 70).into_bytes(),
                    4 => sig = vec![b'a'; *rng.pick(&[0, 64, 65_536])],
                    _ => sig.extend_from_slice("é".as_bytes()),
                }
                *field = format!("Signature={}", String::from_utf8_lossy(&sig));
            }
        }
        // Remove, duplicate or reorder a field; change the separators.
        7 => {
            if !fields.is_empty() {
                let i = rng.below(fields.len());
                fields.remove(i);
            }
        }
        8 => {
            if !fields.is_empty() {
                let i = rng.below(fields.len());
                let copy = fields[i].clone();
                fields.push(copy);
            }
        }
        9 => {
            let joined = fields.join(*rng.pick(&[",", " ", ",,", "  ,  ", ";"]));
            fields = vec![joined];
        }
        10 => fields.push(format!("{}={}", junk(rng, 8), junk(rng, 8))),
        // The request date.
        11 | 12 => {
            let date = match rng.below(8) {
                0 => amz_date(now - Duration::from_secs(16 * 60)),
                1 => amz_date(now + Duration::from_secs(16 * 60)),
                2 => "20240101T000000Z".into(),
                3 => "2024-01-01T00:00:00Z".into(),
                4 => "99999999T999999Z".into(),
                5 => "20241301T250000Z".into(),
                6 => "２０２４T000000Z".into(),
                _ => junk(rng, 20),
            };
            if let Some(d) = parts.header_mut("x-amz-date") {
                *d = date.into_bytes();
            }
        }
        13 => {
            parts.headers.retain(|(n, _)| n != "x-amz-date");
            if rng.coin() {
                parts
                    .headers
                    .push(("date".into(), b"Mon, 01 Jan 2024 00:00:00 GMT".to_vec()));
            }
        }
        // Headers around the signature.
        14 => {
            let (name, value) = match rng.below(4) {
                0 => ("authorization", text.clone()),
                1 => ("x-amz-content-sha256", junk(rng, 64)),
                2 => ("x-amz-content-sha256", "UNSIGNED-PAYLOAD".to_owned()),
                _ => ("x-amz-security-token", junk(rng, 100)),
            };
            parts.headers.push((name.into(), value.into_bytes()));
        }
        _ => {
            // Bytes a header value may not hold as text.
            if let Some(v) = parts.header_mut("authorization") {
                let at = rng.below(v.len() + 1);
                v.insert(at, 0x80 + rng.below(0x7f) as u8);
            }
            return;
        }
    }
    if let Some(v) = parts.header_mut("authorization") {
        *v = fields.join(", ").into_bytes();
    }
}

fn header_soup(rng: &mut Rng, parts: &mut Parts) -> bool {
    let mut intact = true;
    for _ in 0..rng.range(1, 4) {
        match rng.below(10) {
            0 => {
                let n = *rng.pick(&[50usize, 100, 101, 1000]);
                for i in 0..n {
                    parts.headers.push((format!("x-h{i}"), b"v".to_vec()));
                }
            }
            1 => parts.headers.push((
                "x-long".into(),
                vec![b'v'; *rng.pick(&[8192usize, 65_536, 1 << 20])],
            )),
            2 => {
                parts.headers.retain(|(n, _)| n != "content-length");
                parts
                    .headers
                    .push(("transfer-encoding".into(), b"chunked".to_vec()));
                let body = std::mem::take(&mut parts.body);
                let mut chunked = format!("{:x}\r\n", body.len()).into_bytes();
                chunked.extend_from_slice(&body);
                chunked.extend_from_slice(if rng.coin() {
                    b"\r\n0\r\n\r\n"
                } else {
                    b"\r\nzz\r\n"
                });
                parts.body = chunked;
                intact = false;
            }
            3 => {
                let value =
                    *rng.pick(&["0", "-1", "abc", "18446744073709551616", "1, 2", "99999999"]);
                if let Some(v) = parts.header_mut("content-length") {
                    *v = value.as_bytes().to_vec();
                }
                intact = false;
            }
            4 => {
                parts.headers.push(("content-length".into(), b"1".to_vec()));
                intact = false;
            }
            5 => parts.headers.push((
                junk(rng, 10).replace([':', ' '], ""),
                junk(rng, 20).into_bytes(),
            )),
            6 => parts
                .headers
                .push(("expect".into(), b"100-continue".to_vec())),
            7 => {
                parts.headers.push(("connection".into(), b"close".to_vec()));
                intact = false;
            }
            8 => {
                if let Some(v) = parts.header_mut("content-type") {
                    *v = (*rng.pick(&[
                        "application/json",
                        "text/plain",
                        "application/x-amz-json-1.1",
                        "application/x-amz-json-1.0; charset=utf-8",
                        "",
                    ]))
                    .as_bytes()
                    .to_vec();
                }
            }
            _ => {
                if let Some(v) = parts.header_mut("x-amz-target") {
                    *v = (*rng.pick(&[
                        "DynamoDB_20120810.",
                        "DynamoDB_20111205.GetItem",
                        "DynamoDB_20120810.getitem",
                        "",
                        "DynamoDB_20120810.GetItem.GetItem",
                    ]))
                    .as_bytes()
                    .to_vec();
                }
            }
        }
    }
    intact
}

/// Front-door input `index`, addressed to `addr`, signed at `now`.
pub fn generate(rng: &mut Rng, addr: SocketAddr, now: SystemTime) -> RawInput {
    match rng.below(10) {
        0..=2 => {
            let mut parts = signed(rng, addr, now);
            for _ in 0..rng.range(1, 2) {
                mutate_authorization(rng, &mut parts, now);
            }
            RawInput {
                bytes: parts.bytes(),
                expect_response: true,
                origin: "sigv4-mutated",
            }
        }
        3..=5 => {
            let mut bytes = signed(rng, addr, now).bytes();
            let n = rng.range(1, 4);
            mutate::mutate(rng, &mut bytes, HTTP_TOKENS, n, 16 * 1024);
            RawInput {
                bytes,
                expect_response: false,
                origin: "byte-mutated",
            }
        }
        6 => {
            let mut parts = signed(rng, addr, now);
            let intact = header_soup(rng, &mut parts);
            RawInput {
                bytes: parts.bytes(),
                expect_response: intact,
                origin: "header-soup",
            }
        }
        7 => {
            let bytes = if rng.coin() {
                mutate::soup(rng, HTTP_TOKENS, 400)
            } else {
                let n = rng.small(2000);
                rng.bytes(n)
            };
            RawInput {
                bytes,
                expect_response: false,
                origin: "soup",
            }
        }
        8 => {
            let mut bytes = Vec::new();
            for _ in 0..rng.range(2, 5) {
                let mut parts = signed(rng, addr, now);
                if rng.coin() {
                    mutate_authorization(rng, &mut parts, now);
                }
                bytes.extend(parts.bytes());
            }
            RawInput {
                bytes,
                expect_response: true,
                origin: "pipelined",
            }
        }
        _ => {
            let mut parts = signed(rng, addr, now);
            parts.method = (*rng.pick(&[
                "GET", "PUT", "DELETE", "OPTIONS", "PATCH", "POST", "TRACE", "FOO",
            ]))
            .into();
            parts.path = (*rng.pick(&[
                "/",
                "/?a=b&c",
                "/x",
                "//",
                "/%00",
                "*",
                "http://localhost/",
                "/?X-Amz-Signature=00",
            ]))
            .into();
            parts.version = (*rng.pick(&["HTTP/1.1", "HTTP/1.0", "HTTP/1.1", "HTTP/1.1"])).into();
            if rng.coin() {
                parts.body.clear();
                if let Some(v) = parts.header_mut("content-length") {
                    *v = b"0".to_vec();
                }
            }
            let intact = parts.path.starts_with('/') && parts.method != "FOO";
            RawInput {
                bytes: parts.bytes(),
                expect_response: intact,
                origin: "method-path",
            }
        }
    }
}

/// A finding's description of a front-door input.
pub fn describe(input: &RawInput) -> super::driver::Case {
    super::driver::Case {
        summary: format!(
            "{} ({} bytes): {}",
            input.origin,
            input.bytes.len(),
            input
                .bytes
                .iter()
                .take(160)
                .flat_map(|b| std::ascii::escape_default(*b))
                .map(char::from)
                .collect::<String>()
        ),
        text: format!(
            "bytes sent on one connection, then the write half closed (the date is the time of generation):\n{}\n",
            input
                .bytes
                .iter()
                .flat_map(|b| std::ascii::escape_default(*b))
                .map(char::from)
                .collect::<String>()
        ),
        raw: input.bytes.clone(),
    }
}
