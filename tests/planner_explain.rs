//! What a plan's `explain` shows, and what a refused find says, line by
//! line as a user reads them: the operation heads, key conditions,
//! filters checked by the client, fetch-back reasons, merges, order,
//! projection, estimates and the rejected paths, and the errors of a
//! refused scan, an order no index gives, a predicate nested too deep and
//! a key template that cannot be rendered. Each scenario also runs the find
//! and compares its items with a brute-force evaluation, in process and
//! through aws-sdk against `dynamo-local serve` (the statistics, and so the
//! estimates, come from the same engine either way).

use dynamo::expr::Condition;
use dynamo::ops::CreateTableInput;
use dynamo::planner::{FindError, PlanError};
use dynamo::schema::{GlobalSecondaryIndex, LocalSecondaryIndex, Projection};
use dynamo::{AttributeValue, Client, Cond, IndexKind, Item, Path};

mod common;

on_both_backends!(
    a_full_key_is_one_get_checked_for_its_entity_type,
    full_keys_in_two_partitions_are_one_batch_get,
    a_keys_only_index_is_fetched_back_and_checked_by_the_client,
    in_on_the_partition_merges_the_streams_by_sort_key,
    an_order_is_shown_and_streams_are_merged_by_it,
    an_or_of_two_indexes_returns_shared_items_once,
    a_cheaper_index_beats_the_table_and_the_table_is_rejected_with_its_cost,
    a_padded_field_given_a_negative_number_is_not_rendered_into_a_key,
    a_wide_in_fans_out_past_the_limit_on_the_table,
    refused_finds_say_why_in_full,
    a_predicate_nested_too_deep_is_refused,
);

/// Sensor readings: a partition per site and zone, keyed by time; a
/// KEYS_ONLY GSI by sensor, a sparse GSI by owner, an LSI by level.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(
    table = "readings",
    pk = "SITE#{site}#{zone}",
    sk = "AT#{at:6}#{sensor}"
)]
#[dynamo(gsi(name = "by_sensor", pk = "SENSOR#{sensor}", sk = "{at}"))]
#[dynamo(gsi(name = "by_owner", pk = "{owner}"))]
#[dynamo(lsi(name = "by_level", sk = "LEVEL#{level:3}#{at:6}"))]
pub struct Reading {
    pub site: String,
    pub zone: String,
    pub at: u64,
    pub sensor: String,
    pub owner: Option<String>,
    pub level: u8,
    pub note: String,
}

/// Creates the table: `by_sensor` stores only keys, the others everything.
async fn create(db: &Client) {
    let schema = Reading::SCHEMA;
    let mut input = CreateTableInput::new(
        schema.table_name,
        schema.key_schema(),
        schema.attribute_definitions(),
    );
    let projection = |name: &str| match name {
        "by_sensor" => Projection::keys_only(),
        _ => Projection::all(),
    };
    input.global_secondary_indexes = Some(
        schema
            .indexes
            .iter()
            .filter(|i| i.kind == IndexKind::Global)
            .map(|i| GlobalSecondaryIndex {
                index_name: i.name.to_owned(),
                key_schema: i.key_schema(),
                projection: projection(i.name),
                provisioned_throughput: None,
            })
            .collect(),
    );
    input.local_secondary_indexes = Some(
        schema
            .indexes
            .iter()
            .filter(|i| i.kind == IndexKind::Local)
            .map(|i| LocalSecondaryIndex {
                index_name: i.name.to_owned(),
                key_schema: i.key_schema(),
                projection: projection(i.name),
            })
            .collect(),
    );
    db.backend().create_table(input).await.unwrap();
}

/// 24 readings over two sites, two zones and three sensors; every third
/// without an owner.
fn readings() -> Vec<Reading> {
    (0..24u64)
        .map(|i| Reading {
            site: ["north", "south"][(i % 2) as usize].into(),
            zone: ["a", "b"][(i / 2 % 2) as usize].into(),
            at: 100 + i,
            sensor: format!("s{}", i % 3),
            owner: (i % 3 != 0).then(|| ["ann", "bob"][(i % 2) as usize].to_owned()),
            level: (i % 4) as u8,
            note: "n".repeat(40),
        })
        .collect()
}

