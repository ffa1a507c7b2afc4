//! `BatchGetItem`.

use super::ReturnConsumedCapacity;
use super::capacity::ConsumedCapacity;
use super::wire::{Placeholders, printed_maps};
use crate::expr::{PrintedExpression, Projection};
use crate::value::{AttributeMap, WireValidation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The keys to read from one table, and how. On the wire, the projection
/// is a `ProjectionExpression` with `ExpressionAttributeNames`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(try_from = "KeysAndAttributesWire", into = "KeysAndAttributesWire")]
pub struct KeysAndAttributes {
    /// Full primary keys (1 to 100).
    pub keys: Vec<AttributeMap>,
    /// Strongly consistent reads.
    pub consistent_read: Option<bool>,
    /// Return only these attributes.
    pub projection: Option<Projection>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeysAndAttributesWire {
    #[serde(default)]
    keys: Vec<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consistent_read: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    projection_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, skip_serializing)]
    attributes_to_get: Option<Vec<String>>,
}

impl TryFrom<KeysAndAttributesWire> for KeysAndAttributes {
    type Error = WireValidation;

    fn try_from(wire: KeysAndAttributesWire) -> Result<Self, WireValidation> {
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
        super::wire::reject_mixed(
            &[("AttributesToGet", wire.attributes_to_get.is_some())],
            &[("ProjectionExpression", wire.projection_expression.is_some())],
        )?;
        let projection = super::wire::or_legacy(projection, wire.attributes_to_get, |names| {
            Ok(Some(super::legacy::attributes_to_get(names)?))
        })?;
        Ok(Self {
            keys: wire.keys,
            consistent_read: wire.consistent_read,
            projection,
        })
    }
}

impl From<KeysAndAttributes> for KeysAndAttributesWire {
    fn from(input: KeysAndAttributes) -> Self {
        let mut printed = PrintedExpression::default();
        let projection_expression = input.projection.as_ref().map(|p| printed.projection(p));
        let (names, _) = printed_maps(&printed);
        Self {
            keys: input.keys,
            consistent_read: input.consistent_read,
            projection_expression,
            expression_attribute_names: names,
            attributes_to_get: None,
        }
    }
}

/// Input of `BatchGetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetItemInput {
    /// Keys to read, per table (at most 100 keys in all).
    pub request_items: HashMap<String, KeysAndAttributes>,
    /// Capacity detail to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `BatchGetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetItemOutput {
    /// Items found, per table (missing items are simply absent).
    pub responses: HashMap<String, Vec<AttributeMap>>,
    /// Keys not read this time (response size cap); send them again.
    pub unprocessed_keys: HashMap<String, KeysAndAttributes>,
    /// Capacity consumed, one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// Most keys one BatchGetItem reads, over all its tables.
pub const MAX_BATCH_GET_KEYS: usize = 100;

impl BatchGetItemInput {
    /// Checks what DynamoDB checks before looking at any table: keys per
    /// table and in all, table names, projections.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        use super::{Shown, invalid_member};
        if self.request_items.is_empty() {
            return Err(crate::error::Error::validation(
                "The requestItems parameter is required for BatchGetItem",
            ));
        }
        for (name, request) in &self.request_items {
            let member = format!("RequestItems.{name}.member.Keys");
            if request.keys.len() > MAX_BATCH_GET_KEYS {
                return Err(invalid_member(
                    Shown::Omitted,
                    &member,
                    "Member must have length less than or equal to 100",
                ));
            }
            if request.keys.is_empty() {
                return Err(invalid_member(
                    Shown::Omitted,
                    &member,
                    "Member must have length greater than or equal to 1",
                ));
            }
        }
        let total: usize = self.request_items.values().map(|r| r.keys.len()).sum();
        if total > MAX_BATCH_GET_KEYS {
            return Err(crate::error::Error::validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        for (name, request) in &self.request_items {
            super::validate_table_name(name)?;
            super::check_expression_limits(None, None, request.projection.as_ref())?;
        }
        Ok(())
    }
}
