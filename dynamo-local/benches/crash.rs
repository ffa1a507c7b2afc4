//! Crash test of durable mode: `dynamo-local serve --data-dir DIR` is
//! killed with SIGKILL while 8 writers put items and one more moves money
//! between two accounts in transactions, then started again on the same
//! directory, and checked: every write the server acknowledged is there
//! (each writer's value is at least its last acknowledged one), nothing
//! that was never sent is (at most its last sent one), and the two
//! accounts hold all the money (a transaction is there whole or not at
//! all). Repeats for `--cycles` cycles (100), with the kill after a random
//! 50 to 300 ms of writing.
//!
//! `cargo bench -p dynamo-local --bench crash -- --cycles 100 [--sync fsync]`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const WRITERS: usize = 8;
const MONEY: u64 = 1_000_000;

struct Connection {
    stream: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl Connection {
    fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            addr,
        })
    }

    /// One request on the kept-alive connection: the status and body, or
    /// an error when the server went away.
    fn call(&mut self, operation: &str, body: &str) -> std::io::Result<(u16, String)> {
        let request = format!(
            "POST / HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.{operation}\r\nx-amz-date: 20260101T000000Z\r\nauthorization: AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes())?;
        let mut status_line = String::new();
        if self.stream.read_line(&mut status_line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let status = status_line
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or(std::io::ErrorKind::InvalidData)?;
        let mut length = 0;
        loop {
            let mut line = String::new();
            if self.stream.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body)?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

fn start(dir: &std::path::Path, sync: &str) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
        .args(["serve", "--port", "0", "--sync", sync, "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stdout.take().expect("its stdout")).lines();
    let first = lines
        .next()
        .and_then(Result::ok)
        .expect("the server says where it listens");
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    // Keep reading its stdout so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn number_of(body: &str, attribute: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value["Item"][attribute]["N"].as_str()?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut cycles, mut sync) = (100, "os".to_owned());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cycles" => cycles = args.next().and_then(|c| c.parse().ok()).unwrap_or(cycles),
            "--sync" => sync = args.next().unwrap_or(sync),
            _ => {}
        }
    }
    let dir = std::env::temp_dir().join(format!("dynamo-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (mut child, mut addr) = start(&dir, &sync);
    let mut setup = Connection::open(addr).expect("a connection");
    for table in ["values", "accounts"] {
        let (status, body) = setup
            .call(
                "CreateTable",
                &format!(
                    r#"{{"TableName":"{table}","BillingMode":"PAY_PER_REQUEST","KeySchema":[{{"AttributeName":"pk","KeyType":"HASH"}}],"AttributeDefinitions":[{{"AttributeName":"pk","AttributeType":"S"}}]}}"#
                ),
            )
            .expect("CreateTable is answered");
        assert_eq!(status, 200, "{body}");
    }
    for (account, balance) in [("a", MONEY), ("b", 0)] {
        let (status, body) = setup
            .call(
                "PutItem",
                &format!(
                    r#"{{"TableName":"accounts","Item":{{"pk":{{"S":"{account}"}},"balance":{{"N":"{balance}"}}}}}}"#
                ),
            )
            .expect("PutItem is answered");
        assert_eq!(status, 200, "{body}");
    }
    let acked: Arc<Vec<AtomicU64>> = Arc::new((0..WRITERS).map(|_| AtomicU64::new(0)).collect());
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..WRITERS).map(|_| AtomicU64::new(0)).collect());
    let mut rng: u64 = 0x5eed_c0de;
    let mut next = move || {
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        rng >> 33
    };
    let (mut lost, mut phantom, mut torn, mut total_acked, mut transfers) = (0, 0, 0, 0u64, 0u64);
    let started = Instant::now();
    let mut restart_times = Vec::new();
    for cycle in 1..=cycles {
        let stop = Arc::new(AtomicBool::new(false));
        let moved = Arc::new(AtomicU64::new(0));
        let mut threads = Vec::new();
        for w in 0..WRITERS {
            let (acked, sent, stop) = (acked.clone(), sent.clone(), stop.clone());
            threads.push(std::thread::spawn(move || {
                let Ok(mut connection) = Connection::open(addr) else {
                    return 0;
                };
                let mut count = 0;
                while !stop.load(Ordering::Relaxed) {
                    let value = sent[w].load(Ordering::Relaxed) + 1;
                    sent[w].store(value, Ordering::Relaxed);
                    let body = format!(
                        r#"{{"TableName":"values","Item":{{"pk":{{"S":"w{w}"}},"value":{{"N":"{value}"}}}}}}"#
                    );
                    match connection.call("PutItem", &body) {
                        Ok((200, _)) => {
                            acked[w].store(value, Ordering::Relaxed);
                            count += 1;
                        }
                        _ => break,
                    }
                }
                count
            }));
        }
        {
            let (stop, moved) = (stop.clone(), moved.clone());
            threads.push(std::thread::spawn(move || {
                let Ok(mut connection) = Connection::open(addr) else {
                    return 0;
                };
                let body = r#"{"TransactItems":[{"Update":{"TableName":"accounts","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET balance = balance - :one","ConditionExpression":"balance >= :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},{"Update":{"TableName":"accounts","Key":{"pk":{"S":"b"}},"UpdateExpression":"SET balance = balance + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]}"#;
                while !stop.load(Ordering::Relaxed) {
                    match connection.call("TransactWriteItems", body) {
                        Ok((200, _)) => {
                            moved.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => break,
                    }
                }
                0
            }));
        }
        std::thread::sleep(Duration::from_millis(50 + next() % 250));
        // SIGKILL while the writers write.
        child.kill().expect("the server is killed");
        child.wait().expect("the server is reaped");
        stop.store(true, Ordering::Relaxed);
        for thread in threads {
            total_acked += thread.join().unwrap_or(0) as u64;
        }
        transfers += moved.load(Ordering::Relaxed);

        let restarted = Instant::now();
        let (new_child, new_addr) = start(&dir, &sync);
        restart_times.push(restarted.elapsed());
        child = new_child;
        let mut check = Connection::open(new_addr).expect("a connection after restart");
        for w in 0..WRITERS {
            let (status, body) = check
                .call(
                    "GetItem",
                    &format!(
                        r#"{{"TableName":"values","Key":{{"pk":{{"S":"w{w}"}}}},"ConsistentRead":true}}"#
                    ),
                )
                .expect("GetItem is answered");
            assert_eq!(status, 200, "{body}");
            let value = number_of(&body, "value").unwrap_or(0);
            let (a, s) = (
                acked[w].load(Ordering::Relaxed),
                sent[w].load(Ordering::Relaxed),
            );
            if value < a {
                lost += 1;
                eprintln!("cycle {cycle}: writer {w} lost acknowledged {a}, found {value}");
            }
            if value > s {
                phantom += 1;
                eprintln!("cycle {cycle}: writer {w} found {value}, never sent (last {s})");
            }
            // The next cycle continues from what is stored.
            sent[w].store(value.max(a), Ordering::Relaxed);
            acked[w].store(value.max(a), Ordering::Relaxed);
        }
        let mut balances = 0;
        for account in ["a", "b"] {
            let (_, body) = check
                .call(
                    "GetItem",
                    &format!(
                        r#"{{"TableName":"accounts","Key":{{"pk":{{"S":"{account}"}}}},"ConsistentRead":true}}"#
                    ),
                )
                .expect("GetItem is answered");
            balances += number_of(&body, "balance").unwrap_or(0);
        }
        if balances != MONEY {
            torn += 1;
            eprintln!("cycle {cycle}: the accounts hold {balances}, not {MONEY}");
        }
        if cycle % 10 == 0 {
            println!(
                "cycle {cycle}: {total_acked} puts and {transfers} transfers acknowledged so far, restart {:?}, log {} bytes",
                restart_times.last().copied().unwrap_or_default(),
                std::fs::metadata(dir.join("wal.log")).map_or(0, |m| m.len())
            );
        }
        // The writers of the next cycle talk to the new server.
        addr = new_addr;
    }
    let _ = child.kill();
    let _ = child.wait();
    restart_times.sort();
    println!(
        "{cycles} kill -9 cycles in {:.1} s (sync {sync}): {total_acked} acknowledged puts, {transfers} acknowledged transfers; lost {lost}, never-sent values {phantom}, torn transactions {torn}; restart p50 {:?}, max {:?}",
        started.elapsed().as_secs_f64(),
        restart_times[restart_times.len() / 2],
        restart_times.last().copied().unwrap_or_default()
    );
    let _ = std::fs::remove_dir_all(&dir);
    if lost + phantom + torn > 0 {
        std::process::exit(1);
    }
}
