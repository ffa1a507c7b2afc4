//! SDK errors as dynamo-core errors. Every operation's SDK error converts
//! into `aws_sdk_dynamodb::Error`, so one function covers them all and keeps
//! typed details (the item of a failed condition check).

use super::value::opt_map_from_sdk;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use dynamo_core::Error;

/// Converts the error of any SDK operation call.
pub(crate) fn from_sdk<E, R>(error: SdkError<E, R>) -> Error
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    convert(aws_sdk_dynamodb::Error::from(error))
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
        other => match other.code() {
            Some("ValidationException") => Error::Validation(message),
            Some(code) => Error::Service {
                error_type: code.to_owned(),
                message,
            },
            None => Error::Transport(DisplayErrorContext(&other).to_string()),
        },
    }
}
