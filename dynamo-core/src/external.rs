//! Conversions for types of other crates, each behind the cargo feature of
//! the same name:
//!
//! | feature | type | DynamoDB |
//! |---|---|---|
//! | `chrono` | `chrono::DateTime<Utc>` | `S` ISO-8601, or `N` epoch seconds with `with = dynamo::epoch_seconds` |
//! | `time` | `time::OffsetDateTime` | `S` ISO-8601 (UTC), or `N` epoch seconds likewise |
//! | `uuid` | `uuid::Uuid` | `S`, hyphenated lower case; usable in keys |
//! | `rust_decimal` | `rust_decimal::Decimal` | `N`, exact; usable in keys |
//! | `bytes` | `bytes::Bytes` | `B`; usable in keys |

#[allow(unused_imports)]
use crate::item::{Attribute, AttributeError, KeyAttribute};
#[allow(unused_imports)]
use crate::value::{AttributeValue, KeyValue, Number};

/// A time type stored like `SystemTime` (ISO-8601 string, epoch seconds
/// with the codec, stampable as `created_at`/`updated_at`, ordered).
#[allow(unused_macros)]
macro_rules! time_like {
    ($t:ty, $to:expr, $from:expr) => {
        impl Attribute for $t {
            fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
                let to: fn(&$t) -> std::time::SystemTime = $to;
                to(self).to_attribute()
            }
            fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
                let from: fn(std::time::SystemTime) -> $t = $from;
                std::time::SystemTime::from_attribute(value).map(from)
            }
        }
        impl crate::time::EpochSeconds for $t {
            fn to_epoch(&self) -> Result<Option<Number>, AttributeError> {
                let to: fn(&$t) -> std::time::SystemTime = $to;
                to(self).to_epoch()
            }
            fn from_epoch(value: Option<AttributeValue>) -> Result<Self, AttributeError> {
                let from: fn(std::time::SystemTime) -> $t = $from;
                std::time::SystemTime::from_epoch(value).map(from)
            }
        }
        impl crate::time::EpochSeconds for Option<$t> {
            fn to_epoch(&self) -> Result<Option<Number>, AttributeError> {
                match self {
                    Some(v) => v.to_epoch(),
                    None => Ok(None),
                }
            }
            fn from_epoch(value: Option<AttributeValue>) -> Result<Self, AttributeError> {
                let from: fn(std::time::SystemTime) -> $t = $from;
                Option::<std::time::SystemTime>::from_epoch(value).map(|t| t.map(from))
            }
        }
        impl crate::time::Timestamp for $t {
            fn from_time(now: std::time::SystemTime) -> Self {
                let from: fn(std::time::SystemTime) -> $t = $from;
                from(now)
            }
        }
        impl crate::time::Timestamp for Option<$t> {
            fn from_time(now: std::time::SystemTime) -> Self {
                let from: fn(std::time::SystemTime) -> $t = $from;
                Some(from(now))
            }
        }
        impl crate::typed_path::Ordered for $t {}
    };
}

#[cfg(feature = "chrono")]
mod chrono_impls {
    use super::*;
    time_like!(
        chrono::DateTime<chrono::Utc>,
        |t| std::time::SystemTime::from(*t),
        chrono::DateTime::<chrono::Utc>::from
    );
}

#[cfg(feature = "time")]
mod time_impls {
    use super::*;
    time_like!(
        time::OffsetDateTime,
        |t| std::time::SystemTime::from(*t),
        time::OffsetDateTime::from
    );
}

#[cfg(feature = "uuid")]
mod uuid_impls {
    use super::*;
    use crate::key_template::{KeyPart, SortKeyType};

