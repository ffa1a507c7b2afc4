//! Responses in DynamoDB's shape: JSON bodies with `x-amzn-RequestId` and
//! `x-amz-crc32`, errors as `{"__type": "<namespace>#<Name>", "message": ...}`
//! with DynamoDB's namespaces and HTTP statuses; throttling errors also
//! carry `ThrottlingReasons` and, when they ask for a wait,
//! `x-amz-retry-after` (milliseconds).

use super::auth::AuthFailure;
use super::dispatch::CallError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dynamo_core::{Error, WireError};
use serde_json::{Map, Value};

const CORAL: &str = "com.amazon.coral.service#";
const VALIDATE: &str = "com.amazon.coral.validate#";
const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810#";

/// Protocol and authentication errors, which live in the coral namespace.
const CORAL_ERRORS: [&str; 8] = [
    "AccessDeniedException",
    "IncompleteSignatureException",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "SerializationException",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "RequestEntityTooLargeException",
];

/// Errors whose model spells the message member `Message`.
const CAPITAL_MESSAGE: [&str; 4] = [
    "TransactionCanceledException",
    "TransactionInProgressException",
    "IdempotentParameterMismatchException",
    "SerializationException",
];

/// What every response of one request shares.
pub(crate) struct Reply<'a> {
    pub request_id: &'a str,
    pub content_type: &'static str,
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

impl Reply<'_> {
    fn send(&self, status: StatusCode, body: Vec<u8>) -> Response {
        let crc = crc32fast::hash(&body);
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert("x-amzn-requestid", header_value(self.request_id));
        headers.insert("x-amz-crc32", HeaderValue::from(crc));
        response
    }

    fn error(
        &self,
        status: StatusCode,
        namespace: &str,
        name: &str,
        message: Option<&str>,
        extra: Map<String, Value>,
    ) -> Response {
        let mut body = Map::new();
        body.insert("__type".into(), Value::String(format!("{namespace}{name}")));
        if let Some(message) = message {
            let key = if CAPITAL_MESSAGE.contains(&name) {
                "Message"
            } else {
                "message"
            };
            body.insert(key.into(), Value::String(message.to_owned()));
        }
        body.extend(extra);
        self.send(
            status,
            serde_json::to_vec(&Value::Object(body)).unwrap_or_default(),
        )
    }

    /// A protocol error of the coral namespace.
    pub fn coral(&self, name: &str, message: Option<&str>, status: StatusCode) -> Response {
        self.error(status, CORAL, name, message, Map::new())
    }

    /// `SerializationException`, for bodies that are not the expected JSON.
    pub fn serialization(&self, message: Option<&str>) -> Response {
        self.coral("SerializationException", message, StatusCode::BAD_REQUEST)
    }

    /// DynamoDB's `ThrottlingException`, which SDKs retry with backoff.
    pub fn throttling(&self) -> Response {
        self.error(
            StatusCode::BAD_REQUEST,
            DYNAMODB,
            "ThrottlingException",
            Some("Rate of requests exceeds the allowed throughput."),
            Map::new(),
        )
    }

    pub fn internal_error(&self) -> Response {
        self.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            DYNAMODB,
            "InternalServerError",
            Some("Internal server error"),
            Map::new(),
        )
    }

    pub fn auth_failure(&self, failure: AuthFailure) -> Response {
        let (name, message) = match &failure {
            AuthFailure::Missing => (
                "MissingAuthenticationTokenException",
                "Request is missing Authentication Token",
            ),
            AuthFailure::Incomplete(m) => ("IncompleteSignatureException", m.as_str()),
            AuthFailure::Unrecognized => (
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
            AuthFailure::InvalidSignature(m) => ("InvalidSignatureException", m.as_str()),
        };
        self.coral(name, Some(message), StatusCode::BAD_REQUEST)
    }

    fn validation(&self, message: &str) -> Response {
        self.error(
            StatusCode::BAD_REQUEST,
            VALIDATE,
            "ValidationException",
            Some(message),
            Map::new(),
        )
    }

    pub fn result(&self, result: Result<Vec<u8>, CallError>) -> Response {
        match result {
            Ok(body) => self.send(StatusCode::OK, body),
            Err(CallError::Wire(WireError::Validation(m))) => self.validation(&m),
            Err(CallError::Wire(WireError::Serialization(m))) => self.serialization(Some(&m)),
            Err(CallError::Backend(error)) => self.backend_error(error),
            Err(CallError::NoStreams) => {
                self.coral("UnknownOperationException", None, StatusCode::BAD_REQUEST)
            }
        }
    }

    fn backend_error(&self, error: Error) -> Response {
        match error {
            Error::Validation(m) => self.validation(&m),
            Error::TransactionCanceled { message, reasons } => {
                let mut extra = Map::new();
                if let Ok(reasons) = serde_json::to_value(reasons) {
                    extra.insert("CancellationReasons".into(), reasons);
                }
                self.error(
                    StatusCode::BAD_REQUEST,
                    DYNAMODB,
                    "TransactionCanceledException",
                    Some(&message),
                    extra,
                )
            }
            Error::ConditionalCheckFailed { message, item } => {
                let mut extra = Map::new();
                if let Some(item) = item
                    && let Ok(item) = serde_json::to_value(item)
                {
                    extra.insert("Item".into(), item);
                }
                self.error(
                    StatusCode::BAD_REQUEST,
                    DYNAMODB,
                    "ConditionalCheckFailedException",
                    Some(&message),
                    extra,
                )
            }
            Error::Throttled {
                error_type,
                message,
                reasons,
                retry_after,
            } => {
                let mut extra = Map::new();
                if !reasons.is_empty()
                    && let Ok(reasons) = serde_json::to_value(reasons)
                {
                    extra.insert("ThrottlingReasons".into(), reasons);
                }
                let mut response = self.error(
                    StatusCode::BAD_REQUEST,
                    DYNAMODB,
                    &error_type,
                    Some(&message),
                    extra,
                );
                if let Some(wait) = retry_after {
                    let millis = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
                    response
                        .headers_mut()
                        .insert("x-amz-retry-after", HeaderValue::from(millis));
                }
                response
            }
            Error::InternalServerError(_) | Error::Transport(_) | Error::Attribute(_) => {
                self.internal_error()
            }
            Error::Service {
                error_type,
                message,
            } => {
                let status = match error_type.as_str() {
                    "ReplicatedWriteConflictException" => StatusCode::CONFLICT,
                    "ServiceUnavailable" => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::BAD_REQUEST,
                };
                let namespace = if CORAL_ERRORS.contains(&error_type.as_str()) {
                    CORAL
                } else {
                    DYNAMODB
                };
                self.error(status, namespace, &error_type, Some(&message), Map::new())
            }
            other => {
                let name = other.error_type().to_owned();
                self.error(
                    StatusCode::BAD_REQUEST,
                    DYNAMODB,
                    &name,
                    Some(&other.message()),
                    Map::new(),
                )
            }
        }
    }
}

/// The 404 DynamoDB sends for a wrong method or content type.
pub(crate) fn unknown_operation_xml(request_id: &str) -> Response {
    let mut response = (StatusCode::NOT_FOUND, "<UnknownOperationException/>\n").into_response();
    response
        .headers_mut()
        .insert("x-amzn-requestid", header_value(request_id));
    response
}
