//! An online shop in one DynamoDB table: customers, their orders and the
//! orders' lines share the partition `CUSTOMER#<id>`, told apart by their
//! sort keys and an entity-type attribute; two global indexes serve the
//! look-ups that do not start from a customer. Runs on the embedded engine,
//! or against the server `DYNAMO_URL` names (feature `aws`):
//!
//! ```text
//! cargo run --example single_table
//! DYNAMO_URL=http://127.0.0.1:8000 cargo run --features aws --example single_table
//! ```

use dynamo::{Attribute, Client, Collection, Error, Item};
use std::time::SystemTime;

#[derive(Attribute, Debug, Clone, Copy, PartialEq)]
#[dynamo(rename_all = "SCREAMING_SNAKE_CASE")]
enum OrderStatus {
    Placed,
    Shipped,
    Delivered,
}

/// The customer's profile: one per partition, sort key `PROFILE`.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "PROFILE")]
#[dynamo(gsi(name = "by_email", pk = "EMAIL#{email}"))]
struct Customer {
    customer_id: String,
    email: String,
    display_name: String,
    #[dynamo(created_at)]
    joined_at: Option<SystemTime>,
}

/// An order; `placed_at` is seconds since the epoch, zero-padded in the sort
/// key so that the customer's orders sort by time.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(
    table = "shop",
    pk = "CUSTOMER#{customer_id}",
    sk = "ORDER#{placed_at:10}#{order_id}"
)]
#[dynamo(gsi(name = "by_status", pk = "STATUS#{status}", sk = "{placed_at}"))]
struct Order {
    customer_id: String,
    order_id: String,
    placed_at: u64,
    status: OrderStatus,
    total_cents: u64,
    #[dynamo(version)]
    version: u64,
    #[dynamo(updated_at)]
    updated_at: Option<SystemTime>,
}

/// One line of an order, stored right after its order in sort-key order.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(
    table = "shop",
    pk = "CUSTOMER#{customer_id}",
    sk = "ORDER#{placed_at:10}#{order_id}#LINE#{line_no:3}"
)]
struct OrderLine {
    customer_id: String,
    order_id: String,
    placed_at: u64,
    line_no: u32,
    product: String,
    quantity: u32,
    unit_price_cents: u64,
}

/// Everything the shop keeps about a customer: creates the shared table
/// with every member's indexes, and reads a whole partition at once.
#[derive(Collection, Debug)]
enum CustomerRecord {
    Customer(Customer),
    Order(Order),
    Line(OrderLine),
}

/// An order page: the order and its lines, nothing else.
#[derive(Collection, Debug)]
#[dynamo(unknown = "skip")]
enum OrderWithLines {
    Order(Order),
    Line(OrderLine),
}

