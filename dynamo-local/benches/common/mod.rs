//! What the fuzz benches, the soak bench and `tests/fuzz_smoke.rs` share:
//! a seeded PRNG, value, expression, request and front-door generators,
//! byte mutation, a minimal HTTP/1.1 client with a SigV4 signer, the
//! in-process decode -> call path, and the driver that runs inputs and
//! reports findings. Each bench uses part of it, hence the `dead_code`
//! allowance.
#![allow(dead_code)]

pub mod driver;
pub mod engine_calls;
pub mod expressions;
pub mod front_door;
pub mod http;
pub mod mutate;
pub mod requests;
pub mod rng;
pub mod values;

use driver::{Kind, Run, catch};
use dynamo_local::Engine;
use engine_calls::Answer;
use rng::Rng;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a retry of an input that timed out may take before it counts
/// as a hang, as a multiple of the bound (the machine may just be busy).
const RETRY_FACTOR: u32 = 3;

/// Runs expression inputs `start..start + count` in slot 0 of `run`.
pub fn run_expressions(run: &Run, start: u64, count: u64) {
    for index in start..start + count {
        run.begin(0, index);
        let result = catch(|| {
            let mut rng = Rng::for_input(run.seed, index);
            expressions::check(&expressions::generate(&mut rng))
        });
        run.end(0, index);
        match result {
            Ok(Ok(outcome)) => run.note(outcome),
            Ok(Err(wrong)) => run.report(Kind::Wrong, index, &wrong),
            Err(panic) => run.report(Kind::Panic, index, &panic),
        }
    }
}

/// Creates the fixed tables (an existing one is left as it is).
pub async fn setup_tables(engine: &Engine) {
    for body in requests::setup_requests() {
        let _ = engine_calls::call(engine, "CreateTable", &body).await;
    }
}

fn op_label(op: &str) -> &str {
    requests::OPERATIONS
        .iter()
        .find(|o| **o == op)
        .copied()
        .unwrap_or("(unknown operation)")
}

/// Whether request input `index` goes over HTTP rather than in process.
pub fn over_http(index: u64, http_every: u64) -> bool {
    http_every != 0 && index.is_multiple_of(http_every)
}

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Input indices shared by tasks: each index goes to exactly one of them,
/// in order, so concurrent tasks stay close together in the index space
/// (the supervisor restarts after the inputs in flight).
#[derive(Clone)]
pub struct Indices(Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<u64>>>);

impl Indices {
    /// A queue fed through the returned sender.
    pub fn channel(capacity: usize) -> (tokio::sync::mpsc::Sender<u64>, Indices) {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity);
        (tx, Indices(Arc::new(tokio::sync::Mutex::new(rx))))
    }

    /// A queue of `range`, fed by a task on the current runtime.
    pub fn range(range: std::ops::Range<u64>) -> Indices {
        let (tx, indices) = Self::channel(64);
        tokio::spawn(async move {
            for i in range {
                if tx.send(i).await.is_err() {
                    return;
                }
            }
        });
        indices
    }

    /// The next index, or `None` when the queue is done.
    pub async fn next(&self) -> Option<u64> {
        self.0.lock().await.recv().await
    }
}

/// Runs the request inputs of `start..start + count` in `slot`, on an
/// engine of their own; those that go over HTTP are handed to `http` (and
/// skipped without it).
pub fn run_requests_in_process(
    run: &Run,
    slot: usize,
    start: u64,
    count: u64,
    http_every: u64,
    http: Option<tokio::sync::mpsc::Sender<u64>>,
) {
    let engine = Engine::new();
    let mut runtime = current_thread();
    runtime.block_on(setup_tables(&engine));
    let timing = std::env::var_os("FUZZ_TIMING").is_some();
    for index in start..start + count {
        if over_http(index, http_every) {
            if let Some(http) = &http {
                // Waits while the HTTP tasks are behind: the lanes keep pace.
                let _ = http.blocking_send(index);
            }
            continue;
        }
        if index % 4096 == 0 {
            // A fuzzed DeleteTable may have dropped a fixed table.
            runtime.block_on(setup_tables(&engine));
        }
        // The generator is not under test: only the call is timed.
        let began = std::time::Instant::now();
        let request = match catch(|| requests::generate(&mut Rng::for_input(run.seed, index))) {
            Ok(request) => request,
            Err(panic) => {
                run.report(
                    Kind::Panic,
                    index,
                    &format!("the generator panicked: {panic}"),
                );
                continue;
            }
        };
        let generated = began.elapsed();
        run.begin(slot, index);
        let result = catch(|| {
            let answer = runtime.block_on(engine_calls::call(&engine, &request.op, &request.body));
            (request.op.clone(), answer)
        });
        if timing {
            let called = began.elapsed() - generated;
            eprintln!(
                "TIMING {index} {} {} {} {}",
                request.op,
                request.origin,
                generated.as_micros(),
                called.as_micros()
            );
        }
        run.end(slot, index);
        match result {
            Ok((op, Answer::Ok)) => run.note(&format!("{}: ok", op_label(&op))),
            Ok((op, Answer::Rejected(error))) => run.note(&format!("{}: {error}", op_label(&op))),
            Ok((_, Answer::Internal(message))) => {
                run.report(
                    Kind::Panic,
                    index,
                    &format!("the server would answer 500: {message}"),
                );
            }
            Err(panic) => {
                run.report(Kind::Panic, index, &panic);
                // A panic inside `block_on` may leave the runtime unusable.
                runtime = current_thread();
            }
        }
    }
}

