//! The query planner on a table with three GSIs (one multi-attribute, one
//! sparse with an INCLUDE projection, one KEYS_ONLY) and one LSI: each
//! scenario asserts the plan chosen, then runs it and compares its items
//! with a brute-force evaluation of the predicate over every item, and
//! records the estimated read units next to the ones DynamoDB reported;
//! each scenario runs in process and through aws-sdk against `dynamo-local
//! serve`.

use dynamo::expr::Condition;
use dynamo::ops::CreateTableInput;
use dynamo::planner::{FindError, Operation, PlanError, TableStatistics};
use dynamo::schema::{GlobalSecondaryIndex, LocalSecondaryIndex, Projection};
use dynamo::{Attribute, Client, Cond, IndexKind, Item};

mod common;

// Every scenario runs in process and through aws-sdk against
// `dynamo-local serve`: the plans, the items and the units are the same.
on_both_backends!(
    each_query_gets_the_plan_its_keys_allow,
    partition_sizes_come_from_a_sample_of_each_index,
    a_refused_scan_names_the_index_that_would_serve_it,
    strong_consistency_rules_out_global_indexes,
    strict_mode_refuses_any_filter,
    order_limit_count_first_and_exists,
    a_projection_returns_only_the_attributes_asked_for,
    declared_access_patterns_run_strict_on_the_index_that_serves_them,
    in_over_sort_key_fields_fans_out_into_prefixes_merged_in_order,
    a_large_table_is_scanned_in_parallel_segments,
);

#[derive(Attribute, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Closed,
    Open,
    Pending,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(
    table = "tickets",
    pk = "TENANT#{tenant}",
    sk = "TICKET#{opened_at:10}#{ticket_id}"
)]
#[dynamo(gsi(name = "by_assignee", pk = "AGENT#{assignee}", sk = "{priority}"))]
#[dynamo(gsi(name = "by_region", pk = [tenant, region], sk = [state, opened_at]))]
#[dynamo(gsi(name = "by_ticket", pk = "{ticket_id}"))]
#[dynamo(lsi(name = "by_priority", sk = "PRIO#{priority:3}#{opened_at:10}"))]
#[dynamo(pattern(name = "open_by_region", eq = [tenant, region, state], sort = opened_at))]
#[dynamo(pattern(name = "by_tenant_and_priority", eq = [tenant, priority], sort = opened_at))]
#[dynamo(pattern(name = "assigned_to", eq = [assignee]))]
pub struct Ticket {
    pub tenant: String,
    pub ticket_id: String,
    pub opened_at: u64,
    pub region: String,
    pub state: State,
    pub priority: u8,
    pub assignee: Option<String>,
    pub title: String,
    pub body: String,
}

/// Creates the table with the projections the scenarios need: `by_ticket`
/// stores only keys, `by_assignee` keys and `title`, the others everything.
pub async fn create_tickets(db: &Client) {
    let schema = Ticket::SCHEMA;
    let mut input = CreateTableInput::new(
        schema.table_name,
        schema.key_schema(),
        schema.attribute_definitions(),
    );
    let projection = |name: &str| match name {
        "by_ticket" => Projection::keys_only(),
        // An INCLUDE projection names the entity-type attribute too, so the
        // entity filter runs in DynamoDB.
        "by_assignee" => Projection::include(["title", "_entity"]),
        _ => Projection::all(),
    };
    let globals = schema
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Global)
        .map(|i| GlobalSecondaryIndex {
            index_name: i.name.to_owned(),
            key_schema: i.key_schema(),
            projection: projection(i.name),
            provisioned_throughput: None,
        })
        .collect();
    let locals = schema
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Local)
        .map(|i| LocalSecondaryIndex {
            index_name: i.name.to_owned(),
            key_schema: i.key_schema(),
            projection: projection(i.name),
        })
        .collect();
    input.global_secondary_indexes = Some(globals);
    input.local_secondary_indexes = Some(locals);
    db.backend().create_table(input).await.unwrap();
}

const TENANTS: [&str; 3] = ["acme", "globex", "initech"];
const REGIONS: [&str; 3] = ["eu", "us", "ap"];
const AGENTS: [&str; 4] = ["ann", "bob", "cy", "dee"];

/// 240 tickets of about 600 bytes: every fourth unassigned.
pub fn tickets() -> Vec<Ticket> {
    (0..240u64)
        .map(|i| Ticket {
            tenant: TENANTS[(i % 3) as usize].into(),
            ticket_id: format!("t{i:03}"),
            opened_at: 1000 + i * 7 % 240,
            region: REGIONS[(i / 3 % 3) as usize].into(),
            state: [State::Open, State::Pending, State::Closed][(i / 2 % 3) as usize],
            priority: (i % 5) as u8,
            assignee: (i % 4 != 0).then(|| AGENTS[(i / 4 % 4) as usize].to_owned()),
            title: format!("ticket {i}"),
            body: "x".repeat(500),
        })
        .collect()
}

