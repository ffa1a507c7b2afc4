//! Key conditions: what a Query selects. Equality on every partition-key
//! attribute, then conditions on sort-key attributes from left to right,
//! equality on all but the last (one partition key and at most one sort-key
//! condition for tables and classic indexes; up to four of each for
//! multi-attribute GSI keys).

use crate::value::AttributeValue;

/// A Query's key condition, with attribute names and values resolved.
///
/// ```
/// use dynamo_core::expr::{KeyCondition, SortKeyOp};
/// let kc = KeyCondition::partition("pk", "customer#1")
///     .and_sort_key("sk", SortKeyOp::BeginsWith("order#".into()));
/// assert_eq!(kc.partition_key.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCondition {
    /// `name = value` for each partition-key attribute.
    pub partition_key: Vec<(String, AttributeValue)>,
    /// Conditions on the sort-key attributes, in key-schema order.
    pub sort_key: Vec<SortKeyCondition>,
}

/// A condition on one sort-key attribute.
#[derive(Clone, Debug, PartialEq)]
pub struct SortKeyCondition {
    /// The sort-key attribute's name.
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
    /// `name = value` on a single partition key.
    pub fn partition(name: impl Into<String>, value: impl Into<AttributeValue>) -> Self {
        Self {
            partition_key: vec![(name.into(), value.into())],
            sort_key: Vec::new(),
        }
    }

    /// Adds a condition on the next sort-key attribute.
    pub fn and_sort_key(mut self, name: impl Into<String>, op: SortKeyOp) -> Self {
        self.sort_key.push(SortKeyCondition {
            name: name.into(),
            op,
        });
        self
    }
}

/// An expression string with its attribute-name and attribute-value
/// placeholders, as DynamoDB's API takes it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PrintedExpression {
    /// The expression, with `#n…` for names and `:v…` for values.
    pub expression: String,
    /// `ExpressionAttributeNames`.
    pub names: std::collections::HashMap<String, String>,
    /// `ExpressionAttributeValues`.
    pub values: crate::value::AttributeMap,
}

impl PrintedExpression {
    /// Registers an attribute name and returns its placeholder.
    pub fn name(&mut self, name: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, n)| *n == name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    /// Registers a value and returns its placeholder.
    pub fn value(&mut self, value: &AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value.clone());
        placeholder
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
        let mut terms = Vec::with_capacity(self.partition_key.len() + self.sort_key.len());
        for (name, value) in &self.partition_key {
            let (n, v) = (out.name(name), out.value(value));
            terms.push(format!("{n} = {v}"));
        }
        for condition in &self.sort_key {
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
