//! `TransactWriteItems` and `TransactGetItems`: all-or-nothing writes and
//! serializable reads across tables.

use super::wire::{Placeholders, Violations, enum_name, printed_maps};
use super::{ConsumedCapacity, ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure};
use crate::error::Error;
use crate::expr::{Condition, ExpressionKind, PrintedExpression, Projection, Update};
use crate::value::{AttributeMap, WireValidation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Most actions in one transaction.
pub const MAX_TRANSACT_ITEMS: usize = 100;

/// One action of a `TransactWriteItems`.
#[derive(Clone, Debug, PartialEq)]
pub enum TransactWriteItem {
    /// Check a condition on an item without writing it.
    ConditionCheck {
        /// The table.
        table_name: String,
        /// The item's key.
        key: AttributeMap,
        /// The condition that must hold.
        condition: Condition,
        /// Return the item when the condition fails.
        return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    },
    /// Put a whole item.
    Put {
        /// The table.
        table_name: String,
        /// The item.
        item: AttributeMap,
        /// Write only if this holds.
        condition: Option<Condition>,
        /// Return the item when the condition fails.
        return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    },
    /// Update an item (creating it if missing).
    Update {
        /// The table.
        table_name: String,
        /// The item's key.
        key: AttributeMap,
        /// The changes.
        update: Update,
        /// Update only if this holds.
        condition: Option<Condition>,
        /// Return the item when the condition fails.
        return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    },
    /// Delete an item.
    Delete {
        /// The table.
        table_name: String,
        /// The item's key.
        key: AttributeMap,
        /// Delete only if this holds.
        condition: Option<Condition>,
        /// Return the item when the condition fails.
        return_values_on_condition_check_failure: Option<ReturnValuesOnConditionCheckFailure>,
    },
}

impl TransactWriteItem {
    /// The table the action writes.
    pub fn table_name(&self) -> &str {
        match self {
            Self::ConditionCheck { table_name, .. }
            | Self::Put { table_name, .. }
            | Self::Update { table_name, .. }
            | Self::Delete { table_name, .. } => table_name,
        }
    }
}

/// Input of `TransactWriteItems`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TransactWriteWire", into = "TransactWriteWire")]
pub struct TransactWriteItemsInput {
    /// The actions, applied all together or not at all (1 to 100).
    pub transact_items: Vec<TransactWriteItem>,
    /// Makes retries idempotent for 10 minutes.
    pub client_request_token: Option<String>,
    /// Capacity detail to return.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `TransactWriteItems`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TransactWriteItemsOutput {
    /// Capacity consumed, one entry per table, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// One read of a `TransactGetItems`.
#[derive(Clone, Debug, PartialEq)]
pub struct TransactGetItem {
    /// The table.
    pub table_name: String,
    /// The item's key.
    pub key: AttributeMap,
    /// Return only these attributes.
    pub projection: Option<Projection>,
}

/// Input of `TransactGetItems`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TransactGetWire", into = "TransactGetWire")]
pub struct TransactGetItemsInput {
    /// The reads (1 to 100).
    pub transact_items: Vec<TransactGetItem>,
    /// Capacity detail to return.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// One response of `TransactGetItems`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ItemResponse {
    /// The item, absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<AttributeMap>,
}

/// Output of `TransactGetItems`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TransactGetItemsOutput {
    /// One response per read, in request order.
    pub responses: Vec<ItemResponse>,
    /// Capacity consumed, one entry per table, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// A required member of a request's wire form is absent.
fn null_member(member: &str) -> WireValidation {
    WireValidation::from(super::invalid_member(
        super::Shown::Null,
        member,
        "Member must not be null",
    ))
}

fn count_error(count: usize) -> Result<(), Error> {
    let constraint = if count == 0 {
        "Member must have length greater than or equal to 1"
    } else if count > MAX_TRANSACT_ITEMS {
        "Member must have length less than or equal to 100"
    } else {
        return Ok(());
    };
    let shown = if count == 0 {
        "[]".to_owned()
    } else {
        format!("[{count} items]")
    };
    Err(super::invalid_member(
        super::Shown::Value(&shown),
        "transactItems",
        constraint,
    ))
}

impl TransactWriteItemsInput {
    /// Checks what DynamoDB checks before looking at any table.
    pub fn validate(&self) -> Result<(), Error> {
        count_error(self.transact_items.len())?;
        for item in &self.transact_items {
            let (condition, update) = match item {
                TransactWriteItem::ConditionCheck { condition, .. } => (Some(condition), None),
                TransactWriteItem::Put { condition, .. }
                | TransactWriteItem::Delete { condition, .. } => (condition.as_ref(), None),
                TransactWriteItem::Update {
                    condition, update, ..
                } => (condition.as_ref(), Some(update)),
            };
            super::check_expression_limits(
                condition.map(|c| (c, ExpressionKind::Condition)),
                update,
                None,
            )?;
        }
        Ok(())
    }
}

impl TransactGetItemsInput {
    /// Checks what DynamoDB checks before looking at any table.
    pub fn validate(&self) -> Result<(), Error> {
        count_error(self.transact_items.len())?;
        self.transact_items.iter().try_for_each(|item| {
            super::check_expression_limits(None, None, item.projection.as_ref())
        })
    }
}

/// One action's members on the wire (the four action shapes share them).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ActionWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    table_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    item: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    update_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    condition_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    projection_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<HashMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression_attribute_values: Option<AttributeMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_values_on_condition_check_failure: Option<String>,
}

#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WriteActionWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    condition_check: Option<ActionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    put: Option<ActionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    update: Option<ActionWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delete: Option<ActionWire>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransactWriteWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transact_items: Option<Vec<WriteActionWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_request_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_consumed_capacity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_item_collection_metrics: Option<String>,
}

