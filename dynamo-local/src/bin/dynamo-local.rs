//! `dynamo-local serve`: the engine as a DynamoDB-compatible HTTP server.

use clap::{Args, Parser, Subcommand};
use dynamo_local::server::{Credentials, Limits, Server, ServerOptions, read_credentials_file};
use dynamo_local::{Engine, EngineOptions, FaultPlan, FaultRule, TransactionHold};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A DynamoDB-compatible engine.
#[derive(Parser)]
#[command(name = "dynamo-local", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve DynamoDB's JSON protocol over HTTP (data is kept in memory).
    Serve(Serve),
}

#[derive(Args)]
struct Serve {
    /// Address to bind; only this machine can connect by default.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Verify SigV4 signatures made with this access key.
    #[arg(long, env = "DYNAMO_LOCAL_ACCESS_KEY", requires = "secret_key")]
    access_key: Option<String>,
    /// The secret of `--access-key`.
    #[arg(
        long,
        env = "DYNAMO_LOCAL_SECRET_KEY",
        requires = "access_key",
        hide_env_values = true
    )]
    secret_key: Option<String>,
    /// Access keys, in the AWS CLI's credentials format, one [section] per
    /// key, each optionally with `read_only = true` and `table_prefix = p`.
    #[arg(long, env = "DYNAMO_LOCAL_CREDENTIALS_FILE")]
    credentials_file: Option<PathBuf>,
    /// Serve without access keys on an address other than loopback
    /// (anyone who can reach the port gets full access).
    #[arg(long)]
    allow_anonymous: bool,
    /// Connections served at once; more are answered 503.
    #[arg(long, default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Request body bytes held by all requests in flight together; beyond
    /// it requests get ThrottlingException.
    #[arg(long, default_value_t = Limits::default().max_in_flight_body_bytes)]
    max_in_flight_body_bytes: usize,
    /// Largest request head (request line and headers), in bytes.
    #[arg(long, default_value_t = Limits::default().max_header_bytes)]
    max_header_bytes: usize,
    /// Most headers in one request.
    #[arg(long, default_value_t = Limits::default().max_headers)]
    max_headers: usize,
    /// Seconds a client may take to send a request's headers, and may keep
    /// a connection idle between requests.
    #[arg(long, default_value_t = Limits::default().header_timeout.as_secs())]
    header_timeout_secs: u64,
    /// Seconds a client may take to send a request's body.
    #[arg(long, default_value_t = Limits::default().body_timeout.as_secs())]
    body_timeout_secs: u64,
    /// How far eventually consistent reads may lag the latest commit
    /// (`50ms`, `2s`; 0 by default).
    #[arg(long, value_parser = lag, default_value = "0ms")]
    replica_lag: Duration,
    /// A replica lag for one table instead of `--replica-lag`
    /// (repeatable): `orders=200ms`.
    #[arg(long = "table-replica-lag", value_name = "TABLE=LAG", value_parser = table_lag)]
    table_replica_lags: Vec<(String, Duration)>,
    /// Keep every TransactWriteItems in flight this long between prepare
    /// and commit, so that writes of its items conflict (0 by default).
    #[arg(long, value_parser = lag, default_value = "0ms")]
    transaction_hold: Duration,
    /// Keep the data in this directory (created if missing; locked while
    /// the server runs): what it holds is read back at start, and every
    /// write is logged there before it is answered. Without it the data
    /// lives in memory only.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// With --data-dir: answer a write once its log record reached the
    /// operating system (`os`, the default: survives the process being
    /// killed) or the disk (`fsync`: survives power loss).
    #[arg(long, value_parser = ["os", "fsync"], default_value = "os")]
    sync: String,
    /// Seeds the choice of replica for each eventual read, and the draws
    /// of fault rules.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Inject a fault (repeatable), e.g. `throttle:0.02`,
    /// `PutItem:conflict:every=10`, `Query@orders:latency=20ms:0.5`,
    /// `BatchWriteItem:partial:0.3`, `any:unavailable:calls=5..8`.
    #[arg(long = "fault", value_name = "SPEC", value_parser = fault)]
    faults: Vec<FaultRule>,
    /// Serve /admin/faults to read and change the fault plan while
    /// running (loopback addresses only).
    #[arg(long)]
    admin: bool,
    /// Throttle tables in PROVISIONED billing mode above their read and
    /// write capacity (with 300 seconds of burst).
    #[arg(long)]
    enforce_capacity: bool,
}

