use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

#[derive(dynamo::Attribute, Debug, PartialEq)]
enum Status {
    Placed,
    Shipped,
}

#[derive(dynamo::Attribute, Debug, PartialEq)]
struct Line {
    sku: String,
    quantity: u32,
}

#[derive(dynamo::Item, Debug, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    #[dynamo(sort_key)]
    order_id: u64,
    status: Status,
    lines: Vec<Line>,
    note: Option<String>,
    tags: HashSet<String>,
    scores: BTreeSet<i32>,
    attrs: HashMap<String, f64>,
    nested: BTreeMap<String, Vec<Line>>,
    blob: Vec<u8>,
}

#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key)]
    r#type: String,
}

fn main() {
    let _ = Order::key("c1", 7);
    let _ = Order::partition("c1").sk_between(1, 9);
    let _ = User::key(String::from("admin"));
}
