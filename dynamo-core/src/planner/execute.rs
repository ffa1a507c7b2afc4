//! Running a plan: one request stream per key condition (or per Scan
//! segment, or per chunk of 100 keys), pages fetched as the caller reads,
//! index entries fetched back from the table by key when the index lacks
//! attributes, the client-side filter applied, streams merged in order and
//! items seen twice dropped.
//!
//! Invariant: a source's buffer holds items in the order its requests
//! returned them, already filtered; merging only compares buffer heads, so
//! every source that is not exhausted must have a non-empty buffer before
//! an ordered merge picks one.

use super::FindError;
use super::plan::{Access, Merge, Operation, Plan};
use crate::client::Client;
use crate::error::Error;
use crate::expr::{Path, Projection, compare_values};
use crate::ops::{
    BatchGetItemInput, ConsumedCapacity, GetItemInput, KeysAndAttributes, QueryInput,
    ReturnConsumedCapacity, ScanInput, ScanOutput,
};
use crate::value::{AttributeMap, KeyValue};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// Keys per `BatchGetItem`.
const GET_BATCH: usize = 100;

/// DynamoDB's `Limit` for `n` items.
fn page_limit(n: usize) -> i32 {
    i32::try_from(n.max(1)).unwrap_or(i32::MAX)
}

