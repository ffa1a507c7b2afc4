//! Single-table design with the typed API: several entity types share one
//! table through key templates, an entity-type attribute and indexes.

use dynamo::{Attribute, AttributeValue, Client, Item};

mod common;

#[derive(Attribute, Debug, Clone, Copy, PartialEq)]
#[dynamo(rename_all = "SCREAMING_SNAKE_CASE")]
enum OrderStatus {
    Placed,
    Shipped,
    Delivered,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "PROFILE")]
#[dynamo(gsi(name = "by_email", pk = "EMAIL#{email}"))]
struct Customer {
    customer_id: String,
    email: String,
    display_name: String,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(
    table = "shop",
    pk = "CUSTOMER#{customer_id}",
    sk = "ORDER#{placed_at:12}#{order_id}"
)]
#[dynamo(gsi(name = "by_status", pk = "STATUS#{status}", sk = "{placed_at}"))]
#[dynamo(gsi(name = "by_coupon", pk = "{coupon}"))]
struct Order {
    customer_id: String,
    order_id: String,
    placed_at: u64,
    status: OrderStatus,
    total_cents: u64,
    coupon: Option<String>,
}

fn order(customer: &str, id: &str, placed_at: u64, status: OrderStatus) -> Order {
    Order {
        customer_id: customer.into(),
        order_id: id.into(),
        placed_at,
        status,
        total_cents: placed_at * 10,
        coupon: None,
    }
}

async fn shop(db: &Client) {
    db.create_table::<Order>().await.unwrap();
}

#[test]
fn templates_render_keys_and_the_entity_type_into_the_item() {
    let o = order("c1", "o9", 42, OrderStatus::Placed);
    let item = o.to_item().unwrap();
    let s = |v: &str| AttributeValue::S(v.to_owned());
    assert_eq!(item["pk"], s("CUSTOMER#c1"));
    assert_eq!(item["sk"], s("ORDER#000000000042#o9"));
    assert_eq!(item["by_status_pk"], s("STATUS#PLACED"));
    assert_eq!(item["_entity"], s("Order"));
    // A sole-field index key is the field's own attribute; a None leaves
    // the item out of that (sparse) index.
    assert!(!item.contains_key("by_status_sk"));
    assert!(!item.contains_key("coupon"));
    assert_eq!(Order::from_item(item).unwrap(), o);
    assert_eq!(
        Order::key("c1", 42u64, "o9").attributes(),
        o.primary_key().attributes()
    );
}

#[test]
fn an_item_of_another_entity_type_is_not_read_as_this_one() {
    let customer = Customer {
        customer_id: "c1".into(),
        email: "a@example.com".into(),
        display_name: "Ada".into(),
    };
    let err = Order::from_item(customer.to_item().unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "attribute `_entity`: the item is a `Customer`, not a `Order`"
    );
}

async fn create_table_declares_the_indexes_of_the_type(db: Client) {
    let table = db.create_table::<Order>().await.unwrap();
    let mut names: Vec<_> = table
        .global_secondary_indexes
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.index_name)
        .collect();
    names.sort();
    assert_eq!(names, ["by_coupon", "by_status"]);
}

async fn a_partition_query_returns_only_the_entity_it_is_for(db: Client) {
    shop(&db).await;
    let customer = Customer {
        customer_id: "c1".into(),
        email: "a@example.com".into(),
        display_name: "Ada".into(),
    };
    db.put(&customer).await.unwrap();
    for (id, at) in [("o1", 5), ("o2", 100), ("o3", 20)] {
        db.put(&order("c1", id, at, OrderStatus::Placed))
            .await
            .unwrap();
    }
    db.put(&order("c2", "o4", 7, OrderStatus::Placed))
        .await
        .unwrap();

    let orders = db.query(Order::partition("c1")).await.unwrap();
    let ids: Vec<_> = orders.iter().map(|o| o.order_id.as_str()).collect();
    // Zero padding makes string order numeric: 5 < 20 < 100.
    assert_eq!(ids, ["o1", "o3", "o2"]);

    let profile = db.query(Customer::partition("c1")).await.unwrap();
    assert_eq!(profile, std::slice::from_ref(&customer));
    assert_eq!(
        db.get(Customer::key("c1")).await.unwrap(),
        Some(customer.clone())
    );
}