    impl Attribute for uuid::Uuid {
        fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
            Ok(AttributeValue::S(self.hyphenated().to_string()))
        }
        fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
            match value {
                AttributeValue::S(s) => uuid::Uuid::parse_str(&s)
                    .map_err(|e| AttributeError::invalid(format!("`{s}` is not a UUID: {e}"))),
                other => Err(AttributeError::mismatch("S", &other)),
            }
        }
    }
    impl KeyAttribute for uuid::Uuid {
        const SCALAR_TYPE: crate::schema::ScalarAttributeType =
            crate::schema::ScalarAttributeType::S;
        fn to_key_value(&self) -> KeyValue {
            KeyValue::S(self.hyphenated().to_string())
        }
    }
    impl KeyPart for uuid::Uuid {
        fn write_key_part(&self, out: &mut String) {
            out.push_str(&self.hyphenated().to_string());
        }
    }
    impl SortKeyType for uuid::Uuid {
        fn plain(&self) -> AttributeValue {
            self.to_key_value().into()
        }
        fn write_templated(&self, out: &mut String, _width: Option<usize>) {
            self.write_key_part(out);
        }
    }
    impl crate::typed_path::Ordered for uuid::Uuid {}
}

#[cfg(feature = "rust_decimal")]
mod decimal_impls {
    use super::*;
    use crate::key_template::{KeyPart, SortKeyType};
    use rust_decimal::Decimal;

    fn to_number(d: &Decimal) -> Result<Number, AttributeError> {
        d.normalize()
            .to_string()
            .parse()
            .map_err(|e: crate::value::NumberError| AttributeError::invalid(e.to_string()))
    }

    impl Attribute for Decimal {
        fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
            to_number(self).map(AttributeValue::N)
        }
        fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
            match value {
                AttributeValue::N(n) => {
                    let text = n.to_string();
                    // Exact or an error: `from_str_exact` refuses to round.
                    Decimal::from_str_exact(&text)
                        .or_else(|_| Decimal::from_scientific(&text))
                        .map_err(|e| {
                            AttributeError::invalid(format!("{text} does not fit a Decimal: {e}"))
                        })
                }
                other => Err(AttributeError::mismatch("N", &other)),
            }
        }
    }
    impl KeyAttribute for Decimal {
        const SCALAR_TYPE: crate::schema::ScalarAttributeType =
            crate::schema::ScalarAttributeType::N;
        fn to_key_value(&self) -> KeyValue {
            // A Decimal has at most 29 digits, within DynamoDB's 38.
            KeyValue::N(to_number(self).unwrap_or_default())
        }
    }
    impl KeyPart for Decimal {
        fn write_key_part(&self, out: &mut String) {
            out.push_str(&self.normalize().to_string());
        }
    }
    impl SortKeyType for Decimal {
        fn plain(&self) -> AttributeValue {
            self.to_key_value().into()
        }
        fn write_templated(&self, out: &mut String, _width: Option<usize>) {
            self.write_key_part(out);
        }
    }
    impl crate::typed_path::Ordered for Decimal {}
    impl crate::typed_path::Numeric for Decimal {}
    impl crate::typed_path::Addable for Decimal {}
}

#[cfg(feature = "bytes")]
mod bytes_impls {
    use super::*;
    use crate::key_template::SortKeyType;

    impl Attribute for bytes::Bytes {
        fn to_attribute(&self) -> Result<AttributeValue, AttributeError> {
            Ok(AttributeValue::B(self.to_vec()))
        }
        fn from_attribute(value: AttributeValue) -> Result<Self, AttributeError> {
            match value {
                AttributeValue::B(b) => Ok(bytes::Bytes::from(b)),
                other => Err(AttributeError::mismatch("B", &other)),
            }
        }
    }
    impl KeyAttribute for bytes::Bytes {
        const SCALAR_TYPE: crate::schema::ScalarAttributeType =
            crate::schema::ScalarAttributeType::B;
        fn to_key_value(&self) -> KeyValue {
            KeyValue::B(self.to_vec())
        }
    }
    impl SortKeyType for bytes::Bytes {
        fn plain(&self) -> AttributeValue {
            self.to_key_value().into()
        }
        fn write_templated(&self, out: &mut String, width: Option<usize>) {
            self.to_vec().write_templated(out, width);
        }
    }
    impl crate::typed_path::Ordered for bytes::Bytes {}
}
