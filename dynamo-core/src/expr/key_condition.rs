//! Key conditions: what a Query selects. Equality on every partition-key
//! attribute, then conditions on sort-key attributes from left to right,
//! equality on all but the last (one partition key and at most one sort-key
//! condition for tables and classic indexes; up to four of each for
//! multi-attribute GSI keys).

use super::print::PrintedExpression;
use crate::value::AttributeValue;

/// A Query's key condition: one term per key attribute, with names and
/// values resolved. Which term is the partition key is decided against the
/// table's (or index's) key schema when the query runs, since a parsed
/// `KeyConditionExpression` does not say.
///
/// ```
/// use dynamo_core::expr::{KeyCondition, SortKeyOp};
/// let kc = KeyCondition::partition("pk", "customer#1")
///     .and_sort_key("sk", SortKeyOp::BeginsWith("order#".into()));
/// assert_eq!(kc.terms.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCondition {
    /// The terms, joined by `AND`.
    pub terms: Vec<KeyTerm>,
}

/// A condition on one key attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyTerm {
    /// The key attribute's name.
    pub name: String,
    /// The comparison.
    pub op: SortKeyOp,
}

/// The comparisons DynamoDB allows on a sort key.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKeyOp {
    /// `sk = v`
    Eq(AttributeValue),
    /// `sk < v`
    Lt(AttributeValue),
    /// `sk <= v`
    Le(AttributeValue),
    /// `sk > v`
    Gt(AttributeValue),
    /// `sk >= v`
    Ge(AttributeValue),
    /// `sk BETWEEN low AND high` (both inclusive).
    Between(AttributeValue, AttributeValue),
    /// `begins_with(sk, prefix)`, for string and binary keys.
    BeginsWith(AttributeValue),
}

impl SortKeyOp {
    /// The operator as written in an expression (`=`, `BETWEEN`, `begins_with`, ...).
    pub fn operator(&self) -> &'static str {
        match self {
            Self::Eq(_) => "=",
            Self::Lt(_) => "<",
            Self::Le(_) => "<=",
            Self::Gt(_) => ">",
            Self::Ge(_) => ">=",
            Self::Between(..) => "BETWEEN",
            Self::BeginsWith(_) => "begins_with",
        }
    }

    /// The values compared against.
    pub fn values(&self) -> Vec<&AttributeValue> {
        match self {
            Self::Eq(v) | Self::Lt(v) | Self::Le(v) | Self::Gt(v) | Self::Ge(v) => vec![v],
            Self::BeginsWith(v) => vec![v],
            Self::Between(lo, hi) => vec![lo, hi],
        }
    }
}

impl KeyCondition {
    /// `name = value` on a partition-key attribute.
    pub fn partition(name: impl Into<String>, value: impl Into<AttributeValue>) -> Self {
        Self {
            terms: vec![KeyTerm {
                name: name.into(),
                op: SortKeyOp::Eq(value.into()),
            }],
        }
    }

    /// Adds `name = value` on another partition-key attribute (for
    /// multi-attribute GSI keys).
    pub fn and_partition(
        mut self,
        name: impl Into<String>,
        value: impl Into<AttributeValue>,
    ) -> Self {
        self.terms.push(KeyTerm {
            name: name.into(),
            op: SortKeyOp::Eq(value.into()),
        });
        self
    }

    /// Adds a condition on a sort-key attribute.
    pub fn and_sort_key(mut self, name: impl Into<String>, op: SortKeyOp) -> Self {
        self.terms.push(KeyTerm {
            name: name.into(),
            op,
        });
        self
    }

    /// The term on attribute `name`, if any.
    pub fn term(&self, name: &str) -> Option<&KeyTerm> {
        self.terms.iter().find(|t| t.name == name)
    }
}

impl KeyCondition {
    /// This condition as a `KeyConditionExpression` with placeholders for
    /// every name and value (so reserved words and any characters are safe).
    ///
    /// ```
    /// use dynamo_core::expr::{KeyCondition, SortKeyOp};
    /// let printed = KeyCondition::partition("pk", "a")
    ///     .and_sort_key("sk", SortKeyOp::BeginsWith("x".into()))
    ///     .print();
    /// assert_eq!(printed.expression, "#n0 = :v0 AND begins_with(#n1, :v1)");
    /// ```
    pub fn print(&self) -> PrintedExpression {
        let mut out = PrintedExpression::default();
        self.print_into(&mut out);
        out
    }

    /// Appends this condition to `out`, sharing its placeholders.
    pub fn print_into(&self, out: &mut PrintedExpression) {
        let mut terms = Vec::with_capacity(self.terms.len());
        for condition in &self.terms {
            let n = out.name(&condition.name);
            terms.push(match &condition.op {
                SortKeyOp::Between(lo, hi) => {
                    let (lo, hi) = (out.value(lo), out.value(hi));
                    format!("{n} BETWEEN {lo} AND {hi}")
                }
                SortKeyOp::BeginsWith(prefix) => format!("begins_with({n}, {})", out.value(prefix)),
                op => {
                    let v = out.value(op.values()[0]);
                    format!("{n} {} {v}", op.operator())
                }
            });
        }
        out.expression = terms.join(" AND ");
    }
}