/// Creates and fills the table; the tickets written.
async fn loaded(db: &Client) -> Vec<Ticket> {
    create_tickets(db).await;
    let all = tickets();
    db.put_many(&all).await.unwrap();
    all
}

/// The tickets the predicate selects, by brute force.
fn selected(all: &[Ticket], predicate: &Cond<Ticket>) -> Vec<Ticket> {
    let c: Condition = predicate.clone().into_condition().unwrap();
    all.iter()
        .filter(|t| c.evaluate(&t.to_item().unwrap()))
        .cloned()
        .collect()
}

fn ids(tickets: &[Ticket]) -> Vec<String> {
    let mut ids: Vec<String> = tickets.iter().map(|t| t.ticket_id.clone()).collect();
    ids.sort();
    ids
}

/// Runs `find`, checks its items against brute force, and prints the
/// estimate next to the measured read units.
async fn run(name: &str, db: &Client, all: &[Ticket], predicate: Cond<Ticket>) -> Vec<Ticket> {
    let find = db.find::<Ticket>().matching(predicate.clone());
    let plan = find.explain().await.unwrap();
    let guessed = find.plan_with(&unsampled(db).await).unwrap();
    let mut stream = find.execute();
    let mut got = Vec::new();
    while let Some(t) = stream.next().await {
        got.push(t.unwrap());
    }
    assert_eq!(ids(&got), ids(&selected(all, &predicate)), "{name}\n{plan}");
    println!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} |",
        describe(&plan),
        guessed.estimate.read_units,
        plan.estimate.read_units,
        stream.consumed_read_units()
    );
    got
}

/// The statistics the planner uses, without the partition sample (the
/// `N^(1/(k+1))` fallback), to print next to the sampled estimate.
async fn unsampled(db: &Client) -> TableStatistics {
    let mut stats = dynamo::planner::table_statistics::<Ticket>(db, false)
        .await
        .unwrap()
        .as_ref()
        .clone();
    stats.partitions = None;
    for index in &mut stats.indexes {
        index.partitions = None;
    }
    stats
}

