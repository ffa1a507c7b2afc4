//! Every refusal of an expression or an attribute value, through the wire:
//! condition and update syntax, functions and operands, placeholder maps,
//! update evaluation against a stored item, numbers, sets and the shapes of
//! attribute values. Each pins the HTTP status, error type and DynamoDB's
//! message.
#![cfg(feature = "server")]

mod wire;

use serde_json::{Map, Value, json};
use wire::{Refusal, Wire, invalid, refused};

fn key(name: &str, key_type: &str) -> Value {
    json!({"AttributeName": name, "KeyType": key_type})
}

/// A server with `tbl` (`pk` S, `sk` N) holding one item at `a`/1:
/// `qty` 5, `name` "hello", `tags` {a}, `big` (the largest number) and an
/// empty list `lst`.
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
    wire.ok(
        "PutItem",
        json!({"TableName": "tbl", "Item": {
            "pk": {"S": "a"}, "sk": {"N": "1"},
            "qty": {"N": "5"}, "name": {"S": "hello"}, "tags": {"SS": ["a"]},
            "big": {"N": "9.9999999999999999999999999999999999999E+125"}, "lst": {"L": []},
        }}),
    )
    .await;
    wire
}

/// The placeholders the expressions below may use.
fn placeholder_value(name: &str) -> Value {
    match name {
        ":n1" => json!({"N": "1"}),
        ":n5" => json!({"N": "5"}),
        ":n10" => json!({"N": "10"}),
        ":big" => json!({"N": "9E+125"}),
        ":s" => json!({"S": "hello"}),
        ":bad" => json!({"S": "X"}),
        ":a" => json!({"S": "a"}),
        ":t" => json!({"BOOL": true}),
        ":l" => json!({"L": [{"S": "x"}]}),
        ":ss" => json!({"SS": ["x"]}),
        ":ns" => json!({"NS": ["1"]}),
        other => panic!("no value for {other}"),
    }
}

/// `ExpressionAttributeNames`/`Values` for exactly the placeholders
/// `text` uses (`#n` is `name`, `#c` is `qty`), so none is unused.
fn placeholders(text: &str, request: &mut Value) {
    let mut names = Map::new();
    let mut values = Map::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' || bytes[i] == b':' {
            let end = (i + 1..bytes.len())
                .find(|&j| !(bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_'))
                .unwrap_or(bytes.len());
            let placeholder = &text[i..end];
            match placeholder {
                "#n" => drop(names.insert("#n".into(), json!("name"))),
                "#c" => drop(names.insert("#c".into(), json!("qty"))),
                "#absent" | ":nope" | ":" | "#" => {}
                p if p.starts_with(':') => drop(values.insert(p.into(), placeholder_value(p))),
                _ => {}
            }
            i = end;
        } else {
            i += 1;
        }
    }
    if !names.is_empty() {
        request["ExpressionAttributeNames"] = Value::Object(names);
    }
    if !values.is_empty() {
        request["ExpressionAttributeValues"] = Value::Object(values);
    }
}

fn condition(text: &str, message: impl Into<String>) -> Refusal {
    let mut request = json!({
        "TableName": "tbl",
        "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}},
        "ConditionExpression": text,
    });
    placeholders(text, &mut request);
    invalid(
        "PutItem",
        request,
        format!("Invalid ConditionExpression: {}", message.into()),
    )
}

/// An UpdateItem of the stored item with `text`, refused with `message`
/// as is.
fn update_refused(text: &str, message: impl Into<String>) -> Refusal {
    let mut request = json!({
        "TableName": "tbl",
        "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        "UpdateExpression": text,
    });
    placeholders(text, &mut request);
    invalid("UpdateItem", request, message)
}

fn update(text: &str, message: impl Into<String>) -> Refusal {
    update_refused(
        text,
        format!("Invalid UpdateExpression: {}", message.into()),
    )
}

