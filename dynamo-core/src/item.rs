//! Conversions between Rust types and DynamoDB attributes: the traits that
//! `#[derive(Item)]` and `#[derive(Attribute)]` implement, and their
//! implementations for standard types.
//!
//! | Rust | DynamoDB |
//! |---|---|
//! | `String`, `&str` (write only) | `S` |
//! | integers, `f32`, `f64`, [`Number`] | `N` (exact; NaN and out-of-range floats are errors) |
//! | `bool` | `BOOL` |
//! | `Vec<u8>` | `B` |
//! | `Vec<T>`, `VecDeque<T>` | `L` |
//! | `HashMap<String, T>`, `BTreeMap<String, T>` | `M` |
//! | `HashSet<T>`, `BTreeSet<T>` of strings / numbers / `Vec<u8>` | `SS` / `NS` / `BS` (an empty set is omitted) |
//! | `Option<T>` | `T`, or omitted when `None` (read back from a missing attribute or `NULL`) |

use crate::key_template::{KeyTemplate, SortKeyShape};
use crate::schema::{AttributeDefinition, KeySchemaElement, ScalarAttributeType};
use crate::value::{AttributeMap, AttributeValue, KeyValue, Number};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::marker::PhantomData;

/// A value could not be converted to or from DynamoDB attributes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    /// A required attribute is absent from the item.
    #[error("missing attribute `{path}`")]
    Missing {
        /// Where in the item.
        path: String,
    },
    /// The attribute has another DynamoDB type than the Rust type reads.
    #[error("attribute `{path}`: expected {expected}, found {found}")]
    TypeMismatch {
        /// Where in the item.
        path: String,
        /// The DynamoDB type(s) the Rust type reads.
        expected: &'static str,
        /// The DynamoDB type found.
        found: &'static str,
    },
    /// The value does not fit (a number out of range, NaN, an unknown enum variant...).
    #[error("{}{message}", at_path(path))]
    Invalid {
        /// Where in the item.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// `attribute `path`: ` before a message about a place in an item, or
/// nothing for a message about the whole item.
fn at_path(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("attribute `{path}`: ")
    }
}

impl AttributeError {
    /// A type mismatch at the current position.
    pub fn mismatch(expected: &'static str, found: &AttributeValue) -> Self {
        Self::TypeMismatch {
            path: String::new(),
            expected,
            found: found.type_name(),
        }
    }

    /// An invalid value at the current position.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid {
            path: String::new(),
            message: message.into(),
        }
    }

    /// A missing attribute `name`.
    pub fn missing(name: &str) -> Self {
        Self::Missing {
            path: name.to_owned(),
        }
    }

    /// Prefixes the error's path with the attribute `name` that contains it.
    pub fn in_attribute(self, name: &str) -> Self {
        self.prefixed(|path| {
            if path.is_empty() {
                name.to_owned()
            } else if path.starts_with('[') {
                format!("{name}{path}")
            } else {
                format!("{name}.{path}")
            }
        })
    }

    /// Prefixes the error's path with the list index that contains it.
    pub fn in_element(self, index: usize) -> Self {
        self.prefixed(|path| {
            if path.is_empty() || path.starts_with('[') {
                format!("[{index}]{path}")
            } else {
                format!("[{index}].{path}")
            }
        })
    }

    fn prefixed(self, f: impl FnOnce(&str) -> String) -> Self {
        match self {
            Self::Missing { path } => Self::Missing { path: f(&path) },
            Self::TypeMismatch {
                path,
                expected,
                found,
            } => Self::TypeMismatch {
                path: f(&path),
                expected,
                found,
            },
            Self::Invalid { path, message } => Self::Invalid {
                path: f(&path),
                message,
            },
        }
    }
}

