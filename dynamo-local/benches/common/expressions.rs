//! The expression fuzz target: random condition, update, projection and key
//! condition ASTs, printed with placeholders, then (usually) mutated byte by
//! byte, parsed against their placeholder maps, and when they parse,
//! evaluated on a random item. Raw random strings are fed too.
//!
//! Besides "never panics", one property is checked: an expression that
//! parses prints back to a text that parses to the same AST (and a
//! generated AST printed unmutated parses back to itself).

use super::driver::Case;
use super::mutate;
use super::rng::Rng;
use super::values;
use dynamo_core::AttributeValue;
use dynamo_core::expr::*;
use dynamo_core::{AttributeMap, Error};
use std::collections::HashMap;

/// Tokens spliced into expressions.
pub const DICTIONARY: &[&[u8]] = &[
    b"(",
    b")",
    b"((",
    b"))",
    b"NOT ",
    b" AND ",
    b" OR ",
    b" BETWEEN ",
    b" IN ",
    b" = ",
    b" <> ",
    b" < ",
    b" <= ",
    b" > ",
    b">=",
    b",",
    b".",
    b"[",
    b"]",
    b"[0]",
    b"[4294967296]",
    b"#n0",
    b"#n1",
    b"#undefined",
    b":v0",
    b":v1",
    b":missing",
    b"size(",
    b"attribute_exists(",
    b"attribute_not_exists(",
    b"attribute_type(",
    b"begins_with(",
    b"contains(",
    b"if_not_exists(",
    b"list_append(",
    b"SET ",
    b"REMOVE ",
    b"ADD ",
    b"DELETE ",
    b" + ",
    b" - ",
    b"a",
    b"status",
    b"size",
    b"pk",
    b"a.b",
    b"\xff",
    b"\xe2\x82",
    b"\xf0\x9f\xa6\x80",
    b"\0",
    b" ",
    b"#",
    b":",
    b"a.",
    b"NOT NOT ",
    b"(a = :v0)",
    b"#n0 = :v0",
    b" AND #n0 = :v0",
    b", #n0",
    b", :v0",
    b"[99999999999999999999]",
    b"1",
    b"-",
    b"_",
];

/// What a generated text is parsed as.
const KINDS: [ExpressionKind; 5] = [
    ExpressionKind::Condition,
    ExpressionKind::Filter,
    ExpressionKind::KeyCondition,
    ExpressionKind::Update,
    ExpressionKind::Projection,
];

/// The AST an input was printed from.
#[derive(Clone, Debug)]
pub enum Ast {
    /// A condition or filter.
    Condition(Condition),
    /// A key condition.
    KeyCondition(KeyCondition),
    /// An update.
    Update(Update),
    /// A projection.
    Projection(Projection),
}

/// One expression input.
#[derive(Clone, Debug)]
pub struct Input {
    /// What the text is parsed as.
    pub kind: ExpressionKind,
    /// The expression.
    pub text: String,
    /// `ExpressionAttributeNames`.
    pub names: Option<HashMap<String, String>>,
    /// `ExpressionAttributeValues`.
    pub values: Option<AttributeMap>,
    /// The item it is evaluated on.
    pub item: AttributeMap,
    /// The AST printed, when the text is that AST's unmutated print.
    pub ast: Option<Ast>,
    /// How the input was made.
    pub origin: &'static str,
}

/// A path of 1 to `max` steps over the shared names.
pub fn path(rng: &mut Rng, max: usize) -> Path {
    let mut path = Path::attribute(values::name(rng));
    let steps = match rng.below(10) {
        0 => rng.range(0, max),
        1..=3 => rng.range(0, 3),
        _ => 0,
    };
    for _ in 0..steps {
        path = if rng.coin() {
            path.index(if rng.one_in(16) {
                u32::MAX
            } else {
                rng.below(4) as u32
            })
        } else {
            path.key(values::name(rng))
        };
    }
    path
}

fn operand(rng: &mut Rng) -> Operand {
    match rng.below(6) {
        0..=2 => Operand::Path(path(rng, 34)),
        3 => Operand::Value(values::value(rng, 3, false)),
        4 => {
            let depth = values::depth(rng);
            Operand::Value(values::deep_value(rng, depth))
        }
        _ => Operand::Size(path(rng, 4)),
    }
}

const TYPE_NAMES: &[&str] = &[
    "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS", "X", "",
];

