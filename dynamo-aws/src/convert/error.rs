//! SDK errors as dynamo-core errors. Every operation's SDK error converts
//! into its service's `Error` (`aws_sdk_dynamodb::Error`,
//! `aws_sdk_dynamodbstreams::Error`), so one function per service covers
//! all its operations and keeps typed details (the item of a failed
//! condition check). Error types without a variant of their own in
//! dynamo-core (`ExpiredIteratorException`, `TrimmedDataAccessException`,
//! throttling) become [`Error::Service`] with the service's type and
//! message, as the local engine reports them.

use super::value::opt_map_from_sdk;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use dynamo_core::Error;

/// Converts the error of any DynamoDB operation call.
pub(crate) fn from_sdk<E, R>(error: SdkError<E, R>) -> Error
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    convert(aws_sdk_dynamodb::Error::from(error))
}

/// Converts the error of any DynamoDB Streams operation call.
pub(crate) fn from_streams_sdk<E, R>(error: SdkError<E, R>) -> Error
where
    aws_sdk_dynamodbstreams::Error: From<SdkError<E, R>>,
{
    use aws_sdk_dynamodbstreams::Error as Sdk;
    let error = Sdk::from(error);
    let message = error.message().unwrap_or_default().to_owned();
    match error {
        Sdk::ResourceNotFoundException(_) => Error::ResourceNotFound(message),
        Sdk::InternalServerError(_) => Error::InternalServerError(message),
        other => by_code(other.code(), message, &other),
    }
}

fn convert(error: aws_sdk_dynamodb::Error) -> Error {
    use aws_sdk_dynamodb::Error as Sdk;
    let message = error.message().unwrap_or_default().to_owned();
    match error {
        Sdk::ConditionalCheckFailedException(e) => Error::ConditionalCheckFailed {
            message,
            item: opt_map_from_sdk(e.item).unwrap_or_default(),
        },
        Sdk::TransactionCanceledException(e) => Error::TransactionCanceled {
            message,
            reasons: e
                .cancellation_reasons
                .unwrap_or_default()
                .into_iter()
                .map(|r| dynamo_core::CancellationReason {
                    code: r.code.unwrap_or_default(),
                    message: r.message,
                    item: opt_map_from_sdk(r.item).unwrap_or_default(),
                })
                .collect(),
        },
        Sdk::ResourceNotFoundException(_) => Error::ResourceNotFound(message),
        Sdk::ResourceInUseException(_) => Error::ResourceInUse(message),
        Sdk::InternalServerError(_) => Error::InternalServerError(message),
        other => by_code(other.code(), message, &other),
    }
}

/// An error known by its type name only; without one (the request never
/// got an answer) a transport error describing what happened.
fn by_code(code: Option<&str>, message: String, error: &dyn std::error::Error) -> Error {
    match code {
        Some("ValidationException") => Error::Validation(message),
        Some(code) => Error::Service {
            error_type: code.to_owned(),
            message,
        },
        None => Error::Transport(DisplayErrorContext(error).to_string()),
    }
}
