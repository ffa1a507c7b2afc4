//! DynamoDB's limits on an expression's size, and the proof that every
//! recursive walk over an expression is bounded: the deepest and largest
//! expressions DynamoDB accepts are parsed, evaluated, printed and parsed
//! again on a thread with a deliberately small stack, so a change that adds
//! a stack frame per nesting level fails here instead of in a server.

use dynamo_core::expr::*;
use dynamo_core::ops::{PutItemInput, UpdateItemInput};
use dynamo_core::{AttributeMap, AttributeValue, Error, Number};

/// The stack the margin tests run on. Release builds get the 256 KB the
/// issue asks for; unoptimised test builds keep every temporary on the
/// stack, so they get four times that, which is still an eighth of a tokio
/// worker's 2 MB.
const SMALL_STACK: usize = if cfg!(debug_assertions) {
    1024 * 1024
} else {
    256 * 1024
};

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn values() -> AttributeMap {
    AttributeMap::from([(":v".to_owned(), AttributeValue::N(Number::from(1u64)))])
}

fn parse_condition(kind: ExpressionKind, text: &str) -> Result<Condition, Error> {
    let values = values();
    let cx = ExpressionContext::new(None, Some(&values))?;
    let condition = cx.condition(kind, text)?;
    cx.finish()?;
    Ok(condition)
}

fn parse_update(text: &str) -> Result<Update, Error> {
    let values = values();
    let cx = ExpressionContext::new(None, Some(&values))?;
    let update = cx.update(text)?;
    cx.finish()?;
    Ok(update)
}

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Validation(m)) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

/// `a < :v OR (a < :v OR (...))`: `2 * levels - 1` operators.
fn or_chain(levels: usize) -> String {
    let mut text = "a < :v".to_owned();
    for _ in 1..levels {
        text = format!("a < :v OR ({text})");
    }
    text
}

/// `(NOT (NOT (... (a < :v))))` with `nots` NOTs: `nots + 1` operators in
/// `nots + 1` nested groups, the deepest nesting 300 operators allow.
fn not_groups(nots: usize) -> String {
    let mut text = "(a < :v)".to_owned();
    for _ in 0..nots {
        text = format!("(NOT {text})");
    }
    text
}

/// `SET a = if_not_exists(a,if_not_exists(a,... :v))` with `depth` calls.
fn if_not_exists_chain(depth: usize) -> String {
    let mut value = ":v".to_owned();
    for _ in 0..depth {
        value = format!("if_not_exists(a,{value})");
    }
    format!("SET a = {value}")
}

const KINDS: [ExpressionKind; 3] = [
    ExpressionKind::Condition,
    ExpressionKind::Filter,
    ExpressionKind::KeyCondition,
];

#[test]
fn four_thousand_open_parentheses_are_a_syntax_error_on_every_condition_parameter() {
    let text = "(".repeat(4096);
    for kind in KINDS {
        let text = text.clone();
        let got = on_small_stack(move || message(parse_condition(kind, &text)));
        assert_eq!(
            got,
            format!(
                "Invalid {}: Syntax error; token: \"<EOF>\", near: \"(\"",
                kind.parameter()
            )
        );
    }
    let got = on_small_stack(move || message(parse_update(&"(".repeat(4096))));
    assert_eq!(
        got,
        "Invalid UpdateExpression: Syntax error; token: \"(\", near: \"((\""
    );
}