async fn sort_key_conditions_on_a_template_compare_its_first_field(db: Client) {
    shop(&db).await;
    db.put(&Customer {
        customer_id: "c1".into(),
        email: "a@example.com".into(),
        display_name: "Ada".into(),
    })
    .await
    .unwrap();
    for (id, at) in [("o1", 5), ("o2", 100), ("o3", 20), ("o4", 20)] {
        db.put(&order("c1", id, at, OrderStatus::Placed))
            .await
            .unwrap();
    }
    let ids =
        |orders: Vec<Order>| -> Vec<String> { orders.into_iter().map(|o| o.order_id).collect() };
    let q = || Order::partition("c1");
    assert_eq!(ids(db.query(q().sk_eq(20u64)).await.unwrap()), ["o3", "o4"]);
    assert_eq!(ids(db.query(q().sk_gt(20u64)).await.unwrap()), ["o2"]);
    assert_eq!(
        ids(db.query(q().sk_ge(20u64)).await.unwrap()),
        ["o3", "o4", "o2"]
    );
    assert_eq!(ids(db.query(q().sk_lt(20u64)).await.unwrap()), ["o1"]);
    assert_eq!(
        ids(db.query(q().sk_le(20u64)).await.unwrap()),
        ["o1", "o3", "o4"]
    );
    assert_eq!(
        ids(db.query(q().sk_between(6u64, 100u64)).await.unwrap()),
        ["o3", "o4", "o2"]
    );
    assert_eq!(
        ids(db.query(q().sk_lt(20u64)).reverse().await.unwrap()),
        ["o1"]
    );
}

async fn an_index_query_method_reads_the_declared_index(db: Client) {
    shop(&db).await;
    db.put(&order("c1", "o1", 5, OrderStatus::Shipped))
        .await
        .unwrap();
    db.put(&order("c2", "o2", 50, OrderStatus::Shipped))
        .await
        .unwrap();
    db.put(&order("c3", "o3", 500, OrderStatus::Shipped))
        .await
        .unwrap();
    db.put(&order("c1", "o4", 7, OrderStatus::Delivered))
        .await
        .unwrap();
    let mut with_coupon = order("c9", "o9", 9, OrderStatus::Placed);
    with_coupon.coupon = Some("WELCOME".into());
    db.put(&with_coupon).await.unwrap();

    let shipped = db
        .query(Order::by_status(OrderStatus::Shipped).sk_gt(5u64))
        .await
        .unwrap();
    let ids: Vec<_> = shipped.iter().map(|o| o.order_id.as_str()).collect();
    assert_eq!(ids, ["o2", "o3"]);

    let newest = db
        .query(Order::by_status(OrderStatus::Shipped))
        .reverse()
        .limit(1)
        .await
        .unwrap();
    assert_eq!(newest[0].order_id, "o3");

    let coupons = db.query(Order::by_coupon("WELCOME")).await.unwrap();
    assert_eq!(coupons, [with_coupon]);
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "ADDRESS#{label}")]
struct Address {
    customer_id: String,
    label: String,
    city: String,
}

#[derive(dynamo::Collection, Debug, PartialEq)]
enum CustomerCollection {
    Customer(Customer),
    Order(Order),
    Address(Address),
}

#[derive(dynamo::Collection, Debug, PartialEq)]
#[dynamo(unknown = "skip")]
enum CustomerAndOrders {
    Customer(Customer),
    Order(Order),
}

#[derive(dynamo::Collection, Debug, PartialEq)]
enum OrdersOnly {
    Order(Order),
}

async fn a_collection_query_reads_every_entity_of_a_partition(db: Client) {
    shop(&db).await;
    let ada = Customer {
        customer_id: "c1".into(),
        email: "a@example.com".into(),
        display_name: "Ada".into(),
    };
    let home = Address {
        customer_id: "c1".into(),
        label: "home".into(),
        city: "London".into(),
    };
    let o1 = order("c1", "o1", 5, OrderStatus::Placed);
    db.put(&ada).await.unwrap();
    db.put(&home).await.unwrap();
    db.put(&o1).await.unwrap();
    db.put(&order("c2", "o2", 6, OrderStatus::Placed))
        .await
        .unwrap();

    // Sort-key order: ADDRESS# < ORDER# < PROFILE.
    let everything = db
        .collection::<CustomerCollection, _, _>(Customer::partition("c1"))
        .await
        .unwrap();
    assert_eq!(
        everything,
        [
            CustomerCollection::Address(home),
            CustomerCollection::Order(o1.clone()),
            CustomerCollection::Customer(ada.clone()),
        ]
    );

    let skipped = db
        .collection::<CustomerAndOrders, _, _>(Order::partition("c1"))
        .await
        .unwrap();
    assert_eq!(
        skipped,
        [
            CustomerAndOrders::Order(o1),
            CustomerAndOrders::Customer(ada)
        ]
    );

    let err = db
        .collection::<OrdersOnly, _, _>(Order::partition("c1"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the item is of none of the entity types of `OrdersOnly` (Order)"),
        "{err}"
    );
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "fleet", pk = "RIDE#{ride_id}")]
#[dynamo(gsi(name = "by_zone", pk = "ZONE#{city}#{zone}", sk = "{started_at}"))]
#[dynamo(gsi(name = "by_driver", pk = "DRIVER#{driver}"))]
struct Ride {
    ride_id: String,
    city: String,
    zone: u32,
    started_at: u64,
    driver: Option<String>,
    meters: u64,
}

