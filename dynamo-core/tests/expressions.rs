//! DynamoDB's expression language, table-driven. Section numbers refer to
//! shared/docs/dynamodb-semantics.md (6.1 names/values/syntax, 6.2 paths,
//! 6.3 conditions, 6.4 updates, 6.5 projections, 5.3 key conditions).

use dynamo_core::expr::*;
use dynamo_core::{AttributeMap, AttributeValue, Error, decode_json};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;

fn av(v: Value) -> AttributeValue {
    decode_json(v.to_string().as_bytes()).unwrap()
}

fn item(v: Value) -> AttributeMap {
    decode_json(v.to_string().as_bytes()).unwrap()
}

/// The item most conditions are evaluated against.
fn sample() -> AttributeMap {
    item(json!({
        "pk": {"S": "p1"}, "sk": {"N": "10"},
        "name": {"S": "hello world"}, "qty": {"N": "5"}, "cost": {"N": "9.99"}, "neg": {"N": "-3"},
        "bin": {"B": "AQID"}, "flag": {"BOOL": true}, "nul": {"NULL": true},
        "tags": {"SS": ["a", "b", "c"]}, "nums": {"NS": ["1", "2", "3"]}, "bins": {"BS": ["AQ==", "Ag=="]},
        "lst": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"k": {"S": "v"}}}]},
        "doc": {"M": {"nest": {"M": {"deep": {"N": "42"}}}, "s": {"S": "str"}, "l": {"L": [{"N": "1"}, {"N": "2"}]}}},
        "unicode": {"S": "héllo"}, "a.b": {"S": "dotted"}
    }))
}

fn names() -> HashMap<String, String> {
    [
        ("#n", "name"),
        ("#c", "qty"),
        ("#dot", "a.b"),
        ("#st", "status"),
        ("#unused", "zzz"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn values() -> AttributeMap {
    item(json!({
        ":s": {"S": "hello"}, ":sw": {"S": "hello world"}, ":x": {"S": "x"}, ":a": {"S": "a"}, ":v": {"S": "v"},
        ":n0": {"N": "0"}, ":n1": {"N": "1"}, ":n2": {"N": "2"}, ":n3": {"N": "3"}, ":n5": {"N": "5"},
        ":n10": {"N": "10"}, ":n11": {"N": "11"}, ":n42": {"N": "42"},
        ":b": {"B": "AQI="}, ":b3": {"B": "AQID"}, ":b1": {"B": "AQ=="}, ":t": {"BOOL": true}, ":f": {"BOOL": false},
        ":null": {"NULL": true}, ":dotted": {"S": "dotted"},
        ":ss": {"SS": ["a", "b"]}, ":ss3": {"SS": ["c", "b", "a"]}, ":ssxy": {"SS": ["x", "y"]}, ":ssa": {"SS": ["a"]},
        ":ns": {"NS": ["1.0", "2", "3"]}, ":l": {"L": [{"N": "7"}]},
        ":lst": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"k": {"S": "v"}}}]},
        ":typeS": {"S": "S"}, ":typeN": {"S": "N"}, ":typeSS": {"S": "SS"}, ":typeNULL": {"S": "NULL"},
        ":typeM": {"S": "M"}, ":typeL": {"S": "L"}, ":typeBOOL": {"S": "BOOL"}, ":typeBS": {"S": "BS"},
        ":bad": {"S": "X"}, ":big": {"N": "9.9999999999999999999999999999999999999E+125"}
    }))
}

fn condition(text: &str) -> Result<Condition, Error> {
    let (n, v) = (names(), values());
    ExpressionContext::new(Some(&n), Some(&v))?.condition(ExpressionKind::Condition, text)
}

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Validation(m)) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

