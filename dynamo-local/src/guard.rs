//! What runs around every operation of the engine: the fault plan
//! (`faults`) before it, and provisioned-throughput enforcement
//! (`throughput`) before and after it. When no fault rule is set and
//! enforcement is off, an operation costs one atomic load and one branch
//! more than its executor ([`guarded!`] calls it right there).
//!
//! Each operation's input says, through [`Request`], what both need: its
//! name, the tables it names and the index it reads; enforcement asks the
//! executor for capacity per index and gives the caller back only what it
//! asked for ([`Metered`]).

use crate::engine::Engine;
use crate::faults::{Call, Deferred, Operation, Outcome};
use dynamo_core::ops::*;
use dynamo_core::{Backend, Result};

/// An operation's input, as fault rules and capacity enforcement see it.
pub(crate) trait Request {
    const OPERATION: Operation;

    /// The tables named: one per action of a transaction, in order; each
    /// once for a batch; none for ListTables.
    fn tables(&self) -> Vec<&str>;

    /// The index a Query or Scan reads.
    fn index(&self) -> Option<&str> {
        None
    }

    /// Sets what consumed capacity to report, returning what was asked
    /// (`None` for an operation that reports none).
    fn report_capacity(
        &mut self,
        _mode: ReturnConsumedCapacity,
    ) -> Option<Option<ReturnConsumedCapacity>> {
        None
    }

    /// Each table of a batch with its number of requests (none for other
    /// operations, which no partial-batch rule matches).
    fn batch_sizes(&self) -> Vec<(&str, usize)> {
        Vec::new()
    }
}

/// An operation's output, whose consumed capacity enforcement reads.
pub(crate) trait Metered {
    /// Takes the capacity reported (asked for with `INDEXES`) and leaves
    /// the output as the caller's `asked` mode would have made it.
    fn consumed(&mut self, _asked: Option<ReturnConsumedCapacity>) -> Vec<ConsumedCapacity> {
        Vec::new()
    }
}

/// `consumed` as the caller's mode would have reported it: nothing for
/// `NONE`, no per-index detail for `TOTAL` (executors compute the same
/// totals in every mode).
fn as_asked(
    consumed: &ConsumedCapacity,
    asked: Option<ReturnConsumedCapacity>,
) -> Option<ConsumedCapacity> {
    match asked.unwrap_or_default() {
        ReturnConsumedCapacity::None => None,
        ReturnConsumedCapacity::Indexes => Some(consumed.clone()),
        ReturnConsumedCapacity::Total => Some(ConsumedCapacity {
            table: None,
            local_secondary_indexes: None,
            global_secondary_indexes: None,
            ..consumed.clone()
        }),
    }
}

macro_rules! control {
    (
        inputs { $($input:ty, $op:ident, |$i:ident| $tables:expr;)* }
        outputs { $($output:ty),* }
    ) => {
        $(
            impl Request for $input {
                const OPERATION: Operation = Operation::$op;
                fn tables(&self) -> Vec<&str> {
                    let $i = self;
                    $tables
                }
            }
        )*
        $(impl Metered for $output {})*
    };
}

control! {
    inputs {
    CreateTableInput, CreateTable, |i| vec![i.table_name.as_str()];
    DeleteTableInput, DeleteTable, |i| vec![i.table_name.as_str()];
    DescribeTableInput, DescribeTable, |i| vec![i.table_name.as_str()];
    ListTablesInput, ListTables, |_i| Vec::new();
    UpdateTableInput, UpdateTable, |i| vec![i.table_name.as_str()];
    UpdateTimeToLiveInput, UpdateTimeToLive, |i| vec![i.table_name.as_str()];
    DescribeTimeToLiveInput, DescribeTimeToLive, |i| vec![i.table_name.as_str()];
    TagResourceInput, TagResource, |i| table_of_arn(&i.resource_arn);
    UntagResourceInput, UntagResource, |i| table_of_arn(&i.resource_arn);
    ListTagsOfResourceInput, ListTagsOfResource, |i| table_of_arn(&i.resource_arn);
    }
    outputs {
        CreateTableOutput, DeleteTableOutput, DescribeTableOutput, ListTablesOutput,
        UpdateTableOutput, UpdateTimeToLiveOutput, DescribeTimeToLiveOutput, TagsOutput,
        ListTagsOfResourceOutput
    }
}

