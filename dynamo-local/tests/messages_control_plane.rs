//! Every refusal of the control plane, through the wire: CreateTable's key
//! schema, attribute, billing and index checks, UpdateTable's index and
//! capacity checks, table names, ListTables limits, TTL and tag ARNs. Each
//! pins the HTTP status, error type and DynamoDB's message.
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

/// An on-demand `pk` (S) / `sk` (N) table named `name`, with `extra`
/// members merged in.
fn table(name: &str, extra: Value) -> Value {
    let mut request = json!({
        "TableName": name,
        "AttributeDefinitions": [def("pk", "S"), def("sk", "N")],
        "KeySchema": [key("pk", "HASH"), key("sk", "RANGE")],
        "BillingMode": "PAY_PER_REQUEST",
    });
    for (k, v) in extra.as_object().unwrap() {
        request[k] = v.clone();
    }
    request
}

fn gsi(name: &str, key_schema: Value, projection: Value) -> Value {
    json!({"IndexName": name, "KeySchema": key_schema, "Projection": projection})
}

fn all() -> Value {
    json!({"ProjectionType": "ALL"})
}

#[tokio::test]
async fn create_table_refuses_bad_key_schemas_and_attribute_definitions() {
    let wire = Wire::start().await;
    let three_keys = json!([key("pk", "HASH"), key("sk", "RANGE"), key("x", "RANGE")]);
    wire.assert_refusals(vec![
        invalid(
            "CreateTable",
            json!({"AttributeDefinitions": [def("pk", "S")], "KeySchema": [key("pk", "HASH")]}),
            "The parameter 'TableName' is required but was not present in the request",
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"KeySchema": []})),
            "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"KeySchema": [key("sk", "RANGE"), key("pk", "HASH")]})),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"KeySchema": [key("pk", "HASH"), key("sk", "HASH")]})),
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"KeySchema": three_keys})),
            "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=x, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2",
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"KeySchema": [key("pk", "HASH"), key("pk", "RANGE")]})),
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"KeySchema": [key("id", "HASH")]})),
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        invalid(
            "CreateTable",
            table(
                "tbl",
                json!({"GlobalSecondaryIndexes": [gsi("gsi", json!([key("gk", "HASH")]), all())]}),
            ),
            format!(
                "{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [gk], AttributeDefinitions: [pk, sk]"
            ),
        ),
        invalid(
            "CreateTable",
            table(
                "tbl",
                json!({"AttributeDefinitions": [def("pk", "S"), def("sk", "N"), def("extra", "S")]}),
            ),
            format!(
                "{INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
            ),
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn create_table_refuses_names_and_capacity_dynamodb_would_refuse() {
    let wire = Wire::start().await;
    let long = "t".repeat(256);
    let provisioned = json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 5});
    wire.assert_refusals(vec![
        invalid(
            "CreateTable",
            table("ab", json!({})),
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ),
        invalid(
            "CreateTable",
            table(&long, json!({})),
            format!(
                "1 validation error detected: Value '{long}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"
            ),
        ),
        invalid(
            "CreateTable",
            table("a table", json!({})),
            "1 validation error detected: Value 'a table' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"BillingMode": "PROVISIONED"})),
            format!(
                "{INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
            ),
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"ProvisionedThroughput": provisioned})),
            format!(
                "{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            ),
        ),
        invalid(
            "CreateTable",
            table(
                "tbl",
                json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}}),
            ),
            "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        invalid(
            "CreateTable",
            table(
                "tbl",
                json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": -1}}),
            ),
            "2 validation errors detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
    ])
    .await;
    wire.ok("CreateTable", table("tbl", json!({}))).await;
    wire.assert_refusals(vec![refused(
        "CreateTable",
        table("tbl", json!({})),
        "ResourceInUseException",
        "Table already exists: tbl",
    )])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn create_table_refuses_bad_secondary_indexes() {
    let wire = Wire::start().await;
    let with_gk = json!([def("pk", "S"), def("sk", "N"), def("gk", "S")]);
    let with_gsi = |index: Value| {
        table(
            "tbl",
            json!({"AttributeDefinitions": with_gk, "GlobalSecondaryIndexes": [index]}),
        )
    };
    let lsi = |name: &str, key_schema: Value| json!({"IndexName": name, "KeySchema": key_schema, "Projection": all()});
    let with_lsi = |index: Value| {
        table(
            "tbl",
            json!({"AttributeDefinitions": with_gk, "LocalSecondaryIndexes": [index]}),
        )
    };
    let six_lsis: Vec<Value> = (0..6)
        .map(|i| {
            lsi(
                &format!("l{i}x"),
                json!([key("pk", "HASH"), key("gk", "RANGE")]),
            )
        })
        .collect();
    let gsis: Vec<Value> = (0..21)
        .map(|i| gsi(&format!("g{i}x"), json!([key("gk", "HASH")]), all()))
        .collect();
    let five_hashes: Vec<Value> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| key(n, "HASH"))
        .collect();
    wire.assert_refusals(vec![
        invalid(
            "CreateTable",
            table("tbl", json!({"AttributeDefinitions": with_gk, "LocalSecondaryIndexes": six_lsis})),
            format!("{INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5"),
        ),
        invalid(
            "CreateTable",
            table("tbl", json!({"AttributeDefinitions": with_gk, "GlobalSecondaryIndexes": gsis})),
            format!("{INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20"),
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("gsi", json!([key("gk", "HASH")]), all())).as_object().map(|o| {
                let mut o = Value::Object(o.clone());
                o["BillingMode"] = json!("PROVISIONED");
                o["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 1});
                o
            }).unwrap(),
            format!("{INVALID}ProvisionedThroughput is not specified for index: gsi"),
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("x", json!([key("gk", "HASH")]), all())),
            "1 validation error detected: Value 'x' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("gsi", json!([key("gk", "RANGE")]), all())),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("gsi", json!([key("gk", "HASH"), key("sk", "RANGE"), key("pk", "HASH")]), all())),
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("gsi", Value::Array(five_hashes), all())),
            format!("{INVALID}Index KeySchema has too many key attributes for index: gsi"),
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("gsi", json!([key("gk", "HASH"), key("gk", "RANGE")]), all())),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("gsi", json!([key("gk", "HASH")]), json!({}))),
            format!("{INVALID}Unknown ProjectionType: null"),
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi("gsi", json!([key("gk", "HASH")]), json!({"ProjectionType": "INCLUDE"}))),
            format!("{INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi(
                "gsi",
                json!([key("gk", "HASH")]),
                json!({"ProjectionType": "ALL", "NonKeyAttributes": ["a"]}),
            )),
            format!("{INVALID}ProjectionType is ALL, but NonKeyAttributes is specified"),
        ),
        invalid(
            "CreateTable",
            with_gsi(gsi(
                "gsi",
                json!([key("gk", "HASH")]),
                json!({"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["a"]}),
            )),
            format!("{INVALID}ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),
        ),
        invalid(
            "CreateTable",
            json!({
                "TableName": "tbl",
                "AttributeDefinitions": [def("pk", "S"), def("gk", "S")],
                "KeySchema": [key("pk", "HASH")],
                "BillingMode": "PAY_PER_REQUEST",
                "LocalSecondaryIndexes": [lsi("lsi", json!([key("pk", "HASH"), key("gk", "RANGE")]))],
            }),
            format!(
                "{INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
            ),
        ),
        invalid(
            "CreateTable",
            with_lsi(lsi("lsi", json!([key("gk", "HASH"), key("sk", "RANGE")]))),
            format!(
                "{INVALID}Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi. index hash key: gk, table hash key: pk"
            ),
        ),
        invalid(
            "CreateTable",
            with_lsi(lsi("lsi", json!([key("pk", "HASH")]))),
            format!("{INVALID}Index KeySchema must have a range key for index: lsi"),
        ),
        invalid(
            "CreateTable",
            table(
                "tbl",
                json!({
                    "AttributeDefinitions": with_gk,
                    "GlobalSecondaryIndexes": [gsi("idx", json!([key("gk", "HASH")]), all())],
                    "LocalSecondaryIndexes": [lsi("idx", json!([key("pk", "HASH"), key("gk", "RANGE")]))],
                }),
            ),
            format!("{INVALID}Duplicate index name: idx"),
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn tables_that_do_not_exist_or_cannot_be_named_are_refused() {
    let wire = Wire::start().await;
    let long_arn = format!("arn:{}", "a".repeat(1021));
    let long = "t".repeat(256);
    wire.assert_refusals(vec![
        refused(
            "DescribeTable",
            json!({"TableName": "nope"}),
            "ResourceNotFoundException",
            "Requested resource not found: Table: nope not found",
        ),
        refused(
            "DeleteTable",
            json!({"TableName": "nope"}),
            "ResourceNotFoundException",
            "Requested resource not found: Table: nope not found",
        ),
        invalid(
            "DescribeTable",
            json!({"TableName": ""}),
            "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        invalid(
            "DescribeTable",
            json!({"TableName": long}),
            format!(
                "1 validation error detected: Value '{long}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"
            ),
        ),
        invalid(
            "GetItem",
            json!({"TableName": long_arn, "Key": {"pk": {"S": "a"}}}),
            format!(
                "1 validation error detected: Value '{long_arn}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 1024"
            ),
        ),
        invalid(
            "DescribeTable",
            json!({"TableName": "no/slash"}),
            "1 validation error detected: Value 'no/slash' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
        invalid(
            "ListTables",
            json!({"Limit": 0}),
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        invalid(
            "ListTables",
            json!({"Limit": 101}),
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn update_table_refuses_changes_dynamodb_would_refuse() {
    let wire = Wire::start().await;
    let with_gk = json!([def("pk", "S"), def("sk", "N"), def("gk", "S")]);
    wire.ok(
        "CreateTable",
        table(
            "tbl",
            json!({"AttributeDefinitions": with_gk, "GlobalSecondaryIndexes": [gsi("gsi", json!([key("gk", "HASH")]), all())]}),
        ),
    )
    .await;
    wire.ok(
        "CreateTable",
        table(
            "prov",
            json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}),
        ),
    )
    .await;
    let create = |name: &str, attribute: &str| json!({"Create": gsi(name, json!([key(attribute, "HASH")]), all())});
    let update = |updates: Value| json!({"TableName": "tbl", "AttributeDefinitions": with_gk, "GlobalSecondaryIndexUpdates": updates});
    wire.assert_refusals(vec![
        refused(
            "UpdateTable",
            json!({"TableName": "nope", "BillingMode": "PAY_PER_REQUEST"}),
            "ResourceNotFoundException",
            "Requested resource not found: Table: nope not found",
        ),
        invalid(
            "UpdateTable",
            json!({"TableName": "tbl"}),
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
        ),
        refused(
            "UpdateTable",
            update(json!([create("gsi2", "gk"), create("gsi3", "gk")])),
            "LimitExceededException",
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        ),
        invalid(
            "UpdateTable",
            update(json!([{}])),
            format!(
                "{INVALID}One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified"
            ),
        ),
        invalid(
            "UpdateTable",
            update(json!([create("gsi", "gk")])),
            format!("{INVALID}Index already exists: gsi"),
        ),
        invalid(
            "UpdateTable",
            update(json!([create("gsi2", "nowhere")])),
            format!(
                "{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [nowhere], AttributeDefinitions: [pk, sk, gk]"
            ),
        ),
        invalid(
            "UpdateTable",
            update(json!([create("x", "gk")])),
            "1 validation error detected: Value 'x' at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ),
        invalid(
            "UpdateTable",
            update(json!([{"Create": gsi("gsi2", json!([key("gk", "HASH"), key("gk", "RANGE")]), all())}])),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        invalid(
            "UpdateTable",
            update(json!([{"Create": gsi("gsi2", json!([key("gk", "HASH")]), json!({"ProjectionType": "INCLUDE"}))}])),
            format!("{INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
        ),
        refused(
            "UpdateTable",
            update(json!([{"Delete": {"IndexName": "nope"}}])),
            "ResourceNotFoundException",
            "Requested resource not found: Index: nope not found",
        ),
        refused(
            "UpdateTable",
            update(json!([{"Update": {"IndexName": "nope", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])),
            "ResourceNotFoundException",
            "Requested resource not found: Index: nope not found",
        ),
        invalid(
            "UpdateTable",
            json!({"TableName": "tbl", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            format!(
                "{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            ),
        ),
        invalid(
            "UpdateTable",
            json!({"TableName": "tbl", "BillingMode": "PROVISIONED"}),
            format!(
                "{INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
            ),
        ),
        invalid(
            "UpdateTable",
            json!({"TableName": "prov", "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 5}}),
            "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        invalid(
            "UpdateTable",
            json!({"TableName": "prov", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}),
            "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnitsForTable: 5 Requested ReadCapacityUnitsForTable: 5. Current WriteCapacityUnitsForTable: 5 Requested WriteCapacityUnitsForTable: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn a_twenty_first_global_index_is_refused_by_update_table() {
    let wire = Wire::start().await;
    let gsis: Vec<Value> = (0..20)
        .map(|i| gsi(&format!("g{i:02}"), json!([key("gk", "HASH")]), all()))
        .collect();
    let defs = json!([def("pk", "S"), def("sk", "N"), def("gk", "S")]);
    wire.ok(
        "CreateTable",
        table(
            "tbl",
            json!({"AttributeDefinitions": defs, "GlobalSecondaryIndexes": gsis}),
        ),
    )
    .await;
    wire.assert_refusals(vec![invalid(
        "UpdateTable",
        json!({
            "TableName": "tbl",
            "AttributeDefinitions": defs,
            "GlobalSecondaryIndexUpdates": [{"Create": gsi("g20", json!([key("gk", "HASH")]), all())}],
        }),
        format!("{INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20"),
    )])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn time_to_live_changes_that_change_nothing_are_refused() {
    let wire = Wire::start().await;
    wire.ok("CreateTable", table("tbl", json!({}))).await;
    let ttl = |enabled: bool, name: &str| json!({"TableName": "tbl", "TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": name}});
    wire.assert_refusals(vec![
        invalid(
            "UpdateTimeToLive",
            ttl(true, ""),
            "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        invalid(
            "UpdateTimeToLive",
            ttl(false, "expires"),
            "TimeToLive is already disabled",
        ),
        refused(
            "UpdateTimeToLive",
            json!({"TableName": "nope", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}}),
            "ResourceNotFoundException",
            "Requested resource not found: Table: nope not found",
        ),
    ])
    .await;
    wire.ok("UpdateTimeToLive", ttl(true, "expires")).await;
    wire.assert_refusals(vec![
        invalid(
            "UpdateTimeToLive",
            ttl(true, "expires"),
            "TimeToLive is already enabled",
        ),
        invalid(
            "UpdateTimeToLive",
            ttl(true, "other"),
            "TimeToLive is active on a different AttributeName: current AttributeName is expires",
        ),
        invalid(
            "UpdateTimeToLive",
            ttl(false, "other"),
            "TimeToLive is active on a different AttributeName: current AttributeName is expires",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn tags_need_the_arn_of_an_existing_table() {
    let wire = Wire::start().await;
    let described = wire.ok("CreateTable", table("tbl", json!({}))).await;
    let arn = described["TableDescription"]["TableArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let gone = arn.replace(":table/tbl", ":table/gone");
    let tags = json!([{"Key": "team", "Value": "a"}]);
    wire.assert_refusals(vec![
        invalid(
            "TagResource",
            json!({"ResourceArn": "t", "Tags": tags}),
            "Invalid TableArn: Invalid ResourceArn provided as input t",
        ),
        invalid(
            "ListTagsOfResource",
            json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/"}),
            "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:000000000000:table/",
        ),
        refused(
            "TagResource",
            json!({"ResourceArn": gone, "Tags": tags}),
            "AccessDeniedException",
            format!(
                "User: arn:aws:iam::000000000000:user/local is not authorized to perform: dynamodb:TagResource on resource: {gone} because no resource-based policy allows the dynamodb:TagResource action"
            ),
        ),
        refused(
            "UntagResource",
            json!({"ResourceArn": gone, "TagKeys": ["team"]}),
            "AccessDeniedException",
            format!(
                "User: arn:aws:iam::000000000000:user/local is not authorized to perform: dynamodb:UntagResource on resource: {gone} because no resource-based policy allows the dynamodb:UntagResource action"
            ),
        ),
    ])
    .await;
    wire.shutdown().await;
}