fn leaf(rng: &mut Rng) -> Condition {
    match rng.below(8) {
        0 | 1 => Condition::Compare {
            left: operand(rng),
            op: *rng.pick(&[
                Comparator::Eq,
                Comparator::Ne,
                Comparator::Lt,
                Comparator::Le,
                Comparator::Gt,
                Comparator::Ge,
            ]),
            right: operand(rng),
        },
        2 => {
            // Mostly bounds DynamoDB accepts: two numbers or two strings, in order.
            let (low, high) = match rng.below(3) {
                0 => (operand(rng), operand(rng)),
                1 => {
                    let (a, b) = (values::number(rng), values::number(rng));
                    let (a, b) = if a <= b { (a, b) } else { (b, a) };
                    (
                        Operand::Value(AttributeValue::N(a)),
                        Operand::Value(AttributeValue::N(b)),
                    )
                }
                _ => {
                    let (a, b) = (values::string(rng, 8), values::string(rng, 8));
                    let (a, b) = if a <= b { (a, b) } else { (b, a) };
                    (
                        Operand::Value(AttributeValue::S(a)),
                        Operand::Value(AttributeValue::S(b)),
                    )
                }
            };
            Condition::Between {
                value: Operand::Path(path(rng, 4)),
                low,
                high,
            }
        }
        3 => {
            let n = match rng.below(8) {
                0 => *rng.pick(&[99, 100, 101]),
                _ => rng.range(1, 6),
            };
            Condition::In {
                value: operand(rng),
                list: (0..n).map(|_| operand(rng)).collect(),
            }
        }
        4 => {
            if rng.coin() {
                Condition::AttributeExists(path(rng, 6))
            } else {
                Condition::AttributeNotExists(path(rng, 6))
            }
        }
        5 => Condition::AttributeType(
            path(rng, 4),
            if rng.one_in(16) {
                operand(rng)
            } else {
                let names = if rng.one_in(8) {
                    TYPE_NAMES
                } else {
                    &TYPE_NAMES[..10]
                };
                Operand::Value(AttributeValue::S((*rng.pick(names)).to_owned()))
            },
        ),
        6 => Condition::BeginsWith(operand(rng), operand(rng)),
        _ => Condition::Contains(operand(rng), operand(rng)),
    }
}

/// A random condition of at most `depth` boolean levels.
pub fn condition(rng: &mut Rng, depth: usize) -> Condition {
    if depth == 0 || rng.one_in(3) {
        return leaf(rng);
    }
    match rng.below(5) {
        0 | 1 => condition(rng, depth - 1).and(condition(rng, depth - 1)),
        2 | 3 => condition(rng, depth - 1).or(condition(rng, depth - 1)),
        _ => condition(rng, depth - 1).not(),
    }
}

/// A chain `depth` deep of one boolean operator, for the printer and the
/// evaluator on ASTs built in code rather than parsed.
pub fn deep_condition(rng: &mut Rng, depth: usize) -> Condition {
    let op = rng.below(3);
    let mut c = leaf(rng);
    for _ in 0..depth {
        c = match op {
            0 => c.not(),
            1 => leaf(rng).and(c),
            _ => c.or(leaf(rng)),
        };
    }
    c
}

fn update_operand(rng: &mut Rng, depth: usize) -> UpdateOperand {
    match rng.below(if depth == 0 { 2 } else { 4 }) {
        0 => UpdateOperand::Path(path(rng, 6)),
        1 => UpdateOperand::Value(values::value(rng, 3, false)),
        2 => UpdateOperand::IfNotExists(path(rng, 4), Box::new(update_operand(rng, depth - 1))),
        _ => UpdateOperand::ListAppend(
            Box::new(update_operand(rng, depth - 1)),
            Box::new(update_operand(rng, depth - 1)),
        ),
    }
}

fn set_value(rng: &mut Rng) -> AttributeValue {
    match rng.below(3) {
        0 => AttributeValue::N(values::number(rng)),
        _ => values::value(rng, 1, false),
    }
}

