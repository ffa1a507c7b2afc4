//! Secondary indexes: maintained through puts, key changes, sparse entries
//! and deletes; queried and scanned; created and deleted by UpdateTable.

mod common;

use common::*;
use dynamo_core::expr::{KeyCondition, SortKeyOp};
use dynamo_core::ops::*;
use dynamo_core::schema::{Projection, ScalarAttributeType};
use dynamo_core::{AttributeMap, Backend, Error};
use dynamo_local::Engine;

async fn orders_engine() -> Engine {
    let engine = Engine::new();
    let mut input = table("orders");
    input
        .attribute_definitions
        .push(def("status", ScalarAttributeType::S));
    input
        .attribute_definitions
        .push(def("placed_at", ScalarAttributeType::N));
    input.global_secondary_indexes = Some(vec![gsi(
        "by_status",
        &["status"],
        &["placed_at"],
        Projection::include(["total"]),
    )]);
    engine.create_table(input).await.unwrap();
    engine
}

async fn by_status(engine: &Engine, status: &str) -> Vec<AttributeMap> {
    let mut input = QueryInput::new("orders", KeyCondition::partition("status", s(status)));
    input.index_name = Some("by_status".into());
    engine.query(input).await.unwrap().items.unwrap()
}

async fn put(engine: &Engine, table: &str, i: AttributeMap) {
    engine.put_item(PutItemInput::new(table, i)).await.unwrap();
}

#[tokio::test]
async fn a_gsi_follows_puts_key_changes_sparse_items_and_deletes() {
    let engine = orders_engine().await;
    let order = |sk: i64, status: &str, at: i64| {
        item(&[
            ("pk", s("c1")),
            ("sk", n(sk)),
            ("status", s(status)),
            ("placed_at", n(at)),
            ("total", n(100 * sk)),
            ("secret", s("not projected")),
        ])
    };
    put(&engine, "orders", order(1, "PLACED", 30)).await;
    put(&engine, "orders", order(2, "PLACED", 10)).await;
    put(&engine, "orders", order(3, "SHIPPED", 20)).await;
    // Sparse: no `status`, so not in the index.
    put(
        &engine,
        "orders",
        item(&[("pk", s("c1")), ("sk", n(4)), ("placed_at", n(5))]),
    )
    .await;

    let placed = by_status(&engine, "PLACED").await;
    assert_eq!(
        placed
            .iter()
            .map(|i| i["placed_at"].clone())
            .collect::<Vec<_>>(),
        vec![n(10), n(30)],
        "index entries are ordered by the index sort key"
    );
    // INCLUDE projection: keys, index keys and `total`, not `secret`.
    let mut names: Vec<_> = placed[0].keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["pk", "placed_at", "sk", "status", "total"]);

    // Changing an index key moves the entry.
    put(&engine, "orders", order(2, "SHIPPED", 10)).await;
    assert_eq!(by_status(&engine, "PLACED").await.len(), 1);
    assert_eq!(by_status(&engine, "SHIPPED").await.len(), 2);

    // UpdateItem changing the index key moves the entry too.
    let mut update = dynamo_core::expr::Update::default();
    update.set.push(dynamo_core::expr::SetAction {
        path: dynamo_core::expr::Path::attribute("status"),
        value: dynamo_core::expr::SetValue::Operand(dynamo_core::expr::UpdateOperand::Value(s(
            "DELIVERED",
        ))),
    });
    engine
        .update_item(UpdateItemInput::new(
            "orders",
            item(&[("pk", s("c1")), ("sk", n(1))]),
            update,
        ))
        .await
        .unwrap();
    assert!(by_status(&engine, "PLACED").await.is_empty());
    assert_eq!(by_status(&engine, "DELIVERED").await.len(), 1);

    // Removing the index key attribute removes the entry (sparse again).
    put(&engine, "orders", item(&[("pk", s("c1")), ("sk", n(3))])).await;
    assert_eq!(by_status(&engine, "SHIPPED").await.len(), 1);

    // Deleting the item removes its entry.
    engine
        .delete_item(DeleteItemInput::new(
            "orders",
            item(&[("pk", s("c1")), ("sk", n(2))]),
        ))
        .await
        .unwrap();
    assert!(by_status(&engine, "SHIPPED").await.is_empty());
    let mut remove = dynamo_core::expr::Update::default();
    remove
        .remove
        .push(dynamo_core::expr::Path::attribute("status"));
    engine
        .update_item(UpdateItemInput::new(
            "orders",
            item(&[("pk", s("c1")), ("sk", n(1))]),
            remove,
        ))
        .await
        .unwrap();
    assert!(
        by_status(&engine, "DELIVERED").await.is_empty(),
        "an update removing the index key leaves the index"
    );

    let described = engine
        .describe_table(DescribeTableInput {
            table_name: "orders".into(),
        })
        .await
        .unwrap()
        .table;
    let index = &described.global_secondary_indexes.unwrap()[0];
    assert_eq!(index.item_count, 0);
    assert_eq!(
        index.index_arn,
        format!("{}/index/by_status", described.table_arn)
    );
}

