//! Typed paths, conditions, updates and lifecycle attributes on the
//! in-process engine.

use dynamo::{Attribute, AttributeValue, Client, Error, Item};

mod common;
use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Attribute, Debug, Clone, Copy, PartialEq)]
enum Status {
    Placed,
    Shipped,
}

#[derive(Attribute, Debug, Clone, PartialEq)]
struct Address {
    city: String,
    zip: String,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "orders", pk = "ORDER#{order_id}")]
struct Order {
    order_id: String,
    status: Status,
    total_cents: u64,
    tags: BTreeSet<String>,
    notes: Vec<String>,
    shipping: Address,
    coupon: Option<String>,
    #[dynamo(version)]
    version: u64,
    #[dynamo(created_at)]
    created_at: Option<SystemTime>,
    #[dynamo(updated_at)]
    updated_at: Option<SystemTime>,
    #[dynamo(ttl)]
    expires_at: Option<SystemTime>,
}

fn order(id: &str) -> Order {
    Order {
        order_id: id.into(),
        status: Status::Placed,
        total_cents: 1000,
        tags: BTreeSet::new(),
        notes: Vec::new(),
        shipping: Address {
            city: "Paris".into(),
            zip: "75001".into(),
        },
        coupon: None,
        version: 0,
        created_at: None,
        updated_at: None,
        expires_at: None,
    }
}

async fn orders(db: &Client) {
    db.create_table::<Order>().await.unwrap();
}

async fn read(db: &dynamo::Client, id: &str) -> Order {
    db.get(Order::key(id)).consistent().await.unwrap().unwrap()
}

async fn a_new_item_gets_version_one_and_both_timestamps(db: Client) {
    orders(&db).await;
    let before = SystemTime::now();
    db.put(&order("o1")).await.unwrap();
    let stored = read(&db, "o1").await;
    assert_eq!(stored.version, 1);
    let created = stored.created_at.unwrap();
    assert!(created >= before && created <= SystemTime::now());
    assert_eq!(stored.updated_at, stored.created_at);
}

async fn a_stale_put_fails_with_a_version_conflict(db: Client) {
    orders(&db).await;
    db.put(&order("o1")).await.unwrap();
    let mine = read(&db, "o1").await;
    let theirs = read(&db, "o1").await;

    let mut first = theirs.clone();
    first.total_cents = 2000;
    db.put(&first).await.unwrap();

    let mut second = mine.clone();
    second.total_cents = 3000;
    let err = db.put(&second).await.unwrap_err();
    match &err {
        Error::VersionConflict { expected, found } => {
            assert_eq!(expected.to_string(), "1");
            assert_eq!(found.map(|v| v.to_string()).as_deref(), Some("2"));
        }
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "version conflict: expected version 1, found 2"
    );
    let stored = read(&db, "o1").await;
    assert_eq!((stored.total_cents, stored.version), (2000, 2));
    // created_at survives the read-modify-write.
    assert_eq!(stored.created_at, mine.created_at);

    // Creating an item that exists is a conflict too.
    let err = db.put(&order("o1")).await.unwrap_err();
    assert!(matches!(err, Error::VersionConflict { found: Some(_), .. }));
}

async fn a_failed_condition_is_not_reported_as_a_version_conflict(db: Client) {
    orders(&db).await;
    db.put(&order("o1")).await.unwrap();
    let stored = read(&db, "o1").await;
    let err = db
        .put(&stored)
        .when(Order::STATUS.eq(Status::Shipped))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ConditionalCheckFailedException");
    assert!(matches!(err, Error::ConditionalCheckFailed { .. }));
}

