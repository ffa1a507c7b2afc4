//! Every refusal of the data plane, through the wire: Query key conditions
//! and start keys, Select and projection combinations, key sizes, Scan
//! segments and limits, batch sizes, legacy parameters, expression maps and
//! attribute values. Each pins the HTTP status, error type and DynamoDB's
//! message.
#![cfg(feature = "server")]

mod wire;

use serde_json::{Value, json};
use wire::{Wire, invalid, refused};

const INVALID: &str = "One or more parameter values were invalid: ";

fn key(name: &str, key_type: &str) -> Value {
    json!({"AttributeName": name, "KeyType": key_type})
}

fn def(name: &str, attribute_type: &str) -> Value {
    json!({"AttributeName": name, "AttributeType": attribute_type})
}

fn s(v: &str) -> Value {
    json!({"S": v})
}

fn n(v: i64) -> Value {
    json!({"N": v.to_string()})
}

/// `tbl` (`pk` S, `sk` N) with a keys-only global index `gsi` on `gk` and
/// a local index `lsi` on `lk`; `str` (`pk` S, `sk` S); `hash` (`pk` S);
/// `multi` (`pk` S) with a global index `multi` on `g` sorted by `a`, `b`.
async fn tables() -> Wire {
    let wire = Wire::start().await;
    wire.ok(
        "CreateTable",
        json!({
            "TableName": "tbl",
            "AttributeDefinitions": [def("pk", "S"), def("sk", "N"), def("gk", "S"), def("lk", "S")],
            "KeySchema": [key("pk", "HASH"), key("sk", "RANGE")],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [{
                "IndexName": "gsi",
                "KeySchema": [key("gk", "HASH")],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }],
            "LocalSecondaryIndexes": [{
                "IndexName": "lsi",
                "KeySchema": [key("pk", "HASH"), key("lk", "RANGE")],
                "Projection": {"ProjectionType": "ALL"},
            }],
        }),
    )
    .await;
    wire.ok(
        "CreateTable",
        json!({
            "TableName": "str",
            "AttributeDefinitions": [def("pk", "S"), def("sk", "S")],
            "KeySchema": [key("pk", "HASH"), key("sk", "RANGE")],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    wire.ok(
        "CreateTable",
        json!({
            "TableName": "hash",
            "AttributeDefinitions": [def("pk", "S")],
            "KeySchema": [key("pk", "HASH")],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    wire.ok(
        "CreateTable",
        json!({
            "TableName": "multi",
            "AttributeDefinitions": [def("pk", "S"), def("g", "S"), def("a", "S"), def("b", "S")],
            "KeySchema": [key("pk", "HASH")],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [{
                "IndexName": "multi",
                "KeySchema": [key("g", "HASH"), key("a", "RANGE"), key("b", "RANGE")],
                "Projection": {"ProjectionType": "ALL"},
            }],
        }),
    )
    .await;
    wire
}

/// A Query of `tbl` with `condition` over `values`, and `extra` members.
fn query(condition: &str, values: Value, extra: Value) -> Value {
    let mut request = json!({
        "TableName": "tbl",
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
    });
    for (k, v) in extra.as_object().unwrap() {
        request[k] = v.clone();
    }
    request
}

#[tokio::test]
async fn query_key_conditions_dynamodb_cannot_serve_are_refused() {
    let wire = tables().await;
    let p = json!({":p": s("a")});
    wire.assert_refusals(vec![
        invalid(
            "Query",
            json!({"TableName": "tbl"}),
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ),
        invalid(
            "Query",
            query("pk < :p", p.clone(), json!({})),
            "Query key condition not supported",
        ),
        invalid(
            "Query",
            json!({
                "TableName": "hash",
                "KeyConditionExpression": "pk = :p AND x1 = :o",
                "ExpressionAttributeValues": {":p": s("a"), ":o": s("b")},
            }),
            "Query key condition not supported",
        ),
        invalid(
            "Query",
            json!({
                "TableName": "multi",
                "IndexName": "multi",
                "KeyConditionExpression": "g = :g AND a > :a AND b = :b",
                "ExpressionAttributeValues": {":g": s("g"), ":a": s("a"), ":b": s("b")},
            }),
            "Query key condition not supported: only equality is allowed on sort key attribute a when later sort key attributes are conditioned",
        ),
        invalid(
            "Query",
            json!({
                "TableName": "multi",
                "IndexName": "multi",
                "KeyConditionExpression": "g = :g AND b = :b",
                "ExpressionAttributeValues": {":g": s("g"), ":b": s("b")},
            }),
            "Query condition missed key schema element: a",
        ),
        invalid(
            "Query",
            query("sk = :p", p.clone(), json!({})),
            "Query condition missed key schema element: pk",
        ),
        invalid(
            "Query",
            query("pk = :p AND sk = :p", p.clone(), json!({})),
            format!("{INVALID}Condition parameter type does not match schema type"),
        ),
        invalid(
            "Query",
            query("pk = sk", json!(null), json!({"ExpressionAttributeValues": null})),
            "Invalid KeyConditionExpression: The expression must compare a key attribute with a value",
        ),
        invalid(
            "Query",
            query("pk = :p AND sk BETWEEN x1 AND :p", p.clone(), json!({})),
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key",
        ),
        invalid(
            "Query",
            query("pk = :p AND pk = :p", p.clone(), json!({})),
            "KeyConditionExpressions must only contain one condition per key",
        ),
        invalid(
            "Query",
            query("pk = :p AND sk.x = :p", p.clone(), json!({})),
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        invalid(
            "Query",
            query("pk = :p OR sk = :p", p.clone(), json!({})),
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        invalid(
            "Query",
            query(
                "pk = :p AND sk BETWEEN :hi AND :lo",
                json!({":p": s("a"), ":hi": n(9), ":lo": n(1)}),
                json!({}),
            ),
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}",
        ),
        invalid(
            "Query",
            query(
                "pk = :p AND begins_with(sk, :n)",
                json!({":p": s("a"), ":n": n(1)}),
                json!({}),
            ),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ),
        invalid(
            "Query",
            query("pk = :p", p.clone(), json!({"FilterExpression": "sk > :p"})),
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
        ),
        invalid(
            "Query",
            query("pk = :p", p.clone(), json!({"Limit": 0})),
            "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn query_start_keys_must_fit_the_key_space_and_the_condition() {
    let wire = tables().await;
    let p = json!({":p": s("a")});
    wire.assert_refusals(vec![
        invalid(
            "Query",
            query(
                "pk = :p",
                p.clone(),
                json!({"ExclusiveStartKey": {"pk": s("b"), "sk": n(1)}}),
            ),
            "The provided starting key is outside query boundaries based on provided conditions",
        ),
        invalid(
            "Query",
            query(
                "pk = :p",
                p.clone(),
                json!({"ExclusiveStartKey": {"pk": s("a")}}),
            ),
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
        invalid(
            "Query",
            query(
                "pk = :p",
                p.clone(),
                json!({"ExclusiveStartKey": {"pk": s("a"), "sk": s("1")}}),
            ),
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
        invalid(
            "Query",
            json!({
                "TableName": "str",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": p,
                "ExclusiveStartKey": {"pk": s("a"), "sk": s("")},
            }),
            "The provided starting key is invalid: One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: sk",
        ),
        invalid(
            "Query",
            json!({
                "TableName": "tbl",
                "IndexName": "gsi",
                "KeyConditionExpression": "gk = :p",
                "ExpressionAttributeValues": p,
                "ExclusiveStartKey": {"pk": s("a"), "sk": n(1)},
            }),
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn select_and_projection_combinations_dynamodb_refuses() {
    let wire = tables().await;
    let p = json!({":p": s("a")});
    let mut refusals = Vec::new();
    for operation in ["Query", "Scan"] {
        let read = |extra: Value| {
            let mut request = if operation == "Query" {
                query("pk = :p", p.clone(), json!({}))
            } else {
                json!({"TableName": "tbl"})
            };
            for (k, v) in extra.as_object().unwrap() {
                request[k] = v.clone();
            }
            request
        };
        refusals.extend([
            invalid(
                operation,
                read(json!({"Select": "COUNT", "ProjectionExpression": "pk"})),
                format!("{INVALID}ProjectionExpression can only be used with Select SPECIFIC_ATTRIBUTES"),
            ),
            invalid(
                operation,
                read(json!({"Select": "SPECIFIC_ATTRIBUTES"})),
                format!("{INVALID}SPECIFIC_ATTRIBUTES requires a ProjectionExpression"),
            ),
            invalid(
                operation,
                read(json!({"Select": "ALL_PROJECTED_ATTRIBUTES"})),
                format!(
                    "{INVALID}Select type ALL_PROJECTED_ATTRIBUTES is not supported when not querying an index"
                ),
            ),
            invalid(
                operation,
                read(json!({"Select": "EVERYTHING"})),
                "1 validation error detected: Value 'EVERYTHING' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
            ),
            invalid(
                operation,
                read(json!({"IndexName": "nowhere"})),
                "The table does not have the specified index: nowhere",
            ),
        ]);
    }
    refusals.extend([
        invalid(
            "Query",
            json!({
                "TableName": "tbl",
                "IndexName": "gsi",
                "KeyConditionExpression": "gk = :p",
                "ExpressionAttributeValues": p,
                "Select": "ALL_ATTRIBUTES",
            }),
            format!(
                "{INVALID}Select type ALL_ATTRIBUTES is not supported for global secondary index gsi because its projection type is not ALL"
            ),
        ),
        invalid(
            "Query",
            json!({
                "TableName": "tbl",
                "IndexName": "gsi",
                "KeyConditionExpression": "gk = :p",
                "ExpressionAttributeValues": p,
                "ConsistentRead": true,
            }),
            "Consistent reads are not supported on global secondary indexes",
        ),
    ]);
    wire.assert_refusals(refusals).await;
    wire.shutdown().await;
}

#[tokio::test]
async fn keys_must_fit_the_schema_and_dynamodb_key_sizes() {
    let wire = tables().await;
    let long_sort = "s".repeat(1025);
    let long_partition = "p".repeat(2049);
    wire.assert_refusals(vec![
        invalid(
            "PutItem",
            json!({"TableName": "str", "Item": {"pk": s("a"), "sk": s(&long_sort)}}),
            format!(
                "{INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
            ),
        ),
        invalid(
            "PutItem",
            json!({"TableName": "str", "Item": {"pk": s(&long_partition), "sk": s("a")}}),
            format!(
                "{INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes"
            ),
        ),
        invalid(
            "GetItem",
            json!({"TableName": "str", "Key": {"pk": s("a"), "sk": s(&long_sort)}}),
            format!(
                "{INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
            ),
        ),
        invalid(
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": s("a")}}),
            format!("{INVALID}Missing the key sk in the item"),
        ),
        invalid(
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": s("a"), "sk": s("1")}}),
            format!("{INVALID}Type mismatch for key sk expected: N actual: S"),
        ),
        invalid(
            "PutItem",
            json!({"TableName": "str", "Item": {"pk": s("a"), "sk": s("")}}),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: sk",
        ),
        invalid(
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": s("a"), "sk": n(1), "gk": n(1)}}),
            format!("{INVALID}Type mismatch for Index Key gk Expected: S Actual: N IndexName: gsi"),
        ),
        invalid(
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": s("a"), "sk": n(1), "gk": s("")}}),
            "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi, IndexKey: gk",
        ),
        invalid(
            "GetItem",
            json!({"TableName": "tbl", "Key": {"pk": s("a")}}),
            "The provided key element does not match the schema",
        ),
        invalid(
            "DeleteItem",
            json!({"TableName": "str", "Key": {"pk": s("a"), "sk": s("")}}),
            "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: sk",
        ),
        invalid(
            "UpdateItem",
            json!({
                "TableName": "tbl",
                "Key": {"pk": s("a"), "sk": n(1)},
                "UpdateExpression": "SET sk = :v",
                "ExpressionAttributeValues": {":v": n(2)},
            }),
            format!("{INVALID}Cannot update attribute sk. This attribute is part of the key"),
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn scan_segments_and_limits_are_checked() {
    let wire = tables().await;
    let scan = |extra: Value| {
        let mut request = json!({"TableName": "tbl"});
        for (k, v) in extra.as_object().unwrap() {
            request[k] = v.clone();
        }
        request
    };
    wire.assert_refusals(vec![
        invalid(
            "Scan",
            scan(json!({"Segment": 0})),
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        ),
        invalid(
            "Scan",
            scan(json!({"TotalSegments": 2})),
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        ),
        invalid(
            "Scan",
            scan(json!({"Segment": 0, "TotalSegments": 0})),
            "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        invalid(
            "Scan",
            scan(json!({"Segment": 0, "TotalSegments": 1_000_001})),
            "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000",
        ),
        invalid(
            "Scan",
            scan(json!({"Segment": -1, "TotalSegments": 2})),
            "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0",
        ),
        invalid(
            "Scan",
            scan(json!({"Segment": 2, "TotalSegments": 2})),
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2",
        ),
        invalid(
            "Scan",
            scan(json!({"Limit": 0})),
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        invalid(
            "Scan",
            scan(json!({"IndexName": "ix"})),
            "1 validation error detected: Value 'ix' at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn batches_over_dynamodb_sizes_are_refused() {
    let wire = tables().await;
    let keys = |table: &str, count: i64| -> Vec<Value> {
        let _ = table;
        (0..count)
            .map(|i| json!({"pk": s("a"), "sk": n(i)}))
            .collect()
    };
    let puts = |count: i64| -> Vec<Value> {
        (0..count)
            .map(|i| json!({"PutRequest": {"Item": {"pk": s("a"), "sk": n(i)}}}))
            .collect()
    };
    let str_puts: Vec<Value> = (0..13)
        .map(|i| json!({"PutRequest": {"Item": {"pk": s("a"), "sk": s(&i.to_string())}}}))
        .collect();
    let str_keys: Vec<Value> = (0..50)
        .map(|i| json!({"pk": s("a"), "sk": s(&i.to_string())}))
        .collect();
    wire.assert_refusals(vec![
        invalid(
            "BatchGetItem",
            json!({"RequestItems": {}}),
            "The requestItems parameter is required for BatchGetItem",
        ),
        invalid(
            "BatchGetItem",
            json!({"RequestItems": {"tbl": {"Keys": []}}}),
            "1 validation error detected: Value at 'RequestItems.tbl.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        invalid(
            "BatchGetItem",
            json!({"RequestItems": {"tbl": {"Keys": keys("tbl", 101)}}}),
            "1 validation error detected: Value at 'RequestItems.tbl.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100",
        ),
        invalid(
            "BatchGetItem",
            json!({"RequestItems": {"tbl": {"Keys": keys("tbl", 51)}, "str": {"Keys": str_keys}}}),
            "Too many items requested for the BatchGetItem call",
        ),
        invalid(
            "BatchGetItem",
            json!({"RequestItems": {"tbl": {"Keys": [{"pk": s("a"), "sk": n(1)}, {"pk": s("a"), "sk": n(1)}]}}}),
            "Provided list of item keys contains duplicates",
        ),
        invalid(
            "BatchWriteItem",
            json!({"RequestItems": {}}),
            "The requestItems parameter is required for BatchWriteItem",
        ),
        // One table only: with several, the map is shown in no set order.
        invalid(
            "BatchWriteItem",
            json!({"RequestItems": {"tbl": puts(26)}}),
            format!(
                "1 validation error detected: Value '{{tbl=[{}]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
                vec!["WriteRequest(PutRequest)"; 26].join(", ")
            ),
        ),
        invalid(
            "BatchWriteItem",
            json!({"RequestItems": {"tbl": puts(13), "str": str_puts}}),
            "Too many items requested for the BatchWriteItem call",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn legacy_parameters_dynamodb_refuses() {
    let wire = tables().await;
    let item = json!({"pk": s("a"), "sk": n(1)});
    let put_expected =
        |expected: Value| json!({"TableName": "tbl", "Item": item, "Expected": expected});
    let update =
        |updates: Value| json!({"TableName": "tbl", "Key": item, "AttributeUpdates": updates});
    let scan_filter = |filter: Value| json!({"TableName": "tbl", "ScanFilter": filter});
    wire.assert_refusals(vec![
        invalid(
            "Scan",
            scan_filter(json!({"a": {"ComparisonOperator": "LIKE", "AttributeValueList": [s("x")]}})),
            "1 validation error detected: Value 'LIKE' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
        ),
        invalid(
            "Scan",
            scan_filter(json!({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [n(1)]}})),
            format!("{INVALID}Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
        ),
        invalid(
            "Scan",
            scan_filter(json!({"a": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"BOOL": true}]}})),
            format!("{INVALID}ComparisonOperator CONTAINS is not valid for BOOL AttributeValue type"),
        ),
        invalid(
            "Scan",
            json!({
                "TableName": "tbl",
                "ScanFilter": {
                    "a": {"ComparisonOperator": "NULL"},
                    "b": {"ComparisonOperator": "NOT_NULL"},
                },
                "ConditionalOperator": "XOR",
            }),
            "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]",
        ),
        invalid(
            "PutItem",
            put_expected(json!({"a": {"Exists": true, "ComparisonOperator": "NULL"}})),
            format!("{INVALID}Exists and ComparisonOperator cannot be used together for Attribute: a"),
        ),
        invalid(
            "PutItem",
            put_expected(json!({"a": {"Exists": false, "Value": s("x")}})),
            format!("{INVALID}Value cannot be used when Exists is false for Attribute: a"),
        ),
        invalid(
            "PutItem",
            put_expected(json!({"a": {"Exists": true}})),
            format!("{INVALID}Value must be provided when Exists is true for Attribute: a"),
        ),
        invalid(
            "PutItem",
            json!({
                "TableName": "tbl",
                "Item": item,
                "Expected": {"a": {"Exists": false}},
                "ConditionExpression": "attribute_not_exists(a)",
            }),
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
        ),
        invalid(
            "Query",
            json!({
                "TableName": "tbl",
                "KeyConditions": {"pk": {"ComparisonOperator": "NE", "AttributeValueList": [s("a")]}},
            }),
            format!("{INVALID}Attempted conditional constraint is not an indexable operation"),
        ),
        invalid(
            "Query",
            json!({
                "TableName": "tbl",
                "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [s("a"), s("b")]}},
            }),
            format!("{INVALID}Invalid number of argument(s) for the EQ ComparisonOperator"),
        ),
        invalid(
            "GetItem",
            json!({"TableName": "tbl", "Key": item, "AttributesToGet": ["a", "b", "a"]}),
            format!("{INVALID}Duplicate value in attribute name: a"),
        ),
        invalid(
            "UpdateItem",
            update(json!({"a": {"Action": "PUT"}})),
            format!("{INVALID}Only DELETE action is allowed when no attribute value is specified: a"),
        ),
        invalid(
            "UpdateItem",
            update(json!({"a": {"Action": "ADD"}})),
            format!("{INVALID}Only DELETE action is allowed when no attribute value is specified: a"),
        ),
        invalid(
            "UpdateItem",
            update(json!({"a": {"Action": "DELETE", "Value": s("x")}})),
            format!("{INVALID}DELETE action with value is not supported for the type S"),
        ),
        invalid(
            "UpdateItem",
            update(json!({"a": {"Action": "ADD", "Value": s("x")}})),
            format!("{INVALID}ADD action is not supported for the type S"),
        ),
        invalid(
            "UpdateItem",
            update(json!({"a": {"Action": "MERGE", "Value": s("x")}})),
            "1 validation error detected: Value 'MERGE' at 'attributeUpdates.a.member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn expression_maps_and_attribute_values_dynamodb_refuses() {
    let wire = tables().await;
    let item = json!({"pk": s("a"), "sk": n(1)});
    let key = item.clone();
    let update = |expression: &str, values: Value| {
        json!({
            "TableName": "tbl",
            "Key": key,
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        })
    };
    let mut deep = json!({"S": "bottom"});
    for _ in 0..33 {
        deep = json!({"L": [deep]});
    }
    let long_condition = format!("attribute_exists({})", "a".repeat(4096));
    wire.assert_refusals(vec![
        invalid(
            "UpdateItem",
            update("SET a = :v", json!({":v": deep})),
            "ExpressionAttributeValues contains invalid value: Nesting Levels have exceeded supported limits for key :v",
        ),
        invalid(
            "UpdateItem",
            update("SET a = :v, a.b = :v", json!({":v": s("x")})),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
        ),
        invalid(
            "UpdateItem",
            update("SET a[0] = :v, a.b = :v", json!({":v": s("x")})),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]",
        ),
        invalid(
            "PutItem",
            json!({"TableName": "tbl", "Item": item, "ConditionExpression": ""}),
            "Invalid ConditionExpression: The expression can not be empty;",
        ),
        invalid(
            "PutItem",
            json!({"TableName": "tbl", "Item": item, "ConditionExpression": long_condition}),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4114",
        ),
        invalid(
            "PutItem",
            json!({
                "TableName": "tbl",
                "Item": item,
                "ConditionExpression": "attribute_type(a, :t)",
                "ExpressionAttributeValues": {":t": s("STRING")},
            }),
            "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, valid types: { B,BOOL,BS,L,M,N,NS,NULL,S,SS }",
        ),
        refused(
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": s("a"), "sk": n(1), "b": {"B": "@@@@"}}}),
            "SerializationException",
            "Invalid Base64 character found",
        ),
        invalid(
            "PutItem",
            json!({"TableName": "tbl", "Item": item, "ReturnValues": "EVERYTHING"}),
            "1 validation error detected: Value 'EVERYTHING' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
        ),
    ])
    .await;
    wire.shutdown().await;
}