#[test]
fn conditions_evaluate_with_dynamodb_semantics() {
    // (expression, expected) against `sample()`; 6.3.
    let cases: &[(&str, bool)] = &[
        // Comparisons of each comparable type.
        ("qty = :n5", true),
        ("qty = :n10", false),
        ("qty <> :n10", true),
        ("qty <> :n5", false),
        ("qty < :n10", true),
        ("qty <= :n5", true),
        ("qty > :n5", false),
        ("qty >= :n5", true),
        ("cost > :n5", true),
        ("neg < :n0", true),
        ("#n = :sw", true),
        ("#n < :x", true),
        ("#n > :s", true),
        ("bin = :b3", true),
        ("bin > :b", true),
        ("flag = :t", true),
        ("flag <> :f", true),
        // Booleans, nulls, sets, lists and maps are equal or not, never ordered.
        ("flag < :t", false),
        ("flag >= :t", false),
        ("nul = :null", true),
        ("tags = :ss3", true),
        ("tags = :ss", false),
        ("nums = :ns", true),
        ("lst = :lst", true),
        // A type mismatch compares false, except <>.
        ("qty = :s", false),
        ("qty <> :s", true),
        ("qty < :s", false),
        ("#n >= :n5", false),
        // A absent attribute compares false, except <>.
        ("absent = :n5", false),
        ("absent <> :n5", true),
        ("absent < :n5", false),
        // Values may stand on the left.
        (":n5 = qty", true),
        (":n10 > qty", true),
        // Document paths (6.2).
        ("doc.nest.deep = :n42", true),
        ("doc.l[1] = :n2", true),
        ("lst[2].k = :v", true),
        ("lst[0] = :x", true),
        ("lst[5] = :x", false),
        ("doc.s.x = :x", false),
        ("qty[0] = :n5", false),
        ("#dot = :dotted", true),
        ("#c = :n5", true),
        // BETWEEN is inclusive and typed.
        ("qty BETWEEN :n0 AND :n10", true),
        ("qty BETWEEN :n5 AND :n5", true),
        ("qty BETWEEN :n10 AND :n42", false),
        ("#n BETWEEN :a AND :x", true),
        ("qty BETWEEN :a AND :x", false),
        ("absent BETWEEN :n0 AND :n10", false),
        ("qty BETWEEN :n0 AND cost", true),
        // IN
        ("qty IN (:n0, :n5)", true),
        ("qty IN (:n0, :n10)", false),
        ("#n IN (:s, :sw)", true),
        ("absent IN (:n5)", false),
        ("qty IN (:s, :n5, :t)", true),
        // attribute_exists / attribute_not_exists
        ("attribute_exists(qty)", true),
        ("attribute_exists(absent)", false),
        ("attribute_not_exists(absent)", true),
        ("attribute_not_exists(qty)", false),
        ("attribute_exists(doc.nest.deep)", true),
        ("attribute_exists(doc.nest.shallow)", false),
        ("attribute_exists(lst[0])", true),
        ("attribute_exists(lst[9])", false),
        ("attribute_exists(nul)", true),
        ("attribute_exists(#dot)", true),
        // attribute_type
        ("attribute_type(qty, :typeN)", true),
        ("attribute_type(qty, :typeS)", false),
        ("attribute_type(tags, :typeSS)", true),
        ("attribute_type(nul, :typeNULL)", true),
        ("attribute_type(doc, :typeM)", true),
        ("attribute_type(lst, :typeL)", true),
        ("attribute_type(flag, :typeBOOL)", true),
        ("attribute_type(bins, :typeBS)", true),
        ("attribute_type(absent, :typeS)", false),
        // begins_with on strings and binaries
        ("begins_with(#n, :s)", true),
        ("begins_with(#n, :x)", false),
        ("begins_with(bin, :b)", true),
        ("begins_with(qty, :s)", false),
        ("begins_with(absent, :s)", false),
        ("begins_with(#n, :n5)", false),
        // contains on strings, sets and lists
        ("contains(#n, :s)", true),
        ("contains(#n, :x)", false),
        ("contains(tags, :a)", true),
        ("contains(tags, :x)", false),
        ("contains(nums, :n2)", true),
        ("contains(nums, :a)", false),
        ("contains(bins, :b1)", true),
        ("contains(lst, :x)", true),
        ("contains(lst, :n1)", true),
        ("contains(lst, :n2)", false),
        ("contains(qty, :n5)", false),
        ("contains(absent, :a)", false),
        // size of each type
        ("size(#n) = :n11", true),
        ("size(unicode) = :n5", true),
        ("size(tags) = :n3", true),
        ("size(nums) = :n3", true),
        ("size(doc) = :n3", true),
        ("size(bin) = :n3", true),
        ("size(lst) = :n3", true),
        ("size(qty) = :n1", false),
        ("size(absent) = :n0", false),
        ("size(tags) > :n2", true),
        ("size(doc.l) BETWEEN :n1 AND :n2", true),
        // Logic and precedence: NOT > AND > OR.
        ("qty = :n5 AND flag = :t", true),
        ("qty = :n5 AND flag = :f", false),
        ("qty = :n10 OR flag = :t", true),
        ("NOT qty = :n10", true),
        ("NOT (qty = :n5)", false),
        ("qty = :n10 OR qty = :n5 AND flag = :f", false),
        ("(qty = :n10 OR qty = :n5) AND flag = :t", true),
        ("qty = :n10 OR qty = :n5 AND flag = :t", true),
        ("NOT qty = :n10 AND flag = :f", false),
        ("NOT NOT qty = :n5", true),
        ("not qty = :n10", true),
        ("qty = :n5 and flag = :t", true),
        ("qty = :n5 Or flag = :f", true),
        ("(qty = :n5)", true),
        ("(qty = :n5 AND (flag = :t))", true),
        ("attribute_not_exists(pk) OR qty > :n0", true),
        ("qty=:n5", true),
        ("  qty   =   :n5  ", true),
    ];
    let sample = sample();
    for (text, expected) in cases {
        let parsed = condition(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(parsed.evaluate(&sample), *expected, "{text}");
        // Its negation, written as a user would, says the opposite.
        let negated = if is_one_group(text) {
            format!("NOT {text}")
        } else {
            format!("NOT ({text})")
        };
        let parsed = condition(&negated).unwrap_or_else(|e| panic!("{negated}: {e}"));
        assert_eq!(parsed.evaluate(&sample), !*expected, "{negated}");
    }
}

/// Whether the whole text is one parenthesised group, which DynamoDB would
/// call redundant inside another pair.
fn is_one_group(text: &str) -> bool {
    let text = text.trim();
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return i + c.len_utf8() == text.len() && c == ')';
        }
    }
    false
}

