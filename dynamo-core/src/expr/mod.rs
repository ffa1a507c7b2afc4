//! DynamoDB expressions, once: the AST ([`ast`]), the parser of
//! DynamoDB's string syntax with placeholder resolution and DynamoDB's
//! errors ([`ExpressionContext`]), the printer back to strings with
//! generated placeholders ([`PrintedExpression`]), and the evaluator with
//! DynamoDB's semantics (`Condition::evaluate`, `Update::apply`,
//! `Projection::apply`).

pub mod ast;
mod eval;
mod key_condition;
mod limits;
mod parse;
mod print;
mod reserved;

pub use ast::*;
pub use eval::{compare_values, project_paths, resolve};
pub use key_condition::{KeyCondition, KeyTerm, SortKeyOp};
pub use limits::{MAX_OPERATORS, MAX_PATH_DEPTH};
pub use parse::{ExpressionContext, MAX_EXPRESSION_BYTES, MAX_IN_OPERANDS};
pub use print::PrintedExpression;
pub use reserved::is_reserved;
