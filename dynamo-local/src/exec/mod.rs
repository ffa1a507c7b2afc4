//! The executors, one module per operation or family of operations, named
//! after it (`put_item`, `batch` for BatchGetItem and BatchWriteItem,
//! `transact` for both transaction operations, `tables` for the control
//! plane, `streams` for DynamoDB Streams, `ttl` for expiry), plus what
//! several share: reading pages (`read`), applying planned writes with
//! their capacity (`write`), capacity accounting (`capacity`). Executors
//! change tables only through `TableWriter` (ADR 0004).

pub(crate) mod batch;
pub(crate) mod capacity;
pub(crate) mod delete_item;
pub(crate) mod get_item;
pub(crate) mod put_item;
pub(crate) mod query;
pub(crate) mod read;
pub(crate) mod scan;
pub(crate) mod streams;
pub(crate) mod tables;
pub(crate) mod transact;
pub(crate) mod ttl;
pub(crate) mod update_item;
pub(crate) mod write;
