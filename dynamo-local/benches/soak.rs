//! Soak: `dynamo-local serve` on 127.0.0.1 over a fresh engine, N clients
//! on keep-alive connections for M seconds sending a mix of valid requests
//! (CreateTable once, then PutItem, GetItem, Query, UpdateItem,
//! BatchWriteItem, DeleteItem) and malformed ones (bad JSON, unknown
//! targets, 4,096-parenthesis conditions, oversized items, wrong key types,
//! syntax errors, missing signatures).
//!
//! Each client writes only its own keys and remembers every acknowledged
//! write, so its reads must see its last write (checked during the run)
//! and at the end every acknowledged write must be readable with the
//! acknowledged value. Prints requests served, answers by status and error
//! type, p50/p99 latency and resident memory at start and end; exits
//! non-zero if the server stops answering, any answer is a 500, malformed
//! or missing, or any acknowledged write is lost.
//!
//! `cargo bench -p dynamo-local --bench soak -- --clients 16 --seconds 600`
//!
//! Options: `--clients N` (16), `--seconds M` (10), `--max-requests R` (0:
//! no bound), `--seed S` (1), `--malformed-percent P` (15).

#[path = "common/mod.rs"]
mod common;

use common::driver::Args;
use common::http::{self, Conn, Response};
use common::rng::Rng;
use dynamo_local::Engine;
use dynamo_local::server::{Server, ServerOptions};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const TABLE: &str = "soak";
/// Keys per client: (partition, sort) pairs over 200 x 4.
const PARTITIONS: usize = 200;
const SORTS: usize = 4;
/// A request with no answer in this long is a failure.
const REQUEST_LIMIT: Duration = Duration::from_secs(10);

/// Latencies in a log-linear histogram (1.6% resolution), so the soak's own
/// memory stays flat however long it runs.
#[derive(Clone)]
struct Histogram {
    counts: Vec<u64>,
}

impl Histogram {
    fn new() -> Self {
        Self {
            counts: vec![0; 128 + 64 * 40],
        }
    }

    fn bucket(us: u64) -> usize {
        if us < 128 {
            return us as usize;
        }
        let shift = (63 - us.leading_zeros()) - 6;
        128 + (shift as usize - 1) * 64 + ((us >> shift) & 63) as usize
    }

    fn value(bucket: usize) -> u64 {
        if bucket < 128 {
            return bucket as u64;
        }
        let shift = (bucket - 128) / 64 + 1;
        (64 + ((bucket - 128) % 64) as u64) << shift
    }

    fn record(&mut self, d: Duration) {
        let b = Self::bucket(d.as_micros() as u64).min(self.counts.len() - 1);
        self.counts[b] += 1;
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    fn quantile(&self, q: f64) -> Duration {
        let total: u64 = self.counts.iter().sum();
        let want = ((total as f64) * q).ceil() as u64;
        let mut seen = 0;
        for (b, n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= want.max(1) {
                return Duration::from_micros(Self::value(b));
            }
        }
        Duration::ZERO
    }
}

/// What one client saw.
struct ClientReport {
    requests: u64,
    answers: BTreeMap<String, u64>,
    latency: Histogram,
    /// Acknowledged state of each key: `Some(value)` or deleted.
    expected: HashMap<(String, u32), Option<String>>,
    /// Keys whose last write got no clear answer.
    uncertain: HashSet<(String, u32)>,
    failures: Vec<String>,
    failure_count: u64,
}

impl ClientReport {
    fn fail(&mut self, message: String) {
        self.failure_count += 1;
        if self.failures.len() < 10 {
            self.failures.push(message);
        }
    }
}

fn key_json(pk: &str, sk: u32) -> Value {
    json!({"pk": {"S": pk}, "sk": {"N": sk.to_string()}})
}

/// A valid or malformed request: target, body, and what it writes if
/// acknowledged.
enum Effect {
    None,
    /// A read of a key whose value must match the client's last write.
    Read(String, u32),
    Put(String, u32, String),
    Delete(String, u32),
    Batch(Vec<(String, u32, Option<String>)>),
    /// Must be refused.
    Malformed(&'static str),
}

struct Client {
    id: usize,
    rng: Rng,
    seq: u64,
}

impl Client {
    fn key(&mut self) -> (String, u32) {
        (
            format!("c{}#p{}", self.id, self.rng.below(PARTITIONS)),
            self.rng.below(SORTS) as u32,
        )
    }

