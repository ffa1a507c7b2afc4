//! The errors a backend returns. Each service error variant is one of
//! DynamoDB's error types and carries DynamoDB's message text, so code can
//! match on what happened and the HTTP server can send exactly what DynamoDB
//! sends.

use crate::item::AttributeError;
use crate::value::{AttributeMap, Number};

/// A failed DynamoDB operation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// `ValidationException`: the request is invalid.
    #[error("ValidationException: {0}")]
    Validation(String),
    /// `ResourceNotFoundException`: the table or index does not exist.
    #[error("ResourceNotFoundException: {0}")]
    ResourceNotFound(String),
    /// `ResourceInUseException`: e.g. the table already exists.
    #[error("ResourceInUseException: {0}")]
    ResourceInUse(String),
    /// `ConditionalCheckFailedException`: a condition expression was false.
    #[error("ConditionalCheckFailedException: {message}")]
    ConditionalCheckFailed {
        /// DynamoDB's message (`The conditional request failed`).
        message: String,
        /// The item as it was, when `ReturnValuesOnConditionCheckFailure` asked for it.
        item: Option<AttributeMap>,
    },
    /// `TransactionCanceledException`: a transaction did nothing; one reason
    /// per action, in request order.
    #[error("TransactionCanceledException: {message}")]
    TransactionCanceled {
        /// DynamoDB's message, listing the reason codes.
        message: String,
        /// Why each action was or was not cancelled.
        reasons: Vec<CancellationReason>,
    },
    /// A write of an item with a `#[dynamo(version)]` field found another
    /// version stored than the one it was based on: someone else wrote the
    /// item since it was read. Read it again and retry.
    #[error("version conflict: expected version {expected}, found {}", found.map_or_else(|| "no item".to_owned(), |v| v.to_string()))]
    VersionConflict {
        /// The version the write was based on (0 for a new item).
        expected: Number,
        /// The version stored, `None` when there is no item.
        found: Option<Number>,
    },
    /// `InternalServerError`.
    #[error("InternalServerError: {0}")]
    InternalServerError(String),
    /// The request was refused for going too fast, and may be retried after
    /// a pause: `ProvisionedThroughputExceededException`,
    /// `ThrottlingException`, `RequestLimitExceeded`.
    #[error("{error_type}: {message}")]
    Throttled {
        /// The error type, e.g. `ProvisionedThroughputExceededException`.
        error_type: String,
        /// Its message.
        message: String,
        /// Which limits of which resources were exceeded (DynamoDB's
        /// `ThrottlingReasons`; empty when the service gave none).
        reasons: Vec<ThrottlingReason>,
        /// How long the service asked the client to wait before retrying
        /// (the `x-amz-retry-after` header), when it said.
        retry_after: Option<std::time::Duration>,
    },
    /// Any other error type reported by a remote service.
    #[error("{error_type}: {message}")]
    Service {
        /// The error type, e.g. `ThrottlingException`.
        error_type: String,
        /// Its message.
        message: String,
    },
    /// The request could not be sent or the response not read.
    #[error("transport error: {0}")]
    Transport(String),
    /// A typed item could not be converted to or from its attributes.
    #[error(transparent)]
    Attribute(#[from] AttributeError),
    /// A typed update (not an upsert) found no item with its key: typed
    /// updates change existing items only, so that one never creates an
    /// item its type cannot read back. DynamoDB reported it as
    /// `ConditionalCheckFailedException`; use `upsert` to create the item.
    #[error(
        "no item with key {} in table `{table}` (a typed update changes existing items only; use `upsert` to create one)",
        describe_key(key)
    )]
    ItemNotFound {
        /// The table.
        table: String,
        /// The key the update was sent with.
        key: AttributeMap,
    },
    /// A batch helper of the client (`get_many`, `put_many`,
    /// `delete_many`) gave up: the service kept answering with
    /// unprocessed keys or writes until the client's retry policy ran
    /// out. No service error was sent; nothing about the unprocessed part
    /// is known to have failed.
    #[error("{remaining} {what} were still unprocessed after {attempts} attempts")]
    BatchUnprocessed {
        /// `UnprocessedKeys` (BatchGetItem) or `UnprocessedItems` (BatchWriteItem).
        unprocessed: &'static str,
        /// `keys` or `writes`.
        what: &'static str,
        /// How many were left.
        remaining: usize,
        /// The requests sent.
        attempts: u32,
    },
    /// A stored item could not be read as the typed item: which table,
    /// which key, and which attribute.
    #[error(transparent)]
    Undecodable(Box<UndecodableItem>),
}

/// An item read from a table that its Rust type cannot decode (an
/// attribute missing or of another type), with where it is. Strict reads
/// fail with it as [`Error::Undecodable`]; lenient queries skip the item
/// and report it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "item {} in table `{table}` cannot be read: {source}",
    describe_key(key)
)]
pub struct UndecodableItem {
    /// The table the item was read from.
    pub table: String,
    /// The item's primary key attributes (as many as it has).
    pub key: AttributeMap,
    /// What is wrong with it, naming the attribute.
    #[source]
    pub source: AttributeError,
}

