//! Scenarios on the in-process engine through the raw request model:
//! table lifecycle, key validation with DynamoDB's messages, and query and
//! scan ordering and paging.

use dynamo_core::expr::{
    KeyCondition, Path, SetAction, SetValue, SortKeyOp, Update, UpdateOperand,
};
use dynamo_core::ops::*;
use dynamo_core::schema::{
    AttributeDefinition, KeySchemaElement, ScalarAttributeType, TableStatus,
};
use dynamo_core::{AttributeMap, AttributeValue, Backend, Error, Number};
use dynamo_local::Engine;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.parse().unwrap())
}

fn b(v: &[u8]) -> AttributeValue {
    AttributeValue::B(v.to_vec())
}

fn item(pairs: &[(&str, AttributeValue)]) -> AttributeMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn table_input(
    name: &str,
    pk: ScalarAttributeType,
    sk: Option<ScalarAttributeType>,
) -> CreateTableInput {
    let mut keys = vec![KeySchemaElement::hash("pk")];
    let mut defs = vec![AttributeDefinition {
        attribute_name: "pk".into(),
        attribute_type: pk,
    }];
    if let Some(sk) = sk {
        keys.push(KeySchemaElement::range("sk"));
        defs.push(AttributeDefinition {
            attribute_name: "sk".into(),
            attribute_type: sk,
        });
    }
    CreateTableInput::new(name, keys, defs)
}

async fn engine_with(
    name: &str,
    pk: ScalarAttributeType,
    sk: Option<ScalarAttributeType>,
) -> Engine {
    let engine = Engine::new();
    engine
        .create_table(table_input(name, pk, sk))
        .await
        .unwrap();
    engine
}

fn validation(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Validation(message)) => message,
        other => panic!("expected ValidationException, got {other:?}"),
    }
}

#[tokio::test]
async fn a_created_table_is_described_listed_and_deleted() {
    let engine = engine_with(
        "orders",
        ScalarAttributeType::S,
        Some(ScalarAttributeType::N),
    )
    .await;
    let described = engine
        .describe_table(DescribeTableInput {
            table_name: "orders".into(),
        })
        .await
        .unwrap()
        .table;
    assert_eq!(described.table_status, TableStatus::Active);
    assert_eq!(described.partition_key(), Some("pk"));
    assert_eq!(described.sort_key(), Some("sk"));
    assert_eq!(
        described.table_arn,
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders"
    );

    let listed = engine
        .list_tables(ListTablesInput::default())
        .await
        .unwrap();
    assert_eq!(listed.table_names, vec!["orders"]);

    let deleted = engine
        .delete_table(DeleteTableInput {
            table_name: "orders".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        deleted.table_description.table_status,
        TableStatus::Deleting
    );
    let listed = engine
        .list_tables(ListTablesInput::default())
        .await
        .unwrap();
    assert!(listed.table_names.is_empty());
}

#[tokio::test]
async fn creating_an_existing_table_is_resource_in_use() {
    let engine = engine_with("orders", ScalarAttributeType::S, None).await;
    let err = engine
        .create_table(table_input("orders", ScalarAttributeType::S, None))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::ResourceInUse("Table already exists: orders".into())
    );
}

#[tokio::test]
async fn operations_on_a_missing_table_are_resource_not_found() {
    let engine = Engine::new();
    let key = item(&[("pk", s("a"))]);
    let data_plane = Error::ResourceNotFound("Requested resource not found".into());
    assert_eq!(
        engine
            .get_item(GetItemInput::new("nope", key.clone()))
            .await
            .unwrap_err(),
        data_plane
    );
    assert_eq!(
        engine
            .put_item(PutItemInput::new("nope", key.clone()))
            .await
            .unwrap_err(),
        data_plane
    );
    assert_eq!(
        engine
            .delete_item(DeleteItemInput::new("nope", key))
            .await
            .unwrap_err(),
        data_plane
    );
    assert_eq!(
        engine.scan(ScanInput::new("nope")).await.unwrap_err(),
        data_plane
    );
    let control_plane =
        Error::ResourceNotFound("Requested resource not found: Table: nope not found".into());
    assert_eq!(
        engine
            .describe_table(DescribeTableInput {
                table_name: "nope".into()
            })
            .await
            .unwrap_err(),
        control_plane
    );
    assert_eq!(
        engine
            .delete_table(DeleteTableInput {
                table_name: "nope".into()
            })
            .await
            .unwrap_err(),
        control_plane
    );
}

