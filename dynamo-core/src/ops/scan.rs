//! `Scan`.

use super::wire::{Placeholders, Violations, enum_name, printed_maps, reject_mixed};
use super::{ConsumedCapacity, ReturnConsumedCapacity};
use super::{Select, validate_index_name, validate_limit, validate_table_name};
use crate::error::Error;
use crate::expr::{Condition, ExpressionKind, PrintedExpression, Projection};
use crate::value::{AttributeMap, WireValidation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Input of `Scan`. On the wire, the filter and projection are
/// `FilterExpression` and `ProjectionExpression` with their placeholder maps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(try_from = "ScanWire", into = "ScanWire")]
pub struct ScanInput {
    /// The table to read.
    pub table_name: String,
    /// Scan this index instead of the table.
    pub index_name: Option<String>,
    /// Return only the evaluated items for which this holds.
    pub filter: Option<Condition>,
    /// Return only these attributes.
    pub projection: Option<Projection>,
    /// Evaluate at most this many items.
    pub limit: Option<i32>,
    /// Continue after this key (a previous page's `LastEvaluatedKey`).
    pub exclusive_start_key: Option<AttributeMap>,
    /// Strongly consistent read.
    pub consistent_read: Option<bool>,
    /// What to return.
    pub select: Option<Select>,
    /// This worker's segment of a parallel scan (0-based).
    pub segment: Option<i32>,
    /// Number of segments of a parallel scan.
    pub total_segments: Option<i32>,
    /// Capacity detail to return.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `Scan`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ScanOutput {
    /// Matching items (absent with `Select: COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<AttributeMap>>,
    /// Number of items returned.
    pub count: i32,
    /// Number of items evaluated.
    pub scanned_count: i32,
    /// Key to pass as `ExclusiveStartKey` for the next page, when the scan stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl ScanInput {
    /// A scan of the whole of `table_name`.
    pub fn new(table_name: impl Into<String>) -> Self {
        Self {
            table_name: table_name.into(),
            ..Self::default()
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
        validate_limit(self.limit)?;
        let range_error = |member: &str, value: i32, bound: &str| {
            Err(super::invalid_member(
                super::Shown::Value(&value.to_string()),
                member,
                &format!("Member must have value {bound}"),
            ))
        };
        match (self.segment, self.total_segments) {
            (Some(_), None) => Err(Error::validation(
                "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
            )),
            (None, Some(_)) => Err(Error::validation(
                "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
            )),
            (_, Some(t)) if t < 1 => range_error("totalSegments", t, "greater than or equal to 1"),
            (_, Some(t)) if t > 1_000_000 => {
                range_error("totalSegments", t, "less than or equal to 1000000")
            }
            (Some(s), _) if s < 0 => range_error("segment", s, "greater than or equal to 0"),
            (Some(s), Some(t)) if s >= t => Err(Error::Validation(format!(
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
            ))),
            _ => Ok(()),
        }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScanWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    table_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filter_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    projection_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_values: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exclusive_start_key: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consistent_read: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    select: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    segment: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total_segments: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_consumed_capacity: Option<String>,
    #[serde(default, skip_serializing)]
    scan_filter: Option<HashMap<String, super::legacy::LegacyCondition>>,
    #[serde(default, skip_serializing)]
    attributes_to_get: Option<Vec<String>>,
    #[serde(default, skip_serializing)]
    conditional_operator: Option<String>,
}

impl TryFrom<ScanWire> for ScanInput {
    type Error = WireValidation;

    fn try_from(wire: ScanWire) -> Result<Self, WireValidation> {
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
                ("ScanFilter", wire.scan_filter.is_some()),
                ("AttributesToGet", wire.attributes_to_get.is_some()),
                ("ConditionalOperator", wire.conditional_operator.is_some()),
            ],
            &[
                ("FilterExpression", wire.filter_expression.is_some()),
                ("ProjectionExpression", wire.projection_expression.is_some()),
            ],
        )?;
        let placeholders = Placeholders {
            names: wire.expression_attribute_names.as_ref(),
            values: wire.expression_attribute_values.as_ref(),
        };
        let expressions = [
            ("FilterExpression", wire.filter_expression.is_some(), true),
            (
                "ProjectionExpression",
                wire.projection_expression.is_some(),
                false,
            ),
        ];
        let (filter, projection) = placeholders.parse(&expressions, |cx| {
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
            Ok((filter, projection))
        })?;
        let filter = super::wire::or_legacy(filter, wire.scan_filter, |legacy| {
            super::legacy::filter(legacy, wire.conditional_operator.as_deref())
        })?;
        let projection = super::wire::or_legacy(projection, wire.attributes_to_get, |names| {
            Ok(Some(super::legacy::attributes_to_get(names)?))
        })?;
        Ok(Self {
            table_name: wire.table_name.unwrap_or_default(),
            index_name: wire.index_name,
            filter,
            projection,
            limit: wire.limit,
            exclusive_start_key: wire.exclusive_start_key,
            consistent_read: wire.consistent_read,
            select,
            segment: wire.segment,
            total_segments: wire.total_segments,
            return_consumed_capacity,
        })
    }
}

impl From<ScanInput> for ScanWire {
    fn from(input: ScanInput) -> Self {
        let mut printed = PrintedExpression::default();
        let filter_expression = input.filter.as_ref().map(|c| printed.condition(c));
        let projection_expression = input.projection.as_ref().map(|p| printed.projection(p));
        let (names, values) = printed_maps(&printed);
        Self {
            scan_filter: None,
            attributes_to_get: None,
            conditional_operator: None,
            table_name: Some(input.table_name),
            index_name: input.index_name,
            filter_expression,
            projection_expression,
            expression_attribute_names: names,
            expression_attribute_values: values,
            limit: input.limit,
            exclusive_start_key: input.exclusive_start_key,
            consistent_read: input.consistent_read,
            select: enum_name(input.select),
            segment: input.segment,
            total_segments: input.total_segments,
            return_consumed_capacity: enum_name(input.return_consumed_capacity),
        }
    }
}
