//! DynamoDB's value model: [`AttributeValue`] with its ten types, exact
//! [`Number`]s, items as [`AttributeMap`]s, and [`KeyValue`], the scalar
//! subset that can be a key, ordered the way DynamoDB orders sort keys.

mod number;
mod size;
mod wire;

pub use number::{Number, NumberError, NumberRangeError};
pub use size::{MAX_ITEM_SIZE, attribute_size, item_size};
pub(crate) use wire::enum_values;
pub use wire::{WireError, WireValidation, decode_json};

use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// An item, or any map of attribute names to values (`M`).
pub type AttributeMap = HashMap<String, AttributeValue>;

/// One DynamoDB attribute value.
///
/// Sets are `BTreeSet`s, so they never hold duplicates (numbers compare
/// numerically: `1` and `1.0` are one element). DynamoDB also forbids empty
/// sets; [`AttributeValue::validate`] reports them.
///
/// ```
/// use dynamo_core::{AttributeValue, Number};
/// let v = AttributeValue::N(Number::from(42));
/// assert_eq!(v.type_name(), "N");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// `S`: a UTF-8 string.
    S(String),
    /// `N`: an exact decimal number.
    N(Number),
    /// `B`: binary data.
    B(Vec<u8>),
    /// `BOOL`: a boolean.
    Bool(bool),
    /// `NULL`: the null value.
    Null,
    /// `M`: a map of names to values.
    M(AttributeMap),
    /// `L`: an ordered list of values of any type.
    L(Vec<AttributeValue>),
    /// `SS`: a set of strings.
    Ss(BTreeSet<String>),
    /// `NS`: a set of numbers.
    Ns(BTreeSet<Number>),
    /// `BS`: a set of binary values.
    Bs(BTreeSet<Vec<u8>>),
}

/// The type of an [`AttributeValue`], as DynamoDB names it on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttributeType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
    /// Boolean.
    Bool,
    /// Null.
    Null,
    /// Map.
    M,
    /// List.
    L,
    /// String set.
    Ss,
    /// Number set.
    Ns,
    /// Binary set.
    Bs,
}

impl AttributeType {
    /// The wire name: `S`, `N`, `B`, `BOOL`, `NULL`, `M`, `L`, `SS`, `NS`, `BS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S => "S",
            Self::N => "N",
            Self::B => "B",
            Self::Bool => "BOOL",
            Self::Null => "NULL",
            Self::M => "M",
            Self::L => "L",
            Self::Ss => "SS",
            Self::Ns => "NS",
            Self::Bs => "BS",
        }
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Deepest nesting of maps and lists DynamoDB stores.
pub const MAX_NESTING_DEPTH: usize = 32;

impl AttributeValue {
    /// This value's type.
    pub fn attribute_type(&self) -> AttributeType {
        match self {
            Self::S(_) => AttributeType::S,
            Self::N(_) => AttributeType::N,
            Self::B(_) => AttributeType::B,
            Self::Bool(_) => AttributeType::Bool,
            Self::Null => AttributeType::Null,
            Self::M(_) => AttributeType::M,
            Self::L(_) => AttributeType::L,
            Self::Ss(_) => AttributeType::Ss,
            Self::Ns(_) => AttributeType::Ns,
            Self::Bs(_) => AttributeType::Bs,
        }
    }

    /// This value's wire type name (`"S"`, `"BOOL"`, ...).
    pub fn type_name(&self) -> &'static str {
        self.attribute_type().as_str()
    }

    /// Checks the rules a value must meet to be stored: no empty set at any
    /// depth, and nesting no deeper than 32 levels. The error is DynamoDB's
    /// ValidationException message.
    pub fn validate(&self) -> Result<(), String> {
        self.validate_at(1)
    }

    fn validate_at(&self, depth: usize) -> Result<(), String> {
        const INVALID: &str = "One or more parameter values were invalid: ";
        match self {
            Self::Ss(s) if s.is_empty() => Err(format!("{INVALID}An string set  may not be empty")),
            Self::Ns(s) if s.is_empty() => Err(format!("{INVALID}An number set  may not be empty")),
            Self::Bs(s) if s.is_empty() => Err(format!("{INVALID}Binary sets should not be empty")),
            Self::M(_) | Self::L(_) if depth > MAX_NESTING_DEPTH => {
                Err("Nesting Levels have exceeded supported limits".to_owned())
            }
            Self::M(m) => m.values().try_for_each(|v| v.validate_at(depth + 1)),
            Self::L(l) => l.iter().try_for_each(|v| v.validate_at(depth + 1)),
            _ => Ok(()),
        }
    }

    /// The string, if this is an `S`.
    pub fn as_s(&self) -> Option<&str> {
        match self {
            Self::S(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is an `N`.
    pub fn as_n(&self) -> Option<&Number> {
        match self {
            Self::N(n) => Some(n),
            _ => None,
        }
    }

    /// The bytes, if this is a `B`.
    pub fn as_b(&self) -> Option<&[u8]> {
        match self {
            Self::B(b) => Some(b),
            _ => None,
        }
    }

    /// The map, if this is an `M`.
    pub fn as_m(&self) -> Option<&AttributeMap> {
        match self {
            Self::M(m) => Some(m),
            _ => None,
        }
    }

    /// The list, if this is an `L`.
    pub fn as_l(&self) -> Option<&[AttributeValue]> {
        match self {
            Self::L(l) => Some(l),
            _ => None,
        }
    }
}

impl fmt::Debug for AttributeValue {
    /// Prints the DynamoDB JSON form, e.g. `{"N":"1.5"}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match serde_json::to_string(self) {
            Ok(s) => f.write_str(&s),
            Err(_) => f.write_str("<unprintable AttributeValue>"),
        }
    }
}

