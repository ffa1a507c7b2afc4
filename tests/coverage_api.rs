//! The request model's less travelled members, each through `Backend` on
//! both backends (in-process, and aws-sdk-dynamodb against `dynamo-local
//! serve`): legacy parameters, `ReturnConsumedCapacity: INDEXES`,
//! `ReturnValues` `ALL_OLD`/`UPDATED_OLD`, `UpdateTable` deleting an index
//! and switching billing, `ListTables` and `Scan` paging, a local index
//! fetching unprojected attributes from the table, 1 MB query pages,
//! `ItemCollectionMetrics`, and the errors a caller matches on.
//!
//! Requests are written as DynamoDB JSON and decoded into the model, so a
//! legacy parameter arrives as the condition, update or projection it means.

use dynamo::ops::*;
use dynamo::schema::{BillingMode, TableDescription};
use dynamo::{
    AttributeMap, AttributeValue, CancellationReason, Client, Error, WireError, decode_json,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

mod common;

/// A request of the model, from its DynamoDB JSON.
fn req<T: DeserializeOwned>(v: Value) -> T {
    decode_json(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{v}: {e:?}"))
}

/// The ValidationException message of a request refused as it is decoded.
fn refused<T: DeserializeOwned + std::fmt::Debug>(v: Value) -> String {
    match decode_json::<T>(v.to_string().as_bytes()) {
        Err(WireError::Validation(message)) => message,
        other => panic!("{v}: {other:?}"),
    }
}

/// Attributes from DynamoDB JSON.
fn js(v: Value) -> AttributeMap {
    req(v)
}

/// A value as DynamoDB JSON, to compare whole outputs.
fn wire<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// `orders`: partition key `customer` (S), sort key `number` (N); a local
/// index `by_cents` (sort key `cents`, keys only) and a global index
/// `by_state` (`state`, `number`, all attributes).
async fn orders_table(db: &Client) -> TableDescription {
    let input: CreateTableInput = req(json!({
        "TableName": "orders",
        "KeySchema": [
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "number", "KeyType": "RANGE"}
        ],
        "AttributeDefinitions": [
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "number", "AttributeType": "N"},
            {"AttributeName": "cents", "AttributeType": "N"},
            {"AttributeName": "state", "AttributeType": "S"}
        ],
        "LocalSecondaryIndexes": [{
            "IndexName": "by_cents",
            "KeySchema": [
                {"AttributeName": "customer", "KeyType": "HASH"},
                {"AttributeName": "cents", "KeyType": "RANGE"}
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"}
        }],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by_state",
            "KeySchema": [
                {"AttributeName": "state", "KeyType": "HASH"},
                {"AttributeName": "number", "KeyType": "RANGE"}
            ],
            "Projection": {"ProjectionType": "ALL"}
        }],
        "BillingMode": "PAY_PER_REQUEST"
    }));
    db.backend()
        .create_table(input)
        .await
        .unwrap()
        .table_description
}

fn order(customer: &str, number: u32, state: &str, cents: u32) -> AttributeMap {
    js(json!({
        "customer": {"S": customer},
        "number": {"N": number.to_string()},
        "state": {"S": state},
        "cents": {"N": cents.to_string()}
    }))
}

fn key(customer: &str, number: u32) -> AttributeMap {
    js(json!({"customer": {"S": customer}, "number": {"N": number.to_string()}}))
}

async fn put(db: &Client, item: AttributeMap) {
    db.backend()
        .put_item(PutItemInput::new("orders", item))
        .await
        .unwrap();
}

/// ada's orders 1 (PLACED, 500), 2 (SHIPPED, 1500), 3 (PLACED, 2500),
/// 10 (DELIVERED, 99) and bob's 1 (PLACED, 700).
async fn with_orders(db: &Client) {
    orders_table(db).await;
    for (number, state, cents) in [
        (1, "PLACED", 500),
        (2, "SHIPPED", 1500),
        (3, "PLACED", 2500),
        (10, "DELIVERED", 99),
    ] {
        put(db, order("ada", number, state, cents)).await;
    }
    put(db, order("bob", 1, "PLACED", 700)).await;
}

async fn get(db: &Client, customer: &str, number: u32) -> Option<AttributeMap> {
    let mut input = GetItemInput::new("orders", key(customer, number));
    input.consistent_read = Some(true);
    db.backend().get_item(input).await.unwrap().item
}

fn failed() -> Error {
    Error::ConditionalCheckFailed {
        message: "The conditional request failed".into(),
        item: None,
    }
}

/// The `number`s of items, in order.
fn numbers(items: &[AttributeMap]) -> Vec<String> {
    items
        .iter()
        .map(|i| match &i["number"] {
            AttributeValue::N(n) => n.to_string(),
            other => panic!("{other:?}"),
        })
        .collect()
}

