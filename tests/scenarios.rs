//! One scenario suite, written once against `Client`, run on the
//! in-process engine and through `dynamo-aws` (aws-sdk-dynamodb) against a
//! `dynamo-local serve` started on an ephemeral 127.0.0.1 port. Passing on
//! both shows the AWS path works without AWS, and that the server speaks
//! the protocol the SDK expects.

use dynamo::expr::{
    Condition, ExpressionContext, ExpressionKind, KeyCondition, Projection, SortKeyOp,
};
use dynamo::ops::*;
use dynamo::schema::{
    GlobalSecondaryIndex, KeySchemaElement, Projection as IndexProjection, ScalarAttributeType,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use dynamo::{AttributeMap, AttributeValue, Client, Error, Item, decode_json};
use serde_json::{Value, json};

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer: String,
    #[dynamo(sort_key)]
    number: u64,
    state: String,
    cents: u64,
    skus: Vec<String>,
}

fn order(customer: &str, number: u64, state: &str, cents: u64) -> Order {
    Order {
        customer: customer.into(),
        number,
        state: state.into(),
        cents,
        skus: vec![format!("sku-{number}")],
    }
}

fn js(v: Value) -> AttributeMap {
    decode_json(v.to_string().as_bytes()).unwrap()
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.into())
}

fn condition(text: &str, values: Value) -> Condition {
    let values = js(values);
    ExpressionContext::new(None, (!values.is_empty()).then_some(&values))
        .unwrap()
        .condition(ExpressionKind::Condition, text)
        .unwrap()
}

fn key(customer: &str, number: i64) -> AttributeMap {
    AttributeMap::from([
        ("customer".into(), s(customer)),
        ("number".into(), n(number)),
    ])
}

async fn with_orders(db: &Client) {
    db.create_table::<Order>().await.unwrap();
    for (number, state, cents) in [
        (1, "PLACED", 500),
        (2, "SHIPPED", 1500),
        (3, "PLACED", 2500),
        (10, "SHIPPED", 99),
    ] {
        db.put(&order("ada", number, state, cents)).await.unwrap();
    }
    db.put(&order("bob", 1, "PLACED", 700)).await.unwrap();
}

