//! The request fuzz target's generator: a JSON request of every operation
//! DynamoDB serves, valid in shape with random values (keys from a small
//! pool over three fixed tables, so reads find writes), then usually
//! mutated: a node of the JSON tree replaced (wrong types, deep nesting,
//! malformed attribute values, huge strings, hostile expressions), keys
//! dropped or added, arrays blown up, legacy parameters with thousands of
//! entries, or the serialized bytes mutated.

use super::expressions;
use super::mutate;
use super::rng::Rng;
use super::values;
use dynamo_core::AttributeValue;
use dynamo_core::expr::{MAX_EXPRESSION_BYTES, PrintedExpression};
use serde_json::{Map, Value, json};

/// Every operation the server dispatches.
pub const OPERATIONS: &[&str] = &[
    "CreateTable",
    "DeleteTable",
    "DescribeTable",
    "ListTables",
    "UpdateTable",
    "UpdateTimeToLive",
    "DescribeTimeToLive",
    "PutItem",
    "GetItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
    "TagResource",
    "UntagResource",
    "ListTagsOfResource",
];

/// An attribute's name and type.
pub type KeyAttribute = (&'static str, &'static str);

/// A fixed table: name, partition key, sort key.
pub type Table = (&'static str, KeyAttribute, Option<KeyAttribute>);

/// The fixed tables.
pub const TABLES: &[Table] = &[
    ("fz_hash", ("pk", "S"), None),
    ("fz_range", ("pk", "S"), Some(("sk", "N"))),
    ("fz_bin", ("pk", "B"), Some(("sk", "S"))),
];

/// Tables the generator creates and deletes.
const SCRATCH_TABLES: &[&str] = &["fz_tmp0", "fz_tmp1", "fz_tmp2"];

/// The CreateTable bodies of the fixed tables.
pub fn setup_requests() -> Vec<Vec<u8>> {
    TABLES
        .iter()
        .map(|(name, (pk, pk_type), sk)| {
            let mut definitions = vec![json!({"AttributeName": pk, "AttributeType": pk_type})];
            let mut key_schema = vec![json!({"AttributeName": pk, "KeyType": "HASH"})];
            if let Some((sk, sk_type)) = sk {
                definitions.push(json!({"AttributeName": sk, "AttributeType": sk_type}));
                key_schema.push(json!({"AttributeName": sk, "KeyType": "RANGE"}));
            }
            let mut body = json!({
                "TableName": name,
                "AttributeDefinitions": definitions,
                "KeySchema": key_schema,
                "BillingMode": "PAY_PER_REQUEST",
            });
            if *name == "fz_range" {
                if let Some(d) = body["AttributeDefinitions"].as_array_mut() {
                    d.push(json!({"AttributeName": "lsi_sk", "AttributeType": "S"}));
                    d.push(json!({"AttributeName": "gsi_pk", "AttributeType": "S"}));
                }
                body["LocalSecondaryIndexes"] = json!([{
                    "IndexName": "by_lsi",
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "lsi_sk", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "ALL"},
                }]);
                body["GlobalSecondaryIndexes"] = json!([{
                    "IndexName": "by_gsi",
                    "KeySchema": [{"AttributeName": "gsi_pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
                }]);
            }
            serde_json::to_vec(&body).unwrap_or_default()
        })
        .collect()
}

/// One request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The operation (`X-Amz-Target` without its prefix).
    pub op: String,
    /// The body.
    pub body: Vec<u8>,
    /// How it was made.
    pub origin: &'static str,
}

/// `{key: value}` without the copy `json!` makes of a value expression.
fn obj(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    Value::Object(map)
}

fn av(v: &AttributeValue) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn table(rng: &mut Rng) -> usize {
    rng.below(TABLES.len())
}

fn table_name(rng: &mut Rng, t: usize) -> String {
    match rng.below(40) {
        0 => (*rng.pick(SCRATCH_TABLES)).to_owned(),
        1 => values::string(rng, 10),
        2 => "x".repeat(*rng.pick(&[2, 3, 255, 256, 1025])),
        _ => TABLES[t].0.to_owned(),
    }
}

fn key_value(rng: &mut Rng, attr_type: &str) -> AttributeValue {
    match attr_type {
        "N" => AttributeValue::N(dynamo_core::Number::from(rng.below(16) as i64)),
        "B" => AttributeValue::B(vec![rng.below(64) as u8]),
        _ => AttributeValue::S(format!("p{}", rng.below(64))),
    }
}

/// A key of table `t`: right most of the time, now and then wrong.
fn key(rng: &mut Rng, t: usize) -> Map<String, Value> {
    let (_, (pk, pk_type), sk) = TABLES[t];
    let mut key = Map::new();
    key.insert(pk.into(), av(&key_value(rng, pk_type)));
    if let Some((sk, sk_type)) = sk {
        key.insert(sk.into(), av(&key_value(rng, sk_type)));
    }
    match rng.below(30) {
        0 => {
            key.insert("extra".into(), av(&values::scalar(rng)));
        }
        1 => {
            key.remove(pk);
        }
        2 => {
            key.insert(pk.into(), av(&values::value(rng, 2, true)));
        }
        _ => {}
    }
    key
}

fn item(rng: &mut Rng, t: usize) -> Value {
    let mut item = match av(&AttributeValue::M(values::item(rng, &[]))) {
        Value::Object(mut m) => m.remove("M").unwrap_or(Value::Null),
        _ => Value::Null,
    };
    if let Value::Object(map) = &mut item {
        map.extend(key(rng, t));
        if t == 1 && rng.coin() {
            map.insert("lsi_sk".into(), json!({"S": format!("l{}", rng.below(8))}));
            map.insert("gsi_pk".into(), json!({"S": format!("g{}", rng.below(8))}));
        }
        if rng.one_in(200) {
            // Around the 400 KB item limit.
            let size = *rng.pick(&[1024, 399 * 1024, 400 * 1024, 401 * 1024]);
            map.insert("big".into(), json!({"S": "x".repeat(size)}));
        }
    }
    item
}

/// Attaches the request's expression placeholders.
fn placeholders(body: &mut Map<String, Value>, printed: &PrintedExpression) {
    if let Some(names) = printed.names_or_none() {
        body.insert("ExpressionAttributeNames".into(), json!(names));
    }
    if let Some(values) = printed.values_or_none() {
        let values: Map<String, Value> = values.iter().map(|(k, v)| (k.clone(), av(v))).collect();
        body.insert("ExpressionAttributeValues".into(), Value::Object(values));
    }
}

/// An expression text: printed, and now and then mutated.
fn expression(rng: &mut Rng, printed: &mut PrintedExpression, ast: &expressions::Ast) -> String {
    let text = expressions::print(ast, printed);
    if rng.one_in(4) {
        let mut bytes = text.into_bytes();
        let n = rng.range(1, 3);
        mutate::mutate(
            rng,
            &mut bytes,
            expressions::DICTIONARY,
            n,
            MAX_EXPRESSION_BYTES,
        );
        mutate::lossy(&bytes)
    } else {
        text
    }
}

fn condition(rng: &mut Rng, printed: &mut PrintedExpression) -> String {
    let ast = expressions::Ast::Condition(expressions::condition(rng, 3));
    expression(rng, printed, &ast)
}

fn projection(rng: &mut Rng, printed: &mut PrintedExpression) -> String {
    let ast = expressions::Ast::Projection(expressions::projection(rng));
    expression(rng, printed, &ast)
}

/// Sets a condition expression, or the legacy `Expected` (sometimes with
/// thousands of entries).
fn add_condition(rng: &mut Rng, body: &mut Map<String, Value>, printed: &mut PrintedExpression) {
    match rng.below(6) {
        0 | 1 => {
            body.insert("ConditionExpression".into(), json!(condition(rng, printed)));
        }
        2 => {
            body.insert("Expected".into(), expected(rng));
            if rng.coin() {
                body.insert(
                    "ConditionalOperator".into(),
                    json!(*rng.pick(&["AND", "OR", "XOR"])),
                );
            }
        }
        _ => {}
    }
}

/// Most entries a generated legacy map or list gets (`--max-entries`), so a
/// long run can step around a known finding (F2: 33,000 overflow the stack).
pub static MAX_ENTRIES: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(50_000);

/// Entries of a legacy map or list: a few, now and then hundreds, rarely
/// tens of thousands.
fn entries(rng: &mut Rng) -> usize {
    let most = MAX_ENTRIES.load(std::sync::atomic::Ordering::Relaxed);
    if rng.one_in(3000) {
        (*rng.pick(&[10_000, 50_000])).min(most)
    } else if rng.one_in(10) {
        *rng.pick(&[100, 300, 1000, 3000])
    } else {
        rng.range(1, 4)
    }
}

const LEGACY_OPERATORS: &[&str] = &[
    "EQ",
    "NE",
    "LE",
    "LT",
    "GE",
    "GT",
    "NOT_NULL",
    "NULL",
    "CONTAINS",
    "NOT_CONTAINS",
    "BEGINS_WITH",
    "IN",
    "BETWEEN",
    "XX",
];

fn legacy_condition(rng: &mut Rng) -> Value {
    let n = match rng.below(4) {
        0 => 0,
        1 => 2,
        _ => 1,
    };
    let list: Vec<Value> = (0..n).map(|_| av(&values::scalar(rng))).collect();
    json!({"ComparisonOperator": *rng.pick(LEGACY_OPERATORS), "AttributeValueList": list})
}

fn expected(rng: &mut Rng) -> Value {
    let n = entries(rng);
    let mut map = Map::new();
    for i in 0..n {
        let name = if n > 4 {
            format!("e{i}")
        } else {
            values::name(rng)
        };
        let entry = match rng.below(4) {
            0 => json!({"Exists": false}),
            1 => json!({"Value": av(&values::scalar(rng))}),
            2 => json!({"Value": av(&values::scalar(rng)), "Exists": rng.coin()}),
            _ => legacy_condition(rng),
        };
        map.insert(name, entry);
    }
    Value::Object(map)
}

fn legacy_filter(rng: &mut Rng) -> Value {
    let n = entries(rng);
    let map: Map<String, Value> = (0..n)
        .map(|i| {
            let name = if n > 4 {
                format!("f{i}")
            } else {
                values::name(rng)
            };
            (name, legacy_condition(rng))
        })
        .collect();
    Value::Object(map)
}

fn attributes_to_get(rng: &mut Rng) -> Value {
    let n = entries(rng);
    Value::Array(
        (0..n)
            .map(|i| {
                json!(if n > 4 {
                    format!("g{i}")
                } else {
                    values::name(rng)
                })
            })
            .collect(),
    )
}

fn returns(rng: &mut Rng, body: &mut Map<String, Value>, values: &[&str]) {
    if rng.coin() {
        body.insert("ReturnValues".into(), json!(*rng.pick(values)));
    }
    if rng.one_in(3) {
        body.insert(
            "ReturnConsumedCapacity".into(),
            json!(*rng.pick(&["TOTAL", "INDEXES", "NONE", "SOME"])),
        );
    }
    if rng.one_in(4) {
        body.insert(
            "ReturnItemCollectionMetrics".into(),
            json!(*rng.pick(&["SIZE", "NONE", "ALL"])),
        );
    }
    if rng.one_in(6) {
        body.insert(
            "ReturnValuesOnConditionCheckFailure".into(),
            json!(*rng.pick(&["ALL_OLD", "NONE", "NEW"])),
        );
    }
}

fn put_item(rng: &mut Rng) -> Map<String, Value> {
    let t = table(rng);
    let mut body = Map::new();
    let mut printed = PrintedExpression::default();
    body.insert("TableName".into(), json!(table_name(rng, t)));
    body.insert("Item".into(), item(rng, t));
    add_condition(rng, &mut body, &mut printed);
    returns(rng, &mut body, &["NONE", "ALL_OLD", "ALL_NEW", "BOGUS"]);
    placeholders(&mut body, &printed);
    body
}

fn get_item(rng: &mut Rng) -> Map<String, Value> {
    let t = table(rng);
    let mut body = Map::new();
    let mut printed = PrintedExpression::default();
    body.insert("TableName".into(), json!(table_name(rng, t)));
    body.insert("Key".into(), Value::Object(key(rng, t)));
    match rng.below(4) {
        0 => {
            body.insert(
                "ProjectionExpression".into(),
                json!(projection(rng, &mut printed)),
            );
        }
        1 => {
            body.insert("AttributesToGet".into(), attributes_to_get(rng));
        }
        _ => {}
    }
    if rng.coin() {
        body.insert("ConsistentRead".into(), json!(rng.coin()));
    }
    placeholders(&mut body, &printed);
    body
}

const UPDATE_ACTIONS: &[&str] = &["PUT", "ADD", "DELETE", "REPLACE"];

fn update_item(rng: &mut Rng) -> Map<String, Value> {
    let t = table(rng);
    let mut body = Map::new();
    let mut printed = PrintedExpression::default();
    body.insert("TableName".into(), json!(table_name(rng, t)));
    body.insert("Key".into(), Value::Object(key(rng, t)));
    if rng.one_in(4) {
        let n = entries(rng);
        let updates: Map<String, Value> = (0..n)
            .map(|i| {
                let name = if n > 4 {
                    format!("u{i}")
                } else {
                    values::name(rng)
                };
                let mut update = json!({"Action": *rng.pick(UPDATE_ACTIONS)});
                if rng.one_in(4) {
                    update = json!({"Action": "DELETE"});
                } else {
                    update["Value"] = av(&values::value(rng, 2, false));
                }
                (name, update)
            })
            .collect();
        body.insert("AttributeUpdates".into(), Value::Object(updates));
    } else {
        let ast = expressions::Ast::Update(expressions::update(rng));
        body.insert(
            "UpdateExpression".into(),
            json!(expression(rng, &mut printed, &ast)),
        );
    }
    add_condition(rng, &mut body, &mut printed);
    returns(
        rng,
        &mut body,
        &["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"],
    );
    placeholders(&mut body, &printed);
    body
}

fn delete_item(rng: &mut Rng) -> Map<String, Value> {
    let t = table(rng);
    let mut body = Map::new();
    let mut printed = PrintedExpression::default();
    body.insert("TableName".into(), json!(table_name(rng, t)));
    body.insert("Key".into(), Value::Object(key(rng, t)));
    add_condition(rng, &mut body, &mut printed);
    returns(rng, &mut body, &["NONE", "ALL_OLD", "UPDATED_NEW"]);
    placeholders(&mut body, &printed);
    body
}

fn read_options(
    rng: &mut Rng,
    body: &mut Map<String, Value>,
    t: usize,
    printed: &mut PrintedExpression,
) {
    match rng.below(5) {
        0 => {
            body.insert(
                "ProjectionExpression".into(),
                json!(projection(rng, printed)),
            );
        }
        1 => {
            body.insert("AttributesToGet".into(), attributes_to_get(rng));
        }
        _ => {}
    }
    if rng.one_in(3) {
        let limit = if rng.coin() {
            rng.range(1, 10) as i64
        } else {
            *rng.pick(&[0, -1, 2_147_483_647, 2_147_483_648])
        };
        body.insert("Limit".into(), json!(limit));
    }
    if rng.one_in(4) {
        body.insert("ExclusiveStartKey".into(), Value::Object(key(rng, t)));
    }
    if rng.one_in(4) {
        body.insert(
            "Select".into(),
            json!(*rng.pick(&[
                "ALL_ATTRIBUTES",
                "COUNT",
                "SPECIFIC_ATTRIBUTES",
                "ALL_PROJECTED_ATTRIBUTES",
                "X"
            ])),
        );
    }
    if rng.one_in(3) {
        body.insert("ConsistentRead".into(), json!(rng.coin()));
    }
    if rng.one_in(4) {
        body.insert(
            "ReturnConsumedCapacity".into(),
            json!(*rng.pick(&["TOTAL", "INDEXES", "NONE"])),
        );
    }
}

fn query(rng: &mut Rng) -> Map<String, Value> {
    let t = table(rng);
    let mut body = Map::new();
    let mut printed = PrintedExpression::default();
    body.insert("TableName".into(), json!(table_name(rng, t)));
    let (_, (pk, pk_type), sk) = TABLES[t];
    let index = if t == 1 && rng.one_in(3) {
        let index = *rng.pick(&["by_lsi", "by_gsi", "nope"]);
        body.insert("IndexName".into(), json!(index));
        Some(index)
    } else {
        None
    };
    let (pk, pk_type) = if index == Some("by_gsi") {
        ("gsi_pk", "S")
    } else {
        (pk, pk_type)
    };
    if rng.one_in(5) {
        let mut conditions = Map::new();
        conditions.insert(
            pk.into(),
            json!({"ComparisonOperator": "EQ", "AttributeValueList": [av(&key_value(rng, pk_type))]}),
        );
        if rng.coin() {
            conditions.insert(sk.map_or("sk", |s| s.0).into(), legacy_condition(rng));
        }
        body.insert("KeyConditions".into(), Value::Object(conditions));
        if rng.coin() {
            body.insert("QueryFilter".into(), legacy_filter(rng));
        }
    } else {
        let mut kc = dynamo_core::expr::KeyCondition::partition(pk, key_value(rng, pk_type));
        if let Some((sk, sk_type)) = sk
            && rng.coin()
        {
            let (v, w) = (key_value(rng, sk_type), key_value(rng, sk_type));
            use dynamo_core::expr::SortKeyOp::*;
            let op = match rng.below(7) {
                0 => Eq(v),
                1 => Lt(v),
                2 => Le(v),
                3 => Gt(v),
                4 => Ge(v),
                5 => Between(v, w),
                _ => BeginsWith(v),
            };
            kc = kc.and_sort_key(sk, op);
        }
        let ast = if rng.one_in(10) {
            expressions::Ast::KeyCondition(expressions::key_condition(rng))
        } else {
            expressions::Ast::KeyCondition(kc)
        };
        body.insert(
            "KeyConditionExpression".into(),
            json!(expression(rng, &mut printed, &ast)),
        );
        if rng.one_in(3) {
            body.insert(
                "FilterExpression".into(),
                json!(condition(rng, &mut printed)),
            );
        }
    }
    if rng.one_in(3) {
        body.insert("ScanIndexForward".into(), json!(rng.coin()));
    }
    read_options(rng, &mut body, t, &mut printed);
    placeholders(&mut body, &printed);
    body
}

fn scan(rng: &mut Rng) -> Map<String, Value> {
    let t = table(rng);
    let mut body = Map::new();
    let mut printed = PrintedExpression::default();
    body.insert("TableName".into(), json!(table_name(rng, t)));
    if t == 1 && rng.one_in(4) {
        body.insert(
            "IndexName".into(),
            json!(*rng.pick(&["by_lsi", "by_gsi", "nope"])),
        );
    }
    match rng.below(4) {
        0 => {
            body.insert(
                "FilterExpression".into(),
                json!(condition(rng, &mut printed)),
            );
        }
        1 => {
            body.insert("ScanFilter".into(), legacy_filter(rng));
            if rng.coin() {
                body.insert(
                    "ConditionalOperator".into(),
                    json!(*rng.pick(&["AND", "OR"])),
                );
            }
        }
        _ => {}
    }
    if rng.one_in(4) {
        let total = *rng.pick(&[1i64, 2, 4, 1_000_000, 1_000_001, 0, -1]);
        body.insert("TotalSegments".into(), json!(total));
        body.insert("Segment".into(), json!(rng.below(5) as i64 - 1));
    }
    read_options(rng, &mut body, t, &mut printed);
    placeholders(&mut body, &printed);
    body
}

fn batch_size(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0 => *rng.pick(&[0, 25, 26, 100, 101, 1000]),
        _ => rng.range(1, 8),
    }
}