/// What one HTTP exchange came to, for the reports.
fn classify_http(
    run: &Run,
    index: u64,
    response: &http::Response,
    case: impl Fn() -> driver::Case,
) -> bool {
    match http::check_dynamo_response(response) {
        Ok(class) => {
            run.note(&format!("http {class}"));
            true
        }
        Err((true, message)) => {
            let panics = driver::take_panics().join("\n");
            run.report_with(
                Kind::Panic,
                index,
                &format!("{message}\nserver-side panics: {panics}"),
                case,
            );
            true
        }
        Err((false, message)) => {
            run.report_with(Kind::Wrong, index, &message, case);
            false
        }
    }
}

/// Runs request inputs over HTTP on keep-alive connections to `addr`.
pub async fn run_requests_http(run: Arc<Run>, addr: SocketAddr, slot: usize, indices: Indices) {
    let limit = run.hang;
    let mut conn: Option<http::Conn> = None;
    let mut last_answer = String::new();
    while let Some(index) = indices.next().await {
        let Ok(request) = catch(|| requests::generate(&mut Rng::for_input(run.seed, index))) else {
            run.report(Kind::Panic, index, "the generator panicked");
            continue;
        };
        run.begin(slot, index);
        let bytes = http::dynamo_request(addr, &request.op, &request.body, None);
        let case = || requests::describe(&request);
        let reused = conn.is_some();
        if conn.is_none() {
            conn = http::Conn::connect(addr).await.ok();
        }
        let mut outcome = match conn.as_mut() {
            Some(c) => c.roundtrip(&bytes, limit).await,
            None => Err(http::Failure::Closed("cannot connect".into())),
        };
        if reused && matches!(outcome, Err(http::Failure::Closed(_))) {
            // A server may close a kept-alive connection between requests;
            // clients retry those on a fresh one.
            run.note(&format!(
                "http kept-alive connection closed after a {last_answer} (retried)"
            ));
            conn = http::Conn::connect(addr).await.ok();
            outcome = match conn.as_mut() {
                Some(c) => c.roundtrip(&bytes, limit).await,
                None => Err(http::Failure::Closed("cannot connect".into())),
            };
        }
        if let Ok(response) = &outcome {
            last_answer = format!(
                "{} {}",
                response.status,
                response.error_type().unwrap_or_default()
            );
        }
        let outcome = match outcome {
            Err(http::Failure::Timeout) => {
                // Busy machine or hang? Retry alone, with more time; the
                // retry too must finish within the bound.
                conn = None;
                match http::Conn::connect(addr).await {
                    Ok(mut c) => {
                        let began = std::time::Instant::now();
                        let retry = c.roundtrip(&bytes, limit * RETRY_FACTOR).await;
                        let took = began.elapsed();
                        match retry {
                            Ok(_) if took > limit => {
                                let detail = format!("took {} ms on retry", took.as_millis());
                                run.report_with(Kind::Hang, index, &detail, case);
                            }
                            Ok(_) => run.note("http slow: timed out, answered on retry"),
                            Err(_) => {}
                        }
                        if retry.is_ok() {
                            conn = Some(c);
                        }
                        retry
                    }
                    Err(e) => Err(e),
                }
            }
            other => other,
        };
        run.end_untimed(slot);
        match outcome {
            Ok(response) => {
                if !classify_http(&run, index, &response, case) || !response.keep_alive() {
                    conn = None;
                }
            }
            Err(http::Failure::Timeout) => {
                run.report_with(
                    Kind::Hang,
                    index,
                    "no HTTP response within the bound, nor on retry",
                    case,
                );
            }
            Err(failure) => {
                conn = None;
                run.report_with(Kind::Wrong, index, &failure.to_string(), case);
            }
        }
    }
}

