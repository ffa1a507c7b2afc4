//! `dynamo`: a typed DynamoDB SDK.
//!
//! Derive [`Item`] on a struct to map it to a table's items and keys, connect
//! to the bundled in-process engine or to DynamoDB with one connection
//! string, and read and write typed values:
//!
//! ```
//! use dynamo::Item;
//!
//! #[derive(Item, Debug, PartialEq)]
//! #[dynamo(table = "orders")]
//! struct Order {
//!     #[dynamo(partition_key)]
//!     customer_id: String,
//!     #[dynamo(sort_key)]
//!     order_id: u64,
//!     total_cents: u64,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = dynamo::connect("local://memory").await?;
//! db.create_table::<Order>().await?;
//! let order = Order { customer_id: "c1".into(), order_id: 7, total_cents: 1250 };
//! db.put(&order).await?;
//! assert_eq!(db.get(Order::key("c1", 7)).await?, Some(order));
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub use dynamo_core::*;
pub use dynamo_derive::{Attribute, Collection, Item};

/// The AWS SDK backend and conversions to and from the SDK's attribute
/// values (`dynamo::aws::sdk`), when the `aws` feature is on.
#[cfg(feature = "aws")]
pub use dynamo_aws as aws;

/// The in-process engine, when the `local` feature is on.
#[cfg(feature = "local")]
pub use dynamo_local as local;

/// A connection string could not be turned into a client.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The string names no backend this crate knows.
    #[error(
        "unsupported connection string `{0}`: expected `local://memory`, `local:///<dir>`, `http(s)://<host>:<port>` or `aws://<region>`"
    )]
    UnsupportedUrl(String),
    /// The backend exists but its cargo feature is off.
    #[error("connection string `{url}` needs the `{feature}` feature of the `dynamo` crate")]
    FeatureDisabled {
        /// The connection string.
        url: String,
        /// The feature to enable.
        feature: &'static str,
    },
    /// The data directory of a `local:///<dir>` string could not be opened.
    #[cfg(feature = "local")]
    #[error("connection string `{url}`: {source}")]
    Open {
        /// The connection string.
        url: String,
        /// Why the directory could not be opened.
        #[source]
        source: dynamo_local::OpenError,
    },
    /// An option of a `local://memory?...` string is unknown or malformed.
    #[error("connection string `{url}`: option `{option}`: {reason}")]
    BadOption {
        /// The connection string.
        url: String,
        /// The option as written.
        option: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Opens a client from a connection string.
///
/// * `local://memory`: a fresh in-process engine holding data in memory
///   (feature `local`, on by default). Options follow a `?`:
///   `replica_lag=50ms` lets eventually consistent reads lag the latest
///   commit by up to that long (units `ns`, `us`, `ms`, `s`, `m`), and
///   `seed=7` makes which replica serves each read repeat from run to run;
///   `fault=<spec>` (repeatable) injects faults, in the spec form of
///   [`dynamo_local::faults`] (`fault=throttle:0.02&fault=PutItem:conflict:every=10`),
///   drawn from the seed; `provisioned=enforce` throttles tables in
///   PROVISIONED billing mode above their capacity.
/// * `local:///<dir>`: an in-process engine whose data lives in the
///   directory `<dir>` (created if missing, locked while open): what it
///   holds is read back, and every write is logged there before it is
///   answered. Takes the options of `local://memory`, and `sync=fsync` to
///   wait for the disk (surviving power loss) rather than the operating
///   system (surviving the process being killed, the default).
/// * `http://host:port` (or `https://`): a DynamoDB-compatible endpoint, such
///   as `dynamo-local serve`, through the AWS SDK (feature `aws`); region and
///   credentials from the environment when set, else `us-east-1` and the
///   placeholder credentials local servers accept.
/// * `aws://<region>`: Amazon DynamoDB in that region with the standard
///   credentials chain (feature `aws`); `aws://` alone takes the region from
///   the environment.
pub async fn connect(url: &str) -> Result<Client, ConnectError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| ConnectError::UnsupportedUrl(url.to_owned()))?;
    match (scheme, rest) {
        ("local", memory) if memory == "memory" || memory.starts_with("memory?") => {
            local_memory(url, memory.strip_prefix("memory?").unwrap_or(""))
        }
        ("local", path) if path.starts_with('/') => {
            let (dir, query) = path.split_once('?').unwrap_or((path, ""));
            local_dir(url, dir, query)
        }
        ("http" | "https", _) => aws_endpoint(url).await,
        ("aws", region) => aws_region(url, region).await,
        _ => Err(ConnectError::UnsupportedUrl(url.to_owned())),
    }
}

