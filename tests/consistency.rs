//! The consistency choice as a user sees it: on an engine whose replicas
//! lag (`local://memory?replica_lag=...`), a typed read just after a write
//! is stale unless it asks for `.consistent()`.

use dynamo::{ConnectError, Item};

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "carts")]
struct Cart {
    #[dynamo(partition_key)]
    user: String,
    items: u32,
}

#[tokio::test]
async fn an_eventual_read_after_a_write_is_stale_and_a_consistent_one_is_not() {
    // Replicas apply commits 5 to 10 seconds late: far longer than this test.
    let db = dynamo::connect("local://memory?replica_lag=10s&seed=7")
        .await
        .unwrap();
    db.create_table::<Cart>().await.unwrap();
    let cart = Cart {
        user: "ada".into(),
        items: 3,
    };
    db.put(&cart).await.unwrap();
    assert_eq!(db.get(Cart::key("ada")).await.unwrap(), None);
    assert_eq!(
        db.get(Cart::key("ada")).consistent().await.unwrap(),
        Some(cart)
    );
}

#[tokio::test]
async fn connection_string_options_are_checked() {
    let error =
        |url: &'static str| async move { dynamo::connect(url).await.unwrap_err().to_string() };
    assert_eq!(
        error("local://memory?replica_lag=soon").await,
        "connection string `local://memory?replica_lag=soon`: option `replica_lag=soon`: expected a duration such as 50ms or 2s"
    );
    assert_eq!(
        error("local://memory?seed=-1").await,
        "connection string `local://memory?seed=-1`: option `seed=-1`: expected a whole number"
    );
    assert!(matches!(
        dynamo::connect("local://memory?colour=blue").await,
        Err(ConnectError::BadOption { .. })
    ));
    assert!(
        dynamo::connect("local://memory?replica_lag=0ms&seed=1")
            .await
            .is_ok()
    );
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "wishlists")]
struct Wishlist {
    #[dynamo(partition_key)]
    user: String,
    items: u32,
}

#[tokio::test]
async fn one_table_can_lag_while_the_others_do_not() {
    let db = dynamo::connect("local://memory?replica_lag.carts=10s&seed=3")
        .await
        .unwrap();
    db.create_table::<Cart>().await.unwrap();
    db.create_table::<Wishlist>().await.unwrap();
    let cart = Cart {
        user: "ada".into(),
        items: 1,
    };
    let wishlist = Wishlist {
        user: "ada".into(),
        items: 2,
    };
    db.put(&cart).await.unwrap();
    db.put(&wishlist).await.unwrap();
    assert_eq!(db.get(Cart::key("ada")).await.unwrap(), None);
    assert_eq!(db.get(Wishlist::key("ada")).await.unwrap(), Some(wishlist));
}

#[tokio::test]
async fn transaction_hold_and_table_lag_options_are_checked() {
    let error =
        |url: &'static str| async move { dynamo::connect(url).await.unwrap_err().to_string() };
    assert_eq!(
        error("local://memory?transaction_hold=long").await,
        "connection string `local://memory?transaction_hold=long`: option `transaction_hold=long`: expected a duration such as 50ms or 2s"
    );
    assert_eq!(
        error("local://memory?replica_lag.carts=x").await,
        "connection string `local://memory?replica_lag.carts=x`: option `replica_lag.carts=x`: expected a duration such as 50ms or 2s"
    );
    assert!(
        dynamo::connect("local://memory?transaction_hold=5ms&replica_lag.carts=1s")
            .await
            .is_ok()
    );
}
