//! Control plane: CreateTable, DeleteTable, DescribeTable, ListTables.

use crate::engine::Engine;
use crate::key::{KeyDef, KeySchema};
use crate::table::Table;
use dynamo_core::ops::*;
use dynamo_core::schema::{
    BillingMode, BillingModeSummary, KeyType, ProvisionedThroughputDescription, TableDescription,
    TableStatus,
};
use dynamo_core::{Error, Result};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

fn not_found(name: &str) -> Error {
    Error::ResourceNotFound(format!(
        "Requested resource not found: Table: {name} not found"
    ))
}

fn key_def(input: &CreateTableInput, key_type: KeyType) -> Option<KeyDef> {
    let element = input.key_schema.iter().find(|k| k.key_type == key_type)?;
    let definition = input
        .attribute_definitions
        .iter()
        .find(|d| d.attribute_name == element.attribute_name)?;
    Some(KeyDef {
        name: element.attribute_name.clone(),
        scalar_type: definition.attribute_type,
    })
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
    let partition_key = key_def(&input, KeyType::Hash).ok_or_else(|| {
        Error::validation("Invalid KeySchema: Some index key attribute have no definition")
    })?;
    let schema = KeySchema {
        partition_key,
        sort_key: key_def(&input, KeyType::Range),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let billing_mode = input.billing_mode.unwrap_or_default();
    let throughput =
        input
            .provisioned_throughput
            .map_or_else(ProvisionedThroughputDescription::default, |t| {
                ProvisionedThroughputDescription {
                    read_capacity_units: t.read_capacity_units,
                    write_capacity_units: t.write_capacity_units,
                    number_of_decreases_today: 0,
                }
            });
    let id = engine.next_id();
    let description = TableDescription {
        table_arn: format!(
            "arn:aws:dynamodb:{}:{}:table/{}",
            engine.region(),
            engine.account_id(),
            input.table_name
        ),
        table_id: table_id(id ^ now.as_nanos() as u64),
        table_name: input.table_name.clone(),
        // Tables are usable at once; DynamoDB would report CREATING first.
        table_status: TableStatus::Active,
        creation_date_time: now.as_secs_f64(),
        attribute_definitions: input.attribute_definitions,
        key_schema: input.key_schema,
        billing_mode_summary: (billing_mode == BillingMode::PayPerRequest)
            .then_some(BillingModeSummary { billing_mode }),
        provisioned_throughput: throughput,
        item_count: 0,
        table_size_bytes: 0,
        global_secondary_indexes: None,
        local_secondary_indexes: None,
    };
    let mut catalog = engine.catalog_mut();
    if catalog.contains_key(&input.table_name) {
        return Err(Error::ResourceInUse(format!(
            "Table already exists: {}",
            input.table_name
        )));
    }
    catalog.insert(
        input.table_name,
        Arc::new(Table::new(schema, description.clone())),
    );
    Ok(CreateTableOutput {
        table_description: description,
    })
}

pub(crate) fn delete_table(engine: &Engine, input: DeleteTableInput) -> Result<DeleteTableOutput> {
    validate_table_name(&input.table_name)?;
    let table = engine
        .catalog_mut()
        .remove(&input.table_name)
        .ok_or_else(|| not_found(&input.table_name))?;
    let mut description = table.describe();
    description.table_status = TableStatus::Deleting;
    Ok(DeleteTableOutput {
        table_description: description,
    })
}

pub(crate) fn describe_table(
    engine: &Engine,
    input: DescribeTableInput,
) -> Result<DescribeTableOutput> {
    validate_table_name(&input.table_name)?;
    let table = engine
        .catalog()
        .get(&input.table_name)
        .cloned()
        .ok_or_else(|| not_found(&input.table_name))?;
    Ok(DescribeTableOutput {
        table: table.describe(),
    })
}

pub(crate) fn list_tables(engine: &Engine, input: ListTablesInput) -> Result<ListTablesOutput> {
    input.validate()?;
    let limit = input
        .limit
        .map_or(100, |l| usize::try_from(l).unwrap_or(100));
    let catalog = engine.catalog();
    let mut names = catalog.values().map(|t| t.name()).filter(|name| {
        input
            .exclusive_start_table_name
            .as_deref()
            .is_none_or(|start| *name > start)
    });
    let table_names: Vec<String> = names.by_ref().take(limit).map(str::to_owned).collect();
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