/// A Rust type stored as one DynamoDB attribute value.
///
/// Implemented for standard types (see the module table) and by
/// `#[derive(Attribute)]` for nested structs, which are stored as `M`.
///
/// ```
/// use dynamo_core::{Attribute, AttributeValue};
/// let v = vec![1u32, 2, 3].to_attribute().unwrap();
/// assert_eq!(format!("{v:?}"), r#"{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]}"#);
/// assert_eq!(Vec::<u32>::from_attribute(v).unwrap(), vec![1, 2, 3]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored as a DynamoDB attribute",
    label = "this type has no DynamoDB representation",
    note = "supported: strings, numbers, bool, Vec<u8>, Option, Vec, HashMap<String, _>, sets, and types that derive `dynamo::Attribute`"
)]
pub trait Attribute: Sized {
    /// The attribute value of `self`.
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError>;

    /// Reads `Self` from an attribute value.
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError>;

    /// The value stored for a struct field, or `None` to leave the attribute
    /// out of the item (`Option::None`, empty sets).
    fn to_field(&self) -> Result<Option<AttributeValue>, AttributeError> {
        self.to_attribute().map(Some)
    }

    /// The value of a struct field whose attribute is absent from the item,
    /// or `None` when the attribute is required.
    fn from_missing() -> Option<Self> {
        None
    }

    /// How a `Vec<Self>` is stored: `L` by default, `B` for `Vec<u8>`.
    #[doc(hidden)]
    fn list_to_attribute(items: &[Self]) -> Result<AttributeValue, AttributeError> {
        items
            .iter()
            .enumerate()
            .map(|(i, v)| v.to_attribute().map_err(|e| e.in_element(i)))
            .collect::<Result<_, _>>()
            .map(AttributeValue::L)
    }

    /// How a `Vec<Self>` is read back.
    #[doc(hidden)]
    fn list_from_attribute(value: AttributeValue) -> Result<Vec<Self>, AttributeError> {
        match value {
            AttributeValue::L(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| Self::from_attribute(v).map_err(|e| e.in_element(i)))
                .collect(),
            other => Err(AttributeError::mismatch("L", &other)),
        }
    }
}

/// A type that can be a key attribute: it converts infallibly to a string,
/// number or binary value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a DynamoDB key attribute",
    label = "key attributes must be strings, integers, `Number` or `Vec<u8>`"
)]
pub trait KeyAttribute: Attribute {
    /// The key's declared type in `AttributeDefinitions`.
    const SCALAR_TYPE: ScalarAttributeType;

    /// The key value of `self`.
    fn to_key_value(&self) -> KeyValue;
}

/// A value accepted where a key of type `K` is expected: `K` itself, or a
/// string slice for string keys. Unlike `Into<K>`, an integer literal needs
/// no suffix (`Order::key("c1", 7)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of this key, whose type is `{K}`",
    label = "expected a `{K}` key value"
)]
pub trait KeyArg<K> {
    /// The key value.
    fn into_key(self) -> K;
}

impl<K> KeyArg<K> for K {
    fn into_key(self) -> K {
        self
    }
}

impl KeyArg<String> for &str {
    fn into_key(self) -> String {
        self.to_owned()
    }
}

impl KeyArg<String> for &String {
    fn into_key(self) -> String {
        self.clone()
    }
}

/// An element type of a DynamoDB set (`SS`, `NS` or `BS`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an element of a DynamoDB set",
    label = "sets hold strings (SS), numbers (NS) or `Vec<u8>` (BS)"
)]
pub trait SetElement: Attribute {
    /// The set attribute holding `elements` (which are distinct).
    fn to_set<'a>(
        elements: impl Iterator<Item = &'a Self>,
    ) -> Result<AttributeValue, AttributeError>
    where
        Self: 'a;

    /// The elements of a set attribute.
    fn from_set(value: AttributeValue) -> Result<Vec<Self>, AttributeError>;
}

impl Attribute for AttributeValue {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        Ok(self.clone())
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        Ok(value)
    }
}

impl Attribute for String {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        Ok(AttributeValue::S(self.clone()))
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        match value {
            AttributeValue::S(s) => Ok(s),
            other => Err(AttributeError::mismatch("S", &other)),
        }
    }
}