#[cfg(feature = "local")]
fn local_memory(url: &str, query: &str) -> Result<Client, ConnectError> {
    let (options, sync) = local_options(url, query)?;
    if sync.is_some() {
        return Err(ConnectError::BadOption {
            url: url.to_owned(),
            option: "sync".to_owned(),
            reason: "sync applies to a data directory (local:///<dir>), not to memory".to_owned(),
        });
    }
    Ok(Client::new(dynamo_local::Engine::with_options(options)))
}

#[cfg(feature = "local")]
fn local_dir(url: &str, dir: &str, query: &str) -> Result<Client, ConnectError> {
    let (options, sync) = local_options(url, query)?;
    let engine =
        dynamo_local::Engine::open(dir, options, sync.unwrap_or_default()).map_err(|source| {
            ConnectError::Open {
                url: url.to_owned(),
                source,
            }
        })?;
    Ok(Client::new(engine))
}

#[cfg(not(feature = "local"))]
fn local_dir(url: &str, _dir: &str, _query: &str) -> Result<Client, ConnectError> {
    local_memory(url, "")
}

/// The engine options of a `local://` string, and its `sync` option.
#[cfg(feature = "local")]
fn local_options(
    url: &str,
    query: &str,
) -> Result<(dynamo_local::EngineOptions, Option<dynamo_local::Sync>), ConnectError> {
    let mut options = dynamo_local::EngineOptions::default();
    let mut sync = None;
    for option in query.split('&').filter(|o| !o.is_empty()) {
        let bad = |reason: &str| ConnectError::BadOption {
            url: url.to_owned(),
            option: option.to_owned(),
            reason: reason.to_owned(),
        };
        match option.split_once('=') {
            Some(("replica_lag", value)) => {
                options.replica_lag = dynamo_local::parse_duration(value)
                    .ok_or_else(|| bad("expected a duration such as 50ms or 2s"))?;
            }
            Some(("seed", value)) => {
                options.seed = value.parse().map_err(|_| bad("expected a whole number"))?;
            }
            Some((name, value)) if name.starts_with("replica_lag.") => {
                let table = name.trim_start_matches("replica_lag.");
                let lag = dynamo_local::parse_duration(value)
                    .ok_or_else(|| bad("expected a duration such as 50ms or 2s"))?;
                options.table_replica_lag.insert(table.to_owned(), lag);
            }
            Some(("transaction_hold", value)) => {
                let hold = dynamo_local::parse_duration(value)
                    .ok_or_else(|| bad("expected a duration such as 50ms or 2s"))?;
                options.transaction_hold = dynamo_local::TransactionHold::For(hold);
            }
            Some(("fault", spec)) => {
                let rule = spec
                    .parse()
                    .map_err(|e: dynamo_local::FaultSpecError| bad(&e.to_string()))?;
                options.faults = std::mem::take(&mut options.faults).with(rule);
            }
            Some(("sync", "os")) => sync = Some(dynamo_local::Sync::Os),
            Some(("sync", "fsync")) => sync = Some(dynamo_local::Sync::Fsync),
            Some(("sync", _)) => return Err(bad("expected sync=os or sync=fsync")),
            Some(("provisioned", "enforce")) => options.enforce_capacity = true,
            Some(("provisioned", "ignore")) => options.enforce_capacity = false,
            Some(("provisioned", _)) => {
                return Err(bad("expected provisioned=enforce or provisioned=ignore"));
            }
            _ => {
                return Err(bad(
                    "expected replica_lag=<duration>, replica_lag.<table>=<duration>, seed=<number>, transaction_hold=<duration>, fault=<spec> or provisioned=enforce",
                ));
            }
        }
    }
    Ok((options, sync))
}

#[cfg(not(feature = "local"))]
fn local_memory(url: &str, _query: &str) -> Result<Client, ConnectError> {
    Err(ConnectError::FeatureDisabled {
        url: url.to_owned(),
        feature: "local",
    })
}

#[cfg(feature = "aws")]
async fn aws_endpoint(url: &str) -> Result<Client, ConnectError> {
    Ok(Client::new(dynamo_aws::AwsBackend::for_endpoint(url).await))
}

#[cfg(feature = "aws")]
async fn aws_region(_url: &str, region: &str) -> Result<Client, ConnectError> {
    let region = (!region.is_empty()).then(|| region.trim_end_matches('/').to_owned());
    Ok(Client::new(dynamo_aws::AwsBackend::from_env(region).await))
}

#[cfg(not(feature = "aws"))]
async fn aws_endpoint(url: &str) -> Result<Client, ConnectError> {
    Err(ConnectError::FeatureDisabled {
        url: url.to_owned(),
        feature: "aws",
    })
}

#[cfg(not(feature = "aws"))]
async fn aws_region(url: &str, _region: &str) -> Result<Client, ConnectError> {
    aws_endpoint(url).await
}
