//! Seeded fault injection: a plan of rules, each naming an operation (or
//! any), a table (or any), a fault and a trigger, consulted before every
//! operation of the engine runs. A rule that fires makes the operation fail
//! as DynamoDB fails (nothing is applied), wait before it runs, or, for a
//! batch, leave some requests unprocessed.
//!
//! # Fault specs
//!
//! Every front door (`EngineOptions::faults`, [`Faults::add`], the
//! connection string's `fault=` option, `dynamo-local serve --fault`, the
//! server's `/admin/faults` endpoint) reads rules in one compact text form:
//! segments separated by `:`.
//!
//! ```text
//! spec     = [target ":"] fault [":" option] [":" trigger]
//! target   = operation ["@" table] | "@" table | "any" ["@" table]
//! fault    = "provisioned"      ProvisionedThroughputExceededException
//!          | "throttle"         ThrottlingException
//!          | "request-limit"    RequestLimitExceeded
//!          | "internal"         InternalServerError (HTTP 500)
//!          | "unavailable"      ServiceUnavailable (HTTP 503)
//!          | "conflict"         TransactionConflict
//!          | "partial"          some batch requests left unprocessed
//!          | "latency=" duration  the operation waits, then runs
//! option   = "retry_after=" duration   (provisioned, throttle, request-limit)
//! trigger  = probability        from 0 to 1, drawn from the seeded generator
//!          | "every=" n         the nth, 2nth, ... matching call
//!          | "calls=" a ".." b  matching calls a to b, both included, from 1
//!          | "calls=" a ".."    matching call a and every one after it
//!          | "calls=" a         matching call a only
//! duration = whole number and unit: ns, us, ms, s, m (20ms, 2s)
//! ```
//!
//! `operation` is a DynamoDB operation name (`PutItem`, `Query`, ...); the
//! first segment is a target when it is `any`, starts with an upper-case
//! letter, or contains `@`. Without a trigger a rule fires on every
//! matching call. Examples: `throttle:0.02` (2% of every call),
//! `PutItem:conflict:every=10`, `Query@orders:latency=20ms:0.5`,
//! `BatchWriteItem:partial:0.3`, `any:unavailable:calls=5..8`,
//! `@orders:provisioned:retry_after=100ms:every=3`.
//!
//! `conflict` applies to PutItem, UpdateItem, DeleteItem (which fail with
//! `TransactionConflictException`) and to TransactWriteItems and
//! TransactGetItems (cancelled, the reason `TransactionConflict` on the
//! actions on the rule's table, or on one action chosen by the seeded
//! generator for a rule of any table); `partial` applies to BatchWriteItem
//! and BatchGetItem. A rule of `any` operation with either only matches
//! those operations; naming another operation is an error.
//!
//! # Determinism
//!
//! Each rule counts its matching calls (1, 2, ...), whether or not it
//! fires. Whether a probability rule fires on call `n`, which action of a
//! transaction conflicts and which batch requests are left unprocessed are
//! functions of the engine's seed, the rule's position in the plan and `n`,
//! so two engines with the same seed and plan inject at the same calls.
//! Rules are consulted in order: the latencies of every rule that fires
//! add up, and the first failure or partial batch that fires wins (later
//! rules count the call but do not fire).

use crate::engine::Engine;
use crate::replica::next_random;
use dynamo_core::{CancellationReason, Error, ThrottlingReason};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

macro_rules! operations {
    ($($name:ident: $access:ident),* $(,)?) => {
        /// A DynamoDB operation of the engine, as a fault rule names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($name), "`.")]
                $name,
            )*
        }

        impl Operation {
            /// Every operation faults can be injected into.
            pub const ALL: &'static [Operation] = &[$(Operation::$name),*];

            /// The operation's name, as DynamoDB spells it.
            pub fn name(self) -> &'static str {
                match self {
                    $(Operation::$name => stringify!($name),)*
                }
            }

            /// Whether the operation reads items, writes them, or neither.
            pub(crate) fn access(self) -> Access {
                match self {
                    $(Operation::$name => Access::$access,)*
                }
            }
        }
    };
}

operations! {
    CreateTable: Control,
    DeleteTable: Control,
    DescribeTable: Control,
    ListTables: Control,
    UpdateTable: Control,
    UpdateTimeToLive: Control,
    DescribeTimeToLive: Control,
    TagResource: Control,
    UntagResource: Control,
    ListTagsOfResource: Control,
    PutItem: Write,
    GetItem: Read,
    UpdateItem: Write,
    DeleteItem: Write,
    Query: Read,
    Scan: Read,
    BatchGetItem: Read,
    BatchWriteItem: Write,
    TransactWriteItems: Write,
    TransactGetItems: Read,
}