#[test]
fn conditions_on_a_missing_item_see_no_attributes() {
    let empty = AttributeMap::new();
    assert!(
        condition("attribute_not_exists(pk)")
            .unwrap()
            .evaluate(&empty)
    );
    assert!(!condition("attribute_exists(pk)").unwrap().evaluate(&empty));
    assert!(condition("qty <> :n5").unwrap().evaluate(&empty));
}

#[test]
fn malformed_conditions_get_dynamodb_messages() {
    let invalid = "Invalid ConditionExpression: ";
    let in_101 = format!("qty IN ({})", vec![":n1"; 101].join(", "));
    let deep = format!("a{}", ".b".repeat(32));
    let long = format!("qty = :n5{}", " ".repeat(4096));
    let cases: Vec<(&str, String)> = vec![
        // 6.1: empty, syntax, reserved words, undefined placeholders.
        ("", format!("{invalid}The expression can not be empty;")),
        ("   ", format!("{invalid}The expression can not be empty;")),
        (
            "qty = ",
            format!("{invalid}Syntax error; token: \"<EOF>\", near: \"=\""),
        ),
        (
            "qty == :n5",
            format!("{invalid}Syntax error; token: \"=\", near: \"= :n5\""),
        ),
        (
            "qty = :n5 AND",
            format!("{invalid}Syntax error; token: \"<EOF>\", near: \"AND\""),
        ),
        (
            "qty = :n5 :n5",
            format!("{invalid}Syntax error; token: \":n5\", near: \":n5\""),
        ),
        (
            "qty !! :n5",
            format!("{invalid}Syntax error; token: \"!\", near: \"!!\""),
        ),
        (
            "qty = 5",
            format!("{invalid}Syntax error; token: \"5\", near: \"5\""),
        ),
        (
            "lst[a] = :x",
            format!("{invalid}Syntax error; token: \"a\", near: \"a]\""),
        ),
        (
            "lst[-1] = :x",
            format!("{invalid}Syntax error; token: \"-\", near: \"-1\""),
        ),
        (
            "status = :s",
            format!("{invalid}Attribute name is a reserved keyword; reserved keyword: status"),
        ),
        (
            "Name = :s",
            format!("{invalid}Attribute name is a reserved keyword; reserved keyword: Name"),
        ),
        (
            "doc.size = :s",
            format!("{invalid}Attribute name is a reserved keyword; reserved keyword: size"),
        ),
        (
            "#absent = :s",
            format!(
                "{invalid}An expression attribute name used in the document path is not defined; attribute name: #absent"
            ),
        ),
        (
            "qty = :nope",
            format!(
                "{invalid}An expression attribute value used in expression is not defined; attribute value: :nope"
            ),
        ),
        // 6.3: functions, operands, BETWEEN, IN, parentheses.
        (
            "qty = qty",
            format!(
                "{invalid}The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [qty]"
            ),
        ),
        (
            "contains(tags, tags)",
            format!(
                "{invalid}The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [tags]"
            ),
        ),
        (
            "foo(qty)",
            format!("{invalid}Invalid function name; function: foo"),
        ),
        (
            "Contains(tags, :a)",
            format!("{invalid}Invalid function name; function: Contains"),
        ),
        (
            "attribute_exists(qty, :n5)",
            format!(
                "{invalid}Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"
            ),
        ),
        (
            "begins_with(#n)",
            format!(
                "{invalid}Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"
            ),
        ),
        (
            "attribute_exists(:n5)",
            format!(
                "{invalid}Operator or function requires a document path; operator or function: attribute_exists"
            ),
        ),
        (
            "size(:s) = :n1",
            format!(
                "{invalid}Operator or function requires a document path; operator or function: size"
            ),
        ),
        (
            "attribute_type(qty, :n5)",
            format!(
                "{invalid}Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"
            ),
        ),
        (
            "attribute_type(qty, :bad)",
            format!(
                "{invalid}Invalid attribute type name found; type: X, valid types: {{ B,BOOL,BS,L,M,N,NS,NULL,S,SS }}"
            ),
        ),
        (
            "qty = list_append(:l, :l)",
            format!(
                "{invalid}The function is not allowed to be used this way in an expression; function: list_append"
            ),
        ),
        (
            "contains(tags, :a) = :t",
            format!("{invalid}Syntax error; token: \"=\", near: \"= :t\""),
        ),
        (
            "((qty = :n5))",
            format!("{invalid}The expression has redundant parentheses;"),
        ),
        (
            "qty = :n5 AND ((flag = :t))",
            format!("{invalid}The expression has redundant parentheses;"),
        ),
        (
            "qty BETWEEN :n10 AND :n5",
            format!(
                "{invalid}The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {{N:10}}, upper bound operand: AttributeValue: {{N:5}}"
            ),
        ),
        (
            "qty BETWEEN :n5 AND :s",
            format!(
                "{invalid}The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {{N:5}}, upper bound operand: AttributeValue: {{S:hello}}"
            ),
        ),
        (
            in_101.as_str(),
            format!(
                "{invalid}The IN operator is provided with too many operands; number of operands: 101"
            ),
        ),
        (
            deep.as_str(),
            format!("{invalid}The document path has too many nesting levels; nesting levels: 33"),
        ),
        (
            long.as_str(),
            format!(
                "{invalid}Expression size has exceeded the maximum allowed size; expression size: 4105"
            ),
        ),
    ];
    for (text, expected) in &cases {
        assert_eq!(&message(condition(text)), expected, "{text:?}");
    }
}

