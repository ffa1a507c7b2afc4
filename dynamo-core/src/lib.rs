//! Core of the `dynamo` DynamoDB SDK: the value model ([`AttributeValue`],
//! exact [`Number`]s), the request/response model of every operation
//! ([`ops`]), the [`Backend`] trait that engines implement, and the typed
//! [`Client`]. It knows no engine and no AWS SDK.
#![deny(missing_docs)]

pub mod backend;
pub mod client;
pub mod error;
pub mod expr;
pub mod item;
pub mod key_template;
pub mod ops;
pub mod schema;
pub mod value;

pub use backend::Backend;
pub use client::{Client, Cursor, CursorError, KeyQuery, Page};
pub use error::{CancellationReason, Error, Result};
pub use item::{
    Attribute, AttributeError, Collection, CollectionMember, EntitySchema, IndexKind, IndexSchema,
    Item, Key, KeyArg, KeyAttribute, KeyAttributeSchema, Lifecycle, SetElement, TableSchema,
};
pub use key_template::{
    BeginsWithKey, KeyPart, KeyTemplate, NoSortKey, PaddedKeyPart, SortKeyShape, SortKeyType,
    TemplateSegment,
};
pub use value::{
    AttributeMap, AttributeType, AttributeValue, KeyValue, Number, NumberError, WireError,
    decode_json,
};

// Re-exported for the derive macro's generated code.
#[doc(hidden)]
pub mod __private {
    pub use crate::item::{
        check_entity, collection_variant, put_field, same_str, take_field, take_field_or_default,
    };
    pub use crate::schema::ScalarAttributeType;
}
