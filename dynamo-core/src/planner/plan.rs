//! Choosing a plan: every access path is matched against every branch of
//! the predicate, the cheapest match of each branch wins (ties: fewer items
//! read, then the fixed rank Get < BatchGet < Query on the table < on an
//! LSI < on a GSI < Scan, then declaration order), and the branches are
//! combined: several gets into one BatchGet, anything else into a union
//! merged in order, or, when a branch has no key to use, one Scan.

use super::access::{AccessPath, KeyMatch, PathKind, match_path};
use super::cost::{self, Estimate, Shape};
use super::predicate::{self, Branch};
use super::statistics::{Stored, TableStatistics};
use super::{FieldInfo, PlanError};
use crate::expr::{Comparator, Condition, KeyCondition, Operand, Path, SortKeyOp};
use crate::item::TableSchema;
use crate::value::{AttributeMap, AttributeValue};
use std::fmt;

/// What the caller asked for, as the planner reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FindRequest {
    /// The predicate, all of it.
    pub predicate: Option<Condition>,
    /// The attribute items are ordered by.
    pub order_by: Option<String>,
    /// Descending order.
    pub descending: bool,
    /// At most this many items.
    pub limit: Option<usize>,
    /// Only these top-level attributes (all when `None`).
    pub projection: Option<Vec<String>>,
    /// Strongly consistent reads.
    pub consistent: bool,
    /// A Scan is acceptable.
    pub allow_scan: bool,
    /// Any predicate left to a filter is an error.
    pub strict: bool,
    /// Read the items of every one of these entity types (a collection's
    /// members) in the partitions the predicate selects, not only the
    /// planned type's; an empty list reads every item there.
    pub collection: Option<Vec<&'static str>>,
    /// Parallel segments of a Scan; `None` lets the planner choose from
    /// the table's size (one per [`SEGMENT_BYTES`], at most 16).
    pub segments: Option<u32>,
}

/// The DynamoDB operation an access sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// `GetItem`: one full primary key.
    Get,
    /// `BatchGetItem`: several full primary keys, 100 a request.
    BatchGet,
    /// `Query`: one or more partitions of the table or an index.
    Query,
    /// `Scan`: the whole table.
    Scan,
}

impl Operation {
    fn rank(self, path: PathKind) -> u8 {
        match (self, path) {
            (Self::Get, _) => 0,
            (Self::BatchGet, _) => 1,
            (Self::Query, PathKind::Table) => 2,
            (Self::Query, PathKind::LocalIndex) => 3,
            (Self::Query, PathKind::GlobalIndex) => 4,
            (Self::Scan, _) => 5,
        }
    }
}

/// One access of a plan: an operation on the table or an index.
#[derive(Clone, Debug, PartialEq)]
pub struct Access {
    /// The operation.
    pub operation: Operation,
    /// The index read, `None` for the table.
    pub index: Option<&'static str>,
    /// Table, LSI or GSI.
    pub path: PathKind,
    /// The primary keys of a Get or BatchGet.
    pub keys: Vec<AttributeMap>,
    /// The key conditions of a Query, one request stream each.
    pub key_conditions: Vec<KeyCondition>,
    /// The FilterExpression sent with each request.
    pub filter: Option<Condition>,
    /// The condition the client evaluates on each item it receives (Get
    /// and BatchGet carry no filter; an index that lacks attributes is
    /// filtered after its items are fetched from the table).
    pub client_filter: Option<Condition>,
    /// Whether full items are read back from the table by key.
    pub fetch_back: bool,
    /// Why items are fetched back.
    pub fetch_reason: Option<String>,
    /// Ascending sort-key order.
    pub forward: bool,
    /// Parallel segments of a Scan.
    pub segments: u32,
    /// The estimate of this access alone.
    pub estimate: Estimate,
    /// The caller's predicates this access leaves to a filter.
    pub residual: Vec<Condition>,
    order: Option<String>,
    sort_attributes: Vec<&'static str>,
    position: usize,
    full_key: bool,
}