async fn place_order(
    db: &Client,
    customer: &Customer,
    order_id: &str,
    placed_at: u64,
    lines: &[(&str, u32, u64)],
) -> Result<Order, Error> {
    let mut total_cents = 0;
    for (i, (product, quantity, unit_price_cents)) in lines.iter().enumerate() {
        let line = OrderLine {
            customer_id: customer.customer_id.clone(),
            order_id: order_id.into(),
            placed_at,
            line_no: i as u32 + 1,
            product: (*product).into(),
            quantity: *quantity,
            unit_price_cents: *unit_price_cents,
        };
        total_cents += u64::from(line.quantity) * line.unit_price_cents;
        db.put(&line).if_not_exists().await?;
    }
    let order = Order {
        customer_id: customer.customer_id.clone(),
        order_id: order_id.into(),
        placed_at,
        status: OrderStatus::Placed,
        total_cents,
        version: 0,
        updated_at: None,
    };
    db.put(&order).await?;
    // Read it back: the stored order carries its version and update time.
    let stored = db
        .get(Order::key(&order.customer_id, placed_at, order_id))
        .consistent()
        .await?;
    stored.ok_or_else(|| Error::validation("the order just written is missing"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DYNAMO_URL").unwrap_or_else(|_| "local://memory".to_owned());
    let db = dynamo::connect(&url).await?;
    let table = db.create_collection_table::<CustomerRecord>().await?;
    let indexes: Vec<_> = table
        .global_secondary_indexes
        .iter()
        .flatten()
        .map(|i| i.index_name.as_str())
        .collect();
    println!(
        "created table `{}` with indexes {indexes:?}",
        table.table_name
    );
    assert_eq!(indexes, ["by_email", "by_status"]);

    // Sign-up: a second sign-up with the same id fails instead of
    // overwriting the profile.
    let ada = Customer {
        customer_id: "c-ada".into(),
        email: "ada@example.com".into(),
        display_name: "Ada".into(),
        joined_at: None,
    };
    db.put(&ada).if_not_exists().await?;
    let again = db.put(&ada).if_not_exists().await;
    println!(
        "signing up twice: {}",
        again
            .as_ref()
            .err()
            .map_or("accepted".into(), |e| e.to_string())
    );
    assert!(matches!(again, Err(Error::ConditionalCheckFailed { .. })));
    let grace = Customer {
        customer_id: "c-grace".into(),
        email: "grace@example.com".into(),
        display_name: "Grace".into(),
        joined_at: None,
    };
    db.put(&grace).if_not_exists().await?;

    // Log-in: find the customer by e-mail through the `by_email` index.
    let found = db.query(Customer::by_email("ada@example.com")).await?;
    println!(
        "log-in as ada@example.com finds {:?}, joined {}",
        found[0].display_name,
        found[0].joined_at.is_some()
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].customer_id, "c-ada");

    // Checkout: orders and their lines.
    let first = place_order(
        &db,
        &ada,
        "o-1001",
        1_764_000_000,
        &[("keyboard", 1, 8900), ("cable", 2, 900)],
    )
    .await?;
    let second = place_order(&db, &ada, "o-1002", 1_764_100_000, &[("mouse", 1, 4500)]).await?;
    place_order(
        &db,
        &grace,
        "o-2001",
        1_764_050_000,
        &[("monitor", 1, 21900)],
    )
    .await?;
    println!(
        "placed {} ({} cents, version {}) and {} ({} cents)",
        first.order_id, first.total_cents, first.version, second.order_id, second.total_cents
    );
    assert_eq!((first.total_cents, first.version), (10_700, 1));

    // Order history, newest first: only orders, not the profile or lines.
    let history = db.query(Order::partition("c-ada")).reverse().await?;
    let ids: Vec<_> = history.iter().map(|o| o.order_id.as_str()).collect();
    println!("ada's orders, newest first: {ids:?}");
    assert_eq!(ids, ["o-1002", "o-1001"]);

    // Orders placed after a time, using the first field of the sort key.
    let recent = db
        .query(Order::partition("c-ada").sk_gt(1_764_050_000u64))
        .await?;
    println!("ada's orders after 1764050000: {}", recent.len());
    assert_eq!(recent.len(), 1);

    // The order page: one query for the order and its lines.
    let page = db
        .collection::<OrderWithLines, _, _>(Order::partition("c-ada").sk_eq(first.placed_at))
        .await?;
    for record in &page {
        match record {
            OrderWithLines::Order(o) => println!("  order {} is {:?}", o.order_id, o.status),
            OrderWithLines::Line(l) => println!(
                "    line {}: {} x {} at {} cents",
                l.line_no, l.quantity, l.product, l.unit_price_cents
            ),
        }
    }

    // The customer page: everything in ada's partition.
    let everything = db
        .collection::<CustomerRecord, _, _>(Customer::partition("c-ada"))
        .await?;
    let (mut profiles, mut orders, mut lines) = (0, 0, 0);
    for record in &everything {
        match record {
            CustomerRecord::Customer(c) => {
                profiles += 1;
                println!("  profile of {}", c.display_name);
            }
            CustomerRecord::Order(o) => {
                orders += 1;
                println!("  order {} for {} cents", o.order_id, o.total_cents);
            }
            CustomerRecord::Line(l) => {
                lines += 1;
                println!("    line {} of order {}", l.line_no, l.order_id);
            }
        }
    }
    println!("ada's partition: {profiles} profile, {orders} orders, {lines} lines in one query");
    assert_eq!((profiles, orders, lines), (1, 2, 3));

    // Fulfilment: ship the first order, only if it is still placed.
    db.update(Order::key("c-ada", first.placed_at, "o-1001"))
        .set(Order::STATUS, OrderStatus::Shipped)
        .when(Order::STATUS.eq(OrderStatus::Placed))
        .await?;
    let twice = db
        .update(Order::key("c-ada", first.placed_at, "o-1001"))
        .set(Order::STATUS, OrderStatus::Shipped)
        .when(Order::STATUS.eq(OrderStatus::Placed))
        .await;
    println!(
        "shipping twice: {}",
        twice
            .as_ref()
            .err()
            .map_or("accepted".into(), |e| e.error_type().to_owned())
    );
    assert!(twice.is_err());

    // The warehouse dashboard: placed orders, oldest first, by index.
    let to_ship = db.query(Order::by_status(OrderStatus::Placed)).await?;
    let ids: Vec<_> = to_ship.iter().map(|o| o.order_id.as_str()).collect();
    println!("orders waiting to ship: {ids:?}");
    assert_eq!(ids, ["o-2001", "o-1002"]);

    // Support edits an order someone else changed since it was read: the
    // stale write is refused instead of losing the shipment.
    let mut stale = first.clone();
    stale.total_cents -= 500;
    match db.put(&stale).await {
        Err(e @ Error::VersionConflict { .. }) => println!("stale edit refused: {e}"),
        other => panic!("stale edit: {other:?}"),
    }
    let current = db
        .get(Order::key("c-ada", first.placed_at, "o-1001"))
        .consistent()
        .await?
        .ok_or("order vanished")?;
    println!(
        "order {} is {:?} at version {}",
        current.order_id, current.status, current.version
    );
    assert_eq!((current.status, current.version), (OrderStatus::Shipped, 2));

    // Delivered orders leave the dashboard's partition of the index: the
    // update rewrites the rendered index key `STATUS#...` along with `status`.
    let shipped = db.query(Order::by_status(OrderStatus::Shipped)).await?;
    println!("orders in transit: {}", shipped.len());
    assert_eq!(shipped.len(), 1);
    db.update(current.primary_key())
        .set(Order::STATUS, OrderStatus::Delivered)
        .await?;
    let shipped = db.query(Order::by_status(OrderStatus::Shipped)).await?;
    println!("orders in transit after delivery: {}", shipped.len());
    assert!(shipped.is_empty());

    // Page through order history with a resumable cursor (a string a web
    // client can hold). The limit counts the items a page reads, lines
    // included, so a page may hold fewer orders than the limit.
    let mut cursor: Option<dynamo::Cursor> = None;
    let mut page_no = 0;
    let mut pages = Vec::new();
    loop {
        let mut query = db.query(Order::partition("c-ada")).limit(3);
        if let Some(c) = cursor.take() {
            query = query.after(c);
        }
        let page = query.page().await?;
        page_no += 1;
        let ids: Vec<_> = page.items.iter().map(|o| o.order_id.as_str()).collect();
        println!("history page {page_no}: {ids:?}");
        pages.push(ids.join(","));
        match page.next {
            // Round-trip the cursor through its string form, as a web page would.
            Some(next) => cursor = Some(next.to_string().parse()?),
            None => break,
        }
    }
    assert_eq!(pages, ["o-1001", "o-1002"]);
    Ok(())
}
