//! Fuzzes the server's decode -> execute path with JSON requests of every
//! operation (see `common/requests.rs`): most inputs in process through the
//! same `decode_json` and `Backend` calls the server makes, every
//! `--http-every`-th over HTTP to a real server on 127.0.0.1, whose answers
//! must be well-formed DynamoDB JSON (a 500 is a finding); at the end the
//! server must still answer `GET /`.
//!
//! `cargo bench -p dynamo-local --bench fuzz_requests -- --inputs 10000000`
//!
//! Options: `--inputs N` (20,000), `--seed S` (1), `--start I` (0),
//! `--http-every K` (20; 0 for none), `--clients C` (2 HTTP connections),
//! `--hang-ms T` (2000), `--out DIR` (target/fuzz-findings),
//! `--max-entries E` (50,000: most entries of a generated legacy map).
//! `FUZZ_TIMING=1` prints each in-process input's generation and call
//! times; `FUZZ_DEBUG=1` prints each decode error.

#[path = "common/mod.rs"]
mod common;

use common::driver::{self, Run};
use common::rng::Rng;
use common::{Indices, requests};
use dynamo_local::Engine;
use dynamo_local::server::{Server, ServerOptions};
use std::process::ExitCode;

const TARGET: &str = "fuzz_requests";

fn main() -> ExitCode {
    let args = driver::Args::from_env(0);
    requests::MAX_ENTRIES.store(
        args.get("max-entries", 50_000usize),
        std::sync::atomic::Ordering::Relaxed,
    );
    driver::main(
        TARGET,
        20_000,
        |args, index| {
            requests::describe(&requests::generate(&mut Rng::for_input(args.seed, index)))
        },
        |args, describe| {
            let clients = args.get("clients", 2usize).max(1);
            let every = args.get("http-every", 20u64);
            let run = Run::new(TARGET, args, 1 + clients, describe);
            run.spawn_watchdog();
            let (start, inputs) = (args.start, args.inputs);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async {
                let engine = Engine::new();
                common::setup_tables(&engine).await;
                let server = Server::bind(
                    "127.0.0.1:0".parse().expect("an address"),
                    engine,
                    ServerOptions::default(),
                )
                .await
                .expect("the server starts");
                let addr = server.local_addr();
                let (http, indices) = Indices::channel(clients);
                let in_process = {
                    let run = run.clone();
                    std::thread::Builder::new()
                        .name("fuzz".into())
                        .stack_size(2 << 20)
                        .spawn(move || {
                            common::run_requests_in_process(
                                &run,
                                0,
                                start,
                                inputs,
                                every,
                                Some(http),
                            )
                        })
                        .expect("a thread")
                };
                let tasks: Vec<_> = (0..clients)
                    .map(|t| {
                        let indices = indices.clone();
                        tokio::spawn(common::run_requests_http(run.clone(), addr, 1 + t, indices))
                    })
                    .collect();
                for task in tasks {
                    let _ = task.await;
                }
                let _ = tokio::task::spawn_blocking(move || in_process.join()).await;
                common::check_health(&run, addr, start + inputs).await;
                server.shutdown().await;
            });
            run.finish()
        },
    )
}