#[tokio::test]
async fn invalid_table_definitions_are_rejected_with_dynamodb_messages() {
    let engine = Engine::new();
    let mut input = table_input("ab", ScalarAttributeType::S, None);
    assert_eq!(
        validation(engine.create_table(input.clone()).await),
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
    );
    input.table_name = "bad table!".into();
    assert_eq!(
        validation(engine.create_table(input.clone()).await),
        "1 validation error detected: Value 'bad table!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    );
    input.table_name = "good".into();
    input.attribute_definitions.clear();
    assert_eq!(
        validation(engine.create_table(input.clone()).await),
        "Invalid KeySchema: Some index key attribute have no definition"
    );
    let mut input = table_input("good", ScalarAttributeType::S, None);
    input.billing_mode = None;
    assert_eq!(
        validation(engine.create_table(input).await),
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
    );
}

#[tokio::test]
async fn a_put_item_is_read_back_and_replaced_and_deleted() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::N)).await;
    let first = item(&[("pk", s("a")), ("sk", n("1")), ("v", s("one"))]);
    let second = item(&[("pk", s("a")), ("sk", n("1.0")), ("v", s("uno"))]);
    engine
        .put_item(PutItemInput::new("tbl", first.clone()))
        .await
        .unwrap();
    let mut replace = PutItemInput::new("tbl", second.clone());
    replace.return_values = Some(ReturnValue::AllOld);
    let replaced = engine.put_item(replace).await.unwrap();
    assert_eq!(replaced.attributes, Some(first));

    // 1e0 is the same number as 1.0: the same key.
    let key = item(&[("pk", s("a")), ("sk", n("1e0"))]);
    let got = engine
        .get_item(GetItemInput::new("tbl", key.clone()))
        .await
        .unwrap();
    assert_eq!(got.item, Some(second.clone()));

    let mut delete = DeleteItemInput::new("tbl", key.clone());
    delete.return_values = Some(ReturnValue::AllOld);
    assert_eq!(
        engine.delete_item(delete).await.unwrap().attributes,
        Some(second)
    );
    assert_eq!(
        engine
            .get_item(GetItemInput::new("tbl", key.clone()))
            .await
            .unwrap()
            .item,
        None
    );
    // Deleting a missing item succeeds and returns nothing.
    let mut delete = DeleteItemInput::new("tbl", key);
    delete.return_values = Some(ReturnValue::AllOld);
    assert_eq!(engine.delete_item(delete).await.unwrap().attributes, None);
}

#[tokio::test]
async fn put_item_key_errors_name_the_key() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::N)).await;
    let put = |i: AttributeMap| engine.put_item(PutItemInput::new("tbl", i));
    assert_eq!(
        validation(put(item(&[("pk", s("a"))])).await),
        "One or more parameter values were invalid: Missing the key sk in the item"
    );
    assert_eq!(
        validation(put(item(&[("pk", n("1")), ("sk", n("1"))])).await),
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    );
    assert_eq!(
        validation(put(item(&[("pk", s("")), ("sk", n("1"))])).await),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
    );
    assert_eq!(
        validation(put(item(&[("pk", s(&"x".repeat(2049))), ("sk", n("1"))])).await),
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
    );
    assert_eq!(
        validation(
            engine
                .put_item(PutItemInput::new(
                    "tbl",
                    item(&[
                        ("pk", s("a")),
                        ("sk", n("1")),
                        ("big", s(&"x".repeat(400 * 1024)))
                    ])
                ))
                .await
        ),
        "Item size has exceeded the maximum allowed size"
    );
    let mut wrong_return = PutItemInput::new("tbl", item(&[("pk", s("a")), ("sk", n("1"))]));
    wrong_return.return_values = Some(ReturnValue::AllNew);
    assert_eq!(
        validation(engine.put_item(wrong_return).await),
        "ReturnValues can only be ALL_OLD or NONE"
    );
}