fn describe(plan: &dynamo::Plan) -> String {
    plan.accesses
        .iter()
        .map(|a| {
            let on = a.index.unwrap_or("table");
            match a.operation {
                Operation::Get => "GetItem".to_owned(),
                Operation::BatchGet => format!("BatchGetItem ({} keys)", a.keys.len()),
                Operation::Query if a.fetch_back => {
                    format!("Query {on} x{} + fetch-back", a.key_conditions.len())
                }
                Operation::Query => format!("Query {on} x{}", a.key_conditions.len()),
                Operation::Scan => "Scan".to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ∪ ")
}

async fn plan_of(db: &Client, predicate: Cond<Ticket>) -> dynamo::Plan {
    db.find::<Ticket>()
        .matching(predicate)
        .explain()
        .await
        .unwrap()
}

async fn each_query_gets_the_plan_its_keys_allow(db: Client) {
    let all = loaded(&db).await;
    println!(
        "| query | plan | estimated RCU, N^(1/(k+1)) | estimated RCU, sampled | measured RCU |"
    );
    println!("|---|---|---|---|---|");

    // 1. The full primary key: one GetItem.
    let p = Ticket::TENANT
        .eq("acme")
        .and(Ticket::OPENED_AT.eq(1000u64))
        .and(Ticket::TICKET_ID.eq("t000"));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.operation(), Some(Operation::Get));
    assert!(
        plan.to_string()
            .contains(r#"key: {pk: "TENANT#acme", sk: "TICKET#0000001000#t000"}"#),
        "{plan}"
    );
    assert_eq!(run("1 full key", &db, &all, p).await.len(), 1);

    // 2. Two full keys in an OR: one BatchGetItem.
    let p = (Ticket::TENANT
        .eq("acme")
        .and(Ticket::OPENED_AT.eq(1000u64))
        .and(Ticket::TICKET_ID.eq("t000")))
    .or(Ticket::TENANT
        .eq("globex")
        .and(Ticket::OPENED_AT.eq(1007u64))
        .and(Ticket::TICKET_ID.eq("t001")));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.operation(), Some(Operation::BatchGet));
    assert_eq!(plan.accesses[0].keys.len(), 2);
    assert_eq!(run("2 two full keys (OR)", &db, &all, p).await.len(), 2);

    // 3. The partition only: a Query of the table, in the entity's prefix.
    let p = Ticket::TENANT.eq("acme");
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.operation(), Some(Operation::Query));
    assert_eq!(plan.indexes(), [None]);
    assert!(
        plan.to_string()
            .contains(r#"key condition: pk = "TENANT#acme" AND begins_with(sk, "TICKET#")"#),
        "{plan}"
    );
    assert_eq!(run("3 tenant", &db, &all, p).await.len(), 80);

    // 4. A range on the template's first field: BETWEEN inside the prefix.
    let p = Ticket::TENANT.eq("acme").and(Ticket::OPENED_AT.ge(1200u64));
    let plan = plan_of(&db, p.clone()).await;
    assert!(plan.to_string().contains(
        r#"key condition: pk = "TENANT#acme" AND sk BETWEEN "TICKET#0000001200#" AND "TICKET#\u{10ffff}""#
    ), "{plan}");
    assert!(
        plan.accesses[0]
            .filter
            .as_ref()
            .is_some_and(|f| !format!("{f:?}").contains("opened_at"))
    );
    run("4 tenant, opened_at >=", &db, &all, p).await;

    // 5. BETWEEN on the first field.
    let p = Ticket::TENANT
        .eq("globex")
        .and(Ticket::OPENED_AT.between(1010u64, 1050u64));
    let plan = plan_of(&db, p.clone()).await;
    assert!(
        plan.to_string()
            .contains(r#"sk BETWEEN "TICKET#0000001010#" AND "TICKET#0000001050#\u{10ffff}""#),
        "{plan}"
    );
    run("5 tenant, opened_at between", &db, &all, p).await;

    // 6. Both attributes of the multi-attribute partition key: the GSI,
    // whose partitions are smaller than the table's.
    let p = Ticket::TENANT.eq("acme").and(Ticket::REGION.eq("eu"));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.indexes(), [Some("by_region")], "{plan}");
    assert!(
        plan.to_string()
            .contains(r#"key condition: tenant = "acme" AND region = "eu""#),
        "{plan}"
    );
    assert!(plan.residual().is_empty());
    run("6 tenant, region", &db, &all, p).await;

    // 7. ...and the first sort attribute by equality.
    let p = Ticket::TENANT
        .eq("acme")
        .and(Ticket::REGION.eq("eu"))
        .and(Ticket::STATE.eq(State::Open));
    let plan = plan_of(&db, p.clone()).await;
    assert!(
        plan.to_string()
            .contains(r#"key condition: tenant = "acme" AND region = "eu" AND state = "Open""#),
        "{plan}"
    );
    run("7 tenant, region, state", &db, &all, p).await;

    // 8. ...and a range on the second.
    let p = Ticket::TENANT
        .eq("acme")
        .and(Ticket::REGION.eq("eu"))
        .and(Ticket::STATE.eq(State::Open))
        .and(Ticket::OPENED_AT.gt(1100u64));
    let plan = plan_of(&db, p.clone()).await;
    assert!(
        plan.to_string().contains(
            r#"tenant = "acme" AND region = "eu" AND state = "Open" AND opened_at > 1100"#
        ),
        "{plan}"
    );
    assert!(plan.residual().is_empty());
    run("8 tenant, region, state, opened_at >", &db, &all, p).await;

    // 9. The sparse GSI, fixed by its field (which the predicate requires),
    // fetched back because it stores only keys and `title`.
    let p = Ticket::ASSIGNEE.eq("ann");
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.indexes(), [Some("by_assignee")]);
    assert!(plan.fetches_back(), "{plan}");
    assert!(
        plan.to_string()
            .contains("fetch back from the table: GSI `by_assignee` does not store all attributes"),
        "{plan}"
    );
    run("9 assignee", &db, &all, p).await;

    // 10. ...with a numeric sort-key range.
    let p = Ticket::ASSIGNEE.eq("bob").and(Ticket::PRIORITY.ge(3u8));
    let plan = plan_of(&db, p.clone()).await;
    assert!(
        plan.to_string()
            .contains(r#"key condition: by_assignee_pk = "AGENT#bob" AND priority >= 3"#),
        "{plan}"
    );
    run("10 assignee, priority >=", &db, &all, p).await;

    // 11. A KEYS_ONLY GSI: query, then read the item from the table.
    let p = Ticket::TICKET_ID.eq("t042");
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.indexes(), [Some("by_ticket")]);
    assert!(plan.fetches_back());
    assert_eq!(
        run("11 ticket id (KEYS_ONLY GSI)", &db, &all, p)
            .await
            .len(),
        1
    );

    // 12. The LSI's template prefix beats the table partition plus filter.
    let p = Ticket::TENANT.eq("acme").and(Ticket::PRIORITY.eq(4u8));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.indexes(), [Some("by_priority")], "{plan}");
    assert!(
        plan.to_string()
            .contains(r#"begins_with(by_priority_sk, "PRIO#004#")"#),
        "{plan}"
    );
    assert!(
        plan.to_string().contains("table: Query on it costs"),
        "{plan}"
    );
    run("12 tenant, priority (LSI)", &db, &all, p).await;

    // 13. IN on the partition: one query per tenant, merged by sort key.
    let p = Ticket::TENANT
        .is_in(["acme", "initech"])
        .and(Ticket::OPENED_AT.lt(1040u64));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.accesses[0].key_conditions.len(), 2);
    assert_eq!(plan.merge, dynamo::planner::Merge::BySortKey(vec!["sk"]));
    let got = run("13 tenant IN (2), opened_at <", &db, &all, p).await;
    assert!(got.windows(2).all(|w| w[0].opened_at <= w[1].opened_at));

    // 14. An OR of two different indexes: a union without duplicates.
    let p = Ticket::ASSIGNEE.eq("cy").or(Ticket::TICKET_ID.eq("t005"));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(
        plan.indexes(),
        [Some("by_assignee"), Some("by_ticket")],
        "{plan}"
    );
    assert!(plan.deduplicate);
    run("14 assignee OR ticket id", &db, &all, p).await;

    // 15. A partition and a condition no key serves: Query with a filter.
    let p = Ticket::TENANT
        .eq("initech")
        .and(Ticket::STATE.ne(State::Closed));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.indexes(), [None]);
    assert!(
        plan.to_string()
            .contains(r#"filter: state <> "Closed" AND _entity = "Ticket""#),
        "{plan}"
    );
    assert!(
        plan.to_string()
            .contains("GSI `by_region`: its partition key `region` is not fixed by = or IN"),
        "{plan}"
    );
    run("15 tenant, state <>", &db, &all, p).await;

    // 16. NOT pushed through AND/OR: the partition still serves.
    let p = Ticket::TENANT
        .eq("acme")
        .and(!(Ticket::PRIORITY.lt(2u8).or(Ticket::REGION.eq("us"))));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.operation(), Some(Operation::Query));
    run("16 tenant, NOT (priority < OR region =)", &db, &all, p).await;

    // 17. Nothing fixes a partition: Scan, only when allowed.
    let p = Ticket::TITLE.eq("ticket 7");
    let err = db
        .find::<Ticket>()
        .matching(p.clone())
        .explain()
        .await
        .unwrap_err();
    assert!(
        matches!(err.plan_error(), Some(PlanError::ScanRefused { .. })),
        "{err}"
    );
    let find = db.find::<Ticket>().matching(p.clone()).allow_scan();
    let plan = find.explain().await.unwrap();
    let guessed = find.plan_with(&unsampled(&db).await).unwrap();
    assert_eq!(plan.operation(), Some(Operation::Scan));
    let mut stream = find.execute();
    let mut n = 0;
    while let Some(t) = stream.next().await {
        t.unwrap();
        n += 1;
    }
    assert_eq!(n, 1);
    println!(
        "| 17 title (allow_scan) | Scan | {:.1} | {:.1} | {:.1} |",
        guessed.estimate.read_units,
        plan.estimate.read_units,
        stream.consumed_read_units()
    );
}

async fn partition_sizes_come_from_a_sample_of_each_index(db: Client) {
    loaded(&db).await;
    let stats = db.refresh_statistics::<Ticket>().await.unwrap();
    // Three tenants of 80 tickets: the page of 100 holds one whole
    // partition and cuts the next.
    let table = stats.partitions.unwrap();
    assert_eq!((table.entries, table.whole_partitions), (100, 1));
    assert_eq!(table.mean(), Some(80.0));
    // A unique key: every partition one entry.
    let by_ticket = stats.index("by_ticket").unwrap().partitions.unwrap();
    assert_eq!(by_ticket.mean(), Some(1.0));
    let plan = plan_of(&db, Ticket::TENANT.eq("acme")).await;
    assert_eq!(plan.estimate.items_read, 80.0);
    let plan = plan_of(&db, Ticket::TICKET_ID.eq("t007")).await;
    assert_eq!(plan.estimate.items_read, 1.0);
    // Without a sample the guess is the square root of the count.
    let plan = db
        .find::<Ticket>()
        .matching(Ticket::TENANT.eq("acme"))
        .plan_with(&unsampled(&db).await)
        .unwrap();
    assert!((plan.estimate.items_read - 240f64.sqrt()).abs() < 1e-9);
}

async fn a_refused_scan_names_the_index_that_would_serve_it(db: Client) {
    loaded(&db).await;
    let err = db
        .find::<Ticket>()
        .matching(Ticket::REGION.eq("eu").and(Ticket::STATE.eq(State::Open)))
        .explain()
        .await
        .unwrap_err();
    let FindError::Plan(PlanError::ScanRefused { plan, hint }) = &err else {
        panic!("{err}");
    };
    assert_eq!(plan.operation(), Some(Operation::Scan));
    assert_eq!(
        hint,
        "GSI `by_region` would serve it, but its partition key `tenant` is not fixed by = or IN"
    );
    assert!(
        err.to_string().contains("call allow_scan() to scan anyway"),
        "{err}"
    );
    // No index mentions the attribute: the error says which to declare.
    let err = db
        .find::<Ticket>()
        .matching(Ticket::TITLE.eq("x"))
        .explain()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"declare one, e.g. gsi(name = "by_title", pk = "{title}")"#),
        "{err}"
    );
}