impl Operation {
    /// The operation named `name` (`PutItem`), if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|op| op.name() == name)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an operation does to items, which names its capacity and its
/// throttling reasons (`TableRead...`, `TableWrite...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
    /// The control plane, which consumes no capacity.
    Control,
}

/// The fault a rule injects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaultKind {
    /// `ProvisionedThroughputExceededException`, with the reason
    /// `<Table|Index><Read|Write>ProvisionedThroughputExceeded`.
    ProvisionedThroughputExceeded {
        /// The wait the error asks for (`x-amz-retry-after`), if any.
        retry_after: Option<Duration>,
    },
    /// `ThrottlingException` (an on-demand table's hot key), with the
    /// reason `<Table|Index><Read|Write>KeyRangeThroughputExceeded`.
    Throttling {
        /// The wait the error asks for (`x-amz-retry-after`), if any.
        retry_after: Option<Duration>,
    },
    /// `RequestLimitExceeded` (the account's throughput quota), with the
    /// reason `<Table|Index><Read|Write>AccountLimitExceeded`.
    RequestLimitExceeded {
        /// The wait the error asks for (`x-amz-retry-after`), if any.
        retry_after: Option<Duration>,
    },
    /// `InternalServerError` (HTTP 500).
    InternalServerError,
    /// `ServiceUnavailable` (HTTP 503).
    ServiceUnavailable,
    /// `TransactionConflictException` for a single-item write; the
    /// cancellation reason `TransactionConflict` for a transaction.
    TransactionConflict,
    /// The operation waits this long, then runs.
    Latency(Duration),
    /// A batch leaves some of its requests, chosen by the seeded
    /// generator, unprocessed (at least one), and does only the rest.
    PartialBatch,
}

/// The words of the spec grammar, one per fault, in the order errors list
/// them.
const FAULT_WORDS: &str = "provisioned, throttle, request-limit, internal, unavailable, conflict, partial or latency=<duration>";

impl FaultKind {
    fn word(&self) -> &'static str {
        match self {
            Self::ProvisionedThroughputExceeded { .. } => "provisioned",
            Self::Throttling { .. } => "throttle",
            Self::RequestLimitExceeded { .. } => "request-limit",
            Self::InternalServerError => "internal",
            Self::ServiceUnavailable => "unavailable",
            Self::TransactionConflict => "conflict",
            Self::Latency(_) => "latency",
            Self::PartialBatch => "partial",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        Some(match word {
            "provisioned" => Self::ProvisionedThroughputExceeded { retry_after: None },
            "throttle" => Self::Throttling { retry_after: None },
            "request-limit" => Self::RequestLimitExceeded { retry_after: None },
            "internal" => Self::InternalServerError,
            "unavailable" => Self::ServiceUnavailable,
            "conflict" => Self::TransactionConflict,
            "partial" => Self::PartialBatch,
            _ => return None,
        })
    }

    fn retry_after_mut(&mut self) -> Option<&mut Option<Duration>> {
        match self {
            Self::ProvisionedThroughputExceeded { retry_after }
            | Self::Throttling { retry_after }
            | Self::RequestLimitExceeded { retry_after } => Some(retry_after),
            _ => None,
        }
    }

    /// The only operations this fault can happen to, when it is limited.
    fn only(&self) -> Option<&'static [Operation]> {
        match self {
            Self::TransactionConflict => Some(&[
                Operation::PutItem,
                Operation::UpdateItem,
                Operation::DeleteItem,
                Operation::TransactWriteItems,
                Operation::TransactGetItems,
            ]),
            Self::PartialBatch => Some(&[Operation::BatchWriteItem, Operation::BatchGetItem]),
            _ => None,
        }
    }

    fn applies_to(&self, operation: Operation) -> bool {
        self.only().is_none_or(|ops| ops.contains(&operation))
    }
}

/// When a rule fires, among the calls it matches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trigger(TriggerKind);

#[derive(Clone, Copy, Debug, PartialEq)]
enum TriggerKind {
    Always,
    Probability(f64),
    Every(u64),
    /// Calls `first` to `last` (both included; no end when `None`).
    Calls {
        first: u64,
        last: Option<u64>,
    },
}