#[tokio::test]
async fn index_key_type_errors_reject_the_write_and_change_nothing() {
    let engine = orders_engine().await;
    let bad = item(&[("pk", s("c1")), ("sk", n(1)), ("status", n(5))]);
    assert_eq!(
        validation(engine.put_item(PutItemInput::new("orders", bad)).await),
        "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S Actual: N IndexName: by_status"
    );
    let empty = item(&[("pk", s("c1")), ("sk", n(1)), ("status", s(""))]);
    assert_eq!(
        validation(engine.put_item(PutItemInput::new("orders", empty)).await),
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: by_status, IndexKey: status"
    );
    let got = engine
        .get_item(GetItemInput::new(
            "orders",
            item(&[("pk", s("c1")), ("sk", n(1))]),
        ))
        .await
        .unwrap();
    assert_eq!(got.item, None);
}

#[tokio::test]
async fn gsi_reads_are_eventual_and_projections_limit_select() {
    let engine = orders_engine().await;
    let mut input = QueryInput::new("orders", KeyCondition::partition("status", s("PLACED")));
    input.index_name = Some("by_status".into());
    input.consistent_read = Some(true);
    assert_eq!(
        validation(engine.query(input.clone()).await),
        "Consistent reads are not supported on global secondary indexes"
    );
    input.consistent_read = None;
    input.select = Some(Select::AllAttributes);
    assert_eq!(
        validation(engine.query(input.clone()).await),
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index by_status because its projection type is not ALL"
    );
    input.index_name = Some("nope".into());
    input.select = None;
    assert_eq!(
        validation(engine.query(input).await),
        "The table does not have the specified index: nope"
    );
}

#[tokio::test]
async fn an_lsi_orders_a_partition_by_another_attribute_and_fetches_unprojected_attributes() {
    let engine = Engine::new();
    let mut input = table("events");
    input
        .attribute_definitions
        .push(def("at", ScalarAttributeType::S));
    input.local_secondary_indexes = Some(vec![lsi("by_time", "pk", "at", Projection::keys_only())]);
    engine.create_table(input).await.unwrap();
    for (sk, at) in [(1, "2024-03"), (2, "2024-01"), (3, "2024-02")] {
        put(
            &engine,
            "events",
            item(&[
                ("pk", s("dev1")),
                ("sk", n(sk)),
                ("at", s(at)),
                ("v", n(sk)),
            ]),
        )
        .await;
    }
    let mut q = QueryInput::new(
        "events",
        KeyCondition::partition("pk", s("dev1")).and_sort_key("at", SortKeyOp::Ge(s("2024-02"))),
    );
    q.index_name = Some("by_time".into());
    q.consistent_read = Some(true);
    let keys_only = engine.query(q.clone()).await.unwrap().items.unwrap();
    assert_eq!(
        keys_only
            .iter()
            .map(|i| i["sk"].clone())
            .collect::<Vec<_>>(),
        vec![n(3), n(1)]
    );
    assert!(!keys_only[0].contains_key("v"));
    q.select = Some(Select::AllAttributes);
    let full = engine.query(q).await.unwrap().items.unwrap();
    assert_eq!(
        full[0]["v"],
        n(3),
        "LSI queries fetch unprojected attributes from the table"
    );
}