    fn value(&mut self) -> String {
        self.seq += 1;
        format!("c{}-v{}", self.id, self.seq)
    }

    fn item(&mut self, pk: &str, sk: u32, value: &str) -> Value {
        let mut item = key_json(pk, sk);
        item["val"] = json!({"S": value});
        let pad = self.rng.range(10, 2000);
        item["pad"] = json!({"S": "x".repeat(pad)});
        item["n"] = json!({"N": self.rng.below(1000).to_string()});
        item
    }

    fn next(&mut self, malformed_percent: usize) -> (String, Vec<u8>, Effect, bool) {
        if self.rng.below(100) < malformed_percent {
            return self.malformed();
        }
        let (pk, sk) = self.key();
        let (op, body, effect) = match self.rng.below(100) {
            0..=24 => {
                let value = self.value();
                let item = self.item(&pk, sk, &value);
                (
                    "PutItem",
                    json!({"TableName": TABLE, "Item": item}),
                    Effect::Put(pk, sk, value),
                )
            }
            25..=44 => (
                "GetItem",
                json!({"TableName": TABLE, "Key": key_json(&pk, sk), "ConsistentRead": true}),
                Effect::Read(pk, sk),
            ),
            45..=54 => (
                "Query",
                json!({
                    "TableName": TABLE,
                    "KeyConditionExpression": "pk = :p AND sk >= :s",
                    "ExpressionAttributeValues": {":p": {"S": pk}, ":s": {"N": "0"}},
                    "Limit": 10,
                    "ConsistentRead": true,
                }),
                Effect::None,
            ),
            55..=69 => {
                let value = self.value();
                (
                    "UpdateItem",
                    json!({
                        "TableName": TABLE,
                        "Key": key_json(&pk, sk),
                        "UpdateExpression": "SET val = :v, n = if_not_exists(n, :zero) + :one",
                        "ExpressionAttributeValues": {":v": {"S": value}, ":zero": {"N": "0"}, ":one": {"N": "1"}},
                        "ReturnValues": "ALL_NEW",
                    }),
                    Effect::Put(pk, sk, value),
                )
            }
            70..=84 => {
                let n = self.rng.range(1, 25);
                let mut seen = HashSet::new();
                let mut writes = Vec::new();
                let mut effects = Vec::new();
                for _ in 0..n {
                    let (pk, sk) = self.key();
                    if !seen.insert((pk.clone(), sk)) {
                        continue;
                    }
                    if self.rng.one_in(4) {
                        writes.push(json!({"DeleteRequest": {"Key": key_json(&pk, sk)}}));
                        effects.push((pk, sk, None));
                    } else {
                        let value = self.value();
                        writes.push(json!({"PutRequest": {"Item": self.item(&pk, sk, &value)}}));
                        effects.push((pk, sk, Some(value)));
                    }
                }
                (
                    "BatchWriteItem",
                    json!({"RequestItems": {TABLE: writes}}),
                    Effect::Batch(effects),
                )
            }
            _ => (
                "DeleteItem",
                json!({"TableName": TABLE, "Key": key_json(&pk, sk)}),
                Effect::Delete(pk, sk),
            ),
        };
        (
            op.to_owned(),
            serde_json::to_vec(&body).unwrap_or_default(),
            effect,
            true,
        )
    }

