//! The query planner: `db.find::<T>()` takes typed predicates and decides
//! how DynamoDB reads what they select — GetItem, BatchGetItem, a Query on
//! the table or the best index (fanned out over IN/OR values and merged in
//! order), or, only when allowed, a Scan — and what that costs in read
//! units. Planning is pure ([`plan`] does no I/O); `client::find` runs it
//! with statistics from DescribeTable and executes the plan.
//!
//! Invariants the planner keeps: a plan returns exactly the items the
//! predicate selects (what a key condition does not serve exactly goes to
//! a filter, evaluated by DynamoDB or, where it lacks the attributes, by
//! the client after fetching items back from the table); a Scan is chosen
//! only when no branch of the predicate fixes a partition key of the table
//! or an index that holds every item it could select, and is refused
//! unless allowed; recursion over predicates is bounded
//! ([`predicate::MAX_DEPTH`]).
//!
//! ```
//! use dynamo_core::planner::{FindRequest, Operation, TableStatistics};
//! # use dynamo_core::planner::{FieldInfo, Plannable};
//! # use dynamo_core::*;
//! # struct Order;
//! # impl Item for Order {
//! #     type SortKey = u64;
//! #     const SCHEMA: TableSchema = TableSchema {
//! #         table_name: "orders",
//! #         partition_key: KeyAttributeSchema { name: "customer", scalar_type: schema::ScalarAttributeType::S, template: None },
//! #         sort_key: Some(KeyAttributeSchema { name: "order", scalar_type: schema::ScalarAttributeType::N, template: None }),
//! #         indexes: &[], entity: None, lifecycle: Lifecycle { version: None, ttl: None, created_at: None, updated_at: None },
//! #     };
//! #     fn to_item(&self) -> std::result::Result<AttributeMap, AttributeError> { Ok(AttributeMap::new()) }
//! #     fn from_item(_: AttributeMap) -> std::result::Result<Self, AttributeError> { Ok(Order) }
//! #     fn primary_key(&self) -> Key<Self> { Key::new(KeyValue::S("c".into()), None) }
//! # }
//! # impl Plannable for Order { const FIELDS: &'static [FieldInfo] = &[]; }
//! const CUSTOMER: Path<Order, String> = Path::new("customer");
//! const ORDER: Path<Order, u64> = Path::new("order");
//! let request = FindRequest {
//!     predicate: Some(CUSTOMER.eq("c1").and(ORDER.ge(10u64)).into_condition().unwrap()),
//!     ..FindRequest::default()
//! };
//! let plan = dynamo_core::planner::plan::<Order>(&request, &TableStatistics::default()).unwrap();
//! assert_eq!(plan.operation(), Some(Operation::Query));
//! assert!(plan.to_string().contains("key condition: customer = \"c1\" AND order >= 10"));
//! ```

mod access;
mod cost;
mod execute;
mod find;
mod plan;
pub mod predicate;
mod statistics;

pub use access::{MAX_FANOUT, PathKind};
pub use cost::Estimate;
pub use find::{Find, FindStream, STATISTICS_MAX_AGE};
pub use plan::{
    Access, FindRequest, MAX_SEGMENTS, Merge, Operation, Plan, Readable, ReadableKey, Rejection,
    SEGMENT_BYTES,
};
pub use statistics::{IndexStatistics, TableStatistics};

use crate::item::{AttributeError, Item};

/// A stored field of an item type, as the planner needs it: whether items
/// may lack it (a sparse index leaves them out) and whether it is a number
/// (a number rendered into a key without padding does not keep its order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The attribute name.
    pub attribute: &'static str,
    /// An `Option` field.
    pub optional: bool,
    /// A number field.
    pub numeric: bool,
}

/// An item type the planner can plan for; implemented by `#[derive(Item)]`.
pub trait Plannable: Item {
    /// The stored fields.
    const FIELDS: &'static [FieldInfo];
}

/// Why no plan serves a request.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Only a Scan serves the request, and scans were not allowed.
    #[error("refused to scan table `{}`: {hint}; call allow_scan() to scan anyway\n{plan}", plan.table)]
    ScanRefused {
        /// The Scan that would run.
        plan: Box<Plan>,
        /// The index that comes closest to serving it and what it lacks,
        /// or the index to declare.
        hint: String,
    },
    /// Strict mode: some predicate would be evaluated by a filter.
    #[error("strict mode: {} would be evaluated by a filter, not by a key condition\n{plan}", predicates.join(", "))]
    Filtered {
        /// The plan that would run.
        plan: Box<Plan>,
        /// The predicates left to filters.
        predicates: Vec<String>,
    },
    /// No access path returns items in the order asked for.
    #[error(
        "no index returns items in `{attribute}` order for this predicate; a Scan has no order\n{plan}"
    )]
    Unordered {
        /// The attribute asked to order by.
        attribute: String,
        /// The Scan that would be needed.
        plan: Box<Plan>,
    },
    /// The predicate is nested deeper than the planner reads.
    #[error("the predicate is nested deeper than {limit} levels")]
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// An operand of the predicate could not be converted.
    #[error(transparent)]
    Attribute(#[from] AttributeError),
}

impl PlanError {
    /// The plan the error is about, when there is one.
    pub fn plan(&self) -> Option<&Plan> {
        match self {
            Self::ScanRefused { plan, .. }
            | Self::Filtered { plan, .. }
            | Self::Unordered { plan, .. } => Some(plan),
            _ => None,
        }
    }
}

/// Why a [`Find`] returned no items: no plan, or a request that failed.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// No plan serves the request (a refused scan, strict mode, an order
    /// no index gives).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A request failed.
    #[error(transparent)]
    Request(#[from] crate::error::Error),
}

impl FindError {
    /// The plan error, if planning failed.
    pub fn plan_error(&self) -> Option<&PlanError> {
        match self {
            Self::Plan(e) => Some(e),
            Self::Request(_) => None,
        }
    }
}

/// The statistics the planner uses for `T`'s table: cached for
/// [`STATISTICS_MAX_AGE`], or fetched with DescribeTable.
pub async fn table_statistics<T: Item>(
    client: &crate::client::Client,
    refresh: bool,
) -> crate::error::Result<std::sync::Arc<TableStatistics>> {
    if refresh {
        find::refresh(client, T::SCHEMA.table_name).await
    } else {
        find::statistics(client, T::SCHEMA.table_name).await
    }
}

/// The plan for `request` on items of `T`, from `stats`; no I/O.
pub fn plan<T: Plannable>(
    request: &FindRequest,
    stats: &TableStatistics,
) -> Result<Plan, PlanError> {
    plan::plan(&T::SCHEMA, T::FIELDS, request, stats)
}
