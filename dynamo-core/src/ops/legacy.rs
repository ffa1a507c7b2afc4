//! DynamoDB's legacy (pre-expression) parameters, converted to the same
//! ASTs the expressions produce: `Expected` and `QueryFilter`/`ScanFilter`
//! become conditions, `KeyConditions` a key condition, `AttributesToGet` a
//! projection, `AttributeUpdates` an update. The engine never sees them.

use crate::error::Error;
use crate::expr::{
    Comparator, Condition, KeyCondition, KeyTerm, Operand, Path, Projection, SetAction, SetValue,
    SortKeyOp, Update, UpdateOperand,
};
use crate::value::AttributeValue;
use serde::Deserialize;
use std::collections::HashMap;

/// A legacy condition on one attribute (`QueryFilter`, `ScanFilter`, `KeyConditions`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LegacyCondition {
    comparison_operator: Option<String>,
    attribute_value_list: Option<Vec<AttributeValue>>,
}

/// One entry of `Expected`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ExpectedAttributeValue {
    value: Option<AttributeValue>,
    exists: Option<bool>,
    comparison_operator: Option<String>,
    attribute_value_list: Option<Vec<AttributeValue>>,
}

/// One entry of `AttributeUpdates`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeValueUpdate {
    value: Option<AttributeValue>,
    action: Option<String>,
}

fn invalid(message: String) -> Error {
    Error::Validation(format!(
        "One or more parameter values were invalid: {message}"
    ))
}

const OPERATORS: &str =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

/// The condition `name <operator> args` means.
fn comparison(name: &str, operator: &str, args: Vec<AttributeValue>) -> Result<Condition, Error> {
    let expected = match operator {
        "NULL" | "NOT_NULL" => Some(0),
        "BETWEEN" => Some(2),
        "IN" => None,
        "EQ" | "NE" | "LE" | "LT" | "GE" | "GT" | "CONTAINS" | "NOT_CONTAINS" | "BEGINS_WITH" => {
            Some(1)
        }
        other => {
            return Err(super::invalid_member(
                super::Shown::Value(other),
                "comparisonOperator",
                &format!("Member must satisfy enum value set: {OPERATORS}"),
            ));
        }
    };
    if expected.is_some_and(|n| n != args.len()) || (expected.is_none() && args.is_empty()) {
        return Err(invalid(format!(
            "Invalid number of argument(s) for the {operator} ComparisonOperator"
        )));
    }
    if matches!(operator, "CONTAINS" | "NOT_CONTAINS" | "BEGINS_WITH")
        && let Some(arg) = args.first()
        && !matches!(
            arg,
            AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_)
        )
    {
        return Err(invalid(format!(
            "ComparisonOperator {operator} is not valid for {} AttributeValue type",
            arg.type_name()
        )));
    }
    let path = || Operand::Path(Path::attribute(name));
    let mut args: Vec<Operand> = args.into_iter().map(Operand::Value).collect();
    if operator == "IN" {
        return Ok(Condition::In {
            value: path(),
            list: args,
        });
    }
    // The count was checked above, so the arguments are there.
    let second = (args.len() > 1).then(|| args.remove(1));
    let first = (!args.is_empty()).then(|| args.remove(0));
    let compare = |op: Comparator, right: Option<Operand>| {
        right.map(|right| Condition::Compare {
            left: path(),
            op,
            right,
        })
    };
    let condition = match operator {
        "EQ" => compare(Comparator::Eq, first),
        "NE" => compare(Comparator::Ne, first),
        "LE" => compare(Comparator::Le, first),
        "LT" => compare(Comparator::Lt, first),
        "GE" => compare(Comparator::Ge, first),
        "GT" => compare(Comparator::Gt, first),
        "NULL" => Some(Condition::AttributeNotExists(Path::attribute(name))),
        "NOT_NULL" => Some(Condition::AttributeExists(Path::attribute(name))),
        "CONTAINS" => first.map(|f| Condition::Contains(path(), f)),
        "NOT_CONTAINS" => first.map(|f| Condition::Contains(path(), f).not()),
        "BEGINS_WITH" => first.map(|f| Condition::BeginsWith(path(), f)),
        "BETWEEN" => first.zip(second).map(|(low, high)| Condition::Between {
            value: path(),
            low,
            high,
        }),
        _ => None,
    };
    condition.ok_or_else(|| {
        invalid(format!(
            "Invalid number of argument(s) for the {operator} ComparisonOperator"
        ))
    })
}

