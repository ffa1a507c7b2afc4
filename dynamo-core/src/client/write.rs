//! Typed writes: `put`, `update` and `delete` builders, their conditions,
//! and the lifecycle attributes the client maintains on every write
//! (optimistic-locking version, `created_at`, `updated_at`).
//!
//! Versions of a type with a `#[dynamo(version)]` field: a put always
//! carries a condition on the stored version (0 for a new item) and writes
//! the next one, so that two puts starting from the same version cannot
//! both succeed; the loser gets [`Error::VersionConflict`]. An update always
//! adds 1 to the stored version, and checks it only when asked with
//! [`Update::if_version`]. A delete does not look at the version; use a
//! condition (`Delete::when`) to make it depend on one.

use super::{BoxFuture, Client};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::expr::{Comparator, Condition, Operand, Path as ExprPath};
use crate::item::{Attribute, AttributeError, Item, Key};
use crate::ops::{
    DeleteItemInput, PutItemInput, ReturnValue, ReturnValuesOnConditionCheckFailure,
    UpdateItemInput,
};
use crate::typed_path::{
    Actions, Addable, Cond, Mutable, Numeric, Path, Removable, SetAttribute, ValueArg,
};
use crate::value::{AttributeMap, AttributeValue, Number};
use std::future::IntoFuture;
use std::time::{SystemTime, UNIX_EPOCH};

/// `a AND b` of optional conditions.
fn and(a: Option<Condition>, b: Option<Condition>) -> Option<Condition> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.and(b)),
        (a, b) => a.or(b),
    }
}

/// `a AND b` of typed conditions, when there is an `a`.
fn and_cond<T>(a: Option<Cond<T>>, b: Cond<T>) -> Option<Cond<T>> {
    Some(match a {
        Some(a) => a.and(b),
        None => b,
    })
}

fn path_condition(name: &str, op: Comparator, value: AttributeValue) -> Condition {
    Condition::Compare {
        left: Operand::Path(ExprPath::attribute(name)),
        op,
        right: Operand::Value(value),
    }
}

/// The item does not exist (its partition key is absent).
fn not_exists<T: Item>() -> Condition {
    Condition::AttributeNotExists(ExprPath::attribute(T::SCHEMA.partition_key.name))
}

/// The item exists.
fn exists<T: Item>() -> Condition {
    Condition::AttributeExists(ExprPath::attribute(T::SCHEMA.partition_key.name))
}

/// The version a write expects to find: `0` for a new item.
fn stored_version(item: &AttributeMap, attribute: &str) -> Result<Number> {
    match item.get(attribute) {
        None => Ok(Number::default()),
        Some(AttributeValue::N(n)) => Ok(*n),
        Some(other) => Err(AttributeError::mismatch("N", other)
            .in_attribute(attribute)
            .into()),
    }
}

/// Turns a failed condition into a version conflict when the stored
/// version is not the expected one (the failure is then the version's, not
/// the caller's own condition's).
fn version_error(error: Error, attribute: &str, expected: Number) -> Error {
    let Error::ConditionalCheckFailed { item, .. } = &error else {
        return error;
    };
    let found = match item.as_ref().map(|i| i.get(attribute)) {
        None | Some(None) => None,
        Some(Some(AttributeValue::N(n))) => Some(*n),
        Some(Some(_)) => return error,
    };
    let matches = match found {
        Some(found) => found == expected,
        // An absent item, or one without a version, is at version 0.
        None => expected.is_zero() && item.is_none(),
    };
    if matches {
        error
    } else {
        Error::VersionConflict { expected, found }
    }
}