/// Creates and fills the table; the readings written.
async fn loaded(db: &Client) -> Vec<Reading> {
    create(db).await;
    let all = readings();
    db.put_many(&all).await.unwrap();
    all
}

/// The readings the predicate selects, by brute force, by sort key.
fn selected(all: &[Reading], predicate: &Cond<Reading>) -> Vec<Reading> {
    let c: Condition = predicate.clone().into_condition().unwrap();
    let mut out: Vec<Reading> = all
        .iter()
        .filter(|r| c.evaluate(&r.to_item().unwrap()))
        .cloned()
        .collect();
    out.sort_by_key(key);
    out
}

fn key(r: &Reading) -> (String, String, u64, String) {
    (r.site.clone(), r.zone.clone(), r.at, r.sensor.clone())
}

/// The explain text of `predicate`, and the items the find returns, in
/// the order returned; checks them against brute force.
async fn explained(
    db: &Client,
    all: &[Reading],
    predicate: Cond<Reading>,
) -> (String, Vec<Reading>) {
    let find = db.find::<Reading>().matching(predicate.clone());
    let text = find.explain().await.unwrap().to_string();
    let got = find.all().await.unwrap();
    let mut sorted = got.clone();
    sorted.sort_by_key(key);
    assert_eq!(sorted, selected(all, &predicate), "{text}");
    (text, got)
}

fn north_a() -> Cond<Reading> {
    Reading::SITE.eq("north").and(Reading::ZONE.eq("a"))
}

async fn a_full_key_is_one_get_checked_for_its_entity_type(db: Client) {
    let all = loaded(&db).await;
    let p = north_a()
        .and(Reading::AT.eq(100u64))
        .and(Reading::SENSOR.eq("s0"));
    let (text, got) = explained(&db, &all, p).await;
    assert_eq!(
        text,
        r#"plan for table `readings`:
  GetItem on the table
    key: {pk: "SITE#north#a", sk: "AT#000100#s0"}
    checked by the client: _entity = "Reading"
    estimate: 1.0 items read, 1.0 returned, 0.5 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 1.0 items read, 1.0 returned, 0.5 RCU (eventually consistent), 1 request
  rejected:
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: Query on it costs 0.5 RCU for 6.0 items read, more than the chosen 0.5 RCU for 1.0
    GSI `by_sensor`: Query on it costs 0.9 RCU for 0.8 items read, more than the chosen 0.5 RCU for 1.0
"#
    );
    assert_eq!(got.len(), 1);
}

async fn full_keys_in_two_partitions_are_one_batch_get(db: Client) {
    let all = loaded(&db).await;
    let p = north_a()
        .and(Reading::AT.eq(100u64))
        .and(Reading::SENSOR.eq("s0"))
        .or(Reading::SITE
            .eq("south")
            .and(Reading::ZONE.eq("b"))
            .and(Reading::AT.eq(103u64))
            .and(Reading::SENSOR.eq("s0")));
    let (text, got) = explained(&db, &all, p).await;
    assert_eq!(
        text,
        r#"plan for table `readings`:
  BatchGetItem of 2 keys on the table
    key: {pk: "SITE#north#a", sk: "AT#000100#s0"}
    key: {pk: "SITE#south#b", sk: "AT#000103#s0"}
    checked by the client: _entity = "Reading"
    estimate: 2.0 items read, 2.0 returned, 1.0 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 2.0 items read, 2.0 returned, 1.0 RCU (eventually consistent), 1 request
  rejected:
    branch 1: GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    branch 1: LSI `by_level`: Query on it costs 0.5 RCU for 6.0 items read, more than the chosen 0.5 RCU for 1.0
    branch 1: GSI `by_sensor`: Query on it costs 0.9 RCU for 0.8 items read, more than the chosen 0.5 RCU for 1.0
    branch 2: GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    branch 2: LSI `by_level`: Query on it costs 0.5 RCU for 6.0 items read, more than the chosen 0.5 RCU for 1.0
    branch 2: GSI `by_sensor`: Query on it costs 0.9 RCU for 0.8 items read, more than the chosen 0.5 RCU for 1.0
"#
    );
    assert_eq!(got.len(), 2);
}

