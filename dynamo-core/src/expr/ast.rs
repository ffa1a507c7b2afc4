//! The expression AST. Names and values are resolved: a path holds
//! attribute names, an operand may hold an `AttributeValue`. The typed API
//! builds these directly; the parser builds them from DynamoDB's strings;
//! the engine evaluates them; the printer turns them back into strings with
//! placeholders.

use crate::value::AttributeValue;
use std::fmt;

/// One step of a document path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    /// A map key, or the top-level attribute name.
    Attribute(String),
    /// A list index (`[3]`).
    Index(u32),
}

/// A document path: `a.b[2].c`. The first element is always an attribute name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path {
    /// The steps, outermost first.
    pub elements: Vec<PathElement>,
}

impl Path {
    /// The top-level attribute `name`.
    pub fn attribute(name: impl Into<String>) -> Self {
        Self {
            elements: vec![PathElement::Attribute(name.into())],
        }
    }

    /// This path followed by the map key `name`.
    pub fn key(mut self, name: impl Into<String>) -> Self {
        self.elements.push(PathElement::Attribute(name.into()));
        self
    }

    /// This path followed by the list index `index`.
    pub fn index(mut self, index: u32) -> Self {
        self.elements.push(PathElement::Index(index));
        self
    }

    /// The top-level attribute this path starts at.
    pub fn top(&self) -> &str {
        match self.elements.first() {
            Some(PathElement::Attribute(name)) => name,
            _ => "",
        }
    }

    /// Whether one path is a prefix of the other (they overlap).
    pub fn overlaps(&self, other: &Path) -> bool {
        self.elements
            .iter()
            .zip(&other.elements)
            .all(|(a, b)| a == b)
    }

    /// Whether the paths use the same prefix once as a map and once as a
    /// list (`a.b` and `a[0]`), which DynamoDB calls a conflict.
    pub fn conflicts(&self, other: &Path) -> bool {
        for (a, b) in self.elements.iter().zip(&other.elements) {
            match (a, b) {
                (PathElement::Attribute(x), PathElement::Attribute(y)) if x == y => {}
                (PathElement::Index(x), PathElement::Index(y)) if x == y => {}
                (PathElement::Attribute(_), PathElement::Index(_))
                | (PathElement::Index(_), PathElement::Attribute(_)) => return true,
                _ => return false,
            }
        }
        false
    }
}

impl fmt::Display for Path {
    /// DynamoDB's rendering in error messages: `[a, b, [0]]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, element) in self.elements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match element {
                PathElement::Attribute(name) => f.write_str(name)?,
                PathElement::Index(index) => write!(f, "[{index}]")?,
            }
        }
        f.write_str("]")
    }
}

/// A value in a condition: an attribute, a literal, or `size(path)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// The attribute at a path.
    Path(Path),
    /// A literal value (an `ExpressionAttributeValues` entry).
    Value(AttributeValue),
    /// `size(path)`.
    Size(Path),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }
}

/// A condition or filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `left op right`
    Compare {
        /// Left operand.
        left: Operand,
        /// Operator.
        op: Comparator,
        /// Right operand.
        right: Operand,
    },
    /// `value BETWEEN low AND high`
    Between {
        /// Tested operand.
        value: Operand,
        /// Inclusive lower bound.
        low: Operand,
        /// Inclusive upper bound.
        high: Operand,
    },
    /// `value IN (a, b, ...)` with 1 to 100 candidates.
    In {
        /// Tested operand.
        value: Operand,
        /// Candidates.
        list: Vec<Operand>,
    },
    /// `attribute_exists(path)`
    AttributeExists(Path),
    /// `attribute_not_exists(path)`
    AttributeNotExists(Path),
    /// `attribute_type(path, :type)`
    AttributeType(Path, Operand),
    /// `begins_with(path, operand)`
    BeginsWith(Operand, Operand),
    /// `contains(path, operand)`
    Contains(Operand, Operand),
    /// `a AND b`
    And(Box<Condition>, Box<Condition>),
    /// `a OR b`
    Or(Box<Condition>, Box<Condition>),
    /// `NOT a`
    Not(Box<Condition>),
}

