//! Expressions in the engine, decoded from DynamoDB's JSON requests exactly
//! as a client sends them: conditional writes, UpdateItem and its
//! ReturnValues, filters and projections.

mod common;

use common::*;
use dynamo_core::ops::*;
use dynamo_core::{AttributeMap, Backend, Error, WireError, decode_json};
use dynamo_local::Engine;
use serde_json::{Value, json};

fn request<T: serde::de::DeserializeOwned>(body: Value) -> T {
    decode_json(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"))
}

fn decode_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: Value) -> String {
    match decode_json::<T>(body.to_string().as_bytes()) {
        Err(WireError::Validation(m)) => m,
        other => panic!("{body}: expected a validation error, got {other:?}"),
    }
}

fn js(v: Value) -> AttributeMap {
    decode_json(v.to_string().as_bytes()).unwrap()
}

async fn engine() -> Engine {
    let engine = Engine::new();
    engine.create_table(table("orders")).await.unwrap();
    let put: PutItemInput = request(json!({"TableName": "orders", "Item": {
        "pk": {"S": "c1"}, "sk": {"N": "1"}, "status": {"S": "PLACED"}, "amount": {"N": "100"},
        "tags": {"SS": ["gift"]}, "cart": {"L": [{"M": {"sku": {"S": "a"}, "qty": {"N": "1"}}}]}
    }}));
    engine.put_item(put).await.unwrap();
    engine
}

#[tokio::test]
async fn a_conditional_put_on_an_existing_item_fails_and_returns_the_old_item_when_asked() {
    let engine = engine().await;
    let put: PutItemInput = request(json!({
        "TableName": "orders",
        "Item": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
        "ConditionExpression": "attribute_not_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"
    }));
    match engine.put_item(put.clone()).await.unwrap_err() {
        Error::ConditionalCheckFailed { message, item } => {
            assert_eq!(message, "The conditional request failed");
            assert_eq!(item.unwrap()["status"], s("PLACED"));
        }
        other => panic!("{other:?}"),
    }
    let mut no_item = put;
    no_item.return_values_on_condition_check_failure = None;
    assert!(matches!(
        engine.put_item(no_item).await.unwrap_err(),
        Error::ConditionalCheckFailed { item: None, .. }
    ));
    // The same condition succeeds for a new key.
    let fresh: PutItemInput = request(json!({
        "TableName": "orders",
        "Item": {"pk": {"S": "c1"}, "sk": {"N": "2"}},
        "ConditionExpression": "attribute_not_exists(pk)"
    }));
    engine.put_item(fresh).await.unwrap();
}

#[tokio::test]
async fn a_conditional_delete_checks_the_current_item() {
    let engine = engine().await;
    let delete = |status: &str| -> DeleteItemInput {
        request(json!({
            "TableName": "orders",
            "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
            "ConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": status}},
            "ReturnValues": "ALL_OLD"
        }))
    };
    assert!(matches!(
        engine.delete_item(delete("SHIPPED")).await,
        Err(Error::ConditionalCheckFailed { .. })
    ));
    let deleted = engine.delete_item(delete("PLACED")).await.unwrap();
    assert_eq!(deleted.attributes.unwrap()["amount"], n(100));
}

#[tokio::test]
async fn update_item_applies_every_clause_and_returns_each_image() {
    let engine = engine().await;
    let update = |rv: &str| -> UpdateItemInput {
        request(json!({
            "TableName": "orders",
            "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
            "UpdateExpression": "SET #s = :shipped, amount = amount + :ten, cart[0].qty = :two ADD tags :t REMOVE note",
            "ConditionExpression": "#s = :placed OR #s = :shipped",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":shipped": {"S": "SHIPPED"}, ":placed": {"S": "PLACED"}, ":ten": {"N": "10"},
                ":two": {"N": "2"}, ":t": {"SS": ["express"]}
            },
            "ReturnValues": rv
        }))
    };
    let old = engine
        .update_item(update("UPDATED_OLD"))
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        old,
        js(
            json!({"status": {"S": "PLACED"}, "amount": {"N": "100"}, "tags": {"SS": ["gift"]},
                  "cart": {"L": [{"M": {"qty": {"N": "1"}}}]}})
        )
    );
    let new = engine
        .update_item(update("UPDATED_NEW"))
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        new,
        js(
            json!({"status": {"S": "SHIPPED"}, "amount": {"N": "120"}, "tags": {"SS": ["express", "gift"]},
                  "cart": {"L": [{"M": {"qty": {"N": "2"}}}]}})
        )
    );
    let all = engine
        .update_item(update("ALL_NEW"))
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(all["amount"], n(130));
    assert_eq!(all["pk"], s("c1"));
    let all_old = engine
        .update_item(update("ALL_OLD"))
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(all_old["amount"], n(130));
    assert!(
        engine
            .update_item(update("NONE"))
            .await
            .unwrap()
            .attributes
            .is_none()
    );
}