/// A random update expression with at least one action.
pub fn update(rng: &mut Rng) -> Update {
    let mut update = Update::default();
    for _ in 0..rng.small(6) {
        let value = match rng.below(4) {
            0 => SetValue::Plus(update_operand(rng, 2), update_operand(rng, 2)),
            1 => SetValue::Minus(update_operand(rng, 2), update_operand(rng, 2)),
            _ => SetValue::Operand(update_operand(rng, 3)),
        };
        update.set.push(SetAction {
            path: path(rng, 6),
            value,
        });
    }
    for _ in 0..rng.small(3) {
        update.remove.push(path(rng, 6));
    }
    for _ in 0..rng.small(3) {
        update.add.push((path(rng, 3), set_value(rng)));
    }
    for _ in 0..rng.small(2) {
        update.delete.push((path(rng, 3), set_value(rng)));
    }
    if update.is_empty() {
        update.remove.push(path(rng, 2));
    }
    update
}

/// A random key condition: a partition key term and maybe sort key terms.
pub fn key_condition(rng: &mut Rng) -> KeyCondition {
    let partition = *rng.pick(&["pk", "gsi_pk", "a"]);
    let mut kc = KeyCondition::partition(partition, values::key_scalar(rng));
    let sort_keys: &[&str] = if rng.one_in(8) {
        &["sk", "lsi_sk", "b", "pk"]
    } else {
        &["sk"]
    };
    let most = if rng.one_in(4) { 4 } else { 1 };
    for _ in 0..rng.small(most) {
        let (v, w) = (values::key_scalar(rng), values::key_scalar(rng));
        let op = match rng.below(7) {
            0 => SortKeyOp::Eq(v),
            1 => SortKeyOp::Lt(v),
            2 => SortKeyOp::Le(v),
            3 => SortKeyOp::Gt(v),
            4 => SortKeyOp::Ge(v),
            5 if v.attribute_type() == w.attribute_type() && rng.coin() => {
                let (lo, hi) = if compare_values(&v, &w) == Some(std::cmp::Ordering::Greater) {
                    (w, v)
                } else {
                    (v, w)
                };
                SortKeyOp::Between(lo, hi)
            }
            5 => SortKeyOp::Between(v, w),
            _ => SortKeyOp::BeginsWith(v),
        };
        kc = kc.and_sort_key(*rng.pick(sort_keys), op);
    }
    kc
}

/// A random projection of 1 to 5 paths, now and then many more.
pub fn projection(rng: &mut Rng) -> Projection {
    let n = if rng.one_in(20) {
        rng.range(50, 600)
    } else {
        rng.range(1, 5)
    };
    Projection {
        paths: (0..n).map(|_| path(rng, 8)).collect(),
    }
}

/// A random AST of a random kind, and the kind its text is meant for.
pub fn ast(rng: &mut Rng) -> (ExpressionKind, Ast) {
    match rng.below(5) {
        0 => (ExpressionKind::Condition, Ast::Condition(condition(rng, 5))),
        1 => (ExpressionKind::Filter, Ast::Condition(condition(rng, 3))),
        2 => (
            ExpressionKind::KeyCondition,
            Ast::KeyCondition(key_condition(rng)),
        ),
        3 => (ExpressionKind::Update, Ast::Update(update(rng))),
        _ => (ExpressionKind::Projection, Ast::Projection(projection(rng))),
    }
}

/// Prints `ast` into `out` (sharing its placeholders).
pub fn print(ast: &Ast, out: &mut PrintedExpression) -> String {
    match ast {
        Ast::Condition(c) => out.condition(c),
        Ast::KeyCondition(kc) => {
            kc.print_into(out);
            out.expression.clone()
        }
        Ast::Update(u) => out.update(u),
        Ast::Projection(p) => out.projection(p),
    }
}

