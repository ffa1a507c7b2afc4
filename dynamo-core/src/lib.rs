//! Core of the `dynamo` DynamoDB SDK: the value model ([`AttributeValue`],
//! exact [`Number`]s), the request/response model of every operation
//! ([`ops`]), the [`Backend`] trait that engines implement, and the typed
//! [`Client`]. It knows no engine and no AWS SDK.
#![deny(missing_docs)]

pub mod backend;
pub mod client;
pub mod codecs;
pub mod error;
pub mod expr;
mod external;
pub mod item;
pub mod key_template;
pub mod ops;
pub mod planner;
pub mod schema;
pub mod serde_codec;
pub mod time;
pub mod typed_path;
pub mod value;

pub use backend::Backend;
pub use client::{
    Change, ChangeKind, ChangeStream, Changes, Client, Consistency, Cursor, CursorError, Delete,
    Get, InTransaction, KeyQuery, Origin, Page, Put, Query, QueryStream, RetryPolicy, RetryStats,
    SequenceNumber, Transaction, Update,
};
pub use error::{CancellationReason, Error, Result, RetryClass, ThrottlingReason};
pub use futures_core::Stream;
pub use item::{
    Attribute, AttributeError, Collection, CollectionMember, DerivedKeys, EntitySchema, IndexKind,
    IndexSchema, Item, Key, KeyArg, KeyAttribute, KeyAttributeSchema, Lifecycle, SetElement,
    TableSchema, Timestamps, VersionAttribute,
};
pub use key_template::{
    BeginsWithKey, KeyPart, KeyTemplate, NoSortKey, PaddedKeyPart, RenderError, SortKeyShape,
    SortKeyType, TemplateSegment,
};
pub use planner::{Find, FindError, FindStream, Plan, PlanError, Plannable};
pub use time::{EpochSeconds, EpochTime, Timestamp, epoch_seconds};
pub use typed_path::{
    Addable, Cond, Contains, KeyField, Mutable, Numeric, Optional, Ordered, Path, Removable,
    Required, SetAttribute, Size, ValueArg,
};
pub use value::{
    AttributeMap, AttributeType, AttributeValue, KeyValue, Number, NumberError, WireError,
    decode_json,
};

// Re-exported for the derive macro's generated code.
#[doc(hidden)]
pub mod __private {
    pub use crate::item::{
        check_entity, collection_variant, put_field_value, put_flattened, same_str, take_field,
        take_field_or_default, take_field_with, take_field_with_or_default, take_flattened,
    };
    pub use crate::schema::ScalarAttributeType;
}
