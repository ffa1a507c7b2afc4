//! Control plane: CreateTable, DeleteTable, DescribeTable, ListTables,
//! UpdateTable, UpdateTimeToLive, DescribeTimeToLive.

use crate::engine::Engine;
use crate::key::{IndexDef, IndexKind, KeyDef, KeySchema, Projected};
use crate::log::Commit;
use crate::table::{Settings, Table, TableState};
use dynamo_core::ops::*;
use dynamo_core::schema::{
    AttributeDefinition, BillingMode, BillingModeSummary, GlobalSecondaryIndex,
    GlobalSecondaryIndexDescription, IndexStatus, KeySchemaElement, KeyType,
    LocalSecondaryIndexDescription, Projection, ProjectionType, ProvisionedThroughput,
    ProvisionedThroughputDescription, TableDescription, TableStatus, TimeToLiveDescription,
    TimeToLiveStatus,
};
use dynamo_core::{Error, Result};
use std::sync::Arc;

fn not_found(name: &str) -> Error {
    Error::ResourceNotFound(format!(
        "Requested resource not found: Table: {name} not found"
    ))
}

fn invalid(message: &str) -> Error {
    Error::Validation(format!(
        "One or more parameter values were invalid: {message}"
    ))
}

fn key_defs(
    key_schema: &[KeySchemaElement],
    definitions: &[AttributeDefinition],
    key_type: KeyType,
) -> Result<Vec<KeyDef>> {
    key_schema
        .iter()
        .filter(|k| k.key_type == key_type)
        .map(|element| {
            definitions
                .iter()
                .find(|d| d.attribute_name == element.attribute_name)
                .map(|d| KeyDef {
                    name: element.attribute_name.clone(),
                    scalar_type: d.attribute_type,
                })
                .ok_or_else(|| {
                    let defined: Vec<&str> =
                        definitions.iter().map(|d| d.attribute_name.as_str()).collect();
                    invalid(&format!(
                        "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
                        element.attribute_name,
                        defined.join(", ")
                    ))
                })
        })
        .collect()
}