/// How the items of several request streams are combined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Merge {
    /// One stream.
    Single,
    /// Streams one after the other.
    Concatenated,
    /// Merged by these sort-key attributes of the one index they read.
    BySortKey(Vec<&'static str>),
    /// Merged by the attribute asked to order by.
    ByAttribute(String),
}

/// A path that did not serve a branch, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The index, `None` for the table (or a Scan).
    pub index: Option<&'static str>,
    /// Table, LSI or GSI.
    pub path: PathKind,
    /// Why, in words.
    pub reason: String,
    /// Which branch of the predicate (0 when it has one).
    pub branch: usize,
}

/// A plan: how `find` reads what its predicates select, and what that is
/// expected to cost. Made by the planner without I/O; shown by `Display`.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The table read.
    pub table: &'static str,
    /// The accesses, one per branch of the predicate (a BatchGet serves
    /// several).
    pub accesses: Vec<Access>,
    /// How their items are combined.
    pub merge: Merge,
    /// Whether items seen twice (from overlapping branches) are dropped.
    pub deduplicate: bool,
    /// The order asked for, and whether it is descending.
    pub order: Option<(String, bool)>,
    /// At most this many items.
    pub limit: Option<usize>,
    /// Strongly consistent reads.
    pub consistent: bool,
    /// The attributes returned (all when `None`).
    pub projection: Option<Vec<String>>,
    /// The estimate of the whole plan.
    pub estimate: Estimate,
    /// The paths not chosen, and why.
    pub rejected: Vec<Rejection>,
    /// The whole predicate.
    pub predicate: Option<Condition>,
    pub(crate) entity: Option<Condition>,
    pub(crate) table_keys: Vec<&'static str>,
}

impl Plan {
    /// The operation, when the plan has one access.
    pub fn operation(&self) -> Option<Operation> {
        match self.accesses.as_slice() {
            [one] => Some(one.operation),
            _ => None,
        }
    }

    /// The indexes read, in access order (`None` for the table).
    pub fn indexes(&self) -> Vec<Option<&'static str>> {
        self.accesses.iter().map(|a| a.index).collect()
    }

    /// Whether some access fetches items back from the table.
    pub fn fetches_back(&self) -> bool {
        self.accesses.iter().any(|a| a.fetch_back)
    }

    /// The caller's predicates left to filters, over all accesses.
    pub fn residual(&self) -> Vec<&Condition> {
        self.accesses.iter().flat_map(|a| &a.residual).collect()
    }
}

/// `attribute = "value"` on the entity-type attribute.
fn entity_condition(schema: &TableSchema) -> Option<Condition> {
    schema.entity.map(|e| Condition::Compare {
        left: Operand::Path(Path::attribute(e.attribute)),
        op: Comparator::Eq,
        right: Operand::Value(AttributeValue::S(e.name.to_owned())),
    })
}

/// The items a request reads: of the planned type, or of any member of
/// the collection it asks for (`attribute IN (...)`; nothing to check when
/// the collection lists no entity types).
fn scope_condition(schema: &TableSchema, request: &FindRequest) -> Option<Condition> {
    let Some(members) = &request.collection else {
        return entity_condition(schema);
    };
    let entity = schema.entity?;
    let mut names = members
        .iter()
        .map(|n| Operand::Value(AttributeValue::S((*n).to_owned())));
    match members.len() {
        0 => None,
        1 => Some(Condition::Compare {
            left: Operand::Path(Path::attribute(entity.attribute)),
            op: Comparator::Eq,
            right: names.next()?,
        }),
        _ => Some(Condition::In {
            value: Operand::Path(Path::attribute(entity.attribute)),
            list: names.collect(),
        }),
    }
}

fn and_all(conditions: impl IntoIterator<Item = Condition>) -> Option<Condition> {
    conditions.into_iter().reduce(Condition::and)
}