fn batch_get_item(rng: &mut Rng) -> Map<String, Value> {
    let mut items = Map::new();
    for _ in 0..rng.range(1, 3) {
        let t = table(rng);
        let mut printed = PrintedExpression::default();
        let keys: Vec<Value> = (0..batch_size(rng))
            .map(|_| Value::Object(key(rng, t)))
            .collect();
        let mut entry = Map::new();
        entry.insert("Keys".into(), Value::Array(keys));
        if rng.one_in(3) {
            entry.insert(
                "ProjectionExpression".into(),
                json!(projection(rng, &mut printed)),
            );
        }
        if rng.one_in(3) {
            entry.insert("ConsistentRead".into(), json!(rng.coin()));
        }
        placeholders(&mut entry, &printed);
        items.insert(table_name(rng, t), Value::Object(entry));
    }
    let mut body = Map::new();
    body.insert("RequestItems".into(), Value::Object(items));
    body
}

fn batch_write_item(rng: &mut Rng) -> Map<String, Value> {
    let mut items = Map::new();
    for _ in 0..rng.range(1, 3) {
        let t = table(rng);
        let writes: Vec<Value> = (0..batch_size(rng))
            .map(|_| {
                if rng.coin() {
                    obj("PutRequest", obj("Item", item(rng, t)))
                } else {
                    obj("DeleteRequest", obj("Key", Value::Object(key(rng, t))))
                }
            })
            .collect();
        items.insert(table_name(rng, t), Value::Array(writes));
    }
    let mut body = Map::new();
    body.insert("RequestItems".into(), Value::Object(items));
    body
}