/// Generates input `index` of the run seeded by `seed`.
pub fn generate(rng: &mut Rng) -> Input {
    let item = values::item(rng, &[]);
    // Raw strings: soup over the dictionary, or bytes.
    if rng.one_in(10) {
        let text = if rng.coin() {
            mutate::soup(rng, DICTIONARY, 300)
        } else {
            let n = rng.small(200);
            rng.bytes(n)
        };
        let mut printed = PrintedExpression::default();
        let _ = printed.name("a");
        let _ = printed.value(&values::scalar(rng));
        return Input {
            kind: *rng.pick(&KINDS),
            text: mutate::lossy(&text),
            names: printed.names_or_none(),
            values: printed.values_or_none(),
            item,
            ast: None,
            origin: "raw",
        };
    }
    let (mut kind, ast) = if rng.one_in(100) {
        let depth = *rng.pick(&[100, 299, 300, 301]);
        (
            ExpressionKind::Condition,
            Ast::Condition(deep_condition(rng, depth)),
        )
    } else {
        ast(rng)
    };
    let mut printed = PrintedExpression::default();
    let text = print(&ast, &mut printed);
    let mut names = printed.names_or_none();
    let mut values = printed.values_or_none();
    if rng.one_in(4) {
        return Input {
            kind,
            text,
            names,
            values,
            item,
            ast: Some(ast),
            origin: "printed",
        };
    }
    let mut bytes = text.into_bytes();
    if rng.one_in(10) {
        // Splice in another expression's text (cross kinds).
        let (_, other) = self::ast(rng);
        let other = print(&other, &mut printed);
        names = printed.names_or_none();
        values = printed.values_or_none();
        let at = rng.below(bytes.len() + 1);
        bytes.splice(at..at, other.into_bytes());
    }
    let count = if rng.coin() { 1 } else { rng.range(2, 6) };
    mutate::mutate(rng, &mut bytes, DICTIONARY, count, MAX_EXPRESSION_BYTES);
    if rng.one_in(8) {
        kind = *rng.pick(&KINDS);
    }
    mutate_maps(rng, &mut names, &mut values);
    Input {
        kind,
        text: mutate::lossy(&bytes),
        names,
        values,
        item,
        ast: None,
        origin: "mutated",
    }
}

fn mutate_maps(
    rng: &mut Rng,
    names: &mut Option<HashMap<String, String>>,
    values: &mut Option<AttributeMap>,
) {
    match rng.below(12) {
        0 => *names = None,
        1 => *values = None,
        2 => {
            if let Some(names) = names {
                let key = names.keys().next().cloned();
                if let Some(key) = key {
                    names.remove(&key);
                }
            }
        }
        3 => {
            let values = values.get_or_insert_with(AttributeMap::new);
            let v = values::value(rng, 3, true);
            values.insert(format!(":v{}", rng.below(4)), v);
        }
        4 => {
            let names = names.get_or_insert_with(HashMap::new);
            names.insert(format!("#n{}", rng.below(4)), values::name(rng));
        }
        5 => {
            let values = values.get_or_insert_with(AttributeMap::new);
            let depth = values::depth(rng);
            values.insert(":v0".into(), values::deep_value(rng, depth));
        }
        6 => {
            let names = names.get_or_insert_with(HashMap::new);
            names.insert(values::string(rng, 6), "x".into());
        }
        _ => {}
    }
}

/// Parses `text` as `kind` against fresh placeholders of `printed`.
fn reparse(kind: ExpressionKind, ast: &Ast) -> Option<(String, Result<Ast, Error>)> {
    let mut printed = PrintedExpression::default();
    let text = print(ast, &mut printed);
    if text.len() > MAX_EXPRESSION_BYTES {
        return None;
    }
    let (names, values) = (printed.names_or_none(), printed.values_or_none());
    let cx = ExpressionContext::new(names.as_ref(), values.as_ref()).ok()?;
    Some((text.clone(), parse(&cx, kind, &text)))
}

fn parse(cx: &ExpressionContext, kind: ExpressionKind, text: &str) -> Result<Ast, Error> {
    Ok(match kind {
        ExpressionKind::Condition | ExpressionKind::Filter => {
            Ast::Condition(cx.condition(kind, text)?)
        }
        ExpressionKind::KeyCondition => Ast::KeyCondition(cx.key_condition(text)?),
        ExpressionKind::Update => Ast::Update(cx.update(text)?),
        ExpressionKind::Projection => Ast::Projection(cx.projection(text)?),
    })
}

fn same(a: &Ast, b: &Ast) -> bool {
    match (a, b) {
        (Ast::Condition(x), Ast::Condition(y)) => x == y,
        (Ast::KeyCondition(x), Ast::KeyCondition(y)) => x == y,
        (Ast::Update(x), Ast::Update(y)) => x == y,
        (Ast::Projection(x), Ast::Projection(y)) => x == y,
        _ => false,
    }
}

