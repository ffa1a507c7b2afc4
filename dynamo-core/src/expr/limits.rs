//! DynamoDB's limits on an expression's size, checked on the AST so that
//! they hold however the expression was made (parsed from a string, built
//! by the typed API, converted from legacy parameters).
//!
//! Every recursive walk over an expression (evaluation, printing, update
//! application, dropping) descends one level per operator or function, so
//! the operator limit is also what bounds their stack depth. The walks here
//! use an explicit stack and never recurse, so they are safe on any AST.

use super::ast::*;
use crate::error::Error;

/// Most operators (comparisons, `BETWEEN`, `IN`, `AND`, `OR`, `NOT`; in an
/// update also `+`, `-`, `if_not_exists` and `list_append`) one expression
/// may hold.
pub const MAX_OPERATORS: usize = 300;

/// Deepest document path: 32 elements.
pub const MAX_PATH_DEPTH: usize = 32;

/// DynamoDB's error for an expression with more than [`MAX_OPERATORS`]
/// operators. DynamoDB stops counting at the first one over the limit, so
/// the count it reports is always 301.
pub(crate) fn too_many_operators(kind: ExpressionKind) -> Error {
    Error::Validation(format!(
        "Invalid {}: The expression contains too many operators; operator count: {}",
        kind.parameter(),
        MAX_OPERATORS + 1
    ))
}

/// DynamoDB's error for a document path of more than 32 elements.
pub(crate) fn path_too_deep(kind: ExpressionKind, depth: usize) -> Error {
    Error::Validation(format!(
        "Invalid {}: The document path has too many nesting levels; nesting levels: {depth}",
        kind.parameter()
    ))
}

fn check_path(kind: ExpressionKind, path: &Path) -> Result<(), Error> {
    if path.elements.len() > MAX_PATH_DEPTH {
        return Err(path_too_deep(kind, path.elements.len()));
    }
    Ok(())
}

fn check_operand(kind: ExpressionKind, operand: &Operand) -> Result<(), Error> {
    match operand {
        Operand::Path(path) | Operand::Size(path) => check_path(kind, path),
        Operand::Value(_) => Ok(()),
    }
}

/// Counts operators one at a time against the limit.
struct Counter {
    kind: ExpressionKind,
    count: usize,
}

impl Counter {
    fn one(&mut self) -> Result<(), Error> {
        self.count += 1;
        if self.count > MAX_OPERATORS {
            return Err(too_many_operators(self.kind));
        }
        Ok(())
    }
}

impl Condition {
    /// Checks DynamoDB's limits on a condition, filter or key condition:
    /// at most 300 operators and paths of at most 32 elements. The error
    /// names the expression parameter `kind`.
    pub fn check_limits(&self, kind: ExpressionKind) -> Result<(), Error> {
        let mut counter = Counter { kind, count: 0 };
        let mut pending = vec![self];
        while let Some(condition) = pending.pop() {
            match condition {
                Condition::And(a, b) | Condition::Or(a, b) => {
                    counter.one()?;
                    pending.push(b);
                    pending.push(a);
                }
                Condition::Not(a) => {
                    counter.one()?;
                    pending.push(a);
                }
                Condition::Compare { left, right, .. } => {
                    counter.one()?;
                    check_operand(kind, left)?;
                    check_operand(kind, right)?;
                }
                Condition::Between { value, low, high } => {
                    counter.one()?;
                    for operand in [value, low, high] {
                        check_operand(kind, operand)?;
                    }
                }
                Condition::In { value, list } => {
                    counter.one()?;
                    check_operand(kind, value)?;
                    for operand in list {
                        check_operand(kind, operand)?;
                    }
                }
                Condition::AttributeExists(path) | Condition::AttributeNotExists(path) => {
                    check_path(kind, path)?;
                }
                Condition::AttributeType(path, operand) => {
                    check_path(kind, path)?;
                    check_operand(kind, operand)?;
                }
                Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
                    check_operand(kind, a)?;
                    check_operand(kind, b)?;
                }
            }
        }
        Ok(())
    }
}

impl Update {
    /// Checks DynamoDB's limits on an update expression: at most 300
    /// operators and functions, and paths of at most 32 elements.
    pub fn check_limits(&self) -> Result<(), Error> {
        let kind = ExpressionKind::Update;
        let mut counter = Counter { kind, count: 0 };
        let mut operands: Vec<&UpdateOperand> = Vec::new();
        for action in &self.set {
            check_path(kind, &action.path)?;
            match &action.value {
                SetValue::Operand(operand) => operands.push(operand),
                SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
                    counter.one()?;
                    operands.push(a);
                    operands.push(b);
                }
            }
            while let Some(operand) = operands.pop() {
                match operand {
                    UpdateOperand::Path(path) => check_path(kind, path)?,
                    UpdateOperand::Value(_) => {}
                    UpdateOperand::IfNotExists(path, fallback) => {
                        counter.one()?;
                        check_path(kind, path)?;
                        operands.push(fallback);
                    }
                    UpdateOperand::ListAppend(a, b) => {
                        counter.one()?;
                        operands.push(a);
                        operands.push(b);
                    }
                }
            }
        }
        for path in self
            .remove
            .iter()
            .chain(self.add.iter().map(|(p, _)| p))
            .chain(self.delete.iter().map(|(p, _)| p))
        {
            check_path(kind, path)?;
        }
        Ok(())
    }
}

impl Projection {
    /// Checks DynamoDB's limit on a projection: paths of at most 32
    /// elements.
    pub fn check_limits(&self) -> Result<(), Error> {
        self.paths
            .iter()
            .try_for_each(|path| check_path(ExpressionKind::Projection, path))
    }
}