/// The table a tagging request's ARN names.
fn table_of_arn(arn: &str) -> Vec<&str> {
    arn.split_once(":table/")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
        .into_iter()
        .collect()
}

macro_rules! single {
    ($($input:ty => $output:ty, $op:ident, $index:expr;)*) => {$(
        impl Request for $input {
            const OPERATION: Operation = Operation::$op;
            fn tables(&self) -> Vec<&str> {
                vec![self.table_name.as_str()]
            }
            fn index(&self) -> Option<&str> {
                let index: fn(&Self) -> Option<&str> = $index;
                index(self)
            }
            fn report_capacity(
                &mut self,
                mode: ReturnConsumedCapacity,
            ) -> Option<Option<ReturnConsumedCapacity>> {
                Some(self.return_consumed_capacity.replace(mode))
            }
        }
        impl Metered for $output {
            fn consumed(&mut self, asked: Option<ReturnConsumedCapacity>) -> Vec<ConsumedCapacity> {
                let consumed: Vec<_> = self.consumed_capacity.take().into_iter().collect();
                self.consumed_capacity = consumed.first().and_then(|c| as_asked(c, asked));
                consumed
            }
        }
    )*};
}

single! {
    PutItemInput => PutItemOutput, PutItem, |_| None;
    GetItemInput => GetItemOutput, GetItem, |_| None;
    UpdateItemInput => UpdateItemOutput, UpdateItem, |_| None;
    DeleteItemInput => DeleteItemOutput, DeleteItem, |_| None;
    QueryInput => QueryOutput, Query, |i| i.index_name.as_deref();
    ScanInput => ScanOutput, Scan, |i| i.index_name.as_deref();
}

macro_rules! multi {
    ($($input:ty => $output:ty, $op:ident, |$i:ident| $tables:expr, $sizes:expr;)*) => {$(
        impl Request for $input {
            const OPERATION: Operation = Operation::$op;
            fn tables(&self) -> Vec<&str> {
                let $i = self;
                $tables
            }
            fn batch_sizes(&self) -> Vec<(&str, usize)> {
                let sizes: fn(&Self) -> Vec<(&str, usize)> = $sizes;
                sizes(self)
            }
            fn report_capacity(
                &mut self,
                mode: ReturnConsumedCapacity,
            ) -> Option<Option<ReturnConsumedCapacity>> {
                Some(self.return_consumed_capacity.replace(mode))
            }
        }
        impl Metered for $output {
            fn consumed(&mut self, asked: Option<ReturnConsumedCapacity>) -> Vec<ConsumedCapacity> {
                let consumed = self.consumed_capacity.take().unwrap_or_default();
                self.consumed_capacity = (asked.unwrap_or_default() != ReturnConsumedCapacity::None)
                    .then(|| consumed.iter().filter_map(|c| as_asked(c, asked)).collect());
                consumed
            }
        }
    )*};
}

multi! {
    BatchGetItemInput => BatchGetItemOutput, BatchGetItem,
        |i| i.request_items.keys().map(String::as_str).collect(),
        |i| i.request_items.iter().map(|(t, r)| (t.as_str(), r.keys.len())).collect();
    BatchWriteItemInput => BatchWriteItemOutput, BatchWriteItem,
        |i| i.request_items.keys().map(String::as_str).collect(),
        |i| i.request_items.iter().map(|(t, r)| (t.as_str(), r.len())).collect();
    TransactWriteItemsInput => TransactWriteItemsOutput, TransactWriteItems,
        |i| i.transact_items.iter().map(TransactWriteItem::table_name).collect(),
        |_| Vec::new();
    TransactGetItemsInput => TransactGetItemsOutput, TransactGetItems,
        |i| i.transact_items.iter().map(|g| g.table_name.as_str()).collect(),
        |_| Vec::new();
}