/// An action's table, key or item, and parsed expressions.
struct Parsed {
    table_name: String,
    key: Option<AttributeMap>,
    item: Option<AttributeMap>,
    update: Option<Update>,
    condition: Option<Condition>,
    projection: Option<Projection>,
    return_item: Option<ReturnValuesOnConditionCheckFailure>,
}

fn parse_action(action: ActionWire, member: &str) -> Result<Parsed, Error> {
    let mut violations = Violations::default();
    violations.require(&action.table_name, &format!("{member}.tableName"));
    violations.finish()?;
    let mut enums = Violations::default();
    let return_item = enums.enum_value(
        action.return_values_on_condition_check_failure,
        &format!("{member}.returnValuesOnConditionCheckFailure"),
    );
    enums.finish()?;
    let placeholders = Placeholders {
        names: action.expression_attribute_names.as_ref(),
        values: action.expression_attribute_values.as_ref(),
    };
    let expressions = [
        ("UpdateExpression", action.update_expression.is_some(), true),
        (
            "ConditionExpression",
            action.condition_expression.is_some(),
            true,
        ),
        (
            "ProjectionExpression",
            action.projection_expression.is_some(),
            false,
        ),
    ];
    let (update, condition, projection) = placeholders.parse(&expressions, |cx| {
        let update = action
            .update_expression
            .as_deref()
            .map(|t| cx.update(t))
            .transpose()?;
        let condition = action
            .condition_expression
            .as_deref()
            .map(|t| cx.condition(ExpressionKind::Condition, t))
            .transpose()?;
        let projection = action
            .projection_expression
            .as_deref()
            .map(|t| cx.projection(t))
            .transpose()?;
        Ok((update, condition, projection))
    })?;
    Ok(Parsed {
        table_name: action.table_name.unwrap_or_default(),
        key: action.key,
        item: action.item,
        update,
        condition,
        projection,
        return_item,
    })
}

impl TryFrom<TransactWriteWire> for TransactWriteItemsInput {
    type Error = WireValidation;