#[tokio::test]
async fn get_item_keys_must_match_the_schema_exactly() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::N)).await;
    let get = |k: AttributeMap| engine.get_item(GetItemInput::new("tbl", k));
    let mismatch = "The provided key element does not match the schema";
    // Missing sort key, wrong type, extra attribute, unknown attribute.
    assert_eq!(validation(get(item(&[("pk", s("a"))])).await), mismatch);
    assert_eq!(
        validation(get(item(&[("pk", s("a")), ("sk", s("1"))])).await),
        mismatch
    );
    assert_eq!(
        validation(get(item(&[("pk", s("a")), ("sk", n("1")), ("x", s("y"))])).await),
        mismatch
    );
    assert_eq!(
        validation(get(item(&[("pk", s("a")), ("other", n("1"))])).await),
        mismatch
    );
    assert_eq!(
        validation(get(item(&[("pk", s("")), ("sk", n("1"))])).await),
        "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
    );
}

async fn query_all(
    engine: &Engine,
    condition: KeyCondition,
    forward: bool,
    limit: Option<i32>,
) -> Vec<AttributeValue> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let mut input = QueryInput::new("tbl", condition.clone());
        input.scan_index_forward = Some(forward);
        input.limit = limit;
        input.exclusive_start_key = start.take();
        let page = engine.query(input).await.unwrap();
        out.extend(page.items.unwrap().into_iter().map(|i| i["sk"].clone()));
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return out,
        }
    }
}

#[tokio::test]
async fn numeric_sort_keys_are_returned_in_numeric_order_both_ways() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::N)).await;
    let keys = ["10", "-1", "2", "-10.5", "0", "1e-5", "100", "9.99"];
    for k in keys {
        engine
            .put_item(PutItemInput::new(
                "tbl",
                item(&[("pk", s("p")), ("sk", n(k))]),
            ))
            .await
            .unwrap();
    }
    engine
        .put_item(PutItemInput::new(
            "tbl",
            item(&[("pk", s("other")), ("sk", n("5"))]),
        ))
        .await
        .unwrap();
    let ascending: Vec<_> = ["-10.5", "-1", "0", "1e-5", "2", "9.99", "10", "100"]
        .map(n)
        .into();
    let partition = KeyCondition::partition("pk", s("p"));
    assert_eq!(
        query_all(&engine, partition.clone(), true, None).await,
        ascending
    );
    let mut descending = ascending.clone();
    descending.reverse();
    assert_eq!(
        query_all(&engine, partition.clone(), false, None).await,
        descending
    );
    // Paging with every limit returns the same sequence.
    for limit in 1..=9 {
        assert_eq!(
            query_all(&engine, partition.clone(), true, Some(limit)).await,
            ascending
        );
        assert_eq!(
            query_all(&engine, partition.clone(), false, Some(limit)).await,
            descending
        );
    }
    let between = partition
        .clone()
        .and_sort_key("sk", SortKeyOp::Between(n("0"), n("10")));
    assert_eq!(
        query_all(&engine, between.clone(), true, Some(2)).await,
        ["0", "1e-5", "2", "9.99", "10"].map(n).to_vec()
    );
    assert_eq!(
        query_all(&engine, between, false, Some(2)).await,
        ["10", "9.99", "2", "1e-5", "0"].map(n).to_vec()
    );
    let gt = partition
        .clone()
        .and_sort_key("sk", SortKeyOp::Gt(n("9.99")));
    assert_eq!(
        query_all(&engine, gt, true, None).await,
        ["10", "100"].map(n).to_vec()
    );
    let le = partition.and_sort_key("sk", SortKeyOp::Le(n("-1")));
    assert_eq!(
        query_all(&engine, le, false, None).await,
        ["-1", "-10.5"].map(n).to_vec()
    );
}