async fn a_keys_only_index_is_fetched_back_and_checked_by_the_client(db: Client) {
    let all = loaded(&db).await;
    let p = Reading::SENSOR.eq("s1").and(Reading::AT.ge(110u64));
    let (text, got) = explained(&db, &all, p).await;
    assert_eq!(
        text,
        r#"plan for table `readings`:
  Query GSI `by_sensor`
    key condition: by_sensor_pk = "SENSOR#s1" AND at >= 110
    checked by the client: _entity = "Reading"
    fetch back from the table: GSI `by_sensor` does not store all attributes, `_entity`
    estimate: 2.4 items read, 2.4 returned, 1.7 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 2.4 items read, 2.4 returned, 1.7 RCU (eventually consistent), 1 request
  rejected:
    table: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
"#
    );
    // The index returns them in `at` order.
    assert!(got.windows(2).all(|w| w[0].at <= w[1].at));
}

async fn in_on_the_partition_merges_the_streams_by_sort_key(db: Client) {
    let all = loaded(&db).await;
    let p = Reading::SITE
        .is_in(["north", "south"])
        .and(Reading::ZONE.eq("a"));
    let (text, got) = explained(&db, &all, p).await;
    assert_eq!(
        text,
        r#"plan for table `readings`:
  Query table (2 queries)
    key condition: pk = "SITE#north#a" AND begins_with(sk, "AT#")
    key condition: pk = "SITE#south#a" AND begins_with(sk, "AT#")
    filter: _entity = "Reading"
    estimate: 12.0 items read, 12.0 returned, 1.0 RCU (eventually consistent), 2 requests
  streams merged by sk
  projection: all attributes
  total: 12.0 items read, 12.0 returned, 1.0 RCU (eventually consistent), 2 requests
  rejected:
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: Query on it costs 1.0 RCU for 12.0 items read, more than the chosen 1.0 RCU for 12.0
"#
    );
    assert!(got.windows(2).all(|w| w[0].at <= w[1].at));
}

async fn an_order_is_shown_and_streams_are_merged_by_it(db: Client) {
    let all = loaded(&db).await;
    // One partition, newest first: the table's sort key gives the order.
    let find = db
        .find::<Reading>()
        .matching(north_a())
        .order_by(Reading::AT)
        .descending();
    assert_eq!(
        find.explain().await.unwrap().to_string(),
        r#"plan for table `readings`:
  Query table
    key condition: pk = "SITE#north#a" AND begins_with(sk, "AT#")
    filter: _entity = "Reading"
    descending
    estimate: 6.0 items read, 6.0 returned, 0.5 RCU (eventually consistent), 1 request
  order: at descending
  projection: all attributes
  total: 6.0 items read, 6.0 returned, 0.5 RCU (eventually consistent), 1 request
  rejected:
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: it returns items in `level` order, not `at`
"#
    );
    let mut expected = selected(&all, &north_a());
    expected.reverse();
    assert_eq!(find.all().await.unwrap(), expected);

    // Two partitions, oldest first: their streams merged by `at`.
    let p = Reading::SITE
        .is_in(["north", "south"])
        .and(Reading::ZONE.eq("a"));
    let find = db
        .find::<Reading>()
        .matching(p.clone())
        .order_by(Reading::AT)
        .ascending();
    assert_eq!(
        find.explain().await.unwrap().to_string(),
        r#"plan for table `readings`:
  Query table (2 queries)
    key condition: pk = "SITE#north#a" AND begins_with(sk, "AT#")
    key condition: pk = "SITE#south#a" AND begins_with(sk, "AT#")
    filter: _entity = "Reading"
    estimate: 12.0 items read, 12.0 returned, 1.0 RCU (eventually consistent), 2 requests
  streams merged by at
  order: at ascending
  projection: all attributes
  total: 12.0 items read, 12.0 returned, 1.0 RCU (eventually consistent), 2 requests
  rejected:
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: it returns items in `level` order, not `at`
"#
    );
    let mut expected = selected(&all, &p);
    expected.sort_by_key(|r| r.at);
    assert_eq!(find.all().await.unwrap(), expected);
}

