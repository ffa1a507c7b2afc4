//! Printing ASTs back to DynamoDB's expression strings, with a generated
//! placeholder for every name (`#n0`, so reserved words and any characters
//! are safe) and every value (`:v0`). Parentheses appear only where
//! precedence needs them, so the output parses back to the same AST.

use super::ast::*;
use crate::value::{AttributeMap, AttributeValue};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Expression strings with their attribute-name and attribute-value
/// placeholders, as DynamoDB's API takes them. Several expressions of one
/// request share one `PrintedExpression`, hence one set of placeholders.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PrintedExpression {
    /// The last expression printed.
    pub expression: String,
    /// `ExpressionAttributeNames`.
    pub names: HashMap<String, String>,
    /// `ExpressionAttributeValues`.
    pub values: AttributeMap,
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

    /// `ExpressionAttributeNames`, or `None` when empty (DynamoDB rejects
    /// an empty map).
    pub fn names_or_none(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    /// `ExpressionAttributeValues`, or `None` when empty.
    pub fn values_or_none(&self) -> Option<AttributeMap> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }

    /// Prints a path.
    pub fn path(&mut self, path: &Path) -> String {
        let mut out = String::new();
        for (i, element) in path.elements.iter().enumerate() {
            match element {
                PathElement::Attribute(name) => {
                    if i > 0 {
                        out.push('.');
                    }
                    let placeholder = self.name(name);
                    out.push_str(&placeholder);
                }
                PathElement::Index(index) => {
                    let _ = write!(out, "[{index}]");
                }
            }
        }
        out
    }

    fn operand(&mut self, operand: &Operand) -> String {
        match operand {
            Operand::Path(path) => self.path(path),
            Operand::Value(value) => self.value(value),
            Operand::Size(path) => format!("size({})", self.path(path)),
        }
    }

    fn condition_text(&mut self, condition: &Condition) -> String {
        match condition {
            Condition::Or(a, b) => {
                let l = self.wrapped(a, precedence(a) < 1);
                let r = self.wrapped(b, precedence(b) <= 1);
                format!("{l} OR {r}")
            }
            Condition::And(a, b) => {
                let l = self.wrapped(a, precedence(a) < 2);
                let r = self.wrapped(b, precedence(b) <= 2);
                format!("{l} AND {r}")
            }
            Condition::Not(a) => {
                let inner = self.wrapped(a, precedence(a) < 3);
                format!("NOT {inner}")
            }
            Condition::Compare { left, op, right } => {
                let (l, r) = (self.operand(left), self.operand(right));
                format!("{l} {} {r}", op.symbol())
            }
            Condition::Between { value, low, high } => {
                let (v, lo, hi) = (self.operand(value), self.operand(low), self.operand(high));
                format!("{v} BETWEEN {lo} AND {hi}")
            }
            Condition::In { value, list } => {
                let v = self.operand(value);
                let list: Vec<String> = list.iter().map(|o| self.operand(o)).collect();
                format!("{v} IN ({})", list.join(", "))
            }
            Condition::AttributeExists(path) => format!("attribute_exists({})", self.path(path)),
            Condition::AttributeNotExists(path) => {
                format!("attribute_not_exists({})", self.path(path))
            }
            Condition::AttributeType(path, t) => {
                let (p, t) = (self.path(path), self.operand(t));
                format!("attribute_type({p}, {t})")
            }
            Condition::BeginsWith(a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                format!("begins_with({a}, {b})")
            }
            Condition::Contains(a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                format!("contains({a}, {b})")
            }
        }
    }

    fn wrapped(&mut self, condition: &Condition, parens: bool) -> String {
        let text = self.condition_text(condition);
        if parens { format!("({text})") } else { text }
    }

    /// Prints a condition or filter; the text is returned and also kept in
    /// `expression`.
    pub fn condition(&mut self, condition: &Condition) -> String {
        let text = self.condition_text(condition);
        self.expression = text.clone();
        text
    }

    fn update_operand(&mut self, operand: &UpdateOperand) -> String {
        match operand {
            UpdateOperand::Path(path) => self.path(path),
            UpdateOperand::Value(value) => self.value(value),
            UpdateOperand::IfNotExists(path, fallback) => {
                let (p, f) = (self.path(path), self.update_operand(fallback));
                format!("if_not_exists({p}, {f})")
            }
            UpdateOperand::ListAppend(a, b) => {
                let (a, b) = (self.update_operand(a), self.update_operand(b));
                format!("list_append({a}, {b})")
            }
        }
    }

    /// Prints an update expression.
    pub fn update(&mut self, update: &Update) -> String {
        let mut clauses = Vec::new();
        if !update.set.is_empty() {
            let actions: Vec<String> = update
                .set
                .iter()
                .map(|action| {
                    let path = self.path(&action.path);
                    let value = match &action.value {
                        SetValue::Operand(o) => self.update_operand(o),
                        SetValue::Plus(a, b) => {
                            let (a, b) = (self.update_operand(a), self.update_operand(b));
                            format!("{a} + {b}")
                        }
                        SetValue::Minus(a, b) => {
                            let (a, b) = (self.update_operand(a), self.update_operand(b));
                            format!("{a} - {b}")
                        }
                    };
                    format!("{path} = {value}")
                })
                .collect();
            clauses.push(format!("SET {}", actions.join(", ")));
        }
        if !update.remove.is_empty() {
            let paths: Vec<String> = update.remove.iter().map(|p| self.path(p)).collect();
            clauses.push(format!("REMOVE {}", paths.join(", ")));
        }
        for (keyword, actions) in [("ADD", &update.add), ("DELETE", &update.delete)] {
            if !actions.is_empty() {
                let actions: Vec<String> = actions
                    .iter()
                    .map(|(path, value)| {
                        let (p, v) = (self.path(path), self.value(value));
                        format!("{p} {v}")
                    })
                    .collect();
                clauses.push(format!("{keyword} {}", actions.join(", ")));
            }
        }
        let text = clauses.join(" ");
        self.expression = text.clone();
        text
    }

    /// Prints a projection expression.
    pub fn projection(&mut self, projection: &Projection) -> String {
        let paths: Vec<String> = projection.paths.iter().map(|p| self.path(p)).collect();
        let text = paths.join(", ");
        self.expression = text.clone();
        text
    }
}

fn precedence(condition: &Condition) -> u8 {
    match condition {
        Condition::Or(..) => 1,
        Condition::And(..) => 2,
        Condition::Not(_) => 3,
        _ => 4,
    }
}