#[tokio::test]
async fn binary_sort_keys_are_ordered_by_unsigned_bytes() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::B)).await;
    let keys: [&[u8]; 6] = [&[0xFF], &[0x00], &[0x7F], &[0x80], &[0x01, 0x02], &[0x01]];
    for k in keys {
        engine
            .put_item(PutItemInput::new(
                "tbl",
                item(&[("pk", s("p")), ("sk", b(k))]),
            ))
            .await
            .unwrap();
    }
    let partition = KeyCondition::partition("pk", s("p"));
    let expected: Vec<_> = [
        &[0x00][..],
        &[0x01],
        &[0x01, 0x02],
        &[0x7F],
        &[0x80],
        &[0xFF],
    ]
    .map(b)
    .into();
    assert_eq!(
        query_all(&engine, partition.clone(), true, Some(4)).await,
        expected
    );
    let prefix = partition.and_sort_key("sk", SortKeyOp::BeginsWith(b(&[0x01])));
    assert_eq!(
        query_all(&engine, prefix.clone(), true, None).await,
        vec![b(&[0x01]), b(&[0x01, 0x02])]
    );
    assert_eq!(
        query_all(&engine, prefix, false, Some(1)).await,
        vec![b(&[0x01, 0x02]), b(&[0x01])]
    );
}

#[tokio::test]
async fn string_sort_keys_use_byte_order_and_begins_with() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::S)).await;
    for k in [
        "order#2",
        "order#10",
        "Order#1",
        "address#1",
        "order#1",
        "é",
    ] {
        engine
            .put_item(PutItemInput::new(
                "tbl",
                item(&[("pk", s("c1")), ("sk", s(k))]),
            ))
            .await
            .unwrap();
    }
    let partition = KeyCondition::partition("pk", s("c1"));
    assert_eq!(
        query_all(&engine, partition.clone(), true, None).await,
        [
            "Order#1",
            "address#1",
            "order#1",
            "order#10",
            "order#2",
            "é"
        ]
        .map(s)
        .to_vec()
    );
    let orders = partition.and_sort_key("sk", SortKeyOp::BeginsWith(s("order#")));
    assert_eq!(
        query_all(&engine, orders.clone(), false, Some(2)).await,
        ["order#2", "order#10", "order#1"].map(s).to_vec()
    );
}

#[tokio::test]
async fn query_key_condition_errors() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::N)).await;
    let q = |kc: KeyCondition| engine.query(QueryInput::new("tbl", kc));
    assert_eq!(
        validation(q(KeyCondition::partition("sk", n("1"))).await),
        "Query condition missed key schema element: pk"
    );
    assert_eq!(
        validation(q(KeyCondition::partition("pk", n("1"))).await),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        validation(
            q(KeyCondition::partition("pk", s("a")).and_sort_key("other", SortKeyOp::Eq(n("1"))))
                .await
        ),
        "Query condition missed key schema element: sk"
    );
    assert_eq!(
        validation(
            q(KeyCondition::partition("pk", s("a"))
                .and_sort_key("sk", SortKeyOp::Between(n("5"), n("1"))))
            .await
        ),
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"
    );
    let mut zero = QueryInput::new("tbl", KeyCondition::partition("pk", s("a")));
    zero.limit = Some(0);
    assert_eq!(
        validation(engine.query(zero).await),
        "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
}