async fn an_or_of_two_indexes_returns_shared_items_once(db: Client) {
    let all = loaded(&db).await;
    let p = Reading::OWNER.eq("ann").or(Reading::SENSOR.eq("s0"));
    let (text, got) = explained(&db, &all, p).await;
    assert_eq!(
        text,
        r#"plan for table `readings`:
  1. Query GSI `by_owner`
    key condition: owner = "ann"
    filter: _entity = "Reading"
    estimate: 8.0 items read, 8.0 returned, 0.5 RCU (eventually consistent), 1 request
  2. Query GSI `by_sensor`
    key condition: by_sensor_pk = "SENSOR#s0"
    checked by the client: _entity = "Reading"
    fetch back from the table: GSI `by_sensor` does not store all attributes, `_entity`
    estimate: 8.0 items read, 8.0 returned, 4.5 RCU (eventually consistent), 1 request
  streams concatenated
  items returned by two branches are returned once
  projection: all attributes
  total: 16.0 items read, 16.0 returned, 5.0 RCU (eventually consistent), 2 requests
  rejected:
    branch 1: table: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
    branch 1: GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    branch 1: LSI `by_level`: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
    branch 2: table: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
    branch 2: GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    branch 2: LSI `by_level`: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
"#
    );
    let mut keys: Vec<_> = got.iter().map(key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), got.len());
}

async fn a_cheaper_index_beats_the_table_and_the_table_is_rejected_with_its_cost(db: Client) {
    let all = loaded(&db).await;
    let p = north_a().and(Reading::LEVEL.eq(2u8));
    let find = db.find::<Reading>().matching(p.clone()).project(["note"]);
    assert_eq!(
        find.explain().await.unwrap().to_string(),
        r#"plan for table `readings`:
  Query LSI `by_level`
    key condition: pk = "SITE#north#a" AND begins_with(by_level_sk, "LEVEL#002#")
    filter: _entity = "Reading"
    estimate: 0.6 items read, 0.6 returned, 0.5 RCU (eventually consistent), 1 request
  projection: note
  total: 0.6 items read, 0.6 returned, 0.5 RCU (eventually consistent), 1 request
  rejected:
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    table: Query on it costs 0.5 RCU for 6.0 items read, more than the chosen 0.5 RCU for 0.6
"#
    );
    let mut stream = find.execute_attributes();
    let mut n = 0;
    while let Some(item) = stream.next().await {
        assert_eq!(item.unwrap().keys().collect::<Vec<_>>(), ["note"]);
        n += 1;
    }
    assert_eq!(n, selected(&all, &p).len());
}

async fn a_padded_field_given_a_negative_number_is_not_rendered_into_a_key(db: Client) {
    let all = loaded(&db).await;
    // A path typed by hand as a signed number: `at` is zero-padded in the
    // table's sort key, so no key holds -5; the table cannot serve it.
    let p = north_a().and(Path::<Reading, i64>::new("at").eq(-5i64));
    let (text, got) = explained(&db, &all, p).await;
    assert_eq!(
        text,
        r#"plan for table `readings`:
  Query LSI `by_level`
    key condition: pk = "SITE#north#a" AND begins_with(by_level_sk, "LEVEL#")
    filter: at = -5 AND _entity = "Reading"
    estimate: 6.0 items read, 0.6 returned, 0.5 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 6.0 items read, 0.6 returned, 0.5 RCU (eventually consistent), 1 request
  rejected:
    table: key template field `at` is zero-padded, and -5 is not an unsigned integer
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
"#
    );
    assert!(got.is_empty());
}