impl Trigger {
    /// Every matching call.
    pub const ALWAYS: Trigger = Trigger(TriggerKind::Always);

    /// Each matching call with probability `p`, drawn from the engine's
    /// seeded generator; `None` unless `p` is from 0 to 1.
    pub fn probability(p: f64) -> Option<Trigger> {
        (0.0..=1.0)
            .contains(&p)
            .then_some(Trigger(TriggerKind::Probability(p)))
    }

    /// The `n`th, `2n`th, ... matching call; `None` for 0.
    pub fn every(n: u64) -> Option<Trigger> {
        (n > 0).then_some(Trigger(TriggerKind::Every(n)))
    }

    /// Matching calls `first` to `last`, both included, counting from 1;
    /// `None` for an empty range or one starting at 0.
    pub fn calls(range: std::ops::RangeInclusive<u64>) -> Option<Trigger> {
        let (first, last) = range.into_inner();
        (first >= 1 && first <= last).then_some(Trigger(TriggerKind::Calls {
            first,
            last: Some(last),
        }))
    }

    /// Matching call `first` and every one after it; `None` for 0.
    pub fn calls_from(first: u64) -> Option<Trigger> {
        (first >= 1).then_some(Trigger(TriggerKind::Calls { first, last: None }))
    }

    /// Whether the rule fires on matching call `call`, given the draw for
    /// that call.
    fn fires(&self, call: u64, draw: u64) -> bool {
        match self.0 {
            TriggerKind::Always => true,
            // The top 53 bits as a fraction in [0, 1).
            TriggerKind::Probability(p) => ((draw >> 11) as f64) / ((1u64 << 53) as f64) < p,
            TriggerKind::Every(n) => call.is_multiple_of(n),
            TriggerKind::Calls { first, last } => call >= first && last.is_none_or(|l| call <= l),
        }
    }

    fn parse(part: &str) -> Option<Trigger> {
        if let Some(n) = part.strip_prefix("every=") {
            return Self::every(n.parse().ok()?);
        }
        if let Some(range) = part.strip_prefix("calls=") {
            return match range.split_once("..") {
                Some((first, "")) => Self::calls_from(first.parse().ok()?),
                Some((first, last)) => Self::calls(first.parse().ok()?..=last.parse().ok()?),
                None => {
                    let call = range.parse().ok()?;
                    Self::calls(call..=call)
                }
            };
        }
        // Only plain decimals: `inf`, `NaN` and `1e-2` are not probabilities
        // a spec should spell.
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Self::probability(part.parse().ok()?);
        }
        None
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            TriggerKind::Always => Ok(()),
            TriggerKind::Probability(p) => write!(f, "{p}"),
            TriggerKind::Every(n) => write!(f, "every={n}"),
            TriggerKind::Calls {
                first,
                last: Some(last),
            } if last == first => write!(f, "calls={first}"),
            TriggerKind::Calls {
                first,
                last: Some(last),
            } => write!(f, "calls={first}..{last}"),
            TriggerKind::Calls { first, last: None } => write!(f, "calls={first}.."),
        }
    }
}

/// One rule of a fault plan: which calls it matches, the fault, and when
/// it fires.
///
/// ```
/// use dynamo_local::faults::{FaultKind, FaultRule, Operation, Trigger};
/// let rule: FaultRule = "PutItem@orders:conflict:every=10".parse().unwrap();
/// assert_eq!(
///     rule,
///     FaultRule::new(FaultKind::TransactionConflict)
///         .operation(Operation::PutItem)
///         .table("orders")
///         .trigger(Trigger::every(10).unwrap())
/// );
/// assert_eq!(rule.to_string(), "PutItem@orders:conflict:every=10");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    operation: Option<Operation>,
    table: Option<String>,
    kind: FaultKind,
    trigger: Trigger,
}