#[tokio::test]
async fn update_item_creates_missing_items_but_never_on_a_failed_condition() {
    let engine = engine().await;
    let upsert: UpdateItemInput = request(json!({
        "TableName": "orders",
        "Key": {"pk": {"S": "c2"}, "sk": {"N": "7"}},
        "UpdateExpression": "SET visits = if_not_exists(visits, :zero) + :one",
        "ExpressionAttributeValues": {":zero": {"N": "0"}, ":one": {"N": "1"}},
        "ReturnValues": "ALL_NEW"
    }));
    let created = engine
        .update_item(upsert.clone())
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(
        created,
        js(json!({"pk": {"S": "c2"}, "sk": {"N": "7"}, "visits": {"N": "1"}}))
    );
    let again = engine
        .update_item(upsert)
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(again["visits"], n(2));

    let guarded: UpdateItemInput = request(json!({
        "TableName": "orders",
        "Key": {"pk": {"S": "ghost"}, "sk": {"N": "1"}},
        "UpdateExpression": "SET a = :one",
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeValues": {":one": {"N": "1"}}
    }));
    assert!(matches!(
        engine.update_item(guarded).await,
        Err(Error::ConditionalCheckFailed { .. })
    ));
    let ghost = engine
        .get_item(GetItemInput::new(
            "orders",
            item(&[("pk", s("ghost")), ("sk", n(1))]),
        ))
        .await
        .unwrap();
    assert_eq!(ghost.item, None, "a failed condition creates no item");
}

#[tokio::test]
async fn update_item_errors() {
    let engine = engine().await;
    let update = |expression: &str, values: Value| -> UpdateItemInput {
        request(json!({
            "TableName": "orders",
            "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values
        }))
    };
    assert_eq!(
        validation(
            engine
                .update_item(update("SET pk = :v", json!({":v": {"S": "x"}})))
                .await
        ),
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    );
    assert_eq!(
        decode_error::<UpdateItemInput>(json!({
            "TableName": "orders",
            "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
            "UpdateExpression": "SET amount = #missing"
        })),
        "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #missing"
    );
    assert_eq!(
        decode_error::<UpdateItemInput>(json!({
            "TableName": "orders",
            "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
            "UpdateExpression": "SET amount = status + :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}}
        })),
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"
    );
    assert_eq!(
        validation(
            engine
                .update_item(update("ADD tags :v", json!({":v": {"NS": ["1"]}})))
                .await
        ),
        "An operand in the update expression has an incorrect data type"
    );
    assert_eq!(
        validation(
            engine
                .update_item(update(
                    "SET big = :v",
                    json!({":v": {"S": "x".repeat(410_000)}})
                ))
                .await
        ),
        "Item size to update has exceeded the maximum allowed size"
    );
    // Nothing changed.
    let got = engine
        .get_item(GetItemInput::new(
            "orders",
            item(&[("pk", s("c1")), ("sk", n(1))]),
        ))
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(got["amount"], n(100));
}