fn throughput(t: Option<ProvisionedThroughput>) -> ProvisionedThroughputDescription {
    t.map_or_else(ProvisionedThroughputDescription::default, |t| {
        ProvisionedThroughputDescription {
            read_capacity_units: t.read_capacity_units,
            write_capacity_units: t.write_capacity_units,
            number_of_decreases_today: 0,
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn index_def(
    kind: IndexKind,
    name: &str,
    key_schema: &[KeySchemaElement],
    projection: &Projection,
    provisioned: Option<ProvisionedThroughput>,
    definitions: &[AttributeDefinition],
    schema: &KeySchema,
) -> Result<IndexDef> {
    let projected = match projection.projection_type {
        Some(ProjectionType::All) => Projected::All,
        Some(ProjectionType::Include) => {
            Projected::Include(projection.non_key_attributes.clone().unwrap_or_default())
        }
        _ => Projected::KeysOnly,
    };
    Ok(IndexDef {
        name: name.to_owned(),
        kind,
        partition: key_defs(key_schema, definitions, KeyType::Hash)?,
        sort: key_defs(key_schema, definitions, KeyType::Range)?,
        projected,
        table_keys: schema.key_names().map(str::to_owned).collect(),
        key_schema: key_schema.to_vec(),
        projection: projection.clone(),
        provisioned_throughput: throughput(provisioned),
    })
}

fn gsi_def(
    gsi: &GlobalSecondaryIndex,
    definitions: &[AttributeDefinition],
    schema: &KeySchema,
) -> Result<IndexDef> {
    index_def(
        IndexKind::Global,
        &gsi.index_name,
        &gsi.key_schema,
        &gsi.projection,
        gsi.provisioned_throughput,
        definitions,
        schema,
    )
}

/// A UUID-shaped identifier, unique per engine and table incarnation.
fn table_id(seed: u64) -> String {
    // splitmix64: cheap, well-spread bits from a counter and the clock.
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (a, b) = (mix(seed), mix(seed ^ 0x5555_5555_5555_5555));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

pub(crate) fn create_table(engine: &Engine, input: CreateTableInput) -> Result<CreateTableOutput> {
    input.validate()?;
    let definitions = &input.attribute_definitions;
    let schema = KeySchema {
        partition_key: key_defs(&input.key_schema, definitions, KeyType::Hash)?
            .pop()
            .ok_or_else(|| {
                Error::validation("Invalid KeySchema: Some index key attribute have no definition")
            })?,
        sort_key: key_defs(&input.key_schema, definitions, KeyType::Range)?.pop(),
    };
    let mut indexes = Vec::new();
    for gsi in input.global_secondary_indexes.iter().flatten() {
        indexes.push(gsi_def(gsi, definitions, &schema)?);
    }
    for lsi in input.local_secondary_indexes.iter().flatten() {
        indexes.push(index_def(
            IndexKind::Local,
            &lsi.index_name,
            &lsi.key_schema,
            &lsi.projection,
            None,
            definitions,
            &schema,
        )?);
    }
    let now = engine.now();
    let id = engine.next_id();
    let state = TableState::new(
        Settings {
            attribute_definitions: input.attribute_definitions.clone(),
            billing_mode: input.billing_mode.unwrap_or_default(),
            provisioned_throughput: throughput(input.provisioned_throughput),
        },
        engine.log_retention(&input.table_name),
    );
    let table = Table::new(
        schema,
        input.table_name.clone(),
        format!(
            "arn:aws:dynamodb:{}:{}:table/{}",
            engine.region(),
            engine.account_id(),
            input.table_name
        ),
        table_id(id ^ now.as_nanos() as u64),
        now.as_secs_f64(),
        state,
        engine.new_replicas(&input.table_name, id),
    );
    if let Some(durable) = engine.durable() {
        table.make_durable(Arc::clone(durable));
    }
    {
        let commit = Commit::user(now);
        let mut writer = table.write();
        writer.created(&commit);
        for def in indexes {
            writer.add_index(Arc::new(def), &commit);
        }
        let tags: Vec<(String, String)> = input
            .tags
            .iter()
            .flatten()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect();
        if !tags.is_empty() {
            writer.change_tags(tags, &[], &commit);
        }
        if let Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(view_type),
        }) = input.stream_specification
        {
            super::streams::enable(&mut writer, view_type, &commit);
        }
    }
    let mut catalog = engine.catalog_mut();
    if catalog.contains_key(&input.table_name) {
        return Err(Error::ResourceInUse(format!(
            "Table already exists: {}",
            input.table_name
        )));
    }
    // Tables are usable at once; DynamoDB would report CREATING first.
    let description = table.describe(TableStatus::Active);
    catalog.insert(input.table_name, Arc::new(table));
    Ok(CreateTableOutput {
        table_description: description,
    })
}

/// The description of `table` in `state`.
pub(crate) fn describe(table: &Table, state: &TableState, status: TableStatus) -> TableDescription {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let key_schema = table.schema.elements();
    let mut gsis = Vec::new();
    let mut lsis = Vec::new();
    for index in state.indexes() {
        let def = &index.def;
        let index_arn = format!("{}/index/{}", table.arn, def.name);
        match def.kind {
            IndexKind::Global => gsis.push(GlobalSecondaryIndexDescription {
                index_name: def.name.clone(),
                key_schema: def.key_schema.clone(),
                projection: def.projection.clone(),
                index_status: IndexStatus::Active,
                backfilling: None,
                provisioned_throughput: def.provisioned_throughput,
                index_size_bytes: count(index.store().size_bytes()),
                item_count: count(index.store().item_count()),
                index_arn,
            }),
            IndexKind::Local => lsis.push(LocalSecondaryIndexDescription {
                index_name: def.name.clone(),
                key_schema: def.key_schema.clone(),
                projection: def.projection.clone(),
                index_size_bytes: count(index.store().size_bytes()),
                item_count: count(index.store().item_count()),
                index_arn,
            }),
        }
    }
    TableDescription {
        table_name: table.name.clone(),
        table_arn: table.arn.clone(),
        table_id: table.id.clone(),
        table_status: status,
        creation_date_time: table.creation_date_time,
        attribute_definitions: state.attribute_definitions().to_vec(),
        key_schema,
        billing_mode_summary: (state.billing_mode() == BillingMode::PayPerRequest).then_some(
            BillingModeSummary {
                billing_mode: state.billing_mode(),
            },
        ),
        provisioned_throughput: state.provisioned_throughput(),
        item_count: count(state.base().item_count()),
        table_size_bytes: count(state.base().size_bytes()),
        global_secondary_indexes: (!gsis.is_empty()).then_some(gsis),
        local_secondary_indexes: (!lsis.is_empty()).then_some(lsis),
        stream_specification: state.enabled_stream().map(|s| StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(s.view_type),
        }),
        latest_stream_arn: state.streams().last().map(|(s, _)| s.arn.clone()),
        latest_stream_label: state.streams().last().map(|(s, _)| s.label.clone()),
    }
}

fn find_table(engine: &Engine, name: &str) -> Result<Arc<Table>> {
    validate_table_name(name)?;
    engine
        .catalog()
        .get(name)
        .cloned()
        .ok_or_else(|| not_found(name))
}

pub(crate) fn delete_table(engine: &Engine, input: DeleteTableInput) -> Result<DeleteTableOutput> {
    input.validate()?;
    let table = engine
        .catalog_mut()
        .remove(&input.table_name)
        .ok_or_else(|| not_found(&input.table_name))?;
    if let Some(durable) = engine.durable() {
        // Under the table's lock, so no write of it is logged after this.
        let _writer = table.write();
        durable.write(
            &[crate::durable::EntryRef::TableDeleted {
                table_id: &table.id,
            }],
            engine.now(),
        );
    }
    Ok(DeleteTableOutput {
        table_description: table.describe(TableStatus::Deleting),
    })
}

pub(crate) fn describe_table(
    engine: &Engine,
    input: DescribeTableInput,
) -> Result<DescribeTableOutput> {
    input.validate()?;
    let table = find_table(engine, &input.table_name)?;
    Ok(DescribeTableOutput {
        table: table.describe(TableStatus::Active),
    })
}

pub(crate) fn list_tables(engine: &Engine, input: ListTablesInput) -> Result<ListTablesOutput> {
    input.validate()?;
    let limit = input
        .limit
        .map_or(100, |l| usize::try_from(l).unwrap_or(100));
    let catalog = engine.catalog();
    let mut names = catalog.keys().filter(|name| {
        input
            .exclusive_start_table_name
            .as_deref()
            .is_none_or(|start| name.as_str() > start)
    });
    let table_names: Vec<String> = names.by_ref().take(limit).cloned().collect();
    let more = names.next().is_some();
    Ok(ListTablesOutput {
        last_evaluated_table_name: if more {
            table_names.last().cloned()
        } else {
            None
        },
        table_names,
    })
}

pub(crate) fn update_table(engine: &Engine, input: UpdateTableInput) -> Result<UpdateTableOutput> {
    input.validate()?;
    let table = find_table(engine, &input.table_name)?;
    let updates = input
        .global_secondary_index_updates
        .as_deref()
        .unwrap_or_default();
    let mut state = table.write();
    if let Some(spec) = input.stream_specification {
        super::streams::check_update(&table.name, &state, spec)?;
    }
    let billing_mode = input.billing_mode.unwrap_or(state.billing_mode());
    if let Some(t) = &input.provisioned_throughput
        && billing_mode == BillingMode::Provisioned
        && state.billing_mode() == BillingMode::Provisioned
        && updates.is_empty()
        && t.read_capacity_units == state.provisioned_throughput().read_capacity_units
        && t.write_capacity_units == state.provisioned_throughput().write_capacity_units
    {
        let current = state.provisioned_throughput();
        return Err(Error::Validation(format!(
            "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnitsForTable: {} Requested ReadCapacityUnitsForTable: {}. Current WriteCapacityUnitsForTable: {} Requested WriteCapacityUnitsForTable: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
            current.read_capacity_units,
            t.read_capacity_units,
            current.write_capacity_units,
            t.write_capacity_units
        )));
    }
    match (billing_mode, input.provisioned_throughput) {
        (BillingMode::PayPerRequest, Some(_)) => {
            return Err(invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ));
        }
        (BillingMode::Provisioned, None) if state.billing_mode() == BillingMode::PayPerRequest => {
            return Err(invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ));
        }
        _ => {}
    }

    // Check every index change before applying any.
    let mut definitions = state.attribute_definitions().to_vec();
    for d in input.attribute_definitions.iter().flatten() {
        match definitions
            .iter_mut()
            .find(|e| e.attribute_name == d.attribute_name)
        {
            Some(existing) => existing.attribute_type = d.attribute_type,
            None => definitions.push(d.clone()),
        }
    }
    let mut new_index = None;
    for update in updates {
        if let Some(create) = &update.create {
            if state.index(&create.index_name).is_some() {
                return Err(invalid(&format!(
                    "Index already exists: {}",
                    create.index_name
                )));
            }
            let gsis = state
                .indexes()
                .iter()
                .filter(|i| i.def.kind == IndexKind::Global)
                .count();
            if gsis >= MAX_GLOBAL_SECONDARY_INDEXES {
                return Err(invalid(
                    "GlobalSecondaryIndex count exceeds the per-table limit of 20",
                ));
            }
            new_index = Some(gsi_def(create, &definitions, &table.schema)?);
        }
        if let Some(delete) = &update.delete
            && state.index(&delete.index_name).is_none()
        {
            return Err(Error::ResourceNotFound(format!(
                "Requested resource not found: Index: {} not found",
                delete.index_name
            )));
        }
        if let Some(change) = &update.update
            && state.index(&change.index_name).is_none()
        {
            return Err(Error::ResourceNotFound(format!(
                "Requested resource not found: Index: {} not found",
                change.index_name
            )));
        }
    }

    let commit = Commit::user(engine.now());
    let new_throughput = match (billing_mode, input.provisioned_throughput) {
        (BillingMode::PayPerRequest, _) => ProvisionedThroughputDescription::default(),
        (BillingMode::Provisioned, Some(t)) => throughput(Some(t)),
        (BillingMode::Provisioned, None) => state.provisioned_throughput(),
    };
    if billing_mode != state.billing_mode() || new_throughput != state.provisioned_throughput() {
        state.set_billing(billing_mode, new_throughput, &commit);
    }
    for update in updates {
        if let Some(delete) = &update.delete {
            state.remove_index(&delete.index_name, &commit);
        }
        if let Some(change) = &update.update {
            state.set_index_throughput(
                &change.index_name,
                throughput(Some(change.provisioned_throughput)),
                &commit,
            );
        }
    }
    if let Some(def) = new_index {
        // Backfill happens at once, so the index is ACTIVE when this returns.
        state.add_index(Arc::new(def), &commit);
    }
    match input.stream_specification {
        Some(StreamSpecification {
            stream_enabled: true,
            stream_view_type: Some(view_type),
        }) => super::streams::enable(&mut state, view_type, &commit),
        Some(StreamSpecification {
            stream_enabled: false,
            ..
        }) => state.disable_stream(&commit),
        _ => {}
    }
    // Keep only the definitions some key schema still uses.
    let used: Vec<String> = table
        .schema
        .key_names()
        .map(str::to_owned)
        .chain(state.indexes().iter().flat_map(|i| {
            i.def
                .partition
                .iter()
                .chain(&i.def.sort)
                .map(|d| d.name.clone())
                .collect::<Vec<_>>()
        }))
        .collect();
    definitions.retain(|d| used.contains(&d.attribute_name));
    if definitions != state.attribute_definitions() {
        state.set_attribute_definitions(definitions, &commit);
    }
    Ok(UpdateTableOutput {
        table_description: describe(&table, &state, TableStatus::Active),
    })
}

