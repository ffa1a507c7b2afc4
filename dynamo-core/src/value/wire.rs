//! The DynamoDB JSON wire form of values: `{"S":"x"}`, `{"N":"1.5"}`,
//! `{"B":"<base64>"}`, `{"M":{...}}`, `{"L":[...]}`, `{"SS":[...]}`, ...
//!
//! Decoding validates as DynamoDB does (exactly one type member, numbers in
//! range, non-empty sets without duplicates, `NULL` only `true`). Those
//! failures are ValidationExceptions in DynamoDB, not serialization errors, so
//! they travel through serde tagged with [`VALIDATION_TAG`] and
//! [`decode_json`] sorts them back out.

use super::{AttributeMap, AttributeValue, Number};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Marks a serde custom error as a DynamoDB ValidationException.
const VALIDATION_TAG: &str = "\u{1}ValidationException\u{1}";
const INVALID: &str = "One or more parameter values were invalid: ";

fn validation<E: de::Error>(message: impl fmt::Display) -> E {
    E::custom(format_args!("{VALIDATION_TAG}{message}"))
}

/// Why a DynamoDB JSON document could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Not JSON, or JSON of the wrong shape (`SerializationException`).
    #[error("SerializationException: {0}")]
    Serialization(String),
    /// Well-formed but invalid by DynamoDB's rules (`ValidationException`).
    #[error("ValidationException: {0}")]
    Validation(String),
}

/// A ValidationException found while turning a decoded wire request into
/// the request model (`#[serde(try_from = ...)]`); serde carries it tagged so
/// that [`decode_json`] reports it as a ValidationException.
#[derive(Debug)]
pub struct WireValidation(pub String);

impl fmt::Display for WireValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{VALIDATION_TAG}{}", self.0)
    }
}

impl From<crate::error::Error> for WireValidation {
    fn from(error: crate::error::Error) -> Self {
        Self(error.message())
    }
}

/// Decodes DynamoDB JSON into `T`, separating DynamoDB's validation failures
/// from malformed input.
///
/// ```
/// use dynamo_core::{decode_json, AttributeValue, WireError};
/// let v: AttributeValue = decode_json(br#"{"N":"1.50"}"#).unwrap();
/// assert_eq!(format!("{v:?}"), r#"{"N":"1.5"}"#);
/// let err = decode_json::<AttributeValue>(br#"{"SS":[]}"#).unwrap_err();
/// assert!(matches!(err, WireError::Validation(_)));
/// ```
pub fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    // Path tracking costs on every request but only matters for errors:
    // decode plainly, and decode again with paths when that fails.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| classify(&member_path(e.path()), &e.inner().to_string()))?;
    deserializer
        .end()
        .map_err(|e| classify("", &e.to_string()))?;
    Ok(value)
}

/// Sorts a serde error into DynamoDB's error type, with DynamoDB's message
/// for the failures it reports as validation errors.
fn classify(member: &str, text: &str) -> WireError {
    {
        if let Some(start) = text.find(VALIDATION_TAG) {
            let rest = &text[start + VALIDATION_TAG.len()..];
            // serde_json appends " at line L column C" to custom errors.
            let message = rest.rfind(" at line ").map_or(rest, |end| &rest[..end]);
            return WireError::Validation(message.to_owned());
        }
        let message = text.rfind(" at line ").map_or(text, |end| &text[..end]);
        if let Some(rest) = message.strip_prefix("unknown variant `")
            && let Some((value, expected)) = rest.split_once("`, expected ")
        {
            return WireError::Validation(format!(
                "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                enum_values(expected).join(", ")
            ));
        }
        if let Some(rest) = message.strip_prefix("missing field `")
            && let Some(field) = rest.strip_suffix('`')
        {
            let full = if member.is_empty() || member == "." {
                lower_camel(field)
            } else {
                format!("{member}.{}", lower_camel(field))
            };
            return WireError::Validation(format!(
                "1 validation error detected: Value null at '{full}' failed to satisfy constraint: Member must not be null"
            ));
        }
        WireError::Serialization(message.to_owned())
    }
}

/// The values in serde's "expected" phrase: "`A`", "`A` or `B`", or
/// "one of `A`, `B`, `C`".
pub(crate) fn enum_values(expected: &str) -> Vec<&str> {
    expected
        .trim_start_matches("one of ")
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|v| v.trim_matches('`'))
        .filter(|v| !v.is_empty())
        .collect()
}

/// A member path as DynamoDB names it in messages: lowerCamel names,
/// 1-based list positions (`keySchema.1.member.keyType`).
fn member_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let parts: Vec<String> = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Map { key } => Some(lower_camel(key)),
            Segment::Seq { index } => Some(format!("{}.member", index + 1)),
            Segment::Enum { variant } => Some(lower_camel(variant)),
            Segment::Unknown => None,
        })
        .collect();
    parts.join(".")
}

fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(validation)
    }
}

/// Serializes a byte string as base64.
struct Base64<'a>(&'a [u8]);

impl Serialize for Base64<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&BASE64.encode(self.0))
    }
}

struct Base64Set<'a>(&'a BTreeSet<Vec<u8>>);

impl Serialize for Base64Set<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for b in self.0 {
            seq.serialize_element(&Base64(b))?;
        }
        seq.end()
    }
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            Self::S(s) => map.serialize_entry("S", s)?,
            Self::N(n) => map.serialize_entry("N", n)?,
            Self::B(b) => map.serialize_entry("B", &Base64(b))?,
            Self::Bool(b) => map.serialize_entry("BOOL", b)?,
            Self::Null => map.serialize_entry("NULL", &true)?,
            Self::M(m) => map.serialize_entry("M", m)?,
            Self::L(l) => map.serialize_entry("L", l)?,
            Self::Ss(s) => map.serialize_entry("SS", s)?,
            Self::Ns(s) => map.serialize_entry("NS", s)?,
            Self::Bs(s) => map.serialize_entry("BS", &Base64Set(s))?,
        }
        map.end()
    }
}