fn transact_write_items(rng: &mut Rng) -> Map<String, Value> {
    let many = rng.one_in(10);
    let n = if many {
        *rng.pick(&[0, 100, 101])
    } else {
        rng.range(1, 4)
    };
    let actions: Vec<Value> = (0..n)
        .map(|i| {
            if many {
                // The count is the subject: small, distinct deletes.
                let mut key = Map::new();
                key.insert("pk".into(), json!({"S": format!("t{i}")}));
                return json!({"Delete": {"TableName": TABLES[0].0, "Key": key}});
            }
            let (kind, mut action) = match rng.below(4) {
                0 => ("Put", put_item(rng)),
                1 => ("Update", update_item(rng)),
                2 => ("Delete", delete_item(rng)),
                _ => {
                    let mut a = delete_item(rng);
                    if !a.contains_key("ConditionExpression") {
                        a.insert(
                            "ConditionExpression".into(),
                            json!("attribute_not_exists(pk)"),
                        );
                    }
                    ("ConditionCheck", a)
                }
            };
            for k in [
                "ReturnValues",
                "ReturnConsumedCapacity",
                "ReturnItemCollectionMetrics",
            ] {
                action.remove(k);
            }
            let mut wrapped = Map::new();
            wrapped.insert(kind.to_owned(), Value::Object(action));
            Value::Object(wrapped)
        })
        .collect();
    let mut body = Map::new();
    body.insert("TransactItems".into(), Value::Array(actions));
    if rng.one_in(4) {
        body.insert(
            "ClientRequestToken".into(),
            json!(format!("tok{}", rng.below(16))),
        );
    }
    body
}

