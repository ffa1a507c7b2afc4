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
}

macro_rules! operations {
    ($($name:ident => $method:ident),* $(,)?) => {
        /// An operation the server dispatches.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Operation {
            $($name,)*
        }

        impl Operation {
            /// The operation named in `X-Amz-Target`, if served.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some(Self::$name),)*
                    _ => None,
                }
            }

            /// The operation's name, as in `X-Amz-Target`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$name => stringify!($name),)*
                }
            }

            /// Whether the operation only reads.
            pub fn is_read_only(self) -> bool {
                READ_ONLY.contains(&self)
            }
        }

        /// Decodes `body`, runs `operation` on `backend`, and encodes the
        /// output as DynamoDB's JSON.
        pub(crate) async fn call(backend: &dyn Backend, operation: Operation, body: &[u8]) -> Result<Vec<u8>, CallError> {
            match operation {
                $(Operation::$name => {
                    let input = decode_json(body).map_err(CallError::Wire)?;
                    let output = backend.$method(input).await.map_err(CallError::Backend)?;
                    serde_json::to_vec(&output).map_err(|e| CallError::Backend(Error::InternalServerError(e.to_string())))
                })*
            }
        }
    };
}

/// Operations that change nothing, which a read-only access key may call.
const READ_ONLY: [Operation; 8] = [
    Operation::DescribeTable,
    Operation::ListTables,
    Operation::DescribeTimeToLive,
    Operation::GetItem,
    Operation::Query,
    Operation::Scan,
    Operation::BatchGetItem,
    Operation::TransactGetItems,
];

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