#[tokio::test]
async fn lsi_definitions_are_checked() {
    let engine = Engine::new();
    let mut input = CreateTableInput::new(
        "nosort",
        vec![dynamo_core::schema::KeySchemaElement::hash("pk")],
        vec![
            def("pk", ScalarAttributeType::S),
            def("at", ScalarAttributeType::S),
        ],
    );
    input.local_secondary_indexes = Some(vec![lsi("by_time", "pk", "at", Projection::all())]);
    assert_eq!(
        validation(engine.create_table(input).await),
        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
    );
    let mut input = table("tbl1");
    input
        .attribute_definitions
        .push(def("at", ScalarAttributeType::S));
    input.local_secondary_indexes = Some(vec![
        lsi("dup", "pk", "at", Projection::all()),
        lsi("dup", "pk", "at", Projection::all()),
    ]);
    assert_eq!(
        validation(engine.create_table(input).await),
        "One or more parameter values were invalid: Duplicate index name: dup"
    );
    let mut input = table("tbl2");
    input
        .attribute_definitions
        .push(def("at", ScalarAttributeType::S));
    input.local_secondary_indexes = Some(vec![lsi(
        "idx",
        "pk",
        "at",
        Projection {
            projection_type: Some(dynamo_core::schema::ProjectionType::Include),
            non_key_attributes: None,
        },
    )]);
    assert_eq!(
        validation(engine.create_table(input).await),
        "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified"
    );
    let mut input = table("tbl3");
    input
        .attribute_definitions
        .push(def("unused", ScalarAttributeType::S));
    assert_eq!(
        validation(engine.create_table(input).await),
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
    );
}

#[tokio::test]
async fn a_multi_attribute_gsi_key_is_queried_left_to_right() {
    let engine = Engine::new();
    let mut input = table("sales");
    for name in ["tenant", "region", "status", "day"] {
        input
            .attribute_definitions
            .push(def(name, ScalarAttributeType::S));
    }
    input.global_secondary_indexes = Some(vec![gsi(
        "by_tenant_region",
        &["tenant", "region"],
        &["status", "day"],
        Projection::all(),
    )]);
    engine.create_table(input).await.unwrap();
    let rows = [
        (1, "acme", "eu", "OPEN", "03"),
        (2, "acme", "eu", "OPEN", "01"),
        (3, "acme", "eu", "CLOSED", "02"),
        (4, "acme", "us", "OPEN", "01"),
        (5, "acme", "eu", "OPEN", "02"),
    ];
    for (sk, tenant, region, status, day) in rows {
        put(
            &engine,
            "sales",
            item(&[
                ("pk", s("x")),
                ("sk", n(sk)),
                ("tenant", s(tenant)),
                ("region", s(region)),
                ("status", s(status)),
                ("day", s(day)),
            ]),
        )
        .await;
    }
    let query = |kc: KeyCondition, limit: Option<i32>| {
        let engine = engine.clone();
        async move {
            let mut out = Vec::new();
            let mut start = None;
            loop {
                let mut q = QueryInput::new("sales", kc.clone());
                q.index_name = Some("by_tenant_region".into());
                q.limit = limit;
                q.exclusive_start_key = start.take();
                let page = engine.query(q).await.unwrap();
                out.extend(page.items.unwrap().into_iter().map(|i| i["sk"].clone()));
                match page.last_evaluated_key {
                    Some(k) => start = Some(k),
                    None => return out,
                }
            }
        }
    };
    let partition = KeyCondition::partition("tenant", s("acme")).and_partition("region", s("eu"));
    assert_eq!(
        query(partition.clone(), None).await,
        vec![n(3), n(2), n(5), n(1)]
    );
    let open = partition
        .clone()
        .and_sort_key("status", SortKeyOp::Eq(s("OPEN")));
    assert_eq!(query(open.clone(), Some(1)).await, vec![n(2), n(5), n(1)]);
    let open_after_01 = open.and_sort_key("day", SortKeyOp::Gt(s("01")));
    assert_eq!(query(open_after_01, Some(1)).await, vec![n(5), n(1)]);
    let missing_region = KeyCondition::partition("tenant", s("acme"));
    assert_eq!(
        validation(
            engine
                .query({
                    let mut q = QueryInput::new("sales", missing_region);
                    q.index_name = Some("by_tenant_region".into());
                    q
                })
                .await
        ),
        "Query condition missed key schema element: region"
    );
}