fn transact_get_items(rng: &mut Rng) -> Map<String, Value> {
    let n = match rng.below(10) {
        0 => *rng.pick(&[0, 100, 101]),
        _ => rng.range(1, 4),
    };
    let gets: Vec<Value> = (0..n)
        .map(|_| {
            let mut get = get_item(rng);
            get.remove("ConsistentRead");
            get.remove("AttributesToGet");
            obj("Get", Value::Object(get))
        })
        .collect();
    let mut body = Map::new();
    body.insert("TransactItems".into(), Value::Array(gets));
    body
}

fn scratch_or_fixed(rng: &mut Rng) -> String {
    if rng.coin() {
        (*rng.pick(SCRATCH_TABLES)).to_owned()
    } else {
        let t = table(rng);
        table_name(rng, t)
    }
}

fn create_table(rng: &mut Rng) -> Map<String, Value> {
    let name = if rng.one_in(10) {
        table_name(rng, 0)
    } else {
        (*rng.pick(SCRATCH_TABLES)).to_owned()
    };
    let types = ["S", "N", "B", "BOOL"];
    let mut definitions =
        vec![json!({"AttributeName": "pk", "AttributeType": *rng.pick(&types[..3])})];
    let mut schema = vec![json!({"AttributeName": "pk", "KeyType": "HASH"})];
    if rng.coin() {
        definitions.push(json!({"AttributeName": "sk", "AttributeType": *rng.pick(&types)}));
        schema.push(
            json!({"AttributeName": "sk", "KeyType": *rng.pick(&["RANGE", "RANGE", "HASH"])}),
        );
    }
    let mut body = Map::new();
    body.insert("TableName".into(), json!(name));
    if rng.one_in(3) {
        definitions.push(json!({"AttributeName": "g", "AttributeType": "S"}));
        let n = if rng.one_in(5) {
            *rng.pick(&[20, 21, 100])
        } else {
            1
        };
        let indexes: Vec<Value> = (0..n)
            .map(|i| {
                json!({
                    "IndexName": format!("g{i}"),
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": *rng.pick(&["ALL", "KEYS_ONLY", "INCLUDE"])},
                })
            })
            .collect();
        body.insert("GlobalSecondaryIndexes".into(), Value::Array(indexes));
    }
    if rng.one_in(4) {
        definitions.push(json!({"AttributeName": "l", "AttributeType": "N"}));
        body.insert(
            "LocalSecondaryIndexes".into(),
            json!([{
                "IndexName": "l",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }]),
        );
    }
    body.insert("AttributeDefinitions".into(), Value::Array(definitions));
    body.insert("KeySchema".into(), Value::Array(schema));
    if rng.coin() {
        body.insert("BillingMode".into(), json!("PAY_PER_REQUEST"));
    } else {
        body.insert(
            "ProvisionedThroughput".into(),
            json!({"ReadCapacityUnits": rng.below(10) as i64, "WriteCapacityUnits": *rng.pick(&[1i64, 0, -1, 1 << 40])}),
        );
    }
    if rng.one_in(4) {
        let tags: Vec<Value> = (0..rng.range(0, 60))
            .map(|i| json!({"Key": format!("k{i}"), "Value": values::string(rng, 10)}))
            .collect();
        body.insert("Tags".into(), Value::Array(tags));
    }
    body
}