/// Sets `updated_at` to now, and `created_at` to now when it is absent or
/// at the epoch (a struct built without a creation time).
pub(super) fn stamp<T: Item>(item: &mut AttributeMap) -> Result<()> {
    let lifecycle = T::SCHEMA.lifecycle;
    if lifecycle.created_at.is_none() && lifecycle.updated_at.is_none() {
        return Ok(());
    }
    let now = T::timestamps(SystemTime::now())?;
    if let (Some(name), Some(v)) = (lifecycle.updated_at, now.updated_at) {
        item.insert(name.to_owned(), v);
    }
    if let (Some(name), Some(v)) = (lifecycle.created_at, now.created_at) {
        let unset = T::timestamps(UNIX_EPOCH)?.created_at;
        if item.get(name).is_none() || item.get(name) == unset.as_ref() {
            item.insert(name.to_owned(), v);
        }
    }
    Ok(())
}

/// Adds to `update` the index keys rendered from the attributes it sets
/// (an update of `status` rewrites `STATUS#{status}`), or fails when one
/// cannot be computed from the update alone.
fn derived_keys<T: Item>(update: &mut crate::expr::Update) -> Result<()> {
    use crate::expr::{PathElement, SetValue, UpdateOperand};
    if !T::SCHEMA.has_rendered_index_keys() {
        return Ok(());
    }
    let mut set = AttributeMap::new();
    let mut removed: Vec<&str> = Vec::new();
    let mut touched: Vec<&str> = Vec::new();
    for action in &update.set {
        match (action.path.elements.as_slice(), &action.value) {
            ([PathElement::Attribute(name)], SetValue::Operand(UpdateOperand::Value(v))) => {
                set.insert(name.clone(), v.clone());
            }
            _ => touched.push(action.path.top()),
        }
    }
    for path in &update.remove {
        match path.elements.as_slice() {
            [PathElement::Attribute(name)] => removed.push(name),
            _ => touched.push(path.top()),
        }
    }
    for (path, _) in update.add.iter().chain(&update.delete) {
        touched.push(path.top());
    }
    let derived = T::derived_key_updates(&set, &removed, &touched)?;
    for (name, value) in derived.set {
        update.set.push(crate::expr::SetAction {
            path: ExprPath::attribute(name),
            value: SetValue::Operand(UpdateOperand::Value(value)),
        });
    }
    update
        .remove
        .extend(derived.remove.into_iter().map(ExprPath::attribute));
    Ok(())
}

/// Marks a write builder that is one action of a [`super::Transaction`]:
/// it is committed with the transaction, not awaited on its own.
#[derive(Clone, Copy, Debug)]
pub struct InTransaction;

/// A pending `put`; await it. In a transaction (`C` = [`InTransaction`])
/// the same builder describes one action.
#[must_use = "a put does nothing until it is awaited"]
pub struct Put<'a, T, C = &'a Client> {
    ctx: C,
    item: &'a T,
    condition: Option<Cond<T>>,
    if_not_exists: bool,
}

/// What a put sends: the item, its condition, and the version it checks.
pub(super) struct PutPlan {
    pub item: AttributeMap,
    pub condition: Option<Condition>,
    pub version: ExpectedVersion,
}

impl<'a, T: Item, C> Put<'a, T, C> {
    pub(super) fn new(ctx: C, item: &'a T) -> Self {
        Self {
            ctx,
            item,
            condition: None,
            if_not_exists: false,
        }
    }

    /// The item with its lifecycle attributes, and the conditions.
    pub(super) fn plan(self) -> Result<(C, PutPlan)> {
        let mut item = self.item.to_item()?;
        stamp::<T>(&mut item)?;
        let mut condition = self.condition.map(Cond::into_condition).transpose()?;
        if self.if_not_exists {
            condition = and(condition, Some(not_exists::<T>()));
        }
        let mut version = None;
        if let Some(name) = T::SCHEMA.lifecycle.version {
            let current = stored_version(&item, name)?;
            let check = if current.is_zero() {
                not_exists::<T>()
            } else {
                path_condition(name, Comparator::Eq, AttributeValue::N(current))
            };
            condition = and(condition, Some(check));
            let next = current
                .checked_add(Number::from(1u8))
                .map_err(|e| AttributeError::invalid(e.to_string()).in_attribute(name))?;
            item.insert(name.to_owned(), AttributeValue::N(next));
            version = Some((name, current));
        }
        Ok((
            self.ctx,
            PutPlan {
                item,
                condition,
                version,
            },
        ))
    }