fn decode_base64<E: de::Error>(s: &str) -> Result<Vec<u8>, E> {
    BASE64.decode(s).map_err(|_| {
        if !s.len().is_multiple_of(4) {
            E::custom(format_args!(
                "Base64 encoded length is expected a multiple of 4 bytes but found: {}",
                s.len()
            ))
        } else {
            E::custom("Invalid Base64 character found")
        }
    })
}

/// A binary value read from base64.
struct Binary(Vec<u8>);

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        decode_base64(&s).map(Binary)
    }
}

/// Reads a set, rejecting emptiness and duplicates with DynamoDB's messages.
struct SetVisitor<T> {
    kind: &'static str,
    parse: fn(String) -> Result<T, String>,
}

fn read_set<'de, A, T, R>(mut seq: A, kind: &'static str, read: R) -> Result<BTreeSet<T>, A::Error>
where
    A: SeqAccess<'de>,
    T: Ord,
    R: Fn(&mut A) -> Result<Option<(T, String)>, A::Error>,
{
    let mut set = BTreeSet::new();
    let mut shown = Vec::new();
    let mut duplicate = false;
    while let Some((element, text)) = read(&mut seq)? {
        duplicate |= !set.insert(element);
        shown.push(text);
    }
    if set.is_empty() {
        return Err(validation(match kind {
            "SS" => format!("{INVALID}An string set  may not be empty"),
            "NS" => format!("{INVALID}An number set  may not be empty"),
            _ => format!("{INVALID}Binary sets should not be empty"),
        }));
    }
    if duplicate {
        return Err(validation(match kind {
            "SS" => format!(
                "{INVALID}Input collection [{}] contains duplicates.",
                shown.join(", ")
            ),
            "NS" => "Input collection contains duplicates".to_owned(),
            _ => format!(
                "{INVALID}Input collection [{}]of type BS contains duplicates.",
                shown.join(", ")
            ),
        }));
    }
    Ok(set)
}

impl<'de, T: Ord> Visitor<'de> for SetVisitor<T> {
    type Value = BTreeSet<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list for {}", self.kind)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let parse = self.parse;
        read_set(seq, self.kind, |seq| {
            match seq.next_element::<String>()? {
                Some(text) => {
                    let element = parse(text.clone()).map_err(|m| {
                        if self.kind == "BS" {
                            de::Error::custom(m)
                        } else {
                            validation(m)
                        }
                    })?;
                    Ok(Some((element, text)))
                }
                None => Ok(None),
            }
        })
    }
}

fn set_seed<'de, A, T: Ord>(
    map: &mut A,
    kind: &'static str,
    parse: fn(String) -> Result<T, String>,
) -> Result<BTreeSet<T>, A::Error>
where
    A: MapAccess<'de>,
{
    struct Seed<T>(SetVisitor<T>);
    impl<'de, T: Ord> de::DeserializeSeed<'de> for Seed<T> {
        type Value = BTreeSet<T>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self.0)
        }
    }
    map.next_value_seed(Seed(SetVisitor { kind, parse }))
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = AttributeValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a DynamoDB AttributeValue object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut value: Option<AttributeValue> = None;
        let mut more_than_one = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            // Explicit nulls count as absent members.
            let decoded = match key.as_ref() {
                "S" => map.next_value::<Option<String>>()?.map(AttributeValue::S),
                "N" => map.next_value::<Option<Number>>()?.map(AttributeValue::N),
                "B" => map
                    .next_value::<Option<Binary>>()?
                    .map(|b| AttributeValue::B(b.0)),
                "BOOL" => map.next_value::<Option<bool>>()?.map(AttributeValue::Bool),
                "NULL" => match map.next_value::<Option<bool>>()? {
                    Some(true) => Some(AttributeValue::Null),
                    Some(false) => {
                        return Err(validation(format!(
                            "{INVALID}Null attribute value types must have the value of true"
                        )));
                    }
                    None => None,
                },
                "M" => map
                    .next_value::<Option<AttributeMap>>()?
                    .map(AttributeValue::M),
                "L" => map
                    .next_value::<Option<Vec<AttributeValue>>>()?
                    .map(AttributeValue::L),
                "SS" => Some(AttributeValue::Ss(set_seed(&mut map, "SS", Ok)?)),
                "NS" => Some(AttributeValue::Ns(set_seed(&mut map, "NS", |s| {
                    s.parse::<Number>().map_err(|e| e.to_string())
                })?)),
                "BS" => Some(AttributeValue::Bs(set_seed(&mut map, "BS", |s| {
                    decode_base64::<serde_json::Error>(&s).map_err(|e| e.to_string())
                })?)),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                    None
                }
            };
            if let Some(v) = decoded {
                more_than_one |= value.is_some();
                value = Some(v);
            }
        }
        if more_than_one {
            return Err(validation(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
            ));
        }
        value.ok_or_else(|| {
            validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            )
        })
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages_are_extracted_from_serde_errors() {
        let err = decode_json::<AttributeValue>(br#"{"NULL":false}"#).unwrap_err();
        assert_eq!(
            err,
            WireError::Validation(
                "One or more parameter values were invalid: Null attribute value types must have the value of true"
                    .into()
            )
        );
        let err = decode_json::<AttributeValue>(br#"{"S":1}"#).unwrap_err();
        assert!(matches!(err, WireError::Serialization(_)), "{err:?}");
    }
}