fn arn(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => values::string(rng, 30),
        1 => "arn:aws:dynamodb:us-east-1:000000000000:table/".into(),
        _ => format!(
            "arn:aws:dynamodb:us-east-1:000000000000:table/{}",
            scratch_or_fixed(rng)
        ),
    }
}

fn other(rng: &mut Rng, op: &str) -> Map<String, Value> {
    let mut body = Map::new();
    match op {
        "DeleteTable" | "DescribeTable" | "DescribeTimeToLive" => {
            // Deleting the fixed tables would starve the other operations.
            let name = if op == "DeleteTable" && !rng.one_in(20) {
                (*rng.pick(SCRATCH_TABLES)).to_owned()
            } else {
                scratch_or_fixed(rng)
            };
            body.insert("TableName".into(), json!(name));
        }
        "ListTables" => {
            if rng.coin() {
                body.insert("Limit".into(), json!(*rng.pick(&[0i64, 1, 2, 100, 101])));
            }
            if rng.coin() {
                body.insert(
                    "ExclusiveStartTableName".into(),
                    json!(scratch_or_fixed(rng)),
                );
            }
        }
        "UpdateTable" => {
            body.insert("TableName".into(), json!(scratch_or_fixed(rng)));
            match rng.below(3) {
                0 => {
                    body.insert(
                        "BillingMode".into(),
                        json!(*rng.pick(&["PAY_PER_REQUEST", "PROVISIONED"])),
                    );
                }
                1 => {
                    body.insert(
                        "ProvisionedThroughput".into(),
                        json!({"ReadCapacityUnits": rng.range(1, 5) as i64, "WriteCapacityUnits": rng.range(1, 5) as i64}),
                    );
                }
                _ => {
                    body.insert(
                        "AttributeDefinitions".into(),
                        json!([{"AttributeName": "n2", "AttributeType": "S"}]),
                    );
                    let update = if rng.coin() {
                        json!({"Create": {
                            "IndexName": "n2",
                            "KeySchema": [{"AttributeName": "n2", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "ALL"},
                        }})
                    } else {
                        json!({"Delete": {"IndexName": *rng.pick(&["n2", "by_gsi", "g0"])}})
                    };
                    body.insert("GlobalSecondaryIndexUpdates".into(), json!([update]));
                }
            }
        }
        "UpdateTimeToLive" => {
            body.insert("TableName".into(), json!(scratch_or_fixed(rng)));
            body.insert(
                "TimeToLiveSpecification".into(),
                json!({"Enabled": rng.coin(), "AttributeName": *rng.pick(&["ttl", "n", "pk", ""])}),
            );
        }
        "TagResource" => {
            body.insert("ResourceArn".into(), json!(arn(rng)));
            let n = if rng.one_in(5) {
                rng.range(40, 60)
            } else {
                rng.range(0, 3)
            };
            let tags: Vec<Value> = (0..n)
                .map(
                    |_| json!({"Key": values::string(rng, 130), "Value": values::string(rng, 300)}),
                )
                .collect();
            body.insert("Tags".into(), Value::Array(tags));
        }
        "UntagResource" => {
            body.insert("ResourceArn".into(), json!(arn(rng)));
            let keys: Vec<Value> = (0..rng.range(0, 4))
                .map(|_| json!(values::string(rng, 10)))
                .collect();
            body.insert("TagKeys".into(), Value::Array(keys));
        }
        _ => {
            body.insert("ResourceArn".into(), json!(arn(rng)));
            if rng.one_in(4) {
                body.insert("NextToken".into(), json!(values::string(rng, 10)));
            }
        }
    }
    body
}

/// A valid-shaped body of `op`.
pub fn body(rng: &mut Rng, op: &str) -> Value {
    Value::Object(match op {
        "PutItem" => put_item(rng),
        "GetItem" => get_item(rng),
        "UpdateItem" => update_item(rng),
        "DeleteItem" => delete_item(rng),
        "Query" => query(rng),
        "Scan" => scan(rng),
        "BatchGetItem" => batch_get_item(rng),
        "BatchWriteItem" => batch_write_item(rng),
        "TransactWriteItems" => transact_write_items(rng),
        "TransactGetItems" => transact_get_items(rng),
        "CreateTable" => create_table(rng),
        _ => other(rng, op),
    })
}

/// An operation, weighted towards the data plane.
pub fn operation(rng: &mut Rng) -> &'static str {
    if rng.one_in(3) {
        rng.pick::<&str>(OPERATIONS)
    } else {
        rng.pick::<&str>(&[
            "PutItem",
            "GetItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "Scan",
            "BatchWriteItem",
            "BatchGetItem",
            "TransactWriteItems",
        ])
    }
}

