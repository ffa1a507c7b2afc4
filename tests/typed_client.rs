//! The typed API as a user writes it, on both backends: the in-process
//! engine, and aws-sdk-dynamodb against `dynamo-local serve`.

use dynamo::{Client, ConnectError, Error, Item};

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "readings")]
struct Reading {
    #[dynamo(partition_key)]
    sensor: String,
    #[dynamo(sort_key)]
    at: i64,
    celsius: f64,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "blobs")]
struct Chunk {
    #[dynamo(partition_key)]
    file: String,
    #[dynamo(sort_key)]
    offset: Vec<u8>,
    data: Vec<u8>,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key)]
    id: u64,
    name: String,
}

fn reading(sensor: &str, at: i64) -> Reading {
    Reading {
        sensor: sensor.into(),
        at,
        celsius: at as f64 / 10.0,
    }
}

async fn put_get_and_delete_round_trip_typed_items(db: Client) {
    let table = db.create_table::<User>().await.unwrap();
    assert_eq!(table.table_name, "users");
    assert_eq!(table.partition_key(), Some("id"));
    assert_eq!(table.sort_key(), None);

    let ada = User {
        id: 1,
        name: "Ada".into(),
    };
    db.put(&ada).await.unwrap();
    assert_eq!(db.get(User::key(1)).await.unwrap(), Some(ada.clone()));
    assert_eq!(db.get(User::key(2)).consistent().await.unwrap(), None);

    let renamed = User {
        name: "Ada L.".into(),
        ..ada
    };
    db.put(&renamed).await.unwrap();
    assert_eq!(db.get(renamed.primary_key()).await.unwrap(), Some(renamed));

    db.delete(User::key(1)).await.unwrap();
    assert_eq!(db.get(User::key(1)).await.unwrap(), None);
    // Deleting what is not there is fine.
    db.delete(User::key(1)).await.unwrap();
}