    fn malformed(&mut self) -> (String, Vec<u8>, Effect, bool) {
        let (pk, sk) = self.key();
        let key = key_json(&pk, sk);
        let (op, body, what): (&str, Vec<u8>, &'static str) = match self.rng.below(9) {
            0 => (
                "PutItem",
                b"{\"TableName\": \"soak\", \"Item\": {".to_vec(),
                "truncated JSON",
            ),
            1 => ("FlyToTheMoon", b"{}".to_vec(), "unknown operation"),
            2 => {
                let text = "(".repeat(4096);
                let body = json!({"TableName": TABLE, "Key": key, "UpdateExpression": "SET val = :v",
                    "ConditionExpression": text, "ExpressionAttributeValues": {":v": {"S": "never"}}});
                (
                    "UpdateItem",
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "4096 parentheses",
                )
            }
            3 => {
                let mut item = key.clone();
                item["val"] = json!({"S": "never"});
                item["big"] = json!({"S": "x".repeat(401 * 1024)});
                let body = json!({"TableName": TABLE, "Item": item});
                (
                    "PutItem",
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "item over 400 KB",
                )
            }
            4 => {
                let body = json!({"TableName": TABLE, "Item": {"pk": {"N": "1"}, "sk": {"S": "x"}, "val": {"S": "never"}}});
                (
                    "PutItem",
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "wrong key types",
                )
            }
            5 => {
                let body = json!({"TableName": TABLE, "Key": key, "UpdateExpression": "SET val = = :v",
                    "ExpressionAttributeValues": {":v": {"S": "never"}}});
                (
                    "UpdateItem",
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "syntax error",
                )
            }
            6 => {
                let body = json!({"Item": {"pk": {"S": pk}}});
                (
                    "PutItem",
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "missing table name",
                )
            }
            7 => {
                let body = json!({"TableName": TABLE, "Key": key, "ConditionExpression": "attribute_exists(#missing)"});
                (
                    "DeleteItem",
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "undefined name",
                )
            }
            _ => {
                let body = json!({"TableName": TABLE, "Key": key});
                (
                    "DeleteItem",
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "unsigned",
                )
            }
        };
        (
            op.to_owned(),
            body,
            Effect::Malformed(what),
            what != "unsigned",
        )
    }
}

fn unsigned_request(addr: SocketAddr, target: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.{target}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

fn label(response: &Response) -> String {
    match response.error_type() {
        Some(t) => format!("{} {t}", response.status),
        None => response.status.to_string(),
    }
}

/// Keys of `UnprocessedItems` in a BatchWriteItem answer.
fn unprocessed(response: &Response) -> HashSet<(String, u32)> {
    let mut keys = HashSet::new();
    let Some(json) = response.json() else {
        return keys;
    };
    let Some(writes) = json["UnprocessedItems"][TABLE].as_array() else {
        return keys;
    };
    for w in writes {
        let key = if w["PutRequest"].is_object() {
            &w["PutRequest"]["Item"]
        } else {
            &w["DeleteRequest"]["Key"]
        };
        if let (Some(pk), Some(sk)) = (
            key["pk"]["S"].as_str(),
            key["sk"]["N"].as_str().and_then(|s| s.parse().ok()),
        ) {
            keys.insert((pk.to_owned(), sk));
        }
    }
    keys
}

fn stored_value(response: &Response) -> Option<String> {
    response
        .json()?
        .get("Item")?
        .get("val")?
        .get("S")?
        .as_str()
        .map(str::to_owned)
}

async fn client(
    id: usize,
    addr: SocketAddr,
    seed: u64,
    malformed_percent: usize,
    stop: Arc<AtomicBool>,
    budget: Arc<AtomicU64>,
) -> ClientReport {
    let mut report = ClientReport {
        requests: 0,
        answers: BTreeMap::new(),
        latency: Histogram::new(),
        expected: HashMap::new(),
        uncertain: HashSet::new(),
        failures: Vec::new(),
        failure_count: 0,
    };
    let mut me = Client {
        id,
        rng: Rng::for_input(seed, id as u64),
        seq: 0,
    };
    let mut conn: Option<Conn> = None;
    while !stop.load(Ordering::Relaxed) {
        if budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
            .is_err()
        {
            break;
        }
        let (op, body, effect, signed) = me.next(malformed_percent);
        let request = if signed {
            http::dynamo_request(addr, &op, &body, None)
        } else {
            unsigned_request(addr, &op, &body)
        };
        if conn.is_none() {
            conn = Conn::connect(addr).await.ok();
        }
        let began = Instant::now();
        let outcome = match conn.as_mut() {
            Some(c) => c.roundtrip(&request, REQUEST_LIMIT).await,
            None => Err(http::Failure::Closed("cannot connect".into())),
        };
        report.latency.record(began.elapsed());
        report.requests += 1;
        let response = match outcome {
            Ok(r) => r,
            Err(failure) => {
                conn = None;
                *report
                    .answers
                    .entry(format!("no answer ({op})"))
                    .or_default() += 1;
                report.fail(format!("{op}: {failure}"));
                // The write may or may not have happened.
                match effect {
                    Effect::Put(pk, sk, _) | Effect::Delete(pk, sk) => {
                        report.uncertain.insert((pk, sk));
                    }
                    Effect::Batch(writes) => {
                        for (pk, sk, _) in writes {
                            report.uncertain.insert((pk, sk));
                        }
                    }
                    _ => {}
                }
                continue;
            }
        };
        if !response.keep_alive() {
            conn = None;
        }
        *report.answers.entry(label(&response)).or_default() += 1;
        if let Err((_, message)) = http::check_dynamo_response(&response) {
            report.fail(format!("{op}: {message}"));
        }
        let ok = response.status == 200;
        match effect {
            Effect::Malformed(what) if ok => {
                report.fail(format!("{op} with {what} was accepted"));
            }
            Effect::Put(pk, sk, value) if ok => {
                report.uncertain.remove(&(pk.clone(), sk));
                report.expected.insert((pk, sk), Some(value));
            }
            Effect::Delete(pk, sk) if ok => {
                report.uncertain.remove(&(pk.clone(), sk));
                report.expected.insert((pk, sk), None);
            }
            Effect::Batch(writes) if ok => {
                let skipped = unprocessed(&response);
                for (pk, sk, value) in writes {
                    if !skipped.contains(&(pk.clone(), sk)) {
                        report.uncertain.remove(&(pk.clone(), sk));
                        report.expected.insert((pk, sk), value);
                    }
                }
            }
            Effect::Read(pk, sk) if ok => {
                let key = (pk, sk);
                if !report.uncertain.contains(&key)
                    && let Some(want) = report.expected.get(&key)
                {
                    let got = stored_value(&response);
                    if &got != want {
                        report.fail(format!(
                            "read of {key:?} saw {got:?} after acknowledged {want:?}"
                        ));
                    }
                }
            }
            // A valid request refused (throttled, overloaded): nothing written.
            _ => {}
        }
    }
    report
}

/// Reads every acknowledged key back; returns (checked, lost or wrong).
async fn verify(addr: SocketAddr, reports: &[ClientReport]) -> (u64, Vec<String>) {
    let mut keys: Vec<((String, u32), Option<String>)> = Vec::new();
    for report in reports {
        for (key, value) in &report.expected {
            if !report.uncertain.contains(key) {
                keys.push((key.clone(), value.clone()));
            }
        }
    }
    let keys = Arc::new(keys);
    let tasks: Vec<_> = (0..4)
        .map(|t| {
            let keys = keys.clone();
            tokio::spawn(async move {
                let mut wrong = Vec::new();
                let mut checked = 0u64;
                let mut conn = Conn::connect(addr).await.ok();
                for ((pk, sk), want) in keys.iter().skip(t).step_by(4) {
                    let body = json!({"TableName": TABLE, "Key": key_json(pk, *sk), "ConsistentRead": true});
                    let request = http::dynamo_request(addr, "GetItem", &serde_json::to_vec(&body).unwrap_or_default(), None);
                    let Some(c) = conn.as_mut() else {
                        wrong.push("no connection for verification".to_owned());
                        break;
                    };
                    match c.roundtrip(&request, REQUEST_LIMIT).await {
                        Ok(r) if r.status == 200 => {
                            checked += 1;
                            let got = stored_value(&r);
                            if &got != want {
                                wrong.push(format!("{pk}/{sk}: acknowledged {want:?}, read {got:?}"));
                            }
                        }
                        Ok(r) => wrong.push(format!("{pk}/{sk}: GetItem answered {}", label(&r))),
                        Err(e) => {
                            wrong.push(format!("{pk}/{sk}: {e}"));
                            conn = Conn::connect(addr).await.ok();
                        }
                    }
                }
                (checked, wrong)
            })
        })
        .collect();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for task in tasks {
        if let Ok((c, w)) = task.await {
            checked += c;
            wrong.extend(w);
        }
    }
    (checked, wrong)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn main() -> ExitCode {
    let args = Args::from_env(0);
    let clients = args.get("clients", 16usize).max(1);
    let seconds = args.get("seconds", 10u64);
    let max_requests = args.get("max-requests", 0u64);
    let malformed_percent = args.get("malformed-percent", 15usize).min(100);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let server = Server::bind("127.0.0.1:0".parse().expect("an address"), Engine::new(), ServerOptions::default())
            .await
            .expect("the server starts");
        let addr = server.local_addr();
        // CreateTable once, over HTTP like everything else.
        let create = json!({
            "TableName": TABLE,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "BillingMode": "PAY_PER_REQUEST",
        });
        let mut conn = Conn::connect(addr).await.expect("a connection");
        let created = conn
            .roundtrip(&http::dynamo_request(addr, "CreateTable", &serde_json::to_vec(&create).unwrap_or_default(), None), REQUEST_LIMIT)
            .await;
        if !matches!(&created, Ok(r) if r.status == 200) {
            eprintln!("CreateTable failed: {:?}", created.map(|r| label(&r)));
            return ExitCode::FAILURE;
        }
        drop(conn);
        let (rss_start, _) = http::resident_kib();
        println!(
            "soak: {clients} clients for {seconds} s against http://{addr} ({malformed_percent}% malformed{})",
            if max_requests > 0 { format!(", at most {max_requests} requests") } else { String::new() }
        );
        let stop = Arc::new(AtomicBool::new(false));
        let budget = Arc::new(AtomicU64::new(if max_requests == 0 { u64::MAX } else { max_requests }));
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|id| tokio::spawn(client(id, addr, args.seed, malformed_percent, stop.clone(), budget.clone())))
            .collect();
        // Progress every 30 s; stop at the deadline.
        let deadline = started + Duration::from_secs(seconds);
        while Instant::now() < deadline && budget.load(Ordering::Relaxed) > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(left.min(Duration::from_secs(30))).await;
            let (rss, _) = http::resident_kib();
            println!("  {:>5.0} s  resident {}", started.elapsed().as_secs_f64(), mib(rss));
        }
        stop.store(true, Ordering::Relaxed);
        let mut reports = Vec::new();
        for task in tasks {
            match task.await {
                Ok(r) => reports.push(r),
                Err(e) => eprintln!("a client task failed: {e}"),
            }
        }
        let wall = started.elapsed();
        let (rss_after_load, peak) = http::resident_kib();
        let healthy = http::healthy(addr, REQUEST_LIMIT).await;
        let (checked, lost) = verify(addr, &reports).await;
        let (rss_end, peak_end) = http::resident_kib();

        let mut answers: BTreeMap<String, u64> = BTreeMap::new();
        let mut latency = Histogram::new();
        let (mut requests, mut failure_count) = (0, 0);
        let mut failures = Vec::new();
        let mut uncertain = 0;
        for r in &reports {
            requests += r.requests;
            failure_count += r.failure_count;
            uncertain += r.uncertain.len();
            latency.merge(&r.latency);
            for (k, v) in &r.answers {
                *answers.entry(k.clone()).or_default() += v;
            }
            failures.extend(r.failures.iter().cloned());
        }
        println!("requests served: {requests} in {:.1} s ({:.0}/s)", wall.as_secs_f64(), requests as f64 / wall.as_secs_f64());
        println!("answers by status and error type:");
        for (k, v) in &answers {
            println!("  {v:>10}  {k}");
        }
        println!(
            "latency: p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms",
            latency.quantile(0.5).as_secs_f64() * 1e3,
            latency.quantile(0.99).as_secs_f64() * 1e3,
            latency.quantile(0.999).as_secs_f64() * 1e3
        );
        println!(
            "resident memory: start {}, after load {}, end {} (peak {})",
            mib(rss_start),
            mib(rss_after_load),
            mib(rss_end),
            mib(peak.max(peak_end))
        );
        println!("health check after the run: {}", if healthy { "answered" } else { "NO ANSWER" });
        println!(
            "acknowledged writes read back: {checked} keys checked, {} lost or wrong ({uncertain} keys left out: their last write got no answer)",
            lost.len()
        );
        for l in lost.iter().take(20) {
            println!("  lost: {l}");
        }
        println!("failures during the run: {failure_count}");
        for f in failures.iter().take(20) {
            println!("  {f}");
        }
        server.shutdown().await;
        if healthy && lost.is_empty() && failure_count == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}