impl From<String> for AttributeValue {
    fn from(s: String) -> Self {
        Self::S(s)
    }
}

impl From<&str> for AttributeValue {
    fn from(s: &str) -> Self {
        Self::S(s.to_owned())
    }
}

impl From<Number> for AttributeValue {
    fn from(n: Number) -> Self {
        Self::N(n)
    }
}

impl From<bool> for AttributeValue {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<KeyValue> for AttributeValue {
    fn from(k: KeyValue) -> Self {
        match k {
            KeyValue::S(s) => Self::S(s),
            KeyValue::N(n) => Self::N(n),
            KeyValue::B(b) => Self::B(b),
        }
    }
}

/// A value that can be a key attribute: `S`, `N` or `B`.
///
/// Its ordering is DynamoDB's sort-key order: numbers numerically, strings
/// and binaries by unsigned bytes (UTF-8 bytes for strings). Values of
/// different types never meet in one key, so their relative order (S < N < B)
/// is arbitrary.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyValue {
    /// A string key.
    S(String),
    /// A number key.
    N(Number),
    /// A binary key.
    B(Vec<u8>),
}

impl KeyValue {
    /// The scalar type of this key value.
    pub fn scalar_type(&self) -> crate::schema::ScalarAttributeType {
        use crate::schema::ScalarAttributeType;
        match self {
            Self::S(_) => ScalarAttributeType::S,
            Self::N(_) => ScalarAttributeType::N,
            Self::B(_) => ScalarAttributeType::B,
        }
    }

    /// Bytes this value counts for in DynamoDB's key-size limits.
    pub fn size(&self) -> usize {
        match self {
            Self::S(s) => s.len(),
            Self::B(b) => b.len(),
            Self::N(n) => number_size(n),
        }
    }
}

/// Bytes a number occupies by DynamoDB's sizing rule: about one byte per two
/// significant digits, plus one.
pub fn number_size(n: &Number) -> usize {
    if n.is_zero() {
        1
    } else {
        (n.significant_digits() as usize).div_ceil(2) + 1
    }
}

impl TryFrom<AttributeValue> for KeyValue {
    type Error = AttributeValue;

    /// Takes `S`, `N` and `B`; gives any other value back.
    fn try_from(v: AttributeValue) -> Result<Self, Self::Error> {
        match v {
            AttributeValue::S(s) => Ok(Self::S(s)),
            AttributeValue::N(n) => Ok(Self::N(n)),
            AttributeValue::B(b) => Ok(Self::B(b)),
            other => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_is_dynamodb_order() {
        let n = |s: &str| KeyValue::N(s.parse().unwrap());
        let mut nums = vec![n("10"), n("-1"), n("2"), n("-10.5"), n("0"), n("1e-5")];
        nums.sort();
        assert_eq!(
            nums,
            vec![n("-10.5"), n("-1"), n("0"), n("1e-5"), n("2"), n("10")]
        );
        // Unsigned bytes: 0xFF sorts after 0x01; "Z" (0x5A) before "a" (0x61);
        // "é" (0xC3 0xA9) after "z".
        assert!(KeyValue::B(vec![0x01]) < KeyValue::B(vec![0xFF]));
        assert!(KeyValue::S("Z".into()) < KeyValue::S("a".into()));
        assert!(KeyValue::S("z".into()) < KeyValue::S("é".into()));
    }

    #[test]
    fn empty_sets_and_deep_nesting_are_invalid() {
        let nested = AttributeValue::L(vec![AttributeValue::Ss(BTreeSet::new())]);
        assert_eq!(
            nested.validate().unwrap_err(),
            "One or more parameter values were invalid: An string set  may not be empty"
        );
        let mut v = AttributeValue::Null;
        for _ in 0..32 {
            v = AttributeValue::L(vec![v]);
        }
        assert!(v.validate().is_ok());
        let too_deep = AttributeValue::L(vec![v]);
        assert_eq!(
            too_deep.validate().unwrap_err(),
            "Nesting Levels have exceeded supported limits"
        );
    }
}
