//! `ReturnConsumedCapacity` and `ConsumedCapacity`: what an operation cost.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How much capacity detail a response carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnConsumedCapacity {
    /// The total, per table and per index.
    Indexes,
    /// The total per table.
    Total,
    /// Nothing (the default).
    #[default]
    None,
}

/// Capacity consumed on one table or index.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Capacity {
    /// Read capacity units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_capacity_units: Option<f64>,
    /// Write capacity units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_capacity_units: Option<f64>,
    /// Total capacity units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_units: Option<f64>,
}

/// Capacity consumed by one operation on one table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumedCapacity {
    /// The table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    /// Total units, table and indexes together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_units: Option<f64>,
    /// Read units, table and indexes together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_capacity_units: Option<f64>,
    /// Write units, table and indexes together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_capacity_units: Option<f64>,
    /// The table's own share (with `INDEXES`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Capacity>,
    /// Each local secondary index's share (with `INDEXES`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<HashMap<String, Capacity>>,
    /// Each global secondary index's share (with `INDEXES`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<HashMap<String, Capacity>>,
}