/// A key for people: `{pk: "RIDE#r9", sk: 3}`, attributes by name.
pub fn describe_key(key: &AttributeMap) -> String {
    use crate::value::AttributeValue;
    let mut names: Vec<&String> = key.keys().collect();
    names.sort();
    let parts: Vec<String> = names
        .into_iter()
        .map(|name| match &key[name] {
            AttributeValue::S(s) => format!("{name}: {s:?}"),
            AttributeValue::N(n) => format!("{name}: {n}"),
            other => format!("{name}: {other:?}"),
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}

impl Error {
    /// DynamoDB's name for this error type (`ValidationException`, ...).
    pub fn error_type(&self) -> &str {
        match self {
            Self::Validation(_) => "ValidationException",
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::ResourceInUse(_) => "ResourceInUseException",
            Self::ConditionalCheckFailed { .. } => "ConditionalCheckFailedException",
            Self::TransactionCanceled { .. } => "TransactionCanceledException",
            Self::VersionConflict { .. } | Self::ItemNotFound { .. } => {
                "ConditionalCheckFailedException"
            }
            Self::InternalServerError(_) => "InternalServerError",
            Self::Service { error_type, .. } | Self::Throttled { error_type, .. } => error_type,
            Self::Transport(_) => "TransportError",
            Self::Attribute(_) | Self::Undecodable(_) => "AttributeConversionError",
            Self::BatchUnprocessed { unprocessed, .. } => unprocessed,
        }
    }

    /// The message text, without the error type.
    pub fn message(&self) -> String {
        match self {
            Self::Validation(m)
            | Self::ResourceNotFound(m)
            | Self::ResourceInUse(m)
            | Self::InternalServerError(m)
            | Self::Transport(m) => m.clone(),
            Self::ConditionalCheckFailed { message, .. }
            | Self::Service { message, .. }
            | Self::Throttled { message, .. }
            | Self::TransactionCanceled { message, .. } => message.clone(),
            Self::Attribute(e) => e.to_string(),
            Self::VersionConflict { .. }
            | Self::ItemNotFound { .. }
            | Self::Undecodable(_)
            | Self::BatchUnprocessed { .. } => self.to_string(),
        }
    }

    /// A ValidationException with this message.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
    }

    /// Whether this error is worth retrying, and as what, by the rules of
    /// AWS's SDKs: throttling (every `Throttled` error, and the SDKs'
    /// throttling codes, `TransactionInProgressException` among them: a
    /// transaction with the same client token is still being applied),
    /// transient failures (500s, 503s, request timeouts, and transport
    /// errors, where the request may not have reached the service), and
    /// contention ([`RetryClass::Conflict`]: `TransactionConflictException`,
    /// or a cancellation whose only reasons are conflicts and throttles),
    /// which the SDKs do not retry and [`crate::RetryPolicy`] retries only
    /// when asked. `None` for the rest: a failed condition, an invalid
    /// request or a missing table fails the same way every time.
    ///
    /// ```
    /// use dynamo_core::{Error, RetryClass};
    /// let throttled = Error::Service {
    ///     error_type: "LimitExceededException".into(),
    ///     message: "Too many operations for a given subscriber.".into(),
    /// };
    /// assert_eq!(throttled.retry_class(), Some(RetryClass::Throttling));
    /// assert_eq!(Error::validation("bad").retry_class(), None);
    /// ```
    pub fn retry_class(&self) -> Option<RetryClass> {
        match self {
            Self::Throttled { .. } => Some(RetryClass::Throttling),
            Self::InternalServerError(_) | Self::Transport(_) => Some(RetryClass::Transient),
            Self::Service { error_type, .. } => RetryClass::of_error_type(error_type),
            Self::TransactionCanceled { reasons, .. } => {
                let contended = |r: &&CancellationReason| r.code != "None";
                let only_contention = reasons.iter().filter(contended).all(|r| {
                    r.code == "TransactionConflict" || THROTTLING_REASONS.contains(&r.code.as_str())
                });
                (only_contention && reasons.iter().any(|r| contended(&r)))
                    .then_some(RetryClass::Conflict)
            }
            Self::Validation(_)
            | Self::ResourceNotFound(_)
            | Self::ResourceInUse(_)
            | Self::ConditionalCheckFailed { .. }
            | Self::VersionConflict { .. }
            | Self::ItemNotFound { .. }
            | Self::Attribute(_)
            | Self::Undecodable(_)
            | Self::BatchUnprocessed { .. } => None,
        }
    }

    /// How long the service asked the client to wait before retrying
    /// (`x-amz-retry-after`), when it said.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Why an error may go away when the request is sent again; see
/// [`Error::retry_class`]. The classes wait differently: throttling longer
/// than transient failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// The request was refused for going too fast.
    Throttling,
    /// The service failed or could not be reached; the same request may
    /// succeed now.
    Transient,
    /// The request collided with a transaction on the same items
    /// (`TransactionConflictException`, or a cancelled transaction whose
    /// every reason is a conflict or a throttle): nothing was applied, and
    /// no condition failed. Retried only when a policy opts in.
    Conflict,
}

/// The error types AWS's SDKs retry as throttling (smithy-rs'
/// `THROTTLING_ERRORS`).
const THROTTLING_ERROR_TYPES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// The error types AWS's SDKs retry as transient: timeouts (smithy-rs'
/// `TRANSIENT_ERRORS`), the 500 and 503 DynamoDB sends, and the write
/// conflict of multi-Region strong consistency that botocore retries.
const TRANSIENT_ERROR_TYPES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ReplicatedWriteConflictException",
];