#[tokio::test]
async fn malformed_conditions_are_refused_with_dynamodb_messages() {
    let wire = table().await;
    let in_101 = format!("qty IN ({})", vec![":n1"; 101].join(", "));
    let deep = format!("a{}", ".b".repeat(32));
    wire.assert_refusals(vec![
        condition("   ", "The expression can not be empty;"),
        condition("qty = ", "Syntax error; token: \"<EOF>\", near: \"=\""),
        condition("qty == :n5", "Syntax error; token: \"=\", near: \"= :n5\""),
        condition("qty = 5", "Syntax error; token: \"5\", near: \"5\""),
        condition(
            "status = :s",
            "Attribute name is a reserved keyword; reserved keyword: status",
        ),
        condition(
            "#absent = :s",
            "An expression attribute name used in the document path is not defined; attribute name: #absent",
        ),
        condition(
            "qty = :nope",
            "An expression attribute value used in expression is not defined; attribute value: :nope",
        ),
        condition(
            "qty = qty",
            "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [qty]",
        ),
        condition("foo(qty)", "Invalid function name; function: foo"),
        condition(
            "attribute_exists(qty, :n5)",
            "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
        ),
        condition(
            "attribute_exists(:n5)",
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        condition(
            "size(:s) = :n1",
            "Operator or function requires a document path; operator or function: size",
        ),
        condition(
            "attribute_type(qty, :n5)",
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
        ),
        condition(
            "attribute_type(qty, :bad)",
            "Invalid attribute type name found; type: X, valid types: { B,BOOL,BS,L,M,N,NS,NULL,S,SS }",
        ),
        condition(
            "qty = list_append(:l, :l)",
            "The function is not allowed to be used this way in an expression; function: list_append",
        ),
        condition("((qty = :n5))", "The expression has redundant parentheses;"),
        condition(
            "qty BETWEEN :n10 AND :n5",
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:5}",
        ),
        condition(
            "qty BETWEEN :n5 AND :s",
            "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:hello}",
        ),
        condition(
            &in_101,
            "The IN operator is provided with too many operands; number of operands: 101",
        ),
        condition(
            &deep,
            "The document path has too many nesting levels; nesting levels: 33",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn malformed_updates_are_refused_with_dynamodb_messages() {
    let wire = table().await;
    wire.assert_refusals(vec![
        update(
            "SET a = :n5 SET b = :n5",
            "The \"SET\" section can only be used once in an update expression;",
        ),
        update(
            "SET a = :n5 REMOVE a",
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        update(
            "ADD #c :s",
            "Incorrect operand type for operator or function; operator: ADD, operand type: S",
        ),
        update(
            "SET a = :s + :n5",
            "Incorrect operand type for operator or function; operator or function: +, operand type: S",
        ),
        update(
            "SET a = list_append(:s, :l)",
            "Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
        ),
        update(
            "SET a = attribute_exists(b)",
            "The function is not allowed in an update expression; function: attribute_exists",
        ),
        update("SET a = foo(b)", "Invalid function name; function: foo"),
        update(
            "SET a = if_not_exists(:n5, :n1)",
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        update("REMOVE", "Syntax error; token: \"<EOF>\", near: \"REMOVE\""),
        update(
            "SET name = :s",
            "Attribute name is a reserved keyword; reserved keyword: name",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn updates_that_do_not_fit_the_stored_item_are_refused() {
    let wire = table().await;
    wire.assert_refusals(vec![
        update_refused(
            "SET nothere.x = :s",
            "The document path provided in the update expression is invalid for update",
        ),
        update_refused(
            "SET #c = absent + :n5",
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        update_refused(
            "SET #c = #n + :n5",
            "An operand in the update expression has an incorrect data type",
        ),
        update_refused(
            "ADD tags :ns",
            "An operand in the update expression has an incorrect data type",
        ),
        update_refused(
            "SET big = big + :big",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn placeholder_maps_must_be_well_formed_and_used() {
    let wire = table().await;
    let item = json!({"pk": {"S": "b"}, "sk": {"N": "1"}});
    let put = |extra: Value| {
        let mut request = json!({"TableName": "tbl", "Item": item});
        for (k, v) in extra.as_object().unwrap() {
            request[k] = v.clone();
        }
        request
    };
    let key = json!({"pk": {"S": "a"}, "sk": {"N": "1"}});
    wire.assert_refusals(vec![
        invalid(
            "PutItem",
            put(json!({"ConditionExpression": "a = :v", "ExpressionAttributeNames": {}})),
            "ExpressionAttributeNames must not be empty",
        ),
        invalid(
            "PutItem",
            put(json!({"ConditionExpression": "a = :v", "ExpressionAttributeValues": {}})),
            "ExpressionAttributeValues must not be empty",
        ),
        invalid(
            "PutItem",
            put(json!({"ConditionExpression": "attribute_exists(a)", "ExpressionAttributeNames": {"a": "x"}})),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"",
        ),
        invalid(
            "PutItem",
            put(json!({"ConditionExpression": "a = :v", "ExpressionAttributeValues": {"v": {"S": "x"}}})),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"",
        ),
        invalid(
            "PutItem",
            put(json!({"ConditionExpression": "attribute_exists(#a)", "ExpressionAttributeNames": {"#a": "x", "#b": "y"}})),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}",
        ),
        invalid(
            "PutItem",
            put(json!({"ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}}})),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
        ),
        invalid(
            "PutItem",
            put(json!({"ExpressionAttributeValues": {":v": {"S": "x"}}})),
            "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null",
        ),
        invalid(
            "UpdateItem",
            json!({"TableName": "tbl", "Key": key, "ExpressionAttributeValues": {":v": {"S": "x"}}}),
            "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null",
        ),
        invalid(
            "GetItem",
            json!({"TableName": "tbl", "Key": key, "ExpressionAttributeNames": {"#a": "x"}}),
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        invalid(
            "Query",
            json!({
                "TableName": "tbl",
                "KeyConditionExpression": "pk = :p AND ((sk = :s))",
                "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "1"}},
            }),
            "Invalid KeyConditionExpression: The expression has redundant parentheses;",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn numbers_dynamodb_cannot_store_are_refused() {
    let wire = table().await;
    let put = |number: &str| json!({"TableName": "tbl", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "n": {"N": number}}});
    wire.assert_refusals(vec![
        invalid(
            "PutItem",
            put(""),
            "The parameter cannot be converted to a numeric value",
        ),
        invalid(
            "PutItem",
            put("12abc"),
            "The parameter cannot be converted to a numeric value: 12abc",
        ),
        invalid(
            "PutItem",
            put("1E+126"),
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        invalid(
            "PutItem",
            put("1E-131"),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        ),
        invalid(
            "PutItem",
            put("1234567890123456789012345678901234567891"),
            "Attempting to store more than 38 significant digits in a Number",
        ),
    ])
    .await;
    wire.shutdown().await;
}

#[tokio::test]
async fn attribute_values_of_the_wrong_shape_are_refused() {
    let wire = table().await;
    let put = |value: Value| json!({"TableName": "tbl", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "v": value}});
    let invalid_value = "One or more parameter values were invalid: ";
    wire.assert_refusals(vec![
        invalid(
            "PutItem",
            put(json!({"S": "a", "N": "1"})),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        invalid(
            "PutItem",
            put(json!({})),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        invalid(
            "PutItem",
            put(json!({"SS": []})),
            format!("{invalid_value}An string set  may not be empty"),
        ),
        invalid(
            "PutItem",
            put(json!({"NS": []})),
            format!("{invalid_value}An number set  may not be empty"),
        ),
        invalid(
            "PutItem",
            put(json!({"BS": []})),
            format!("{invalid_value}Binary sets should not be empty"),
        ),
        invalid(
            "PutItem",
            put(json!({"SS": ["a", "b", "a"]})),
            format!("{invalid_value}Input collection [a, b, a] contains duplicates."),
        ),
        invalid(
            "PutItem",
            put(json!({"NS": ["1", "1.0"]})),
            "Input collection contains duplicates",
        ),
        invalid(
            "PutItem",
            put(json!({"BS": ["AA==", "AA=="]})),
            format!("{invalid_value}Input collection [AA==, AA==]of type BS contains duplicates."),
        ),
        invalid(
            "PutItem",
            put(json!({"NULL": false})),
            format!("{invalid_value}Null attribute value types must have the value of true"),
        ),
        refused(
            "PutItem",
            put(json!({"B": "abc"})),
            "SerializationException",
            "Base64 encoded length is expected a multiple of 4 bytes but found: 3",
        ),
        refused(
            "PutItem",
            put(json!({"SS": "a"})),
            "SerializationException",
            "invalid type: string \"a\", expected a list for SS",
        ),
        refused(
            "PutItem",
            put(json!("a")),
            "SerializationException",
            "invalid type: string \"a\", expected a DynamoDB AttributeValue object",
        ),
    ])
    .await;
    wire.shutdown().await;
}