fn selectivity(branch: &Branch, terms: &[usize]) -> f64 {
    terms
        .iter()
        .map(|&i| branch.terms[i].atom.selectivity())
        .product()
}

/// The top-level attributes a condition reads.
fn attributes(c: &Condition) -> Vec<&str> {
    c.paths().into_iter().map(Path::top).collect()
}

/// A plan for `request` on items of `schema`.
pub(crate) fn plan(
    schema: &TableSchema,
    fields: &[FieldInfo],
    request: &FindRequest,
    stats: &TableStatistics,
) -> Result<Plan, PlanError> {
    let branches = predicate::branches(request.predicate.as_ref())?;
    let paths = AccessPath::all(schema, |name, keys| {
        stats
            .index(name)
            .map_or(Stored::All, |i| Stored::of(&i.projection, keys))
    });
    let entity = scope_condition(schema, request);
    let own = entity_condition(schema);
    let table_keys: Vec<&'static str> = std::iter::once(schema.partition_key.name)
        .chain(schema.sort_key.map(|k| k.name))
        .collect();
    let mut rejected = Vec::new();
    let mut chosen: Vec<Access> = Vec::new();
    let mut unserved = false;
    let mut closest: Option<(f64, String)> = None;
    for (b, branch) in branches.iter().enumerate() {
        let mut candidates: Vec<Access> = Vec::new();
        for path in &paths {
            let reject = |reason: String| Rejection {
                index: path.index,
                path: path.kind,
                reason,
                branch: b,
            };
            let matched = match match_path(path, branch, fields, request.collection.is_some()) {
                Ok(m) => m,
                Err(m) => {
                    let share = m.bound as f64 / m.needed.max(1) as f64;
                    if m.bound > 0 && closest.as_ref().is_none_or(|(s, _)| share > *s) {
                        closest = Some((
                            share,
                            format!("{} would serve it, but {}", path.label(), m.reason),
                        ));
                    }
                    rejected.push(reject(m.reason));
                    continue;
                }
            };
            if request.consistent && path.kind == PathKind::GlobalIndex {
                if closest.as_ref().is_none_or(|(s, _)| *s < 1.0) {
                    closest = Some((
                        1.0,
                        format!(
                            "{} would serve it, but a global secondary index cannot be read with strong consistency",
                            path.label()
                        ),
                    ));
                }
                rejected.push(reject(
                    "a global secondary index cannot be read with strong consistency".into(),
                ));
                continue;
            }
            if let Some(order) = &request.order_by
                && !(matched.full_key && path.kind == PathKind::Table)
                && matched.order.as_deref() != Some(order.as_str())
                && !matched.fixed.contains(order)
            {
                rejected.push(reject(match &matched.order {
                    Some(o) => format!("it returns items in `{o}` order, not `{order}`"),
                    None => format!("it does not return items in `{order}` order"),
                }));
                continue;
            }
            candidates.push(access(path, branch, matched, request, stats, &entity, &own));
        }
        candidates.sort_by(|a, b| {
            (request.strict && !a.residual.is_empty())
                .cmp(&(request.strict && !b.residual.is_empty()))
                .then(a.estimate.read_units.total_cmp(&b.estimate.read_units))
                .then(a.estimate.items_read.total_cmp(&b.estimate.items_read))
                .then(a.operation.rank(a.path).cmp(&b.operation.rank(b.path)))
                .then(a.position.cmp(&b.position))
        });
        let mut candidates = candidates.into_iter();
        let Some(best) = candidates.next() else {
            unserved = true;
            continue;
        };
        for other in candidates {
            rejected.push(Rejection {
                index: other.index,
                path: other.path,
                reason: format!(
                    "{} on it costs {:.1} RCU for {:.1} items read, more than the chosen {:.1} RCU for {:.1}",
                    operation_name(other.operation),
                    other.estimate.read_units,
                    other.estimate.items_read,
                    best.estimate.read_units,
                    best.estimate.items_read
                ),
                branch: b,
            });
        }
        chosen.push(best);
    }
    let multi = branches.len() > 1;
    let mut plan = Plan {
        table: schema.table_name,
        accesses: Vec::new(),
        merge: Merge::Single,
        deduplicate: false,
        order: request.order_by.clone().map(|o| (o, request.descending)),
        limit: request.limit,
        consistent: request.consistent,
        projection: request.projection.clone(),
        estimate: Estimate::default(),
        rejected,
        predicate: request.predicate.clone(),
        entity: entity.clone(),
        table_keys,
    };
    if unserved {
        let filter = and_all(request.predicate.clone().into_iter().chain(entity.clone()));
        let branch = Branch {
            terms: branches.into_iter().flat_map(|b| b.terms).collect(),
        };
        let everything: Vec<usize> = (0..branch.terms.len()).collect();
        let shape = Shape {
            requests: 1,
            partition_fields: 0,
            full_key: false,
            sort_factor: 1.0,
            server_filter: if multi {
                0.5
            } else {
                selectivity(&branch, &everything)
            },
            client_filter: 1.0,
            fetch_back: false,
            scan: true,
        };
        let estimate = cost::estimate(&paths[0], &shape, stats, request.consistent, request.limit);
        let segments = request.segments.unwrap_or_else(|| {
            u32::try_from((stats.size_bytes / SEGMENT_BYTES).clamp(1, MAX_AUTO_SEGMENTS))
                .unwrap_or(1)
        });
        plan.accesses = vec![Access {
            operation: Operation::Scan,
            index: None,
            path: PathKind::Table,
            keys: Vec::new(),
            key_conditions: Vec::new(),
            filter,
            client_filter: None,
            fetch_back: false,
            fetch_reason: None,
            forward: true,
            segments,
            estimate,
            residual: request.predicate.clone().into_iter().collect(),
            order: None,
            sort_attributes: Vec::new(),
            position: usize::MAX,
            full_key: false,
        }];
        plan.estimate = estimate;
        if let Some(order) = &request.order_by {
            return Err(PlanError::Unordered {
                attribute: order.clone(),
                plan: Box::new(plan),
            });
        }
        if !request.allow_scan {
            let hint = match closest {
                Some((_, hint)) => hint,
                None => match first_equality(request.predicate.as_ref()) {
                    Some(attribute) => format!(
                        "no index has a partition key on `{attribute}`; declare one, e.g. gsi(name = \"by_{attribute}\", pk = \"{{{attribute}}}\")"
                    ),
                    None => "the predicate fixes no partition key with = or IN".to_owned(),
                },
            };
            return Err(PlanError::ScanRefused {
                plan: Box::new(plan),
                hint,
            });
        }
    } else if multi && chosen.iter().all(|a| a.full_key) {
        // Several full keys: one BatchGet, filtered by the whole predicate
        // when some branch left a term unserved.
        let mut keys: Vec<AttributeMap> = Vec::new();
        for key in chosen.iter().flat_map(|a| a.keys.iter()) {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        let residual: Vec<Condition> = chosen.iter().flat_map(|a| a.residual.clone()).collect();
        // A collection's items of other types are checked by the whole
        // predicate: their keys say nothing about it.
        let client_filter = if residual.is_empty() && request.collection.is_none() {
            entity.clone()
        } else {
            and_all(request.predicate.clone().into_iter().chain(entity.clone()))
        };
        let per = cost::per_item(stats, request.consistent);
        let estimate = Estimate {
            items_read: keys.len() as f64,
            items_returned: chosen.iter().map(|a| a.estimate.items_returned).sum(),
            read_units: keys.len() as f64 * per,
            requests: keys.len().div_ceil(100),
        };
        let mut first = chosen.swap_remove(0);
        first.operation = if keys.len() == 1 {
            Operation::Get
        } else {
            Operation::BatchGet
        };
        first.keys = keys;
        first.key_conditions = Vec::new();
        first.client_filter = client_filter;
        first.residual = residual;
        first.estimate = estimate;
        plan.accesses = vec![first];
        plan.estimate = estimate;
    } else {
        plan.deduplicate = chosen.len() > 1;
        let same_path = chosen.windows(2).all(|w| w[0].position == w[1].position);
        let streams: usize = chosen.iter().map(|a| a.key_conditions.len().max(1)).sum();
        plan.merge = if streams <= 1 && chosen.len() <= 1 {
            Merge::Single
        } else if let Some(order) = &request.order_by {
            Merge::ByAttribute(order.clone())
        } else if same_path
            && let Some(first) = chosen.first()
            && !first.sort_attributes.is_empty()
            && first.operation == Operation::Query
        {
            Merge::BySortKey(first.sort_attributes.clone())
        } else {
            Merge::Concatenated
        };
        plan.estimate = chosen
            .iter()
            .fold(Estimate::default(), |e, a| e.plus(a.estimate));
        plan.accesses = chosen;
    }
    if let Some(limit) = request.limit {
        plan.estimate.items_returned = plan.estimate.items_returned.min(limit as f64);
    }
    if request.strict && !plan.residual().is_empty() {
        let predicates = plan
            .residual()
            .into_iter()
            .map(|c| Readable(c).to_string())
            .collect();
        return Err(PlanError::Filtered {
            plan: Box::new(plan),
            predicates,
        });
    }
    Ok(plan)
}

/// Tables larger than this are scanned in parallel, one segment per this
/// many bytes.
pub const SEGMENT_BYTES: u64 = 256 * 1024 * 1024;
/// The most segments the planner chooses on its own.
const MAX_AUTO_SEGMENTS: u64 = 16;
/// The most segments DynamoDB accepts (`TotalSegments`).
pub const MAX_SEGMENTS: u32 = 1_000_000;

fn first_equality(c: Option<&Condition>) -> Option<String> {
    let branches = predicate::branches(c).ok()?;
    branches
        .iter()
        .flat_map(|b| &b.terms)
        .find_map(|t| match &t.atom {
            predicate::Atom::Eq(a, _) | predicate::Atom::In(a, _) => Some(a.clone()),
            _ => None,
        })
}

fn operation_name(op: Operation) -> &'static str {
    match op {
        Operation::Get => "GetItem",
        Operation::BatchGet => "BatchGetItem",
        Operation::Query => "Query",
        Operation::Scan => "Scan",
    }
}

