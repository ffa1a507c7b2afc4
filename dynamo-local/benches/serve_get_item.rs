//! Requests per second of `dynamo-local serve` answering GetItem, against a
//! bare axum server answering a fixed body of the same size, measured in one
//! run with the same load generator: keep-alive HTTP/1.1 connections on
//! 127.0.0.1 sending requests back to back for a bounded time.
//!
//! `cargo bench -p dynamo-local --bench serve_get_item` (BENCH_SECONDS and
//! BENCH_CONNECTIONS tune it; defaults 5 s and 32 connections).

use axum::Router;
use axum::routing::post;
use dynamo_core::Backend;
use dynamo_core::ops::{CreateTableInput, PutItemInput};
use dynamo_core::schema::{AttributeDefinition, KeySchemaElement, ScalarAttributeType};
use dynamo_core::{AttributeMap, AttributeValue};
use dynamo_local::Engine;
use dynamo_local::server::{Server, ServerOptions};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GET_ITEM: &str = r#"{"TableName":"bench","Key":{"pk":{"S":"user#42"}}}"#;

fn request(addr: SocketAddr) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.GetItem\r\nx-amz-date: 20240101T000000Z\r\nauthorization: AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n{GET_ITEM}",
        GET_ITEM.len()
    )
    .into_bytes()
}

/// Reads one response; returns false when the connection closed.
async fn read_response(stream: &mut tokio::net::TcpStream, buffer: &mut Vec<u8>) -> bool {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            if buffer.len() >= total {
                buffer.drain(..total);
                return true;
            }
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn load(addr: SocketAddr, connections: usize, duration: Duration) -> f64 {
    let count = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let request = Arc::new(request(addr));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (count, stop, request) = (count.clone(), stop.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
                return;
            };
            let _ = stream.set_nodelay(true);
            let mut buffer = Vec::with_capacity(16 * 1024);
            while !stop.load(Ordering::Relaxed) {
                if stream.write_all(&request).await.is_err()
                    || !read_response(&mut stream, &mut buffer).await
                {
                    return;
                }
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let done = count.load(Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    for task in tasks {
        let _ = task.await;
    }
    done as f64 / elapsed
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let connections: usize = std::env::var("BENCH_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        // The engine behind the server, with one 10-attribute item to get.
        let engine = Engine::new();
        engine
            .create_table(CreateTableInput::new(
                "bench",
                vec![KeySchemaElement::hash("pk")],
                vec![AttributeDefinition {
                    attribute_name: "pk".into(),
                    attribute_type: ScalarAttributeType::S,
                }],
            ))
            .await
            .expect("table");
        let mut item = AttributeMap::from([("pk".to_owned(), AttributeValue::S("user#42".into()))]);
        for i in 0..9 {
            item.insert(
                format!("attribute_{i}"),
                AttributeValue::S(format!("value number {i}")),
            );
        }
        engine
            .put_item(PutItemInput::new("bench", item))
            .await
            .expect("item");
        let server = Server::bind(
            "127.0.0.1:0".parse().expect("addr"),
            engine,
            ServerOptions::default(),
        )
        .await
        .expect("server");

        // The baseline: bare axum answering a body of the same size.
        let body: &'static str = Box::leak(
            format!(
                "{{\"Item\":{{{}}}}}",
                (0..10)
                    .map(|i| format!("\"a{i}\":{{\"S\":\"value number {i}\"}}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
            .into_boxed_str(),
        );
        let bare = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let bare_addr = bare.local_addr().expect("addr");
        tokio::spawn(async move {
            let app = Router::new().route("/", post(move || async move { body }));
            let _ = axum::serve(bare, app).await;
        });

        let duration = Duration::from_secs(seconds);
        let _warm_up = load(server.local_addr(), connections, Duration::from_millis(500)).await;
        let baseline = load(bare_addr, connections, duration).await;
        let served = load(server.local_addr(), connections, duration).await;
        println!("bare axum (fixed body):      {baseline:>10.0} requests/s");
        println!("dynamo-local serve GetItem:  {served:>10.0} requests/s");
        println!(
            "ratio: {:.0}% of the bare server ({connections} connections, {seconds} s each)",
            100.0 * served / baseline
        );
        server.shutdown().await;
    });
}
