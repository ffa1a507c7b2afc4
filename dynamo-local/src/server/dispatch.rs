//! From an `X-Amz-Target` operation name to the backend call: decode the
//! body into the operation's input, call, encode the output. Adding an
//! operation is one line of the table below.

use dynamo_core::{Backend, Error, WireError, decode_json};

/// Why a call produced no output.
pub(crate) enum CallError {
    /// The body did not decode into the operation's input.
    Wire(WireError),
    /// The backend refused the request.
    Backend(Error),
    /// A Streams operation on a backend that serves no Streams.
    NoStreams,
}

macro_rules! operations {
    (
        dynamodb: { $($name:ident => $method:ident),* $(,)? }
        streams: { $($stream_name:ident => $stream_method:ident),* $(,)? }
    ) => {
        /// An operation the server dispatches.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Operation {
            $($name,)*
            $($stream_name,)*
        }

        impl Operation {
            /// The operation an `X-Amz-Target` names, if served: DynamoDB's
            /// (`DynamoDB_20120810.PutItem`) or Streams'
            /// (`DynamoDBStreams_20120810.GetRecords`).
            pub fn from_target(target: &str) -> Option<Self> {
                if let Some(name) = target.strip_prefix(DYNAMODB_PREFIX) {
                    return match name {
                        $(stringify!($name) => Some(Self::$name),)*
                        _ => None,
                    };
                }
                match target.strip_prefix(STREAMS_PREFIX)? {
                    $(stringify!($stream_name) => Some(Self::$stream_name),)*
                    _ => None,
                }
            }

            /// The operation's name, as in `X-Amz-Target`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$name => stringify!($name),)*
                    $(Self::$stream_name => stringify!($stream_name),)*
                }
            }

            /// Whether the operation only reads.
            pub fn is_read_only(self) -> bool {
                READ_ONLY.contains(&self)
            }
        }

        /// Decodes `body`, runs `operation` on `backend` (or on its
        /// Streams), and encodes the output as DynamoDB's JSON.
        pub(crate) async fn call(backend: &dyn Backend, operation: Operation, body: &[u8]) -> Result<Vec<u8>, CallError> {
            let encode = |output: Result<Vec<u8>, serde_json::Error>| {
                output.map_err(|e| CallError::Backend(Error::InternalServerError(e.to_string())))
            };
            match operation {
                $(Operation::$name => {
                    let input = decode_json(body).map_err(CallError::Wire)?;
                    let output = backend.$method(input).await.map_err(CallError::Backend)?;
                    encode(serde_json::to_vec(&output))
                })*
                $(Operation::$stream_name => {
                    let streams = backend.streams().ok_or(CallError::NoStreams)?;
                    let input = decode_json(body).map_err(CallError::Wire)?;
                    let output = streams.$stream_method(input).await.map_err(CallError::Backend)?;
                    encode(serde_json::to_vec(&output))
                })*
            }
        }
    };
}

/// The `X-Amz-Target` prefix of DynamoDB's operations.
const DYNAMODB_PREFIX: &str = "DynamoDB_20120810.";
/// The `X-Amz-Target` prefix of DynamoDB Streams' operations.
const STREAMS_PREFIX: &str = "DynamoDBStreams_20120810.";

/// Operations that change nothing, which a read-only access key may call.
const READ_ONLY: [Operation; 12] = [
    Operation::DescribeTable,
    Operation::ListTables,
    Operation::DescribeTimeToLive,
    Operation::GetItem,
    Operation::Query,
    Operation::Scan,
    Operation::BatchGetItem,
    Operation::TransactGetItems,
    Operation::ListStreams,
    Operation::DescribeStream,
    Operation::GetShardIterator,
    Operation::GetRecords,
];

operations! {
    dynamodb: {
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
    streams: {
        ListStreams => list_streams,
        DescribeStream => describe_stream,
        GetShardIterator => get_shard_iterator,
        GetRecords => get_records,
    }
}