/// Every node's JSON pointer.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    if out.len() > 4096 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate().take(64) {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// A value nested `depth` levels, built bottom-up in place (the `json!`
/// macro would copy the whole tree at every level).
fn nest(rng: &mut Rng, depth: usize) -> Value {
    let mut v = json!({"S": "x"});
    let kind = rng.below(3);
    for _ in 0..depth {
        v = match kind {
            0 => Value::Object(Map::from_iter([("L".to_owned(), Value::Array(vec![v]))])),
            1 => {
                let inner = Value::Object(Map::from_iter([("a".to_owned(), v)]));
                Value::Object(Map::from_iter([("M".to_owned(), inner)]))
            }
            _ => Value::Array(vec![v]),
        };
    }
    v
}

const BAD_VALUES: &[&str] = &[
    r#"{"S":1}"#,
    r#"{"N":"abc"}"#,
    r#"{"N":"1e999"}"#,
    r#"{"N":"-1e-999"}"#,
    r#"{"N":""}"#,
    r#"{"N":"12345678901234567890123456789012345678901"}"#,
    r#"{"B":"!!!"}"#,
    r#"{"B":"AA="}"#,
    r#"{"SS":[]}"#,
    r#"{"NS":["1","1.0"]}"#,
    r#"{"SS":["a","a"]}"#,
    r#"{"BS":[""]}"#,
    r#"{"Q":"x"}"#,
    r#"{"S":"a","N":"1"}"#,
    r#"{"L":{}}"#,
    r#"{"M":[]}"#,
    r#"{"BOOL":"true"}"#,
    r#"{"NULL":false}"#,
    r#"{}"#,
    r#"{"S":null}"#,
    r#"{"M":{"":{"S":"x"}}}"#,
    r#"{"NS":[1]}"#,
    r#"{"S":"\ud800"}"#,
];