pub(crate) fn update_time_to_live(
    engine: &Engine,
    input: UpdateTimeToLiveInput,
) -> Result<UpdateTimeToLiveOutput> {
    input.validate()?;
    let table = find_table(engine, &input.table_name)?;
    let spec = input.time_to_live_specification;
    let mut state = table.write();
    match (state.time_to_live(), spec.enabled) {
        (Some(current), true) if current.attribute_name == spec.attribute_name => {
            return Err(Error::validation("TimeToLive is already enabled"));
        }
        (Some(current), true) => {
            return Err(Error::Validation(format!(
                "TimeToLive is active on a different AttributeName: current AttributeName is {}",
                current.attribute_name
            )));
        }
        (None, false) => return Err(Error::validation("TimeToLive is already disabled")),
        (Some(current), false) if current.attribute_name != spec.attribute_name => {
            return Err(Error::Validation(format!(
                "TimeToLive is active on a different AttributeName: current AttributeName is {}",
                current.attribute_name
            )));
        }
        _ => {}
    }
    state.set_time_to_live(
        spec.enabled.then(|| spec.clone()),
        &Commit::user(engine.now()),
    );
    Ok(UpdateTimeToLiveOutput {
        time_to_live_specification: spec,
    })
}

pub(crate) fn describe_time_to_live(
    engine: &Engine,
    input: DescribeTimeToLiveInput,
) -> Result<DescribeTimeToLiveOutput> {
    input.validate()?;
    let table = find_table(engine, &input.table_name)?;
    let state = table.read();
    let description = match state.time_to_live() {
        Some(spec) => TimeToLiveDescription {
            time_to_live_status: TimeToLiveStatus::Enabled,
            attribute_name: Some(spec.attribute_name.clone()),
        },
        None => TimeToLiveDescription {
            time_to_live_status: TimeToLiveStatus::Disabled,
            attribute_name: None,
        },
    };
    Ok(DescribeTimeToLiveOutput {
        time_to_live_description: description,
    })
}