    /// Write only if no item with this key exists; otherwise the put fails
    /// with `ConditionalCheckFailed`.
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// Write only if `condition` holds for the stored item (all conditions
    /// given must hold).
    pub fn when(mut self, condition: Cond<T>) -> Self {
        self.condition = and_cond(self.condition.take(), condition);
        self
    }
}

impl<'a, T: Item> Put<'a, T> {
    async fn send(self, return_values: ReturnValue) -> Result<Option<AttributeMap>> {
        let (client, plan) = self.plan()?;
        let mut input = PutItemInput::new(T::SCHEMA.table_name, plan.item);
        input.condition = plan.condition;
        input.return_values = (return_values != ReturnValue::None).then_some(return_values);
        if plan.version.is_some() {
            input.return_values_on_condition_check_failure =
                Some(ReturnValuesOnConditionCheckFailure::AllOld);
        }
        let output = client
            .backend
            .put_item(input)
            .await
            .map_err(|e| with_version(e, plan.version))?;
        Ok(output.attributes)
    }

    /// Sends the put and returns the item it replaced (`None` when there
    /// was none).
    pub async fn returning_old(self) -> Result<Option<T>> {
        self.send(ReturnValue::AllOld)
            .await?
            .map(super::decode::<T>)
            .transpose()
    }
}

impl<'a, T: Item + Sync> IntoFuture for Put<'a, T> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.send(ReturnValue::None).await?;
            Ok(())
        })
    }
}

/// A failed write as a version conflict when its version check failed.
fn with_version(error: Error, version: ExpectedVersion) -> Error {
    match version {
        Some((name, expected)) => version_error(error, name, expected),
        None => error,
    }
}

