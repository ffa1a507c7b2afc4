//! DynamoDB expressions as one AST. So far: key conditions of Query.

mod key_condition;

pub use key_condition::{KeyCondition, PrintedExpression, SortKeyCondition, SortKeyOp};