async fn a_wide_in_fans_out_past_the_limit_on_the_table(db: Client) {
    let all = loaded(&db).await;
    // 10 sites x 10 zones are 100 partitions, each with two sort keys: 200
    // keys, more than one branch may fan out to.
    let sites: Vec<String> = ["north", "south"]
        .into_iter()
        .map(str::to_owned)
        .chain((0..8).map(|i| format!("site{i}")))
        .collect();
    let zones: Vec<String> = ["a", "b"]
        .into_iter()
        .map(str::to_owned)
        .chain((0..8).map(|i| format!("zone{i}")))
        .collect();
    let p = Reading::SITE
        .is_in(sites)
        .and(Reading::ZONE.is_in(zones))
        .and(Reading::AT.is_in([100u64, 101]))
        .and(Reading::SENSOR.eq("s0"));
    let (text, got) = explained(&db, &all, p).await;
    // The table is rejected; the sensor index reads two keys instead.
    assert_eq!(
        text,
        r#"plan for table `readings`:
  Query GSI `by_sensor` (2 queries)
    key condition: by_sensor_pk = "SENSOR#s0" AND at = 100
    key condition: by_sensor_pk = "SENSOR#s0" AND at = 101
    checked by the client: site IN ("north", "south", "site0", "site1", "site2", "site3", "site4", "site5", "site6", "site7") AND zone IN ("a", "b", "zone0", "zone1", "zone2", "zone3", "zone4", "zone5", "zone6", "zone7") AND _entity = "Reading"
    fetch back from the table: GSI `by_sensor` does not store all attributes, `site`, `zone`, `_entity`
    estimate: 1.6 items read, 1.6 returned, 1.8 RCU (eventually consistent), 2 requests
  streams merged by at
  projection: all attributes
  total: 1.6 items read, 1.6 returned, 1.8 RCU (eventually consistent), 2 requests
  rejected:
    table: the predicate fans out to more than 100 key values
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: Query on it costs 50.0 RCU for 600.0 items read, more than the chosen 1.8 RCU for 1.6
"#
    );
    assert_eq!(got.len(), 1);
}

/// The error of a find that does not plan.
async fn refusal(find: dynamo::planner::Find<'_, Reading>) -> String {
    let err = find.explain().await.unwrap_err();
    assert!(matches!(err, FindError::Plan(_)), "{err}");
    err.to_string()
}

async fn refused_finds_say_why_in_full(db: Client) {
    loaded(&db).await;
    let find = || db.find::<Reading>();
    // Equality on an attribute no key is rendered from.
    assert_eq!(
        refusal(find().matching(Reading::NOTE.eq("x"))).await,
        r#"refused to scan table `readings`: no index has a partition key on `note`; declare one, e.g. gsi(name = "by_note", pk = "{note}"); call allow_scan() to scan anyway
plan for table `readings`:
  Scan the table
    filter: note = "x" AND _entity = "Reading"
    estimate: 24.0 items read, 2.4 returned, 1.0 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 24.0 items read, 2.4 returned, 1.0 RCU (eventually consistent), 1 request
  rejected:
    table: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
"#
    );
    // No equality at all.
    assert_eq!(
        refusal(find().matching(Reading::LEVEL.gt(1u8))).await,
        r#"refused to scan table `readings`: the predicate fixes no partition key with = or IN; call allow_scan() to scan anyway
plan for table `readings`:
  Scan the table
    filter: level > 1 AND _entity = "Reading"
    estimate: 24.0 items read, 7.2 returned, 1.0 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 24.0 items read, 7.2 returned, 1.0 RCU (eventually consistent), 1 request
  rejected:
    table: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
"#
    );
    // Half the partition key: the table comes closest.
    assert_eq!(
        refusal(find().matching(Reading::SITE.eq("north"))).await,
        r#"refused to scan table `readings`: the table would serve it, but its partition key `pk` is rendered from `zone`, which is not fixed by = or IN; call allow_scan() to scan anyway
plan for table `readings`:
  Scan the table
    filter: site = "north" AND _entity = "Reading"
    estimate: 24.0 items read, 2.4 returned, 1.0 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 24.0 items read, 2.4 returned, 1.0 RCU (eventually consistent), 1 request
  rejected:
    table: its partition key `pk` is rendered from `zone`, which is not fixed by = or IN
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: its partition key `pk` is rendered from `zone`, which is not fixed by = or IN
"#
    );
    // 11 sites x 10 zones render 110 partition keys.
    let sites: Vec<String> = (0..11).map(|i| format!("site{i}")).collect();
    let zones: Vec<String> = (0..10).map(|i| format!("zone{i}")).collect();
    assert_eq!(
        refusal(find().matching(Reading::SITE.is_in(sites).and(Reading::ZONE.is_in(zones)))).await,
        r#"refused to scan table `readings`: the table would serve it, but its partition key `pk` takes more than 100 values; call allow_scan() to scan anyway
plan for table `readings`:
  Scan the table
    filter: site IN ("site0", "site1", "site2", "site3", "site4", "site5", "site6", "site7", "site8", "site9", "site10") AND zone IN ("zone0", "zone1", "zone2", "zone3", "zone4", "zone5", "zone6", "zone7", "zone8", "zone9") AND _entity = "Reading"
    estimate: 24.0 items read, 24.0 returned, 1.0 RCU (eventually consistent), 1 request
  projection: all attributes
  total: 24.0 items read, 24.0 returned, 1.0 RCU (eventually consistent), 1 request
  rejected:
    table: its partition key `pk` takes more than 100 values
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it is sparse: items without `owner` are not in it, and the predicate does not require `owner`
    LSI `by_level`: its partition key `pk` takes more than 100 values
"#
    );
    // An order the owner index does not keep, and a Scan keeps none.
    let err = refusal(
        find()
            .matching(Reading::OWNER.eq("ann"))
            .order_by(Reading::AT)
            .allow_scan(),
    )
    .await;
    assert_eq!(
        err,
        r#"no index returns items in `at` order for this predicate; a Scan has no order
plan for table `readings`:
  Scan the table
    filter: owner = "ann" AND _entity = "Reading"
    estimate: 24.0 items read, 2.4 returned, 1.0 RCU (eventually consistent), 1 request
  order: at ascending
  projection: all attributes
  total: 24.0 items read, 2.4 returned, 1.0 RCU (eventually consistent), 1 request
  rejected:
    table: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
    GSI `by_sensor`: its partition key `by_sensor_pk` is rendered from `sensor`, which is not fixed by = or IN
    GSI `by_owner`: it does not return items in `at` order
    LSI `by_level`: its partition key `pk` is rendered from `site`, which is not fixed by = or IN
"#
    );
    // Allowed, the scan runs.
    let got = find()
        .matching(Reading::NOTE.eq("x"))
        .allow_scan()
        .all()
        .await
        .unwrap();
    assert!(got.is_empty());
}