/// Joins conditions with `ConditionalOperator` (AND by default).
fn join(
    conditions: Vec<Condition>,
    conditional_operator: Option<&str>,
) -> Result<Option<Condition>, Error> {
    let or = match conditional_operator {
        None | Some("AND") => false,
        Some("OR") => true,
        Some(other) => {
            return Err(super::invalid_member(
                super::Shown::Value(other),
                "conditionalOperator",
                "Member must satisfy enum value set: [OR, AND]",
            ));
        }
    };
    Ok(balanced(conditions, or))
}

/// Joins conditions into a balanced tree, so that a map of any size makes
/// an AST only logarithmically deep: evaluating, printing and dropping it
/// recurse once per level. (The operator limit then refuses more than 300,
/// but the request must be refused, not overflow a stack, first.)
fn balanced(mut conditions: Vec<Condition>, or: bool) -> Option<Condition> {
    while conditions.len() > 1 {
        let mut joined = Vec::with_capacity(conditions.len().div_ceil(2));
        let mut pairs = conditions.into_iter();
        while let Some(a) = pairs.next() {
            joined.push(match pairs.next() {
                Some(b) if or => a.or(b),
                Some(b) => a.and(b),
                None => a,
            });
        }
        conditions = joined;
    }
    conditions.pop()
}

/// `Expected` with its `ConditionalOperator`.
pub(crate) fn expected(
    expected: HashMap<String, ExpectedAttributeValue>,
    conditional_operator: Option<&str>,
) -> Result<Option<Condition>, Error> {
    let mut entries: Vec<_> = expected.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut conditions = Vec::with_capacity(entries.len());
    for (name, e) in entries {
        let condition = match (e.comparison_operator, e.exists, e.value) {
            (Some(_), Some(_), _) => {
                return Err(invalid(format!(
                    "Exists and ComparisonOperator cannot be used together for Attribute: {name}"
                )));
            }
            (Some(operator), None, value) => {
                let args = e
                    .attribute_value_list
                    .or(value.map(|v| vec![v]))
                    .unwrap_or_default();
                comparison(&name, &operator, args)?
            }
            (None, Some(false), Some(_)) => {
                return Err(invalid(format!(
                    "Value cannot be used when Exists is false for Attribute: {name}"
                )));
            }
            (None, Some(false), None) => Condition::AttributeNotExists(Path::attribute(name)),
            (None, _, Some(value)) => comparison(&name, "EQ", vec![value])?,
            (None, _, None) => {
                return Err(invalid(format!(
                    "Value must be provided when Exists is true for Attribute: {name}"
                )));
            }
        };
        conditions.push(condition);
    }
    join(conditions, conditional_operator)
}