impl KeyAttribute for String {
    const SCALAR_TYPE: ScalarAttributeType = ScalarAttributeType::S;
    fn to_key_value(&self) -> KeyValue {
        KeyValue::S(self.clone())
    }
}

impl SetElement for String {
    fn to_set<'a>(
        elements: impl Iterator<Item = &'a Self>,
    ) -> Result<AttributeValue, AttributeError> {
        Ok(AttributeValue::Ss(elements.cloned().collect()))
    }
    fn from_set(value: AttributeValue) -> Result<Vec<Self>, AttributeError> {
        match value {
            AttributeValue::Ss(s) => Ok(s.into_iter().collect()),
            other => Err(AttributeError::mismatch("SS", &other)),
        }
    }
}

impl Attribute for bool {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        Ok(AttributeValue::Bool(*self))
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        match value {
            AttributeValue::Bool(b) => Ok(b),
            other => Err(AttributeError::mismatch("BOOL", &other)),
        }
    }
}

impl Attribute for Number {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        Ok(AttributeValue::N(*self))
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        match value {
            AttributeValue::N(n) => Ok(n),
            other => Err(AttributeError::mismatch("N", &other)),
        }
    }
}

impl KeyAttribute for Number {
    const SCALAR_TYPE: ScalarAttributeType = ScalarAttributeType::N;
    fn to_key_value(&self) -> KeyValue {
        KeyValue::N(*self)
    }
}

fn number_set<'a, T: 'a>(
    elements: impl Iterator<Item = &'a T>,
    convert: impl Fn(&T) -> Result<Number, AttributeError>,
) -> Result<AttributeValue, AttributeError> {
    elements
        .map(convert)
        .collect::<Result<BTreeSet<_>, _>>()
        .map(AttributeValue::Ns)
}

fn from_number_set<T>(
    value: AttributeValue,
    convert: impl Fn(AttributeValue) -> Result<T, AttributeError>,
) -> Result<Vec<T>, AttributeError> {
    match value {
        AttributeValue::Ns(s) => s
            .into_iter()
            .map(|n| convert(AttributeValue::N(n)))
            .collect(),
        other => Err(AttributeError::mismatch("NS", &other)),
    }
}

// Integer types are `ident`s, not `ty`s: a captured `ty` is opaque and would
// never match the `@list u8` arm below.
macro_rules! integer_attribute {
    ($($t:ident),*) => {$(
        impl Attribute for $t {
            fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
                Ok(AttributeValue::N(Number::from(*self)))
            }
            fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
                match value {
                    AttributeValue::N(n) => <$t>::try_from(n)
                        .map_err(|e| AttributeError::invalid(e.to_string())),
                    other => Err(AttributeError::mismatch("N", &other)),
                }
            }
            integer_attribute!(@list $t);
        }

        impl KeyAttribute for $t {
            const SCALAR_TYPE: ScalarAttributeType = ScalarAttributeType::N;
            fn to_key_value(&self) -> KeyValue {
                KeyValue::N(Number::from(*self))
            }
        }

        impl SetElement for $t {
            fn to_set<'a>(elements: impl Iterator<Item = &'a Self>) -> Result<AttributeValue, AttributeError> {
                number_set(elements, |v| Ok(Number::from(*v)))
            }
            fn from_set(value: AttributeValue) -> Result<Vec<Self>, AttributeError> {
                from_number_set(value, Self::from_attribute)
            }
        }
    )*};
    // `Vec<u8>` is binary; every other integer vector is a list.
    (@list u8) => {
        fn list_to_attribute(items: &[Self]) -> Result<AttributeValue, AttributeError> {
            Ok(AttributeValue::B(items.to_vec()))
        }
        fn list_from_attribute(value: AttributeValue) -> Result<Vec<Self>, AttributeError> {
            match value {
                AttributeValue::B(b) => Ok(b),
                other => Err(AttributeError::mismatch("B", &other)),
            }
        }
    };
    (@list $t:ident) => {};
}
integer_attribute!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