const FIELD_NAMES: &[&str] = &[
    "TableName",
    "Key",
    "Item",
    "ConditionExpression",
    "UpdateExpression",
    "ProjectionExpression",
    "FilterExpression",
    "KeyConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "Expected",
    "AttributeUpdates",
    "AttributesToGet",
    "Limit",
    "ExclusiveStartKey",
    "Segment",
    "TotalSegments",
    "Select",
    "IndexName",
    "RequestItems",
    "TransactItems",
    "ReturnValues",
    "KeyConditions",
    "QueryFilter",
    "ScanFilter",
    "ConditionalOperator",
    "Bogus",
];

/// Replaces, removes or grows one node of `value`.
pub fn mutate_json(rng: &mut Rng, value: &mut Value) {
    let mut all = Vec::new();
    pointers(value, String::new(), &mut all);
    let pointer = rng.pick(&all).clone();
    let Some(node) = value.pointer_mut(&pointer) else {
        return;
    };
    match rng.below(12) {
        0 => *node = Value::Null,
        1 => {
            *node = match rng.below(6) {
                0 => json!(rng.next_u64()),
                1 => json!(-(rng.below(1000) as i64)),
                2 => json!(1.5e300),
                3 => json!(rng.coin()),
                4 => json!(""),
                _ => json!(values::string(rng, 20)),
            }
        }
        2 => *node = if rng.coin() { json!({}) } else { json!([]) },
        3 => {
            if let Value::Object(map) = node
                && !map.is_empty()
            {
                let k = map
                    .keys()
                    .nth(rng.below(map.len()))
                    .cloned()
                    .unwrap_or_default();
                map.remove(&k);
            }
        }
        4 => {
            if let Value::Object(map) = node {
                let v = match rng.below(3) {
                    0 => json!(values::string(rng, 10)),
                    1 => json!({}),
                    _ => json!(1),
                };
                map.insert((*rng.pick(FIELD_NAMES)).to_owned(), v);
            }
        }
        5 => {
            if let Value::Array(items) = node
                && let Some(first) = items.first().cloned()
            {
                let size = first.to_string().len().max(1);
                let want =
                    (*rng.pick(&[2usize, 25, 26, 100, 101, 1000, 10_000])).min(1_000_000 / size);
                while items.len() < want {
                    items.push(first.clone());
                }
            }
        }
        6 => {
            let depth = *rng.pick(&[30, 31, 32, 33, 64, 100, 126, 127, 128, 129, 300]);
            *node = nest(rng, depth);
        }
        7 => *node = serde_json::from_str(rng.pick::<&str>(BAD_VALUES)).unwrap_or(Value::Null),
        8 => {
            let size = if rng.one_in(8) {
                *rng.pick(&[400 * 1024, 1 << 20])
            } else {
                *rng.pick(&[1024usize, 4096, 65_536])
            };
            *node = json!("a".repeat(size));
        }
        9 => {
            // A hostile expression: a deep run of one token filling the limit.
            let token = *rng.pick(&[
                "(",
                "NOT ",
                "a.",
                "[0]",
                " AND a = a",
                "size(",
                "list_append(a, ",
            ]);
            let n = mutate::run_length(rng, token.len(), MAX_EXPRESSION_BYTES);
            *node = json!(token.repeat(n.min(MAX_EXPRESSION_BYTES + 100)));
        }
        10 => {
            if let Value::Number(_) = node {
                *node = json!(*rng.pick(&[2_147_483_648i64, -1, 0, i64::MAX]));
            } else if let Value::String(s) = node {
                let mut bytes = std::mem::take(s).into_bytes();
                mutate::mutate(
                    rng,
                    &mut bytes,
                    expressions::DICTIONARY,
                    2,
                    MAX_EXPRESSION_BYTES,
                );
                *s = mutate::lossy(&bytes);
            }
        }
        _ => {
            // Swap in another operation's body.
            let op = operation(rng);
            *node = body(rng, op);
        }
    }
}

