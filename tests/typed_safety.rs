//! No partial items: a typed update never creates an item its type cannot
//! read back, an upsert creates whole items only, and a read that meets an
//! item written some other way names the table, the key and the attribute
//! (or, lenient, skips and reports it). Each scenario runs in process and
//! through aws-sdk against the server.

use dynamo::ops::PutItemInput;
use dynamo::{AttributeValue, Client, Error, Item};

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "rides", pk = "RIDE#{ride_id}")]
#[dynamo(gsi(name = "by_status", pk = "STATUS#{status}"))]
struct Ride {
    ride_id: String,
    pickup: String,
    status: String,
    driver: Option<String>,
    fare_cents: u64,
}

fn ride(id: &str) -> Ride {
    Ride {
        ride_id: id.into(),
        pickup: "Gare du Nord".into(),
        status: "requested".into(),
        driver: None,
        fare_cents: 0,
    }
}

async fn rides(db: &Client) {
    db.create_table::<Ride>().await.unwrap();
}

/// The case: `update(Ride::key("r9")).set(STATUS, ..)` on a
/// missing ride fails, says so, and leaves no item behind.
async fn an_update_of_a_missing_item_fails_and_creates_nothing(db: Client) {
    rides(&db).await;
    db.put(&ride("r1")).await.unwrap();
    let err = db
        .update(Ride::key("r9"))
        .set(Ride::STATUS, "assigned")
        .await
        .unwrap_err();
    match &err {
        Error::ItemNotFound { table, key } => {
            assert_eq!(table, "rides");
            assert_eq!(key["pk"], AttributeValue::S("RIDE#r9".into()));
        }
        other => panic!("expected ItemNotFound, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "no item with key {pk: \"RIDE#r9\"} in table `rides` (a typed update changes \
         existing items only; use `upsert` to create one)"
    );
    assert_eq!(err.error_type(), "ConditionalCheckFailedException");
    assert_eq!(db.get(Ride::key("r9")).consistent().await.unwrap(), None);
    // Every read of the type still works.
    let all = db.scan::<Ride>().consistent().await.unwrap();
    assert_eq!(all, [ride("r1")]);

    // On an existing item the update applies, and the caller's own failed
    // condition is still a ConditionalCheckFailed (with the item).
    db.update(Ride::key("r1"))
        .set(Ride::STATUS, "assigned")
        .await
        .unwrap();
    let err = db
        .update(Ride::key("r1"))
        .set(Ride::STATUS, "assigned")
        .when(Ride::STATUS.eq("requested"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ConditionalCheckFailed { item: Some(_), .. }),
        "{err:?}"
    );
}

/// An upsert takes a whole `Ride`, so every required field is set: it
/// creates the ride from it when missing, and leaves an existing ride's
/// other attributes alone.
async fn an_upsert_creates_a_whole_item_or_updates_the_existing_one(db: Client) {
    rides(&db).await;
    db.upsert(&ride("r9"))
        .set(Ride::STATUS, "assigned")
        .set(Ride::DRIVER, "d1")
        .await
        .unwrap();
    let created = db.get(Ride::key("r9")).consistent().await.unwrap().unwrap();
    assert_eq!(
        created,
        Ride {
            status: "assigned".into(),
            driver: Some("d1".into()),
            ..ride("r9")
        }
    );
    // The rendered index key follows the status the update set.
    let assigned = db.query(Ride::by_status("assigned")).await.unwrap();
    assert_eq!(assigned, std::slice::from_ref(&created));

    // On an existing ride, the defaults do not overwrite what is stored.
    let other = Ride {
        pickup: "Orly".into(),
        ..ride("r9")
    };
    let old = db
        .upsert(&other)
        .add(Ride::FARE_CENTS, 1250u64)
        .returning_old()
        .await
        .unwrap();
    assert_eq!(old, Some(created.clone()));
    let stored = db.get(Ride::key("r9")).consistent().await.unwrap().unwrap();
    assert_eq!(stored.pickup, "Gare du Nord");
    assert_eq!(stored.fare_cents, 1250);
    assert_eq!(
        db.query(Ride::by_status("assigned")).await.unwrap().len(),
        1
    );

    // In a transaction too.
    db.transaction()
        .upsert(&ride("r10"), |u| u.set(Ride::STATUS, "assigned"))
        .commit()
        .await
        .unwrap();
    assert_eq!(
        db.get(Ride::key("r10"))
            .consistent()
            .await
            .unwrap()
            .unwrap()
            .status,
        "assigned"
    );
}

/// Writes a partial ride the way another program (or the raw request
/// model) could: the key, the entity type and a status (with its index
/// key), no pickup.
async fn write_partial_ride(db: &Client, id: &str) {
    let entity = Ride::SCHEMA.entity.unwrap();
    let item = dynamo::AttributeMap::from([
        (
            entity.attribute.to_owned(),
            AttributeValue::S(entity.name.into()),
        ),
        ("pk".to_owned(), AttributeValue::S(format!("RIDE#{id}"))),
        ("ride_id".to_owned(), AttributeValue::S(id.into())),
        ("status".to_owned(), AttributeValue::S("assigned".into())),
        (
            "by_status_pk".to_owned(),
            AttributeValue::S("STATUS#assigned".into()),
        ),
    ]);
    db.backend()
        .put_item(PutItemInput::new("rides", item))
        .await
        .unwrap();
}

/// A read that meets an item its type cannot decode names the table, the
/// key and the attribute; a lenient query skips and reports it.
async fn an_undecodable_item_is_named_and_a_lenient_read_skips_it(db: Client) {
    rides(&db).await;
    for id in ["r1", "r2", "r3"] {
        db.put(&ride(id)).await.unwrap();
    }
    write_partial_ride(&db, "r9").await;

    let err = db.get(Ride::key("r9")).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "item {pk: \"RIDE#r9\"} in table `rides` cannot be read: missing attribute `pickup`"
    );
    match &err {
        Error::Undecodable(bad) => {
            assert_eq!(bad.table, "rides");
            assert_eq!(bad.key["pk"], AttributeValue::S("RIDE#r9".into()));
            assert_eq!(
                bad.source,
                dynamo::AttributeError::Missing {
                    path: "pickup".into()
                }
            );
        }
        other => panic!("expected Undecodable, got {other:?}"),
    }
    let err = db.scan::<Ride>().consistent().await.unwrap_err();
    assert!(matches!(err, Error::Undecodable(_)), "{err:?}");
    let err = db
        .get_many([Ride::key("r1"), Ride::key("r9")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Undecodable(_)), "{err:?}");

    let read = db.scan::<Ride>().consistent().lenient().await.unwrap();
    let mut ids: Vec<_> = read.items.iter().map(|r| r.ride_id.clone()).collect();
    ids.sort();
    assert_eq!(ids, ["r1", "r2", "r3"]);
    assert_eq!(read.skipped.len(), 1);
    assert_eq!(
        read.skipped[0].to_string(),
        "item {pk: \"RIDE#r9\"} in table `rides` cannot be read: missing attribute `pickup`"
    );

    let page = db
        .query(Ride::by_status("assigned"))
        .lenient()
        .page()
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.skipped.len(), 1);
}

on_both_backends!(
    an_update_of_a_missing_item_fails_and_creates_nothing,
    an_upsert_creates_a_whole_item_or_updates_the_existing_one,
    an_undecodable_item_is_named_and_a_lenient_read_skips_it,
);