#[tokio::test]
async fn select_count_returns_counts_without_items() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::N)).await;
    for i in 0..5 {
        engine
            .put_item(PutItemInput::new(
                "tbl",
                item(&[("pk", s("p")), ("sk", AttributeValue::N(Number::from(i)))]),
            ))
            .await
            .unwrap();
    }
    let mut input = QueryInput::new("tbl", KeyCondition::partition("pk", s("p")));
    input.select = Some(Select::Count);
    let out = engine.query(input).await.unwrap();
    assert_eq!((out.items, out.count, out.scanned_count), (None, 5, 5));
}

async fn scan_keys(
    engine: &Engine,
    limit: Option<i32>,
    segment: Option<(i32, i32)>,
) -> Vec<AttributeValue> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let mut input = ScanInput::new("tbl");
        input.limit = limit;
        input.exclusive_start_key = start.take();
        if let Some((s, t)) = segment {
            input.segment = Some(s);
            input.total_segments = Some(t);
        }
        let page = engine.scan(input).await.unwrap();
        out.extend(
            page.items
                .unwrap()
                .into_iter()
                .map(|i| AttributeValue::L(vec![i["pk"].clone(), i["sk"].clone()])),
        );
        match page.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return out,
        }
    }
}

#[tokio::test]
async fn scans_page_and_segments_cover_the_table_exactly_once() {
    let engine = engine_with("tbl", ScalarAttributeType::S, Some(ScalarAttributeType::N)).await;
    for p in 0..40 {
        for sk in 0..3 {
            engine
                .put_item(PutItemInput::new(
                    "tbl",
                    item(&[
                        ("pk", s(&format!("p{p}"))),
                        ("sk", AttributeValue::N(Number::from(sk))),
                    ]),
                ))
                .await
                .unwrap();
        }
    }
    let whole = scan_keys(&engine, None, None).await;
    assert_eq!(whole.len(), 120);
    for limit in [1, 2, 7, 119, 120, 500] {
        assert_eq!(
            scan_keys(&engine, Some(limit), None).await,
            whole,
            "limit {limit}"
        );
    }
    for total in [1, 2, 3, 7] {
        let mut union = Vec::new();
        for segment in 0..total {
            union.extend(scan_keys(&engine, Some(5), Some((segment, total))).await);
        }
        assert_eq!(union.len(), 120, "total segments {total}");
        let mut sorted_union = union.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>();
        sorted_union.sort();
        let mut sorted_whole = whole.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>();
        sorted_whole.sort();
        assert_eq!(sorted_union, sorted_whole, "total segments {total}");
    }
    assert_eq!(
        validation(
            engine
                .scan(ScanInput {
                    segment: Some(5),
                    total_segments: Some(5),
                    ..ScanInput::new("tbl")
                })
                .await
        ),
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 5 is not less than TotalSegments: 5"
    );
}

#[tokio::test]
async fn describe_table_counts_items_and_bytes() {
    let engine = engine_with("tbl", ScalarAttributeType::S, None).await;
    // "pk" (2) + "a" (1) = 3 bytes; "pk" + "bb" = 4 bytes.
    engine
        .put_item(PutItemInput::new("tbl", item(&[("pk", s("a"))])))
        .await
        .unwrap();
    engine
        .put_item(PutItemInput::new("tbl", item(&[("pk", s("bb"))])))
        .await
        .unwrap();
    engine
        .put_item(PutItemInput::new("tbl", item(&[("pk", s("bb"))])))
        .await
        .unwrap();
    let table = engine
        .describe_table(DescribeTableInput {
            table_name: "tbl".into(),
        })
        .await
        .unwrap()
        .table;
    assert_eq!((table.item_count, table.table_size_bytes), (2, 7));
}