async fn legacy_expected_makes_puts_updates_and_deletes_conditional(db: Client) {
    orders_table(&db).await;
    let new_order = json!({"customer": {"S": "ada"}, "number": {"N": "1"},
        "state": {"S": "PLACED"}, "cents": {"N": "500"}});
    // Exists: false on the key: only when there is no such item.
    let put_new = |item: Value| -> PutItemInput {
        req(json!({"TableName": "orders", "Item": item,
            "Expected": {"customer": {"Exists": false}}}))
    };
    db.backend()
        .put_item(put_new(new_order.clone()))
        .await
        .unwrap();
    assert_eq!(
        db.backend()
            .put_item(put_new(new_order.clone()))
            .await
            .unwrap_err(),
        failed()
    );
    // A Value alone means Exists: true and equal.
    let ship: UpdateItemInput = req(json!({
        "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "1"}},
        "UpdateExpression": "SET #s = :shipped",
        "ExpressionAttributeNames": {"#s": "state"},
        "ExpressionAttributeValues": {":shipped": {"S": "SHIPPED"}},
    }));
    let mut guarded: UpdateItemInput = req(json!({
        "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "1"}},
        "AttributeUpdates": {"state": {"Action": "PUT", "Value": {"S": "SHIPPED"}}},
        "Expected": {"state": {"Value": {"S": "PLACED"}}},
    }));
    assert_eq!(guarded.update, ship.update);
    guarded.return_values = Some(ReturnValue::AllNew);
    let out = db.backend().update_item(guarded.clone()).await.unwrap();
    assert_eq!(
        out.attributes.unwrap()["state"],
        AttributeValue::S("SHIPPED".into())
    );
    assert_eq!(
        db.backend().update_item(guarded).await.unwrap_err(),
        failed()
    );
    // Comparison operators joined with OR: cents < 100 OR state = SHIPPED.
    let delete = |operator: &str| -> DeleteItemInput {
        req(json!({
            "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "1"}},
            "Expected": {
                "cents": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "100"}]},
                "state": {"ComparisonOperator": "IN",
                    "AttributeValueList": [{"S": "DELIVERED"}, {"S": "SHIPPED"}]}
            },
            "ConditionalOperator": operator,
            "ReturnValues": "ALL_OLD"
        }))
    };
    assert_eq!(
        db.backend().delete_item(delete("AND")).await.unwrap_err(),
        failed()
    );
    let deleted = db.backend().delete_item(delete("OR")).await.unwrap();
    assert_eq!(
        deleted.attributes.unwrap(),
        js(json!({"customer": {"S": "ada"}, "number": {"N": "1"},
            "state": {"S": "SHIPPED"}, "cents": {"N": "500"}}))
    );
    assert_eq!(get(&db, "ada", 1).await, None);
    // NOT_NULL / NULL test presence.
    put(&db, order("ada", 2, "PLACED", 10)).await;
    let with_note: PutItemInput = req(json!({
        "TableName": "orders",
        "Item": {"customer": {"S": "ada"}, "number": {"N": "2"}, "note": {"S": "gift"}},
        "Expected": {"note": {"ComparisonOperator": "NULL"},
            "cents": {"ComparisonOperator": "NOT_NULL"}}
    }));
    db.backend().put_item(with_note.clone()).await.unwrap();
    assert_eq!(
        db.backend().put_item(with_note).await.unwrap_err(),
        failed()
    );
}

async fn legacy_attribute_updates_put_add_and_delete(db: Client) {
    orders_table(&db).await;
    put(
        &db,
        js(
            json!({"customer": {"S": "ada"}, "number": {"N": "1"}, "cents": {"N": "500"},
            "tags": {"SS": ["gift", "rush", "fragile"]}, "note": {"S": "ring twice"},
            "history": {"L": [{"S": "placed"}]}}),
        ),
    )
    .await;
    let update: UpdateItemInput = req(json!({
        "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "1"}},
        "AttributeUpdates": {
            "state": {"Value": {"S": "SHIPPED"}},
            "cents": {"Action": "ADD", "Value": {"N": "-125"}},
            "tags": {"Action": "DELETE", "Value": {"SS": ["rush"]}},
            "note": {"Action": "DELETE"},
            "history": {"Action": "ADD", "Value": {"L": [{"S": "shipped"}]}},
            "views": {"Action": "ADD", "Value": {"N": "1"}},
            "labels": {"Action": "ADD", "Value": {"SS": ["new"]}}
        },
        "ReturnValues": "ALL_NEW"
    }));
    let out = db.backend().update_item(update).await.unwrap();
    assert_eq!(
        out.attributes.unwrap(),
        js(
            json!({"customer": {"S": "ada"}, "number": {"N": "1"}, "cents": {"N": "375"},
            "state": {"S": "SHIPPED"}, "tags": {"SS": ["fragile", "gift"]},
            "history": {"L": [{"S": "placed"}, {"S": "shipped"}]},
            "views": {"N": "1"}, "labels": {"SS": ["new"]}})
        )
    );
    // ADD of a string is refused, as DynamoDB does.
    let message = refused::<UpdateItemInput>(json!({
        "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "1"}},
        "AttributeUpdates": {"state": {"Action": "ADD", "Value": {"S": "x"}}}
    }));
    assert_eq!(
        message,
        "One or more parameter values were invalid: ADD action is not supported for the type S"
    );
}

async fn legacy_key_conditions_query_filter_and_attributes_to_get(db: Client) {
    with_orders(&db).await;
    let query = |filter: Value, operator: &str| -> QueryInput {
        req(json!({
            "TableName": "orders",
            "KeyConditions": {
                "customer": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "ada"}]},
                "number": {"ComparisonOperator": "BETWEEN",
                    "AttributeValueList": [{"N": "2"}, {"N": "10"}]}
            },
            "QueryFilter": filter,
            "ConditionalOperator": operator,
            "AttributesToGet": ["number", "state"],
            "ScanIndexForward": false
        }))
    };
    let placed_or_cheap = json!({
        "state": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "PLACED"}]},
        "cents": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "100"}]}
    });
    let out = db
        .backend()
        .query(query(placed_or_cheap.clone(), "OR"))
        .await
        .unwrap();
    assert_eq!((out.count, out.scanned_count), (2, 3));
    assert_eq!(
        out.items.unwrap(),
        vec![
            js(json!({"number": {"N": "10"}, "state": {"S": "DELIVERED"}})),
            js(json!({"number": {"N": "3"}, "state": {"S": "PLACED"}})),
        ]
    );
    let out = db
        .backend()
        .query(query(placed_or_cheap, "AND"))
        .await
        .unwrap();
    assert_eq!((out.count, out.scanned_count), (0, 3));
    // A legacy key condition on a local index, BEGINS_WITH on a string filter.
    let by_cents: QueryInput = req(json!({
        "TableName": "orders", "IndexName": "by_cents",
        "KeyConditions": {
            "customer": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "ada"}]},
            "cents": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "500"}]}
        },
        "QueryFilter": {"state": {"ComparisonOperator": "BEGINS_WITH",
            "AttributeValueList": [{"S": "PL"}]}},
        "Select": "ALL_ATTRIBUTES"
    }));
    let out = db.backend().query(by_cents).await.unwrap();
    assert_eq!(
        out.items.unwrap(),
        vec![
            order("ada", 1, "PLACED", 500),
            order("ada", 3, "PLACED", 2500)
        ]
    );
    // A condition that cannot select a range is refused.
    let message = refused::<QueryInput>(json!({
        "TableName": "orders",
        "KeyConditions": {
            "customer": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "ada"}]},
            "number": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}
        }
    }));
    assert_eq!(
        message,
        "One or more parameter values were invalid: Attempted conditional constraint is not an indexable operation"
    );
}

