//! Fuzzes the expression parser and evaluator: random ASTs printed, then
//! mutated byte-wise, parsed and evaluated (see `common/expressions.rs`).
//!
//! `cargo bench -p dynamo-local --bench fuzz_expressions -- --inputs 10000000 --seed 7`
//!
//! Options: `--inputs N` (20,000), `--seed S` (1), `--start I` (0),
//! `--hang-ms T` (2000), `--stack-kb K` (2048, a tokio worker's stack),
//! `--out DIR` (target/fuzz-findings).

#[path = "common/mod.rs"]
mod common;

use common::driver::{self, Run};
use common::expressions;
use common::rng::Rng;
use std::process::ExitCode;

const TARGET: &str = "fuzz_expressions";

fn main() -> ExitCode {
    driver::main(
        TARGET,
        20_000,
        |args, index| {
            expressions::describe(&expressions::generate(&mut Rng::for_input(
                args.seed, index,
            )))
        },
        |args, describe| {
            let run = Run::new(TARGET, args, 1, describe);
            run.spawn_watchdog();
            let (start, inputs) = (args.start, args.inputs);
            let stack = args.get("stack-kb", 2048usize) * 1024;
            let worker = {
                let run = run.clone();
                std::thread::Builder::new()
                    .name("fuzz".into())
                    .stack_size(stack)
                    .spawn(move || common::run_expressions(&run, start, inputs))
            };
            match worker.map(|w| w.join()) {
                Ok(Ok(())) => run.finish(),
                _ => ExitCode::FAILURE,
            }
        },
    )
}