#[test]
fn in_accepts_exactly_one_hundred_operands() {
    let in_100 = format!("qty IN ({})", vec![":n5"; 100].join(", "));
    assert!(condition(&in_100).unwrap().evaluate(&sample()));
}

#[test]
fn placeholder_maps_are_checked_and_must_all_be_used() {
    let n = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let v = |j: Value| item(j);
    let check =
        |names: Option<HashMap<String, String>>, values: Option<AttributeMap>, text: &str| {
            let cx = ExpressionContext::new(names.as_ref(), values.as_ref())?;
            cx.condition(ExpressionKind::Filter, text)?;
            cx.finish()
        };
    assert_eq!(
        message(check(
            Some(n(&[("#a", "x"), ("#b", "y")])),
            Some(v(json!({":v": {"S": "1"}}))),
            "#a = :v"
        )),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    );
    assert_eq!(
        message(check(
            None,
            Some(v(
                json!({":v": {"S": "1"}, ":w": {"S": "2"}, ":u": {"N": "3"}})
            )),
            "x = :v"
        )),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u, :w}"
    );
    assert_eq!(
        message(check(Some(n(&[])), None, "x = :v")),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        message(check(None, Some(AttributeMap::new()), "x = :v")),
        "ExpressionAttributeValues must not be empty"
    );
    assert_eq!(
        message(check(Some(n(&[("a", "x")])), None, "x = :v")),
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""
    );
    assert_eq!(
        message(check(None, Some(v(json!({"v": {"S": "1"}}))), "x = :v")),
        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""
    );
    assert_eq!(
        message(check(Some(n(&[("#a", "x")])), None, "#a = :v")),
        "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :v"
    );
    // One context serves several expressions of a request.
    let names = n(&[("#a", "x"), ("#p", "y")]);
    let values = v(json!({":v": {"S": "1"}}));
    let cx = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    cx.condition(ExpressionKind::Condition, "#a = :v").unwrap();
    cx.projection("#p").unwrap();
    cx.finish().unwrap();
}

fn update(text: &str) -> Result<Update, Error> {
    let (n, v) = (names(), values());
    ExpressionContext::new(Some(&n), Some(&v))?.update(text)
}

#[test]
fn updates_produce_dynamodb_results() {
    let base = item(json!({
        "qty": {"N": "5"}, "cost": {"N": "9.99"}, "name": {"S": "hello"},
        "lst": {"L": [{"S": "x"}, {"N": "1"}, {"S": "z"}]},
        "doc": {"M": {"nest": {"M": {"deep": {"N": "42"}}}}},
        "tags": {"SS": ["a", "b", "c"]}, "big": {"N": "9.9999999999999999999999999999999999999E+125"}
    }));
    // (update, attribute to check, expected value or None when removed); 6.4.
    let cases: Vec<(&str, &str, Option<Value>)> = vec![
        ("SET fresh = :n5", "fresh", Some(json!({"N": "5"}))),
        ("SET #c = #c + :n5", "qty", Some(json!({"N": "10"}))),
        ("SET #c = #c - :n10", "qty", Some(json!({"N": "-5"}))),
        ("SET #c = :n1 + cost", "qty", Some(json!({"N": "10.99"}))),
        (
            "SET lst[1] = :x",
            "lst",
            Some(json!({"L": [{"S": "x"}, {"S": "x"}, {"S": "z"}]})),
        ),
        (
            "SET lst[10] = :a",
            "lst",
            Some(json!({"L": [{"S": "x"}, {"N": "1"}, {"S": "z"}, {"S": "a"}]})),
        ),
        (
            "SET doc.nest.deep = :n5",
            "doc",
            Some(json!({"M": {"nest": {"M": {"deep": {"N": "5"}}}}})),
        ),
        (
            "SET doc.added = :s",
            "doc",
            Some(json!({"M": {"nest": {"M": {"deep": {"N": "42"}}}, "added": {"S": "hello"}}})),
        ),
        (
            "SET x = if_not_exists(#c, :n0)",
            "x",
            Some(json!({"N": "5"})),
        ),
        (
            "SET x = if_not_exists(absent, :n0)",
            "x",
            Some(json!({"N": "0"})),
        ),
        (
            "SET #c = if_not_exists(#c, :n0) + :n1",
            "qty",
            Some(json!({"N": "6"})),
        ),
        (
            "SET lst = list_append(lst, :l)",
            "lst",
            Some(json!({"L": [{"S": "x"}, {"N": "1"}, {"S": "z"}, {"N": "7"}]})),
        ),
        (
            "SET lst = list_append(:l, lst)",
            "lst",
            Some(json!({"L": [{"N": "7"}, {"S": "x"}, {"N": "1"}, {"S": "z"}]})),
        ),
        (
            "SET fresh = list_append(if_not_exists(fresh, :l), :l)",
            "fresh",
            Some(json!({"L": [{"N": "7"}, {"N": "7"}]})),
        ),
        (
            "SET #c = cost, cost = #c",
            "qty",
            Some(json!({"N": "9.99"})),
        ),
        ("SET #c = cost, cost = #c", "cost", Some(json!({"N": "5"}))),
        ("REMOVE #c", "qty", None),
        ("REMOVE absent", "qty", Some(json!({"N": "5"}))),
        (
            "REMOVE lst[0], lst[2]",
            "lst",
            Some(json!({"L": [{"N": "1"}]})),
        ),
        (
            "REMOVE lst[10]",
            "lst",
            Some(json!({"L": [{"S": "x"}, {"N": "1"}, {"S": "z"}]})),
        ),
        (
            "REMOVE doc.nest.deep",
            "doc",
            Some(json!({"M": {"nest": {"M": {}}}})),
        ),
        (
            "REMOVE doc.nothing.here",
            "doc",
            Some(json!({"M": {"nest": {"M": {"deep": {"N": "42"}}}}})),
        ),
        ("ADD #c :n5", "qty", Some(json!({"N": "10"}))),
        ("ADD fresh :n5", "fresh", Some(json!({"N": "5"}))),
        (
            "ADD tags :ssxy",
            "tags",
            Some(json!({"SS": ["a", "b", "c", "x", "y"]})),
        ),
        ("ADD fresh :ss", "fresh", Some(json!({"SS": ["a", "b"]}))),
        (
            "ADD doc.nest.tally :n1",
            "doc",
            Some(json!({"M": {"nest": {"M": {"deep": {"N": "42"}, "tally": {"N": "1"}}}}})),
        ),
        ("DELETE tags :ss", "tags", Some(json!({"SS": ["c"]}))),
        ("DELETE tags :ss3", "tags", None),
        (
            "DELETE absent :ss",
            "tags",
            Some(json!({"SS": ["a", "b", "c"]})),
        ),
        (
            "set fresh = :n5 remove #c",
            "fresh",
            Some(json!({"N": "5"})),
        ),
        (
            "SET fresh = :n1 REMOVE #c ADD extra :n1 DELETE tags :ssa",
            "qty",
            None,
        ),
        (
            "SET fresh = :n1 REMOVE #c ADD extra :n1 DELETE tags :ssa",
            "tags",
            Some(json!({"SS": ["b", "c"]})),
        ),
    ];
    for (text, attribute, expected) in &cases {
        let new = update(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .apply(&base)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            new.get(*attribute).cloned(),
            expected.clone().map(av),
            "{text}"
        );
    }
}