#[tokio::test]
async fn update_table_creates_a_backfilled_gsi_and_deletes_it() {
    let engine = Engine::new();
    engine.create_table(table("users")).await.unwrap();
    for i in 0..5 {
        let mut u = item(&[("pk", s(&format!("u{i}"))), ("sk", n(0))]);
        if i % 2 == 0 {
            u.insert("email".into(), s(&format!("u{i}@example.com")));
        }
        put(&engine, "users", u).await;
    }
    let create = UpdateTableInput {
        table_name: "users".into(),
        attribute_definitions: Some(vec![def("email", ScalarAttributeType::S)]),
        global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate {
            create: Some(gsi("by_email", &["email"], &[], Projection::keys_only())),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let described = engine.update_table(create).await.unwrap().table_description;
    let index = &described.global_secondary_indexes.as_ref().unwrap()[0];
    assert_eq!(index.item_count, 3, "existing items are backfilled");
    assert!(
        described
            .attribute_definitions
            .iter()
            .any(|d| d.attribute_name == "email")
    );
    let mut q = QueryInput::new(
        "users",
        KeyCondition::partition("email", s("u2@example.com")),
    );
    q.index_name = Some("by_email".into());
    assert_eq!(engine.query(q.clone()).await.unwrap().count, 1);

    let delete = UpdateTableInput {
        table_name: "users".into(),
        global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate {
            delete: Some(DeleteGlobalSecondaryIndexAction {
                index_name: "by_email".into(),
            }),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let described = engine.update_table(delete).await.unwrap().table_description;
    assert!(described.global_secondary_indexes.is_none());
    assert!(
        !described
            .attribute_definitions
            .iter()
            .any(|d| d.attribute_name == "email")
    );
    assert_eq!(
        validation(engine.query(q).await),
        "The table does not have the specified index: by_email"
    );
}

#[tokio::test]
async fn update_table_errors() {
    let engine = Engine::new();
    engine.create_table(table("users")).await.unwrap();
    assert_eq!(
        validation(
            engine
                .update_table(UpdateTableInput {
                    table_name: "users".into(),
                    ..Default::default()
                })
                .await
        ),
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
    );
    let two = UpdateTableInput {
        table_name: "users".into(),
        attribute_definitions: Some(vec![
            def("a", ScalarAttributeType::S),
            def("b", ScalarAttributeType::S),
        ]),
        global_secondary_index_updates: Some(vec![
            GlobalSecondaryIndexUpdate {
                create: Some(gsi("a", &["a"], &[], Projection::all())),
                ..Default::default()
            },
            GlobalSecondaryIndexUpdate {
                create: Some(gsi("b", &["b"], &[], Projection::all())),
                ..Default::default()
            },
        ]),
        ..Default::default()
    };
    match engine.update_table(two).await {
        Err(Error::Service {
            error_type,
            message,
        }) => {
            assert_eq!(error_type, "LimitExceededException");
            assert_eq!(
                message,
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
            );
        }
        other => panic!("expected LimitExceededException, got {other:?}"),
    }
    let to_provisioned = UpdateTableInput {
        table_name: "users".into(),
        billing_mode: Some(dynamo_core::schema::BillingMode::Provisioned),
        provisioned_throughput: Some(dynamo_core::schema::ProvisionedThroughput {
            read_capacity_units: 5,
            write_capacity_units: 5,
        }),
        ..Default::default()
    };
    let described = engine
        .update_table(to_provisioned)
        .await
        .unwrap()
        .table_description;
    assert_eq!(described.provisioned_throughput.read_capacity_units, 5);
    assert!(described.billing_mode_summary.is_none());
    assert!(matches!(
        engine.update_table(UpdateTableInput { table_name: "nope".into(), billing_mode: Some(Default::default()), ..Default::default() }).await,
        Err(Error::ResourceNotFound(m)) if m == "Requested resource not found: Table: nope not found"
    ));
}
