//! Typed transactions: several puts, updates, deletes and condition checks
//! on items of any types, all applied or none (`TransactWriteItems`):
//! `db.transaction().update(Account::key(from), |u| u.add(Account::BALANCE,
//! -10).when(Account::BALANCE.ge(10))).update(...).token(id).commit()`.
//!
//! Each action is built with the same builder as the standalone write
//! (`Put`, `Update`, `Delete` with `C` = [`InTransaction`]), so lifecycle
//! attributes, version checks and rendered index keys behave the same.
//!
//! A transaction is sent with a `ClientRequestToken` whenever the client
//! may retry it: the caller's, or one the client makes (as the SDKs do).
//! Every attempt carries the same token, so an attempt whose answer was
//! lost is not applied twice, and `TransactionInProgressException` (the
//! same token still being applied) is worth retrying.

use super::Client;
use super::write::{Delete, InTransaction, Put, Update};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::item::{Item, Key};
use crate::ops::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, TransactWriteItemsInput};
use crate::typed_path::Cond;

/// Every conditional action asks for the item when its condition fails,
/// so a cancellation reason tells a missing item (no item) from one whose
/// condition was false (the item).
fn on_failure(
    condition: &Option<crate::expr::Condition>,
) -> Option<ReturnValuesOnConditionCheckFailure> {
    condition
        .is_some()
        .then_some(ReturnValuesOnConditionCheckFailure::AllOld)
}

/// A transaction being built; [`Transaction::commit`] sends it.
#[must_use = "a transaction does nothing until it is committed"]
pub struct Transaction<'a> {
    client: &'a Client,
    actions: Vec<TransactWriteItem>,
    token: Option<String>,
    /// The first action that could not be built, reported by `commit`.
    error: Option<Error>,
}

impl Client {
    /// Starts a transaction: add actions, then [`Transaction::commit`].
    pub fn transaction(&self) -> Transaction<'_> {
        Transaction {
            client: self,
            actions: Vec::new(),
            token: None,
            error: None,
        }
    }
}

impl<'a> Transaction<'a> {
    fn push(mut self, action: Result<TransactWriteItem>) -> Self {
        match action {
            Ok(action) => self.actions.push(action),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Puts `item` (version-checked and stamped like [`Client::put`]).
    pub fn put<T: Item>(self, item: &T) -> Self {
        self.put_with(item, |p| p)
    }

    /// Puts `item` with conditions: `|p| p.if_not_exists()`.
    pub fn put_with<'b, T: Item>(
        self,
        item: &'b T,
        build: impl FnOnce(Put<'b, T, InTransaction>) -> Put<'b, T, InTransaction>,
    ) -> Self {
        let action = build(Put::new(InTransaction, item))
            .plan()
            .map(|(_, plan)| TransactWriteItem::Put {
                table_name: T::SCHEMA.table_name.to_owned(),
                item: plan.item,
                return_values_on_condition_check_failure: on_failure(&plan.condition),
                condition: plan.condition,
            });
        self.push(action)
    }

    /// Updates the existing item with `key`: `|u| u.add(Account::BALANCE,
    /// -10).when(...)`. A missing item cancels the transaction with a
    /// `ConditionalCheckFailed` reason carrying no item (see
    /// [`Client::update`]).
    pub fn update<T: Item>(
        self,
        key: Key<T>,
        build: impl FnOnce(Update<'static, T, InTransaction>) -> Update<'static, T, InTransaction>,
    ) -> Self {
        self.update_action(build(Update::new(InTransaction, key)))
    }

    /// Updates the item with `item`'s key, creating it from `item` when
    /// missing (see [`Client::upsert`]).
    pub fn upsert<T: Item>(
        self,
        item: &T,
        build: impl FnOnce(Update<'static, T, InTransaction>) -> Update<'static, T, InTransaction>,
    ) -> Self {
        self.update_action(build(Update::upsert(InTransaction, item)))
    }

    fn update_action<T: Item>(self, update: Update<'static, T, InTransaction>) -> Self {
        let action = update.plan().map(|(_, plan)| TransactWriteItem::Update {
            table_name: T::SCHEMA.table_name.to_owned(),
            key: plan.key,
            update: plan.update,
            return_values_on_condition_check_failure: on_failure(&plan.condition),
            condition: plan.condition,
        });
        self.push(action)
    }

    /// Deletes the item with `key`.
    pub fn delete<T: Item>(self, key: Key<T>) -> Self {
        self.delete_with(key, |d| d)
    }

    /// Deletes the item with `key` if a condition holds: `|d| d.when(...)`.
    pub fn delete_with<T: Item>(
        self,
        key: Key<T>,
        build: impl FnOnce(Delete<'static, T, InTransaction>) -> Delete<'static, T, InTransaction>,
    ) -> Self {
        let action = build(Delete::new(InTransaction, key))
            .plan()
            .map(|(_, key, condition)| TransactWriteItem::Delete {
                table_name: T::SCHEMA.table_name.to_owned(),
                key,
                return_values_on_condition_check_failure: on_failure(&condition),
                condition,
            });
        self.push(action)
    }

    /// Requires `condition` to hold for the item with `key`, without
    /// writing it; when it fails, the reason carries the item.
    pub fn check<T: Item>(self, key: Key<T>, condition: Cond<T>) -> Self {
        let action = condition
            .into_condition()
            .map_err(Error::from)
            .map(|condition| TransactWriteItem::ConditionCheck {
                table_name: T::SCHEMA.table_name.to_owned(),
                key: key.into_attributes(),
                condition,
                return_values_on_condition_check_failure: Some(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                ),
            });
        self.push(action)
    }

    /// An idempotency token: committing the same transaction again with the
    /// same token within ten minutes succeeds without applying it twice.
    /// Without one, a client that retries makes one per commit.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The number of actions so far.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether no action was added.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Applies every action, or none: a failed condition cancels the
    /// transaction with [`Error::TransactionCanceled`], whose reasons are in
    /// the order the actions were added.
    pub async fn commit(self) -> Result<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let retried = self.client.backend.policy().retries_at_all();
        let token = match self.token {
            None if retried => Some(super::retry::client_request_token()),
            token => token,
        };
        let input = TransactWriteItemsInput {
            transact_items: self.actions,
            client_request_token: token,
            return_consumed_capacity: None,
        };
        self.client.backend.transact_write_items(input).await?;
        Ok(())
    }
}