async fn legacy_scan_filter_and_attributes_to_get_on_every_read(db: Client) {
    with_orders(&db).await;
    let scan: ScanInput = req(json!({
        "TableName": "orders",
        "ScanFilter": {
            "cents": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "600"}]},
            "state": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "SHIPPED"}]}
        },
        "AttributesToGet": ["customer", "number"],
    }));
    let out = db.backend().scan(scan).await.unwrap();
    assert_eq!((out.count, out.scanned_count), (2, 5));
    let mut items = out.items.unwrap();
    items.sort_by_key(|i| wire(i).to_string());
    assert_eq!(items, vec![key("ada", 3), key("bob", 1)]);
    // CONTAINS and NOT_CONTAINS on a string.
    let scan: ScanInput = req(json!({
        "TableName": "orders",
        "ScanFilter": {
            "state": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "ACE"}]},
            "customer": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "b"}]}
        },
        "AttributesToGet": ["number"],
    }));
    let out = db.backend().scan(scan).await.unwrap();
    let mut got = numbers(&out.items.unwrap());
    got.sort();
    assert_eq!(got, ["1", "3"]);

    let get: GetItemInput = req(json!({
        "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "2"}},
        "AttributesToGet": ["cents", "missing"], "ConsistentRead": true
    }));
    assert_eq!(
        db.backend().get_item(get).await.unwrap().item,
        Some(js(json!({"cents": {"N": "1500"}})))
    );
    let batch: BatchGetItemInput = req(json!({
        "RequestItems": {"orders": {
            "Keys": [{"customer": {"S": "ada"}, "number": {"N": "3"}},
                     {"customer": {"S": "bob"}, "number": {"N": "1"}}],
            "AttributesToGet": ["state"], "ConsistentRead": true
        }}
    }));
    let mut states: Vec<Value> =
        db.backend().batch_get_item(batch).await.unwrap().responses["orders"]
            .iter()
            .map(wire)
            .collect();
    states.sort_by_key(|v| v.to_string());
    assert_eq!(
        states,
        [
            json!({"state": {"S": "PLACED"}}),
            json!({"state": {"S": "PLACED"}})
        ]
    );
    let message = refused::<ScanInput>(json!({
        "TableName": "orders", "AttributesToGet": ["cents", "cents"]
    }));
    assert_eq!(
        message,
        "One or more parameter values were invalid: Duplicate value in attribute name: cents"
    );
}

async fn legacy_and_expression_parameters_cannot_be_mixed(db: Client) {
    orders_table(&db).await;
    assert_eq!(
        refused::<PutItemInput>(json!({
            "TableName": "orders", "Item": {"customer": {"S": "a"}, "number": {"N": "1"}},
            "Expected": {"customer": {"Exists": false}},
            "ConditionExpression": "attribute_not_exists(customer)"
        })),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
    );
    assert_eq!(
        refused::<QueryInput>(json!({
            "TableName": "orders",
            "KeyConditionExpression": "customer = :c",
            "ExpressionAttributeValues": {":c": {"S": "a"}},
            "QueryFilter": {"state": {"ComparisonOperator": "NOT_NULL"}},
            "AttributesToGet": ["state"]
        })),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter, AttributesToGet} Expression parameters: {KeyConditionExpression}"
    );
}

async fn consumed_capacity_with_indexes_splits_table_and_index_units(db: Client) {
    orders_table(&db).await;
    // A small item: one write unit on the table and on each index.
    let mut input = PutItemInput::new("orders", order("ada", 1, "PLACED", 500));
    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Indexes);
    let out = db.backend().put_item(input).await.unwrap();
    assert_eq!(
        wire(&out.consumed_capacity),
        json!({
            "TableName": "orders", "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0,
            "Table": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0},
            "LocalSecondaryIndexes": {"by_cents": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
            "GlobalSecondaryIndexes": {"by_state": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}}
        })
    );
    // Changing the GSI key deletes one entry and puts another: two units
    // there; the LSI entry is unchanged: nothing.
    let mut input: UpdateItemInput = req(json!({
        "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "1"}},
        "UpdateExpression": "SET #s = :s",
        "ExpressionAttributeNames": {"#s": "state"},
        "ExpressionAttributeValues": {":s": {"S": "SHIPPED"}},
        "ReturnConsumedCapacity": "INDEXES"
    }));
    let out = db.backend().update_item(input.clone()).await.unwrap();
    assert_eq!(
        wire(&out.consumed_capacity),
        json!({
            "TableName": "orders", "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0,
            "Table": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0},
            "GlobalSecondaryIndexes": {"by_state": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}
        })
    );
    // TOTAL leaves the split out.
    input.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
    let out = db.backend().update_item(input).await.unwrap();
    assert_eq!(
        wire(&out.consumed_capacity),
        json!({"TableName": "orders", "CapacityUnits": 1.0, "WriteCapacityUnits": 1.0})
    );
    // Reading an index charges the index: half a unit, eventually consistent.
    let query: QueryInput = req(json!({
        "TableName": "orders", "IndexName": "by_state",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "state"},
        "ExpressionAttributeValues": {":s": {"S": "SHIPPED"}},
        "ReturnConsumedCapacity": "INDEXES"
    }));
    let out = db.backend().query(query).await.unwrap();
    assert_eq!(out.count, 1);
    assert_eq!(
        wire(&out.consumed_capacity),
        json!({
            "TableName": "orders", "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5,
            "Table": {"CapacityUnits": 0.0, "ReadCapacityUnits": 0.0},
            "GlobalSecondaryIndexes": {"by_state": {"CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}}
        })
    );
    // A delete removes the entry from both indexes.
    let mut delete = DeleteItemInput::new("orders", key("ada", 1));
    delete.return_consumed_capacity = Some(ReturnConsumedCapacity::Indexes);
    let out = db.backend().delete_item(delete).await.unwrap();
    assert_eq!(
        wire(&out.consumed_capacity),
        json!({
            "TableName": "orders", "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0,
            "Table": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0},
            "LocalSecondaryIndexes": {"by_cents": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
            "GlobalSecondaryIndexes": {"by_state": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}}
        })
    );
    // Batch writes report one entry per table.
    let batch: BatchWriteItemInput = req(json!({
        "RequestItems": {"orders": [
            {"PutRequest": {"Item": {"customer": {"S": "bob"}, "number": {"N": "1"}, "cents": {"N": "1"}}}},
            {"PutRequest": {"Item": {"customer": {"S": "bob"}, "number": {"N": "2"}}}}
        ]},
        "ReturnConsumedCapacity": "INDEXES"
    }));
    let out = db.backend().batch_write_item(batch).await.unwrap();
    assert_eq!(
        wire(&out.consumed_capacity),
        json!([{
            "TableName": "orders", "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0,
            "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
            "LocalSecondaryIndexes": {"by_cents": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}}
        }])
    );
}

