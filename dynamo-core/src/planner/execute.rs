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
use crate::error::{Error, RetryClass};
use crate::expr::{Path, Projection, compare_values};
use crate::ops::{
    BatchGetItemInput, ConsumedCapacity, GetItemInput, KeysAndAttributes, QueryInput,
    ReturnConsumedCapacity, ScanInput,
};
use crate::value::{AttributeMap, KeyValue};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet, VecDeque};

/// Keys per `BatchGetItem`.
const GET_BATCH: usize = 100;
/// Attempts at a batch's unprocessed keys before they are an error (the
/// waits between them are the client's retry policy's, for throttling;
/// each request is also retried by the policy on its own errors).
const ATTEMPTS: u32 = 8;

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
        Self {
            client,
            plan,
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
        .map(|n| i32::try_from(n.max(1)).unwrap_or(i32::MAX));
        let consistent = self.plan.consistent.then_some(true);
        let table = self.plan.table;
        let backend = self.client.retrying();
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
            Feed::Scan { segment, start } => {
                let mut input = ScanInput::new(table);
                input.filter = access.filter.clone();
                input.consistent_read = consistent;
                input.limit = per_request;
                input.exclusive_start_key = start.take();
                if access.segments > 1 {
                    input.segment = Some(i32::try_from(*segment).unwrap_or(0));
                    input.total_segments = Some(i32::try_from(access.segments).unwrap_or(1));
                }
                input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
                let out = backend.scan(input).await?;
                *start = out.last_evaluated_key;
                self.sources[i].done = start.is_none();
                (
                    out.items.unwrap_or_default(),
                    total(out.consumed_capacity.as_ref()),
                )
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

    /// The items with `keys`, in their order (`None` where there is none),
    /// 100 keys a request, unprocessed keys sent again after a pause.
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
        let backend = self.client.retrying();
        for chunk in keys.chunks(GET_BATCH) {
            let mut pending: Vec<AttributeMap> = Vec::new();
            for key in chunk {
                if !pending.contains(key) {
                    pending.push(key.clone());
                }
            }
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == ATTEMPTS {
                    return Err(FindError::Request(Error::Service {
                        error_type: "ProvisionedThroughputExceededException".into(),
                        message: format!(
                            "{} keys were still unprocessed after {ATTEMPTS} attempts",
                            pending.len()
                        ),
                    }));
                }
                if attempt > 0 {
                    // Unprocessed keys wait like throttling, their usual cause.
                    let wait = self
                        .client
                        .retry_policy()
                        .delay_bound(RetryClass::Throttling, attempt);
                    backend.pause(wait).await;
                }
                attempt += 1;
                let request = KeysAndAttributes {
                    keys: std::mem::take(&mut pending),
                    consistent_read: self.plan.consistent.then_some(true),
                    projection: None,
                };
                let mut output = backend
                    .batch_get_item(BatchGetItemInput {
                        request_items: HashMap::from([(table.to_owned(), request)]),
                        return_consumed_capacity: Some(ReturnConsumedCapacity::Total),
                    })
                    .await?;
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
                if let Some(rest) = output.unprocessed_keys.remove(table) {
                    pending = rest.keys;
                }
            }
        }
        Ok((found, consumed))
    }
}