/// Runs front-door inputs: each on a fresh connection to `addr`, the
/// writing half closed after the bytes, every byte received checked.
pub async fn run_front_door(run: Arc<Run>, addr: SocketAddr, slot: usize, indices: Indices) {
    let limit = run.hang;
    let timing = std::env::var_os("FUZZ_TIMING").is_some();
    while let Some(index) = indices.next().await {
        let Ok(input) = catch(|| {
            front_door::generate(
                &mut Rng::for_input(run.seed, index),
                addr,
                SystemTime::now(),
            )
        }) else {
            run.report(Kind::Panic, index, "the generator panicked");
            continue;
        };
        run.begin(slot, index);
        let case = || front_door::describe(&input);
        // Intact framing: a closing health check after the input tells
        // where the answers end. Otherwise: close the writing half.
        let sent = if input.expect_response {
            [&input.bytes[..], http::SENTINEL].concat()
        } else {
            input.bytes.clone()
        };
        let half_close = !input.expect_response;
        let began = std::time::Instant::now();
        let mut received = http::exchange_raw(addr, &sent, limit, half_close).await;
        if timing {
            eprintln!(
                "TIMING {index} {} {}",
                input.origin,
                began.elapsed().as_micros()
            );
        }
        if matches!(received, Err(http::Failure::Timeout)) {
            let began = std::time::Instant::now();
            received = http::exchange_raw(addr, &sent, limit * RETRY_FACTOR, half_close).await;
            let took = began.elapsed();
            if received.is_ok() && took > limit {
                let detail = format!("took {} ms on retry", took.as_millis());
                run.report_with(Kind::Hang, index, &detail, case);
            } else if received.is_ok() {
                run.note("slow: timed out, answered on retry");
            }
        }
        run.end_untimed(slot);
        let bytes = match received {
            Ok(bytes) => bytes,
            Err(http::Failure::Timeout) => {
                run.report_with(
                    Kind::Hang,
                    index,
                    "the server neither answered nor closed within the bound, nor on retry",
                    case,
                );
                continue;
            }
            Err(failure) => {
                run.note(&format!("{}: {}", input.origin, failure_class(&failure)));
                continue;
            }
        };
        // A response to HEAD has no body, which only the request says.
        let lenient = input
            .bytes
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"HEAD"));
        match http::parse_all(&bytes) {
            Ok(responses) if responses.is_empty() => {
                if input.expect_response {
                    run.report_with(
                        Kind::Wrong,
                        index,
                        "connection closed without a response to intact framing",
                        case,
                    );
                } else {
                    run.note(&format!("{}: closed without response", input.origin));
                }
            }
            Ok(responses) => {
                for response in &responses {
                    if !classify_http(&run, index, response, case) {
                        break;
                    }
                }
                let last = &responses[responses.len() - 1];
                let answered_sentinel = last.status == 200 && last.body.starts_with(b"healthy");
                // The server closes after an error of the HTTP layer.
                let closed_early = !last.keep_alive()
                    || (last.status >= 400 && last.header("x-amzn-requestid").is_none());
                if input.expect_response && !answered_sentinel && !closed_early {
                    run.report_with(
                        Kind::Wrong,
                        index,
                        &format!(
                            "closed after {} responses, before answering all requests (last: {})",
                            responses.len(),
                            last.status
                        ),
                        case,
                    );
                }
                let first = &responses[0];
                let label = first.error_type().unwrap_or_default();
                run.note(&format!("{}: {} {label}", input.origin, first.status));
            }
            Err(message) if lenient => {
                if bytes.windows(12).any(|w| w.starts_with(b"HTTP/1.1 500")) {
                    run.report_with(Kind::Panic, index, &format!("500 in: {message}"), case);
                }
                run.note(&format!("{}: HEAD (unparsed)", input.origin));
            }
            Err(message) => run.report_with(
                Kind::Wrong,
                index,
                &format!("malformed response: {message}"),
                case,
            ),
        }
    }
}

fn failure_class(failure: &http::Failure) -> &'static str {
    match failure {
        http::Failure::Closed(_) => "connection reset",
        http::Failure::Timeout => "timeout",
        http::Failure::Malformed(_) => "malformed",
    }
}

/// Checks that the server at `addr` still answers `GET /`.
pub async fn check_health(run: &Run, addr: SocketAddr, index: u64) {
    if !http::healthy(addr, Duration::from_secs(10)).await {
        run.report_with(
            Kind::Wrong,
            index,
            "the server no longer answers its health check",
            || driver::Case {
                summary: "health check after the run".into(),
                text: "GET / after the last input".into(),
                raw: Vec::new(),
            },
        );
    }
}