macro_rules! wide_integer_attribute {
    ($($t:ty),*) => {$(
        impl Attribute for $t {
            fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
                Number::try_from(*self)
                    .map(AttributeValue::N)
                    .map_err(|e| AttributeError::invalid(e.to_string()))
            }
            fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
                match value {
                    AttributeValue::N(n) => <$t>::try_from(n)
                        .map_err(|e| AttributeError::invalid(e.to_string())),
                    other => Err(AttributeError::mismatch("N", &other)),
                }
            }
        }
    )*};
}
wide_integer_attribute!(i128, u128);

macro_rules! float_attribute {
    ($($t:ty => $from:ident),*) => {$(
        impl Attribute for $t {
            fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
                Number::$from(*self)
                    .map(AttributeValue::N)
                    .map_err(|e| AttributeError::invalid(e.to_string()))
            }
            fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
                match value {
                    AttributeValue::N(n) => {
                        let v = n.to_f64() as $t;
                        if v.is_finite() {
                            Ok(v)
                        } else {
                            Err(AttributeError::invalid(format!(
                                "{n} is out of range for {}",
                                stringify!($t)
                            )))
                        }
                    }
                    other => Err(AttributeError::mismatch("N", &other)),
                }
            }
        }
    )*};
}
float_attribute!(f64 => from_f64, f32 => from_f32);

impl KeyAttribute for Vec<u8> {
    const SCALAR_TYPE: ScalarAttributeType = ScalarAttributeType::B;
    fn to_key_value(&self) -> KeyValue {
        KeyValue::B(self.clone())
    }
}

impl SetElement for Vec<u8> {
    fn to_set<'a>(
        elements: impl Iterator<Item = &'a Self>,
    ) -> Result<AttributeValue, AttributeError> {
        Ok(AttributeValue::Bs(elements.cloned().collect()))
    }
    fn from_set(value: AttributeValue) -> Result<Vec<Self>, AttributeError> {
        match value {
            AttributeValue::Bs(s) => Ok(s.into_iter().collect()),
            other => Err(AttributeError::mismatch("BS", &other)),
        }
    }
}

impl<T: Attribute> Attribute for Vec<T> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        T::list_to_attribute(self)
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        T::list_from_attribute(value)
    }
}

impl<T: Attribute> Attribute for VecDeque<T> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        // A ring buffer is two slices; join their encodings (L or B).
        let (front, back) = self.as_slices();
        match (T::list_to_attribute(front)?, T::list_to_attribute(back)?) {
            (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                a.extend(b);
                Ok(AttributeValue::L(a))
            }
            (AttributeValue::B(mut a), AttributeValue::B(b)) => {
                a.extend(b);
                Ok(AttributeValue::B(a))
            }
            (a, _) => Ok(a),
        }
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        T::list_from_attribute(value).map(VecDeque::from)
    }
}

impl<T: Attribute> Attribute for Option<T> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        match self {
            Some(v) => v.to_attribute(),
            None => Ok(AttributeValue::Null),
        }
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        match value {
            AttributeValue::Null => Ok(None),
            v => T::from_attribute(v).map(Some),
        }
    }
    fn to_field(&self) -> Result<Option<AttributeValue>, AttributeError> {
        match self {
            Some(v) => v.to_field(),
            None => Ok(None),
        }
    }
    fn from_missing() -> Option<Self> {
        Some(None)
    }
}

fn map_to_attribute<'a, T: Attribute + 'a>(
    entries: impl Iterator<Item = (&'a String, &'a T)>,
) -> Result<AttributeValue, AttributeError> {
    let mut map = AttributeMap::new();
    for (k, v) in entries {
        map.insert(k.clone(), v.to_attribute().map_err(|e| e.in_attribute(k))?);
    }
    Ok(AttributeValue::M(map))
}

fn map_from_attribute<T: Attribute, C: FromIterator<(String, T)>>(
    value: AttributeValue,
) -> Result<C, AttributeError> {
    match value {
        AttributeValue::M(map) => map
            .into_iter()
            .map(|(k, v)| {
                let v = T::from_attribute(v).map_err(|e| e.in_attribute(&k))?;
                Ok((k, v))
            })
            .collect(),
        other => Err(AttributeError::mismatch("M", &other)),
    }
}