impl Condition {
    /// `self AND other`.
    pub fn and(self, other: Condition) -> Condition {
        Condition::And(Box::new(self), Box::new(other))
    }

    /// `self OR other`.
    pub fn or(self, other: Condition) -> Condition {
        Condition::Or(Box::new(self), Box::new(other))
    }

    /// `NOT self`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Condition {
        Condition::Not(Box::new(self))
    }

    /// Every document path the condition reads.
    pub fn paths(&self) -> Vec<&Path> {
        fn operand<'a>(o: &'a Operand, out: &mut Vec<&'a Path>) {
            if let Operand::Path(p) | Operand::Size(p) = o {
                out.push(p);
            }
        }
        fn walk<'a>(c: &'a Condition, out: &mut Vec<&'a Path>) {
            match c {
                Condition::Compare { left, right, .. } => {
                    operand(left, out);
                    operand(right, out);
                }
                Condition::Between { value, low, high } => {
                    for o in [value, low, high] {
                        operand(o, out);
                    }
                }
                Condition::In { value, list } => {
                    operand(value, out);
                    list.iter().for_each(|o| operand(o, out));
                }
                Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => out.push(p),
                Condition::AttributeType(p, o) => {
                    out.push(p);
                    operand(o, out);
                }
                Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
                    operand(a, out);
                    operand(b, out);
                }
                Condition::And(a, b) | Condition::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Condition::Not(a) => walk(a, out),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

/// A value on the right of `SET path = ...`.
#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    /// A single operand.
    Operand(UpdateOperand),
    /// `a + b` (numbers).
    Plus(UpdateOperand, UpdateOperand),
    /// `a - b` (numbers).
    Minus(UpdateOperand, UpdateOperand),
}

/// An operand of an update's SET value.
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateOperand {
    /// The attribute at a path (as it was before the update).
    Path(Path),
    /// A literal value.
    Value(AttributeValue),
    /// `if_not_exists(path, operand)`.
    IfNotExists(Path, Box<UpdateOperand>),
    /// `list_append(a, b)`.
    ListAppend(Box<UpdateOperand>, Box<UpdateOperand>),
}

/// One `SET path = value` action.
#[derive(Clone, Debug, PartialEq)]
pub struct SetAction {
    /// Where to write.
    pub path: Path,
    /// What to write.
    pub value: SetValue,
}

/// An update expression: its four clauses, each optional.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Update {
    /// `SET` actions.
    pub set: Vec<SetAction>,
    /// `REMOVE` paths.
    pub remove: Vec<Path>,
    /// `ADD path value` actions (numbers and sets).
    pub add: Vec<(Path, AttributeValue)>,
    /// `DELETE path set` actions.
    pub delete: Vec<(Path, AttributeValue)>,
}

impl Update {
    /// Every path the update writes, in clause order.
    pub fn target_paths(&self) -> impl Iterator<Item = &Path> {
        self.set
            .iter()
            .map(|a| &a.path)
            .chain(&self.remove)
            .chain(self.add.iter().map(|(p, _)| p))
            .chain(self.delete.iter().map(|(p, _)| p))
    }

    /// Whether the update has no action at all.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
            && self.remove.is_empty()
            && self.add.is_empty()
            && self.delete.is_empty()
    }
}

/// A projection expression: the paths to return.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Projection {
    /// The paths, in the order given.
    pub paths: Vec<Path>,
}

/// Which expression parameter a text came from; names the expression in
/// error messages (`Invalid ConditionExpression: ...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpressionKind {
    /// `ConditionExpression`
    Condition,
    /// `FilterExpression`
    Filter,
    /// `KeyConditionExpression`
    KeyCondition,
    /// `UpdateExpression`
    Update,
    /// `ProjectionExpression`
    Projection,
}

impl ExpressionKind {
    /// The request parameter's name.
    pub fn parameter(self) -> &'static str {
        match self {
            Self::Condition => "ConditionExpression",
            Self::Filter => "FilterExpression",
            Self::KeyCondition => "KeyConditionExpression",
            Self::Update => "UpdateExpression",
            Self::Projection => "ProjectionExpression",
        }
    }
}