impl FaultRule {
    /// A rule injecting `kind` into every call of every operation (of
    /// those `kind` can happen to) on every table.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            operation: None,
            table: None,
            kind,
            trigger: Trigger::ALWAYS,
        }
    }

    /// Matches only calls of `operation` (a fault that cannot happen to it
    /// then never fires; the spec parser refuses that combination).
    pub fn operation(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Matches only calls that name table `table`.
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// Fires on the matching calls `trigger` picks.
    pub fn trigger(mut self, trigger: Trigger) -> Self {
        self.trigger = trigger;
        self
    }

    /// The fault.
    pub fn kind(&self) -> FaultKind {
        self.kind
    }

    /// Whether the rule matches a call of `operation` naming `tables`.
    fn matches(&self, operation: Operation, tables: &[&str]) -> bool {
        self.operation.is_none_or(|op| op == operation)
            && self.kind.applies_to(operation)
            && self
                .table
                .as_deref()
                .is_none_or(|table| tables.contains(&table))
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.operation, &self.table) {
            (None, None) => {}
            (Some(op), None) => write!(f, "{op}:")?,
            (Some(op), Some(table)) => write!(f, "{op}@{table}:")?,
            (None, Some(table)) => write!(f, "@{table}:")?,
        }
        match self.kind {
            FaultKind::Latency(wait) => write!(f, "latency={}", Spelled(wait))?,
            kind => f.write_str(kind.word())?,
        }
        let mut kind = self.kind;
        if let Some(Some(wait)) = kind.retry_after_mut() {
            write!(f, ":retry_after={}", Spelled(*wait))?;
        }
        if self.trigger != Trigger::ALWAYS {
            write!(f, ":{}", self.trigger)?;
        }
        Ok(())
    }
}

/// A duration in the largest unit [`crate::parse_duration`] reads back
/// exactly.
struct Spelled(Duration);

impl fmt::Display for Spelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        for (unit, size) in [("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)] {
            if nanos.is_multiple_of(size) {
                return write!(f, "{}{unit}", nanos / size);
            }
        }
        write!(f, "{nanos}ns")
    }
}

/// A fault spec that could not be read; each names the spec and the part
/// at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultSpecError {
    /// The spec is empty.
    #[error("a fault spec is empty: write one such as throttle:0.02 or PutItem:conflict:every=10")]
    Empty,
    /// The target names no DynamoDB operation.
    #[error(
        "fault `{spec}`: `{part}` is not a DynamoDB operation; write one such as PutItem or Query, or any"
    )]
    UnknownOperation {
        /// The spec.
        spec: String,
        /// The operation as written.
        part: String,
    },
    /// `@` with no table after it.
    #[error("fault `{spec}`: `{part}` names no table after the @")]
    NoTable {
        /// The spec.
        spec: String,
        /// The target as written.
        part: String,
    },
    /// A segment that is no fault, option or trigger.
    #[error(
        "fault `{spec}`: `{part}` is not a fault, retry_after=<duration> or trigger; faults are {FAULT_WORDS}, triggers a probability from 0 to 1, every=<n> or calls=<a>..<b>"
    )]
    UnknownPart {
        /// The spec.
        spec: String,
        /// The segment as written.
        part: String,
    },
    /// `every=`, `calls=` or a probability out of range or malformed.
    #[error(
        "fault `{spec}`: `{part}` is not a trigger: probabilities are from 0 to 1, every=<n> needs n of 1 or more, calls=<a>..<b> counts from 1 with a <= b"
    )]
    BadTrigger {
        /// The spec.
        spec: String,
        /// The trigger as written.
        part: String,
    },
    /// `latency=` or `retry_after=` without a duration.
    #[error("fault `{spec}`: `{part}` does not end in a duration such as 20ms or 2s")]
    BadDuration {
        /// The spec.
        spec: String,
        /// The segment as written.
        part: String,
    },
    /// No segment names a fault.
    #[error("fault `{spec}` names no fault: add one of {FAULT_WORDS}")]
    NoFault {
        /// The spec.
        spec: String,
    },
    /// A second fault, option or trigger.
    #[error("fault `{spec}`: `{part}` is a second {what}; a rule has one")]
    Repeated {
        /// The spec.
        spec: String,
        /// The repeated segment.
        part: String,
        /// `fault`, `trigger` or `retry_after`.
        what: &'static str,
    },
    /// `retry_after=` on a fault that is not a throttle.
    #[error("fault `{spec}`: `{part}` applies only to provisioned, throttle and request-limit")]
    RetryAfterNotThrottled {
        /// The spec.
        spec: String,
        /// The option as written.
        part: String,
    },
    /// The fault cannot happen to the operation named.
    #[error("fault `{spec}`: {fault} cannot happen to {operation}, only to {only}")]
    Inapplicable {
        /// The spec.
        spec: String,
        /// The fault word.
        fault: &'static str,
        /// The operation named.
        operation: Operation,
        /// The operations it can happen to, comma-separated.
        only: String,
    },
}

