//! The server's decode -> call -> encode path, in process: the same
//! `decode_json` into each operation's input, the same `Backend` call and
//! the same JSON encoding of the output, without HTTP. (The server's own
//! dispatch table is private to the crate.)

use dynamo_core::{Backend, Error, WireError, decode_json};
use dynamo_local::Engine;

/// What a request came to.
#[derive(Debug)]
pub enum Answer {
    /// A success body.
    Ok,
    /// A DynamoDB error of this type.
    Rejected(&'static str),
    /// An error the server would answer with 500 InternalServerError.
    Internal(String),
}

fn backend_error(error: Error) -> Answer {
    match error {
        Error::InternalServerError(m) => Answer::Internal(format!("InternalServerError: {m}")),
        Error::Transport(m) => Answer::Internal(format!("Transport: {m}")),
        Error::Attribute(e) => Answer::Internal(format!("Attribute: {e}")),
        other => Answer::Rejected(error_name(other.error_type())),
    }
}

/// A `'static` name for the outcome counts.
fn error_name(name: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "ValidationException",
        "ResourceNotFoundException",
        "ResourceInUseException",
        "ConditionalCheckFailedException",
        "TransactionCanceledException",
        "TransactionConflictException",
        "ItemCollectionSizeLimitExceededException",
        "LimitExceededException",
        "IdempotentParameterMismatchException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "TransactionInProgressException",
        "SerializationException",
        "UnknownOperationException",
        "AccessDeniedException",
    ];
    NAMES
        .iter()
        .find(|n| **n == name)
        .copied()
        .unwrap_or("other error")
}

fn wire_error(error: WireError) -> Answer {
    if std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!("WIRE {error}");
    }
    match error {
        WireError::Validation(_) => Answer::Rejected("ValidationException"),
        WireError::Serialization(_) => Answer::Rejected("SerializationException"),
    }
}

macro_rules! operations {
    ($($name:ident => $method:ident),* $(,)?) => {
        /// Decodes `body` as operation `op`'s input, runs it on `engine` and
        /// encodes the output, as the server does after authentication.
        pub async fn call(engine: &Engine, op: &str, body: &[u8]) -> Answer {
            // The server answers a body that is not a JSON object first.
            if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                return Answer::Rejected("SerializationException");
            }
            match op {
                $(stringify!($name) => {
                    let input = match decode_json(body) {
                        Ok(input) => input,
                        Err(e) => return wire_error(e),
                    };
                    match engine.$method(input).await {
                        Ok(output) => match serde_json::to_vec(&output) {
                            Ok(_) => Answer::Ok,
                            Err(e) => Answer::Internal(format!("encoding the output: {e}")),
                        },
                        Err(e) => backend_error(e),
                    }
                })*
                _ => Answer::Rejected("UnknownOperationException"),
            }
        }
    };
}

operations! {
    CreateTable => create_table,
    DeleteTable => delete_table,
    DescribeTable => describe_table,
    ListTables => list_tables,
    UpdateTable => update_table,
    UpdateTimeToLive => update_time_to_live,
    DescribeTimeToLive => describe_time_to_live,
    PutItem => put_item,
    GetItem => get_item,
    UpdateItem => update_item,
    DeleteItem => delete_item,
    Query => query,
    Scan => scan,
    BatchGetItem => batch_get_item,
    BatchWriteItem => batch_write_item,
    TransactWriteItems => transact_write_items,
    TransactGetItems => transact_get_items,
    TagResource => tag_resource,
    UntagResource => untag_resource,
    ListTagsOfResource => list_tags_of_resource,
}