#[test]
fn three_hundred_operators_are_accepted_and_the_three_hundred_and_first_is_refused() {
    // 150 levels hold 299 operators; 151 hold 301.
    let ok = or_chain(150);
    assert!(parse_condition(ExpressionKind::Condition, &ok).is_ok());
    for kind in [ExpressionKind::Condition, ExpressionKind::Filter] {
        assert_eq!(
            message(parse_condition(kind, &or_chain(151))),
            format!(
                "Invalid {}: The expression contains too many operators; operator count: 301",
                kind.parameter()
            )
        );
    }
    // Exactly 300: NOT 299 times, then one comparison.
    let three_hundred = format!("{}a < :v", "NOT ".repeat(299));
    assert!(parse_condition(ExpressionKind::Condition, &three_hundred).is_ok());
    let three_hundred_one = format!("NOT {three_hundred}");
    assert_eq!(
        message(parse_condition(
            ExpressionKind::Condition,
            &three_hundred_one
        )),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
    // Within 4 KB, a thousand NOTs are refused the same way, not recursed into.
    let thousand = format!("{}a < :v", "NOT ".repeat(1000));
    assert!(thousand.len() < MAX_EXPRESSION_BYTES);
    let got = on_small_stack(move || message(parse_condition(ExpressionKind::Filter, &thousand)));
    assert_eq!(
        got,
        "Invalid FilterExpression: The expression contains too many operators; operator count: 301"
    );
}

#[test]
fn parentheses_around_one_comparison_two_thousand_deep_are_redundant() {
    let text = format!("{}a<:v{}", "(".repeat(2045), ")".repeat(2045));
    assert!(text.len() <= MAX_EXPRESSION_BYTES);
    let got = on_small_stack(move || message(parse_condition(ExpressionKind::Condition, &text)));
    assert_eq!(
        got,
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
}

#[test]
fn update_functions_count_as_operators() {
    // 4 KB hold 240 nested calls; a typed update can hold more.
    let text = if_not_exists_chain(240);
    assert!(text.len() <= MAX_EXPRESSION_BYTES);
    assert!(parse_update(&text).is_ok());
    let mut fallback = UpdateOperand::Value(AttributeValue::N(Number::from(1u64)));
    for _ in 0..301 {
        fallback = UpdateOperand::IfNotExists(Path::attribute("a"), Box::new(fallback));
    }
    let update = Update {
        set: vec![SetAction {
            path: Path::attribute("a"),
            value: SetValue::Operand(fallback),
        }],
        ..Update::default()
    };
    assert_eq!(
        message(update.check_limits()),
        "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"
    );
    let appends = format!(
        "SET a = {}b{}",
        "list_append(a,".repeat(240),
        ")".repeat(240)
    );
    let cx = ExpressionContext::new(None, None).unwrap();
    assert!(cx.update(&appends).is_ok());
}

#[test]
fn an_unknown_function_nested_a_thousand_times_is_named_not_recursed_into() {
    let text = format!("a < {}b{}", "f(".repeat(1000), ")".repeat(1000));
    let got = on_small_stack(move || message(parse_condition(ExpressionKind::Condition, &text)));
    assert_eq!(
        got,
        "Invalid ConditionExpression: Invalid function name; function: f"
    );
}

/// Parses, evaluates, prints and parses again, all on the small stack.
fn round_trip_condition(text: String) {
    on_small_stack(move || {
        let condition = parse_condition(ExpressionKind::Condition, &text).unwrap();
        let item = AttributeMap::from([("a".to_owned(), AttributeValue::N(Number::from(0u64)))]);
        let _ = condition.evaluate(&item);
        let mut printed = PrintedExpression::default();
        let again = printed.condition(&condition);
        let names = printed.names_or_none();
        let values = printed.values_or_none();
        let cx = ExpressionContext::new(names.as_ref(), values.as_ref()).unwrap();
        assert_eq!(
            cx.condition(ExpressionKind::Condition, &again).unwrap(),
            condition
        );
        condition.check_limits(ExpressionKind::Condition).unwrap();
    });
}

#[test]
fn the_deepest_accepted_conditions_fit_a_small_stack() {
    round_trip_condition(not_groups(299));
    round_trip_condition(or_chain(150));
    round_trip_condition(format!("{}a < :v", "NOT ".repeat(299)));
}

#[test]
fn the_deepest_accepted_update_fits_a_small_stack() {
    on_small_stack(|| {
        let deepest = parse_update(&if_not_exists_chain(240)).unwrap();
        let applied = deepest.apply(&AttributeMap::new()).unwrap();
        assert_eq!(applied["a"], AttributeValue::N(Number::from(1u64)));
        deepest.check_limits().unwrap();
        // Printed with placeholders, 200 levels still fit in 4 KB.
        let update = parse_update(&if_not_exists_chain(200)).unwrap();
        let mut printed = PrintedExpression::default();
        let again = printed.update(&update);
        let names = printed.names_or_none();
        let values = printed.values_or_none();
        let cx = ExpressionContext::new(names.as_ref(), values.as_ref()).unwrap();
        assert_eq!(cx.update(&again).unwrap(), update);
    });
}

#[test]
fn a_typed_condition_with_too_many_operators_is_refused_before_it_is_evaluated() {
    let comparison = || Condition::Compare {
        left: Operand::Path(Path::attribute("a")),
        op: Comparator::Eq,
        right: Operand::Value(AttributeValue::S("x".into())),
    };
    // 151 comparisons joined by 150 ANDs: 301 operators, 151 deep.
    let mut condition = comparison();
    for _ in 0..150 {
        condition = condition.and(comparison());
    }
    let mut put = PutItemInput::new("t", AttributeMap::new());
    put.condition = Some(condition.clone());
    assert_eq!(
        message(put.validate()),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
    // A path deeper than 32 elements, built without the parser.
    let mut path = Path::attribute("a");
    for i in 0..32 {
        path = path.key(format!("k{i}"));
    }
    let update = UpdateItemInput::new(
        "t",
        AttributeMap::new(),
        Update {
            remove: vec![path],
            ..Update::default()
        },
    );
    assert_eq!(
        message(update.validate()),
        "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33"
    );
}