impl FromStr for FaultRule {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, FaultSpecError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(FaultSpecError::Empty);
        }
        let owned = || spec.to_owned();
        let mut parts = spec.split(':').peekable();
        let mut operation = None;
        let mut table = None;
        if let Some(&first) = parts.peek()
            && (first == "any"
                || first.starts_with(|c: char| c.is_ascii_uppercase())
                || first.contains('@'))
        {
            parts.next();
            let (op, named) = match first.split_once('@') {
                Some((_, "")) => {
                    return Err(FaultSpecError::NoTable {
                        spec: owned(),
                        part: first.to_owned(),
                    });
                }
                Some((op, named)) => (op, Some(named.to_owned())),
                None => (first, None),
            };
            operation = match op {
                "" | "any" => None,
                name => Some(Operation::from_name(name).ok_or_else(|| {
                    FaultSpecError::UnknownOperation {
                        spec: owned(),
                        part: name.to_owned(),
                    }
                })?),
            };
            table = named;
        }
        let mut kind: Option<FaultKind> = None;
        let mut retry_after: Option<(&str, Duration)> = None;
        let mut trigger: Option<Trigger> = None;
        let duration = |part: &str, text: &str| {
            crate::parse_duration(text).ok_or_else(|| FaultSpecError::BadDuration {
                spec: owned(),
                part: part.to_owned(),
            })
        };
        let repeated = |part: &str, what| FaultSpecError::Repeated {
            spec: owned(),
            part: part.to_owned(),
            what,
        };
        for part in parts {
            let fault = match part.strip_prefix("latency=") {
                Some(wait) => Some(FaultKind::Latency(duration(part, wait)?)),
                None => FaultKind::from_word(part),
            };
            if let Some(fault) = fault {
                if kind.replace(fault).is_some() {
                    return Err(repeated(part, "fault"));
                }
            } else if let Some(wait) = part.strip_prefix("retry_after=") {
                if retry_after.replace((part, duration(part, wait)?)).is_some() {
                    return Err(repeated(part, "retry_after"));
                }
            } else if let Some(parsed) = Trigger::parse(part) {
                if trigger.replace(parsed).is_some() {
                    return Err(repeated(part, "trigger"));
                }
            } else if part.starts_with("every=")
                || part.starts_with("calls=")
                || part.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            {
                return Err(FaultSpecError::BadTrigger {
                    spec: owned(),
                    part: part.to_owned(),
                });
            } else {
                return Err(FaultSpecError::UnknownPart {
                    spec: owned(),
                    part: part.to_owned(),
                });
            }
        }
        let mut kind = kind.ok_or_else(|| FaultSpecError::NoFault { spec: owned() })?;
        if let Some((part, wait)) = retry_after {
            let slot =
                kind.retry_after_mut()
                    .ok_or_else(|| FaultSpecError::RetryAfterNotThrottled {
                        spec: owned(),
                        part: part.to_owned(),
                    })?;
            *slot = Some(wait);
        }
        if let (Some(op), Some(only)) = (operation, kind.only())
            && !only.contains(&op)
        {
            return Err(FaultSpecError::Inapplicable {
                spec: owned(),
                fault: kind.word(),
                operation: op,
                only: only.iter().map(|o| o.name()).collect::<Vec<_>>().join(", "),
            });
        }
        Ok(FaultRule {
            operation,
            table,
            kind,
            trigger: trigger.unwrap_or(Trigger::ALWAYS),
        })
    }
}

/// Rules, consulted in order before every operation.
///
/// ```
/// use dynamo_local::faults::FaultPlan;
/// let plan = FaultPlan::parse(["throttle:0.02", "BatchWriteItem:partial:0.3"]).unwrap();
/// assert_eq!(plan.rules().len(), 2);
/// assert!(FaultPlan::parse(["throttle:2"]).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultPlan {
    rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// A plan of no rules: nothing is injected.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one rule from each spec.
    pub fn parse<S: AsRef<str>>(
        specs: impl IntoIterator<Item = S>,
    ) -> Result<Self, FaultSpecError> {
        specs
            .into_iter()
            .map(|spec| spec.as_ref().parse())
            .collect()
    }

    /// This plan with `rule` last.
    pub fn with(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The rules, in the order they are consulted.
    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Whether the plan has no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl FromIterator<FaultRule> for FaultPlan {
    fn from_iter<I: IntoIterator<Item = FaultRule>>(rules: I) -> Self {
        Self {
            rules: rules.into_iter().collect(),
        }
    }
}

/// How often one rule of the plan matched a call and fired.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleCount {
    /// The rule.
    pub rule: FaultRule,
    /// Calls it matched.
    pub matched: u64,
    /// Calls it injected its fault into.
    pub injected: u64,
}