/// The cancellation reasons that say an action was throttled.
const THROTTLING_REASONS: &[&str] = &["ThrottlingError", "ProvisionedThroughputExceeded"];

impl RetryClass {
    /// The class of a service error known by its type name only.
    pub fn of_error_type(error_type: &str) -> Option<Self> {
        if THROTTLING_ERROR_TYPES.contains(&error_type) {
            Some(Self::Throttling)
        } else if TRANSIENT_ERROR_TYPES.contains(&error_type) {
            Some(Self::Transient)
        } else if error_type == "TransactionConflictException" {
            Some(Self::Conflict)
        } else {
            None
        }
    }
}

/// Result of a backend operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One limit a throttled request exceeded, as DynamoDB reports it in
/// `ThrottlingReasons`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ThrottlingReason {
    /// `<ResourceType><OperationType><LimitType>`, e.g.
    /// `TableWriteProvisionedThroughputExceeded` or
    /// `IndexReadKeyRangeThroughputExceeded`.
    pub reason: String,
    /// The ARN of the table or index that was throttled.
    pub resource: String,
}

/// Why one action of a transaction was cancelled (`None` when it was fine).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancellationReason {
    /// `None`, `ConditionalCheckFailed`, `ValidationError`, `TransactionConflict`, ...
    pub code: String,
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The item, for a failed condition with `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<AttributeMap>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(error_type: &str) -> Error {
        Error::Service {
            error_type: error_type.into(),
            message: String::new(),
        }
    }

    fn cancelled(codes: &[&str]) -> Error {
        Error::TransactionCanceled {
            message: String::new(),
            reasons: codes
                .iter()
                .map(|code| CancellationReason {
                    code: (*code).into(),
                    message: None,
                    item: None,
                })
                .collect(),
        }
    }

    #[test]
    fn throttling_transient_and_conflicts_are_told_apart() {
        let throttled = Error::Throttled {
            error_type: "ProvisionedThroughputExceededException".into(),
            message: String::new(),
            reasons: Vec::new(),
            retry_after: None,
        };
        assert_eq!(throttled.retry_class(), Some(RetryClass::Throttling));
        for code in [
            "ThrottlingException",
            "RequestLimitExceeded",
            "TransactionInProgressException",
            "LimitExceededException",
        ] {
            assert_eq!(
                service(code).retry_class(),
                Some(RetryClass::Throttling),
                "{code}"
            );
        }
        for error in [
            Error::InternalServerError("boom".into()),
            Error::Transport("connection reset".into()),
            service("ServiceUnavailable"),
            service("RequestTimeoutException"),
        ] {
            assert_eq!(error.retry_class(), Some(RetryClass::Transient), "{error}");
        }
        assert_eq!(
            service("TransactionConflictException").retry_class(),
            Some(RetryClass::Conflict)
        );
    }

    #[test]
    fn failed_conditions_and_invalid_requests_are_never_retried() {
        for error in [
            Error::validation("bad"),
            Error::ResourceNotFound("no table".into()),
            Error::ConditionalCheckFailed {
                message: "The conditional request failed".into(),
                item: None,
            },
            Error::VersionConflict {
                expected: Number::from(1u8),
                found: None,
            },
            service("IdempotentParameterMismatchException"),
            service("ItemCollectionSizeLimitExceededException"),
            cancelled(&["None", "ConditionalCheckFailed"]),
            cancelled(&["TransactionConflict", "ValidationError"]),
            cancelled(&["None"]),
        ] {
            assert_eq!(error.retry_class(), None, "{error:?}");
        }
    }

    #[test]
    fn a_transaction_cancelled_only_by_contention_is_a_conflict() {
        for codes in [
            &["TransactionConflict"][..],
            &["None", "TransactionConflict", "None"],
            &["ThrottlingError", "TransactionConflict"],
        ] {
            assert_eq!(
                cancelled(codes).retry_class(),
                Some(RetryClass::Conflict),
                "{codes:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_read_from_throttles_only() {
        let wait = std::time::Duration::from_millis(1500);
        let throttled = Error::Throttled {
            error_type: "ThrottlingException".into(),
            message: String::new(),
            reasons: Vec::new(),
            retry_after: Some(wait),
        };
        assert_eq!(throttled.retry_after(), Some(wait));
        assert_eq!(service("ThrottlingException").retry_after(), None);
    }
}