/// JSON-ish bytes for the raw class.
const JSON_TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"\"",
    b"\"S\"",
    b"\"N\"",
    b"\"M\"",
    b"\"L\"",
    b"null",
    b"true",
    b"1",
    b"-0",
    b"1e999",
    b"\\u0000",
    b"\\ud800",
    b"\"TableName\"",
    b"\"fz_hash\"",
    b"\"Key\"",
    b" ",
    b"\xff",
];

/// Request `index`'s generator output.
pub fn generate(rng: &mut Rng) -> Request {
    let op = operation(rng);
    let class = rng.below(20);
    let mut value = if class < 18 {
        body(rng, op)
    } else {
        Value::Null
    };
    let (origin, body) = match class {
        0..=5 => ("valid", serde_json::to_vec(&value).unwrap_or_default()),
        6..=14 => {
            for _ in 0..rng.range(1, 3) {
                mutate_json(rng, &mut value);
            }
            (
                "json-mutated",
                serde_json::to_vec(&value).unwrap_or_default(),
            )
        }
        15..=17 => {
            let mut bytes = serde_json::to_vec(&value).unwrap_or_default();
            let n = rng.range(1, 4);
            mutate::mutate(rng, &mut bytes, JSON_TOKENS, n, 8192);
            ("byte-mutated", bytes)
        }
        _ => {
            let bytes = match rng.below(4) {
                0 => mutate::soup(rng, JSON_TOKENS, 200),
                1 => Vec::new(),
                2 => rng
                    .pick(&[
                        &b"[]"[..],
                        b"null",
                        b"1",
                        b"\"x\"",
                        b"{}",
                        b"{\"TableName\":null}",
                    ])
                    .to_vec(),
                _ => format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            };
            ("raw", bytes)
        }
    };
    let op = match rng.below(50) {
        0 => values::string(rng, 20),
        1 => op.to_lowercase(),
        _ => op.to_owned(),
    };
    Request { op, body, origin }
}

/// A finding's description of a request.
pub fn describe(request: &Request) -> super::driver::Case {
    let body = String::from_utf8_lossy(&request.body);
    super::driver::Case {
        summary: format!(
            "{} ({}, {} bytes): {}",
            request.op,
            request.origin,
            request.body.len(),
            body.chars().take(160).collect::<String>()
        ),
        text: format!(
            "X-Amz-Target: DynamoDB_20120810.{}\nbody:\n{body}\n",
            request.op
        ),
        raw: request.body.clone(),
    }
}