async fn a_predicate_nested_too_deep_is_refused(db: Client) {
    let all = loaded(&db).await;
    let mut deep = Reading::LEVEL.eq(1u8);
    for _ in 0..300 {
        deep = !deep;
    }
    let find = db.find::<Reading>().matching(deep.clone());
    let err = find.explain().await.unwrap_err();
    assert!(
        matches!(err.plan_error(), Some(PlanError::TooDeep { limit: 256 })),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "the predicate is nested deeper than 256 levels"
    );
    let err = db.find::<Reading>().matching(deep).all().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the predicate is nested deeper than 256 levels"
    );
    // 200 levels are read: an even number of NOTs selects what the
    // predicate inside them does.
    let mut nested = Reading::LEVEL.eq(0u8);
    for _ in 0..200 {
        nested = !nested;
    }
    let (_, got) = explained(&db, &all, north_a().and(nested)).await;
    assert_eq!(got, selected(&all, &north_a().and(Reading::LEVEL.eq(0u8))));
    assert!(!got.is_empty());
}

#[test]
fn a_key_template_names_the_field_it_cannot_render() {
    // The planner renders keys only from fields it has values for; a
    // caller rendering a template itself is told which field is missing,
    // or which value does not fit a zero-padded field.
    let template = Reading::SCHEMA.sort_key.unwrap().template.unwrap();
    let at = AttributeValue::N(7u64.into());
    let err = template.render(|f| (f == "at").then_some(&at)).unwrap_err();
    assert_eq!(err.to_string(), "key template field `sensor` has no value");
    let at = AttributeValue::N("1.5".parse().unwrap());
    let sensor = AttributeValue::S("s0".into());
    let err = template
        .render(|f| match f {
            "at" => Some(&at),
            _ => Some(&sensor),
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "key template field `at` is zero-padded, and 1.5 is not an unsigned integer"
    );
    let at = AttributeValue::N(7u64.into());
    let key = template
        .render(|f| match f {
            "at" => Some(&at),
            _ => Some(&sensor),
        })
        .unwrap();
    assert_eq!(key, "AT#000007#s0");
}
