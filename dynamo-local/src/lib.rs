//! `dynamo-local`: a DynamoDB-compatible engine that runs in-process.
//!
//! [`Engine`] implements [`dynamo_core::Backend`], so a [`dynamo_core::Client`]
//! runs on it exactly as on DynamoDB:
//!
//! ```
//! use dynamo_core::{Backend, ops::ListTablesInput};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let engine = dynamo_local::Engine::new();
//! let tables = engine.list_tables(ListTablesInput::default()).await.unwrap();
//! assert!(tables.table_names.is_empty());
//! # }
//! ```
//!
//! Concurrency: the catalog of tables sits behind one read-mostly lock taken
//! only to find a table; each table's data has its own lock, so operations on
//! different tables never wait for each other.
#![deny(missing_docs)]

mod clock;
mod engine;
mod exec;
mod key;
mod log;
#[cfg(test)]
mod model_tests;
#[cfg(feature = "server")]
pub mod server;
mod table;

pub use clock::{Clock, ManualClock, SystemClock};
pub use engine::{Engine, EngineOptions};
pub use log::Retention;
