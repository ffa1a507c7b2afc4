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
mod durable;
mod engine;
mod exec;
pub mod faults;
mod guard;
mod in_flight;
mod key;
mod log;
#[cfg(test)]
mod model_tests;
mod replica;
#[cfg(feature = "server")]
pub mod server;
mod stored;
mod table;
mod throughput;

pub use clock::{Clock, ManualClock, SystemClock};
pub use durable::{OpenError, Sync};
pub use engine::{Engine, EngineOptions};
pub use faults::{FaultKind, FaultPlan, FaultRule, FaultSpecError, Faults, Trigger};
pub use in_flight::{TransactionGate, TransactionHold};
pub use log::Retention;

/// Reads a duration written as a whole number and a unit: `50ms`, `2s`,
/// `250us`, `10ns`, `1m`. `None` for anything else.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(dynamo_local::parse_duration("50ms"), Some(Duration::from_millis(50)));
/// assert_eq!(dynamo_local::parse_duration("fast"), None);
/// ```
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    use std::time::Duration;
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ns" => Some(Duration::from_nanos(number)),
        "us" => Some(Duration::from_micros(number)),
        "ms" => Some(Duration::from_millis(number)),
        "s" => Some(Duration::from_secs(number)),
        "m" => Some(Duration::from_secs(number.checked_mul(60)?)),
        _ => None,
    }
}
