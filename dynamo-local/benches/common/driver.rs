//! Running fuzz inputs and reporting findings.
//!
//! A fuzz bench runs as two processes. The supervisor (what `cargo bench`
//! starts) re-runs its own executable with `--worker`; the worker runs the
//! inputs. Before each input a worker writes the input's index into its slot
//! of a small file, so when the worker dies of something no `catch_unwind`
//! can stop (a stack overflow, an abort) or its watchdog finds an input
//! stuck, the supervisor knows which inputs were running, regenerates them
//! from `(seed, index)`, confirms the culprit by running each alone, writes
//! it to a file, prints it, and restarts the worker after it.
//!
//! Inside the worker, panics are caught per input and an input slower than
//! the time bound (`--hang-ms`, 2000 by default) is reported as a hang.
//! Every finding is written to `<out>/<target>-<kind>-<index>.txt` (and the
//! raw bytes to `.bin`) and printed; the exit status is non-zero if there
//! was any. `--show` prints inputs `--start`.. instead of running them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::os::unix::fs::FileExt;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// Exit status of a worker whose watchdog found an input stuck.
const EXIT_HANG: i32 = 3;
/// Exit status of a worker that ran to the end with findings.
const EXIT_FINDINGS: i32 = 1;
/// How many times the watchdog's bound exceeds the per-input bound before
/// it gives up on a stuck input and ends the worker.
/// Above the bound plus a retry's (see `RETRY_FACTOR` in `mod.rs`).
const WATCHDOG_FACTOR: u32 = 6;

/// Command-line options shared by every fuzz bench.
#[derive(Clone, Debug)]
pub struct Args {
    /// Inputs to run.
    pub inputs: u64,
    /// The run's seed.
    pub seed: u64,
    /// Index of the first input.
    pub start: u64,
    /// Per-input time bound.
    pub hang: Duration,
    /// Where findings are written.
    pub out: PathBuf,
    /// Whether this process is a worker.
    pub worker: bool,
    /// The worker's slot file.
    pub slots: Option<PathBuf>,
    options: HashMap<String, String>,
    passthrough: Vec<String>,
}

impl Args {
    /// Parses the process arguments (`--name value` pairs; `--bench`, which
    /// cargo adds, is ignored).
    pub fn from_env(default_inputs: u64) -> Args {
        Self::parse(std::env::args().skip(1).collect(), default_inputs)
    }

    /// Parses `args`.
    pub fn parse(args: Vec<String>, default_inputs: u64) -> Args {
        let mut options = HashMap::new();
        let mut passthrough = Vec::new();
        let mut iter = args.into_iter().peekable();
        while let Some(arg) = iter.next() {
            let Some(name) = arg.strip_prefix("--") else {
                continue;
            };
            if name == "bench" || name == "worker" {
                options.insert(name.to_owned(), String::new());
                continue;
            }
            let value = match iter.peek() {
                Some(v) if !v.starts_with("--") => iter.next().unwrap_or_default(),
                _ => String::new(),
            };
            if !matches!(name, "start" | "inputs" | "slots" | "bench") {
                passthrough.push(arg.clone());
                passthrough.push(value.clone());
            }
            options.insert(name.to_owned(), value);
        }
        let get = |name: &str| {
            options
                .get(name)
                .and_then(|v| v.replace('_', "").parse().ok())
        };
        Args {
            inputs: get("inputs").unwrap_or(default_inputs),
            seed: get("seed").unwrap_or(1),
            start: get("start").unwrap_or(0),
            hang: Duration::from_millis(get("hang-ms").unwrap_or(2000)),
            out: options
                .get("out")
                .map(PathBuf::from)
                .unwrap_or_else(default_out),
            worker: options.contains_key("worker"),
            slots: options.get("slots").map(PathBuf::from),
            options,
            passthrough,
        }
    }

    /// A target-specific option, or `default`.
    pub fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        self.options
            .get(name)
            .and_then(|v| v.replace('_', "").parse().ok())
            .unwrap_or(default)
    }

    /// Whether a flag was given.
    pub fn flag(&self, name: &str) -> bool {
        self.options.contains_key(name)
    }
}

fn default_out() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
        .join("fuzz-findings")
}

/// One regenerated input, for a report.
pub struct Case {
    /// One line naming the input.
    pub summary: String,
    /// Everything needed to reproduce it by hand.
    pub text: String,
    /// The input's bytes.
    pub raw: Vec<u8>,
}