    fn try_from(wire: TransactWriteWire) -> Result<Self, WireValidation> {
        let mut violations = Violations::default();
        violations.require(&wire.transact_items, "transactItems");
        violations.finish()?;
        let actions = wire.transact_items.unwrap_or_default();
        count_error(actions.len())?;
        let mut enums = Violations::default();
        let return_consumed_capacity =
            enums.enum_value(wire.return_consumed_capacity, "returnConsumedCapacity");
        let _: Option<super::ReturnItemCollectionMetrics> = enums.enum_value(
            wire.return_item_collection_metrics,
            "returnItemCollectionMetrics",
        );
        enums.finish()?;
        let mut transact_items = Vec::with_capacity(actions.len());
        for (i, action) in actions.into_iter().enumerate() {
            let member = format!("transactItems.{}.member", i + 1);
            let set = usize::from(action.condition_check.is_some())
                + usize::from(action.put.is_some())
                + usize::from(action.update.is_some())
                + usize::from(action.delete.is_some());
            if set != 1 {
                return Err(WireValidation(
                    "TransactItems can only contain one of Check, Put, Update or Delete".into(),
                ));
            }
            let missing = |what: &str| {
                WireValidation::from(super::invalid_member(
                    super::Shown::Null,
                    &format!("{member}.{what}"),
                    "Member must not be null",
                ))
            };
            let item = if let Some(a) = action.condition_check {
                let p = parse_action(a, &format!("{member}.conditionCheck"))?;
                TransactWriteItem::ConditionCheck {
                    key: p.key.ok_or_else(|| missing("conditionCheck.key"))?,
                    condition: p
                        .condition
                        .ok_or_else(|| missing("conditionCheck.conditionExpression"))?,
                    table_name: p.table_name,
                    return_values_on_condition_check_failure: p.return_item,
                }
            } else if let Some(a) = action.put {
                let p = parse_action(a, &format!("{member}.put"))?;
                TransactWriteItem::Put {
                    item: p.item.ok_or_else(|| missing("put.item"))?,
                    table_name: p.table_name,
                    condition: p.condition,
                    return_values_on_condition_check_failure: p.return_item,
                }
            } else if let Some(a) = action.update {
                let p = parse_action(a, &format!("{member}.update"))?;
                TransactWriteItem::Update {
                    key: p.key.ok_or_else(|| missing("update.key"))?,
                    update: p.update.ok_or_else(|| missing("update.updateExpression"))?,
                    table_name: p.table_name,
                    condition: p.condition,
                    return_values_on_condition_check_failure: p.return_item,
                }
            } else if let Some(a) = action.delete {
                let p = parse_action(a, &format!("{member}.delete"))?;
                TransactWriteItem::Delete {
                    key: p.key.ok_or_else(|| missing("delete.key"))?,
                    table_name: p.table_name,
                    condition: p.condition,
                    return_values_on_condition_check_failure: p.return_item,
                }
            } else {
                return Err(missing("put"));
            };
            transact_items.push(item);
        }
        Ok(Self {
            transact_items,
            client_request_token: wire.client_request_token,
            return_consumed_capacity,
        })
    }
}

fn action_wire(
    table_name: String,
    key: Option<AttributeMap>,
    item: Option<AttributeMap>,
    update: Option<&Update>,
    condition: Option<&Condition>,
    projection: Option<&Projection>,
    return_item: Option<ReturnValuesOnConditionCheckFailure>,
) -> ActionWire {
    let mut printed = PrintedExpression::default();
    let update_expression = update.map(|u| printed.update(u));
    let condition_expression = condition.map(|c| printed.condition(c));
    let projection_expression = projection.map(|p| printed.projection(p));
    let (names, values) = printed_maps(&printed);
    ActionWire {
        table_name: Some(table_name),
        key,
        item,
        update_expression,
        condition_expression,
        projection_expression,
        expression_attribute_names: names,
        expression_attribute_values: values,
        return_values_on_condition_check_failure: enum_name(return_item),
    }
}

