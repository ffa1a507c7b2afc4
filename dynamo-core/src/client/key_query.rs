//! Key queries: which partition of a table or index a query reads, and the
//! typed sort-key conditions that narrow it.

use crate::expr::{KeyCondition, SortKeyOp};
use crate::item::{Item, KeyArg};
use crate::key_template::{BeginsWithKey, SortCompare, SortKeyShape, SortKeyType};
use crate::value::KeyValue;
use std::marker::PhantomData;

/// Which items a query selects: one partition of the table or of one of
/// its indexes, optionally narrowed by a condition on the sort key. Built by
/// the derived `T::partition(...)` and by one method per declared index
/// (`Order::by_status(status)`). `S` is the type sort-key conditions take;
/// it has no [`SortKeyType`] implementation when there is no sort key, so
/// `sk_*` methods do not compile there.
pub struct KeyQuery<T, S> {
    index: Option<&'static str>,
    condition: KeyCondition,
    sort: Option<SortKeyShape>,
    sort_condition: bool,
    marker: PhantomData<fn() -> (T, S)>,
}

impl<T, S> Clone for KeyQuery<T, S> {
    fn clone(&self) -> Self {
        Self {
            index: self.index,
            condition: self.condition.clone(),
            sort: self.sort,
            sort_condition: self.sort_condition,
            marker: PhantomData,
        }
    }
}

impl<T, S> std::fmt::Debug for KeyQuery<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyQuery")
            .field("index", &self.index)
            .field("key_condition", &self.key_condition())
            .finish()
    }
}

impl<T: Item, S> KeyQuery<T, S> {
    /// All items whose partition key (of the table, or of `index`) is
    /// `partition_key`; `sort` describes the sort key conditions apply to.
    /// Called by derived code.
    #[doc(hidden)]
    pub fn new(
        index: Option<&'static str>,
        partition_key: &'static str,
        value: KeyValue,
        sort: Option<SortKeyShape>,
    ) -> Self {
        Self {
            index,
            condition: KeyCondition::partition(partition_key, value),
            sort,
            sort_condition: false,
            marker: PhantomData,
        }
    }
}

impl<T, S> KeyQuery<T, S> {
    /// The index queried, or `None` for the table.
    pub fn index(&self) -> Option<&'static str> {
        self.index
    }

    /// The key condition this query sends: the partition, and the sort-key
    /// condition given or, for a templated sort key, the entity's prefix.
    pub fn key_condition(&self) -> KeyCondition {
        let mut condition = self.condition.clone();
        if !self.sort_condition
            && let Some(shape) = &self.sort
            && let Some(op) = shape.implicit()
        {
            condition = condition.and_sort_key(shape.name, op);
        }
        condition
    }

    /// The condition without the implicit prefix: the partition and the
    /// caller's own sort-key condition (for collections).
    pub(crate) fn explicit_condition(&self) -> KeyCondition {
        self.condition.clone()
    }

    fn with_sort(mut self, op: impl FnOnce(&SortKeyShape) -> SortKeyOp) -> Self {
        if let Some(shape) = self.sort {
            self.condition = self.condition.and_sort_key(shape.name, op(&shape));
            self.sort_condition = true;
        }
        self
    }

    fn compare(self, op: SortCompare, value: S) -> Self
    where
        S: SortKeyType,
    {
        self.with_sort(|shape| shape.compare(op, &value))
    }
}

// The bounds sit on each method, not on the block, so that calling one
// where there is no sort key reports `SortKeyType`'s message (E0277) rather
// than "method exists but its trait bounds were not satisfied".
impl<T, S> KeyQuery<T, S> {
    /// Adds equality on another key attribute (a multi-attribute key's
    /// further partition attributes, or leading sort attributes). Called by
    /// derived code.
    #[doc(hidden)]
    pub fn and_key_eq(mut self, name: &'static str, value: KeyValue) -> Self {
        self.condition = self
            .condition
            .and_sort_key(name, SortKeyOp::Eq(value.into()));
        self
    }

    /// Items whose sort key (or its template's first field) equals `value`.
    pub fn sk_eq(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Eq, value.into_key())
    }
    /// Items whose sort key is below `value`.
    pub fn sk_lt(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Lt, value.into_key())
    }
    /// Items whose sort key is at most `value`.
    pub fn sk_le(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Le, value.into_key())
    }
    /// Items whose sort key is above `value`.
    pub fn sk_gt(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Gt, value.into_key())
    }
    /// Items whose sort key is at least `value`.
    pub fn sk_ge(self, value: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        self.compare(SortCompare::Ge, value.into_key())
    }
    /// Items whose sort key lies between `low` and `high`, both included.
    pub fn sk_between(self, low: impl KeyArg<S>, high: impl KeyArg<S>) -> Self
    where
        S: SortKeyType,
    {
        let (low, high) = (low.into_key(), high.into_key());
        self.with_sort(|shape| shape.between(&low, &high))
    }
    /// Items whose string or binary sort key starts with `prefix`.
    pub fn sk_begins_with(self, prefix: impl KeyArg<S>) -> Self
    where
        S: BeginsWithKey,
    {
        let prefix = prefix.into_key();
        self.with_sort(|shape| shape.begins_with(&prefix))
    }
}