impl<T: Attribute, S: std::hash::BuildHasher + Default> Attribute for HashMap<String, T, S> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        map_to_attribute(self.iter())
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        map_from_attribute(value)
    }
}

impl<T: Attribute> Attribute for BTreeMap<String, T> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        map_to_attribute(self.iter())
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        map_from_attribute(value)
    }
}

fn set_field<'a, T: SetElement + 'a>(
    len: usize,
    elements: impl Iterator<Item = &'a T>,
) -> Result<Option<AttributeValue>, AttributeError> {
    if len == 0 {
        Ok(None)
    } else {
        T::to_set(elements).map(Some)
    }
}

fn set_attribute<'a, T: SetElement + 'a>(
    len: usize,
    elements: impl Iterator<Item = &'a T>,
) -> Result<AttributeValue, AttributeError> {
    if len == 0 {
        Err(AttributeError::invalid(
            "an empty set cannot be stored in DynamoDB",
        ))
    } else {
        T::to_set(elements)
    }
}

impl<T: SetElement + Eq + Hash, S: std::hash::BuildHasher + Default> Attribute for HashSet<T, S> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        set_attribute(self.len(), self.iter())
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        T::from_set(value).map(|v| v.into_iter().collect())
    }
    fn to_field(&self) -> Result<Option<AttributeValue>, AttributeError> {
        set_field(self.len(), self.iter())
    }
    fn from_missing() -> Option<Self> {
        Some(Self::default())
    }
}

impl<T: SetElement + Ord> Attribute for BTreeSet<T> {
    fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
        set_attribute(self.len(), self.iter())
    }
    fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
        T::from_set(value).map(|v| v.into_iter().collect())
    }
    fn to_field(&self) -> Result<Option<AttributeValue>, AttributeError> {
        set_field(self.len(), self.iter())
    }
    fn from_missing() -> Option<Self> {
        Some(Self::new())
    }
}

/// Reads struct field `name` out of `item` (used by derived code).
#[doc(hidden)]
pub fn take_field<T: Attribute>(item: &mut AttributeMap, name: &str) -> Result<T, AttributeError> {
    match item.remove(name) {
        Some(v) => T::from_attribute(v).map_err(|e| e.in_attribute(name)),
        None => T::from_missing().ok_or_else(|| AttributeError::missing(name)),
    }
}

/// Reads struct field `name` out of `item`, or the type's default when the
/// attribute is absent (`#[dynamo(default)]`; used by derived code).
#[doc(hidden)]
pub fn take_field_or_default<T: Attribute + Default>(
    item: &mut AttributeMap,
    name: &str,
) -> Result<T, AttributeError> {
    match item.remove(name) {
        Some(v) => T::from_attribute(v).map_err(|e| e.in_attribute(name)),
        None => Ok(T::default()),
    }
}

/// Writes the converted value of struct field `name` into `item`, unless
/// it is left out (used by derived code).
#[doc(hidden)]
pub fn put_field_value(
    item: &mut AttributeMap,
    name: &str,
    value: Result<Option<AttributeValue>, AttributeError>,
) -> Result<(), AttributeError> {
    if let Some(v) = value.map_err(|e| e.in_attribute(name))? {
        item.insert(name.to_owned(), v);
    }
    Ok(())
}

/// Writes the attributes of a flattened field into `item` (used by
/// derived code).
#[doc(hidden)]
pub fn put_flattened<T: Attribute>(
    item: &mut AttributeMap,
    value: &T,
) -> Result<(), AttributeError> {
    match value.to_attribute()? {
        AttributeValue::M(map) => {
            item.extend(map);
            Ok(())
        }
        other => Err(AttributeError::mismatch("M", &other)),
    }
}