/// The access `matched` makes of `path` for `branch`.
fn access(
    path: &AccessPath,
    branch: &Branch,
    matched: KeyMatch,
    request: &FindRequest,
    stats: &TableStatistics,
    entity: &Option<Condition>,
    own: &Option<Condition>,
) -> Access {
    let full_key = matched.full_key && path.kind == PathKind::Table;
    let residual: Vec<usize> = (0..branch.terms.len())
        .filter(|i| !matched.consumed.contains(i))
        .collect();
    let stored = |c: &Condition| attributes(c).iter().all(|a| path.stored.holds(a));
    // DynamoDB refuses a Query filter on the key attributes it queries by.
    let key_names: Vec<&str> = path
        .partition
        .iter()
        .chain(&path.sort)
        .map(|k| k.name)
        .collect();
    let on_server =
        |c: &Condition| stored(c) && attributes(c).iter().all(|a| !key_names.contains(a));
    let (server, client): (Vec<usize>, Vec<usize>) = if full_key {
        (Vec::new(), residual.clone())
    } else {
        residual
            .iter()
            .partition(|&&i| on_server(&branch.terms[i].condition))
    };
    let conditions = |terms: &[usize]| -> Vec<Condition> {
        terms
            .iter()
            .map(|&i| branch.terms[i].condition.clone())
            .collect()
    };
    let entity_on_server = !full_key && entity.as_ref().is_none_or(stored);
    let filter = and_all(
        conditions(&server)
            .into_iter()
            .chain(entity.clone().filter(|_| entity_on_server)),
    );
    // A collection's items of other types are checked against the terms
    // their keys were only assumed to satisfy.
    let recheck = and_all(conditions(&matched.recheck)).map(|c| match own {
        Some(own) => own.clone().or(c),
        None => c,
    });
    let client_filter = and_all(
        conditions(&client)
            .into_iter()
            .chain(entity.clone().filter(|_| !entity_on_server))
            .chain(recheck),
    );
    let missing: Vec<String> = match &request.projection {
        None if path.stored != Stored::All => vec!["all attributes".to_owned()],
        None => Vec::new(),
        Some(names) => names
            .iter()
            .chain(request.order_by.iter())
            .filter(|n| !path.stored.holds(n))
            .map(|n| format!("`{n}`"))
            .collect(),
    };
    let unstored = client_filter.as_ref().is_some_and(|c| !stored(c));
    let fetch_back = !full_key && (!missing.is_empty() || unstored);
    let fetch_reason = fetch_back.then(|| {
        let mut what = missing.clone();
        if let Some(c) = &client_filter {
            what.extend(
                attributes(c)
                    .into_iter()
                    .filter(|a| !path.stored.holds(a))
                    .map(|a| format!("`{a}`")),
            );
        }
        what.dedup();
        format!("{} does not store {}", path.label(), what.join(", "))
    });
    let operation = match (full_key, matched.conditions.len()) {
        (true, 1) => Operation::Get,
        (true, _) => Operation::BatchGet,
        (false, _) => Operation::Query,
    };
    let keys = if full_key {
        matched
            .conditions
            .iter()
            .map(|c| {
                c.terms
                    .iter()
                    .filter_map(|t| match &t.op {
                        SortKeyOp::Eq(v) => Some((t.name.clone(), v.clone())),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };
    let shape = Shape {
        requests: matched.conditions.len(),
        partition_fields: matched.partition_fields,
        full_key,
        sort_factor: matched.sort_factor,
        server_filter: selectivity(branch, &server),
        client_filter: selectivity(branch, &client),
        fetch_back,
        scan: false,
    };
    let estimate = cost::estimate(path, &shape, stats, request.consistent, request.limit);
    let sort_attributes: Vec<&'static str> = path.sort.iter().map(|k| k.name).collect();
    Access {
        operation,
        index: path.index,
        path: path.kind,
        keys,
        key_conditions: if full_key {
            Vec::new()
        } else {
            matched.conditions
        },
        filter,
        client_filter,
        fetch_back,
        fetch_reason,
        forward: !request.descending,
        segments: 1,
        estimate,
        residual: residual
            .iter()
            .map(|&i| branch.terms[i].condition.clone())
            .collect(),
        order: matched.order,
        sort_attributes,
        position: path.position,
        full_key,
    }
}

impl Access {
    /// The sort-key attributes of the path read, in key order.
    pub fn sort_attributes(&self) -> &[&'static str] {
        &self.sort_attributes
    }

    /// The attribute whose order this access returns items in.
    pub fn order(&self) -> Option<&str> {
        self.order.as_deref()
    }
}

/// A condition printed for people: names and values inline.
pub struct Readable<'a>(pub &'a Condition);

fn value(f: &mut fmt::Formatter<'_>, v: &AttributeValue) -> fmt::Result {
    match v {
        AttributeValue::S(s) => write!(f, "{s:?}"),
        AttributeValue::N(n) => write!(f, "{n}"),
        AttributeValue::Bool(b) => write!(f, "{b}"),
        other => write!(f, "{other:?}"),
    }
}

fn operand(f: &mut fmt::Formatter<'_>, o: &Operand) -> fmt::Result {
    match o {
        Operand::Path(p) => write!(f, "{}", dotted(p)),
        Operand::Value(v) => value(f, v),
        Operand::Size(p) => write!(f, "size({})", dotted(p)),
    }
}

fn dotted(p: &Path) -> String {
    let mut out = String::new();
    for (i, e) in p.elements.iter().enumerate() {
        match e {
            crate::expr::PathElement::Attribute(a) if i == 0 => out.push_str(a),
            crate::expr::PathElement::Attribute(a) => {
                out.push('.');
                out.push_str(a);
            }
            crate::expr::PathElement::Index(n) => out.push_str(&format!("[{n}]")),
        }
    }
    out
}

fn condition(f: &mut fmt::Formatter<'_>, c: &Condition, depth: usize) -> fmt::Result {
    if depth > predicate::MAX_DEPTH {
        return f.write_str("...");
    }
    match c {
        Condition::Compare { left, op, right } => {
            operand(f, left)?;
            write!(f, " {} ", op.symbol())?;
            operand(f, right)
        }
        Condition::Between { value, low, high } => {
            operand(f, value)?;
            f.write_str(" BETWEEN ")?;
            operand(f, low)?;
            f.write_str(" AND ")?;
            operand(f, high)
        }
        Condition::In { value, list } => {
            operand(f, value)?;
            f.write_str(" IN (")?;
            for (i, o) in list.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                operand(f, o)?;
            }
            f.write_str(")")
        }
        Condition::AttributeExists(p) => write!(f, "attribute_exists({})", dotted(p)),
        Condition::AttributeNotExists(p) => write!(f, "attribute_not_exists({})", dotted(p)),
        Condition::AttributeType(p, o) => {
            write!(f, "attribute_type({}, ", dotted(p))?;
            operand(f, o)?;
            f.write_str(")")
        }
        Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
            f.write_str(if matches!(c, Condition::BeginsWith(..)) {
                "begins_with("
            } else {
                "contains("
            })?;
            operand(f, a)?;
            f.write_str(", ")?;
            operand(f, b)?;
            f.write_str(")")
        }
        Condition::And(a, b) | Condition::Or(a, b) => {
            let word = if matches!(c, Condition::And(..)) {
                "AND"
            } else {
                "OR"
            };
            for (i, side) in [a, b].into_iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                let group = matches!(**side, Condition::And(..) | Condition::Or(..))
                    && std::mem::discriminant(&**side) != std::mem::discriminant(c);
                if group {
                    f.write_str("(")?;
                }
                condition(f, side, depth + 1)?;
                if group {
                    f.write_str(")")?;
                }
            }
            Ok(())
        }
        Condition::Not(a) => {
            f.write_str("NOT (")?;
            condition(f, a, depth + 1)?;
            f.write_str(")")
        }
    }
}