#[test]
fn update_evaluation_errors() {
    let base = item(
        json!({"qty": {"N": "5"}, "name": {"S": "hello"}, "tags": {"SS": ["a"]},
        "big": {"N": "9.9999999999999999999999999999999999999E+125"}, "lst": {"L": []}}),
    );
    let cases: &[(&str, &str)] = &[
        (
            "SET nothere.x = :s",
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET #n.x = :s",
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET #c[0] = :s",
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET #c = absent + :n5",
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            "SET x = absent",
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            "SET #c = #n + :n5",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET x = list_append(#n, :l)",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "ADD #n :n5",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "ADD tags :ns",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "DELETE #c :ss",
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET big = big + :big",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "ADD big :big",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
    ];
    for (text, expected) in cases {
        let parsed = update(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(message(parsed.apply(&base)), *expected, "{text}");
    }
}

#[test]
fn malformed_updates_get_dynamodb_messages() {
    let invalid = "Invalid UpdateExpression: ";
    let cases: Vec<(&str, String)> = vec![
        (
            "INVALID SYNTAX",
            format!("{invalid}Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\""),
        ),
        (
            "SET a = :n5 SET b = :n5",
            format!("{invalid}The \"SET\" section can only be used once in an update expression;"),
        ),
        (
            "REMOVE a REMOVE b",
            format!(
                "{invalid}The \"REMOVE\" section can only be used once in an update expression;"
            ),
        ),
        (
            "SET a = :n5 REMOVE a",
            format!(
                "{invalid}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
            ),
        ),
        (
            "SET a.b = :n5, a = :n5",
            format!(
                "{invalid}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"
            ),
        ),
        (
            "SET a.b = :n5, a[0] = :n5",
            format!(
                "{invalid}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"
            ),
        ),
        (
            "ADD #c :s",
            format!(
                "{invalid}Incorrect operand type for operator or function; operator: ADD, operand type: S"
            ),
        ),
        (
            "DELETE tags :n5",
            format!(
                "{invalid}Incorrect operand type for operator or function; operator: DELETE, operand type: N"
            ),
        ),
        (
            "SET a = :s + :n5",
            format!(
                "{invalid}Incorrect operand type for operator or function; operator or function: +, operand type: S"
            ),
        ),
        (
            "SET a = list_append(:s, :l)",
            format!(
                "{invalid}Incorrect operand type for operator or function; operator or function: list_append, operand type: S"
            ),
        ),
        (
            "SET a = attribute_exists(b)",
            format!(
                "{invalid}The function is not allowed in an update expression; function: attribute_exists"
            ),
        ),
        (
            "SET a = foo(b)",
            format!("{invalid}Invalid function name; function: foo"),
        ),
        (
            "SET a = if_not_exists(:n5, :n1)",
            format!(
                "{invalid}Operator or function requires a document path; operator or function: if_not_exists"
            ),
        ),
        (
            "REMOVE",
            format!("{invalid}Syntax error; token: \"<EOF>\", near: \"REMOVE\""),
        ),
        (
            "SET a :n5",
            format!("{invalid}Syntax error; token: \":n5\", near: \":n5\""),
        ),
        (
            "ADD a b",
            format!("{invalid}Syntax error; token: \"b\", near: \"b\""),
        ),
        (
            "SET name = :s",
            format!("{invalid}Attribute name is a reserved keyword; reserved keyword: name"),
        ),
        ("", format!("{invalid}The expression can not be empty;")),
    ];
    for (text, expected) in &cases {
        assert_eq!(&message(update(text)), expected, "{text:?}");
    }
}

#[test]
fn projections_select_nested_paths() {
    let (n, v) = (names(), values());
    let project = |text: &str| {
        let cx = ExpressionContext::new(Some(&n), Some(&v)).unwrap();
        cx.projection(text).map(|p| p.apply(&sample()))
    };
    // 6.5
    let cases: &[(&str, Value)] = &[
        (
            "#c, #n",
            json!({"qty": {"N": "5"}, "name": {"S": "hello world"}}),
        ),
        (
            "doc.nest.deep",
            json!({"doc": {"M": {"nest": {"M": {"deep": {"N": "42"}}}}}}),
        ),
        (
            "lst[2].k, lst[0]",
            json!({"lst": {"L": [{"S": "x"}, {"M": {"k": {"S": "v"}}}]}}),
        ),
        ("absent", json!({})),
        (
            "doc.s, doc.l[1]",
            json!({"doc": {"M": {"s": {"S": "str"}, "l": {"L": [{"N": "2"}]}}}}),
        ),
        ("doc.absent, pk", json!({"pk": {"S": "p1"}})),
        ("lst[7]", json!({})),
        ("#dot", json!({"a.b": {"S": "dotted"}})),
    ];
    for (text, expected) in cases {
        assert_eq!(project(text).unwrap(), item(expected.clone()), "{text}");
    }
    let invalid = "Invalid ProjectionExpression: ";
    let errors: Vec<(&str, String)> = vec![
        (
            "pk, pk",
            format!(
                "{invalid}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [pk], path two: [pk]"
            ),
        ),
        (
            "doc, doc.s",
            format!(
                "{invalid}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [doc], path two: [doc, s]"
            ),
        ),
        (
            "doc.s, doc[0]",
            format!(
                "{invalid}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [doc, s], path two: [doc, [0]]"
            ),
        ),
        (
            "!!",
            format!("{invalid}Syntax error; token: \"!\", near: \"!!\""),
        ),
        (
            "status",
            format!("{invalid}Attribute name is a reserved keyword; reserved keyword: status"),
        ),
        (
            "pk,",
            format!("{invalid}Syntax error; token: \"<EOF>\", near: \",\""),
        ),
        ("", format!("{invalid}The expression can not be empty;")),
    ];
    for (text, expected) in &errors {
        assert_eq!(&message(project(text)), expected, "{text:?}");
    }
}

fn key_condition(text: &str) -> Result<KeyCondition, Error> {
    let (n, v) = (names(), values());
    ExpressionContext::new(Some(&n), Some(&v))?.key_condition(text)
}

#[test]
fn key_conditions_become_terms() {
    let kc = |name: &str, op: SortKeyOp| KeyTerm {
        name: name.into(),
        op,
    };
    let s = |v: &str| AttributeValue::S(v.into());
    let n = |v: &str| AttributeValue::N(v.parse().unwrap());
    // 5.3
    let cases: Vec<(&str, Vec<KeyTerm>)> = vec![
        ("pk = :a", vec![kc("pk", SortKeyOp::Eq(s("a")))]),
        (":a = pk", vec![kc("pk", SortKeyOp::Eq(s("a")))]),
        (
            "pk = :a AND sk > :n5",
            vec![
                kc("pk", SortKeyOp::Eq(s("a"))),
                kc("sk", SortKeyOp::Gt(n("5"))),
            ],
        ),
        (
            ":n5 < sk AND pk = :a",
            vec![
                kc("sk", SortKeyOp::Gt(n("5"))),
                kc("pk", SortKeyOp::Eq(s("a"))),
            ],
        ),
        (
            ":n5 >= sk AND pk = :a",
            vec![
                kc("sk", SortKeyOp::Le(n("5"))),
                kc("pk", SortKeyOp::Eq(s("a"))),
            ],
        ),
        (
            "pk = :a AND sk BETWEEN :n0 AND :n10",
            vec![
                kc("pk", SortKeyOp::Eq(s("a"))),
                kc("sk", SortKeyOp::Between(n("0"), n("10"))),
            ],
        ),
        (
            "pk = :a AND begins_with(sk, :s)",
            vec![
                kc("pk", SortKeyOp::Eq(s("a"))),
                kc("sk", SortKeyOp::BeginsWith(s("hello"))),
            ],
        ),
        (
            "(pk = :a) AND (sk <= :n5)",
            vec![
                kc("pk", SortKeyOp::Eq(s("a"))),
                kc("sk", SortKeyOp::Le(n("5"))),
            ],
        ),
        (
            "(pk = :a AND (sk = :n5))",
            vec![
                kc("pk", SortKeyOp::Eq(s("a"))),
                kc("sk", SortKeyOp::Eq(n("5"))),
            ],
        ),
        ("#c = :n5", vec![kc("qty", SortKeyOp::Eq(n("5")))]),
    ];
    for (text, terms) in cases {
        assert_eq!(
            key_condition(text)
                .unwrap_or_else(|e| panic!("{text}: {e}"))
                .terms,
            terms,
            "{text}"
        );
    }
    let errors: &[(&str, &str)] = &[
        (
            "pk = :a OR sk = :n5",
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            "NOT pk = :a",
            "Invalid operator used in KeyConditionExpression: NOT",
        ),
        (
            "pk <> :a",
            "Invalid operator used in KeyConditionExpression: <>",
        ),
        (
            "pk IN (:a)",
            "Invalid operator used in KeyConditionExpression: IN",
        ),
        (
            "attribute_exists(pk)",
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            "pk = :a AND contains(sk, :s)",
            "Invalid operator used in KeyConditionExpression: contains",
        ),
        (
            "pk = :a AND size(sk) > :n1",
            "Invalid operator used in KeyConditionExpression: size",
        ),
        (
            "pk = :a AND pk = :s",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            "pk.x = :a",
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        (
            "pk = :a AND ((sk = :n5))",
            "Invalid KeyConditionExpression: The expression has redundant parentheses;",
        ),
    ];
    for (text, expected) in errors {
        assert_eq!(message(key_condition(text)), *expected, "{text}");
    }
}

// ---- printer round trip and robustness -----------------------------------

fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("status".to_owned()),
        Just("a.b".to_owned()),
        Just("with space".to_owned()),
        "[a-z][a-z0-9_]{0,6}",
    ]
}

fn arb_path() -> impl Strategy<Value = Path> {
    (
        arb_name(),
        proptest::collection::vec(
            prop_oneof![
                arb_name().prop_map(PathElement::Attribute),
                (0u32..5).prop_map(PathElement::Index)
            ],
            0..3,
        ),
    )
        .prop_map(|(top, rest)| {
            let mut elements = vec![PathElement::Attribute(top)];
            elements.extend(rest);
            Path { elements }
        })
}

fn arb_value() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        "\\PC{0,8}".prop_map(AttributeValue::S),
        any::<i64>().prop_map(|n| AttributeValue::N(n.into())),
        any::<bool>().prop_map(AttributeValue::Bool),
        proptest::collection::vec(any::<u8>(), 0..4).prop_map(AttributeValue::B),
    ]
}