async fn return_values_all_old_and_updated_old(db: Client) {
    with_orders(&db).await;
    // PutItem ALL_OLD: the replaced item; nothing for a new one.
    let mut replace = PutItemInput::new("orders", order("ada", 2, "DELIVERED", 1500));
    replace.return_values = Some(ReturnValue::AllOld);
    let out = db.backend().put_item(replace).await.unwrap();
    assert_eq!(out.attributes, Some(order("ada", 2, "SHIPPED", 1500)));
    let mut fresh = PutItemInput::new("orders", order("ada", 4, "PLACED", 1));
    fresh.return_values = Some(ReturnValue::AllOld);
    assert_eq!(db.backend().put_item(fresh).await.unwrap().attributes, None);

    // UpdateItem UPDATED_OLD: only the attributes the update names, as they
    // were; one it adds had no old value.
    let update = |return_values: &str, number: u32| -> UpdateItemInput {
        req(json!({
            "TableName": "orders",
            "Key": {"customer": {"S": "ada"}, "number": {"N": number.to_string()}},
            "UpdateExpression": "SET cents = cents + :one, note = :n REMOVE #s",
            "ExpressionAttributeNames": {"#s": "state"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":n": {"S": "late"}},
            "ReturnValues": return_values
        }))
    };
    let out = db
        .backend()
        .update_item(update("UPDATED_OLD", 3))
        .await
        .unwrap();
    assert_eq!(
        out.attributes,
        Some(js(
            json!({"cents": {"N": "2500"}, "state": {"S": "PLACED"}})
        ))
    );
    // UpdateItem ALL_OLD: the whole item before.
    let out = db
        .backend()
        .update_item(update("ALL_OLD", 3))
        .await
        .unwrap();
    assert_eq!(
        out.attributes,
        Some(js(json!({"customer": {"S": "ada"}, "number": {"N": "3"},
            "cents": {"N": "2501"}, "note": {"S": "late"}})))
    );
    // On an item the update creates, there is no old image.
    let mut create: UpdateItemInput = req(json!({
        "TableName": "orders", "Key": {"customer": {"S": "cy"}, "number": {"N": "1"}},
        "UpdateExpression": "SET note = :n",
        "ExpressionAttributeValues": {":n": {"S": "new"}},
    }));
    for return_values in [ReturnValue::UpdatedOld, ReturnValue::AllOld] {
        create.return_values = Some(return_values);
        let out = db.backend().update_item(create.clone()).await.unwrap();
        assert_eq!(out.attributes, None, "{return_values:?} on a new item");
        db.backend()
            .delete_item(DeleteItemInput::new("orders", key("cy", 1)))
            .await
            .unwrap();
    }

    // DeleteItem ALL_OLD: the deleted item; nothing when there was none.
    let mut delete = DeleteItemInput::new("orders", key("bob", 1));
    delete.return_values = Some(ReturnValue::AllOld);
    let out = db.backend().delete_item(delete.clone()).await.unwrap();
    assert_eq!(out.attributes, Some(order("bob", 1, "PLACED", 700)));
    assert_eq!(
        db.backend().delete_item(delete).await.unwrap().attributes,
        None
    );

    // PutItem takes only ALL_OLD and NONE.
    let mut put = PutItemInput::new("orders", order("ada", 5, "PLACED", 1));
    put.return_values = Some(ReturnValue::UpdatedOld);
    assert_eq!(
        db.backend().put_item(put).await.unwrap_err(),
        Error::Validation("ReturnValues can only be ALL_OLD or NONE".into())
    );
    assert_eq!(get(&db, "ada", 5).await, None);
}