impl fmt::Display for Readable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        condition(f, self.0, 0)
    }
}

/// A key condition printed for people.
pub struct ReadableKey<'a>(pub &'a KeyCondition);

impl fmt::Display for ReadableKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.0.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" AND ")?;
            }
            match &term.op {
                SortKeyOp::Between(lo, hi) => {
                    write!(f, "{} BETWEEN ", term.name)?;
                    value(f, lo)?;
                    f.write_str(" AND ")?;
                    value(f, hi)?;
                }
                SortKeyOp::BeginsWith(p) => {
                    write!(f, "begins_with({}, ", term.name)?;
                    value(f, p)?;
                    f.write_str(")")?;
                }
                op => {
                    write!(f, "{} {} ", term.name, op.operator())?;
                    value(f, op.values()[0])?;
                }
            }
        }
        Ok(())
    }
}

fn key(f: &mut fmt::Formatter<'_>, key: &AttributeMap) -> fmt::Result {
    let mut names: Vec<&String> = key.keys().collect();
    names.sort();
    f.write_str("{")?;
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{name}: ")?;
        value(f, &key[name])?;
    }
    f.write_str("}")
}

fn path_name(index: Option<&str>, path: PathKind) -> String {
    match (index, path) {
        (Some(name), PathKind::GlobalIndex) => format!("GSI `{name}`"),
        (Some(name), _) => format!("LSI `{name}`"),
        (None, _) => "table".to_owned(),
    }
}

