//! `DeleteItem`.

use super::wire::{Placeholders, Violations, enum_name, printed_maps, reject_mixed};
use super::{
    ConsumedCapacity, ItemCollectionMetrics, ReturnConsumedCapacity, ReturnItemCollectionMetrics,
    ReturnValue, ReturnValuesOnConditionCheckFailure, validate_table_name,
};
use crate::error::Error;
use crate::expr::{Condition, ExpressionKind, PrintedExpression};
use crate::value::{AttributeMap, WireValidation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Input of `DeleteItem`. On the wire, the condition is a
/// `ConditionExpression` with its placeholder maps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DeleteItemWire", into = "DeleteItemWire")]
pub struct DeleteItemInput {
    /// The table to delete from.
    pub table_name: String,
    /// The item's full primary key.
    pub key: AttributeMap,
    /// Delete only if this holds for the item as it is.
    pub condition: Option<Condition>,
    /// `NONE` or `ALL_OLD`.
    pub return_values: Option<ReturnValue>,
    /// Return the item when the condition fails.
    pub return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    /// Capacity detail to return.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
    /// Report the item collection's size (tables with local indexes).
    pub return_item_collection_metrics: Option<ReturnItemCollectionMetrics>,
}

/// Output of `DeleteItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteItemOutput {
    /// The deleted item, with `ReturnValues: ALL_OLD` and when one existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// The item collection's size, when asked for on a table with local indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

impl DeleteItemInput {
    /// A delete of the item with `key`.
    pub fn new(table_name: impl Into<String>, key: AttributeMap) -> Self {
        Self {
            table_name: table_name.into(),
            key,
            condition: None,
            return_values: None,
            return_values_on_condition_check_failure: None,
            return_consumed_capacity: None,
            return_item_collection_metrics: None,
        }
    }

    /// Checks what DynamoDB checks before looking at the table.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)?;
        super::check_expression_limits(
            self.condition
                .as_ref()
                .map(|c| (c, ExpressionKind::Condition)),
            None,
            None,
        )?;
        match self.return_values {
            None | Some(ReturnValue::None | ReturnValue::AllOld) => Ok(()),
            Some(_) => Err(Error::validation(
                "ReturnValues can only be ALL_OLD or NONE",
            )),
        }
    }
}

/// `DeleteItem` as DynamoDB's JSON has it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteItemWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    table_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    condition_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_values: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_values: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_values_on_condition_check_failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_consumed_capacity: Option<String>,
    #[serde(default, skip_serializing)]
    expected: Option<HashMap<String, super::legacy::ExpectedAttributeValue>>,
    #[serde(default, skip_serializing)]
    conditional_operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_item_collection_metrics: Option<String>,
}

impl TryFrom<DeleteItemWire> for DeleteItemInput {
    type Error = WireValidation;

    fn try_from(wire: DeleteItemWire) -> Result<Self, WireValidation> {
        let mut violations = Violations::default();
        violations.require(&wire.table_name, "tableName");
        violations.require(&wire.key, "key");
        violations.finish()?;
        if let Some(name) = &wire.table_name {
            super::validate_table_name(name)?;
        }
        let mut enums = Violations::default();
        let return_values = enums.enum_value(wire.return_values, "returnValues");
        let return_values_on_condition_check_failure = enums.enum_value(
            wire.return_values_on_condition_check_failure,
            "returnValuesOnConditionCheckFailure",
        );
        let return_consumed_capacity =
            enums.enum_value(wire.return_consumed_capacity, "returnConsumedCapacity");
        let return_item_collection_metrics = enums.enum_value(
            wire.return_item_collection_metrics,
            "returnItemCollectionMetrics",
        );
        enums.finish()?;
        reject_mixed(
            &[
                ("Expected", wire.expected.is_some()),
                ("ConditionalOperator", wire.conditional_operator.is_some()),
            ],
            &[("ConditionExpression", wire.condition_expression.is_some())],
        )?;
        let placeholders = Placeholders {
            names: wire.expression_attribute_names.as_ref(),
            values: wire.expression_attribute_values.as_ref(),
        };
        let expressions = [(
            "ConditionExpression",
            wire.condition_expression.is_some(),
            true,
        )];
        let condition = placeholders.parse(&expressions, |cx| {
            wire.condition_expression
                .as_deref()
                .map(|text| cx.condition(ExpressionKind::Condition, text))
                .transpose()
        })?;
        let condition = super::wire::or_legacy(condition, wire.expected, |expected| {
            super::legacy::expected(expected, wire.conditional_operator.as_deref())
        })?;
        Ok(Self {
            table_name: wire.table_name.unwrap_or_default(),
            key: wire.key.unwrap_or_default(),
            condition,
            return_values,
            return_values_on_condition_check_failure,
            return_consumed_capacity,
            return_item_collection_metrics,
        })
    }
}

impl From<DeleteItemInput> for DeleteItemWire {
    fn from(input: DeleteItemInput) -> Self {
        let mut printed = PrintedExpression::default();
        let condition_expression = input.condition.as_ref().map(|c| printed.condition(c));
        let (names, values) = printed_maps(&printed);
        Self {
            expected: None,
            conditional_operator: None,
            table_name: Some(input.table_name),
            key: Some(input.key),
            condition_expression,
            expression_attribute_names: names,
            expression_attribute_values: values,
            return_values: enum_name(input.return_values),
            return_values_on_condition_check_failure: enum_name(
                input.return_values_on_condition_check_failure,
            ),
            return_consumed_capacity: enum_name(input.return_consumed_capacity),
            return_item_collection_metrics: enum_name(input.return_item_collection_metrics),
        }
    }
}