async fn update_table_deletes_an_index_and_switches_billing(db: Client) {
    let created = orders_table(&db).await;
    assert_eq!(
        created.billing_mode_summary.map(|b| b.billing_mode),
        Some(BillingMode::PayPerRequest)
    );
    put(&db, order("ada", 1, "PLACED", 500)).await;
    let delete: UpdateTableInput = req(json!({
        "TableName": "orders",
        "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_state"}}]
    }));
    let updated = db
        .backend()
        .update_table(delete.clone())
        .await
        .unwrap()
        .table_description;
    let describe = || async {
        db.backend()
            .describe_table(DescribeTableInput {
                table_name: "orders".into(),
            })
            .await
            .unwrap()
            .table
    };
    for table in [updated, describe().await] {
        assert_eq!(table.global_secondary_indexes, None);
        let local: Vec<_> = table
            .local_secondary_indexes
            .iter()
            .flatten()
            .map(|i| i.index_name.as_str())
            .collect();
        assert_eq!(local, ["by_cents"]);
    }
    let query: QueryInput = req(json!({
        "TableName": "orders", "IndexName": "by_state",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "state"},
        "ExpressionAttributeValues": {":s": {"S": "PLACED"}}
    }));
    assert_eq!(
        db.backend().query(query).await.unwrap_err(),
        Error::Validation("The table does not have the specified index: by_state".into())
    );
    assert_eq!(
        db.backend().update_table(delete).await.unwrap_err(),
        Error::ResourceNotFound("Requested resource not found: Index: by_state not found".into())
    );
    // The item is still there, and writes no longer need a `state`.
    assert_eq!(
        get(&db, "ada", 1).await,
        Some(order("ada", 1, "PLACED", 500))
    );

    let provisioned: UpdateTableInput = req(json!({
        "TableName": "orders", "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}
    }));
    let table = db
        .backend()
        .update_table(provisioned)
        .await
        .unwrap()
        .table_description;
    // Like a table created provisioned, it has no billing-mode summary.
    assert_eq!(table.billing_mode_summary, None);
    let throughput = describe().await.provisioned_throughput;
    assert_eq!(
        (
            throughput.read_capacity_units,
            throughput.write_capacity_units
        ),
        (5, 7)
    );
    let on_demand: UpdateTableInput =
        req(json!({"TableName": "orders", "BillingMode": "PAY_PER_REQUEST"}));
    db.backend().update_table(on_demand).await.unwrap();
    let table = describe().await;
    assert_eq!(
        table.billing_mode_summary.map(|b| b.billing_mode),
        Some(BillingMode::PayPerRequest)
    );
    assert_eq!(
        (
            table.provisioned_throughput.read_capacity_units,
            table.provisioned_throughput.write_capacity_units
        ),
        (0, 0)
    );
}

async fn list_tables_pages_by_limit_and_start_name(db: Client) {
    for name in ["delta", "alpha", "echo", "charlie", "bravo"] {
        let input: CreateTableInput = req(json!({
            "TableName": name,
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        }));
        db.backend().create_table(input).await.unwrap();
    }
    let list = |start: Option<&str>, limit: Option<i32>| {
        let input = ListTablesInput {
            exclusive_start_table_name: start.map(str::to_owned),
            limit,
        };
        async { db.backend().list_tables(input).await.unwrap() }
    };
    let mut pages = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let page = list(start.as_deref(), Some(2)).await;
        pages.push(page.table_names.clone());
        match page.last_evaluated_table_name {
            Some(last) => {
                assert_eq!(Some(&last), page.table_names.last());
                start = Some(last);
            }
            None => break,
        }
    }
    assert_eq!(
        pages,
        [
            vec!["alpha", "bravo"],
            vec!["charlie", "delta"],
            vec!["echo"]
        ]
    );
    // A start name need not be a table: listing starts after it.
    let after_c = list(Some("c"), None).await;
    assert_eq!(after_c.table_names, ["charlie", "delta", "echo"]);
    assert_eq!(after_c.last_evaluated_table_name, None);
    assert_eq!(
        list(Some("echo"), None).await.table_names,
        Vec::<String>::new()
    );
    let all = list(None, Some(5)).await;
    assert_eq!(all.table_names.len(), 5);
}

async fn scan_pages_by_limit_and_by_segment(db: Client) {
    with_orders(&db).await;
    let all_keys = |items: &[AttributeMap]| -> Vec<String> {
        let mut keys: Vec<String> = items
            .iter()
            .map(|i| {
                format!(
                    "{}#{}",
                    wire(&i["customer"]),
                    numbers(std::slice::from_ref(i))[0]
                )
            })
            .collect();
        keys.sort();
        keys
    };
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut scan: ScanInput = req(json!({"TableName": "orders", "Limit": 2}));
    loop {
        let page = db.backend().scan(scan.clone()).await.unwrap();
        sizes.push(page.count);
        seen.extend(page.items.unwrap());
        match page.last_evaluated_key {
            Some(k) => scan.exclusive_start_key = Some(k),
            None => break,
        }
    }
    // Five items, two a page: the third page is the last, and short.
    assert_eq!(sizes, [2, 2, 1]);
    let expected = [
        r#"{"S":"ada"}#1"#,
        r#"{"S":"ada"}#10"#,
        r#"{"S":"ada"}#2"#,
        r#"{"S":"ada"}#3"#,
        r#"{"S":"bob"}#1"#,
    ];
    assert_eq!(all_keys(&seen), expected);
    // Three segments together return each item once.
    let mut segments = Vec::new();
    for segment in 0..3 {
        let scan: ScanInput = req(json!({"TableName": "orders", "Segment": segment,
            "TotalSegments": 3, "ConsistentRead": true}));
        let page = db.backend().scan(scan).await.unwrap();
        assert_eq!(page.last_evaluated_key, None);
        segments.extend(page.items.unwrap());
    }
    assert_eq!(all_keys(&segments), expected);
    // A scan of an index pages the same way.
    let mut scan: ScanInput =
        req(json!({"TableName": "orders", "IndexName": "by_state", "Limit": 4}));
    let first = db.backend().scan(scan.clone()).await.unwrap();
    assert_eq!(first.count, 4);
    scan.exclusive_start_key = first.last_evaluated_key;
    let rest = db.backend().scan(scan).await.unwrap();
    assert_eq!((rest.count, rest.last_evaluated_key), (1, None));
}

/// Items of `size` bytes in partition `customer`, numbers 1 to `count`.
async fn big_orders(db: &Client, customer: &str, count: u32, size: usize) {
    for number in 1..=count {
        let mut item = key(customer, number);
        let filler = size - dynamo::value::item_size(&item) - "blob".len();
        item.insert("blob".into(), AttributeValue::S("x".repeat(filler)));
        assert_eq!(dynamo::value::item_size(&item), size);
        put(db, item).await;
    }
}