#[tokio::test]
async fn list_tables_pages_in_name_order() {
    let engine = Engine::new();
    for name in ["ccc", "aaa", "bbb", "ddd"] {
        engine
            .create_table(table_input(name, ScalarAttributeType::S, None))
            .await
            .unwrap();
    }
    let page = engine
        .list_tables(ListTablesInput {
            limit: Some(3),
            exclusive_start_table_name: None,
        })
        .await
        .unwrap();
    assert_eq!(page.table_names, vec!["aaa", "bbb", "ccc"]);
    assert_eq!(page.last_evaluated_table_name.as_deref(), Some("ccc"));
    let page = engine
        .list_tables(ListTablesInput {
            limit: Some(3),
            exclusive_start_table_name: Some("ccc".into()),
        })
        .await
        .unwrap();
    assert_eq!(page.table_names, vec!["ddd"]);
    assert_eq!(page.last_evaluated_table_name, None);
}

/// A value `levels` maps and lists deep (alternating, a list outermost)
/// around a string; the attribute's own value is level 1.
fn nested(levels: usize) -> AttributeValue {
    let mut value = s("bottom");
    for level in (1..=levels).rev() {
        value = if level % 2 == 1 {
            AttributeValue::L(vec![value])
        } else {
            AttributeValue::M([("m".to_owned(), value)].into())
        };
    }
    value
}

const TOO_DEEP: &str = "Nesting Levels have exceeded supported limits";

#[tokio::test]
async fn empty_sets_and_nesting_deeper_than_32_levels_are_rejected_on_writes() {
    let engine = engine_with("tbl", ScalarAttributeType::S, None).await;
    let bad = item(&[
        ("pk", s("a")),
        ("tags", AttributeValue::Ss(Default::default())),
    ]);
    assert_eq!(
        validation(engine.put_item(PutItemInput::new("tbl", bad)).await),
        "One or more parameter values were invalid: An string set  may not be empty"
    );
    let nested_empty = item(&[
        ("pk", s("a")),
        (
            "doc",
            AttributeValue::M([("nums".to_owned(), AttributeValue::Ns(Default::default()))].into()),
        ),
    ]);
    assert_eq!(
        validation(
            engine
                .put_item(PutItemInput::new("tbl", nested_empty))
                .await
        ),
        "One or more parameter values were invalid: An number set  may not be empty"
    );

    // 32 levels are stored and read back whole.
    let deepest = item(&[("pk", s("deep")), ("doc", nested(32))]);
    engine
        .put_item(PutItemInput::new("tbl", deepest.clone()))
        .await
        .unwrap();
    let key = item(&[("pk", s("deep"))]);
    let got = engine
        .get_item(GetItemInput::new("tbl", key.clone()))
        .await
        .unwrap();
    assert_eq!(got.item, Some(deepest.clone()));

    // 33 are rejected by every write, and nothing changes.
    let too_deep = item(&[("pk", s("deep")), ("doc", nested(33))]);
    assert_eq!(
        validation(
            engine
                .put_item(PutItemInput::new("tbl", too_deep.clone()))
                .await
        ),
        TOO_DEEP
    );
    let set_doc = Update {
        set: vec![SetAction {
            path: Path::attribute("doc"),
            value: SetValue::Operand(UpdateOperand::Value(nested(33))),
        }],
        ..Update::default()
    };
    assert_eq!(
        validation(
            engine
                .update_item(UpdateItemInput::new("tbl", key.clone(), set_doc))
                .await
        ),
        TOO_DEEP
    );
    assert_eq!(
        validation(
            engine
                .batch_write_item(BatchWriteItemInput {
                    request_items: [(
                        "tbl".to_owned(),
                        vec![WriteRequest::PutRequest { item: too_deep }],
                    )]
                    .into(),
                    return_consumed_capacity: None,
                })
                .await
        ),
        TOO_DEEP
    );
    let got = engine
        .get_item(GetItemInput::new("tbl", key))
        .await
        .unwrap();
    assert_eq!(got.item, Some(deepest));
}