/// The table an ARN names: a malformed ARN is a ValidationException; an
/// ARN of no table is AccessDenied, as DynamoDB answers for resources the
/// caller cannot see.
fn table_of_arn(engine: &Engine, arn: &str, operation: &str) -> Result<Arc<Table>> {
    let name = table_name_of_arn(arn)?;
    engine
        .catalog()
        .get(name)
        .filter(|t| t.arn == arn)
        .cloned()
        .ok_or_else(|| Error::Service {
            error_type: "AccessDeniedException".into(),
            message: format!(
                "User: arn:aws:iam::{}:user/local is not authorized to perform: dynamodb:{operation} on resource: {arn} because no resource-based policy allows the dynamodb:{operation} action",
                engine.account_id()
            ),
        })
}

pub(crate) fn tag_resource(engine: &Engine, input: TagResourceInput) -> Result<TagsOutput> {
    let table = table_of_arn(engine, &input.resource_arn, "TagResource")?;
    table.write().change_tags(
        input.tags.into_iter().map(|t| (t.key, t.value)),
        &[],
        &Commit::user(engine.now()),
    );
    Ok(TagsOutput {})
}

pub(crate) fn untag_resource(engine: &Engine, input: UntagResourceInput) -> Result<TagsOutput> {
    let table = table_of_arn(engine, &input.resource_arn, "UntagResource")?;
    table
        .write()
        .change_tags([], &input.tag_keys, &Commit::user(engine.now()));
    Ok(TagsOutput {})
}

pub(crate) fn list_tags_of_resource(
    engine: &Engine,
    input: ListTagsOfResourceInput,
) -> Result<ListTagsOfResourceOutput> {
    let table = table_of_arn(engine, &input.resource_arn, "ListTagsOfResource")?;
    let state = table.read();
    Ok(ListTagsOfResourceOutput {
        tags: state
            .tags()
            .iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
        next_token: None,
    })
}
