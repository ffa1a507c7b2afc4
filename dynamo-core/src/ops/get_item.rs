//! `GetItem`.

use super::wire::{Placeholders, Violations, enum_name, printed_maps, reject_mixed};
use super::{ConsumedCapacity, ReturnConsumedCapacity, validate_table_name};
use crate::error::Error;
use crate::expr::{PrintedExpression, Projection};
use crate::value::{AttributeMap, WireValidation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Input of `GetItem`. On the wire, the projection is a
/// `ProjectionExpression` with `ExpressionAttributeNames`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GetItemWire", into = "GetItemWire")]
pub struct GetItemInput {
    /// The table to read.
    pub table_name: String,
    /// The item's full primary key.
    pub key: AttributeMap,
    /// Strongly consistent read; DynamoDB defaults to eventual consistency.
    pub consistent_read: Option<bool>,
    /// Return only these attributes.
    pub projection: Option<Projection>,
    /// Capacity detail to return.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `GetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GetItemOutput {
    /// The item, absent when no item has the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl GetItemInput {
    /// A read of the item with `key`.
    pub fn new(table_name: impl Into<String>, key: AttributeMap) -> Self {
        Self {
            table_name: table_name.into(),
            key,
            consistent_read: None,
            projection: None,
            return_consumed_capacity: None,
        }
    }

    /// Checks what DynamoDB checks before looking at the table.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)?;
        super::check_expression_limits(None, None, self.projection.as_ref())
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetItemWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    table_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consistent_read: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    projection_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_consumed_capacity: Option<String>,
    #[serde(default, skip_serializing)]
    attributes_to_get: Option<Vec<String>>,
}

impl TryFrom<GetItemWire> for GetItemInput {
    type Error = WireValidation;

    fn try_from(wire: GetItemWire) -> Result<Self, WireValidation> {
        let mut violations = Violations::default();
        violations.require(&wire.table_name, "tableName");
        violations.require(&wire.key, "key");
        violations.finish()?;
        if let Some(name) = &wire.table_name {
            super::validate_table_name(name)?;
        }
        let mut enums = Violations::default();
        let return_consumed_capacity =
            enums.enum_value(wire.return_consumed_capacity, "returnConsumedCapacity");
        enums.finish()?;
        reject_mixed(
            &[("AttributesToGet", wire.attributes_to_get.is_some())],
            &[("ProjectionExpression", wire.projection_expression.is_some())],
        )?;
        let placeholders = Placeholders {
            names: wire.expression_attribute_names.as_ref(),
            values: None,
        };
        let expressions = [(
            "ProjectionExpression",
            wire.projection_expression.is_some(),
            false,
        )];
        let projection = placeholders.parse(&expressions, |cx| {
            wire.projection_expression
                .as_deref()
                .map(|t| cx.projection(t))
                .transpose()
        })?;
        let projection = super::wire::or_legacy(projection, wire.attributes_to_get, |names| {
            Ok(Some(super::legacy::attributes_to_get(names)?))
        })?;
        Ok(Self {
            table_name: wire.table_name.unwrap_or_default(),
            key: wire.key.unwrap_or_default(),
            consistent_read: wire.consistent_read,
            projection,
            return_consumed_capacity,
        })
    }
}

impl From<GetItemInput> for GetItemWire {
    fn from(input: GetItemInput) -> Self {
        let mut printed = PrintedExpression::default();
        let projection_expression = input.projection.as_ref().map(|p| printed.projection(p));
        let (names, _) = printed_maps(&printed);
        Self {
            attributes_to_get: None,
            table_name: Some(input.table_name),
            key: Some(input.key),
            consistent_read: input.consistent_read,
            projection_expression,
            expression_attribute_names: names,
            return_consumed_capacity: enum_name(input.return_consumed_capacity),
        }
    }
}