/// The version attribute and the version a write expects, when it checks one.
type ExpectedVersion = Option<(&'static str, Number)>;

/// A pending `update`: add actions, then await it.
///
/// Every action takes a typed path of `T` and a value of the path's type;
/// `add` exists only for numbers and sets, `delete` only for sets,
/// `remove` only for optional attributes.
#[must_use = "an update does nothing until it is awaited"]
pub struct Update<'a, T, C = &'a Client> {
    ctx: C,
    key: Key<T>,
    actions: Actions,
    condition: Option<Cond<T>>,
    /// `None`: the item must exist. `Some`: an upsert, creating the item
    /// from these attributes (of a whole `T`) where the update leaves
    /// them unset.
    upsert: Option<std::result::Result<AttributeMap, AttributeError>>,
    expected_version: Option<Number>,
    lifetime: std::marker::PhantomData<&'a ()>,
}

/// What an update sends.
pub(super) struct UpdatePlan {
    pub key: AttributeMap,
    pub update: crate::expr::Update,
    pub condition: Option<Condition>,
    pub version: ExpectedVersion,
    /// Whether the update conditions on the item's existence (not an upsert).
    pub must_exist: bool,
}

impl<'a, T: Item, C> Update<'a, T, C> {
    pub(super) fn new(ctx: C, key: Key<T>) -> Self {
        Self {
            ctx,
            lifetime: std::marker::PhantomData,
            key,
            actions: Actions::new(),
            condition: None,
            upsert: None,
            expected_version: None,
        }
    }

    /// An upsert of `item`: the update of its key, creating it from
    /// `item`'s attributes where the update leaves them unset.
    pub(super) fn upsert(ctx: C, item: &T) -> Self {
        let mut update = Self::new(ctx, item.primary_key());
        update.upsert = Some(item.to_item());
        update
    }

    /// `SET path = value`.
    pub fn set<V: Attribute, O: Mutable>(
        mut self,
        path: Path<T, V, O>,
        value: impl ValueArg<V>,
    ) -> Self {
        self.actions.set(&path, value.into_value());
        self
    }

    /// `SET path = if_not_exists(path, value)`: set unless already present.
    pub fn set_if_not_exists<V: Attribute, O: Mutable>(
        mut self,
        path: Path<T, V, O>,
        value: impl ValueArg<V>,
    ) -> Self {
        self.actions.set_if_not_exists(&path, value.into_value());
        self
    }

    /// `ADD path value`: adds to a number (absent counts as 0) or adds the
    /// elements of a set.
    pub fn add<V: Addable, O: Mutable>(
        mut self,
        path: Path<T, V, O>,
        value: impl ValueArg<V>,
    ) -> Self {
        self.actions.add(&path, value.into_value());
        self
    }

    /// `SET path = if_not_exists(path, 0) + n`.
    pub fn increment<V: Numeric, O: Mutable>(
        mut self,
        path: Path<T, V, O>,
        n: impl ValueArg<V>,
    ) -> Self {
        self.actions.step(&path, n.into_value(), true);
        self
    }

    /// `SET path = if_not_exists(path, 0) - n`.
    pub fn decrement<V: Numeric, O: Mutable>(
        mut self,
        path: Path<T, V, O>,
        n: impl ValueArg<V>,
    ) -> Self {
        self.actions.step(&path, n.into_value(), false);
        self
    }

    /// `DELETE path set`: removes these elements from a set.
    pub fn delete<V: SetAttribute, O: Mutable>(mut self, path: Path<T, V, O>, elements: V) -> Self {
        self.actions.delete(&path, elements);
        self
    }

    /// `REMOVE path`: deletes an optional attribute (or list element, or
    /// map entry).
    pub fn remove<V, O: Removable>(mut self, path: Path<T, V, O>) -> Self {
        self.actions.remove(&path);
        self
    }

    /// Appends `items` to a list (an absent list counts as empty).
    pub fn append<E: Attribute, O: Mutable>(
        mut self,
        path: Path<T, Vec<E>, O>,
        items: impl IntoIterator<Item = E>,
    ) -> Self {
        self.actions
            .list_append(&path, items.into_iter().collect(), true);
        self
    }

    /// Puts `items` in front of a list (an absent list counts as empty).
    pub fn prepend<E: Attribute, O: Mutable>(
        mut self,
        path: Path<T, Vec<E>, O>,
        items: impl IntoIterator<Item = E>,
    ) -> Self {
        self.actions
            .list_append(&path, items.into_iter().collect(), false);
        self
    }

    /// Update only if `condition` holds for the stored item.
    pub fn when(mut self, condition: Cond<T>) -> Self {
        self.condition = and_cond(self.condition.take(), condition);
        self
    }

    /// Update only an existing item, which every typed update does unless
    /// it is an upsert: a missing item fails with [`Error::ItemNotFound`]
    /// (in a transaction, a `ConditionalCheckFailed` reason) instead of
    /// being created with only the attributes the update sets. Kept to
    /// say so at the call site; an upsert ignores it.
    pub fn if_exists(self) -> Self {
        self
    }

    /// Update only if the stored `#[dynamo(version)]` is `version` (the one
    /// the caller read); otherwise fail with [`Error::VersionConflict`].
    pub fn if_version(mut self, version: impl Into<Number>) -> Self {
        self.expected_version = Some(version.into());
        self
    }

    /// The update with its lifecycle actions and rendered index keys, and
    /// the conditions.
    pub(super) fn plan(self) -> Result<(C, UpdatePlan)> {
        let mut actions = self.actions;
        if let Some(error) = actions.error.take() {
            return Err(error.into());
        }
        let lifecycle = T::SCHEMA.lifecycle;
        let now = T::timestamps(SystemTime::now())?;
        let mut update = actions.update;
        if let (Some(name), Some(v)) = (lifecycle.updated_at, now.updated_at) {
            update.set.push(crate::expr::SetAction {
                path: ExprPath::attribute(name),
                value: crate::expr::SetValue::Operand(crate::expr::UpdateOperand::Value(v)),
            });
        }
        if let (Some(name), Some(v)) = (lifecycle.created_at, now.created_at) {
            update.set.push(crate::expr::SetAction {
                path: ExprPath::attribute(name),
                value: crate::expr::SetValue::Operand(crate::expr::UpdateOperand::IfNotExists(
                    ExprPath::attribute(name),
                    Box::new(crate::expr::UpdateOperand::Value(v)),
                )),
            });
        }
        derived_keys::<T>(&mut update)?;
        let mut condition = self.condition.map(Cond::into_condition).transpose()?;
        let must_exist = self.upsert.is_none();
        if must_exist {
            condition = and(Some(exists::<T>()), condition);
        }
        let mut version = None;
        if let Some(name) = lifecycle.version {
            update.add.push((
                ExprPath::attribute(name),
                AttributeValue::N(Number::from(1u8)),
            ));
            if let Some(expected) = self.expected_version {
                let check = if expected.is_zero() {
                    not_exists::<T>()
                } else {
                    path_condition(name, Comparator::Eq, AttributeValue::N(expected))
                };
                condition = and(condition, Some(check));
                version = Some((name, expected));
            }
        }
        if let Some(item) = self.upsert {
            upsert_defaults::<T>(&mut update, item?);
        }
        Ok((
            self.ctx,
            UpdatePlan {
                key: self.key.into_attributes(),
                update,
                condition,
                version,
                must_exist,
            },
        ))
    }
}

/// Completes an upsert's `update` so that it creates a whole item: every
/// top-level attribute of `item` that the update does not touch is set
/// with `if_not_exists`, so an existing item keeps its values and a new
/// one gets `item`'s. Key attributes are the key itself, and the version
/// is the update's `ADD`.
fn upsert_defaults<T: Item>(update: &mut crate::expr::Update, item: AttributeMap) {
    use crate::expr::{SetAction, SetValue, UpdateOperand};
    let schema = T::SCHEMA;
    let touched: std::collections::HashSet<String> = update
        .set
        .iter()
        .map(|a| a.path.top())
        .chain(update.remove.iter().map(ExprPath::top))
        .chain(
            update
                .add
                .iter()
                .chain(&update.delete)
                .map(|(p, _)| p.top()),
        )
        .map(str::to_owned)
        .collect();
    let mut defaults: Vec<(String, AttributeValue)> = item
        .into_iter()
        .filter(|(name, _)| {
            !touched.contains(name)
                && name != schema.partition_key.name
                && schema.sort_key.is_none_or(|k| k.name != name)
                && schema.lifecycle.version != Some(name.as_str())
        })
        .collect();
    // A stable order, so the same upsert sends the same expression.
    defaults.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value) in defaults {
        update.set.push(SetAction {
            path: ExprPath::attribute(name.clone()),
            value: SetValue::Operand(UpdateOperand::IfNotExists(
                ExprPath::attribute(name),
                Box::new(UpdateOperand::Value(value)),
            )),
        });
    }
}