async fn numeric_sort_keys_query_in_numeric_order_both_ways(db: Client) {
    db.create_table::<Reading>().await.unwrap();
    for at in [10, -5, 200, 3, 0, 99] {
        db.put(&reading("s1", at)).await.unwrap();
    }
    db.put(&reading("s2", 1)).await.unwrap();

    let ats = |rs: Vec<Reading>| rs.into_iter().map(|r| r.at).collect::<Vec<_>>();
    assert_eq!(
        ats(db.query(Reading::partition("s1")).await.unwrap()),
        [-5, 0, 3, 10, 99, 200]
    );
    assert_eq!(
        ats(db.query(Reading::partition("s1")).reverse().await.unwrap()),
        [200, 99, 10, 3, 0, -5]
    );
    assert_eq!(
        ats(db.query(Reading::partition("s1")).limit(2).await.unwrap()),
        [-5, 0]
    );
    assert_eq!(
        ats(db
            .query(Reading::partition("s1").sk_between(0, 99))
            .await
            .unwrap()),
        [0, 3, 10, 99]
    );
    assert_eq!(
        ats(db
            .query(Reading::partition("s1").sk_gt(10))
            .reverse()
            .await
            .unwrap()),
        [200, 99]
    );
    assert_eq!(
        ats(db.query(Reading::partition("s1").sk_le(0)).await.unwrap()),
        [-5, 0]
    );
    assert_eq!(
        ats(db
            .query(Reading::partition("s1").sk_eq(3))
            .consistent()
            .await
            .unwrap()),
        [3]
    );
    assert!(
        db.query(Reading::partition("nobody"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn binary_sort_keys_query_in_unsigned_byte_order(db: Client) {
    db.create_table::<Chunk>().await.unwrap();
    for offset in [
        vec![0xff],
        vec![0x00, 0x01],
        vec![0x80],
        vec![0x00],
        vec![0x7f, 0xff],
    ] {
        db.put(&Chunk {
            file: "f".into(),
            data: offset.clone(),
            offset,
        })
        .await
        .unwrap();
    }
    let offsets: Vec<Vec<u8>> = db
        .query(Chunk::partition("f"))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.offset)
        .collect();
    assert_eq!(
        offsets,
        vec![
            vec![0x00],
            vec![0x00, 0x01],
            vec![0x7f, 0xff],
            vec![0x80],
            vec![0xff]
        ]
    );
    let prefixed = db
        .query(Chunk::partition("f").sk_begins_with(vec![0x00]))
        .await
        .unwrap();
    assert_eq!(prefixed.len(), 2);
}

async fn a_query_pages_through_a_partition_larger_than_one_page(db: Client) {
    db.create_table::<Chunk>().await.unwrap();
    // 12 chunks of 200 KB: 2.4 MB, three 1 MB pages.
    for i in 0..12u8 {
        db.put(&Chunk {
            file: "big".into(),
            offset: vec![i],
            data: vec![i; 200_000],
        })
        .await
        .unwrap();
    }
    let chunks = db.query(Chunk::partition("big")).await.unwrap();
    assert_eq!(chunks.len(), 12);
    assert!(
        chunks
            .iter()
            .enumerate()
            .all(|(i, c)| c.offset == vec![i as u8])
    );
}

async fn engine_errors_reach_the_caller_with_dynamodb_types(db: Client) {
    let err = db.put(&reading("s1", 1)).await.unwrap_err();
    assert_eq!(
        err,
        Error::ResourceNotFound("Requested resource not found".into())
    );
    assert_eq!(err.error_type(), "ResourceNotFoundException");
    db.create_table::<Reading>().await.unwrap();
    let err = db.create_table::<Reading>().await.unwrap_err();
    assert_eq!(
        err,
        Error::ResourceInUse("Table already exists: readings".into())
    );
    let mut bad = reading("", 1);
    bad.sensor.clear();
    assert!(
        matches!(db.put(&bad).await.unwrap_err(), Error::Validation(m) if m.contains("empty string value. Key: sensor"))
    );
    let nan = Reading {
        celsius: f64::NAN,
        ..reading("s1", 2)
    };
    assert!(matches!(
        db.put(&nan).await.unwrap_err(),
        Error::Attribute(_)
    ));
}

#[tokio::test]
async fn connection_strings_are_checked() {
    assert!(matches!(
        dynamo::connect("postgres://x").await.unwrap_err(),
        ConnectError::UnsupportedUrl(_)
    ));
    assert!(matches!(
        dynamo::connect("memory").await.unwrap_err(),
        ConnectError::UnsupportedUrl(_)
    ));
    assert!(matches!(
        dynamo::connect("local:///tmp/data?sync=sometimes")
            .await
            .unwrap_err(),
        ConnectError::BadOption { .. }
    ));
    let message = dynamo::connect("local://disk")
        .await
        .unwrap_err()
        .to_string();
    assert!(message.contains("expected `local://memory`"), "{message}");
}

async fn clients_share_one_engine_across_tasks(db: Client) {
    db.create_table::<Reading>().await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let db = db.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    db.put(&reading("shared", t * 100 + i)).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        db.query(Reading::partition("shared")).await.unwrap().len(),
        200
    );
}

async fn pages_resume_from_a_cursor_passed_as_a_string(db: Client) {
    db.create_table::<Reading>().await.unwrap();
    for at in 1..=5 {
        db.put(&reading("s1", at)).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut query = db.query(Reading::partition("s1")).limit(2);
        if let Some(text) = cursor.take() {
            query = query.after(text.parse().unwrap());
        }
        let page = query.page().await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|r| r.at));
        match page.next {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, [1, 2, 3, 4, 5]);
    assert!("not a cursor".parse::<dynamo::Cursor>().is_err());
    // Awaiting the query after a cursor returns the rest.
    let first = db
        .query(Reading::partition("s1"))
        .limit(2)
        .page()
        .await
        .unwrap();
    let rest = db
        .query(Reading::partition("s1"))
        .after(first.next.unwrap())
        .await
        .unwrap();
    assert_eq!(
        rest.into_iter().map(|r| r.at).collect::<Vec<_>>(),
        [3, 4, 5]
    );
}

on_both_backends!(
    put_get_and_delete_round_trip_typed_items,
    numeric_sort_keys_query_in_numeric_order_both_ways,
    binary_sort_keys_query_in_unsigned_byte_order,
    a_query_pages_through_a_partition_larger_than_one_page,
    engine_errors_reach_the_caller_with_dynamodb_types,
    clients_share_one_engine_across_tasks,
    pages_resume_from_a_cursor_passed_as_a_string,
);
