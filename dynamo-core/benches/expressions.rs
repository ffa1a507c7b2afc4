//! Parse + evaluate a typical three-clause condition against a
//! 10-attribute item, and evaluate alone (what the engine does per item
//! once a request's expressions are parsed).

use criterion::{Criterion, criterion_group, criterion_main};
use dynamo_core::expr::{ExpressionContext, ExpressionKind};
use dynamo_core::{AttributeMap, AttributeValue, Number};
use std::collections::HashMap;
use std::hint::black_box;

const CONDITION: &str =
    "#s = :active AND price BETWEEN :lo AND :hi AND attribute_not_exists(deleted_at)";

fn item() -> AttributeMap {
    let n = |v: i64| AttributeValue::N(Number::from(v));
    let s = |v: &str| AttributeValue::S(v.to_owned());
    AttributeMap::from([
        ("pk".into(), s("customer#42")),
        ("sk".into(), s("order#2024-11-25#0001")),
        ("status".into(), s("ACTIVE")),
        ("price".into(), n(1999)),
        ("quantity".into(), n(3)),
        ("currency".into(), s("EUR")),
        ("created_at".into(), n(1_732_500_000)),
        (
            "tags".into(),
            AttributeValue::Ss(["gift".to_owned(), "express".to_owned()].into()),
        ),
        ("note".into(), s("leave at the door")),
        ("flag".into(), AttributeValue::Bool(true)),
    ])
}

fn bench(c: &mut Criterion) {
    let names = HashMap::from([("#s".to_owned(), "status".to_owned())]);
    let values = AttributeMap::from([
        (":active".to_owned(), AttributeValue::S("ACTIVE".into())),
        (":lo".to_owned(), AttributeValue::N(Number::from(1000))),
        (":hi".to_owned(), AttributeValue::N(Number::from(5000))),
    ]);
    let item = item();
    c.bench_function(
        "parse + evaluate 3-clause condition, 10-attribute item",
        |b| {
            b.iter(|| {
                let cx = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
                let condition = cx
                    .condition(ExpressionKind::Condition, black_box(CONDITION))
                    .unwrap();
                cx.finish().unwrap();
                black_box(condition.evaluate(black_box(&item)))
            })
        },
    );
    let cx = ExpressionContext::new(Some(&names), Some(&values)).unwrap();
    let condition = cx.condition(ExpressionKind::Condition, CONDITION).unwrap();
    c.bench_function("evaluate 3-clause condition, 10-attribute item", |b| {
        b.iter(|| black_box(condition.evaluate(black_box(&item))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