/// What a sent update needs to explain its failure.
struct UpdateCheck {
    version: ExpectedVersion,
    /// The key, when the update required the item to exist.
    must_exist: Option<AttributeMap>,
}

impl UpdateCheck {
    /// A failed condition as the caller should see it: the item missing
    /// ([`Error::ItemNotFound`]), a version conflict, or the caller's own
    /// condition.
    fn explain<T: Item>(self, error: Error) -> Error {
        if let (Some(key), Error::ConditionalCheckFailed { item: None, .. }) =
            (self.must_exist, &error)
        {
            return Error::ItemNotFound {
                table: T::SCHEMA.table_name.to_owned(),
                key,
            };
        }
        with_version(error, self.version)
    }
}

impl<'a, T: Item> Update<'a, T> {
    fn input(self) -> Result<(UpdateItemInput, UpdateCheck, &'a Client)> {
        let (client, plan) = self.plan()?;
        let check = UpdateCheck {
            version: plan.version,
            must_exist: plan.must_exist.then(|| plan.key.clone()),
        };
        let mut input = UpdateItemInput::new(T::SCHEMA.table_name, plan.key, plan.update);
        input.condition = plan.condition;
        if plan.version.is_some() || plan.must_exist {
            // The old item tells a missing item, a stale version and the
            // caller's own condition apart.
            input.return_values_on_condition_check_failure =
                Some(ReturnValuesOnConditionCheckFailure::AllOld);
        }
        Ok((input, check, client))
    }

