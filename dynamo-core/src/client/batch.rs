//! Typed batches: many gets, puts or deletes of one item type, split into
//! DynamoDB's batch sizes (100 keys a `BatchGetItem`, 25 writes a
//! `BatchWriteItem`). Each request is retried by the client's
//! [`RetryPolicy`](super::RetryPolicy), and so are its unprocessed items:
//! one budget of attempts and time per request covers both, and
//! unprocessed items wait like throttling (their usual cause).
//!
//! Batch writes carry no conditions, so a type with a `#[dynamo(version)]`
//! field cannot be batch-written: that would skip its version check.

use super::{Client, Consistency};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::item::{Item, Key};
use crate::ops::{BatchGetItemInput, BatchWriteItemInput, KeysAndAttributes, WriteRequest};
use crate::value::{AttributeMap, KeyValue};
use std::collections::HashMap;
use std::future::Future;

/// Keys per `BatchGetItem`.
const GET_BATCH: usize = 100;
/// Writes per `BatchWriteItem`.
const WRITE_BATCH: usize = 25;

/// What one batch helper sends: its operation, the name of what DynamoDB
/// leaves unprocessed, and what the items are called in the give-up error.
struct BatchKind {
    operation: &'static str,
    unprocessed: &'static str,
    items: &'static str,
}

const GETS: BatchKind = BatchKind {
    operation: "BatchGetItem",
    unprocessed: "UnprocessedKeys",
    items: "keys",
};

const WRITES: BatchKind = BatchKind {
    operation: "BatchWriteItem",
    unprocessed: "UnprocessedItems",
    items: "writes",
};