#[tokio::test]
async fn filters_apply_after_limit_and_projections_select_attributes() {
    let engine = Engine::new();
    engine.create_table(table("orders")).await.unwrap();
    for sk in 1..=6 {
        let status = if sk % 2 == 0 { "SHIPPED" } else { "PLACED" };
        engine
            .put_item(PutItemInput::new(
                "orders",
                item(&[
                    ("pk", s("c1")),
                    ("sk", n(sk)),
                    ("status", s(status)),
                    ("amount", n(sk * 10)),
                ]),
            ))
            .await
            .unwrap();
    }
    let query: QueryInput = request(json!({
        "TableName": "orders",
        "KeyConditionExpression": "pk = :c AND sk >= :one",
        "FilterExpression": "#s = :shipped",
        "ProjectionExpression": "sk, amount",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":c": {"S": "c1"}, ":one": {"N": "1"}, ":shipped": {"S": "SHIPPED"}},
        "Limit": 3
    }));
    let page = engine.query(query).await.unwrap();
    // Three items evaluated (sk 1, 2, 3); one of them matches.
    assert_eq!((page.count, page.scanned_count), (1, 3));
    assert_eq!(
        page.items.unwrap(),
        vec![js(json!({"sk": {"N": "2"}, "amount": {"N": "20"}}))]
    );
    assert_eq!(
        page.last_evaluated_key.unwrap(),
        item(&[("pk", s("c1")), ("sk", n(3))])
    );

    let scan: ScanInput = request(json!({
        "TableName": "orders",
        "FilterExpression": "amount > :t",
        "ExpressionAttributeValues": {":t": {"N": "30"}},
        "Select": "COUNT"
    }));
    let page = engine.scan(scan).await.unwrap();
    assert_eq!((page.items, page.count, page.scanned_count), (None, 3, 6));

    let get: GetItemInput = request(json!({
        "TableName": "orders",
        "Key": {"pk": {"S": "c1"}, "sk": {"N": "2"}},
        "ProjectionExpression": "#s",
        "ExpressionAttributeNames": {"#s": "status"}
    }));
    assert_eq!(
        engine.get_item(get).await.unwrap().item.unwrap(),
        item(&[("status", s("SHIPPED"))])
    );

    let on_key: QueryInput = request(json!({
        "TableName": "orders",
        "KeyConditionExpression": "pk = :c",
        "FilterExpression": "sk > :one",
        "ExpressionAttributeValues": {":c": {"S": "c1"}, ":one": {"N": "1"}}
    }));
    assert_eq!(
        validation(engine.query(on_key).await),
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    );
}

#[tokio::test]
async fn key_condition_expressions_resolve_against_the_schema() {
    let engine = engine().await;
    let query = |kce: &str, values: Value| -> QueryInput {
        request(
            json!({"TableName": "orders", "KeyConditionExpression": kce, "ExpressionAttributeValues": values}),
        )
    };
    let found = engine
        .query(query(
            ":c = pk AND sk BETWEEN :a AND :b",
            json!({":c": {"S": "c1"}, ":a": {"N": "0"}, ":b": {"N": "5"}}),
        ))
        .await
        .unwrap();
    assert_eq!(found.count, 1);
    assert_eq!(
        validation(
            engine
                .query(query("sk = :a", json!({":a": {"N": "1"}})))
                .await
        ),
        "Query condition missed key schema element: pk"
    );
    assert_eq!(
        validation(
            engine
                .query(query(
                    "pk = :c AND amount = :a",
                    json!({":c": {"S": "c1"}, ":a": {"N": "1"}})
                ))
                .await
        ),
        "Query condition missed key schema element: sk"
    );
    assert_eq!(
        validation(
            engine
                .query(query(
                    "pk = :c AND begins_with(sk, :a)",
                    json!({":c": {"S": "c1"}, ":a": {"N": "1"}})
                ))
                .await
        ),
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
    );
}

