//! The query planner over a single-table design: `db.find_in::<C, T>()`
//! plans with the keys of the member type `T` and returns every item of
//! the collection `C`'s types in the partitions they select for which the
//! predicate holds, checked against a brute-force evaluation over every
//! stored item, in process and through aws-sdk against `dynamo-local serve`.

use dynamo::expr::Condition;
use dynamo::ops::ScanInput;
use dynamo::planner::{Merge, Operation, PlanError};
use dynamo::{Attribute, AttributeMap, AttributeValue, Client, Cond, Item};

mod common;

on_both_backends!(
    a_customer_partition_reads_every_entity_type_in_sort_key_order,
    a_predicate_on_one_type_filters_the_others_out,
    in_over_customers_fans_out_and_merges_by_sort_key,
    an_index_with_an_own_attribute_sort_key_keeps_its_key_condition,
    a_collection_that_skips_unknown_types_reads_only_its_members,
    a_collection_scan_is_refused_unless_allowed,
);

#[derive(Attribute, Debug, Clone, Copy, PartialEq)]
enum OrderStatus {
    Placed,
    Shipped,
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
struct Order {
    customer_id: String,
    order_id: String,
    placed_at: u64,
    status: OrderStatus,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "ADDRESS#{label}")]
struct Address {
    customer_id: String,
    label: String,
    city: String,
}

#[derive(dynamo::Collection, Debug, Clone, PartialEq)]
enum CustomerCollection {
    Customer(Customer),
    Order(Order),
    Address(Address),
}

#[derive(dynamo::Collection, Debug, Clone, PartialEq)]
#[dynamo(unknown = "skip")]
enum CustomerAndOrders {
    Customer(Customer),
    Order(Order),
}

/// Three customers with two addresses and four orders each.
async fn shop(db: &Client) {
    db.create_collection_table::<CustomerCollection>()
        .await
        .unwrap();
    for (c, name) in [("c1", "Ada"), ("c2", "Bo"), ("c3", "Cy")] {
        db.put(&Customer {
            customer_id: c.into(),
            email: format!("{c}@example.com"),
            display_name: name.into(),
        })
        .await
        .unwrap();
        for label in ["home", "work"] {
            db.put(&Address {
                customer_id: c.into(),
                label: label.into(),
                city: format!("{c} {label} city"),
            })
            .await
            .unwrap();
        }
        for i in 0..4u64 {
            db.put(&Order {
                customer_id: c.into(),
                order_id: format!("{c}-o{i}"),
                placed_at: 10 * i + 5,
                status: if i % 2 == 0 {
                    OrderStatus::Placed
                } else {
                    OrderStatus::Shipped
                },
            })
            .await
            .unwrap();
        }
    }
}

/// Every stored item.
async fn stored(db: &Client) -> Vec<AttributeMap> {
    db.backend()
        .scan(ScanInput::new("shop"))
        .await
        .unwrap()
        .items
        .unwrap_or_default()
}