/// Polls every future until all are ready; their outputs in order.
async fn join_all<F: Future + Unpin>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Option<F>> = futures.into_iter().map(Some).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match Pin::new(future).poll(cx) {
                    Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Where one stream of items comes from.
enum Feed {
    Query {
        condition: crate::expr::KeyCondition,
        start: Option<AttributeMap>,
    },
    Scan {
        segment: u32,
        start: Option<AttributeMap>,
    },
    Keys(VecDeque<AttributeMap>),
}

struct Source {
    access: usize,
    feed: Feed,
    buffer: VecDeque<AttributeMap>,
    done: bool,
}

/// A plan being run.
pub(crate) struct Executor {
    client: Client,
    plan: Plan,
    sources: Vec<Source>,
    seen: HashSet<Vec<Option<KeyValue>>>,
    returned: usize,
    /// Read units DynamoDB reported so far.
    pub consumed: f64,
    page_size: Option<usize>,
    /// The plan is a Scan in several segments, read concurrently.
    parallel: bool,
}

fn total(capacity: Option<&ConsumedCapacity>) -> f64 {
    capacity
        .and_then(|c| c.read_capacity_units.or(c.capacity_units))
        .unwrap_or(0.0)
}

impl Executor {
    pub fn new(client: Client, plan: Plan, page_size: Option<usize>) -> Self {
        let mut sources = Vec::new();
        for (i, access) in plan.accesses.iter().enumerate() {
            match access.operation {
                Operation::Get | Operation::BatchGet => {
                    for chunk in access.keys.chunks(GET_BATCH) {
                        sources.push(Source {
                            access: i,
                            feed: Feed::Keys(chunk.iter().cloned().collect()),
                            buffer: VecDeque::new(),
                            done: false,
                        });
                    }
                }
                Operation::Query => {
                    for condition in &access.key_conditions {
                        sources.push(Source {
                            access: i,
                            feed: Feed::Query {
                                condition: condition.clone(),
                                start: None,
                            },
                            buffer: VecDeque::new(),
                            done: false,
                        });
                    }
                }
                Operation::Scan => {
                    for segment in 0..access.segments.max(1) {
                        sources.push(Source {
                            access: i,
                            feed: Feed::Scan {
                                segment,
                                start: None,
                            },
                            buffer: VecDeque::new(),
                            done: false,
                        });
                    }
                }
            }
        }
        let parallel = plan
            .accesses
            .iter()
            .any(|a| a.operation == Operation::Scan && a.segments > 1);
        Self {
            client,
            plan,
            parallel,
            sources,
            seen: HashSet::new(),
            returned: 0,
            consumed: 0.0,
            page_size,
        }
    }

    /// An item's primary key, as a hashable value.
    fn identity(&self, item: &AttributeMap) -> Vec<Option<KeyValue>> {
        self.plan
            .table_keys
            .iter()
            .map(|n| {
                item.get(*n)
                    .cloned()
                    .and_then(|v| KeyValue::try_from(v).ok())
            })
            .collect()
    }

    fn order(&self, a: &AttributeMap, b: &AttributeMap) -> Ordering {
        let compare = |name: &str| match (a.get(name), b.get(name)) {
            (Some(x), Some(y)) => compare_values(x, y).unwrap_or(Ordering::Equal),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let ordering = match &self.plan.merge {
            Merge::BySortKey(names) => names
                .iter()
                .fold(Ordering::Equal, |o, n| o.then_with(|| compare(n))),
            Merge::ByAttribute(name) => compare(name),
            Merge::Single | Merge::Concatenated => Ordering::Equal,
        };
        let descending = self.plan.order.as_ref().is_some_and(|(_, d)| *d)
            || (self.plan.order.is_none()
                && self.plan.accesses.first().is_some_and(|a| !a.forward));
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    }

    /// The next item, `None` at the end.
    pub async fn next(&mut self) -> Option<Result<AttributeMap, FindError>> {
        loop {
            if self.plan.limit.is_some_and(|l| self.returned >= l) {
                return None;
            }
            let ordered = matches!(self.plan.merge, Merge::BySortKey(_) | Merge::ByAttribute(_));
            // A parallel Scan reads a page of every drained segment at once
            // when the one being returned runs dry.
            if self.parallel
                && self
                    .sources
                    .iter()
                    .find(|s| !s.done || !s.buffer.is_empty())
                    .is_some_and(|s| s.buffer.is_empty())
            {
                let drained: Vec<usize> = (0..self.sources.len())
                    .filter(|&i| self.sources[i].buffer.is_empty() && !self.sources[i].done)
                    .collect();
                if let Err(e) = self.fill_segments(&drained).await {
                    self.sources.iter_mut().for_each(|s| s.done = true);
                    return Some(Err(e));
                }
            }
            // Fill what the choice needs: every source for an ordered
            // merge, the first unfinished one otherwise.
            let mut pick = None;
            for i in 0..self.sources.len() {
                while self.sources[i].buffer.is_empty() && !self.sources[i].done {
                    if let Err(e) = self.fill(i).await {
                        self.sources.iter_mut().for_each(|s| s.done = true);
                        return Some(Err(e));
                    }
                }
                if !self.sources[i].buffer.is_empty() {
                    match pick {
                        None => pick = Some(i),
                        Some(p) if ordered => {
                            let (a, b) = (&self.sources[i].buffer[0], &self.sources[p].buffer[0]);
                            if self.order(a, b) == Ordering::Less {
                                pick = Some(i);
                            }
                        }
                        Some(_) => {}
                    }
                    if !ordered {
                        break;
                    }
                }
            }
            let item = self.sources[pick?].buffer.pop_front()?;
            if self.plan.deduplicate && !self.seen.insert(self.identity(&item)) {
                continue;
            }
            self.returned += 1;
            return Some(Ok(self.project(item)));
        }
    }

    /// The attributes asked for (and the one ordered by).
    fn project(&self, item: AttributeMap) -> AttributeMap {
        let Some(names) = &self.plan.projection else {
            return item;
        };
        let paths: Vec<Path> = names
            .iter()
            .chain(self.plan.order.as_ref().map(|(o, _)| o))
            .map(Path::attribute)
            .collect();
        Projection { paths }.apply(&item)
    }

    /// One more page for source `i`.
    async fn fill(&mut self, i: usize) -> Result<(), FindError> {
        let access = &self.plan.accesses[self.sources[i].access];
        let remaining = self.plan.limit.map(|l| l.saturating_sub(self.returned));
        // DynamoDB's Limit counts items before the filter; it only helps
        // when one stream feeds the result.
        let per_request = match (
            remaining.filter(|_| self.sources.len() == 1),
            self.page_size,
        ) {
            (Some(l), Some(p)) => Some(l.min(p)),
            (l, p) => l.or(p),
        }
        .map(page_limit);
        let consistent = self.plan.consistent.then_some(true);
        let table = self.plan.table;
        let client = self.client.clone();
        let backend = client.retrying();
        let (items, consumed) = match &mut self.sources[i].feed {
            Feed::Query { condition, start } => {
                let mut input = QueryInput::new(table, condition.clone());
                input.index_name = access.index.map(str::to_owned);
                input.filter = access.filter.clone();
                input.scan_index_forward = Some(access.forward);
                input.consistent_read = consistent;
                input.limit = per_request;
                input.exclusive_start_key = start.take();
                input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
                let out = backend.query(input).await?;
                *start = out.last_evaluated_key;
                self.sources[i].done = start.is_none();
                (
                    out.items.unwrap_or_default(),
                    total(out.consumed_capacity.as_ref()),
                )
            }
            Feed::Scan { .. } => {
                let input = self.scan_input(i, per_request);
                let out = backend.scan(input).await?;
                self.absorb_scan(i, out);
                return Ok(());
            }
            Feed::Keys(keys) => {
                let keys: Vec<AttributeMap> = keys.drain(..).collect();
                self.sources[i].done = true;
                if access.operation == Operation::Get && keys.len() == 1 {
                    let mut input = GetItemInput::new(table, keys[0].clone());
                    input.consistent_read = consistent;
                    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
                    let out = backend.get_item(input).await?;
                    (
                        out.item.into_iter().collect(),
                        total(out.consumed_capacity.as_ref()),
                    )
                } else {
                    let (found, consumed) = self.batch_get(&keys).await?;
                    (found.into_iter().flatten().collect(), consumed)
                }
            }
        };
        self.consumed += consumed;
        let access = &self.plan.accesses[self.sources[i].access];
        let items = if access.fetch_back {
            let keys: Vec<AttributeMap> = items
                .iter()
                .map(|item| {
                    self.plan
                        .table_keys
                        .iter()
                        .filter_map(|k| Some(((*k).to_owned(), item.get(*k)?.clone())))
                        .collect()
                })
                .collect();
            let (found, consumed) = self.batch_get(&keys).await?;
            self.consumed += consumed;
            found.into_iter().flatten().collect()
        } else {
            items
        };
        let access: &Access = &self.plan.accesses[self.sources[i].access];
        let kept = items.into_iter().filter(|item| {
            access
                .client_filter
                .as_ref()
                .is_none_or(|c| c.evaluate(item))
        });
        let buffer: Vec<AttributeMap> = kept.collect();
        self.sources[i].buffer.extend(buffer);
        Ok(())
    }

    /// The next Scan request of segment source `i` (taking its start key).
    fn scan_input(&mut self, i: usize, limit: Option<i32>) -> ScanInput {
        let access = &self.plan.accesses[self.sources[i].access];
        let mut input = ScanInput::new(self.plan.table);
        input.filter = access.filter.clone();
        input.consistent_read = self.plan.consistent.then_some(true);
        input.limit = limit;
        input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
        let segments = access.segments;
        if let Feed::Scan { segment, start } = &mut self.sources[i].feed {
            input.exclusive_start_key = start.take();
            if segments > 1 {
                input.segment = Some(i32::try_from(*segment).unwrap_or(0));
                input.total_segments = Some(i32::try_from(segments).unwrap_or(1));
            }
        }
        input
    }

    /// A Scan page of source `i`: its items (already filtered by DynamoDB)
    /// to the buffer, its last key to the feed.
    fn absorb_scan(&mut self, i: usize, out: ScanOutput) {
        self.consumed += total(out.consumed_capacity.as_ref());
        let source = &mut self.sources[i];
        if let Feed::Scan { start, .. } = &mut source.feed {
            *start = out.last_evaluated_key;
            source.done = start.is_none();
        }
        source.buffer.extend(out.items.unwrap_or_default());
    }

    /// One page of every segment of a parallel Scan whose buffer is empty,
    /// requested at once: segments are disjoint, so their pages are too.
    async fn fill_segments(&mut self, segments: &[usize]) -> Result<(), FindError> {
        let inputs: Vec<ScanInput> = segments
            .iter()
            .map(|&i| self.scan_input(i, self.page_size.map(page_limit)))
            .collect();
        let backend = self.client.retrying();
        let outputs = join_all(
            inputs
                .into_iter()
                .map(|input| backend.scan(input))
                .collect(),
        )
        .await;
        let mut failed = None;
        for (&i, output) in segments.iter().zip(outputs) {
            match output {
                Ok(out) => self.absorb_scan(i, out),
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// The items with `keys`, in their order (`None` where there is none),
    /// 100 keys a request; failed requests and unprocessed keys are sent
    /// again within one budget of the client's retry policy per chunk.
    async fn batch_get(
        &self,
        keys: &[AttributeMap],
    ) -> Result<(Vec<Option<AttributeMap>>, f64), FindError> {
        let table = self.plan.table;
        let mut position: HashMap<Vec<Option<KeyValue>>, usize> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            position.entry(self.identity(key)).or_insert(i);
        }
        let mut found: Vec<Option<AttributeMap>> = vec![None; keys.len()];
        let mut consumed = 0.0;
        // The backend without retries: the schedule retries both failed
        // requests and unprocessed keys, within the client's policy.
        let backend = self.client.backend();
        for chunk in keys.chunks(GET_BATCH) {
            let mut pending: Vec<AttributeMap> = Vec::new();
            for key in chunk {
                if !pending.contains(key) {
                    pending.push(key.clone());
                }
            }
            let mut schedule = self.client.schedule("BatchGetItem");
            while !pending.is_empty() {
                schedule.sending();
                let request = KeysAndAttributes {
                    keys: pending.clone(),
                    consistent_read: self.plan.consistent.then_some(true),
                    projection: None,
                };
                let sent = backend
                    .batch_get_item(BatchGetItemInput {
                        request_items: HashMap::from([(table.to_owned(), request)]),
                        return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
                    })
                    .await;
                let delay = match sent {
                    Ok(mut output) => {
                        consumed += output
                            .consumed_capacity
                            .iter()
                            .flatten()
                            .map(|c| total(Some(c)))
                            .sum::<f64>();
                        for item in output.responses.remove(table).unwrap_or_default() {
                            if let Some(&i) = position.get(&self.identity(&item)) {
                                found[i] = Some(item);
                            }
                        }
                        pending = output
                            .unprocessed_keys
                            .remove(table)
                            .map(|rest| rest.keys)
                            .unwrap_or_default();
                        if pending.is_empty() {
                            break;
                        }
                        schedule
                            .after_unprocessed("UnprocessedKeys")
                            .ok_or_else(|| Error::Service {
                                error_type: "ProvisionedThroughputExceededException".into(),
                                message: format!(
                                    "{} keys were still unprocessed after {} attempts",
                                    pending.len(),
                                    schedule.attempts()
                                ),
                            })?
                    }
                    Err(error) => schedule.after_error(&error).ok_or(error)?,
                };
                backend.pause(delay).await;
            }
        }
        Ok((found, consumed))
    }
}
