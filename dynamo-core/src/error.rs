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
            Self::VersionConflict { .. } => "ConditionalCheckFailedException",
            Self::InternalServerError(_) => "InternalServerError",
            Self::Service { error_type, .. } | Self::Throttled { error_type, .. } => error_type,
            Self::Transport(_) => "TransportError",
            Self::Attribute(_) => "AttributeConversionError",
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
            Self::VersionConflict { .. } => self.to_string(),
        }
    }

    /// A ValidationException with this message.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
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