fn s(item: &AttributeMap, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

/// The (pk, sk) of the stored items of `entities` the predicate selects,
/// by brute force, in (pk, sk) order.
fn selected<T>(items: &[AttributeMap], entities: &[&str], p: &Cond<T>) -> Vec<(String, String)> {
    let c: Condition = p.clone().into_condition().unwrap();
    let mut keys: Vec<(String, String)> = items
        .iter()
        .filter(|i| entities.contains(&s(i, "_entity").as_str()) && c.evaluate(i))
        .map(|i| (s(i, "pk"), s(i, "sk")))
        .collect();
    keys.sort();
    keys
}

fn key_of(item: &CustomerCollection) -> (String, String) {
    let item = match item {
        CustomerCollection::Customer(c) => c.to_item(),
        CustomerCollection::Order(o) => o.to_item(),
        CustomerCollection::Address(a) => a.to_item(),
    }
    .unwrap();
    (s(&item, "pk"), s(&item, "sk"))
}

const ALL: [&str; 3] = ["Customer", "Order", "Address"];

async fn a_customer_partition_reads_every_entity_type_in_sort_key_order(db: Client) {
    shop(&db).await;
    let p = Customer::CUSTOMER_ID.eq("c1");
    let find = db
        .find_in::<CustomerCollection, Customer>()
        .matching(p.clone());
    let plan = find.explain().await.unwrap();
    assert_eq!(plan.operation(), Some(Operation::Query), "{plan}");
    let text = plan.to_string();
    // Customer's sort key `PROFILE` would be a GetItem of the profile: in
    // a collection it says nothing about the other types' items.
    assert!(
        text.contains("key condition: pk = \"CUSTOMER#c1\"\n"),
        "{plan}"
    );
    assert!(
        text.contains(r#"filter: _entity IN ("Customer", "Order", "Address")"#),
        "{plan}"
    );
    assert!(
        text.contains(r#"checked by the client: _entity = "Customer" OR customer_id = "c1""#),
        "{plan}"
    );
    let got = find.all().await.unwrap();
    // Sort-key order: ADDRESS# < ORDER# < PROFILE.
    assert_eq!(got.len(), 7);
    assert!(matches!(got[0], CustomerCollection::Address(_)));
    assert!(matches!(got[6], CustomerCollection::Customer(_)));
    let keys: Vec<(String, String)> = got.iter().map(key_of).collect();
    assert_eq!(keys, selected(&stored(&db).await, &ALL, &p));
    // The estimate and the stream's units, like any find.
    assert!(plan.estimate.read_units > 0.0);
    let mut stream = db
        .find_in::<CustomerCollection, Customer>()
        .matching(p)
        .execute();
    while let Some(item) = stream.next().await {
        item.unwrap();
    }
    assert!(stream.consumed_read_units() > 0.0);
}

async fn a_predicate_on_one_type_filters_the_others_out(db: Client) {
    shop(&db).await;
    let p = Order::CUSTOMER_ID.eq("c2").and(Order::PLACED_AT.ge(15u64));
    let find = db
        .find_in::<CustomerCollection, Order>()
        .matching(p.clone());
    let plan = find.explain().await.unwrap();
    // Order's sort-key template gives no key condition in a collection;
    // the range is a filter every item answers by its own attributes.
    assert!(
        plan.to_string()
            .contains("key condition: pk = \"CUSTOMER#c2\"\n"),
        "{plan}"
    );
    assert!(
        plan.to_string()
            .contains("filter: placed_at >= 15 AND _entity IN"),
        "{plan}"
    );
    let got = find.all().await.unwrap();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter()
            .all(|c| matches!(c, CustomerCollection::Order(_)))
    );
    let keys: Vec<(String, String)> = got.iter().map(key_of).collect();
    assert_eq!(keys, selected(&stored(&db).await, &ALL, &p));
    let count = db
        .find_in::<CustomerCollection, Order>()
        .matching(Order::CUSTOMER_ID.eq("c2"))
        .count()
        .await
        .unwrap();
    assert_eq!(count, 7);
}

async fn in_over_customers_fans_out_and_merges_by_sort_key(db: Client) {
    shop(&db).await;
    let p = Customer::CUSTOMER_ID.is_in(["c3", "c1"]);
    let find = db
        .find_in::<CustomerCollection, Customer>()
        .matching(p.clone())
        .descending();
    let plan = find.explain().await.unwrap();
    assert_eq!(plan.accesses[0].key_conditions.len(), 2, "{plan}");
    assert_eq!(plan.merge, Merge::BySortKey(vec!["sk"]));
    let got = find.all().await.unwrap();
    assert_eq!(got.len(), 14);
    let sks: Vec<String> = got.iter().map(|c| key_of(c).1).collect();
    assert!(sks.windows(2).all(|w| w[0] >= w[1]), "{sks:?}");
    let mut keys: Vec<(String, String)> = got.iter().map(key_of).collect();
    keys.sort();
    assert_eq!(keys, selected(&stored(&db).await, &ALL, &p));
}

async fn an_index_with_an_own_attribute_sort_key_keeps_its_key_condition(db: Client) {
    shop(&db).await;
    // `by_status` sorts by the `placed_at` attribute itself: a range on it
    // is exact for an item of any type, so it stays in the key condition.
    let p = Order::STATUS
        .eq(OrderStatus::Shipped)
        .and(Order::PLACED_AT.lt(30u64));
    let find = db
        .find_in::<CustomerCollection, Order>()
        .matching(p.clone());
    let plan = find.explain().await.unwrap();
    assert_eq!(plan.indexes(), [Some("by_status")], "{plan}");
    assert!(
        plan.to_string()
            .contains(r#"key condition: by_status_pk = "STATUS#Shipped" AND placed_at < 30"#),
        "{plan}"
    );
    let got = find.all().await.unwrap();
    assert_eq!(got.len(), 3);
    let mut keys: Vec<(String, String)> = got.iter().map(key_of).collect();
    keys.sort();
    assert_eq!(keys, selected(&stored(&db).await, &ALL, &p));
}

async fn a_collection_that_skips_unknown_types_reads_only_its_members(db: Client) {
    shop(&db).await;
    let p = Order::CUSTOMER_ID.eq("c1");
    let find = db.find_in::<CustomerAndOrders, Order>().matching(p.clone());
    let plan = find.explain().await.unwrap();
    assert!(
        plan.to_string()
            .contains(r#"filter: _entity IN ("Customer", "Order")"#),
        "{plan}"
    );
    let got = find.all().await.unwrap();
    assert_eq!(got.len(), 5);
    assert!(matches!(got[4], CustomerAndOrders::Customer(_)));
    assert_eq!(
        got.len(),
        selected(&stored(&db).await, &["Customer", "Order"], &p).len()
    );
    // The first item in sort-key order is the oldest order.
    let first = db
        .find_in::<CustomerAndOrders, Order>()
        .matching(p)
        .first()
        .await
        .unwrap();
    assert!(
        matches!(&first, Some(CustomerAndOrders::Order(o)) if o.placed_at == 5),
        "{first:?}"
    );
}

async fn a_collection_scan_is_refused_unless_allowed(db: Client) {
    shop(&db).await;
    let p = Customer::DISPLAY_NAME.eq("Bo");
    let err = db
        .find_in::<CustomerCollection, Customer>()
        .matching(p.clone())
        .explain()
        .await
        .unwrap_err();
    assert!(
        matches!(err.plan_error(), Some(PlanError::ScanRefused { .. })),
        "{err}"
    );
    let got = db
        .find_in::<CustomerCollection, Customer>()
        .matching(p.clone())
        .allow_scan()
        .all()
        .await
        .unwrap();
    let keys: Vec<(String, String)> = got.iter().map(key_of).collect();
    assert_eq!(keys, selected(&stored(&db).await, &ALL, &p));
    assert_eq!(keys.len(), 1);
}