/// `QueryFilter` or `ScanFilter` with its `ConditionalOperator`.
pub(crate) fn filter(
    filter: HashMap<String, LegacyCondition>,
    conditional_operator: Option<&str>,
) -> Result<Option<Condition>, Error> {
    let mut entries: Vec<_> = filter.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let conditions = entries
        .into_iter()
        .map(|(name, c)| {
            comparison(
                &name,
                c.comparison_operator.as_deref().unwrap_or(""),
                c.attribute_value_list.unwrap_or_default(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    join(conditions, conditional_operator)
}

/// `KeyConditions` as key-condition terms.
pub(crate) fn key_conditions(
    conditions: HashMap<String, LegacyCondition>,
) -> Result<KeyCondition, Error> {
    let mut terms = Vec::with_capacity(conditions.len());
    for (name, c) in conditions {
        let operator = c.comparison_operator.unwrap_or_default();
        let mut args = c.attribute_value_list.unwrap_or_default().into_iter();
        let count = args.len();
        let wrong_count = || {
            invalid(format!(
                "Invalid number of argument(s) for the {operator} ComparisonOperator"
            ))
        };
        let mut one = || {
            if count == 1 {
                args.next().ok_or_else(wrong_count)
            } else {
                Err(wrong_count())
            }
        };
        let op = match operator.as_str() {
            "EQ" => SortKeyOp::Eq(one()?),
            "LT" => SortKeyOp::Lt(one()?),
            "LE" => SortKeyOp::Le(one()?),
            "GT" => SortKeyOp::Gt(one()?),
            "GE" => SortKeyOp::Ge(one()?),
            "BEGINS_WITH" => SortKeyOp::BeginsWith(one()?),
            "BETWEEN" => match (args.next(), args.next(), count) {
                (Some(lo), Some(hi), 2) => SortKeyOp::Between(lo, hi),
                _ => return Err(wrong_count()),
            },
            _ => {
                return Err(invalid(
                    "Attempted conditional constraint is not an indexable operation".to_owned(),
                ));
            }
        };
        terms.push(KeyTerm { name, op });
    }
    terms.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(KeyCondition { terms })
}

/// `AttributesToGet` as a projection of top-level attributes.
pub(crate) fn attributes_to_get(names: Vec<String>) -> Result<Projection, Error> {
    // A set, not a scan of the names before each: the list is bounded only
    // by the request's size.
    let mut seen = std::collections::HashSet::with_capacity(names.len());
    for name in &names {
        if !seen.insert(name.as_str()) {
            return Err(invalid(format!(
                "Duplicate value in attribute name: {name}"
            )));
        }
    }
    Ok(Projection {
        paths: names.into_iter().map(Path::attribute).collect(),
    })
}

/// `AttributeUpdates` as an update.
pub(crate) fn attribute_updates(
    updates: HashMap<String, AttributeValueUpdate>,
) -> Result<Update, Error> {
    let mut entries: Vec<_> = updates.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut update = Update::default();
    for (name, u) in entries {
        let path = Path::attribute(name.clone());
        match (u.action.as_deref().unwrap_or("PUT"), u.value) {
            ("PUT", Some(value)) => update.set.push(SetAction {
                path,
                value: SetValue::Operand(UpdateOperand::Value(value)),
            }),
            ("PUT", None) => {
                return Err(invalid(format!(
                    "Only DELETE action is allowed when no attribute value is specified: {name}"
                )));
            }
            ("DELETE", None) => update.remove.push(path),
            ("DELETE", Some(value)) => match value {
                AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => {
                    update.delete.push((path, value))
                }
                other => {
                    return Err(invalid(format!(
                        "DELETE action with value is not supported for the type {}",
                        other.type_name()
                    )));
                }
            },
            // Legacy ADD appends to lists, which ADD expressions cannot.
            ("ADD", Some(AttributeValue::L(items))) => update.set.push(SetAction {
                path: path.clone(),
                value: SetValue::Operand(UpdateOperand::ListAppend(
                    Box::new(UpdateOperand::IfNotExists(
                        path,
                        Box::new(UpdateOperand::Value(AttributeValue::L(vec![]))),
                    )),
                    Box::new(UpdateOperand::Value(AttributeValue::L(items))),
                )),
            }),
            ("ADD", Some(value)) => match value {
                AttributeValue::N(_)
                | AttributeValue::Ss(_)
                | AttributeValue::Ns(_)
                | AttributeValue::Bs(_) => {
                    update.add.push((path, value));
                }
                other => {
                    return Err(invalid(format!(
                        "ADD action is not supported for the type {}",
                        other.type_name()
                    )));
                }
            },
            ("ADD", None) => {
                return Err(invalid(format!(
                    "Only DELETE action is allowed when no attribute value is specified: {name}"
                )));
            }
            (other, _) => {
                return Err(super::invalid_member(
                    super::Shown::Value(other),
                    &format!("attributeUpdates.{name}.member.action"),
                    "Member must satisfy enum value set: [ADD, PUT, DELETE]",
                ));
            }
        }
    }
    Ok(update)
}