fn arb_operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        arb_path().prop_map(Operand::Path),
        arb_value().prop_map(Operand::Value),
        arb_path().prop_map(Operand::Size),
    ]
}

fn arb_comparator() -> impl Strategy<Value = Comparator> {
    prop_oneof![
        Just(Comparator::Eq),
        Just(Comparator::Ne),
        Just(Comparator::Lt),
        Just(Comparator::Le),
        Just(Comparator::Gt),
        Just(Comparator::Ge),
    ]
}

fn arb_condition() -> impl Strategy<Value = Condition> {
    let leaf = prop_oneof![
        (arb_operand(), arb_comparator(), arb_operand())
            .prop_map(|(left, op, right)| Condition::Compare { left, op, right }),
        (
            arb_operand(),
            proptest::collection::vec(arb_operand(), 1..4)
        )
            .prop_map(|(value, list)| Condition::In { value, list }),
        (arb_operand(), arb_operand(), arb_operand())
            .prop_map(|(value, low, high)| Condition::Between { value, low, high }),
        arb_path().prop_map(Condition::AttributeExists),
        arb_path().prop_map(Condition::AttributeNotExists),
        (
            arb_path(),
            Just(Operand::Value(AttributeValue::S("N".into())))
        )
            .prop_map(|(p, t)| Condition::AttributeType(p, t)),
        (arb_path(), arb_operand()).prop_map(|(p, o)| Condition::BeginsWith(Operand::Path(p), o)),
        (arb_path(), arb_operand()).prop_map(|(p, o)| Condition::Contains(Operand::Path(p), o)),
    ];
    leaf.prop_recursive(4, 24, 2, |nest| {
        prop_oneof![
            (nest.clone(), nest.clone()).prop_map(|(a, b)| a.and(b)),
            (nest.clone(), nest.clone()).prop_map(|(a, b)| a.or(b)),
            nest.prop_map(Condition::not),
        ]
    })
}