async fn typed_updates_change_the_stored_item(db: Client) {
    orders(&db).await;
    db.put(&order("o1")).await.unwrap();
    let put = read(&db, "o1").await;
    // Timestamps keep nanoseconds: after this pause "now" is strictly later
    // than the put's, so an update that did not refresh updated_at shows.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let before_update = SystemTime::now();
    let updated = db
        .update(Order::key("o1"))
        .set(Order::STATUS, Status::Shipped)
        .add(Order::TOTAL_CENTS, 250u64)
        .add(
            Order::TAGS,
            BTreeSet::from(["gift".to_owned(), "rush".to_owned()]),
        )
        .append(Order::NOTES, ["left at door".to_owned()])
        .set(Order::SHIPPING.then(Address::CITY), "Lyon")
        .set(Order::COUPON, "WELCOME")
        .when(Order::STATUS.eq(Status::Placed) & Order::TOTAL_CENTS.ge(1000u64))
        .returning_new()
        .await
        .unwrap();
    assert_eq!(updated.status, Status::Shipped);
    assert_eq!(updated.total_cents, 1250);
    assert_eq!(updated.tags.len(), 2);
    assert_eq!(updated.notes, ["left at door"]);
    assert_eq!(updated.shipping.city, "Lyon");
    assert_eq!(updated.coupon.as_deref(), Some("WELCOME"));
    assert_eq!(updated.version, 2);
    let refreshed = updated.updated_at.unwrap();
    assert!(
        refreshed >= before_update && refreshed <= SystemTime::now(),
        "updated_at {refreshed:?} is not the update's time (put at {:?})",
        put.updated_at
    );
    assert!(updated.updated_at > put.updated_at);
    assert_eq!(updated.created_at, put.created_at, "created_at is kept");

    db.update(Order::key("o1"))
        .delete(Order::TAGS, BTreeSet::from(["rush".to_owned()]))
        .remove(Order::COUPON)
        .prepend(Order::NOTES, ["fragile".to_owned()])
        .decrement(Order::TOTAL_CENTS, 50u64)
        .await
        .unwrap();
    let stored = read(&db, "o1").await;
    assert_eq!(stored.tags, BTreeSet::from(["gift".to_owned()]));
    assert_eq!(stored.coupon, None);
    assert_eq!(stored.notes, ["fragile", "left at door"]);
    assert_eq!(stored.total_cents, 1200);

    // The condition no longer holds.
    let err = db
        .update(Order::key("o1"))
        .set(Order::STATUS, Status::Placed)
        .when(Order::STATUS.eq(Status::Placed))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionalCheckFailed { .. }));
}

async fn an_update_with_an_expected_version_detects_a_concurrent_write(db: Client) {
    orders(&db).await;
    db.put(&order("o1")).await.unwrap();
    let seen = read(&db, "o1").await.version;
    db.update(Order::key("o1"))
        .increment(Order::TOTAL_CENTS, 1u64)
        .if_version(seen)
        .await
        .unwrap();
    let err = db
        .update(Order::key("o1"))
        .increment(Order::TOTAL_CENTS, 1u64)
        .if_version(seen)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::VersionConflict { .. }), "{err:?}");
}

async fn if_exists_keeps_an_update_from_creating_an_item(db: Client) {
    orders(&db).await;
    let err = db
        .update(Order::key("missing"))
        .set(Order::STATUS, Status::Shipped)
        .if_exists()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ItemNotFound { .. }), "{err:?}");
    assert_eq!(db.get(Order::key("missing")).await.unwrap(), None);
}

async fn conditional_deletes_and_size_conditions(db: Client) {
    orders(&db).await;
    let mut o = order("o1");
    o.notes = vec!["a".into(), "b".into()];
    db.put(&o).await.unwrap();
    let err = db
        .delete(Order::key("o1"))
        .when(Order::NOTES.size().gt(2))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionalCheckFailed { .. }));
    db.delete(Order::key("o1"))
        .when(
            Order::NOTES.size().eq(2)
                & Order::NOTES.contains("a")
                & Order::COUPON.not_exists()
                & !Order::SHIPPING.then(Address::ZIP).begins_with("69"),
        )
        .await
        .unwrap();
    assert_eq!(db.get(Order::key("o1")).await.unwrap(), None);
}

async fn the_ttl_field_is_stored_as_epoch_seconds_and_enabled_on_the_table(db: Client) {
    orders(&db).await;
    let mut o = order("o1");
    o.expires_at = Some(UNIX_EPOCH + Duration::from_secs(1_900_000_000));
    let item = o.to_item().unwrap();
    assert_eq!(
        item["expires_at"],
        AttributeValue::N("1900000000".parse().unwrap())
    );
    assert!(matches!(item["status"], AttributeValue::S(_)));
    db.put(&o).await.unwrap();
    assert_eq!(read(&db, "o1").await.expires_at, o.expires_at);
    let ttl = db
        .backend()
        .describe_time_to_live(dynamo::ops::DescribeTimeToLiveInput {
            table_name: "orders".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        ttl.time_to_live_description.attribute_name.as_deref(),
        Some("expires_at")
    );

    // The TTL field's path compares epoch numbers, and updates store them.
    let later = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    db.update(Order::key("o1"))
        .set(Order::EXPIRES_AT, later)
        .await
        .unwrap();
    let expiring = db
        .scan::<Order>()
        .filter(Order::EXPIRES_AT.lt(UNIX_EPOCH + Duration::from_secs(2_100_000_000)))
        .await
        .unwrap();
    assert_eq!(expiring.len(), 1);
    assert_eq!(expiring[0].expires_at, Some(later));
    let none = db
        .scan::<Order>()
        .filter(Order::EXPIRES_AT.lt(UNIX_EPOCH + Duration::from_secs(1_000)))
        .await
        .unwrap();
    assert!(none.is_empty());
}

async fn typed_filters_narrow_queries_and_scans(db: Client) {
    orders(&db).await;
    for (id, cents) in [("o1", 500u64), ("o2", 1500), ("o3", 2500)] {
        let mut o = order(id);
        o.total_cents = cents;
        db.put(&o).await.unwrap();
    }
    let mut big: Vec<String> = db
        .scan::<Order>()
        .filter(Order::TOTAL_CENTS.ge(1000u64))
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.order_id)
        .collect();
    big.sort();
    assert_eq!(big, ["o2", "o3"]);

    // Two segments together cover the table once.
    let mut seen = Vec::new();
    for segment in 0..2 {
        let part = db.scan::<Order>().segment(segment, 2).await.unwrap();
        seen.extend(part.into_iter().map(|o| o.order_id));
    }
    seen.sort();
    assert_eq!(seen, ["o1", "o2", "o3"]);

    let one = db
        .query(Order::partition("o2"))
        .filter(Order::STATUS.eq(Status::Placed) & Order::TOTAL_CENTS.gt(1000u64))
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    let none = db
        .query(Order::partition("o2"))
        .filter(Order::STATUS.eq(Status::Shipped))
        .await
        .unwrap();
    assert!(none.is_empty());
}

