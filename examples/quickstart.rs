//! The quickstart: a typed table of orders on the in-process engine.
//! Creates the table, writes a few orders, reads one back, queries a
//! customer's orders in both directions and by sort-key range, deletes one.
//!
//! Run with `cargo run --example quickstart`; nothing else is needed. To run
//! it against a server instead, set `DYNAMO_URL` (for example
//! `DYNAMO_URL=http://127.0.0.1:8000 cargo run --features aws --example
//! quickstart` with `dynamo-local serve` listening there).

use dynamo::Item;

/// One order of a customer; orders of a customer share a partition and are
/// sorted by order number.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    #[dynamo(sort_key)]
    order_id: u64,
    status: String,
    total_cents: u64,
    skus: Vec<String>,
    gift_note: Option<String>,
}

fn order(customer: &str, id: u64, status: &str, total_cents: u64, skus: &[&str]) -> Order {
    Order {
        customer_id: customer.to_owned(),
        order_id: id,
        status: status.to_owned(),
        total_cents,
        skus: skus.iter().map(|s| s.to_string()).collect(),
        gift_note: None,
    }
}

fn show(label: &str, orders: &[Order]) {
    let ids: Vec<String> = orders
        .iter()
        .map(|o| format!("{}#{} ({})", o.customer_id, o.order_id, o.status))
        .collect();
    println!("{label}: [{}]", ids.join(", "));
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DYNAMO_URL").unwrap_or_else(|_| "local://memory".to_owned());
    let db = dynamo::connect(&url).await?;

    let table = db.create_table::<Order>().await?;
    println!(
        "created table `{}` (partition key `{}`, sort key `{}`)",
        table.table_name,
        table.partition_key().unwrap_or("?"),
        table.sort_key().unwrap_or("-")
    );

    let mut orders = vec![
        order("alice", 1, "delivered", 2_599, &["book-17"]),
        order("alice", 2, "shipped", 12_000, &["lamp-3", "bulb-9"]),
        order("alice", 3, "placed", 450, &["pen-1"]),
        order("alice", 10, "placed", 9_900, &["chair-2"]),
        order("bob", 1, "placed", 1_000, &["mug-5"]),
    ];
    orders[1].gift_note = Some("Happy birthday!".to_owned());
    for o in &orders {
        db.put(o).await?;
        println!(
            "put    {}#{}: {} cents, {:?}",
            o.customer_id, o.order_id, o.total_cents, o.skus
        );
    }

    let got = db.get(Order::key("alice", 2)).consistent().await?;
    println!("get    alice#2 -> {got:?}");
    assert_eq!(got.as_ref(), Some(&orders[1]));

    let all = db.query(Order::partition("alice")).await?;
    show("query  alice, ascending", &all);
    assert_eq!(
        all.iter().map(|o| o.order_id).collect::<Vec<_>>(),
        [1, 2, 3, 10]
    );

    let newest = db
        .query(Order::partition("alice"))
        .reverse()
        .limit(2)
        .await?;
    show("query  alice, newest two", &newest);
    assert_eq!(
        newest.iter().map(|o| o.order_id).collect::<Vec<_>>(),
        [10, 3]
    );

    let middle = db.query(Order::partition("alice").sk_between(2, 3)).await?;
    show("query  alice, orders 2..=3", &middle);
    assert_eq!(middle, [orders[1].clone(), orders[2].clone()]);

    db.delete(Order::key("alice", 1)).await?;
    let gone = db.get(Order::key("alice", 1)).await?;
    println!("delete alice#1, then get -> {gone:?}");
    assert!(gone.is_none());

    let left = db.query(Order::partition("alice")).await?;
    show("query  alice after delete", &left);
    assert_eq!(
        left.iter().map(|o| o.order_id).collect::<Vec<_>>(),
        [2, 3, 10]
    );
    Ok(())
}
