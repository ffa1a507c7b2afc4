//! Field codecs for `#[dynamo(...)]` options, each a module with the
//! `to_field`/`from_field` pair a `with = module` codec has:
//!
//! * `#[dynamo(set)]` ([`set`]): a `Vec`/`VecDeque` stored as a string,
//!   number or binary set. Duplicates are an error (a set cannot hold them)
//!   and the elements read back in the set's order.
//! * `#[dynamo(binary)]` ([`binary`]): a fixed-size byte array or boxed
//!   slice stored as `B`.
//! * `#[dynamo(null)]` ([`null`]): an `Option` stored as `NULL` when `None`
//!   instead of being left out.
//!
//! A `with = module` codec is any module with these two functions:
//!
//! ```
//! pub mod upper {
//!     use dynamo_core::{AttributeError, AttributeValue};
//!     pub fn to_field<T: AsRef<str>>(v: &T) -> Result<Option<AttributeValue>, AttributeError> {
//!         Ok(Some(AttributeValue::S(v.as_ref().to_uppercase())))
//!     }
//!     pub fn from_field<T: From<String>>(v: Option<AttributeValue>) -> Result<T, AttributeError> {
//!         match v {
//!             Some(AttributeValue::S(s)) => Ok(T::from(s.to_lowercase())),
//!             Some(other) => Err(AttributeError::mismatch("S", &other)),
//!             None => Err(AttributeError::Missing { path: String::new() }),
//!         }
//!     }
//! }
//! # fn main() {}
//! ```

use crate::item::{Attribute, AttributeError, SetElement};
use crate::value::AttributeValue;
use std::collections::VecDeque;

fn missing() -> AttributeError {
    AttributeError::Missing {
        path: String::new(),
    }
}

/// `#[dynamo(set)]`: a sequence stored as a DynamoDB set.
pub mod set {
    use super::*;

    /// A sequence a set codec can store.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be stored as a DynamoDB set with `#[dynamo(set)]`",
        label = "`set` stores a `Vec` or `VecDeque` of strings, numbers or `Vec<u8>`"
    )]
    pub trait SetSequence: Sized {
        /// The element type.
        type Element: SetElement;
        /// The elements, in order.
        fn elements(&self) -> Vec<&Self::Element>;
        /// The sequence of these elements.
        fn from_elements(elements: Vec<Self::Element>) -> Self;
    }

    impl<E: SetElement> SetSequence for Vec<E> {
        type Element = E;
        fn elements(&self) -> Vec<&E> {
            self.iter().collect()
        }
        fn from_elements(elements: Vec<E>) -> Self {
            elements
        }
    }

    impl<E: SetElement> SetSequence for VecDeque<E> {
        type Element = E;
        fn elements(&self) -> Vec<&E> {
            self.iter().collect()
        }
        fn from_elements(elements: Vec<E>) -> Self {
            elements.into()
        }
    }

    fn set_len(value: &AttributeValue) -> usize {
        match value {
            AttributeValue::Ss(s) => s.len(),
            AttributeValue::Ns(s) => s.len(),
            AttributeValue::Bs(s) => s.len(),
            _ => 0,
        }
    }

    /// The set attribute, `None` for an empty sequence (DynamoDB has no
    /// empty sets).
    pub fn to_field<T: SetSequence>(value: &T) -> Result<Option<AttributeValue>, AttributeError> {
        let elements = value.elements();
        if elements.is_empty() {
            return Ok(None);
        }
        let set = T::Element::to_set(elements.iter().copied())?;
        if set_len(&set) != elements.len() {
            return Err(AttributeError::invalid(
                "a set cannot hold the same element twice",
            ));
        }
        Ok(Some(set))
    }

    /// The sequence, empty when the attribute is absent.
    pub fn from_field<T: SetSequence>(value: Option<AttributeValue>) -> Result<T, AttributeError> {
        match value {
            None => Ok(T::from_elements(Vec::new())),
            Some(v) => T::Element::from_set(v).map(T::from_elements),
        }
    }
}

/// `#[dynamo(binary)]`: bytes stored as `B`.
pub mod binary {
    use super::*;

    /// A byte container a binary codec can store.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be stored as binary with `#[dynamo(binary)]`",
        label = "`binary` stores `[u8; N]`, `Box<[u8]>`, `Vec<u8>` or an `Option` of them"
    )]
    pub trait Bytes: Sized {
        /// The bytes, `None` to leave the attribute out.
        fn bytes(&self) -> Option<&[u8]>;
        /// Reads the value back; `None` when the attribute is absent.
        fn from_bytes(bytes: Option<Vec<u8>>) -> Result<Self, AttributeError>;
    }

    impl Bytes for Vec<u8> {
        fn bytes(&self) -> Option<&[u8]> {
            Some(self)
        }
        fn from_bytes(bytes: Option<Vec<u8>>) -> Result<Self, AttributeError> {
            bytes.ok_or_else(missing)
        }
    }

    impl Bytes for Box<[u8]> {
        fn bytes(&self) -> Option<&[u8]> {
            Some(self)
        }
        fn from_bytes(bytes: Option<Vec<u8>>) -> Result<Self, AttributeError> {
            bytes.map(Vec::into_boxed_slice).ok_or_else(missing)
        }
    }

    impl<const N: usize> Bytes for [u8; N] {
        fn bytes(&self) -> Option<&[u8]> {
            Some(self)
        }
        fn from_bytes(bytes: Option<Vec<u8>>) -> Result<Self, AttributeError> {
            let bytes = bytes.ok_or_else(missing)?;
            let len = bytes.len();
            bytes
                .try_into()
                .map_err(|_| AttributeError::invalid(format!("expected {N} bytes, found {len}")))
        }
    }

    impl<B: Bytes> Bytes for Option<B> {
        fn bytes(&self) -> Option<&[u8]> {
            self.as_ref().and_then(B::bytes)
        }
        fn from_bytes(bytes: Option<Vec<u8>>) -> Result<Self, AttributeError> {
            bytes.map(|b| B::from_bytes(Some(b))).transpose()
        }
    }

    /// The binary attribute.
    pub fn to_field<T: Bytes>(value: &T) -> Result<Option<AttributeValue>, AttributeError> {
        Ok(value.bytes().map(|b| AttributeValue::B(b.to_vec())))
    }

    /// The bytes read back.
    pub fn from_field<T: Bytes>(value: Option<AttributeValue>) -> Result<T, AttributeError> {
        match value {
            None | Some(AttributeValue::Null) => T::from_bytes(None),
            Some(AttributeValue::B(b)) => T::from_bytes(Some(b)),
            Some(other) => Err(AttributeError::mismatch("B", &other)),
        }
    }
}

/// `#[dynamo(null)]`: `None` stored as `NULL` rather than left out.
pub mod null {
    use super::*;

    /// The attribute, `NULL` for `None`.
    pub fn to_field<T: Attribute>(value: &T) -> Result<Option<AttributeValue>, AttributeError> {
        value.to_attribute().map(Some)
    }

    /// The value read back; an absent attribute reads as the type's
    /// missing value (`None`).
    pub fn from_field<T: Attribute>(value: Option<AttributeValue>) -> Result<T, AttributeError> {
        match value {
            Some(v) => T::from_attribute(v),
            None => T::from_missing().ok_or_else(missing),
        }
    }
}
