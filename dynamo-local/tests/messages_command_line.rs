//! What `dynamo-local serve` says when it cannot start: a credentials file
//! it cannot read or parse, and a non-loopback address without access
//! keys. These never reach the wire; the binary is run as a user runs it,
//! and its exit status and error line are pinned.
#![cfg(feature = "server")]

use std::path::PathBuf;
use std::process::Command;

/// A credentials file holding `text`, removed on drop.
struct CredentialsFile(PathBuf);

impl CredentialsFile {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "dynamo-local-messages-{}-{name}.ini",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        Self(path)
    }
}

impl Drop for CredentialsFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs `dynamo-local serve` with `args`; it must fail, and its stderr is
/// returned.
fn serve_fails(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dynamo-local"))
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .env_remove("DYNAMO_LOCAL_ACCESS_KEY")
        .env_remove("DYNAMO_LOCAL_SECRET_KEY")
        .env_remove("DYNAMO_LOCAL_CREDENTIALS_FILE")
        .output()
        .unwrap();
    assert!(!output.status.success(), "serve {args:?} started");
    String::from_utf8(output.stderr).unwrap().trim().to_owned()
}

#[test]
fn credentials_files_that_cannot_be_used_stop_the_server_with_the_line_at_fault() {
    let cases = [
        (
            "no-equals",
            "[alice]\naws_access_key_id = a\njunk\n",
            "dynamo-local: credentials file line 3: expected `key = value`, found `junk`",
        ),
        (
            "before-section",
            "# keys\naws_access_key_id = a\n",
            "dynamo-local: credentials file line 2: a setting before the first [section]",
        ),
        (
            "read-only",
            "[alice]\naws_access_key_id = a\naws_secret_access_key = s\nread_only = yes\n",
            "dynamo-local: credentials file line 4: read_only must be true or false, not `yes`",
        ),
        (
            "no-secret",
            "[alice]\naws_access_key_id = a\n\n[bob]\naws_access_key_id = b\naws_secret_access_key = s\n",
            "dynamo-local: credentials file line 1: section [alice] has no aws_secret_access_key",
        ),
        (
            "no-key",
            "[alice]\naws_secret_access_key = s\n",
            "dynamo-local: credentials file line 1: section [alice] has no aws_access_key_id",
        ),
    ];
    for (name, text, expected) in cases {
        let file = CredentialsFile::new(name, text);
        let path = file.0.to_str().unwrap();
        assert_eq!(
            serve_fails(&["--credentials-file", path]),
            expected,
            "{name}"
        );
    }
}

#[test]
fn a_credentials_file_that_does_not_exist_is_named() {
    let path = std::env::temp_dir().join("dynamo-local-messages-no-such-file.ini");
    let path = path.to_str().unwrap();
    let said = serve_fails(&["--credentials-file", path]);
    let expected = format!("dynamo-local: cannot read the credentials file {path}: ");
    assert!(
        said.starts_with(&expected) && said.contains("No such file or directory"),
        "{said}"
    );
}

#[test]
fn serving_every_address_without_access_keys_is_refused() {
    assert_eq!(
        serve_fails(&["--host", "0.0.0.0"]),
        "dynamo-local: cannot listen on 0.0.0.0:0: refusing to serve 0.0.0.0:0 without access keys: anyone who can reach it could read and change every table; give access keys, or allow anonymous access explicitly"
    );
}

#[test]
fn a_replica_lag_that_is_not_a_duration_stops_the_server() {
    let stderr = serve_fails(&["--replica-lag", "soon"]);
    assert!(
        stderr.contains(
            "invalid value 'soon' for '--replica-lag <REPLICA_LAG>': `soon` is not a duration such as 50ms or 2s"
        ),
        "{stderr}"
    );
}