async fn updates_rewrite_the_index_keys_built_from_what_they_set(db: Client) {
    db.create_table::<Ride>().await.unwrap();
    let ride = Ride {
        ride_id: "r1".into(),
        city: "Lyon".into(),
        zone: 3,
        started_at: 100,
        driver: Some("d7".into()),
        meters: 0,
    };
    db.put(&ride).await.unwrap();

    db.update(Ride::key("r1"))
        .set(Ride::CITY, "Paris")
        .set(Ride::ZONE, 9u32)
        .await
        .unwrap();
    assert!(
        db.query(Ride::by_zone("Lyon", 3u32))
            .await
            .unwrap()
            .is_empty()
    );
    let moved = db.query(Ride::by_zone("Paris", 9u32)).await.unwrap();
    assert_eq!(moved.len(), 1);

    // One field of a two-field key alone cannot be rendered.
    let err = db
        .update(Ride::key("r1"))
        .set(Ride::ZONE, 4u32)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "index key `by_zone_pk` is built from `city`, `zone`: an update that sets one must set all of them"
    );
    // Neither can an ADD.
    let err = db
        .update(Ride::key("r1"))
        .add(Ride::ZONE, 1u32)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("index key `by_zone_pk`"), "{err}");

    // Removing the optional field a sparse index key is built from takes
    // the item out of that index.
    db.update(Ride::key("r1"))
        .remove(Ride::DRIVER)
        .await
        .unwrap();
    assert!(db.query(Ride::by_driver("d7")).await.unwrap().is_empty());
    db.update(Ride::key("r1"))
        .set(Ride::DRIVER, "d8")
        .increment(Ride::METERS, 250u64)
        .await
        .unwrap();
    let rides = db.query(Ride::by_driver("d8")).await.unwrap();
    assert_eq!(rides[0].meters, 250);
}

#[derive(Attribute, Debug, Clone, Copy, PartialEq)]
enum TicketState {
    Open,
    Closed,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "tickets", pk = "TICKET#{ticket_id}")]
#[dynamo(gsi(name = "by_tenant", pk = [tenant, region], sk = [state, opened_at]))]
struct Ticket {
    ticket_id: String,
    tenant: String,
    region: String,
    state: TicketState,
    opened_at: u64,
}

async fn multi_attribute_index_keys_query_by_every_partition_attribute(db: Client) {
    let table = db.create_table::<Ticket>().await.unwrap();
    let index = &table.global_secondary_indexes.unwrap()[0];
    let schema: Vec<_> = index
        .key_schema
        .iter()
        .map(|k| (k.attribute_name.as_str(), format!("{:?}", k.key_type)))
        .collect();
    assert_eq!(
        schema,
        [
            ("tenant", "Hash".to_owned()),
            ("region", "Hash".to_owned()),
            ("state", "Range".to_owned()),
            ("opened_at", "Range".to_owned())
        ]
    );
    let ticket = |id: &str, tenant: &str, region: &str, state, opened_at| Ticket {
        ticket_id: id.into(),
        tenant: tenant.into(),
        region: region.into(),
        state,
        opened_at,
    };
    for t in [
        ticket("t1", "acme", "eu", TicketState::Open, 30),
        ticket("t2", "acme", "eu", TicketState::Closed, 10),
        ticket("t3", "acme", "eu", TicketState::Open, 20),
        ticket("t4", "acme", "us", TicketState::Open, 5),
        ticket("t5", "initech", "eu", TicketState::Open, 1),
    ] {
        db.put(&t).await.unwrap();
    }
    let ids = |tickets: Vec<Ticket>| -> Vec<String> {
        tickets.into_iter().map(|t| t.ticket_id).collect()
    };
    // Sorted by state, then time: Closed < Open as strings.
    assert_eq!(
        ids(db.query(Ticket::by_tenant("acme", "eu")).await.unwrap()),
        ["t2", "t3", "t1"]
    );
    assert_eq!(
        ids(db
            .query(Ticket::by_tenant("acme", "eu").sk_eq(TicketState::Open))
            .await
            .unwrap()),
        ["t3", "t1"]
    );
    assert_eq!(
        ids(db
            .query(Ticket::by_tenant_with_state("acme", "eu", TicketState::Open).sk_gt(25u64))
            .await
            .unwrap()),
        ["t1"]
    );
}

