//! What the wire forms of expression-bearing requests share: members that
//! DynamoDB requires (reported as model-constraint violations), and parsing
//! a request's expressions against its shared placeholder maps.

use crate::error::Error;
use crate::expr::{ExpressionContext, PrintedExpression};
use crate::value::AttributeMap;
use std::collections::HashMap;

/// Collects model-constraint violations into DynamoDB's message:
/// `2 validation errors detected: Value null at 'tableName' ...; ...`.
#[derive(Default)]
pub(crate) struct Violations(Vec<String>);

impl Violations {
    /// A required member is absent.
    pub fn require<T>(&mut self, value: &Option<T>, member: &str) {
        if value.is_none() {
            self.0.push(super::violation(
                super::Shown::Null,
                member,
                "Member must not be null",
            ));
        }
    }

    /// Reads an enum member given as a string, recording a violation with
    /// DynamoDB's message when it is not one of the enum's values.
    pub fn enum_value<T: serde::de::DeserializeOwned>(
        &mut self,
        value: Option<String>,
        member: &str,
    ) -> Option<T> {
        let value = value?;
        match serde_json::from_value::<T>(serde_json::Value::String(value.clone())) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                let text = e.to_string();
                let set: Vec<&str> = text
                    .split_once("expected ")
                    .map(|(_, rest)| crate::value::enum_values(rest))
                    .unwrap_or_default();
                self.0.push(super::violation(
                    super::Shown::Value(&value),
                    member,
                    &format!("Member must satisfy enum value set: [{}]", set.join(", ")),
                ));
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(super::validation_errors(&self.0))
        }
    }
}

/// The placeholder maps of a request and which of its expressions are set.
pub(crate) struct Placeholders<'a> {
    pub names: Option<&'a HashMap<String, String>>,
    pub values: Option<&'a AttributeMap>,
}

impl Placeholders<'_> {
    /// Runs `parse` against a context over the maps, then checks that every
    /// name and value was used. `expressions` lists the request's
    /// expression parameters, whether each is present and whether it can
    /// use values, for DynamoDB's "can only be specified when using
    /// expressions" errors.
    pub fn parse<T>(
        &self,
        expressions: &[(&str, bool, bool)],
        parse: impl FnOnce(&ExpressionContext) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if self.names.is_some() && !expressions.iter().any(|(_, present, _)| *present) {
            return Err(Error::validation(
                "ExpressionAttributeNames can only be specified when using expressions",
            ));
        }
        let value_bearing: Vec<&str> = expressions
            .iter()
            .filter(|(_, _, takes_values)| *takes_values)
            .map(|(name, _, _)| *name)
            .collect();
        let values_usable = expressions
            .iter()
            .any(|(_, present, takes)| *present && *takes);
        if self.values.is_some() && !values_usable {
            let listed = match value_bearing.as_slice() {
                [one] => format!("{one} is null"),
                [init @ .., last] => format!("{} and {last} are null", init.join(", ")),
                [] => "no expression can use values".to_owned(),
            };
            return Err(Error::Validation(format!(
                "ExpressionAttributeValues can only be specified when using expressions: {listed}"
            )));
        }
        let cx = ExpressionContext::new(self.names, self.values)?;
        let parsed = parse(&cx)?;
        cx.finish()?;
        Ok(parsed)
    }
}

/// The placeholder maps to send for a printed request, `None` when empty.
pub(crate) fn printed_maps(
    printed: &PrintedExpression,
) -> (Option<HashMap<String, String>>, Option<AttributeMap>) {
    (printed.names_or_none(), printed.values_or_none())
}

/// Rejects a request that mixes legacy (non-expression) parameters with
/// expression parameters, with DynamoDB's message.
pub(crate) fn reject_mixed(
    legacy: &[(&str, bool)],
    expressions: &[(&str, bool)],
) -> Result<(), Error> {
    let legacy: Vec<&str> = legacy
        .iter()
        .filter(|(_, set)| *set)
        .map(|(n, _)| *n)
        .collect();
    let expressions: Vec<&str> = expressions
        .iter()
        .filter(|(_, set)| *set)
        .map(|(n, _)| *n)
        .collect();
    if legacy.is_empty() || expressions.is_empty() {
        return Ok(());
    }
    Err(Error::Validation(format!(
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
        legacy.join(", "),
        expressions.join(", ")
    )))
}

/// The wire name of an enum value (`ALL_OLD`), for encoding.
pub(crate) fn enum_name<T: serde::Serialize>(value: Option<T>) -> Option<String> {
    value.and_then(|v| match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    })
}

/// The expression form of a parameter, else its legacy form converted.
pub(crate) fn or_legacy<T, L>(
    modern: Option<T>,
    legacy: Option<L>,
    convert: impl FnOnce(L) -> Result<Option<T>, Error>,
) -> Result<Option<T>, Error> {
    match (modern, legacy) {
        (Some(modern), _) => Ok(Some(modern)),
        (None, Some(legacy)) => convert(legacy),
        (None, None) => Ok(None),
    }
}
