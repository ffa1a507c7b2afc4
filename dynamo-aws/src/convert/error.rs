//! SDK errors as dynamo-core errors. Every operation's SDK error converts
//! into its service's `Error` (`aws_sdk_dynamodb::Error`,
//! `aws_sdk_dynamodbstreams::Error`), so one function per service covers
//! all its operations and keeps typed details (the item of a failed
//! condition check). Throttling (`ProvisionedThroughputExceededException`,
//! `ThrottlingException`, `RequestLimitExceeded`) becomes
//! [`Error::Throttled`], with the `ThrottlingReasons` of the response body
//! (read from the raw body: this SDK version does not model them) and the
//! wait of its `x-amz-retry-after` header, for the typed client's retries.
//! Other error types without a variant of their own in dynamo-core
//! (`ExpiredIteratorException`, `TrimmedDataAccessException`, ...) become
//! [`Error::Service`] with the service's type and message, as the local
//! engine reports them.

use super::value::opt_map_from_sdk;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use dynamo_core::{Error, ThrottlingReason};
use std::time::Duration;

/// The error types dynamo-core reports as [`Error::Throttled`].
const THROTTLED: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
];

/// Converts the error of any DynamoDB operation call.
pub(crate) fn from_sdk<E>(error: SdkError<E, HttpResponse>) -> Error
where
    aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
{
    let raw = Raw::of(error.raw_response());
    convert(aws_sdk_dynamodb::Error::from(error), raw)
}

/// Converts the error of any DynamoDB Streams operation call.
pub(crate) fn from_streams_sdk<E>(error: SdkError<E, HttpResponse>) -> Error
where
    aws_sdk_dynamodbstreams::Error: From<SdkError<E, HttpResponse>>,
{
    use aws_sdk_dynamodbstreams::Error as Sdk;
    let raw = Raw::of(error.raw_response());
    let error = Sdk::from(error);
    let message = error.message().unwrap_or_default().to_owned();
    match error {
        Sdk::ResourceNotFoundException(_) => Error::ResourceNotFound(message),
        Sdk::InternalServerError(_) => Error::InternalServerError(message),
        other => by_code(other.code(), message, &other, raw),
    }
}

fn convert(error: aws_sdk_dynamodb::Error, raw: Raw) -> Error {
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
        other => by_code(other.code(), message, &other, raw),
    }
}

/// An error known by its type name only; without one (the request never
/// got an answer) a transport error describing what happened.
fn by_code(code: Option<&str>, message: String, error: &dyn std::error::Error, raw: Raw) -> Error {
    match code {
        Some("ValidationException") => Error::Validation(message),
        Some(code) if THROTTLED.contains(&code) => Error::Throttled {
            error_type: code.to_owned(),
            message,
            reasons: raw.throttling_reasons,
            retry_after: raw.retry_after,
        },
        Some(code) => Error::Service {
            error_type: code.to_owned(),
            message,
        },
        None => Error::Transport(DisplayErrorContext(error).to_string()),
    }
}

/// What an error response says beyond what the SDK models.
#[derive(Default)]
struct Raw {
    /// `x-amz-retry-after`, in milliseconds.
    retry_after: Option<Duration>,
    /// The body's `ThrottlingReasons`.
    throttling_reasons: Vec<ThrottlingReason>,
}

impl Raw {
    fn of(response: Option<&HttpResponse>) -> Self {
        let Some(response) = response else {
            return Self::default();
        };
        let retry_after = response
            .headers()
            .get("x-amz-retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_millis);
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(rename = "ThrottlingReasons", default)]
            throttling_reasons: Vec<ThrottlingReason>,
        }
        let throttling_reasons = response
            .body()
            .bytes()
            .and_then(|body| serde_json::from_slice::<Body>(body).ok())
            .map(|b| b.throttling_reasons)
            .unwrap_or_default();
        Self {
            retry_after,
            throttling_reasons,
        }
    }
}
