//! `dynamo-local serve`: the engine as a DynamoDB-compatible HTTP server.

use clap::{Parser, Subcommand};
use dynamo_local::Engine;
use dynamo_local::server::{Credentials, Server, ServerOptions};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

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
    Serve {
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
    },
}

fn main() -> ExitCode {
    let Command::Serve {
        host,
        port,
        access_key,
        secret_key,
    } = Cli::parse().command;
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
    runtime.block_on(async move {
        let credentials = access_key
            .zip(secret_key)
            .map(|(access_key, secret_key)| Credentials {
                access_key,
                secret_key,
            });
        let verifying = credentials.is_some();
        let options = ServerOptions {
            credentials,
            ..ServerOptions::default()
        };
        match Server::bind(SocketAddr::new(host, port), Engine::new(), options).await {
            Ok(server) => {
                println!("listening on http://{}", server.local_addr());
                if verifying {
                    println!("verifying SigV4 signatures");
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
