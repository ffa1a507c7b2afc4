//! `Query`.

use super::wire::{Placeholders, Violations, enum_name, printed_maps, reject_mixed};
use super::{ConsumedCapacity, ReturnConsumedCapacity};
use super::{Select, validate_index_name, validate_table_name};
use crate::error::Error;
use crate::expr::{Condition, ExpressionKind, KeyCondition, PrintedExpression, Projection};
use crate::value::{AttributeMap, WireValidation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Input of `Query`.
///
/// The key condition, filter and projection are held as ASTs; on the wire
/// they are `KeyConditionExpression`, `FilterExpression` and
/// `ProjectionExpression` with their shared placeholder maps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "QueryWire", into = "QueryWire")]
pub struct QueryInput {
    /// The table to read.
    pub table_name: String,
    /// Query this index instead of the table.
    pub index_name: Option<String>,
    /// Which partition, and which sort keys in it.
    pub key_condition: KeyCondition,
    /// Return only the evaluated items for which this holds.
    pub filter: Option<Condition>,
    /// Return only these attributes.
    pub projection: Option<Projection>,
    /// Ascending sort-key order (the default) or descending.
    pub scan_index_forward: Option<bool>,
    /// Evaluate at most this many items.
    pub limit: Option<i32>,
    /// Continue after this key (a previous page's `LastEvaluatedKey`).
    pub exclusive_start_key: Option<AttributeMap>,
    /// Strongly consistent read.
    pub consistent_read: Option<bool>,
    /// What to return.
    pub select: Option<Select>,
    /// Capacity detail to return.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `Query`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct QueryOutput {
    /// Matching items (absent with `Select: COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<AttributeMap>>,
    /// Number of items returned.
    pub count: i32,
    /// Number of items evaluated.
    pub scanned_count: i32,
    /// Key to pass as `ExclusiveStartKey` for the next page, when the query stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl QueryInput {
    /// A query of `table_name` selecting by `key_condition`.
    pub fn new(table_name: impl Into<String>, key_condition: KeyCondition) -> Self {
        Self {
            table_name: table_name.into(),
            index_name: None,
            key_condition,
            filter: None,
            projection: None,
            scan_index_forward: None,
            limit: None,
            exclusive_start_key: None,
            consistent_read: None,
            select: None,
            return_consumed_capacity: None,
        }
    }

    /// Checks what DynamoDB checks before looking at the table.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)?;
        if let Some(index) = &self.index_name {
            validate_index_name(index)?;
        }
        super::check_expression_limits(
            self.filter.as_ref().map(|c| (c, ExpressionKind::Filter)),
            None,
            self.projection.as_ref(),
        )?;
        // Query reports a bad Limit without its value, unlike Scan.
        match self.limit {
            Some(l) if l < 1 => Err(super::invalid_member(
                super::Shown::Omitted,
                "Limit",
                "Member must have value greater than or equal to 1",
            )),
            _ => Ok(()),
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    table_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_condition_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filter_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    projection_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_values: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scan_index_forward: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exclusive_start_key: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consistent_read: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    select: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_consumed_capacity: Option<String>,
    #[serde(default, skip_serializing)]
    key_conditions: Option<HashMap<String, super::legacy::LegacyCondition>>,
    #[serde(default, skip_serializing)]
    query_filter: Option<HashMap<String, super::legacy::LegacyCondition>>,
    #[serde(default, skip_serializing)]
    attributes_to_get: Option<Vec<String>>,
    #[serde(default, skip_serializing)]
    conditional_operator: Option<String>,
}

impl TryFrom<QueryWire> for QueryInput {
    type Error = WireValidation;

    fn try_from(wire: QueryWire) -> Result<Self, WireValidation> {
        let mut violations = Violations::default();
        violations.require(&wire.table_name, "tableName");
        violations.finish()?;
        if let Some(name) = &wire.table_name {
            super::validate_table_name(name)?;
        }
        let mut enums = Violations::default();
        let select = enums.enum_value(wire.select, "select");
        let return_consumed_capacity =
            enums.enum_value(wire.return_consumed_capacity, "returnConsumedCapacity");
        enums.finish()?;
        reject_mixed(
            &[
                ("KeyConditions", wire.key_conditions.is_some()),
                ("QueryFilter", wire.query_filter.is_some()),
                ("AttributesToGet", wire.attributes_to_get.is_some()),
                ("ConditionalOperator", wire.conditional_operator.is_some()),
            ],
            &[
                (
                    "KeyConditionExpression",
                    wire.key_condition_expression.is_some(),
                ),
                ("FilterExpression", wire.filter_expression.is_some()),
                ("ProjectionExpression", wire.projection_expression.is_some()),
            ],
        )?;
        let key_condition_text = wire.key_condition_expression.as_deref();
        if key_condition_text.is_none() && wire.key_conditions.is_none() {
            return Err(WireValidation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.".into(),
            ));
        }
        let placeholders = Placeholders {
            names: wire.expression_attribute_names.as_ref(),
            values: wire.expression_attribute_values.as_ref(),
        };
        let expressions = [
            ("KeyConditionExpression", key_condition_text.is_some(), true),
            ("FilterExpression", wire.filter_expression.is_some(), true),
            (
                "ProjectionExpression",
                wire.projection_expression.is_some(),
                false,
            ),
        ];
        let (key_condition, filter, projection) = placeholders.parse(&expressions, |cx| {
            let key_condition = key_condition_text
                .map(|t| cx.key_condition(t))
                .transpose()?;
            let filter = wire
                .filter_expression
                .as_deref()
                .map(|t| cx.condition(ExpressionKind::Filter, t))
                .transpose()?;
            let projection = wire
                .projection_expression
                .as_deref()
                .map(|t| cx.projection(t))
                .transpose()?;
            Ok((key_condition, filter, projection))
        })?;
        let key_condition = match (key_condition, wire.key_conditions) {
            (Some(key_condition), _) => key_condition,
            (None, Some(legacy)) => super::legacy::key_conditions(legacy)?,
            (None, None) => KeyCondition { terms: Vec::new() },
        };
        let filter = super::wire::or_legacy(filter, wire.query_filter, |legacy| {
            super::legacy::filter(legacy, wire.conditional_operator.as_deref())
        })?;
        let projection = super::wire::or_legacy(projection, wire.attributes_to_get, |names| {
            Ok(Some(super::legacy::attributes_to_get(names)?))
        })?;
        Ok(Self {
            table_name: wire.table_name.unwrap_or_default(),
            index_name: wire.index_name,
            key_condition,
            filter,
            projection,
            scan_index_forward: wire.scan_index_forward,
            limit: wire.limit,
            exclusive_start_key: wire.exclusive_start_key,
            consistent_read: wire.consistent_read,
            select,
            return_consumed_capacity,
        })
    }
}

impl From<QueryInput> for QueryWire {
    fn from(input: QueryInput) -> Self {
        let mut printed = PrintedExpression::default();
        input.key_condition.print_into(&mut printed);
        let key_condition_expression = Some(printed.expression.clone());
        let filter_expression = input.filter.as_ref().map(|c| printed.condition(c));
        let projection_expression = input.projection.as_ref().map(|p| printed.projection(p));
        let (names, values) = printed_maps(&printed);
        Self {
            key_conditions: None,
            query_filter: None,
            attributes_to_get: None,
            conditional_operator: None,
            table_name: Some(input.table_name),
            index_name: input.index_name,
            key_condition_expression,
            filter_expression,
            projection_expression,
            expression_attribute_names: names,
            expression_attribute_values: values,
            scan_index_forward: input.scan_index_forward,
            limit: input.limit,
            exclusive_start_key: input.exclusive_start_key,
            consistent_read: input.consistent_read,
            select: enum_name(input.select),
            return_consumed_capacity: enum_name(input.return_consumed_capacity),
        }
    }
}