fn fault(text: &str) -> Result<FaultRule, String> {
    text.parse()
        .map_err(|e: dynamo_local::FaultSpecError| e.to_string())
}

fn table_lag(text: &str) -> Result<(String, Duration), String> {
    let (table, duration) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not TABLE=LAG, such as orders=200ms"))?;
    Ok((table.to_owned(), lag(duration)?))
}

fn lag(text: &str) -> Result<Duration, String> {
    dynamo_local::parse_duration(text)
        .ok_or_else(|| format!("`{text}` is not a duration such as 50ms or 2s"))
}

fn main() -> ExitCode {
    let Command::Serve(serve) = Cli::parse().command;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let mut credentials = Vec::new();
    if let Some(path) = &serve.credentials_file {
        match read_credentials_file(path) {
            Ok(keys) => credentials.extend(keys),
            Err(e) => {
                eprintln!("dynamo-local: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let (Some(access_key), Some(secret_key)) = (&serve.access_key, &serve.secret_key) {
        credentials.push(Credentials::new(access_key, secret_key));
    }
    let verifying = credentials.len();
    let options = ServerOptions {
        credentials,
        allow_anonymous: serve.allow_anonymous,
        limits: Limits {
            max_connections: serve.max_connections,
            max_body_bytes: serve.max_body_bytes,
            max_in_flight_body_bytes: serve.max_in_flight_body_bytes,
            max_header_bytes: serve.max_header_bytes,
            max_headers: serve.max_headers,
            header_timeout: Duration::from_secs(serve.header_timeout_secs),
            body_timeout: Duration::from_secs(serve.body_timeout_secs),
        },
        fault_admin: None,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("dynamo-local: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (host, port) = (serve.host, serve.port);
    let (replica_lag, seed) = (serve.replica_lag, serve.seed);
    let table_replica_lag = serve.table_replica_lags.into_iter().collect();
    let transaction_hold = TransactionHold::For(serve.transaction_hold);
    let (faults, admin, enforce_capacity) = (serve.faults, serve.admin, serve.enforce_capacity);
    let data = serve.data_dir.map(|dir| {
        let sync = if serve.sync == "fsync" {
            dynamo_local::Sync::Fsync
        } else {
            dynamo_local::Sync::Os
        };
        (dir, sync)
    });
    runtime.block_on(async move {
        let options_of_engine = EngineOptions {
            replica_lag,
            table_replica_lag,
            seed,
            transaction_hold,
            faults: faults.into_iter().collect::<FaultPlan>(),
            enforce_capacity,
            ..EngineOptions::default()
        };
        let engine = match data {
            None => Engine::with_options(options_of_engine),
            Some((dir, sync)) => match Engine::open(&dir, options_of_engine, sync) {
                Ok(engine) => engine,
                Err(e) => {
                    eprintln!("dynamo-local: {e}");
                    return ExitCode::FAILURE;
                }
            },
        };
        let options = ServerOptions {
            fault_admin: admin.then(|| engine.faults()),
            ..options
        };
        match Server::bind(SocketAddr::new(host, port), engine, options).await {
            Ok(server) => {
                println!("listening on http://{}", server.local_addr());
                if admin {
                    println!("fault admin on http://{}/admin/faults", server.local_addr());
                }
                if verifying > 0 {
                    println!("verifying SigV4 signatures ({verifying} access keys)");
                }
                server.run_until_signal().await;
                println!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("dynamo-local: cannot listen on {host}:{port}: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