fn estimate(f: &mut fmt::Formatter<'_>, e: &Estimate, consistent: bool) -> fmt::Result {
    write!(
        f,
        "{:.1} items read, {:.1} returned, {:.1} RCU ({}), {} request{}",
        e.items_read,
        e.items_returned,
        e.read_units,
        if consistent {
            "strongly consistent"
        } else {
            "eventually consistent"
        },
        e.requests,
        if e.requests == 1 { "" } else { "s" }
    )
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "plan for table `{}`:", self.table)?;
        for (i, a) in self.accesses.iter().enumerate() {
            let head = match a.operation {
                Operation::Get => "GetItem on the table".to_owned(),
                Operation::BatchGet => {
                    format!("BatchGetItem of {} keys on the table", a.keys.len())
                }
                Operation::Query if a.key_conditions.len() > 1 => format!(
                    "Query {} ({} queries)",
                    path_name(a.index, a.path),
                    a.key_conditions.len()
                ),
                Operation::Query => format!("Query {}", path_name(a.index, a.path)),
                Operation::Scan if a.segments > 1 => {
                    format!("Scan the table in {} parallel segments", a.segments)
                }
                Operation::Scan => "Scan the table".to_owned(),
            };
            let number = if self.accesses.len() > 1 {
                format!("{}. ", i + 1)
            } else {
                String::new()
            };
            writeln!(f, "  {number}{head}")?;
            for k in &a.keys {
                f.write_str("    key: ")?;
                key(f, k)?;
                writeln!(f)?;
            }
            for c in &a.key_conditions {
                writeln!(f, "    key condition: {}", ReadableKey(c))?;
            }
            if let Some(c) = &a.filter {
                writeln!(f, "    filter: {}", Readable(c))?;
            }
            if let Some(c) = &a.client_filter {
                writeln!(f, "    checked by the client: {}", Readable(c))?;
            }
            if let Some(reason) = &a.fetch_reason {
                writeln!(f, "    fetch back from the table: {reason}")?;
            }
            if a.operation == Operation::Query && !a.forward {
                writeln!(f, "    descending")?;
            }
            f.write_str("    estimate: ")?;
            estimate(f, &a.estimate, self.consistent)?;
            writeln!(f)?;
        }
        match &self.merge {
            Merge::Single => {}
            Merge::Concatenated => writeln!(f, "  streams concatenated")?,
            Merge::BySortKey(keys) => writeln!(f, "  streams merged by {}", keys.join(", "))?,
            Merge::ByAttribute(a) => writeln!(f, "  streams merged by {a}")?,
        }
        if self.deduplicate {
            writeln!(f, "  items returned by two branches are returned once")?;
        }
        match &self.order {
            Some((a, true)) => writeln!(f, "  order: {a} descending")?,
            Some((a, false)) => writeln!(f, "  order: {a} ascending")?,
            None => {}
        }
        match &self.projection {
            Some(p) => writeln!(f, "  projection: {}", p.join(", "))?,
            None => writeln!(f, "  projection: all attributes")?,
        }
        if let Some(l) = self.limit {
            writeln!(f, "  limit: {l}")?;
        }
        f.write_str("  total: ")?;
        estimate(f, &self.estimate, self.consistent)?;
        writeln!(f)?;
        if !self.rejected.is_empty() {
            writeln!(f, "  rejected:")?;
            let branches = self.rejected.iter().map(|r| r.branch).max().unwrap_or(0) > 0;
            for r in &self.rejected {
                let prefix = if branches {
                    format!("branch {}: ", r.branch + 1)
                } else {
                    String::new()
                };
                writeln!(
                    f,
                    "    {prefix}{}: {}",
                    path_name(r.index, r.path),
                    r.reason
                )?;
            }
        }
        Ok(())
    }
}