async fn a_query_over_1_mb_returns_pages_that_resume_from_the_last_key(db: Client) {
    orders_table(&db).await;
    // 12 items of 200,000 bytes: a page stops once it has read 1 MB
    // (1,048,576 bytes), so after 6 items (1,200,000).
    big_orders(&db, "big", 12, 200_000).await;
    let mut query: QueryInput = req(json!({
        "TableName": "orders",
        "KeyConditionExpression": "customer = :c",
        "ExpressionAttributeValues": {":c": {"S": "big"}},
        "ProjectionExpression": "#n",
        "ExpressionAttributeNames": {"#n": "number"},
        "ReturnConsumedCapacity": "TOTAL"
    }));
    let mut pages = Vec::new();
    loop {
        let page = db.backend().query(query.clone()).await.unwrap();
        pages.push((
            numbers(&page.items.unwrap()),
            page.consumed_capacity.unwrap().capacity_units.unwrap(),
        ));
        match page.last_evaluated_key {
            Some(last) => query.exclusive_start_key = Some(last),
            None => break,
        }
    }
    let strings = |r: std::ops::RangeInclusive<u32>| r.map(|n| n.to_string()).collect::<Vec<_>>();
    // 1,200,000 bytes is 293 read units of 4 KB, halved: 146.5.
    assert_eq!(
        pages,
        [
            (strings(1..=6), 146.5),
            (strings(7..=12), 146.5),
            (vec![], 0.5)
        ]
    );
    // Backwards, the pages mirror.
    let mut query: QueryInput = req(json!({
        "TableName": "orders",
        "KeyConditionExpression": "customer = :c AND #n < :below",
        "ExpressionAttributeValues": {":c": {"S": "big"}, ":below": {"N": "12"}},
        "ExpressionAttributeNames": {"#n": "number"},
        "ProjectionExpression": "#n",
        "ScanIndexForward": false
    }));
    let first = db.backend().query(query.clone()).await.unwrap();
    assert_eq!(
        numbers(&first.items.unwrap()),
        strings(6..=11).into_iter().rev().collect::<Vec<_>>()
    );
    assert_eq!(first.last_evaluated_key, Some(key("big", 6)));
    query.exclusive_start_key = first.last_evaluated_key;
    let second = db.backend().query(query).await.unwrap();
    assert_eq!(
        numbers(&second.items.unwrap()),
        strings(1..=5).into_iter().rev().collect::<Vec<_>>()
    );
    assert_eq!(second.last_evaluated_key, None);
}

async fn a_local_index_fetches_unprojected_attributes_from_the_table(db: Client) {
    with_orders(&db).await;
    let query = |select: Option<&str>,
                 projection: Option<&str>,
                 filter: Option<&str>|
     -> QueryInput {
        let mut request = json!({
            "TableName": "orders", "IndexName": "by_cents",
            "KeyConditionExpression": "customer = :c AND cents BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":c": {"S": "ada"}, ":lo": {"N": "99"}, ":hi": {"N": "1500"}},
        });
        if let Some(select) = select {
            request["Select"] = json!(select);
        }
        if let Some(projection) = projection {
            request["ProjectionExpression"] = json!(projection);
            request["ExpressionAttributeNames"] = json!({"#s": "state"});
        }
        if let Some(filter) = filter {
            request["FilterExpression"] = json!(filter);
            request["ExpressionAttributeNames"] = json!({"#s": "state"});
            request["ExpressionAttributeValues"][":placed"] = json!({"S": "PLACED"});
        }
        req(request)
    };
    // The index holds keys only: by default a query returns what it holds.
    let out = db.backend().query(query(None, None, None)).await.unwrap();
    assert_eq!(
        out.items.unwrap(),
        vec![
            js(json!({"customer": {"S": "ada"}, "number": {"N": "10"}, "cents": {"N": "99"}})),
            js(json!({"customer": {"S": "ada"}, "number": {"N": "1"}, "cents": {"N": "500"}})),
            js(json!({"customer": {"S": "ada"}, "number": {"N": "2"}, "cents": {"N": "1500"}})),
        ]
    );
    // ALL_ATTRIBUTES fetches each item from the table, in index order.
    let out = db
        .backend()
        .query(query(Some("ALL_ATTRIBUTES"), None, None))
        .await
        .unwrap();
    assert_eq!(
        out.items.unwrap(),
        vec![
            order("ada", 10, "DELIVERED", 99),
            order("ada", 1, "PLACED", 500),
            order("ada", 2, "SHIPPED", 1500),
        ]
    );
    // So does a projection naming an attribute the index does not hold.
    let out = db
        .backend()
        .query(query(None, Some("#s, cents"), None))
        .await
        .unwrap();
    assert_eq!(
        out.items.unwrap(),
        vec![
            js(json!({"state": {"S": "DELIVERED"}, "cents": {"N": "99"}})),
            js(json!({"state": {"S": "PLACED"}, "cents": {"N": "500"}})),
            js(json!({"state": {"S": "SHIPPED"}, "cents": {"N": "1500"}})),
        ]
    );
    // A filter on such an attribute is evaluated on the table item; what
    // is returned is still the index entry.
    let out = db
        .backend()
        .query(query(None, None, Some("#s = :placed")))
        .await
        .unwrap();
    assert_eq!((out.count, out.scanned_count), (1, 3));
    assert_eq!(
        out.items.unwrap(),
        vec![js(
            json!({"customer": {"S": "ada"}, "number": {"N": "1"}, "cents": {"N": "500"}})
        )]
    );
    // A scan of the index fetches the same way.
    let scan: ScanInput = req(json!({
        "TableName": "orders", "IndexName": "by_cents",
        "ProjectionExpression": "#n, #s", "ExpressionAttributeNames": {"#n": "number", "#s": "state"},
    }));
    let mut states: Vec<Value> = db
        .backend()
        .scan(scan)
        .await
        .unwrap()
        .items
        .unwrap()
        .iter()
        .map(wire)
        .collect();
    states.sort_by_key(|v| v.to_string());
    assert_eq!(
        states,
        [
            json!({"number": {"N": "1"}, "state": {"S": "PLACED"}}),
            json!({"number": {"N": "1"}, "state": {"S": "PLACED"}}),
            json!({"number": {"N": "10"}, "state": {"S": "DELIVERED"}}),
            json!({"number": {"N": "2"}, "state": {"S": "SHIPPED"}}),
            json!({"number": {"N": "3"}, "state": {"S": "PLACED"}}),
        ]
    );
}