async fn strong_consistency_rules_out_global_indexes(db: Client) {
    loaded(&db).await;
    let err = db
        .find::<Ticket>()
        .matching(Ticket::ASSIGNEE.eq("ann"))
        .consistent()
        .explain()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("GSI `by_assignee` would serve it, but a global secondary index cannot be read with strong consistency"), "{err}");
    // The LSI can be read strongly.
    let plan = db
        .find::<Ticket>()
        .matching(Ticket::TENANT.eq("acme").and(Ticket::PRIORITY.eq(1u8)))
        .consistent()
        .explain()
        .await
        .unwrap();
    assert_eq!(plan.indexes(), [Some("by_priority")]);
}

async fn strict_mode_refuses_any_filter(db: Client) {
    loaded(&db).await;
    let err = db
        .find::<Ticket>()
        .matching(Ticket::TENANT.eq("acme").and(Ticket::TITLE.eq("ticket 3")))
        .strict()
        .explain()
        .await
        .unwrap_err();
    let Some(PlanError::Filtered { predicates, .. }) = err.plan_error() else {
        panic!("{err}");
    };
    assert_eq!(predicates, &[r#"title = "ticket 3""#.to_owned()]);
    // Strict mode prefers the path without a filter.
    let plan = db
        .find::<Ticket>()
        .matching(Ticket::TENANT.eq("acme").and(Ticket::PRIORITY.eq(2u8)))
        .strict()
        .explain()
        .await
        .unwrap();
    assert_eq!(plan.indexes(), [Some("by_priority")]);
}

async fn order_limit_count_first_and_exists(db: Client) {
    let all = loaded(&db).await;
    // With priority fixed, the LSI is sorted by opened_at: it serves the
    // order, one query per tenant merged by opened_at.
    let predicate = Ticket::TENANT
        .is_in(["acme", "globex"])
        .and(Ticket::PRIORITY.eq(3u8));
    let find = db
        .find::<Ticket>()
        .matching(predicate.clone())
        .order_by(Ticket::OPENED_AT)
        .descending()
        .limit(5);
    let plan = find.explain().await.unwrap();
    println!("{plan}");
    assert_eq!(plan.indexes(), [Some("by_priority")], "{plan}");
    assert_eq!(
        plan.merge,
        dynamo::planner::Merge::ByAttribute("opened_at".into())
    );
    let got = find.all().await.unwrap();
    let mut expected = selected(&all, &predicate);
    expected.sort_by_key(|t| std::cmp::Reverse(t.opened_at));
    assert_eq!(
        got.iter().map(|t| t.opened_at).collect::<Vec<_>>(),
        expected
            .iter()
            .take(5)
            .map(|t| t.opened_at)
            .collect::<Vec<_>>()
    );
    // A range on priority sorts the LSI by priority: the table serves it.
    let predicate = Ticket::TENANT.eq("acme").and(Ticket::PRIORITY.ge(3u8));
    let find = db
        .find::<Ticket>()
        .matching(predicate.clone())
        .order_by(Ticket::OPENED_AT);
    let plan = find.explain().await.unwrap();
    assert_eq!(plan.indexes(), [None], "{plan}");
    assert!(
        plan.to_string()
            .contains("LSI `by_priority`: it returns items in `priority` order, not `opened_at`"),
        "{plan}"
    );
    let got = find.all().await.unwrap();
    assert_eq!(ids(&got), ids(&selected(&all, &predicate)));
    assert!(got.windows(2).all(|w| w[0].opened_at <= w[1].opened_at));
    // No index orders a region's tickets by time.
    let err = db
        .find::<Ticket>()
        .matching(Ticket::REGION.eq("eu"))
        .order_by(Ticket::OPENED_AT)
        .allow_scan()
        .explain()
        .await
        .unwrap_err();
    assert!(
        matches!(err.plan_error(), Some(PlanError::Unordered { .. })),
        "{err}"
    );

    let count = db
        .find::<Ticket>()
        .matching(Ticket::TENANT.eq("acme"))
        .count()
        .await
        .unwrap();
    assert_eq!(count, 80);
    let first = db
        .find::<Ticket>()
        .matching(Ticket::TENANT.eq("acme"))
        .descending()
        .first()
        .await
        .unwrap()
        .unwrap();
    let newest = all
        .iter()
        .filter(|t| t.tenant == "acme")
        .map(|t| (t.opened_at, t.ticket_id.clone()))
        .max()
        .unwrap();
    assert_eq!((first.opened_at, first.ticket_id), newest);
    assert!(
        db.find::<Ticket>()
            .matching(Ticket::ASSIGNEE.eq("dee"))
            .exists()
            .await
            .unwrap()
    );
    assert!(
        !db.find::<Ticket>()
            .matching(Ticket::ASSIGNEE.eq("zed"))
            .exists()
            .await
            .unwrap()
    );
}

async fn a_projection_returns_only_the_attributes_asked_for(db: Client) {
    loaded(&db).await;
    let mut stream = db
        .find::<Ticket>()
        .matching(Ticket::ASSIGNEE.eq("ann").and(Ticket::PRIORITY.eq(1u8)))
        .project(["title"])
        .execute_attributes();
    let mut n = 0;
    while let Some(item) = stream.next().await {
        let item = item.unwrap();
        assert_eq!(item.keys().collect::<Vec<_>>(), ["title"]);
        n += 1;
    }
    assert!(n > 0);
    // `title` is stored by the index: no fetch-back.
    let plan = db
        .find::<Ticket>()
        .matching(Ticket::ASSIGNEE.eq("ann"))
        .project(["title"])
        .explain()
        .await
        .unwrap();
    assert!(!plan.fetches_back(), "{plan}");
}

async fn declared_access_patterns_run_strict_on_the_index_that_serves_them(db: Client) {
    let all = loaded(&db).await;
    let find = Ticket::open_by_region(&db, "acme", "eu", State::Open)
        .matching(Ticket::OPENED_AT.ge(1100u64))
        .descending();
    let plan = find.explain().await.unwrap();
    assert_eq!(plan.indexes(), [Some("by_region")], "{plan}");
    let got = find.all().await.unwrap();
    let mut expected = selected(
        &all,
        &Ticket::TENANT
            .eq("acme")
            .and(Ticket::REGION.eq("eu"))
            .and(Ticket::STATE.eq(State::Open))
            .and(Ticket::OPENED_AT.ge(1100u64)),
    );
    expected.sort_by_key(|t| std::cmp::Reverse(t.opened_at));
    assert_eq!(got, expected);
    let plan = Ticket::by_tenant_and_priority(&db, "globex", 2u8)
        .explain()
        .await
        .unwrap();
    assert_eq!(plan.indexes(), [Some("by_priority")], "{plan}");
    let got = Ticket::assigned_to(&db, "dee").count().await.unwrap();
    assert_eq!(got, selected(&all, &Ticket::ASSIGNEE.eq("dee")).len());
}

async fn in_over_sort_key_fields_fans_out_into_prefixes_merged_in_order(db: Client) {
    let all = loaded(&db).await;
    // IN on the LSI's first template field: one prefix per priority,
    // merged by the LSI's sort key (priority, then opened_at).
    let p = Ticket::TENANT
        .eq("acme")
        .and(Ticket::PRIORITY.is_in([4u8, 1u8]));
    let find = db.find::<Ticket>().matching(p.clone());
    let plan = find.explain().await.unwrap();
    assert_eq!(plan.indexes(), [Some("by_priority")], "{plan}");
    let text = plan.to_string();
    assert!(
        text.contains(r#"begins_with(by_priority_sk, "PRIO#004#")"#)
            && text.contains(r#"begins_with(by_priority_sk, "PRIO#001#")"#),
        "{plan}"
    );
    assert!(plan.residual().is_empty(), "{plan}");
    assert_eq!(
        plan.merge,
        dynamo::planner::Merge::BySortKey(vec!["by_priority_sk"])
    );
    let got = find.all().await.unwrap();
    let mut expected = selected(&all, &p);
    expected.sort_by_key(|t| (t.priority, t.opened_at));
    assert_eq!(got, expected);

    // ...ordered by the next field, descending: merged by opened_at.
    let find = db
        .find::<Ticket>()
        .matching(p.clone())
        .order_by(Ticket::OPENED_AT)
        .descending();
    let plan = find.explain().await.unwrap();
    assert_eq!(
        plan.merge,
        dynamo::planner::Merge::ByAttribute("opened_at".into()),
        "{plan}"
    );
    let got = find.all().await.unwrap();
    assert_eq!(ids(&got), ids(&expected));
    assert!(got.windows(2).all(|w| w[0].opened_at >= w[1].opened_at));

    // IN on the table's first sort field, a range on none: a prefix each.
    let p = Ticket::TENANT
        .eq("globex")
        .and(Ticket::OPENED_AT.is_in([1007u64, 1001u64, 1007u64]));
    let plan = plan_of(&db, p.clone()).await;
    assert_eq!(plan.indexes(), [None], "{plan}");
    assert_eq!(plan.accesses[0].key_conditions.len(), 2, "{plan}");
    assert!(
        plan.to_string()
            .contains(r#"begins_with(sk, "TICKET#0000001001#")"#),
        "{plan}"
    );
    let got = db.find::<Ticket>().matching(p.clone()).all().await.unwrap();
    let mut expected = selected(&all, &p);
    expected.sort_by_key(|t| (t.opened_at, t.ticket_id.clone()));
    assert_eq!(got, expected);
}

async fn a_large_table_is_scanned_in_parallel_segments(db: Client) {
    let all = loaded(&db).await;
    let p = Ticket::STATE
        .eq(State::Pending)
        .and(Ticket::PRIORITY.lt(2u8));
    // As large as 1 GiB says the statistics: four segments of 256 MiB.
    let large = TableStatistics {
        item_count: 2_000_000,
        size_bytes: 1 << 30,
        ..db.refresh_statistics::<Ticket>()
            .await
            .unwrap()
            .as_ref()
            .clone()
    };
    let find = db
        .find::<Ticket>()
        .matching(p.clone())
        .allow_scan()
        .with_statistics(large);
    let plan = find.explain().await.unwrap();
    assert_eq!(plan.accesses[0].segments, 4);
    assert!(
        plan.to_string()
            .contains("Scan the table in 4 parallel segments"),
        "{plan}"
    );
    let got = find.page_size(7).all().await.unwrap();
    assert_eq!(ids(&got), ids(&selected(&all, &p)));
    assert_eq!(got.len(), ids(&got).len());
    // Asked for: as many segments as the caller says, still exact.
    let got = db
        .find::<Ticket>()
        .matching(p.clone())
        .allow_scan()
        .scan_segments(9)
        .page_size(5)
        .all()
        .await
        .unwrap();
    assert_eq!(ids(&got), ids(&selected(&all, &p)));
}

#[tokio::test]
async fn unprocessed_keys_are_given_up_on_by_the_clients_retry_policy() {
    let engine = dynamo_local::Engine::new();
    let db = Client::new(engine.clone()).with_retry_policy(
        dynamo::RetryPolicy::default()
            .max_attempts(3)
            .throttling_base_delay(std::time::Duration::from_millis(1)),
    );
    create_tickets(&db).await;
    db.put_many(&tickets()).await.unwrap();
    let p = Ticket::TENANT.eq("acme").and(
        Ticket::OPENED_AT
            .eq(1000u64)
            .and(Ticket::TICKET_ID.eq("t000"))
            .or(Ticket::OPENED_AT
                .eq(1021u64)
                .and(Ticket::TICKET_ID.eq("t003"))),
    );
    let find = db.find::<Ticket>().matching(p.clone());
    assert_eq!(
        find.explain().await.unwrap().operation(),
        Some(Operation::BatchGet)
    );
    // Every other BatchGetItem leaves a key unprocessed: the retry absorbs it.
    engine
        .faults()
        .set(dynamo_local::FaultPlan::parse(["BatchGetItem:partial:every=2"]).unwrap());
    let before = db.retry_stats();
    let got = db.find::<Ticket>().matching(p.clone()).all().await.unwrap();
    assert_eq!(got.len(), 2);
    // Every one does: the policy's three attempts, then an error.
    engine
        .faults()
        .set(dynamo_local::FaultPlan::parse(["BatchGetItem:partial"]).unwrap());
    let err = db.find::<Ticket>().matching(p).all().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("still unprocessed after 3 attempts"),
        "{err}"
    );
    // Three attempts are two retries.
    let after = db.retry_stats();
    assert_eq!(
        after.retries_of("UnprocessedKeys") - before.retries_of("UnprocessedKeys"),
        2
    );
}

#[test]
fn planning_needs_no_io_and_explains_itself() {
    let plan = dynamo::planner::plan::<Ticket>(
        &dynamo::planner::FindRequest {
            predicate: Some(
                Ticket::TENANT
                    .eq("acme")
                    .and(Ticket::OPENED_AT.ge(5u64))
                    .into_condition()
                    .unwrap(),
            ),
            ..Default::default()
        },
        &TableStatistics::default(),
    )
    .unwrap();
    let text = plan.to_string();
    assert!(
        text.starts_with("plan for table `tickets`:\n  Query table\n"),
        "{text}"
    );
    assert!(text.contains("rejected:\n"), "{text}");
}

mod property {
    //! For random tickets and random predicates, the items a plan returns
    //! are exactly the ones a brute-force evaluation selects, in the order
    //! asked for.
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn ticket() -> impl Strategy<Value = Ticket> {
        (
            0..2usize,
            0..20u64,
            0..2usize,
            0..3usize,
            0..3u8,
            proptest::option::of(0..2usize),
        )
            .prop_map(
                |(tenant, opened_at, region, state, priority, assignee)| Ticket {
                    tenant: TENANTS[tenant].into(),
                    ticket_id: String::new(),
                    opened_at,
                    region: REGIONS[region].into(),
                    state: [State::Open, State::Pending, State::Closed][state],
                    priority,
                    assignee: assignee.map(|a| AGENTS[a].to_owned()),
                    title: String::new(),
                    body: String::new(),
                },
            )
    }

    fn leaf() -> impl Strategy<Value = Cond<Ticket>> {
        prop_oneof![
            (0..3usize).prop_map(|t| Ticket::TENANT.eq(TENANTS[t])),
            (0..3usize, 0..3usize)
                .prop_map(|(a, b)| Ticket::TENANT.is_in([TENANTS[a], TENANTS[b]])),
            (0..2usize).prop_map(|r| Ticket::REGION.eq(REGIONS[r])),
            (0..3usize).prop_map(|s| Ticket::STATE.eq([
                State::Open,
                State::Pending,
                State::Closed
            ][s])),
            (0..3usize).prop_map(|s| Ticket::STATE.ne([
                State::Open,
                State::Pending,
                State::Closed
            ][s])),
            (0..22u64).prop_map(|v| Ticket::OPENED_AT.lt(v)),
            (0..22u64).prop_map(|v| Ticket::OPENED_AT.ge(v)),
            (0..22u64).prop_map(|v| Ticket::OPENED_AT.eq(v)),
            (0..22u64, 0..22u64).prop_map(|(a, b)| Ticket::OPENED_AT.between(a.min(b), a.max(b))),
            (0..3u8).prop_map(|p| Ticket::PRIORITY.eq(p)),
            (0..3u8).prop_map(|p| Ticket::PRIORITY.gt(p)),
            (0..3usize).prop_map(|a| Ticket::ASSIGNEE.eq(AGENTS[a])),
            Just(Ticket::ASSIGNEE.not_exists()),
            (0..30usize).prop_map(|i| Ticket::TICKET_ID.eq(format!("t{i:03}"))),
            (0..3usize).prop_map(|i| Ticket::TITLE.begins_with(format!("ticket {i}"))),
        ]
    }

    fn predicate() -> impl Strategy<Value = Cond<Ticket>> {
        leaf().prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
                inner.prop_map(|a| !a),
            ]
        })
    }

    async fn check(
        mut data: Vec<Ticket>,
        predicate: Cond<Ticket>,
        order: Option<bool>,
        limit: Option<usize>,
    ) -> Result<(), TestCaseError> {
        for (i, t) in data.iter_mut().enumerate() {
            t.ticket_id = format!("t{i:03}");
            t.title = format!("ticket {i}");
        }
        let db = Client::new(dynamo_local::Engine::new());
        create_tickets(&db).await;
        db.put_many(&data).await.unwrap();
        let mut find = db.find::<Ticket>().matching(predicate.clone()).allow_scan();
        if let Some(descending) = order {
            find = find.order_by(Ticket::OPENED_AT);
            if descending {
                find = find.descending();
            }
        }
        if let Some(limit) = limit {
            find = find.limit(limit);
        }
        let plan = match find.explain().await {
            Ok(plan) => plan,
            // No index orders these items by opened_at: a refusal is the
            // right answer, and the predicate still runs unordered.
            Err(FindError::Plan(PlanError::Unordered { .. })) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        let got = find.all().await.unwrap();
        let mut expected = selected(&data, &predicate);
        let mut got_ids: Vec<&str> = got.iter().map(|t| t.ticket_id.as_str()).collect();
        got_ids.sort();
        let before = got_ids.len();
        got_ids.dedup();
        prop_assert_eq!(before, got_ids.len(), "an item returned twice\n{}", plan);
        let expected_ids: Vec<String> = ids(&expected);
        prop_assert!(
            got_ids.iter().all(|g| expected_ids.iter().any(|e| e == g)),
            "returned items the predicate does not select\n{}",
            plan
        );
        prop_assert_eq!(
            got.len(),
            limit.map_or(expected.len(), |l| l.min(expected.len())),
            "{}",
            plan
        );
        if let Some(descending) = order {
            expected.sort_by_key(|t| t.opened_at);
            if descending {
                expected.reverse();
            }
            let want: Vec<u64> = expected
                .iter()
                .take(got.len())
                .map(|t| t.opened_at)
                .collect();
            let have: Vec<u64> = got.iter().map(|t| t.opened_at).collect();
            prop_assert_eq!(have, want, "{}", plan);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn a_plan_returns_exactly_what_brute_force_selects_in_order(
            data in vec(ticket(), 0..30),
            predicate in predicate(),
            order in proptest::option::of(any::<bool>()),
            limit in proptest::option::of(1usize..8),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(check(data, predicate, order, limit))?;
        }
    }
}