on_both_backends!(
    a_transfer_moves_money_all_or_nothing,
    typed_filters_narrow_queries_and_scans,
    a_new_item_gets_version_one_and_both_timestamps,
    a_stale_put_fails_with_a_version_conflict,
    a_failed_condition_is_not_reported_as_a_version_conflict,
    typed_updates_change_the_stored_item,
    an_update_with_an_expected_version_detects_a_concurrent_write,
    if_exists_keeps_an_update_from_creating_an_item,
    conditional_deletes_and_size_conditions,
    the_ttl_field_is_stored_as_epoch_seconds_and_enabled_on_the_table,
);

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "accounts", pk = "ACCOUNT#{id}")]
struct Account {
    id: String,
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

fn account(id: &str, balance: i64) -> Account {
    Account {
        id: id.into(),
        balance,
        version: 0,
    }
}

async fn transfer(
    db: &Client,
    from: &str,
    to: &str,
    amount: i64,
    token: &str,
) -> dynamo::Result<()> {
    db.transaction()
        .update(Account::key(from), |u| {
            u.add(Account::BALANCE, -amount)
                .when(Account::BALANCE.ge(amount))
        })
        .update(Account::key(to), |u| {
            u.add(Account::BALANCE, amount).if_exists()
        })
        .token(token)
        .commit()
        .await
}

async fn a_transfer_moves_money_all_or_nothing(db: Client) {
    db.create_table::<Account>().await.unwrap();
    db.transaction()
        .put(&account("alice", 100))
        .put_with(&account("bob", 20), |p| p.if_not_exists())
        .commit()
        .await
        .unwrap();
    let balance = |db: Client, id: &'static str| async move {
        db.get(Account::key(id))
            .consistent()
            .await
            .unwrap()
            .unwrap()
    };

    transfer(&db, "alice", "bob", 30, "t-1").await.unwrap();
    // The same token again is not applied twice.
    transfer(&db, "alice", "bob", 30, "t-1").await.unwrap();
    let alice = balance(db.clone(), "alice").await;
    assert_eq!((alice.balance, alice.version), (70, 2));
    assert_eq!(balance(db.clone(), "bob").await.balance, 50);

    // Not enough money: nothing happens, and the reason says which action.
    let err = transfer(&db, "alice", "bob", 500, "t-2").await.unwrap_err();
    let Error::TransactionCanceled { reasons, .. } = &err else {
        panic!("expected a cancelled transaction, got {err:?}");
    };
    let codes: Vec<_> = reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["ConditionalCheckFailed", "None"]);
    assert_eq!(balance(db.clone(), "bob").await.balance, 50);

    // A transfer to a missing account fails instead of creating it.
    let err = transfer(&db, "alice", "nobody", 5, "t-3")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TransactionCanceled { .. }));
    assert_eq!(db.get(Account::key("nobody")).await.unwrap(), None);

    // A stale versioned put and a failed check both cancel.
    let err = db
        .transaction()
        .put(&account("alice", 1_000_000))
        .commit()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TransactionCanceled { .. }));
    let err = db
        .transaction()
        .check(Account::key("bob"), Account::BALANCE.gt(1000i64))
        .delete(Account::key("alice"))
        .commit()
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(reasons[0].code, "ConditionalCheckFailed");
    assert!(
        reasons[0].item.is_some(),
        "the failed check returns the item"
    );
    assert_eq!(balance(db.clone(), "alice").await.balance, 70);
    db.transaction()
        .delete_with(Account::key("alice"), |d| {
            d.when(Account::BALANCE.eq(70i64))
        })
        .commit()
        .await
        .unwrap();
    assert_eq!(db.get(Account::key("alice")).await.unwrap(), None);
}
