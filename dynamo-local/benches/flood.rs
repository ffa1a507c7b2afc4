//! A flood of large requests against `dynamo-local serve`: many clients at
//! once each send BatchWriteItem bodies just under the 16 MB limit, for a
//! while. Prints requests answered by status and error type, and the
//! process's resident memory before, at its peak (VmHWM) and after, next to
//! the bound the server's limits imply.
//!
//! `cargo bench -p dynamo-local --bench flood -- [--clients N] [--seconds S]`

use dynamo_local::Engine;
use dynamo_local::server::{Limits, Server, ServerOptions};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `VmRSS` or `VmHWM` of this process, in MB.
fn memory_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A BatchWriteItem of 25 puts whose items total about `bytes`: valid JSON,
/// refused by the engine because each item is over 400 KB, so the flood
/// costs decoding without filling the table.
fn body(bytes: usize) -> Vec<u8> {
    let per_item = bytes / 25;
    let filler = "x".repeat(per_item.saturating_sub(64));
    let requests: Vec<String> = (0..25)
        .map(|i| {
            format!(
                r#"{{"PutRequest":{{"Item":{{"pk":{{"S":"k{i}"}},"blob":{{"S":"{filler}"}}}}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"RequestItems":{{"flood":[{}]}}}}"#, requests.join(",")).into_bytes()
}

async fn send(addr: SocketAddr, body: &[u8]) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return (0, "connect failed".into());
    };
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.BatchWriteItem\r\nx-amz-date: 20261201T000000Z\r\nauthorization: AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return (0, "write failed".into());
    }
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let kind = text
        .split("\"__type\":\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .and_then(|t| t.rsplit('#').next())
        .unwrap_or("")
        .to_owned();
    (status, kind)
}

fn main() {
    let clients = arg("--clients", 64) as usize;
    let seconds = arg("--seconds", 20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let limits = Limits::default();
        let server = Server::bind(
            "127.0.0.1:0".parse().expect("an address"),
            Engine::new(),
            ServerOptions::default(),
        )
        .await
        .expect("a server");
        let addr = server.local_addr();
        let create = br#"{"TableName":"flood","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}"#;
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "POST / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.CreateTable\r\nx-amz-date: 20261201T000000Z\r\nauthorization: AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n",
            create.len()
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        stream.write_all(create).await.expect("write");
        let mut sink = Vec::new();
        let _ = stream.read_to_end(&mut sink).await;

        let payload = Arc::new(body(limits.max_body_bytes - 64 * 1024));
        let before = memory_mb("VmRSS:");
        let answers: Arc<Mutex<BTreeMap<(u16, String), u64>>> = Arc::default();
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let payload = payload.clone();
            let answers = answers.clone();
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let answer = send(addr, &payload).await;
                    *answers
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .entry(answer)
                        .or_default() += 1;
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
        let peak = memory_mb("VmHWM:");
        let health = send(addr, b"{}").await;
        server.shutdown().await;
        let after = memory_mb("VmRSS:");
        println!(
            "flood: {clients} clients x {seconds} s of {:.1} MB BatchWriteItem bodies",
            payload.len() as f64 / 1e6
        );
        for ((status, kind), count) in answers.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            println!("  {count:>7}  {status} {kind}");
        }
        println!(
            "  resident memory: {before:.0} MB before, peak {peak:.0} MB, {after:.0} MB after \
             (bodies in flight bounded at {} MB; the client's own copy of the payload is {:.0} MB)",
            limits.max_in_flight_body_bytes / (1024 * 1024),
            payload.len() as f64 / (1024.0 * 1024.0)
        );
        println!("  server answered afterwards: {}", health.0 != 0);
    });
}