/// Conditions DynamoDB rejects by design, decided from the tree alone so a
/// printer that emits bad syntax cannot hide among them: an operand path
/// repeated (`a = a`, `contains(a, a)`, `a BETWEEN a AND :v`, `a IN (a)`)
/// and literal BETWEEN bounds of different types or out of order.
fn rejected_by_design(condition: &Condition) -> bool {
    let repeats = |first: &Operand, rest: &[&Operand]| {
        matches!(first, Operand::Path(_)) && rest.contains(&first)
    };
    match condition {
        Condition::And(a, b) | Condition::Or(a, b) => {
            rejected_by_design(a) || rejected_by_design(b)
        }
        Condition::Not(c) => rejected_by_design(c),
        Condition::Compare { left, right, .. } => repeats(left, &[right]),
        Condition::In { value, list } => repeats(value, &list.iter().collect::<Vec<_>>()),
        Condition::Between { value, low, high } => {
            let bounds_ok = match (low, high) {
                (Operand::Value(lo), Operand::Value(hi)) => {
                    literal_order(lo, hi).is_some_and(|o| o != std::cmp::Ordering::Greater)
                }
                _ => true,
            };
            !bounds_ok || repeats(value, &[low, high])
        }
        Condition::BeginsWith(first, second) | Condition::Contains(first, second) => {
            repeats(first, &[second])
        }
        _ => false,
    }
}