impl From<TransactWriteItemsInput> for TransactWriteWire {
    fn from(input: TransactWriteItemsInput) -> Self {
        let actions = input
            .transact_items
            .into_iter()
            .map(|action| match action {
                TransactWriteItem::ConditionCheck {
                    table_name,
                    key,
                    condition,
                    return_values_on_condition_check_failure,
                } => WriteActionWire {
                    condition_check: Some(action_wire(
                        table_name,
                        Some(key),
                        None,
                        None,
                        Some(&condition),
                        None,
                        return_values_on_condition_check_failure,
                    )),
                    ..WriteActionWire::default()
                },
                TransactWriteItem::Put {
                    table_name,
                    item,
                    condition,
                    return_values_on_condition_check_failure,
                } => WriteActionWire {
                    put: Some(action_wire(
                        table_name,
                        None,
                        Some(item),
                        None,
                        condition.as_ref(),
                        None,
                        return_values_on_condition_check_failure,
                    )),
                    ..WriteActionWire::default()
                },
                TransactWriteItem::Update {
                    table_name,
                    key,
                    update,
                    condition,
                    return_values_on_condition_check_failure,
                } => WriteActionWire {
                    update: Some(action_wire(
                        table_name,
                        Some(key),
                        None,
                        Some(&update),
                        condition.as_ref(),
                        None,
                        return_values_on_condition_check_failure,
                    )),
                    ..WriteActionWire::default()
                },
                TransactWriteItem::Delete {
                    table_name,
                    key,
                    condition,
                    return_values_on_condition_check_failure,
                } => WriteActionWire {
                    delete: Some(action_wire(
                        table_name,
                        Some(key),
                        None,
                        None,
                        condition.as_ref(),
                        None,
                        return_values_on_condition_check_failure,
                    )),
                    ..WriteActionWire::default()
                },
            })
            .collect();
        Self {
            transact_items: Some(actions),
            client_request_token: input.client_request_token,
            return_consumed_capacity: enum_name(input.return_consumed_capacity),
            return_item_collection_metrics: None,
        }
    }
}

#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetActionWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    get: Option<ActionWire>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TransactGetWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transact_items: Option<Vec<GetActionWire>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_consumed_capacity: Option<String>,
}

impl TryFrom<TransactGetWire> for TransactGetItemsInput {
    type Error = WireValidation;

    fn try_from(wire: TransactGetWire) -> Result<Self, WireValidation> {
        let mut violations = Violations::default();
        violations.require(&wire.transact_items, "transactItems");
        violations.finish()?;
        let actions = wire.transact_items.unwrap_or_default();
        count_error(actions.len())?;
        let mut enums = Violations::default();
        let return_consumed_capacity =
            enums.enum_value(wire.return_consumed_capacity, "returnConsumedCapacity");
        enums.finish()?;
        let mut transact_items = Vec::with_capacity(actions.len());
        for (i, action) in actions.into_iter().enumerate() {
            let member = format!("transactItems.{}.member.get", i + 1);
            let Some(get) = action.get else {
                return Err(null_member(&member));
            };
            let p = parse_action(get, &member)?;
            transact_items.push(TransactGetItem {
                key: p.key.ok_or_else(|| null_member(&format!("{member}.key")))?,
                table_name: p.table_name,
                projection: p.projection,
            });
        }
        Ok(Self {
            transact_items,
            return_consumed_capacity,
        })
    }
}

impl From<TransactGetItemsInput> for TransactGetWire {
    fn from(input: TransactGetItemsInput) -> Self {
        Self {
            transact_items: Some(
                input
                    .transact_items
                    .into_iter()
                    .map(|g| GetActionWire {
                        get: Some(action_wire(
                            g.table_name,
                            Some(g.key),
                            None,
                            None,
                            None,
                            g.projection.as_ref(),
                            None,
                        )),
                    })
                    .collect(),
            ),
            return_consumed_capacity: enum_name(input.return_consumed_capacity),
        }
    }
}
