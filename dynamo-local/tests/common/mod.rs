//! Helpers shared by the engine's scenario tests.
#![allow(dead_code)]

use dynamo_core::ops::*;
use dynamo_core::schema::{
    AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement, LocalSecondaryIndex, Projection,
    ScalarAttributeType,
};
use dynamo_core::{AttributeMap, AttributeValue, Error, Number};

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string().parse::<Number>().unwrap())
}

pub fn item(pairs: &[(&str, AttributeValue)]) -> AttributeMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub fn def(name: &str, t: ScalarAttributeType) -> AttributeDefinition {
    AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: t,
    }
}

pub fn gsi(
    name: &str,
    hash: &[&str],
    range: &[&str],
    projection: Projection,
) -> GlobalSecondaryIndex {
    let mut key_schema: Vec<_> = hash.iter().map(|h| KeySchemaElement::hash(*h)).collect();
    key_schema.extend(range.iter().map(|r| KeySchemaElement::range(*r)));
    GlobalSecondaryIndex {
        index_name: name.into(),
        key_schema,
        projection,
        provisioned_throughput: None,
    }
}

pub fn lsi(name: &str, hash: &str, range: &str, projection: Projection) -> LocalSecondaryIndex {
    LocalSecondaryIndex {
        index_name: name.into(),
        key_schema: vec![KeySchemaElement::hash(hash), KeySchemaElement::range(range)],
        projection,
    }
}

/// A `pk` (S) / `sk` (N) on-demand table named `name`.
pub fn table(name: &str) -> CreateTableInput {
    CreateTableInput::new(
        name,
        vec![KeySchemaElement::hash("pk"), KeySchemaElement::range("sk")],
        vec![
            def("pk", ScalarAttributeType::S),
            def("sk", ScalarAttributeType::N),
        ],
    )
}

pub fn validation<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Validation(message)) => message,
        other => panic!("expected ValidationException, got {other:?}"),
    }
}
