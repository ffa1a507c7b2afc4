//! Fuzzes the HTTP front door of a server started with credentials: SigV4
//! `Authorization` headers taken apart, mutated requests, header soup, raw
//! bytes, pipelining and odd methods (see `common/front_door.rs`). Every
//! byte the server sends back must parse as HTTP/1.1 responses, DynamoDB
//! JSON where JSON is claimed; a 500, a hang, or no answer to intact
//! framing is a finding; at the end the server must still answer `GET /`.
//!
//! `cargo bench -p dynamo-local --bench fuzz_http -- --inputs 10000000`
//!
//! Options: `--inputs N` (20,000), `--seed S` (1), `--start I` (0),
//! `--clients C` (2 concurrent connections), `--hang-ms T` (2000),
//! `--out DIR` (target/fuzz-findings).

#[path = "common/mod.rs"]
mod common;

use common::driver::{self, Run};
use common::front_door;
use common::rng::Rng;
use dynamo_local::Engine;
use dynamo_local::server::{Credentials, Server, ServerOptions};
use std::process::ExitCode;
use std::time::SystemTime;

const TARGET: &str = "fuzz_http";

fn main() -> ExitCode {
    driver::main(
        TARGET,
        20_000,
        |args, index| {
            let addr = "127.0.0.1:8000".parse().expect("an address");
            front_door::describe(&front_door::generate(
                &mut Rng::for_input(args.seed, index),
                addr,
                SystemTime::now(),
            ))
        },
        |args, describe| {
            let clients = args.get("clients", 2usize).max(1);
            let run = Run::new(TARGET, args, clients, describe);
            run.spawn_watchdog();
            let (start, inputs) = (args.start, args.inputs);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async {
                let engine = Engine::new();
                common::setup_tables(&engine).await;
                let credentials = front_door::keys()
                    .into_iter()
                    .map(|(signer, read_only, prefix)| Credentials {
                        read_only,
                        table_prefix: prefix.map(str::to_owned),
                        ..Credentials::new(signer.access_key, signer.secret_key)
                    })
                    .collect();
                let options = ServerOptions {
                    credentials,
                    ..ServerOptions::default()
                };
                let server =
                    Server::bind("127.0.0.1:0".parse().expect("an address"), engine, options)
                        .await
                        .expect("the server starts");
                let addr = server.local_addr();
                let indices = common::Indices::range(start..start + inputs);
                let tasks: Vec<_> = (0..clients)
                    .map(|t| {
                        tokio::spawn(common::run_front_door(
                            run.clone(),
                            addr,
                            t,
                            indices.clone(),
                        ))
                    })
                    .collect();
                for task in tasks {
                    let _ = task.await;
                }
                common::check_health(&run, addr, start + inputs).await;
                server.shutdown().await;
            });
            run.finish()
        },
    )
}