/// Runs an executor through the guard: `guarded!(engine, input, exec)`
/// (`exec(engine, input)`), `guarded!(batch: ...)` (`exec(engine, input,
/// deferred)`), `guarded!(async: engine, input, exec)` (`exec(engine,
/// input).await`). When [`idle`], the executor is called right there, so
/// an engine without faults or enforcement runs it as if unguarded (a
/// wrapping future measurably slowed an in-process GetItem loop).
macro_rules! guarded {
    (batch: $engine:expr, $input:expr, $exec:path) => {{
        $engine.check_durable()?;
        let output = if $crate::guard::idle($engine) {
            $exec($engine, $input, None)
        } else {
            $crate::guard::run($engine, $input, $exec).await
        };
        $engine.answer_durably(output)
    }};
    (async: $engine:expr, $input:expr, $exec:path) => {{
        $engine.check_durable()?;
        let output = if $crate::guard::idle($engine) {
            $exec($engine, $input).await
        } else {
            $crate::guard::run_async($engine, $input, |input| $exec($engine, input)).await
        };
        $engine.answer_durably(output)
    }};
    ($engine:expr, $input:expr, $exec:path) => {{
        $engine.check_durable()?;
        let output = if $crate::guard::idle($engine) {
            $exec($engine, $input)
        } else {
            $crate::guard::run($engine, $input, |engine, input, _| $exec(engine, input)).await
        };
        $engine.answer_durably(output)
    }};
}
pub(crate) use guarded;

/// Whether no fault rule is set and enforcement is off: nothing to consult.
pub(crate) fn idle(engine: &Engine) -> bool {
    !engine.fault_plan().active() && engine.throughput().is_none()
}

/// Runs `exec` on `input` after the fault plan and capacity enforcement
/// let it, telling a batch which requests a partial-batch fault leaves
/// unprocessed, and charges what it consumed.
pub(crate) async fn run<I: Request, O: Metered>(
    engine: &Engine,
    mut input: I,
    exec: impl FnOnce(&Engine, I, Option<&Deferred>) -> Result<O>,
) -> Result<O> {
    let admitted = admit(engine, &mut input).await?;
    let output = exec(engine, input, admitted.deferred.as_ref());
    settle(engine, &admitted, output)
}

/// [`run`] for an executor that waits (a transaction held in flight).
pub(crate) async fn run_async<I: Request, O: Metered, F>(
    engine: &Engine,
    mut input: I,
    exec: impl FnOnce(I) -> F,
) -> Result<O>
where
    F: std::future::Future<Output = Result<O>>,
{
    let admitted = admit(engine, &mut input).await?;
    let output = exec(input).await;
    settle(engine, &admitted, output)
}

/// What [`admit`] let through, for [`settle`].
struct Admitted {
    deferred: Option<Deferred>,
    /// The caller's `ReturnConsumedCapacity`, when enforcement replaced it.
    asked: Option<Option<ReturnConsumedCapacity>>,
}

/// Consults the fault plan (waiting out any latency it adds) and the
/// capacity buckets; on `Err` the operation does not run.
async fn admit<I: Request>(engine: &Engine, input: &mut I) -> Result<Admitted> {
    let mut deferred = None;
    let faults = engine.fault_plan();
    if faults.active() {
        let decision = {
            let tables = input.tables();
            let call = Call {
                operation: I::OPERATION,
                tables: &tables,
                index: input.index(),
            };
            let decision = faults.decide(engine, &call);
            if let Outcome::Defer(deferral) = &decision.outcome {
                deferred = Some(deferral.choose(input.batch_sizes().into_iter()));
            }
            decision
        };
        if !decision.latency.is_zero() {
            engine.pause(decision.latency).await;
        }
        if let Outcome::Fail(error) = decision.outcome {
            return Err(error);
        }
    }
    let mut asked = None;
    if let Some(throughput) = engine.throughput() {
        {
            let tables = input.tables();
            let call = Call {
                operation: I::OPERATION,
                tables: &tables,
                index: input.index(),
            };
            throughput.check(engine, &call)?;
        }
        asked = input.report_capacity(ReturnConsumedCapacity::Indexes);
    }
    Ok(Admitted { deferred, asked })
}

/// Charges what a successful operation consumed and gives the caller the
/// consumed capacity it asked for.
fn settle<O: Metered>(engine: &Engine, admitted: &Admitted, output: Result<O>) -> Result<O> {
    let mut output = output?;
    if let (Some(throughput), Some(asked)) = (engine.throughput(), admitted.asked) {
        throughput.charge(&output.consumed(asked));
    }
    Ok(output)
}
