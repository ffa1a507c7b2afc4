//! `dynamo-local serve --data-dir` as a user runs it: data written through
//! the server is there after the process is killed with SIGKILL and
//! started again; a directory another server holds is refused; so is a
//! directory that cannot be made, and a log whose records cannot be
//! replayed, each with its message.

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dynamo-serve-{name}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A running `dynamo-local serve --data-dir DIR`.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Serve {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .unwrap();
        Self { child, addr }
    }

    /// Sends one request and returns the status and body.
    fn call(&self, operation: &str, body: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        write!(
            stream,
            "POST / HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-amz-json-1.0\r\nx-amz-target: DynamoDB_20120810.{operation}\r\nx-amz-date: 20260101T000000Z\r\nauthorization: AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer[9..12].parse().unwrap();
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// SIGKILL: nothing runs after it, no shutdown, no flush.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Runs `serve` expecting it to refuse to start; returns its stderr.
fn refused(args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .output()
        .unwrap();
    assert!(!output.status.success());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn writes_survive_sigkill_and_a_held_directory_is_refused() {
    let dir = scratch("kill");
    let serve = Serve::start(&dir);
    let (status, _) = serve.call(
        "CreateTable",
        r#"{"TableName":"notes","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}"#,
    );
    assert_eq!(status, 200);
    for n in 0..20 {
        let (status, body) = serve.call(
            "PutItem",
            &format!(r#"{{"TableName":"notes","Item":{{"pk":{{"S":"n{n}"}},"text":{{"S":"note {n}"}}}}}}"#),
        );
        assert_eq!(status, 200, "{body}");
    }
    let message = refused(&["--data-dir".as_ref(), dir.as_os_str()]);
    assert!(
        message.contains(&format!(
            "data directory {} is in use by another dynamo-local engine",
            dir.display()
        )),
        "{message}"
    );
    serve.kill();

    let serve = Serve::start(&dir);
    let (status, body) = serve.call("Scan", r#"{"TableName":"notes","Select":"COUNT"}"#);
    assert_eq!(status, 200);
    assert!(body.contains(r#""Count":20"#), "{body}");
    let (_, body) = serve.call(
        "GetItem",
        r#"{"TableName":"notes","Key":{"pk":{"S":"n7"}},"ConsistentRead":true}"#,
    );
    assert!(body.contains("note 7"), "{body}");
    serve.kill();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_that_cannot_be_made_is_refused_with_the_reason() {
    let file = scratch("file");
    std::fs::write(&file, "not a directory").unwrap();
    let inside = file.join("data");
    let message = refused(&["--data-dir".as_ref(), inside.as_os_str()]);
    assert!(
        message.contains(&format!("data directory {}: ", inside.display())),
        "{message}"
    );
    std::fs::remove_file(&file).unwrap();
}

/// A log of one frame whose checksum is right but whose only record, for
/// a table never created, deletes an item.
fn log_without_creation() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&1u64.to_le_bytes()); // frame number
    body.extend_from_slice(&0u64.to_le_bytes()); // written at
    body.push(1); // one entry
    body.push(1); // a table's record
    body.push(5);
    body.extend_from_slice(b"t-123");
    body.extend_from_slice(&1u64.to_le_bytes()); // its sequence number
    body.extend_from_slice(&0u64.to_le_bytes()); // commit time
    body.push(0); // by a user
    body.extend_from_slice(&0u64.to_le_bytes()); // no transaction
    body.push(2); // an item deleted
    body.extend_from_slice(&[0, 1, b'k', 0]); // key "k", no sort key
    let mut frame = Vec::new();
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    frame.extend_from_slice(&body);
    frame
}

#[test]
fn a_log_that_cannot_be_replayed_is_refused_not_loaded() {
    let dir = scratch("replay");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("wal.log"), log_without_creation()).unwrap();
    let message = refused(&["--data-dir".as_ref(), dir.as_os_str()]);
    assert!(
        message.contains(&format!(
            "data directory {}: the log of table t-123 cannot be replayed: the change log does not start with the table's creation",
            dir.display()
        )),
        "{message}"
    );
    // Refused, not repaired: the log is left as it was.
    assert_eq!(
        std::fs::read(dir.join("wal.log")).unwrap(),
        log_without_creation()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