/// A rule in force, with its counters.
#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    /// Its position in the plan, which seeds its draws.
    ordinal: u64,
    matched: AtomicU64,
    injected: AtomicU64,
}

#[derive(Debug)]
struct FaultState {
    seed: u64,
    /// Whether any rule is set: the only thing an operation reads when
    /// none is.
    active: AtomicBool,
    /// Replaced whole on every change, so a call reads one version.
    rules: RwLock<Arc<Vec<Arc<ActiveRule>>>>,
}

/// The fault plan of an engine, changeable while it runs; clones share it.
///
/// ```
/// use dynamo_local::Engine;
/// let engine = Engine::new();
/// let faults = engine.faults();
/// faults.add("PutItem:conflict:every=2".parse().unwrap());
/// assert_eq!(faults.injected()[0].injected, 0);
/// faults.clear();
/// assert!(faults.injected().is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct Faults {
    state: Arc<FaultState>,
}

impl Faults {
    pub(crate) fn new(seed: u64, plan: FaultPlan) -> Self {
        let faults = Self {
            state: Arc::new(FaultState {
                seed,
                active: AtomicBool::new(false),
                rules: RwLock::new(Arc::new(Vec::new())),
            }),
        };
        faults.set(plan);
        faults
    }

    fn rules(&self) -> Arc<Vec<Arc<ActiveRule>>> {
        Arc::clone(&self.state.rules.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Changes the rules under the lock, keeping the "any rules?" flag true
    /// to them.
    fn change(&self, f: impl FnOnce(&mut Vec<Arc<ActiveRule>>)) {
        let mut rules = self.state.rules.write().unwrap_or_else(|e| e.into_inner());
        let mut next = Vec::clone(&rules);
        f(&mut next);
        self.state.active.store(!next.is_empty(), Ordering::Release);
        *rules = Arc::new(next);
    }

    /// Replaces the plan; every rule's counts start from zero.
    pub fn set(&self, plan: FaultPlan) {
        self.change(|rules| {
            *rules = plan
                .rules
                .into_iter()
                .enumerate()
                .map(|(i, rule)| active(rule, i))
                .collect();
        });
    }

    /// Adds `rule` after the others.
    pub fn add(&self, rule: FaultRule) {
        self.change(|rules| {
            let ordinal = rules.len();
            rules.push(active(rule, ordinal));
        });
    }

    /// Removes every rule: nothing is injected any more.
    pub fn clear(&self) {
        self.change(Vec::clear);
    }

    /// The plan in force.
    pub fn plan(&self) -> FaultPlan {
        self.rules().iter().map(|r| r.rule.clone()).collect()
    }

    /// Each rule with the calls it matched and the faults it injected, in
    /// plan order.
    pub fn injected(&self) -> Vec<RuleCount> {
        self.rules()
            .iter()
            .map(|r| RuleCount {
                rule: r.rule.clone(),
                matched: r.matched.load(Ordering::Relaxed),
                injected: r.injected.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Whether any rule is set.
    pub(crate) fn active(&self) -> bool {
        self.state.active.load(Ordering::Acquire)
    }

    /// Consults the rules for one call: how long it waits first, and
    /// whether it fails or is a partial batch.
    pub(crate) fn decide(&self, engine: &Engine, call: &Call<'_>) -> Decision {
        let mut decision = Decision {
            latency: Duration::ZERO,
            outcome: Outcome::Proceed,
        };
        for rule in self.rules().iter() {
            if !rule.rule.matches(call.operation, call.tables) {
                continue;
            }
            let n = rule.matched.fetch_add(1, Ordering::Relaxed) + 1;
            let draw = self.draw(rule.ordinal, n);
            if !rule.rule.trigger.fires(n, draw) {
                continue;
            }
            let outcome = match rule.rule.kind {
                FaultKind::Latency(wait) => {
                    decision.latency += wait;
                    rule.injected.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                _ if !matches!(decision.outcome, Outcome::Proceed) => continue,
                FaultKind::PartialBatch => Outcome::Defer(Deferral {
                    seed: next_random(&mut draw.clone()),
                }),
                kind => Outcome::Fail(failure(kind, &rule.rule, engine, call, draw)),
            };
            rule.injected.fetch_add(1, Ordering::Relaxed);
            decision.outcome = outcome;
        }
        decision
    }

    /// The draw for call `n` of the rule at `ordinal`: a pure function of
    /// the seed, the rule's place and the call, whatever other calls run
    /// meanwhile.
    fn draw(&self, ordinal: u64, n: u64) -> u64 {
        let mut state = self.state.seed
            ^ ordinal.wrapping_mul(0xd6e8_feb8_6659_fd93)
            ^ n.wrapping_mul(0xa076_1d64_78bd_642f);
        next_random(&mut state)
    }
}

fn active(rule: FaultRule, ordinal: usize) -> Arc<ActiveRule> {
    Arc::new(ActiveRule {
        rule,
        ordinal: ordinal as u64,
        matched: AtomicU64::new(0),
        injected: AtomicU64::new(0),
    })
}

/// One call, as the rules see it.
pub(crate) struct Call<'a> {
    pub operation: Operation,
    /// The tables the request names: one per action of a transaction, in
    /// order; each once, by name, for a batch.
    pub tables: &'a [&'a str],
    /// The index a Query or Scan reads.
    pub index: Option<&'a str>,
}

/// What the rules decided for a call.
pub(crate) struct Decision {
    pub latency: Duration,
    pub outcome: Outcome,
}

pub(crate) enum Outcome {
    Proceed,
    Fail(Error),
    Defer(Deferral),
}

/// The error `kind` injects into `call`.
fn failure(
    kind: FaultKind,
    rule: &FaultRule,
    engine: &Engine,
    call: &Call<'_>,
    draw: u64,
) -> Error {
    let throttled = |error_type: &str, message: &str, limit: &str, retry_after| Error::Throttled {
        error_type: error_type.to_owned(),
        message: message.to_owned(),
        reasons: throttling_reasons(engine, rule, call, limit),
        retry_after,
    };
    match kind {
        FaultKind::ProvisionedThroughputExceeded { retry_after } => throttled(
            "ProvisionedThroughputExceededException",
            crate::throughput::TABLE_EXCEEDED,
            "ProvisionedThroughputExceeded",
            retry_after,
        ),
        FaultKind::Throttling { retry_after } => throttled(
            "ThrottlingException",
            "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
            "KeyRangeThroughputExceeded",
            retry_after,
        ),
        FaultKind::RequestLimitExceeded { retry_after } => throttled(
            "RequestLimitExceeded",
            "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase",
            "AccountLimitExceeded",
            retry_after,
        ),
        FaultKind::InternalServerError => {
            Error::InternalServerError("Internal server error".to_owned())
        }
        FaultKind::ServiceUnavailable => Error::Service {
            error_type: "ServiceUnavailable".to_owned(),
            message: "The request has failed due to a temporary failure of the server.".to_owned(),
        },
        FaultKind::TransactionConflict => match call.operation {
            Operation::TransactWriteItems | Operation::TransactGetItems => {
                let chosen = (draw % call.tables.len().max(1) as u64) as usize;
                let reasons = call
                    .tables
                    .iter()
                    .enumerate()
                    .map(|(i, table)| {
                        let conflicts = match &rule.table {
                            Some(named) => named == table,
                            None => i == chosen,
                        };
                        if conflicts {
                            crate::exec::transact::conflict()
                        } else {
                            CancellationReason {
                                code: "None".to_owned(),
                                message: None,
                                item: None,
                            }
                        }
                    })
                    .collect();
                crate::exec::transact::cancelled(reasons)
            }
            _ => Error::Service {
                error_type: "TransactionConflictException".to_owned(),
                message: crate::table::TRANSACTION_ONGOING.to_owned(),
            },
        },
        FaultKind::Latency(_) | FaultKind::PartialBatch => {
            unreachable!("Faults::decide handles latency and partial batches itself")
        }
    }
}

/// One reason per table of the call the rule matches (the index of a
/// Query or Scan of a global secondary index), none for the control plane.
fn throttling_reasons(
    engine: &Engine,
    rule: &FaultRule,
    call: &Call<'_>,
    limit: &str,
) -> Vec<ThrottlingReason> {
    let access = match call.operation.access() {
        Access::Read => "Read",
        Access::Write => "Write",
        Access::Control => return Vec::new(),
    };
    let mut named: Vec<&str> = call
        .tables
        .iter()
        .copied()
        .filter(|t| rule.table.as_deref().is_none_or(|named| named == *t))
        .collect();
    named.sort_unstable();
    named.dedup();
    named
        .into_iter()
        .map(|name| {
            let table = engine.table(name).ok();
            let table_arn = table.as_ref().map_or_else(
                || {
                    format!(
                        "arn:aws:dynamodb:{}:{}:table/{name}",
                        engine.region(),
                        engine.account_id()
                    )
                },
                |t| t.arn.clone(),
            );
            let global = call.index.filter(|index| {
                table.as_ref().is_some_and(|t| {
                    t.read()
                        .index(index)
                        .is_some_and(|i| i.def.kind == crate::key::IndexKind::Global)
                })
            });
            match global {
                Some(index) => ThrottlingReason {
                    reason: format!("Index{access}{limit}"),
                    resource: format!("{table_arn}/index/{index}"),
                },
                None => ThrottlingReason {
                    reason: format!("Table{access}{limit}"),
                    resource: table_arn,
                },
            }
        })
        .collect()
}

/// Which requests of a batch a partial-batch fault leaves unprocessed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deferral {
    seed: u64,
}

impl Deferral {
    /// Chooses, for a batch of `requests` (each table's name and number of
    /// requests), the requests to leave unprocessed: each with even odds,
    /// and at least one. The choice depends on table names and positions
    /// only, not on the order a map lists the tables in.
    pub fn choose<'a>(&self, requests: impl Iterator<Item = (&'a str, usize)>) -> Deferred {
        let mut tables: Vec<(&str, usize)> = requests.collect();
        tables.sort_unstable();
        let mut state = self.seed;
        let mut by_table: BTreeMap<String, Vec<bool>> = tables
            .iter()
            .map(|(name, count)| {
                let flags = (0..*count).map(|_| next_random(&mut state) & 1 == 1);
                ((*name).to_owned(), flags.collect())
            })
            .collect();
        let total: usize = tables.iter().map(|(_, count)| count).sum();
        if total > 0 && !by_table.values().flatten().any(|deferred| *deferred) {
            let mut pick = (next_random(&mut state) % total as u64) as usize;
            for flags in by_table.values_mut() {
                if pick < flags.len() {
                    flags[pick] = true;
                    break;
                }
                pick -= flags.len();
            }
        }
        Deferred { by_table }
    }
}

/// The requests of one batch left unprocessed.
#[derive(Debug)]
pub(crate) struct Deferred {
    by_table: BTreeMap<String, Vec<bool>>,
}

impl Deferred {
    /// Whether request `position` (from 0, in request order) of `table`
    /// is left unprocessed.
    pub fn is_deferred(&self, table: &str, position: usize) -> bool {
        self.by_table
            .get(table)
            .and_then(|flags| flags.get(position))
            .copied()
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_back_as_written() {
        for spec in [
            "throttle:0.02",
            "PutItem:conflict:every=10",
            "Query@orders:latency=20ms:0.5",
            "BatchWriteItem:partial:0.3",
            "unavailable:calls=5..8",
            "@orders:provisioned:retry_after=100ms:every=3",
            "internal:calls=3",
            "request-limit:calls=2..",
        ] {
            let rule: FaultRule = spec.parse().unwrap();
            assert_eq!(rule.to_string(), spec);
        }
        let any: FaultRule = "any:unavailable:calls=5..8".parse().unwrap();
        assert_eq!(any.to_string(), "unavailable:calls=5..8");
    }

    #[test]
    fn triggers_fire_on_their_calls() {
        let every = Trigger::every(3).unwrap();
        let fired: Vec<u64> = (1..=9).filter(|n| every.fires(*n, 0)).collect();
        assert_eq!(fired, [3, 6, 9]);
        let window = Trigger::calls(5..=8).unwrap();
        let fired: Vec<u64> = (1..=10).filter(|n| window.fires(*n, 0)).collect();
        assert_eq!(fired, [5, 6, 7, 8]);
        assert!(Trigger::probability(1.0).unwrap().fires(1, u64::MAX));
        assert!(!Trigger::probability(0.0).unwrap().fires(1, 0));
    }

    #[test]
    fn a_partial_batch_leaves_at_least_one_request() {
        for seed in 0..64 {
            let deferred = Deferral { seed }.choose([("t", 1)].into_iter());
            assert!(deferred.is_deferred("t", 0));
        }
    }
}