/// DynamoDB's order of two literals: numbers by value, strings and binaries
/// by bytes; other types and mixed types have none.
fn literal_order(a: &AttributeValue, b: &AttributeValue) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (AttributeValue::N(x), AttributeValue::N(y)) => Some(x.cmp(y)),
        (AttributeValue::S(x), AttributeValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttributeValue::B(x), AttributeValue::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The messages of the rejections above.
const DESIGNED_REJECTIONS: &[&str] = &[
    "The first operand must be distinct from the remaining operands",
    "The BETWEEN operator requires same data type for lower and upper bounds",
    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn printed_conditions_parse_back_to_the_same_ast(condition in arb_condition()) {
        let mut printed = PrintedExpression::default();
        let text = printed.condition(&condition);
        let names = printed.names_or_none();
        let values = printed.values_or_none();
        let cx = ExpressionContext::new(names.as_ref(), values.as_ref());
        prop_assert!(cx.is_ok(), "placeholders printed for {}: {:?}", text, cx.err());
        let cx = cx.unwrap();
        let parsed = cx.condition(ExpressionKind::Condition, &text);
        if rejected_by_design(&condition) {
            let message = match &parsed {
                Err(Error::Validation(message)) => message.as_str(),
                other => return Err(TestCaseError::fail(format!(
                    "{text} should be rejected by design, got {other:?}"
                ))),
            };
            prop_assert!(
                DESIGNED_REJECTIONS.iter().any(|m| message.contains(m)),
                "{} rejected for another reason: {}", text, message
            );
        } else {
            prop_assert!(parsed.is_ok(), "printed {} does not parse: {:?}", text, parsed);
            prop_assert_eq!(parsed.unwrap(), condition);
            let finished = cx.finish();
            prop_assert!(finished.is_ok(), "{}: {:?}", text, finished);
        }
    }

    #[test]
    fn printed_updates_parse_back_to_the_same_ast(
        sets in proptest::collection::vec((arb_name(), arb_value()), 0..3),
        removes in proptest::collection::vec(arb_name(), 0..3),
        adds in proptest::collection::vec((arb_name(), any::<i32>()), 0..2),
    ) {
        let mut update = Update::default();
        let mut used = std::collections::HashSet::new();
        for (name, value) in sets {
            if used.insert(name.clone()) {
                update.set.push(SetAction { path: Path::attribute(name), value: SetValue::Operand(UpdateOperand::Value(value)) });
            }
        }
        for name in removes {
            if used.insert(name.clone()) {
                update.remove.push(Path::attribute(name));
            }
        }
        for (name, n) in adds {
            if used.insert(name.clone()) {
                update.add.push((Path::attribute(name), AttributeValue::N(n.into())));
            }
        }
        prop_assume!(!update.is_empty());
        let mut printed = PrintedExpression::default();
        let text = printed.update(&update);
        let (names, values) = (printed.names_or_none(), printed.values_or_none());
        let cx = ExpressionContext::new(names.as_ref(), values.as_ref()).unwrap();
        prop_assert_eq!(cx.update(&text).unwrap(), update);
    }

    #[test]
    fn the_parser_never_panics_on_any_string(text in "\\PC{0,80}") {
        let (n, v) = (names(), values());
        let cx = ExpressionContext::new(Some(&n), Some(&v)).unwrap();
        let _ = cx.condition(ExpressionKind::Condition, &text);
        let _ = cx.update(&text);
        let _ = cx.projection(&text);
        let _ = cx.key_condition(&text);
    }

    #[test]
    fn the_parser_never_panics_on_token_soup(tokens in proptest::collection::vec(prop_oneof![
        Just("("), Just(")"), Just("["), Just("]"), Just(","), Just("."), Just("="), Just("<>"), Just("<"),
        Just(">="), Just("+"), Just("-"), Just("AND"), Just("OR"), Just("NOT"), Just("BETWEEN"), Just("IN"),
        Just("SET"), Just("REMOVE"), Just("ADD"), Just("DELETE"), Just("size"), Just("contains"),
        Just("list_append"), Just("if_not_exists"), Just("attribute_exists"), Just("#n"), Just(":n5"),
        Just(":ss"), Just("qty"), Just("lst"), Just("0"), Just("99999999999"), Just("#"), Just(":"),
    ], 0..30)) {
        let text = tokens.join(" ");
        let (n, v) = (names(), values());
        let cx = ExpressionContext::new(Some(&n), Some(&v)).unwrap();
        if let Ok(c) = cx.condition(ExpressionKind::Condition, &text) {
            let _ = c.evaluate(&sample());
        }
        if let Ok(u) = cx.update(&text) {
            let _ = u.apply(&sample());
        }
        let _ = cx.projection(&text).map(|p| p.apply(&sample()));
        let _ = cx.key_condition(&text);
    }
}