impl Client {
    /// Reads the items with `keys`: one entry per key, in the order given,
    /// `None` where there is no item. Duplicate keys are read once. Reads
    /// with the client's [`Consistency`].
    pub async fn get_many<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
    ) -> Result<Vec<Option<T>>> {
        self.get_many_with(keys, self.consistency).await
    }

    /// [`Client::get_many`] with strongly consistent reads.
    pub async fn get_many_consistent<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
    ) -> Result<Vec<Option<T>>> {
        self.get_many_with(keys, Consistency::Strong).await
    }

    /// [`Client::get_many`] with eventually consistent reads, whatever the
    /// client's default.
    pub async fn get_many_eventual<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
    ) -> Result<Vec<Option<T>>> {
        self.get_many_with(keys, Consistency::Eventual).await
    }

    async fn get_many_with<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
        consistency: Consistency,
    ) -> Result<Vec<Option<T>>> {
        let table = T::SCHEMA.table_name;
        let key_names: Vec<&str> = std::iter::once(T::SCHEMA.partition_key.name)
            .chain(T::SCHEMA.sort_key.map(|k| k.name))
            .collect();
        // A key's identity: its key values in schema order (hashable, unlike
        // an `AttributeMap`), so matching answers to keys stays linear.
        let id = |map: &AttributeMap| -> Vec<Option<KeyValue>> {
            key_names
                .iter()
                .map(|n| {
                    map.get(*n)
                        .cloned()
                        .and_then(|v| KeyValue::try_from(v).ok())
                })
                .collect()
        };
        let keys: Vec<AttributeMap> = keys.into_iter().map(Key::into_attributes).collect();
        // Each distinct key once, and for each given key its distinct index.
        let mut index_of: HashMap<Vec<Option<KeyValue>>, usize> = HashMap::new();
        let mut distinct: Vec<&AttributeMap> = Vec::new();
        let slots: Vec<usize> = keys
            .iter()
            .map(|key| {
                *index_of.entry(id(key)).or_insert_with(|| {
                    distinct.push(key);
                    distinct.len() - 1
                })
            })
            .collect();
        let mut found: Vec<Option<AttributeMap>> = vec![None; distinct.len()];
        let backend = self.backend.inner();
        for chunk in distinct.chunks(GET_BATCH) {
            let send = |keys| async move {
                let request = KeysAndAttributes {
                    keys,
                    consistent_read: consistency.consistent_read(),
                    projection: None,
                };
                let input = BatchGetItemInput {
                    request_items: HashMap::from([(table.to_owned(), request)]),
                    return_consumed_capacity: None,
                };
                input.validate()?;
                let mut output = backend.batch_get_item(input).await?;
                let rest = output.unprocessed_keys.remove(table).map(|r| r.keys);
                let items = output.responses.remove(table).unwrap_or_default();
                Ok((items, rest.unwrap_or_default()))
            };
            let answered = |items: Vec<AttributeMap>| {
                for item in items {
                    if let Some(&i) = index_of.get(&id(&item)) {
                        found[i] = Some(item);
                    }
                }
            };
            let keys = chunk.iter().map(|k| (*k).clone()).collect();
            self.until_processed(&GETS, keys, send, answered).await?;
        }
        // The last request for a key takes its item; earlier repeats copy it.
        let mut last_use = vec![0; distinct.len()];
        for (position, &slot) in slots.iter().enumerate() {
            last_use[slot] = position;
        }
        slots
            .iter()
            .enumerate()
            .map(|(position, &slot)| {
                let item = if last_use[slot] == position {
                    found[slot].take()
                } else {
                    found[slot].clone()
                };
                item.map(super::decode::<T>).transpose()
            })
            .collect()
    }

    /// Writes `items` (replacing items with the same keys), 25 a request.
    /// Not atomic: use a transaction for all-or-nothing.
    pub async fn put_many<T: Item>(&self, items: &[T]) -> Result<()> {
        if T::SCHEMA.lifecycle.version.is_some() {
            return Err(Error::validation(
                "batch writes cannot check the #[dynamo(version)] of an item; use put or a transaction",
            ));
        }
        let mut requests = Vec::with_capacity(items.len());
        for item in items {
            let mut attributes = item.to_item()?;
            super::write::stamp::<T>(&mut attributes)?;
            requests.push(WriteRequest::PutRequest { item: attributes });
        }
        self.write_many::<T>(requests).await
    }

    /// Deletes the items with `keys`, 25 a request. Not atomic.
    pub async fn delete_many<T: Item>(&self, keys: impl IntoIterator<Item = Key<T>>) -> Result<()> {
        let requests = keys
            .into_iter()
            .map(|key| WriteRequest::DeleteRequest {
                key: key.into_attributes(),
            })
            .collect();
        self.write_many::<T>(requests).await
    }

    async fn write_many<T: Item>(&self, requests: Vec<WriteRequest>) -> Result<()> {
        let table = T::SCHEMA.table_name;
        let backend = self.backend.inner();
        for chunk in requests.chunks(WRITE_BATCH) {
            let send = |writes| async move {
                let input = BatchWriteItemInput {
                    request_items: HashMap::from([(table.to_owned(), writes)]),
                    return_consumed_capacity: None,
                };
                input.validate()?;
                let mut output = backend.batch_write_item(input).await?;
                Ok((
                    (),
                    output.unprocessed_items.remove(table).unwrap_or_default(),
                ))
            };
            self.until_processed(&WRITES, chunk.to_vec(), send, |()| {})
                .await?;
        }
        Ok(())
    }

    /// Sends `pending` with `send` (which answers what it got and what is
    /// left unprocessed) until nothing is left, retrying failed requests
    /// and unprocessed items within one schedule of the retry policy. Each
    /// answer goes to `answered`.
    async fn until_processed<P, A, F, Fut>(
        &self,
        kind: &BatchKind,
        mut pending: Vec<P>,
        mut send: F,
        mut answered: impl FnMut(A),
    ) -> Result<()>
    where
        P: Clone,
        F: FnMut(Vec<P>) -> Fut,
        Fut: Future<Output = Result<(A, Vec<P>)>>,
    {
        let mut schedule = self.backend.schedule(kind.operation);
        while !pending.is_empty() {
            schedule.sending();
            let delay = match send(pending.clone()).await {
                Ok((answer, rest)) => {
                    answered(answer);
                    pending = rest;
                    if pending.is_empty() {
                        break;
                    }
                    schedule
                        .after_unprocessed(kind.unprocessed)
                        .ok_or_else(|| Error::BatchUnprocessed {
                            unprocessed: kind.unprocessed,
                            what: kind.items,
                            remaining: pending.len(),
                            attempts: schedule.attempts(),
                        })?
                }
                Err(error) => schedule.after_error(&error).ok_or(error)?,
            };
            self.backend.pause(delay).await;
        }
        Ok(())
    }
}