/// Reads a flattened field from the attributes of `item` (used by derived
/// code).
#[doc(hidden)]
pub fn take_flattened<T: Attribute>(item: &AttributeMap) -> Result<T, AttributeError> {
    T::from_attribute(AttributeValue::M(item.clone()))
}

/// Reads struct field `name` with a field codec (`with = module`; used by
/// derived code).
#[doc(hidden)]
pub fn take_field_with<T>(
    item: &mut AttributeMap,
    name: &str,
    read: impl FnOnce(Option<AttributeValue>) -> Result<T, AttributeError>,
) -> Result<T, AttributeError> {
    read(item.remove(name)).map_err(|e| e.in_attribute(name))
}

/// Reads struct field `name` with a field codec, or the type's default when
/// the attribute is absent (used by derived code).
#[doc(hidden)]
pub fn take_field_with_or_default<T: Default>(
    item: &mut AttributeMap,
    name: &str,
    read: impl FnOnce(Option<AttributeValue>) -> Result<T, AttributeError>,
) -> Result<T, AttributeError> {
    match item.remove(name) {
        None => Ok(T::default()),
        v => read(v).map_err(|e| e.in_attribute(name)),
    }
}

/// Fails when `item` carries another entity type than `name` in
/// `attribute` (used by derived code).
#[doc(hidden)]
pub fn check_entity(
    item: &AttributeMap,
    attribute: &str,
    name: &str,
) -> Result<(), AttributeError> {
    match stored_entity(item, attribute) {
        Some(found) if found != name => Err(AttributeError::Invalid {
            path: attribute.to_owned(),
            message: format!("the item is a `{found}`, not a `{name}`"),
        }),
        _ => Ok(()),
    }
}

/// A key attribute of a table or index: its name, its type, and the
/// template it is rendered from (`None` when it is a field's own attribute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyAttributeSchema {
    /// The attribute's name.
    pub name: &'static str,
    /// Its scalar type.
    pub scalar_type: ScalarAttributeType,
    /// The template its value is rendered from.
    pub template: Option<KeyTemplate>,
}

impl KeyAttributeSchema {
    /// The sort-key shape typed queries condition on.
    pub fn sort_shape(&self) -> SortKeyShape {
        SortKeyShape {
            name: self.name,
            template: self.template,
        }
    }
}

/// Whether a secondary index is global or local.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexKind {
    /// A global secondary index: its own partition key.
    Global,
    /// A local secondary index: the table's partition key, another sort key.
    Local,
}

/// A secondary index declared on the struct (`gsi(...)`, `lsi(...)`); it
/// projects all attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexSchema {
    /// The index's name.
    pub name: &'static str,
    /// Global or local.
    pub kind: IndexKind,
    /// Its partition key (the table's, for a local index).
    pub partition_key: KeyAttributeSchema,
    /// Its sort key, if any.
    pub sort_key: Option<KeyAttributeSchema>,
    /// The partition-key attributes after the first, for a multi-attribute
    /// key (`pk = [tenant, region]`).
    pub more_partition_keys: &'static [KeyAttributeSchema],
    /// The sort-key attributes after the first.
    pub more_sort_keys: &'static [KeyAttributeSchema],
}

impl IndexSchema {
    /// Every key attribute of the index: partition keys, then sort keys.
    pub fn key_attributes(&self) -> impl Iterator<Item = KeyAttributeSchema> + '_ {
        std::iter::once(self.partition_key)
            .chain(self.more_partition_keys.iter().copied())
            .chain(self.sort_key)
            .chain(self.more_sort_keys.iter().copied())
    }

    /// The index's `KeySchema`.
    pub fn key_schema(&self) -> Vec<KeySchemaElement> {
        std::iter::once(self.partition_key)
            .chain(self.more_partition_keys.iter().copied())
            .map(|k| KeySchemaElement::hash(k.name))
            .chain(
                self.sort_key
                    .into_iter()
                    .chain(self.more_sort_keys.iter().copied())
                    .map(|k| KeySchemaElement::range(k.name)),
            )
            .collect()
    }
}