on_both_backends!(
    a_local_index_sorts_a_partition_another_way,
    batches_read_and_write_many_items_in_order,
    multi_attribute_index_keys_query_by_every_partition_attribute,
    a_query_streams_its_items_page_by_page,
    updates_rewrite_the_index_keys_built_from_what_they_set,
    create_table_declares_the_indexes_of_the_type,
    a_partition_query_returns_only_the_entity_it_is_for,
    sort_key_conditions_on_a_template_compare_its_first_field,
    an_index_query_method_reads_the_declared_index,
    a_collection_query_reads_every_entity_of_a_partition,
);

async fn a_query_streams_its_items_page_by_page(db: Client) {
    shop(&db).await;
    for i in 0..25u64 {
        db.put(&order("c1", &format!("o{i:02}"), i, OrderStatus::Placed))
            .await
            .unwrap();
    }
    // Pages of 4 items: the stream keeps asking until the partition ends.
    let mut stream = db.query(Order::partition("c1")).page_size(4).stream();
    let mut seen = Vec::new();
    while let Some(order) = stream.next().await {
        seen.push(order.unwrap().placed_at);
    }
    assert_eq!(seen, (0..25).collect::<Vec<_>>());

    let mut limited = db
        .query(Order::partition("c1"))
        .reverse()
        .limit(3)
        .page_size(2)
        .stream();
    let mut newest = Vec::new();
    while let Some(order) = limited.next().await {
        newest.push(order.unwrap().placed_at);
    }
    assert_eq!(newest, [24, 23, 22]);

    let first = db
        .query(Order::partition("c1"))
        .page_size(10)
        .page()
        .await
        .unwrap();
    assert_eq!(first.items.len(), 10);
    assert!(first.next.is_some());
}

async fn batches_read_and_write_many_items_in_order(db: Client) {
    shop(&db).await;
    let orders: Vec<Order> = (0..60u64)
        .map(|i| order("c1", &format!("o{i:02}"), i, OrderStatus::Placed))
        .collect();
    db.put_many(&orders).await.unwrap();
    let keys = |ids: &[u64]| -> Vec<dynamo::Key<Order>> {
        ids.iter()
            .map(|&i| Order::key("c1", i, format!("o{i:02}")))
            .collect()
    };
    let wanted: Vec<u64> = (0..60).rev().chain([7, 7]).collect();
    let mut with_missing = keys(&wanted);
    with_missing.insert(3, Order::key("c1", 999u64, "nope"));
    let read = db.get_many(with_missing).await.unwrap();
    assert_eq!(read.len(), 63);
    assert_eq!(read[0].as_ref().unwrap().placed_at, 59);
    assert!(read[3].is_none());
    assert_eq!(read[62].as_ref().unwrap().placed_at, 7);
    assert_eq!(read.iter().flatten().count(), 62);

    db.delete_many(keys(&(0..50).collect::<Vec<_>>()))
        .await
        .unwrap();
    let left = db.query(Order::partition("c1")).await.unwrap();
    assert_eq!(left.len(), 10);
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "scores", pk = "PLAYER#{player}", sk = "GAME#{game}")]
#[dynamo(lsi(name = "by_points", sk = "{points}"))]
struct Score {
    player: String,
    game: String,
    points: u32,
}

async fn a_local_index_sorts_a_partition_another_way(db: Client) {
    let table = db.create_table::<Score>().await.unwrap();
    assert_eq!(
        table.local_secondary_indexes.unwrap()[0].index_name,
        "by_points"
    );
    for (game, points) in [("g1", 30), ("g2", 10), ("g3", 20)] {
        db.put(&Score {
            player: "p1".into(),
            game: game.into(),
            points,
        })
        .await
        .unwrap();
    }
    let best: Vec<u32> = db
        .query(Score::by_points("p1").sk_ge(15u32))
        .reverse()
        .consistent()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.points)
        .collect();
    assert_eq!(best, [30, 20]);
}