#[test]
fn malformed_requests_are_rejected_when_decoded() {
    assert_eq!(
        decode_error::<PutItemInput>(json!({"Item": {"pk": {"S": "a"}}})),
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        decode_error::<PutItemInput>(json!({})),
        "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'item' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        decode_error::<PutItemInput>(
            json!({"TableName": "tbl", "Item": {}, "ExpressionAttributeValues": {":v": {"S": "x"}}})
        ),
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    );
    assert_eq!(
        decode_error::<UpdateItemInput>(
            json!({"TableName": "tbl", "Key": {}, "ExpressionAttributeValues": {":v": {"S": "x"}}})
        ),
        "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"
    );
    assert_eq!(
        decode_error::<GetItemInput>(
            json!({"TableName": "tbl", "Key": {}, "ExpressionAttributeNames": {"#a": "x"}})
        ),
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    assert_eq!(
        decode_error::<PutItemInput>(
            json!({"TableName": "tbl", "Item": {}, "ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}}})
        ),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    );
    assert_eq!(
        decode_error::<QueryInput>(json!({"TableName": "tbl"})),
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    );
    assert_eq!(
        decode_error::<ScanInput>(json!({"TableName": "tbl", "FilterExpression": "a = :v"})),
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :v"
    );
}

#[test]
fn requests_encode_to_dynamodb_json_and_decode_back() {
    let query: QueryInput = request(json!({
        "TableName": "orders",
        "IndexName": "by_status",
        "KeyConditionExpression": "#s = :s AND placed_at > :t",
        "FilterExpression": "amount >= :min",
        "ProjectionExpression": "pk, amount",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "PLACED"}, ":t": {"N": "5"}, ":min": {"N": "10"}},
        "ScanIndexForward": false,
        "Limit": 10
    }));
    let encoded = serde_json::to_value(&query).unwrap();
    assert_eq!(encoded["TableName"], "orders");
    assert_eq!(encoded["IndexName"], "by_status");
    assert!(encoded["KeyConditionExpression"].is_string());
    assert_eq!(encoded["ScanIndexForward"], false);
    let decoded: QueryInput = request(encoded);
    assert_eq!(decoded, query);

    let update: UpdateItemInput = request(json!({
        "TableName": "orders",
        "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
        "UpdateExpression": "SET a = if_not_exists(a, :z) + :one REMOVE b[2] ADD c :one DELETE d :set",
        "ConditionExpression": "attribute_exists(pk) AND NOT contains(d, :x)",
        "ExpressionAttributeValues": {":z": {"N": "0"}, ":one": {"N": "1"}, ":set": {"SS": ["x"]}, ":x": {"S": "x"}},
        "ReturnValues": "UPDATED_NEW"
    }));
    let round_trip: UpdateItemInput = request(serde_json::to_value(&update).unwrap());
    assert_eq!(round_trip, update);
}

#[tokio::test]
async fn legacy_parameters_behave_like_their_expressions() {
    let engine = engine().await;
    // Expected: the put happens only when the item is absent.
    let guarded: PutItemInput = request(json!({
        "TableName": "orders",
        "Item": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
        "Expected": {"pk": {"Exists": false}}
    }));
    assert!(matches!(
        engine.put_item(guarded).await,
        Err(Error::ConditionalCheckFailed { .. })
    ));
    // AttributeUpdates with Expected on a value.
    let update: UpdateItemInput = request(json!({
        "TableName": "orders",
        "Key": {"pk": {"S": "c1"}, "sk": {"N": "1"}},
        "AttributeUpdates": {
            "amount": {"Action": "ADD", "Value": {"N": "5"}},
            "status": {"Action": "PUT", "Value": {"S": "SHIPPED"}},
            "tags": {"Action": "DELETE"},
            "history": {"Action": "ADD", "Value": {"L": [{"S": "shipped"}]}}
        },
        "Expected": {"status": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "PLACED"}]}},
        "ReturnValues": "ALL_NEW"
    }));
    let new = engine
        .update_item(update)
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(new["amount"], n(105));
    assert_eq!(new["status"], s("SHIPPED"));
    assert!(!new.contains_key("tags"));
    assert_eq!(
        new["history"],
        dynamo_core::AttributeValue::L(vec![s("shipped")])
    );
    // KeyConditions, QueryFilter and AttributesToGet.
    let query: QueryInput = request(json!({
        "TableName": "orders",
        "KeyConditions": {
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "c1"}]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "0"}, {"N": "9"}]}
        },
        "QueryFilter": {"status": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "SHIP"}]}},
        "AttributesToGet": ["status"]
    }));
    let page = engine.query(query).await.unwrap();
    assert_eq!(page.items.unwrap(), vec![item(&[("status", s("SHIPPED"))])]);
    // ScanFilter with OR.
    let scan: ScanInput = request(json!({
        "TableName": "orders",
        "ScanFilter": {
            "amount": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1000"}]},
            "status": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "SHIPPED"}, {"S": "LOST"}]}
        },
        "ConditionalOperator": "OR"
    }));
    assert_eq!(engine.scan(scan).await.unwrap().count, 1);
    // Argument counts are checked.
    assert_eq!(
        decode_error::<ScanInput>(
            json!({"TableName": "orders", "ScanFilter": {"a": {"ComparisonOperator": "EQ"}}})
        ),
        "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"
    );
    assert_eq!(
        decode_error::<PutItemInput>(
            json!({"TableName": "orders", "Item": {}, "Expected": {"a": {"Exists": true}}})
        ),
        "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"
    );
}