async fn item_collection_metrics_size_the_partition_of_a_table_with_a_local_index(db: Client) {
    with_orders(&db).await;
    let metrics = json!({
        "ItemCollectionKey": {"customer": {"S": "ada"}},
        "SizeEstimateRangeGB": [0.0, 1.0]
    });
    let mut put = PutItemInput::new("orders", order("ada", 4, "PLACED", 10));
    put.return_item_collection_metrics = Some(ReturnItemCollectionMetrics::Size);
    let out = db.backend().put_item(put.clone()).await.unwrap();
    assert_eq!(wire(&out.item_collection_metrics), metrics);
    let update: UpdateItemInput = req(json!({
        "TableName": "orders", "Key": {"customer": {"S": "ada"}, "number": {"N": "4"}},
        "UpdateExpression": "SET cents = :c",
        "ExpressionAttributeValues": {":c": {"N": "11"}},
        "ReturnItemCollectionMetrics": "SIZE"
    }));
    let out = db.backend().update_item(update).await.unwrap();
    assert_eq!(wire(&out.item_collection_metrics), metrics);
    let mut delete = DeleteItemInput::new("orders", key("ada", 4));
    delete.return_item_collection_metrics = Some(ReturnItemCollectionMetrics::Size);
    let out = db.backend().delete_item(delete).await.unwrap();
    assert_eq!(wire(&out.item_collection_metrics), metrics);
    // Not asked for: none.
    put.return_item_collection_metrics = None;
    let out = db.backend().put_item(put).await.unwrap();
    assert_eq!(out.item_collection_metrics, None);
    // A table without a local index has no item collections to size.
    let plain: CreateTableInput = req(json!({
        "TableName": "plain",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"
    }));
    db.backend().create_table(plain).await.unwrap();
    let mut put = PutItemInput::new("plain", js(json!({"id": {"S": "a"}})));
    put.return_item_collection_metrics = Some(ReturnItemCollectionMetrics::Size);
    assert_eq!(
        db.backend()
            .put_item(put)
            .await
            .unwrap()
            .item_collection_metrics,
        None
    );
}

