//! Typed batches: many gets, puts or deletes of one item type, split into
//! DynamoDB's batch sizes (100 keys a `BatchGetItem`, 25 writes a
//! `BatchWriteItem`), with unprocessed items retried after a growing pause.
//!
//! Batch writes carry no conditions, so a type with a `#[dynamo(version)]`
//! field cannot be batch-written: that would skip its version check.

use super::Client;
use crate::error::{Error, Result};
use crate::item::{Item, Key};
use crate::ops::{BatchGetItemInput, BatchWriteItemInput, KeysAndAttributes, WriteRequest};
use crate::value::{AttributeMap, KeyValue};
use std::collections::HashMap;
use std::time::Duration;

/// Keys per `BatchGetItem`.
const GET_BATCH: usize = 100;
/// Writes per `BatchWriteItem`.
const WRITE_BATCH: usize = 25;
/// Attempts at a batch before unprocessed items are an error.
const ATTEMPTS: u32 = 8;

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(25u64 << attempt.min(6))
}

fn unprocessed(what: &str, count: usize) -> Error {
    Error::Service {
        error_type: "ProvisionedThroughputExceededException".into(),
        message: format!("{count} {what} were still unprocessed after {ATTEMPTS} attempts"),
    }
}

impl Client {
    /// Reads the items with `keys`: one entry per key, in the order given,
    /// `None` where there is no item. Duplicate keys are read once.
    pub async fn get_many<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
    ) -> Result<Vec<Option<T>>> {
        self.get_many_with(keys, false).await
    }

    /// [`Client::get_many`] with strongly consistent reads.
    pub async fn get_many_consistent<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
    ) -> Result<Vec<Option<T>>> {
        self.get_many_with(keys, true).await
    }

    async fn get_many_with<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
        consistent: bool,
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
        for chunk in distinct.chunks(GET_BATCH) {
            let mut pending: Vec<AttributeMap> = chunk.iter().map(|k| (*k).clone()).collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == ATTEMPTS {
                    return Err(unprocessed("keys", pending.len()));
                }
                if attempt > 0 {
                    self.backend.pause(backoff(attempt)).await;
                }
                attempt += 1;
                let request = KeysAndAttributes {
                    keys: std::mem::take(&mut pending),
                    consistent_read: consistent.then_some(true),
                    projection: None,
                };
                let mut output = self
                    .backend
                    .batch_get_item(BatchGetItemInput {
                        request_items: HashMap::from([(table.to_owned(), request)]),
                        return_consumed_capacity: None,
                    })
                    .await?;
                for item in output.responses.remove(table).unwrap_or_default() {
                    if let Some(&i) = index_of.get(&id(&item)) {
                        found[i] = Some(item);
                    }
                }
                if let Some(rest) = output.unprocessed_keys.remove(table) {
                    pending = rest.keys;
                }
            }
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
                item.map(T::from_item).transpose().map_err(Error::from)
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
        for chunk in requests.chunks(WRITE_BATCH) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == ATTEMPTS {
                    return Err(unprocessed("writes", pending.len()));
                }
                if attempt > 0 {
                    self.backend.pause(backoff(attempt)).await;
                }
                attempt += 1;
                let mut output = self
                    .backend
                    .batch_write_item(BatchWriteItemInput {
                        request_items: HashMap::from([(
                            table.to_owned(),
                            std::mem::take(&mut pending),
                        )]),
                        return_consumed_capacity: None,
                    })
                    .await?;
                pending = output.unprocessed_items.remove(table).unwrap_or_default();
            }
        }
        Ok(())
    }
}
