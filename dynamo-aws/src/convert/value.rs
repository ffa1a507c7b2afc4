//! `AttributeValue` both ways, for each SDK that has one: aws-sdk-dynamodb's
//! at this module's top level, aws-sdk-dynamodbstreams' in [`streams`]. The
//! two SDK types are the same shape under different names, so one macro
//! writes both conversions. Numbers travel as their canonical decimal
//! string; binaries as `Blob`s.

use dynamo_core::{Error, Number};

fn number(s: &str) -> Result<Number, Error> {
    s.parse()
        .map_err(|e| Error::Transport(format!("DynamoDB returned an invalid number `{s}`: {e}")))
}

/// The conversions between our values and the SDK value type `$sdk`.
macro_rules! conversions {
    ($sdk:ty) => {
        use aws_smithy_types::Blob;
        use dynamo_core::{AttributeMap, AttributeValue, Error, Number};
        use std::collections::HashMap;

        type SdkValue = $sdk;

        /// Our value as the SDK's.
        #[allow(dead_code)]
        pub(crate) fn to_sdk(value: AttributeValue) -> SdkValue {
            match value {
                AttributeValue::S(s) => SdkValue::S(s),
                AttributeValue::N(n) => SdkValue::N(n.to_string()),
                AttributeValue::B(b) => SdkValue::B(Blob::new(b)),
                AttributeValue::Bool(b) => SdkValue::Bool(b),
                AttributeValue::Null => SdkValue::Null(true),
                AttributeValue::M(m) => SdkValue::M(map_to_sdk(m)),
                AttributeValue::L(l) => SdkValue::L(l.into_iter().map(to_sdk).collect()),
                AttributeValue::Ss(s) => SdkValue::Ss(s.into_iter().collect()),
                AttributeValue::Ns(s) => SdkValue::Ns(s.iter().map(Number::to_string).collect()),
                AttributeValue::Bs(s) => SdkValue::Bs(s.into_iter().map(Blob::new).collect()),
            }
        }

        /// An item as the SDK's map.
        #[allow(dead_code)]
        pub(crate) fn map_to_sdk(map: AttributeMap) -> HashMap<String, SdkValue> {
            map.into_iter().map(|(k, v)| (k, to_sdk(v))).collect()
        }

        /// The SDK's value as ours. Fails only on a malformed response.
        pub(crate) fn from_sdk(value: SdkValue) -> Result<AttributeValue, Error> {
            use super::number;
            Ok(match value {
                SdkValue::S(s) => AttributeValue::S(s),
                SdkValue::N(n) => AttributeValue::N(number(&n)?),
                SdkValue::B(b) => AttributeValue::B(b.into_inner()),
                SdkValue::Bool(b) => AttributeValue::Bool(b),
                SdkValue::Null(_) => AttributeValue::Null,
                SdkValue::M(m) => AttributeValue::M(map_from_sdk(m)?),
                SdkValue::L(l) => {
                    AttributeValue::L(l.into_iter().map(from_sdk).collect::<Result<_, _>>()?)
                }
                SdkValue::Ss(s) => AttributeValue::Ss(s.into_iter().collect()),
                SdkValue::Ns(s) => {
                    AttributeValue::Ns(s.iter().map(|n| number(n)).collect::<Result<_, _>>()?)
                }
                SdkValue::Bs(s) => {
                    AttributeValue::Bs(s.into_iter().map(Blob::into_inner).collect())
                }
                other => {
                    return Err(Error::Transport(format!(
                        "DynamoDB returned an attribute value of an unknown type: {other:?}"
                    )));
                }
            })
        }

        /// The SDK's map as an item.
        pub(crate) fn map_from_sdk(map: HashMap<String, SdkValue>) -> Result<AttributeMap, Error> {
            map.into_iter()
                .map(|(k, v)| from_sdk(v).map(|v| (k, v)))
                .collect()
        }

        /// An optional SDK map as an optional item.
        pub(crate) fn opt_map_from_sdk(
            map: Option<HashMap<String, SdkValue>>,
        ) -> Result<Option<AttributeMap>, Error> {
            map.map(map_from_sdk).transpose()
        }
    };
}

mod dynamodb {
    conversions!(aws_sdk_dynamodb::types::AttributeValue);
}
pub(crate) use dynamodb::*;

/// aws-sdk-dynamodbstreams' `AttributeValue` (the values of stream records).
pub(crate) mod streams {
    conversions!(aws_sdk_dynamodbstreams::types::AttributeValue);
}

#[cfg(test)]
mod tests {
    use dynamo_core::{AttributeMap, AttributeValue, Number};
    use std::collections::BTreeSet;

    fn every_type() -> AttributeValue {
        let n = |s: &str| s.parse::<Number>().unwrap();
        AttributeValue::M(AttributeMap::from([
            ("s".into(), AttributeValue::S("x".into())),
            ("n".into(), AttributeValue::N(n("-1.5e3"))),
            ("b".into(), AttributeValue::B(vec![0, 255])),
            ("t".into(), AttributeValue::Bool(true)),
            ("z".into(), AttributeValue::Null),
            (
                "l".into(),
                AttributeValue::L(vec![
                    AttributeValue::N(n("1")),
                    AttributeValue::S(String::new()),
                ]),
            ),
            (
                "ss".into(),
                AttributeValue::Ss(BTreeSet::from(["a".into(), "b".into()])),
            ),
            (
                "ns".into(),
                AttributeValue::Ns(BTreeSet::from([n("1"), n("2.5")])),
            ),
            (
                "bs".into(),
                AttributeValue::Bs(BTreeSet::from([vec![1], vec![2, 3]])),
            ),
        ]))
    }

    #[test]
    fn every_type_round_trips_through_the_sdk() {
        let value = every_type();
        assert_eq!(
            super::from_sdk(super::to_sdk(value.clone())).unwrap(),
            value
        );
        assert_eq!(
            super::to_sdk(AttributeValue::N("1.50".parse().unwrap())),
            aws_sdk_dynamodb::types::AttributeValue::N("1.5".into())
        );
    }

    #[test]
    fn every_type_round_trips_through_the_streams_sdk() {
        use super::streams::{from_sdk, to_sdk};
        let value = every_type();
        assert_eq!(from_sdk(to_sdk(value.clone())).unwrap(), value);
        let malformed = aws_sdk_dynamodbstreams::types::AttributeValue::N("1..2".into());
        assert!(
            from_sdk(malformed)
                .unwrap_err()
                .message()
                .starts_with("DynamoDB returned an invalid number `1..2`")
        );
    }
}