async fn table_lifecycle(db: Client) {
    let created = db.create_table::<Order>().await.unwrap();
    assert_eq!(created.table_name, "orders");
    let described = db
        .backend()
        .describe_table(DescribeTableInput {
            table_name: "orders".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        described.table.key_schema,
        vec![
            KeySchemaElement::hash("customer"),
            KeySchemaElement::range("number")
        ]
    );
    let listed = db
        .backend()
        .list_tables(ListTablesInput::default())
        .await
        .unwrap();
    assert_eq!(listed.table_names, vec!["orders"]);
    assert_eq!(
        db.create_table::<Order>().await.unwrap_err(),
        Error::ResourceInUse("Table already exists: orders".into())
    );
    db.delete_table::<Order>().await.unwrap();
    let err = db
        .backend()
        .describe_table(DescribeTableInput {
            table_name: "orders".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::ResourceNotFound("Requested resource not found: Table: orders not found".into())
    );
}

async fn typed_crud_and_queries(db: Client) {
    with_orders(&db).await;
    assert_eq!(
        db.get(Order::key("ada", 2)).consistent().await.unwrap(),
        Some(order("ada", 2, "SHIPPED", 1500))
    );
    let numbers = |orders: Vec<Order>| orders.into_iter().map(|o| o.number).collect::<Vec<_>>();
    assert_eq!(
        numbers(db.query(Order::partition("ada")).await.unwrap()),
        [1, 2, 3, 10]
    );
    assert_eq!(
        numbers(
            db.query(Order::partition("ada"))
                .reverse()
                .limit(3)
                .await
                .unwrap()
        ),
        [10, 3, 2]
    );
    assert_eq!(
        numbers(
            db.query(Order::partition("ada").sk_between(2, 3))
                .await
                .unwrap()
        ),
        [2, 3]
    );
    db.delete(Order::key("ada", 1)).await.unwrap();
    assert_eq!(db.get(Order::key("ada", 1)).await.unwrap(), None);
}

async fn a_failed_condition_returns_the_current_item(db: Client) {
    with_orders(&db).await;
    let mut put = PutItemInput::new(
        "orders",
        js(json!({"customer": {"S": "ada"}, "number": {"N": "2"}})),
    );
    put.condition = Some(condition("attribute_not_exists(customer)", json!({})).clone());
    put.return_values_on_condition_check_failure =
        Some(ReturnValuesOnConditionCheckFailure::AllOld);
    match db.backend().put_item(put).await.unwrap_err() {
        Error::ConditionalCheckFailed { message, item } => {
            assert_eq!(message, "The conditional request failed");
            assert_eq!(item.unwrap()["state"], s("SHIPPED"));
        }
        other => panic!("{other:?}"),
    }
}

async fn update_item_returns_what_was_asked(db: Client) {
    with_orders(&db).await;
    let values =
        js(json!({":inc": {"N": "100"}, ":s": {"S": "DELIVERED"}, ":was": {"S": "SHIPPED"}}));
    let names = std::collections::HashMap::from([("#s".to_owned(), "state".to_owned())]);
    let cx = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    let update = cx.update("SET cents = cents + :inc, #s = :s").unwrap();
    let cond = cx
        .condition(ExpressionKind::Condition, "#s = :was")
        .unwrap();
    let mut input = UpdateItemInput::new("orders", key("ada", 2), update);
    input.condition = Some(cond);
    input.return_values = Some(ReturnValue::UpdatedNew);
    let out = db.backend().update_item(input.clone()).await.unwrap();
    assert_eq!(
        out.attributes.unwrap(),
        js(json!({"cents": {"N": "1600"}, "state": {"S": "DELIVERED"}}))
    );
    assert!(matches!(
        db.backend().update_item(input).await,
        Err(Error::ConditionalCheckFailed { .. })
    ));
}

async fn filters_projections_and_pages(db: Client) {
    with_orders(&db).await;
    let mut query = QueryInput::new(
        "orders",
        KeyCondition::partition("customer", s("ada")).and_sort_key("number", SortKeyOp::Ge(n(1))),
    );
    query.filter = Some(condition("cents > :min", json!({":min": {"N": "1000"}})));
    query.projection = Some(Projection {
        paths: vec![
            dynamo::expr::Path::attribute("number"),
            dynamo::expr::Path::attribute("cents"),
        ],
    });
    query.limit = Some(2);
    let page = db.backend().query(query.clone()).await.unwrap();
    assert_eq!((page.count, page.scanned_count), (1, 2));
    assert_eq!(
        page.items.unwrap(),
        vec![js(json!({"number": {"N": "2"}, "cents": {"N": "1500"}}))]
    );
    query.exclusive_start_key = page.last_evaluated_key;
    let next = db.backend().query(query).await.unwrap();
    assert_eq!(
        next.items.unwrap(),
        vec![js(json!({"number": {"N": "3"}, "cents": {"N": "2500"}}))]
    );

    let mut scan = ScanInput::new("orders");
    scan.select = Some(Select::Count);
    scan.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
    let counted = db.backend().scan(scan).await.unwrap();
    assert_eq!((counted.count, counted.items), (5, None));
    assert_eq!(counted.consumed_capacity.unwrap().capacity_units, Some(0.5));
}

async fn secondary_indexes(db: Client) {
    let mut input = CreateTableInput::new(
        "orders",
        vec![
            KeySchemaElement::hash("customer"),
            KeySchemaElement::range("number"),
        ],
        vec![
            dynamo::schema::AttributeDefinition {
                attribute_name: "customer".into(),
                attribute_type: ScalarAttributeType::S,
            },
            dynamo::schema::AttributeDefinition {
                attribute_name: "number".into(),
                attribute_type: ScalarAttributeType::N,
            },
            dynamo::schema::AttributeDefinition {
                attribute_name: "state".into(),
                attribute_type: ScalarAttributeType::S,
            },
        ],
    );
    input.global_secondary_indexes = Some(vec![GlobalSecondaryIndex {
        index_name: "by_state".into(),
        key_schema: vec![
            KeySchemaElement::hash("state"),
            KeySchemaElement::range("number"),
        ],
        projection: IndexProjection::keys_only(),
        provisioned_throughput: None,
    }]);
    let created = db.backend().create_table(input).await.unwrap();
    assert_eq!(
        created.table_description.global_secondary_indexes.unwrap()[0].index_name,
        "by_state"
    );
    for (number, state, cents) in [
        (1, "PLACED", 500),
        (2, "SHIPPED", 1500),
        (3, "PLACED", 2500),
    ] {
        db.put(&order("ada", number, state, cents)).await.unwrap();
    }
    let mut query = QueryInput::new("orders", KeyCondition::partition("state", s("PLACED")));
    query.index_name = Some("by_state".into());
    query.scan_index_forward = Some(false);
    let items = db
        .backend()
        .query(query.clone())
        .await
        .unwrap()
        .items
        .unwrap();
    assert_eq!(
        items,
        vec![
            key("ada", 3)
                .into_iter()
                .chain([("state".into(), s("PLACED"))])
                .collect::<AttributeMap>(),
            key("ada", 1)
                .into_iter()
                .chain([("state".into(), s("PLACED"))])
                .collect()
        ]
    );
    query.consistent_read = Some(true);
    assert_eq!(
        db.backend().query(query).await.unwrap_err(),
        Error::Validation("Consistent reads are not supported on global secondary indexes".into())
    );
}

async fn batches(db: Client) {
    db.create_table::<Order>().await.unwrap();
    let writes = (1..=25)
        .map(|i| WriteRequest::PutRequest {
            item: dynamo::Item::to_item(&order("ada", i, "PLACED", i * 10)).unwrap(),
        })
        .collect();
    db.backend()
        .batch_write_item(BatchWriteItemInput {
            request_items: [("orders".to_owned(), writes)].into(),
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    // Every write landed: all 25 orders read back as written.
    let all = KeysAndAttributes {
        keys: (1..=25).map(|i| key("ada", i)).collect(),
        consistent_read: Some(true),
        projection: None,
    };
    let got = db
        .backend()
        .batch_get_item(BatchGetItemInput {
            request_items: [("orders".to_owned(), all)].into(),
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    assert!(got.unprocessed_keys.is_empty());
    let mut read: Vec<Order> = got.responses["orders"]
        .iter()
        .map(|item| Order::from_item(item.clone()).unwrap())
        .collect();
    read.sort_by_key(|o| o.number);
    let written: Vec<Order> = (1..=25)
        .map(|i| order("ada", i, "PLACED", i * 10))
        .collect();
    assert_eq!(read, written);
    let keys = KeysAndAttributes {
        keys: vec![key("ada", 3), key("ada", 30)],
        consistent_read: Some(true),
        projection: Some(Projection {
            paths: vec![dynamo::expr::Path::attribute("cents")],
        }),
    };
    let got = db
        .backend()
        .batch_get_item(BatchGetItemInput {
            request_items: [("orders".to_owned(), keys)].into(),
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    assert_eq!(
        got.responses["orders"],
        vec![js(json!({"cents": {"N": "30"}}))]
    );
    let duplicate = vec![
        WriteRequest::DeleteRequest { key: key("ada", 1) },
        WriteRequest::DeleteRequest { key: key("ada", 1) },
    ];
    assert_eq!(
        db.backend()
            .batch_write_item(BatchWriteItemInput {
                request_items: [("orders".to_owned(), duplicate)].into(),
                return_consumed_capacity: None
            })
            .await
            .unwrap_err(),
        Error::Validation("Provided list of item keys contains duplicates".into())
    );
}

async fn a_batch_get_over_16_mb_leaves_keys_unprocessed(db: Client) {
    db.create_table::<Order>().await.unwrap();
    // 44 items of 390,000 bytes: 43 fit in 16 MB (16,770,000 bytes), the
    // 44th would take the response to 17,160,000.
    for i in 0..44 {
        let mut item = key("big", i);
        let filler = 390_000 - dynamo::value::item_size(&item) - "blob".len();
        item.insert("blob".into(), s(&"x".repeat(filler)));
        assert_eq!(dynamo::value::item_size(&item), 390_000);
        db.backend()
            .put_item(PutItemInput::new("orders", item))
            .await
            .unwrap();
    }
    let asked = KeysAndAttributes {
        keys: (0..44).map(|i| key("big", i)).collect(),
        consistent_read: Some(true),
        projection: None,
    };
    let got = db
        .backend()
        .batch_get_item(BatchGetItemInput {
            request_items: [("orders".to_owned(), asked)].into(),
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    let returned = &got.responses["orders"];
    assert_eq!(returned.len(), 43);
    let left = &got.unprocessed_keys["orders"];
    assert_eq!(left.keys.len(), 1);
    assert_eq!(
        left.consistent_read,
        Some(true),
        "the request's options come back"
    );
    // The unprocessed key is the one whose item was not returned.
    let numbers = |items: &[AttributeMap]| -> Vec<AttributeValue> {
        items.iter().map(|i| i["number"].clone()).collect()
    };
    let mut seen = numbers(returned);
    seen.extend(numbers(&left.keys));
    seen.sort_by_key(|n| match n {
        AttributeValue::N(n) => i64::try_from(*n).unwrap(),
        other => panic!("{other:?}"),
    });
    assert_eq!(seen, (0..44).map(n).collect::<Vec<_>>());
    // Asked again, the unprocessed key is read.
    let again = db
        .backend()
        .batch_get_item(BatchGetItemInput {
            request_items: [("orders".to_owned(), left.clone())].into(),
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    assert!(again.unprocessed_keys.is_empty());
    assert_eq!(numbers(&again.responses["orders"]), numbers(&left.keys));
}

async fn validation_errors_carry_dynamodb_messages(db: Client) {
    db.create_table::<Order>().await.unwrap();
    let err = db.put(&order("", 1, "PLACED", 1)).await.unwrap_err();
    assert_eq!(
        err,
        Error::Validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: customer".into())
    );
    let err = db
        .backend()
        .get_item(GetItemInput::new(
            "orders",
            key("ada", 1).into_iter().take(1).collect(),
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Validation("The provided key element does not match the schema".into())
    );
    let err = db
        .backend()
        .get_item(GetItemInput::new("missing", key("ada", 1)))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::ResourceNotFound("Requested resource not found".into())
    );
}

async fn time_to_live(db: Client) {
    db.create_table::<Order>().await.unwrap();
    let spec = TimeToLiveSpecification {
        enabled: true,
        attribute_name: "expires".into(),
    };
    db.backend()
        .update_time_to_live(UpdateTimeToLiveInput {
            table_name: "orders".into(),
            time_to_live_specification: spec,
        })
        .await
        .unwrap();
    let described = db
        .backend()
        .describe_time_to_live(DescribeTimeToLiveInput {
            table_name: "orders".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        described.time_to_live_description.time_to_live_status,
        TimeToLiveStatus::Enabled
    );
    assert_eq!(
        described.time_to_live_description.attribute_name.as_deref(),
        Some("expires")
    );
}

async fn update_table_adds_a_backfilled_index(db: Client) {
    with_orders(&db).await;
    let update = UpdateTableInput {
        table_name: "orders".into(),
        attribute_definitions: Some(vec![dynamo::schema::AttributeDefinition {
            attribute_name: "state".into(),
            attribute_type: ScalarAttributeType::S,
        }]),
        global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate {
            create: Some(GlobalSecondaryIndex {
                index_name: "by_state".into(),
                key_schema: vec![KeySchemaElement::hash("state")],
                projection: IndexProjection::all(),
                provisioned_throughput: None,
            }),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let described = db
        .backend()
        .update_table(update)
        .await
        .unwrap()
        .table_description;
    assert_eq!(described.global_secondary_indexes.unwrap()[0].item_count, 5);
}

async fn tags(db: Client) {
    let arn = db.create_table::<Order>().await.unwrap().table_arn;
    let tag = |k: &str, v: &str| Tag {
        key: k.into(),
        value: v.into(),
    };
    db.backend()
        .tag_resource(TagResourceInput {
            resource_arn: arn.clone(),
            tags: vec![tag("team", "core"), tag("env", "dev")],
        })
        .await
        .unwrap();
    db.backend()
        .tag_resource(TagResourceInput {
            resource_arn: arn.clone(),
            tags: vec![tag("env", "prod")],
        })
        .await
        .unwrap();
    db.backend()
        .untag_resource(UntagResourceInput {
            resource_arn: arn.clone(),
            tag_keys: vec!["team".into()],
        })
        .await
        .unwrap();
    let listed = db
        .backend()
        .list_tags_of_resource(ListTagsOfResourceInput {
            resource_arn: arn,
            next_token: None,
        })
        .await
        .unwrap();
    assert_eq!(listed.tags, vec![tag("env", "prod")]);
    let err = db
        .backend()
        .list_tags_of_resource(ListTagsOfResourceInput {
            resource_arn: "not-an-arn".into(),
            next_token: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ValidationException");
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "accounts")]
struct Account {
    #[dynamo(partition_key)]
    id: String,
    balance: i64,
}

fn transfer(from: &str, to: &str, amount: i64, token: Option<&str>) -> TransactWriteItemsInput {
    let values =
        js(json!({":amount": {"N": amount.to_string()}, ":minus": {"N": (-amount).to_string()}}));
    let cx = ExpressionContext::new(None, Some(&values)).unwrap();
    let debit = cx.update("SET balance = balance + :minus").unwrap();
    let guard = cx
        .condition(ExpressionKind::Condition, "balance >= :amount")
        .unwrap();
    let credit = cx.update("SET balance = balance + :amount").unwrap();
    let account = |id: &str| AttributeMap::from([("id".to_owned(), s(id))]);
    TransactWriteItemsInput {
        transact_items: vec![
            TransactWriteItem::Update {
                table_name: "accounts".into(),
                key: account(from),
                update: debit,
                condition: Some(guard),
                return_values_on_condition_check_failure: Some(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                ),
            },
            TransactWriteItem::Update {
                table_name: "accounts".into(),
                key: account(to),
                update: credit,
                condition: None,
                return_values_on_condition_check_failure: None,
            },
        ],
        client_request_token: token.map(str::to_owned),
        return_consumed_capacity: None,
    }
}

async fn transactions(db: Client) {
    db.create_table::<Account>().await.unwrap();
    db.put(&Account {
        id: "alice".into(),
        balance: 100,
    })
    .await
    .unwrap();
    db.put(&Account {
        id: "bob".into(),
        balance: 0,
    })
    .await
    .unwrap();
    db.backend()
        .transact_write_items(transfer("alice", "bob", 30, Some("t-1")))
        .await
        .unwrap();
    // A retry with the same token is not applied twice.
    db.backend()
        .transact_write_items(transfer("alice", "bob", 30, Some("t-1")))
        .await
        .unwrap();
    let balance = |id: &'static str| {
        let db = db.clone();
        async move {
            db.get(Account::key(id))
                .consistent()
                .await
                .unwrap()
                .unwrap()
                .balance
        }
    };
    assert_eq!((balance("alice").await, balance("bob").await), (70, 30));
    // The same token with another request is refused.
    let err = db
        .backend()
        .transact_write_items(transfer("alice", "bob", 5, Some("t-1")))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "IdempotentParameterMismatchException");

    // Overdraft: nothing happens, and the reasons say why, in order.
    match db
        .backend()
        .transact_write_items(transfer("bob", "alice", 500, None))
        .await
        .unwrap_err()
    {
        Error::TransactionCanceled { message, reasons } => {
            assert_eq!(
                message,
                "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]"
            );
            assert_eq!(reasons[0].code, "ConditionalCheckFailed");
            assert_eq!(reasons[0].item.as_ref().unwrap()["balance"], n(30));
            assert_eq!(reasons[1].code, "None");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((balance("alice").await, balance("bob").await), (70, 30));

    let mut twice = transfer("alice", "bob", 1, None);
    twice.transact_items[1] = twice.transact_items[0].clone();
    assert_eq!(
        db.backend().transact_write_items(twice).await.unwrap_err(),
        Error::Validation(
            "Transaction request cannot include multiple operations on one item".into()
        )
    );

    let read = db
        .backend()
        .transact_get_items(TransactGetItemsInput {
            transact_items: vec![
                TransactGetItem {
                    table_name: "accounts".into(),
                    key: AttributeMap::from([("id".to_owned(), s("bob"))]),
                    projection: None,
                },
                TransactGetItem {
                    table_name: "accounts".into(),
                    key: AttributeMap::from([("id".to_owned(), s("nobody"))]),
                    projection: None,
                },
            ],
            return_consumed_capacity: None,
        })
        .await
        .unwrap();
    assert_eq!(read.responses[0].item.as_ref().unwrap()["balance"], n(30));
    assert_eq!(read.responses[1].item, None);
    let bob = || TransactGetItem {
        table_name: "accounts".into(),
        key: AttributeMap::from([("id".to_owned(), s("bob"))]),
        projection: None,
    };
    let twice = TransactGetItemsInput {
        transact_items: vec![bob(), bob()],
        return_consumed_capacity: None,
    };
    assert_eq!(
        db.backend().transact_get_items(twice).await.unwrap_err(),
        Error::Validation(
            "Transaction request cannot include multiple operations on one item".into()
        )
    );
}

on_both_backends!(
    table_lifecycle,
    typed_crud_and_queries,
    a_failed_condition_returns_the_current_item,
    update_item_returns_what_was_asked,
    filters_projections_and_pages,
    secondary_indexes,
    batches,
    a_batch_get_over_16_mb_leaves_keys_unprocessed,
    validation_errors_carry_dynamodb_messages,
    time_to_live,
    update_table_adds_a_backfilled_index,
    tags,
    transactions,
);
