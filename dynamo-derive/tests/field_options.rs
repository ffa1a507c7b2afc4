//! Field options: `rename`, container `rename_all`, `skip` and `default`.

use dynamo::{AttributeError, AttributeMap, AttributeValue, Item};

#[derive(dynamo::Attribute, Debug, PartialEq)]
#[dynamo(rename_all = "SCREAMING_SNAKE_CASE")]
enum Tier {
    Free,
    ProPlus,
}

#[derive(dynamo::Item, Debug, PartialEq)]
#[dynamo(table = "users", rename_all = "camelCase")]
struct User {
    #[dynamo(partition_key, rename = "PK")]
    user_id: String,
    display_name: String,
    tier: Tier,
    #[dynamo(skip)]
    session_cache: Vec<String>,
    #[dynamo(default)]
    login_count: u32,
}

#[derive(dynamo::Attribute, Debug, PartialEq)]
#[dynamo(rename_all = "PascalCase")]
struct Address {
    street_line: String,
    #[dynamo(rename = "zip")]
    postal_code: String,
}

#[test]
fn names_follow_rename_and_rename_all() {
    let user = User {
        user_id: "u1".into(),
        display_name: "Ada".into(),
        tier: Tier::ProPlus,
        session_cache: vec!["x".into()],
        login_count: 3,
    };
    let item = user.to_item().unwrap();
    let mut names: Vec<_> = item.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["PK", "displayName", "loginCount", "tier"]);
    assert_eq!(item["tier"], AttributeValue::S("PRO_PLUS".into()));
    assert_eq!(User::SCHEMA.partition_key.name, "PK");
    assert_eq!(
        User::key("u1").attributes()["PK"],
        AttributeValue::S("u1".into())
    );
    let address = dynamo::Attribute::to_attribute(&Address {
        street_line: "1 Main".into(),
        postal_code: "123".into(),
    })
    .unwrap();
    assert_eq!(
        address
            .as_m()
            .unwrap()
            .keys()
            .filter(|k| *k == "StreetLine" || *k == "zip")
            .count(),
        2
    );
}

#[test]
fn skipped_fields_are_not_stored_and_read_back_as_default() {
    let user = User {
        user_id: "u1".into(),
        display_name: "Ada".into(),
        tier: Tier::Free,
        session_cache: vec!["x".into()],
        login_count: 0,
    };
    let read = User::from_item(user.to_item().unwrap()).unwrap();
    assert!(read.session_cache.is_empty());
    assert_eq!(read.display_name, "Ada");
}

#[test]
fn default_fields_may_be_missing() {
    let item = AttributeMap::from([
        ("PK".to_owned(), AttributeValue::S("u1".into())),
        ("displayName".to_owned(), AttributeValue::S("Ada".into())),
        ("tier".to_owned(), AttributeValue::S("FREE".into())),
    ]);
    let user = User::from_item(item.clone()).unwrap();
    assert_eq!(user.login_count, 0);
    let mut without_name = item;
    without_name.remove("displayName");
    // Fields without `default` stay required, named as stored.
    let err = User::from_item(without_name).unwrap_err();
    assert_eq!(
        err,
        AttributeError::Missing {
            path: "displayName".into()
        }
    );
    assert_eq!(err.to_string(), "missing attribute `displayName`");
}