    async fn send(self, return_values: ReturnValue) -> Result<Option<AttributeMap>> {
        let (mut input, check, client) = self.input()?;
        input.return_values = (return_values != ReturnValue::None).then_some(return_values);
        let output = client
            .backend
            .update_item(input)
            .await
            .map_err(|e| check.explain::<T>(e))?;
        Ok(output.attributes)
    }

    /// Sends the update and returns the item as it is after it.
    pub async fn returning_new(self) -> Result<T> {
        let item = self.send(ReturnValue::AllNew).await?.unwrap_or_default();
        super::decode::<T>(item)
    }

    /// Sends the update and returns the item as it was before it (`None`
    /// when an upsert created it).
    pub async fn returning_old(self) -> Result<Option<T>> {
        self.send(ReturnValue::AllOld)
            .await?
            .map(super::decode::<T>)
            .transpose()
    }
}

impl<'a, T: Item + Send + 'a> IntoFuture for Update<'a, T> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.send(ReturnValue::None).await?;
            Ok(())
        })
    }
}

/// A pending `delete`; await it.
#[must_use = "a delete does nothing until it is awaited"]
pub struct Delete<'a, T, C = &'a Client> {
    ctx: C,
    key: Key<T>,
    condition: Option<Cond<T>>,
    lifetime: std::marker::PhantomData<&'a ()>,
}

impl<'a, T: Item, C> Delete<'a, T, C> {
    pub(super) fn new(ctx: C, key: Key<T>) -> Self {
        Self {
            ctx,
            key,
            condition: None,
            lifetime: std::marker::PhantomData,
        }
    }

    /// The key and the condition.
    pub(super) fn plan(self) -> Result<(C, AttributeMap, Option<Condition>)> {
        let condition = self.condition.map(Cond::into_condition).transpose()?;
        Ok((self.ctx, self.key.into_attributes(), condition))
    }

    /// Delete only if `condition` holds for the stored item.
    pub fn when(mut self, condition: Cond<T>) -> Self {
        self.condition = and_cond(self.condition.take(), condition);
        self
    }
}

impl<'a, T: Item> Delete<'a, T> {
    async fn send(self, return_values: ReturnValue) -> Result<Option<AttributeMap>> {
        let (client, key, condition) = self.plan()?;
        let mut input = DeleteItemInput::new(T::SCHEMA.table_name, key);
        input.condition = condition;
        input.return_values = (return_values != ReturnValue::None).then_some(return_values);
        Ok(client.backend.delete_item(input).await?.attributes)
    }

    /// Sends the delete and returns the item it deleted (`None` when there
    /// was none).
    pub async fn returning_old(self) -> Result<Option<T>> {
        self.send(ReturnValue::AllOld)
            .await?
            .map(super::decode::<T>)
            .transpose()
    }
}

impl<'a, T: Item + Send + 'a> IntoFuture for Delete<'a, T> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.send(ReturnValue::None).await?;
            Ok(())
        })
    }
}
