//! The typed operations users reached for the raw request model to get:
//! counting, existence, and the old item returned from put, update and
//! delete. Each scenario runs in process and through aws-sdk against the
//! server.

use dynamo::{Client, Item};

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "league", pk = "PLAYER#{player}", sk = "SCORE#{game}")]
struct Score {
    player: String,
    game: String,
    points: u64,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "league", pk = "PLAYER#{player}", sk = "PROFILE")]
struct Profile {
    player: String,
    nickname: String,
}

fn score(player: &str, game: &str, points: u64) -> Score {
    Score {
        player: player.into(),
        game: game.into(),
        points,
    }
}

async fn league(db: &Client) {
    db.create_table::<Score>().await.unwrap();
    db.put(&Profile {
        player: "ada".into(),
        nickname: "countess".into(),
    })
    .await
    .unwrap();
    for (game, points) in [("g1", 10), ("g2", 30), ("g3", 50)] {
        db.put(&score("ada", game, points)).await.unwrap();
    }
    db.put(&score("bob", "g1", 20)).await.unwrap();
}

/// A count is `Select: COUNT` with the entity filter kept: the profile in
/// the same partition is not a score.
async fn count_counts_matching_items_of_the_type_only(db: Client) {
    league(&db).await;
    assert_eq!(db.query(Score::partition("ada")).count().await.unwrap(), 3);
    assert_eq!(
        db.query(Score::partition("ada"))
            .filter(Score::POINTS.ge(30u64))
            .count()
            .await
            .unwrap(),
        2
    );
    // Page by page, the same total.
    assert_eq!(
        db.query(Score::partition("ada"))
            .page_size(1)
            .count()
            .await
            .unwrap(),
        3
    );
    assert_eq!(db.scan::<Score>().consistent().count().await.unwrap(), 4);
    assert_eq!(db.scan::<Profile>().consistent().count().await.unwrap(), 1);
}

async fn exists_tells_whether_an_item_is_stored(db: Client) {
    league(&db).await;
    let strong = db.clone().with_consistency(dynamo::Consistency::Strong);
    assert!(strong.exists(Score::key("ada", "g1")).await.unwrap());
    assert!(!strong.exists(Score::key("ada", "g9")).await.unwrap());
    assert!(strong.exists(Profile::key("ada")).await.unwrap());
}

async fn writes_return_the_item_they_replaced(db: Client) {
    league(&db).await;
    let old = db
        .put(&score("ada", "g1", 11))
        .returning_old()
        .await
        .unwrap();
    assert_eq!(old, Some(score("ada", "g1", 10)));
    let none = db
        .put(&score("ada", "g4", 1))
        .returning_old()
        .await
        .unwrap();
    assert_eq!(none, None);

    let before = db
        .update(Score::key("ada", "g1"))
        .add(Score::POINTS, 5u64)
        .returning_old()
        .await
        .unwrap();
    assert_eq!(before, Some(score("ada", "g1", 11)));

    let deleted = db
        .delete(Score::key("ada", "g1"))
        .returning_old()
        .await
        .unwrap();
    assert_eq!(deleted, Some(score("ada", "g1", 16)));
    let again = db
        .delete(Score::key("ada", "g1"))
        .returning_old()
        .await
        .unwrap();
    assert_eq!(again, None);
}

on_both_backends!(
    count_counts_matching_items_of_the_type_only,
    exists_tells_whether_an_item_is_stored,
    writes_return_the_item_they_replaced,
);
