//! `dynamo-local serve`'s consistency flags as a user runs them: one
//! table's replica lag and held transactions, and the error for a flag
//! written wrong.

use std::io::BufRead;
use std::process::{Command, Stdio};

#[test]
fn serve_takes_a_table_lag_and_a_transaction_hold() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
        .args([
            "serve",
            "--port",
            "0",
            "--table-replica-lag",
            "orders=2s",
            "--table-replica-lag",
            "carts=50ms",
            "--transaction-hold",
            "5ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
}

#[test]
fn a_table_lag_without_its_table_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
        .args(["serve", "--port", "0", "--table-replica-lag", "orders"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`orders` is not TABLE=LAG, such as orders=200ms"),
        "{stderr}"
    );
}