/// Regenerates input `index` for a report.
pub type Describe = Arc<dyn Fn(u64) -> Case + Send + Sync>;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics of threads this driver does not run (the server's), most recent
/// last, so a 500 can be reported with the panic behind it.
static OTHER_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Installs a panic hook that records each panic's message and location
/// instead of printing it (the driver prints findings itself).
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<non-string panic>".to_owned());
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let thread = std::thread::current().name().unwrap_or("?").to_owned();
            let message = format!("panicked at {location} (thread {thread}): {payload}");
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(message.clone()));
            let mut others = OTHER_PANICS.lock().unwrap_or_else(|e| e.into_inner());
            if others.len() < 64 {
                others.push(message);
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err(message at location)`.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_panic_hook();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "panic".to_owned())
    })
}

/// Panics recorded on any thread since the last call.
pub fn take_panics() -> Vec<String> {
    std::mem::take(&mut *OTHER_PANICS.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Kinds of finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A panic (caught in-process, or a 500 InternalServerError).
    Panic,
    /// An input over the time bound.
    Hang,
    /// The process died (stack overflow, abort).
    Crash,
    /// A wrong answer: malformed response, dropped connection, a printed
    /// expression that does not parse back to itself.
    Wrong,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Panic => "panic",
            Kind::Hang => "hang",
            Kind::Crash => "crash",
            Kind::Wrong => "wrong",
        }
    }
}

/// One run of a target in this process: counters, slots, findings.
pub struct Run {
    /// The target's name (the bench's).
    pub target: &'static str,
    /// The run's seed.
    pub seed: u64,
    out: PathBuf,
    slots: Option<File>,
    busy: Vec<AtomicU64>,
    current: Vec<AtomicU64>,
    started: Instant,
    /// The per-input time bound.
    pub hang: Duration,
    describe: Describe,
    /// Inputs run.
    pub inputs: AtomicU64,
    counts: [AtomicU64; 4],
    seen: Mutex<HashMap<String, u32>>,
    log: Mutex<Vec<String>>,
    notes: Mutex<std::collections::BTreeMap<String, u64>>,
    /// Print findings as they are found.
    pub verbose: bool,
}

impl Run {
    /// A run with `slots` concurrent input slots.
    pub fn new(target: &'static str, args: &Args, slots: usize, describe: Describe) -> Arc<Run> {
        let file = args
            .slots
            .as_ref()
            .and_then(|path| File::options().write(true).open(path).ok());
        Arc::new(Run {
            target,
            seed: args.seed,
            out: args.out.clone(),
            slots: file,
            busy: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            current: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            started: Instant::now(),
            hang: args.hang,
            describe,
            inputs: AtomicU64::new(0),
            counts: Default::default(),
            seen: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            notes: Mutex::new(std::collections::BTreeMap::new()),
            verbose: true,
        })
    }

    /// Marks input `index` as running in `slot`.
    pub fn begin(&self, slot: usize, index: u64) {
        if let Some(file) = &self.slots {
            let _ = file.write_at(&index.to_le_bytes(), 8 * slot as u64);
        }
        let now = self.started.elapsed().as_millis() as u64 + 1;
        self.current[slot].store(index, Ordering::Relaxed);
        self.busy[slot].store(now, Ordering::Relaxed);
    }

    /// Marks the input in `slot` as done without timing it (the caller
    /// judged the time itself).
    pub fn end_untimed(&self, slot: usize) {
        self.busy[slot].store(0, Ordering::Relaxed);
        self.inputs.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks the input in `slot` as done; reports it as a hang if it took
    /// longer than the bound.
    pub fn end(&self, slot: usize, index: u64) {
        let began = self.busy[slot].swap(0, Ordering::Relaxed);
        self.inputs.fetch_add(1, Ordering::Relaxed);
        let took = (self.started.elapsed().as_millis() as u64 + 1).saturating_sub(began);
        if began != 0 && took > self.hang.as_millis() as u64 {
            self.report(Kind::Hang, index, &format!("took {took} ms"));
        }
    }

    /// Records a finding about input `index`, regenerated for the report.
    pub fn report(&self, kind: Kind, index: u64, detail: &str) {
        self.report_with(kind, index, detail, || (self.describe)(index));
    }

    /// Records a finding about input `index`, described by `case`.
    pub fn report_with(&self, kind: Kind, index: u64, detail: &str, case: impl FnOnce() -> Case) {
        self.counts[kind as usize].fetch_add(1, Ordering::Relaxed);
        let key = format!("{}:{}", kind.name(), dedup_key(detail));
        let repeat = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let line = format!("{} at input {index}: {detail}", kind.name());
        {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            if log.len() < 1000 {
                log.push(line.clone());
            }
        }
        if repeat > 3 {
            if repeat.is_power_of_two() && self.verbose {
                eprintln!("[{}] {repeat} findings like {key}", self.target);
            }
            return;
        }
        let case = case();
        let text = write_finding(
            &self.out,
            self.target,
            self.seed,
            kind,
            index,
            detail,
            &case,
        );
        if self.verbose {
            eprintln!("{text}");
        }
    }

    /// Counts one outcome of an input (what fraction parsed, which error
    /// types came back), printed with the summary.
    pub fn note(&self, outcome: &str) {
        let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        match notes.get_mut(outcome) {
            Some(n) => *n += 1,
            None => {
                notes.insert(outcome.to_owned(), 1);
            }
        }
    }

    /// The outcome counts.
    pub fn notes(&self) -> Vec<(String, u64)> {
        let notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        notes.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// Findings so far.
    pub fn findings(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// One line per finding (the first thousand).
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn count(&self, kind: Kind) -> u64 {
        self.counts[kind as usize].load(Ordering::Relaxed)
    }

    /// The counters as the supervisor reads them.
    pub fn status_line(&self, tag: &str) -> String {
        format!(
            "@@{tag} inputs={} panics={} hangs={} wrong={}",
            self.inputs.load(Ordering::Relaxed),
            self.count(Kind::Panic),
            self.count(Kind::Hang),
            self.count(Kind::Wrong),
        )
    }

    /// Starts the watchdog thread: it prints the counters every second and
    /// ends the process when an input has run `WATCHDOG_FACTOR` times the
    /// bound (the supervisor then reports it from the slot file).
    pub fn spawn_watchdog(self: &Arc<Self>) {
        let run = Arc::clone(self);
        std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || {
                let limit = (run.hang * WATCHDOG_FACTOR).as_millis() as u64;
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                    println!("{}", run.status_line("progress"));
                    let now = run.started.elapsed().as_millis() as u64 + 1;
                    let mut stuck = false;
                    for (slot, busy) in run.busy.iter().enumerate() {
                        let began = busy.load(Ordering::Relaxed);
                        if began != 0 && now.saturating_sub(began) > limit {
                            let index = run.current[slot].load(Ordering::Relaxed);
                            eprintln!(
                                "[{}] watchdog: input {index} (slot {slot}) stuck for {} ms",
                                run.target,
                                now - began
                            );
                            println!("@@stuck {index}");
                            stuck = true;
                        }
                    }
                    if stuck {
                        println!("{}", run.status_line("progress"));
                        let _ = std::io::stdout().flush();
                        std::process::exit(EXIT_HANG);
                    }
                }
            })
            .ok();
    }

    /// Prints the final counters and returns the worker's exit status.
    pub fn finish(&self) -> ExitCode {
        let notes = self.notes();
        if !notes.is_empty() {
            println!("[{}] outcomes:", self.target);
            for (outcome, n) in notes {
                println!("  {n:>12}  {outcome}");
            }
        }
        println!("{}", self.status_line("summary"));
        if self.findings() == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_FINDINGS as u8)
        }
    }
}

/// A finding's identity for de-duplication: its message with numbers and
/// quoted text removed, so the same bug on other inputs counts once.
fn dedup_key(detail: &str) -> String {
    let first = detail.lines().next().unwrap_or("");
    let mut key = String::new();
    let mut quoted = false;
    for c in first.chars().take(200) {
        match c {
            '\'' | '"' => quoted = !quoted,
            _ if quoted => {}
            c if c.is_ascii_digit() => {
                if !key.ends_with('N') {
                    key.push('N');
                }
            }
            c => key.push(c),
        }
    }
    key
}

fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &text[..end], text.len())
}

/// Writes a finding's files and returns the text printed for it.
fn write_finding(
    out: &PathBuf,
    target: &str,
    seed: u64,
    kind: Kind,
    index: u64,
    detail: &str,
    case: &Case,
) -> String {
    let _ = std::fs::create_dir_all(out);
    let stem = out.join(format!("{target}-{}-{seed}-{index}", kind.name()));
    let repro = format!(
        "cargo bench -p dynamo-local --bench {target} -- --seed {seed} --start {index} --inputs 1"
    );
    let body = format!(
        "target: {target}\nkind: {}\nseed: {seed}\ninput: {index}\ndetail: {detail}\nreproduce: {repro}\ninput summary: {}\n\n{}\n",
        kind.name(),
        case.summary,
        case.text
    );
    let _ = std::fs::write(stem.with_extension("txt"), &body);
    let _ = std::fs::write(stem.with_extension("bin"), &case.raw);
    format!(
        "\n==== FINDING [{target}] {} at input {index}: {}\n{}\n{}\n  saved: {}\n  reproduce: {repro}\n====",
        kind.name(),
        shorten(detail, 600),
        case.summary,
        shorten(&case.text, 1500),
        stem.with_extension("txt").display()
    )
}

/// Counters reported by a worker.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    inputs: u64,
    panics: u64,
    hangs: u64,
    wrong: u64,
}

fn parse_counts(line: &str) -> Counts {
    let mut counts = Counts::default();
    for part in line.split_whitespace() {
        if let Some((k, v)) = part.split_once('=') {
            let v = v.parse().unwrap_or(0);
            match k {
                "inputs" => counts.inputs = v,
                "panics" => counts.panics = v,
                "hangs" => counts.hangs = v,
                "wrong" => counts.wrong = v,
                _ => {}
            }
        }
    }
    counts
}

/// How a worker ended; a hang or crash carries the indices in its slots.
enum WorkerEnd {
    Done(Counts),
    Hang(Counts, Vec<u64>),
    Crash(Counts, String, Vec<u64>),
}

fn run_worker(args: &Args, start: u64, inputs: u64, extra: &[&str], echo: bool) -> WorkerEnd {
    let slots = args
        .out
        .join(format!("slots-{}-{start}", std::process::id()));
    let _ = std::fs::create_dir_all(&args.out);
    let _ = std::fs::write(&slots, [0xffu8; 8 * 64]);
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/proc/self/exe"));
    let mut command = Command::new(exe);
    command
        .args(args.passthrough.iter().filter(|a| !a.is_empty()))
        .args(["--worker", "--start", &start.to_string()])
        .args(["--inputs", &inputs.to_string()])
        .arg("--slots")
        .arg(&slots)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(if echo {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return WorkerEnd::Crash(Counts::default(), format!("spawn failed: {e}"), Vec::new());
        }
    };
    let mut counts = Counts::default();
    let mut stuck: Vec<u64> = Vec::new();
    let began = Instant::now();
    let mut shown = Instant::now();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("@@progress") {
                counts = parse_counts(rest);
                if echo && shown.elapsed() >= Duration::from_secs(60) {
                    shown = Instant::now();
                    let secs = began.elapsed().as_secs_f64();
                    println!(
                        "  progress: {} inputs from {start} in {secs:.0} s ({:.0}/s), panics {}, hangs {}, wrong {}",
                        counts.inputs,
                        counts.inputs as f64 / secs.max(1e-9),
                        counts.panics,
                        counts.hangs,
                        counts.wrong
                    );
                }
            } else if let Some(rest) = line.strip_prefix("@@stuck") {
                stuck.extend(rest.trim().parse::<u64>().ok());
            } else if let Some(rest) = line.strip_prefix("@@summary") {
                counts = parse_counts(rest);
            } else if echo {
                println!("{line}");
            }
        }
    }
    let status = child.wait();
    let indices: Vec<u64> = std::fs::read(&slots)
        .unwrap_or_default()
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0xff; 8])))
        .filter(|&i| i != u64::MAX)
        .collect();
    let _ = std::fs::remove_file(&slots);
    match status {
        Ok(s) if s.code() == Some(0) || s.code() == Some(EXIT_FINDINGS) => WorkerEnd::Done(counts),
        Ok(s) if s.code() == Some(EXIT_HANG) => {
            // The watchdog names the stuck inputs; the others were fine.
            WorkerEnd::Hang(counts, if stuck.is_empty() { indices } else { stuck })
        }
        Ok(s) => {
            let how = match (s.code(), s.signal()) {
                (_, Some(signal)) => format!("killed by signal {signal}"),
                (Some(code), _) => format!("exit status {code}"),
                _ => "unknown exit".to_owned(),
            };
            WorkerEnd::Crash(counts, how, indices)
        }
        Err(e) => WorkerEnd::Crash(counts, format!("wait failed: {e}"), indices),
    }
}

/// The supervisor: runs workers over the whole input range, reports the
/// inputs that crash or hang a worker, and prints the totals.
pub fn supervise(target: &'static str, args: &Args, describe: Describe) -> ExitCode {
    let started = Instant::now();
    let end = args.start + args.inputs;
    let max_restarts: u32 = args.get("max-restarts", 20);
    let mut start = args.start;
    let mut total = Counts::default();
    let (mut crashes, mut hangs) = (0u64, 0u64);
    let mut restarts = 0;
    println!(
        "[{target}] seed {} inputs {}..{end} (bound {} ms per input), findings in {}",
        args.seed,
        args.start,
        args.hang.as_millis(),
        args.out.display()
    );
    while start < end {
        let outcome = run_worker(args, start, end - start, &[], true);
        let (counts, problem) = match outcome {
            WorkerEnd::Done(c) => (c, None),
            WorkerEnd::Hang(c, slots) => (
                c,
                Some((Kind::Hang, "worker watchdog: input stuck".to_owned(), slots)),
            ),
            WorkerEnd::Crash(c, how, slots) => {
                (c, Some((Kind::Crash, format!("worker died: {how}"), slots)))
            }
        };
        total.inputs += counts.inputs;
        total.panics += counts.panics;
        total.hangs += counts.hangs;
        total.wrong += counts.wrong;
        let Some((kind, how, candidates)) = problem else {
            break;
        };
        // Confirm which of the inputs in flight is the culprit by running
        // each alone.
        let mut culprits: Vec<u64> = Vec::new();
        if candidates.len() > 1 {
            for &index in &candidates {
                let alone = run_worker(args, index, 1, &["--clients", "1"], false);
                let reproduced = match alone {
                    WorkerEnd::Done(c) => c.panics + c.hangs > 0,
                    _ => true,
                };
                if reproduced {
                    culprits.push(index);
                }
            }
        }
        let confirmed = !culprits.is_empty() || candidates.len() == 1;
        if culprits.is_empty() {
            culprits = candidates.clone();
        }
        for &index in &culprits {
            let detail = if confirmed {
                how.clone()
            } else {
                format!("{how} (one of the inputs in flight; none crashed alone)")
            };
            let text = write_finding(
                &args.out,
                target,
                args.seed,
                kind,
                index,
                &detail,
                &describe(index),
            );
            eprintln!("{text}");
        }
        match kind {
            Kind::Hang => hangs += 1,
            _ => crashes += 1,
        }
        restarts += 1;
        let next = candidates
            .iter()
            .copied()
            .max()
            .map_or(start + 1, |m| m + 1);
        start = next.max(start + 1);
        if restarts > max_restarts {
            eprintln!("[{target}] stopping after {restarts} worker restarts");
            break;
        }
    }
    let wall = started.elapsed();
    println!(
        "[{target}] inputs run: {}  wall time: {:.1} s ({:.0} inputs/s)  panics: {}  hangs: {}  crashes: {}  wrong answers: {}",
        total.inputs,
        wall.as_secs_f64(),
        total.inputs as f64 / wall.as_secs_f64().max(1e-9),
        total.panics,
        total.hangs + hangs,
        crashes,
        total.wrong
    );
    if total.panics + total.hangs + total.wrong + crashes + hangs == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs `worker` in a worker process, or supervises workers.
pub fn main(
    target: &'static str,
    default_inputs: u64,
    describe: impl Fn(&Args, u64) -> Case + Send + Sync + 'static,
    worker: impl FnOnce(&Args, Describe) -> ExitCode,
) -> ExitCode {
    let args = Args::from_env(default_inputs);
    let describe_args = args.clone();
    let describe: Describe = Arc::new(move |index| describe(&describe_args, index));
    if args.flag("show") {
        // Print the inputs instead of running them.
        for index in args.start..args.start + args.inputs {
            let case = describe(index);
            println!("input {index}: {}\n{}", case.summary, case.text);
        }
        return ExitCode::SUCCESS;
    }
    if args.worker {
        install_panic_hook();
        worker(&args, describe)
    } else {
        supervise(target, &args, describe)
    }
}