/// The entity-type attribute written on every item of a type, so several
/// types can share one table and be told apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntitySchema {
    /// The attribute's name.
    pub attribute: &'static str,
    /// The value written for this type.
    pub name: &'static str,
}

/// The table a typed item lives in, as declared on the struct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSchema {
    /// The table's name.
    pub table_name: &'static str,
    /// The partition key.
    pub partition_key: KeyAttributeSchema,
    /// The sort key, if the table has one.
    pub sort_key: Option<KeyAttributeSchema>,
    /// The secondary indexes the type declares.
    pub indexes: &'static [IndexSchema],
    /// The entity-type attribute, for types that share a table.
    pub entity: Option<EntitySchema>,
    /// Lifecycle attributes maintained by the client.
    pub lifecycle: Lifecycle,
}

/// Attributes the client maintains on every write, by attribute name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Lifecycle {
    /// `#[dynamo(version)]`: optimistic locking counter.
    pub version: Option<&'static str>,
    /// `#[dynamo(ttl)]`: expiry time in epoch seconds.
    pub ttl: Option<&'static str>,
    /// `#[dynamo(created_at)]`: set when the item is first written.
    pub created_at: Option<&'static str>,
    /// `#[dynamo(updated_at)]`: set on every write.
    pub updated_at: Option<&'static str>,
}

impl TableSchema {
    /// The `KeySchema` of the table.
    pub fn key_schema(&self) -> Vec<KeySchemaElement> {
        let mut keys = vec![KeySchemaElement::hash(self.partition_key.name)];
        keys.extend(self.sort_key.map(|k| KeySchemaElement::range(k.name)));
        keys
    }

    /// The `AttributeDefinitions` of every key attribute of the table and
    /// its indexes, each once.
    pub fn attribute_definitions(&self) -> Vec<AttributeDefinition> {
        let mut out: Vec<AttributeDefinition> = Vec::new();
        let keys = std::iter::once(self.partition_key)
            .chain(self.sort_key)
            .chain(self.indexes.iter().flat_map(IndexSchema::key_attributes));
        for key in keys {
            if !out.iter().any(|d| d.attribute_name == key.name) {
                out.push(AttributeDefinition {
                    attribute_name: key.name.to_owned(),
                    attribute_type: key.scalar_type,
                });
            }
        }
        out
    }

    /// Whether an index key is rendered from a template, so updates must
    /// keep it in step with its fields.
    pub fn has_rendered_index_keys(&self) -> bool {
        self.indexes
            .iter()
            .flat_map(IndexSchema::key_attributes)
            .any(|k| k.template.is_some())
    }
}

/// A Rust struct stored as a DynamoDB item; implemented by `#[derive(Item)]`.
pub trait Item: Sized {
    /// The operand type of sort-key conditions on the table: the sort key's
    /// type, the type of its template's first field, or [`NoSortKey`].
    type SortKey;

    /// The table and its key, as declared on the struct.
    const SCHEMA: TableSchema;

    /// The item's attributes.
    fn to_item(&self) -> Result<AttributeMap, AttributeError>;

    /// Reads the struct from an item's attributes.
    fn from_item(item: AttributeMap) -> Result<Self, AttributeError>;

    /// The primary key of this item.
    fn primary_key(&self) -> Key<Self>;

    /// The values the `#[dynamo(created_at)]` and `#[dynamo(updated_at)]`
    /// attributes take at `now` (implemented by the derive for types that
    /// have them).
    fn timestamps(now: std::time::SystemTime) -> Result<Timestamps, AttributeError> {
        let _ = now;
        Ok(Timestamps::default())
    }

    /// The rendered index keys an update changes: `set` holds the new
    /// values of the top-level attributes the update sets, `removed` the
    /// attributes it removes, `touched` those it changes in ways the
    /// client cannot compute (ADD, nested paths, `if_not_exists`).
    /// Implemented by the derive for types with templated index keys.
    fn derived_key_updates(
        set: &AttributeMap,
        removed: &[&str],
        touched: &[&str],
    ) -> Result<DerivedKeys, AttributeError> {
        let _ = (set, removed, touched);
        Ok(DerivedKeys::default())
    }
}