/// Runs one input: parse, evaluate, round-trip. Returns what happened
/// (for the outcome counts); `Err` is a wrong answer; panics are the
/// caller's to catch.
pub fn check(input: &Input) -> Result<&'static str, String> {
    if let Some(Ast::Condition(c)) = &input.ast {
        // ASTs built in code: the evaluator and path walk must cope too.
        let _ = c.evaluate(&input.item);
        let _ = c.paths();
    }
    let Ok(cx) = ExpressionContext::new(input.names.as_ref(), input.values.as_ref()) else {
        return Ok("placeholder maps rejected");
    };
    let parsed = parse(&cx, input.kind, &input.text);
    let _ = cx.finish();
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return Ok(rejection(input, &e)),
    };
    match &parsed {
        Ast::Condition(c) => {
            let _ = c.evaluate(&input.item);
            let _ = c.evaluate(&AttributeMap::new());
        }
        Ast::KeyCondition(kc) => {
            let _ = kc.term("pk");
        }
        Ast::Update(u) => {
            if let Ok(new) = u.apply(&input.item) {
                let _ = dynamo_core::value::item_size(&new);
            }
            let _ = u.apply(&AttributeMap::new());
        }
        Ast::Projection(p) => {
            let _ = p.apply(&input.item);
        }
    }
    if let Some(original) = &input.ast
        && !same(original, &parsed)
    {
        return Err(format!(
            "a printed AST parses to a different AST: printed {:?}, parsed {parsed:?}",
            original
        ));
    }
    if let Some((text, again)) = reparse(input.kind, &parsed) {
        match again {
            Ok(again) if same(&again, &parsed) => {}
            Ok(again) => {
                return Err(format!(
                    "print(parse(text)) parses differently: printed as {text:?}, first {parsed:?}, then {again:?}"
                ));
            }
            Err(e) => {
                return Err(format!(
                    "print(parse(text)) does not parse: printed as {text:?}: {e}"
                ));
            }
        }
    }
    Ok(match input.origin {
        "printed" => "printed: parsed",
        "raw" => "raw: parsed",
        _ => "mutated: parsed",
    })
}

/// A rejection's class, from DynamoDB's message, for the outcome counts.
fn rejection(input: &Input, error: &Error) -> &'static str {
    let message = error.to_string();
    let class = [
        ("Syntax error", "syntax error"),
        ("maximum allowed size", "too long"),
        ("operators", "too many operators"),
        ("nest", "too deep"),
        ("depth", "too deep"),
        ("not defined", "undefined placeholder"),
        ("overlap", "paths overlap"),
        ("conflict", "paths conflict"),
        ("Incorrect operand type", "operand type"),
        ("reserved keyword", "reserved word"),
        ("can not be empty", "empty"),
    ]
    .iter()
    .find(|(needle, _)| message.contains(needle))
    .map_or("other", |(_, class)| class);
    if class == "other" && std::env::var_os("FUZZ_DEBUG").is_some() {
        eprintln!(
            "OTHER {} {}: {message}",
            input.origin,
            input.kind.parameter()
        );
    }
    match (input.origin, class) {
        ("printed", "too long") => "printed: rejected: too long",
        ("printed", "too many operators") => "printed: rejected: too many operators",
        ("printed", "too deep") => "printed: rejected: too deep",
        ("printed", _) => "printed: rejected: other",
        ("raw", _) => "raw: rejected",
        (_, "syntax error") => "mutated: rejected: syntax error",
        (_, "too long") => "mutated: rejected: too long",
        (_, "too many operators") => "mutated: rejected: too many operators",
        (_, "too deep") => "mutated: rejected: too deep",
        (_, "undefined placeholder") => "mutated: rejected: undefined placeholder",
        (_, "reserved word") => "mutated: rejected: reserved word",
        _ => "mutated: rejected: other",
    }
}

/// A finding's description of an input.
pub fn describe(input: &Input) -> Case {
    let json = |v: &dyn erased::Json| v.json();
    let text = format!(
        "kind: {}\norigin: {}\nexpression ({} bytes): {:?}\nExpressionAttributeNames: {}\nExpressionAttributeValues: {}\nitem: {}\n",
        input.kind.parameter(),
        input.origin,
        input.text.len(),
        input.text,
        json(&input.names),
        json(&input.values),
        json(&input.item),
    );
    Case {
        summary: format!(
            "{} ({}, {} bytes): {:?}",
            input.kind.parameter(),
            input.origin,
            input.text.len(),
            input.text.chars().take(120).collect::<String>()
        ),
        text,
        raw: input.text.clone().into_bytes(),
    }
}

mod erased {
    /// JSON text of anything serializable, for reports.
    pub trait Json {
        fn json(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|e| format!("<{e}>"))
        }
    }
}