async fn errors_reach_the_caller_as_the_same_typed_values(db: Client) {
    // ResourceNotFound before the table exists, ResourceInUse after.
    assert_eq!(
        db.backend()
            .put_item(PutItemInput::new("orders", order("ada", 1, "PLACED", 1)))
            .await
            .unwrap_err(),
        Error::ResourceNotFound("Requested resource not found".into())
    );
    with_orders(&db).await;
    let again: CreateTableInput = req(json!({
        "TableName": "orders",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"
    }));
    assert_eq!(
        db.backend().create_table(again).await.unwrap_err(),
        Error::ResourceInUse("Table already exists: orders".into())
    );
    // Validation.
    let mut wrong_type = PutItemInput::new("orders", order("ada", 1, "PLACED", 1));
    wrong_type
        .item
        .insert("cents".into(), AttributeValue::S("lots".into()));
    assert_eq!(
        db.backend().put_item(wrong_type).await.unwrap_err(),
        Error::Validation(
            "One or more parameter values were invalid: Type mismatch for Index Key cents Expected: N Actual: S IndexName: by_cents".into()
        )
    );
    // A failed condition, with the item when asked for.
    let mut guarded: PutItemInput = req(json!({
        "TableName": "orders", "Item": {"customer": {"S": "ada"}, "number": {"N": "1"}},
        "ConditionExpression": "attribute_not_exists(customer)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"
    }));
    assert_eq!(
        db.backend().put_item(guarded.clone()).await.unwrap_err(),
        Error::ConditionalCheckFailed {
            message: "The conditional request failed".into(),
            item: Some(order("ada", 1, "PLACED", 500)),
        }
    );
    guarded.return_values_on_condition_check_failure = None;
    assert_eq!(db.backend().put_item(guarded).await.unwrap_err(), failed());
    // A cancelled transaction, with a reason per action.
    let transfer = |token: &str, amount: &str| -> TransactWriteItemsInput {
        req(json!({
            "ClientRequestToken": token,
            "TransactItems": [
                {"Update": {"TableName": "orders",
                    "Key": {"customer": {"S": "ada"}, "number": {"N": "1"}},
                    "UpdateExpression": "SET cents = cents - :a",
                    "ConditionExpression": "cents >= :a",
                    "ExpressionAttributeValues": {":a": {"N": amount}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Update": {"TableName": "orders",
                    "Key": {"customer": {"S": "bob"}, "number": {"N": "1"}},
                    "UpdateExpression": "SET cents = cents + :a",
                    "ExpressionAttributeValues": {":a": {"N": amount}}}}
            ]
        }))
    };
    assert_eq!(
        db.backend()
            .transact_write_items(transfer("t1", "501"))
            .await
            .unwrap_err(),
        Error::TransactionCanceled {
            message: "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]".into(),
            reasons: vec![
                CancellationReason {
                    code: "ConditionalCheckFailed".into(),
                    message: Some("The conditional request failed".into()),
                    item: Some(order("ada", 1, "PLACED", 500)),
                },
                CancellationReason {
                    code: "None".into(),
                    message: None,
                    item: None,
                },
            ],
        }
    );
    // Another error type: a token reused for a different transaction.
    db.backend()
        .transact_write_items(transfer("t2", "100"))
        .await
        .unwrap();
    assert_eq!(
        db.backend()
            .transact_write_items(transfer("t2", "200"))
            .await
            .unwrap_err(),
        Error::Service {
            error_type: "IdempotentParameterMismatchException".into(),
            message:
                "The request uses the same client token as a previous, but non-identical request."
                    .into(),
        }
    );
    assert_eq!(
        get(&db, "bob", 1).await,
        Some(order("bob", 1, "PLACED", 800))
    );
}

on_both_backends!(
    legacy_expected_makes_puts_updates_and_deletes_conditional,
    legacy_attribute_updates_put_add_and_delete,
    legacy_key_conditions_query_filter_and_attributes_to_get,
    legacy_scan_filter_and_attributes_to_get_on_every_read,
    legacy_and_expression_parameters_cannot_be_mixed,
    consumed_capacity_with_indexes_splits_table_and_index_units,
    return_values_all_old_and_updated_old,
    update_table_deletes_an_index_and_switches_billing,
    list_tables_pages_by_limit_and_start_name,
    scan_pages_by_limit_and_by_segment,
    a_query_over_1_mb_returns_pages_that_resume_from_the_last_key,
    a_local_index_fetches_unprojected_attributes_from_the_table,
    item_collection_metrics_size_the_partition_of_a_table_with_a_local_index,
    errors_reach_the_caller_as_the_same_typed_values,
);

/// The legacy members as the AWS SDK itself sends them, to the server: the
/// scenarios above give the backend the conditions they decode to, so this
/// is where the server decodes the SDK's own encoding of them.
#[tokio::test]
async fn legacy_parameters_sent_by_the_aws_sdk_are_served() {
    use aws_sdk_dynamodb::types::{
        AttributeAction, AttributeValue as Sdk, AttributeValueUpdate, ComparisonOperator,
        Condition, ConditionalOperator, ExpectedAttributeValue, KeysAndAttributes,
        ReturnValue as SdkReturnValue,
    };
    let server = common::serve().await;
    let db = common::aws_client(&server);
    with_orders(&db).await;
    let backend = common::aws_backend(&server);
    let sdk = backend.client();
    let s = |v: &str| Sdk::S(v.into());
    let n = |v: &str| Sdk::N(v.into());
    let condition = |op: ComparisonOperator, values: Vec<Sdk>| {
        Condition::builder()
            .comparison_operator(op)
            .set_attribute_value_list(Some(values))
            .build()
            .unwrap()
    };
    let from_sdk =
        |item: std::collections::HashMap<String, Sdk>| dynamo_aws::sdk::from_sdk_map(item).unwrap();

    // PutItem with Expected: Exists false on an existing key fails.
    let err = sdk
        .put_item()
        .table_name("orders")
        .item("customer", s("ada"))
        .item("number", n("1"))
        .expected(
            "customer",
            ExpectedAttributeValue::builder().exists(false).build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().to_string(),
        "ConditionalCheckFailedException: The conditional request failed"
    );

    // UpdateItem with AttributeUpdates and Expected.
    let updated = sdk
        .update_item()
        .table_name("orders")
        .key("customer", s("ada"))
        .key("number", n("2"))
        .attribute_updates(
            "cents",
            AttributeValueUpdate::builder()
                .action(AttributeAction::Add)
                .value(n("25"))
                .build(),
        )
        .attribute_updates(
            "state",
            AttributeValueUpdate::builder()
                .action(AttributeAction::Delete)
                .build(),
        )
        .expected(
            "state",
            ExpectedAttributeValue::builder()
                .comparison_operator(ComparisonOperator::Eq)
                .attribute_value_list(s("SHIPPED"))
                .build(),
        )
        .return_values(SdkReturnValue::UpdatedNew)
        .send()
        .await
        .unwrap();
    assert_eq!(
        from_sdk(updated.attributes.unwrap()),
        js(json!({"cents": {"N": "1525"}}))
    );

    // Query with KeyConditions, QueryFilter (OR) and AttributesToGet.
    let out = sdk
        .query()
        .table_name("orders")
        .key_conditions(
            "customer",
            condition(ComparisonOperator::Eq, vec![s("ada")]),
        )
        .key_conditions("number", condition(ComparisonOperator::Gt, vec![n("1")]))
        .query_filter("cents", condition(ComparisonOperator::Lt, vec![n("100")]))
        .query_filter("state", condition(ComparisonOperator::Null, vec![]))
        .conditional_operator(ConditionalOperator::Or)
        .attributes_to_get("number")
        .send()
        .await
        .unwrap();
    assert_eq!((out.count, out.scanned_count), (2, 3));
    let items: Vec<AttributeMap> = out.items.unwrap().into_iter().map(from_sdk).collect();
    assert_eq!(
        items,
        vec![
            js(json!({"number": {"N": "2"}})),
            js(json!({"number": {"N": "10"}}))
        ]
    );

    // Scan with ScanFilter and AttributesToGet.
    let out = sdk
        .scan()
        .table_name("orders")
        .scan_filter(
            "cents",
            condition(ComparisonOperator::Between, vec![n("500"), n("700")]),
        )
        .attributes_to_get("customer")
        .attributes_to_get("cents")
        .send()
        .await
        .unwrap();
    let mut items: Vec<Value> = out
        .items
        .unwrap()
        .into_iter()
        .map(|i| wire(&from_sdk(i)))
        .collect();
    items.sort_by_key(|v| v.to_string());
    assert_eq!(
        items,
        [
            json!({"customer": {"S": "ada"}, "cents": {"N": "500"}}),
            json!({"customer": {"S": "bob"}, "cents": {"N": "700"}})
        ]
    );

    // GetItem and BatchGetItem with AttributesToGet.
    let got = sdk
        .get_item()
        .table_name("orders")
        .key("customer", s("ada"))
        .key("number", n("3"))
        .attributes_to_get("state")
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        from_sdk(got.item.unwrap()),
        js(json!({"state": {"S": "PLACED"}}))
    );
    let keys = KeysAndAttributes::builder()
        .keys(
            [
                ("customer".to_owned(), s("bob")),
                ("number".to_owned(), n("1")),
            ]
            .into(),
        )
        .attributes_to_get("cents")
        .build()
        .unwrap();
    let got = sdk
        .batch_get_item()
        .request_items("orders", keys)
        .send()
        .await
        .unwrap();
    let responses: Vec<AttributeMap> = got.responses.unwrap()["orders"]
        .iter()
        .cloned()
        .map(from_sdk)
        .collect();
    assert_eq!(responses, vec![js(json!({"cents": {"N": "700"}}))]);

    // DeleteItem with Expected.
    sdk.delete_item()
        .table_name("orders")
        .key("customer", s("bob"))
        .key("number", n("1"))
        .expected(
            "cents",
            ExpectedAttributeValue::builder().value(n("700")).build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(get(&db, "bob", 1).await, None);
    server.shutdown().await;
}