/// The rendered index-key attributes an update must write along with the
/// attributes they are built from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DerivedKeys {
    /// Key attributes to set.
    pub set: Vec<(&'static str, AttributeValue)>,
    /// Key attributes to remove (an optional field of a sparse index key
    /// was removed).
    pub remove: Vec<&'static str>,
}

/// The attribute values of an item type's timestamps at one instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timestamps {
    /// `#[dynamo(created_at)]`.
    pub created_at: Option<AttributeValue>,
    /// `#[dynamo(updated_at)]`.
    pub updated_at: Option<AttributeValue>,
}

/// A type a `#[dynamo(version)]` field can have: an integer.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an optimistic-locking version",
    label = "`#[dynamo(version)]` needs an integer field",
    note = "use `u64`"
)]
pub trait VersionAttribute: Attribute {}

impl VersionAttribute for u32 {}
impl VersionAttribute for u64 {}
impl VersionAttribute for i32 {}
impl VersionAttribute for i64 {}
impl VersionAttribute for usize {}

/// An enum of item types that share a partition, read by one query
/// (`db.collection::<C>(...)`); implemented by `#[derive(Collection)]`,
/// which tells the variants apart by their entity-type attribute.
pub trait Collection: Sized {
    /// The schemas of the member types, in variant order.
    const MEMBERS: &'static [TableSchema];

    /// Reads one item; `Ok(None)` skips an item of an entity type the
    /// collection does not list (when it is declared `unknown = "skip"`).
    fn from_collection_item(item: AttributeMap) -> Result<Option<Self>, AttributeError>;
}

/// A collection that lists the item type `T`, so a query for `T`'s
/// partition can read it.
#[diagnostic::on_unimplemented(
    message = "the collection `{Self}` does not list `{T}`",
    label = "a collection query starts from a key query of one of its member types",
    note = "add a variant holding `{T}` to `{Self}`, or start from a member's `partition(...)`"
)]
pub trait CollectionMember<T>: Collection {}

/// Whether two strings are equal, in a `const` context (used by derived
/// code to check that collection members share a table).
#[doc(hidden)]
pub const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `item` carries `T`'s entity type (used by derived collections).
#[doc(hidden)]
pub fn collection_variant<T: Item>(item: &AttributeMap) -> bool {
    T::SCHEMA
        .entity
        .is_some_and(|e| stored_entity(item, e.attribute) == Some(e.name))
}

/// The entity type an item carries in `attribute`, if any.
fn stored_entity<'a>(item: &'a AttributeMap, attribute: &str) -> Option<&'a str> {
    match item.get(attribute) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

/// The primary key of an item of type `T`: built by the derived
/// `T::key(...)`, consumed by `get` and `delete`.
pub struct Key<T> {
    attributes: AttributeMap,
    item: PhantomData<fn() -> T>,
}

impl<T: Item> Key<T> {
    /// A key from the partition-key value and, for tables with one, the
    /// sort-key value.
    pub fn new(partition_key: KeyValue, sort_key: Option<KeyValue>) -> Self {
        let schema = T::SCHEMA;
        let mut attributes = AttributeMap::with_capacity(2);
        attributes.insert(schema.partition_key.name.to_owned(), partition_key.into());
        if let (Some(k), Some(v)) = (schema.sort_key, sort_key) {
            attributes.insert(k.name.to_owned(), v.into());
        }
        Self {
            attributes,
            item: PhantomData,
        }
    }

    /// The key's attributes.
    pub fn attributes(&self) -> &AttributeMap {
        &self.attributes
    }

    /// Takes the key's attributes.
    pub fn into_attributes(self) -> AttributeMap {
        self.attributes
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        Self {
            attributes: self.attributes.clone(),
            item: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Key").field(&self.attributes).finish()
    }
}

impl<T> PartialEq for Key<T> {
    fn eq(&self, other: &Self) -> bool {
        self.attributes == other.attributes
    }
}
