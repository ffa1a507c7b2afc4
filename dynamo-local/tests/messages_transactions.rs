//! Every refusal of TransactWriteItems and TransactGetItems, through the
//! wire: action counts, action shapes, the 4 MB request limit, two actions
//! on one item, reused client tokens, and the reasons of a cancelled
//! transaction. Each pins the HTTP status, error type and DynamoDB's
//! message.
#![cfg(feature = "server")]

mod wire;

use serde_json::{Value, json};
use wire::{Wire, invalid, refused};

fn key(name: &str, key_type: &str) -> Value {
    json!({"AttributeName": name, "KeyType": key_type})
}

fn s(v: &str) -> Value {
    json!({"S": v})
}

fn n(v: i64) -> Value {
    json!({"N": v.to_string()})
}

/// A server with `tbl` (`pk` S, `sk` N).
async fn table() -> Wire {
    let wire = Wire::start().await;
    wire.ok(
        "CreateTable",
        json!({
            "TableName": "tbl",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            "KeySchema": [key("pk", "HASH"), key("sk", "RANGE")],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    wire
}

fn item(sk: i64) -> Value {
    json!({"pk": s("a"), "sk": n(sk)})
}

fn put(sk: i64) -> Value {
    json!({"Put": {"TableName": "tbl", "Item": item(sk)}})
}

fn writes(actions: Vec<Value>) -> Value {
    json!({"TransactItems": actions})
}

#[tokio::test]
async fn transactions_need_one_to_a_hundred_well_formed_actions() {
    let wire = table().await;
    let check_without = |missing: &str| {
        let mut check = json!({
            "TableName": "tbl",
            "Key": item(1),
            "ConditionExpression": "attribute_exists(pk)",
        });
        check.as_object_mut().unwrap().remove(missing);
        writes(vec![json!({"ConditionCheck": check})])
    };
    let gets = |count: i64| -> Value {
        let actions: Vec<Value> = (0..count)
            .map(|i| json!({"Get": {"TableName": "tbl", "Key": item(i)}}))
            .collect();
        json!({"TransactItems": actions})
    };
    wire.assert_refusals(vec![
        invalid(
            "TransactWriteItems",
            json!({}),
            "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
        ),
        invalid(
            "TransactWriteItems",
            writes(vec![]),
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        invalid(
            "TransactWriteItems",
            writes((0..101).map(put).collect()),
            "1 validation error detected: Value '[101 items]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
        ),
        invalid(
            "TransactWriteItems",
            writes(vec![json!({
                "Put": {"TableName": "tbl", "Item": item(1)},
                "Delete": {"TableName": "tbl", "Key": item(1)},
            })]),
            "TransactItems can only contain one of Check, Put, Update or Delete",
        ),
        invalid(
            "TransactWriteItems",
            writes(vec![json!({})]),
            "TransactItems can only contain one of Check, Put, Update or Delete",
        ),
        invalid(
            "TransactWriteItems",
            check_without("Key"),
            "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.key' failed to satisfy constraint: Member must not be null",
        ),
        invalid(
            "TransactWriteItems",
            check_without("ConditionExpression"),
            "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
        ),
        invalid(
            "TransactWriteItems",
            json!({"TransactItems": [put(1)], "ReturnConsumedCapacity": "ALL"}),
            "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
        ),
        invalid(
            "TransactWriteItems",
            writes(vec![put(1), json!({"Delete": {"TableName": "tbl", "Key": item(1)}})]),
            "Transaction request cannot include multiple operations on one item",
        ),
        refused(
            "TransactWriteItems",
            writes(vec![json!({"Put": {"TableName": "nope", "Item": item(1)}})]),
            "ResourceNotFoundException",
            "Requested resource not found",
        ),
        invalid(
            "TransactGetItems",
            json!({"TransactItems": []}),
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        invalid(
            "TransactGetItems",
            gets(101),
            "1 validation error detected: Value '[101 items]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
        ),
        invalid(
            "TransactGetItems",
            json!({"TransactItems": [{}]}),
            "1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null",
        ),
        invalid(
            "TransactGetItems",
            json!({"TransactItems": [{"Get": {"TableName": "tbl"}}]}),
            "1 validation error detected: Value null at 'transactItems.1.member.get.key' failed to satisfy constraint: Member must not be null",
        ),
        invalid(
            "TransactGetItems",
            json!({"TransactItems": [
                {"Get": {"TableName": "tbl", "Key": item(1)}},
                {"Get": {"TableName": "tbl", "Key": item(1)}},
            ]}),
            "Transaction request cannot include multiple operations on one item",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn a_transaction_over_four_megabytes_is_refused() {
    let wire = table().await;
    // Eleven items of 390,000 bytes: each under the 400 KB item limit,
    // together over 4 MB.
    let big = "x".repeat(390_000);
    let actions: Vec<Value> = (0..11)
        .map(|i| json!({"Put": {"TableName": "tbl", "Item": {"pk": s("a"), "sk": n(i), "body": s(&big)}}}))
        .collect();
    wire.assert_refusals(vec![invalid(
        "TransactWriteItems",
        writes(actions),
        "Transaction request cannot be larger than 4 MB",
    )])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn a_client_token_reused_for_another_request_is_refused() {
    let wire = table().await;
    let with_token =
        |actions: Vec<Value>| json!({"TransactItems": actions, "ClientRequestToken": "token-1"});
    wire.ok("TransactWriteItems", with_token(vec![put(1)]))
        .await;
    // The same request again is answered as before.
    wire.ok("TransactWriteItems", with_token(vec![put(1)]))
        .await;
    wire.assert_refusals(vec![refused(
        "TransactWriteItems",
        with_token(vec![put(2)]),
        "IdempotentParameterMismatchException",
        "The request uses the same client token as a previous, but non-identical request.",
    )])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn a_cancelled_transaction_gives_a_reason_per_action() {
    let wire = table().await;
    wire.ok("PutItem", json!({"TableName": "tbl", "Item": item(1)}))
        .await;
    let big = "x".repeat(400 * 1024);
    let answer = wire
        .call(
            "TransactWriteItems",
            &writes(vec![
                json!({"ConditionCheck": {
                    "TableName": "tbl",
                    "Key": item(1),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }}),
                json!({"Put": {"TableName": "tbl", "Item": {"pk": s("a"), "sk": n(2), "body": s(&big)}}}),
                json!({"Update": {
                    "TableName": "tbl",
                    "Key": item(3),
                    "UpdateExpression": "SET body = :b",
                    "ExpressionAttributeValues": {":b": s(&big)},
                }}),
                json!({"Update": {
                    "TableName": "tbl",
                    "Key": item(4),
                    "UpdateExpression": "SET pk = :p",
                    "ExpressionAttributeValues": {":p": s("b")},
                }}),
                put(5),
            ]),
        )
        .await;
    assert_eq!(
        (answer.status, answer.error_type(), answer.message()),
        (
            400,
            "TransactionCanceledException".to_owned(),
            "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, ValidationError, ValidationError, ValidationError, None]".to_owned()
        )
    );
    assert_eq!(
        answer.json()["CancellationReasons"],
        json!([
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
            {"Code": "ValidationError", "Message": "Item size has exceeded the maximum allowed size"},
            {"Code": "ValidationError", "Message": "Item size to update has exceeded the maximum allowed size"},
            {"Code": "ValidationError", "Message": "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
            {"Code": "None"},
        ])
    );
    wire.shutdown().await;
}
