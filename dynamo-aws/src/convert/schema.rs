//! Table definitions and descriptions, capacity and TTL both ways.

use super::{our_enum, to_sdk_enum};
use aws_sdk_dynamodb::types as sdk;
use dynamo_core::Error;
use dynamo_core::ops::{Capacity, ConsumedCapacity, GlobalSecondaryIndexUpdate};
use dynamo_core::schema::*;
use std::collections::HashMap;

fn built<T>(result: Result<T, aws_smithy_types::error::operation::BuildError>) -> Result<T, Error> {
    result.map_err(|e| Error::Validation(e.to_string()))
}

pub(crate) fn attribute_definition(
    d: AttributeDefinition,
) -> Result<sdk::AttributeDefinition, Error> {
    built(
        sdk::AttributeDefinition::builder()
            .attribute_name(d.attribute_name)
            .attribute_type(to_sdk_enum::<_, sdk::ScalarAttributeType>(
                &d.attribute_type,
            ))
            .build(),
    )
}

pub(crate) fn attribute_definitions(
    defs: Vec<AttributeDefinition>,
) -> Result<Vec<sdk::AttributeDefinition>, Error> {
    defs.into_iter().map(attribute_definition).collect()
}

pub(crate) fn key_schema(keys: Vec<KeySchemaElement>) -> Result<Vec<sdk::KeySchemaElement>, Error> {
    keys.into_iter()
        .map(|k| {
            built(
                sdk::KeySchemaElement::builder()
                    .attribute_name(k.attribute_name)
                    .key_type(to_sdk_enum::<_, sdk::KeyType>(&k.key_type))
                    .build(),
            )
        })
        .collect()
}

pub(crate) fn provisioned_throughput(
    t: ProvisionedThroughput,
) -> Result<sdk::ProvisionedThroughput, Error> {
    built(
        sdk::ProvisionedThroughput::builder()
            .read_capacity_units(t.read_capacity_units)
            .write_capacity_units(t.write_capacity_units)
            .build(),
    )
}

pub(crate) fn projection(p: Projection) -> sdk::Projection {
    sdk::Projection::builder()
        .set_projection_type(
            p.projection_type
                .as_ref()
                .map(to_sdk_enum::<_, sdk::ProjectionType>),
        )
        .set_non_key_attributes(p.non_key_attributes)
        .build()
}

pub(crate) fn global_secondary_index(
    g: GlobalSecondaryIndex,
) -> Result<sdk::GlobalSecondaryIndex, Error> {
    built(
        sdk::GlobalSecondaryIndex::builder()
            .index_name(g.index_name)
            .set_key_schema(Some(key_schema(g.key_schema)?))
            .projection(projection(g.projection))
            .set_provisioned_throughput(
                g.provisioned_throughput
                    .map(provisioned_throughput)
                    .transpose()?,
            )
            .build(),
    )
}

pub(crate) fn local_secondary_index(
    l: LocalSecondaryIndex,
) -> Result<sdk::LocalSecondaryIndex, Error> {
    built(
        sdk::LocalSecondaryIndex::builder()
            .index_name(l.index_name)
            .set_key_schema(Some(key_schema(l.key_schema)?))
            .projection(projection(l.projection))
            .build(),
    )
}

pub(crate) fn index_update(
    u: GlobalSecondaryIndexUpdate,
) -> Result<sdk::GlobalSecondaryIndexUpdate, Error> {
    let create = u
        .create
        .map(|g| {
            built(
                sdk::CreateGlobalSecondaryIndexAction::builder()
                    .index_name(g.index_name)
                    .set_key_schema(Some(key_schema(g.key_schema)?))
                    .projection(projection(g.projection))
                    .set_provisioned_throughput(
                        g.provisioned_throughput
                            .map(provisioned_throughput)
                            .transpose()?,
                    )
                    .build(),
            )
        })
        .transpose()?;
    let update = u
        .update
        .map(|a| {
            built(
                sdk::UpdateGlobalSecondaryIndexAction::builder()
                    .index_name(a.index_name)
                    .provisioned_throughput(provisioned_throughput(a.provisioned_throughput)?)
                    .build(),
            )
        })
        .transpose()?;
    let delete = u
        .delete
        .map(|a| {
            built(
                sdk::DeleteGlobalSecondaryIndexAction::builder()
                    .index_name(a.index_name)
                    .build(),
            )
        })
        .transpose()?;
    Ok(sdk::GlobalSecondaryIndexUpdate::builder()
        .set_create(create)
        .set_update(update)
        .set_delete(delete)
        .build())
}

pub(crate) fn time_to_live_specification(
    t: TimeToLiveSpecification,
) -> Result<sdk::TimeToLiveSpecification, Error> {
    built(
        sdk::TimeToLiveSpecification::builder()
            .enabled(t.enabled)
            .attribute_name(t.attribute_name)
            .build(),
    )
}

fn key_schema_from(
    keys: Option<Vec<sdk::KeySchemaElement>>,
) -> Result<Vec<KeySchemaElement>, Error> {
    keys.unwrap_or_default()
        .into_iter()
        .map(|k| {
            Ok(KeySchemaElement {
                attribute_name: k.attribute_name,
                key_type: our_enum(k.key_type.as_str(), "key type")?,
            })
        })
        .collect()
}

fn projection_from(p: Option<sdk::Projection>) -> Result<Projection, Error> {
    let p = p.unwrap_or_else(|| sdk::Projection::builder().build());
    Ok(Projection {
        projection_type: p
            .projection_type
            .map(|t| our_enum(t.as_str(), "projection type"))
            .transpose()?,
        non_key_attributes: p.non_key_attributes,
    })
}

fn throughput_from(
    t: Option<sdk::ProvisionedThroughputDescription>,
) -> ProvisionedThroughputDescription {
    t.map_or_else(ProvisionedThroughputDescription::default, |t| {
        ProvisionedThroughputDescription {
            read_capacity_units: t.read_capacity_units.unwrap_or_default(),
            write_capacity_units: t.write_capacity_units.unwrap_or_default(),
            number_of_decreases_today: t.number_of_decreases_today.unwrap_or_default(),
        }
    })
}

pub(crate) fn table_description(t: sdk::TableDescription) -> Result<TableDescription, Error> {
    let gsis = t
        .global_secondary_indexes
        .map(|list| {
            list.into_iter()
                .map(|g| {
                    Ok(GlobalSecondaryIndexDescription {
                        index_name: g.index_name.unwrap_or_default(),
                        key_schema: key_schema_from(g.key_schema)?,
                        projection: projection_from(g.projection)?,
                        index_status: g.index_status.map_or(Ok(IndexStatus::Active), |s| {
                            our_enum(s.as_str(), "index status")
                        })?,
                        backfilling: g.backfilling,
                        provisioned_throughput: throughput_from(g.provisioned_throughput),
                        index_size_bytes: g.index_size_bytes.unwrap_or_default(),
                        item_count: g.item_count.unwrap_or_default(),
                        index_arn: g.index_arn.unwrap_or_default(),
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .transpose()?;
    let lsis = t
        .local_secondary_indexes
        .map(|list| {
            list.into_iter()
                .map(|l| {
                    Ok(LocalSecondaryIndexDescription {
                        index_name: l.index_name.unwrap_or_default(),
                        key_schema: key_schema_from(l.key_schema)?,
                        projection: projection_from(l.projection)?,
                        index_size_bytes: l.index_size_bytes.unwrap_or_default(),
                        item_count: l.item_count.unwrap_or_default(),
                        index_arn: l.index_arn.unwrap_or_default(),
                    })
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .transpose()?;
    Ok(TableDescription {
        table_name: t.table_name.unwrap_or_default(),
        table_arn: t.table_arn.unwrap_or_default(),
        table_id: t.table_id.unwrap_or_default(),
        table_status: t.table_status.map_or(Ok(TableStatus::Active), |s| {
            our_enum(s.as_str(), "table status")
        })?,
        creation_date_time: t.creation_date_time.map_or(0.0, |d| d.as_secs_f64()),
        attribute_definitions: t
            .attribute_definitions
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                Ok(AttributeDefinition {
                    attribute_name: d.attribute_name,
                    attribute_type: our_enum(d.attribute_type.as_str(), "attribute type")?,
                })
            })
            .collect::<Result<_, Error>>()?,
        key_schema: key_schema_from(t.key_schema)?,
        billing_mode_summary: t
            .billing_mode_summary
            .and_then(|b| b.billing_mode)
            .map(|m| {
                our_enum(m.as_str(), "billing mode")
                    .map(|billing_mode| BillingModeSummary { billing_mode })
            })
            .transpose()?,
        provisioned_throughput: throughput_from(t.provisioned_throughput),
        item_count: t.item_count.unwrap_or_default(),
        table_size_bytes: t.table_size_bytes.unwrap_or_default(),
        global_secondary_indexes: gsis,
        local_secondary_indexes: lsis,
        stream_specification: t
            .stream_specification
            .filter(|s| s.stream_enabled)
            .map(stream_specification_from)
            .transpose()?,
        latest_stream_arn: t.latest_stream_arn,
        latest_stream_label: t.latest_stream_label,
    })
}

fn stream_specification_from(
    s: sdk::StreamSpecification,
) -> Result<dynamo_core::ops::StreamSpecification, Error> {
    Ok(dynamo_core::ops::StreamSpecification {
        stream_enabled: s.stream_enabled,
        stream_view_type: s
            .stream_view_type
            .map(|v| our_enum(v.as_str(), "stream view type"))
            .transpose()?,
    })
}

/// A stream specification for the SDK.
pub(crate) fn stream_specification(
    s: dynamo_core::ops::StreamSpecification,
) -> Result<sdk::StreamSpecification, Error> {
    built(
        sdk::StreamSpecification::builder()
            .stream_enabled(s.stream_enabled)
            .set_stream_view_type(s.stream_view_type.as_ref().map(to_sdk_enum))
            .build(),
    )
}

fn capacity_from(c: sdk::Capacity) -> Capacity {
    Capacity {
        read_capacity_units: c.read_capacity_units,
        write_capacity_units: c.write_capacity_units,
        capacity_units: c.capacity_units,
    }
}

fn capacities_from(m: Option<HashMap<String, sdk::Capacity>>) -> Option<HashMap<String, Capacity>> {
    m.map(|m| m.into_iter().map(|(k, v)| (k, capacity_from(v))).collect())
}

pub(crate) fn consumed_capacity(c: sdk::ConsumedCapacity) -> ConsumedCapacity {
    ConsumedCapacity {
        table_name: c.table_name,
        capacity_units: c.capacity_units,
        read_capacity_units: c.read_capacity_units,
        write_capacity_units: c.write_capacity_units,
        table: c.table.map(capacity_from),
        local_secondary_indexes: capacities_from(c.local_secondary_indexes),
        global_secondary_indexes: capacities_from(c.global_secondary_indexes),
    }
}

pub(crate) fn consumed_capacities(
    c: Option<Vec<sdk::ConsumedCapacity>>,
) -> Option<Vec<ConsumedCapacity>> {
    c.map(|c| c.into_iter().map(consumed_capacity).collect())
}

pub(crate) fn time_to_live_description(
    t: Option<sdk::TimeToLiveDescription>,
) -> Result<TimeToLiveDescription, Error> {
    let t = t.unwrap_or_else(|| sdk::TimeToLiveDescription::builder().build());
    Ok(TimeToLiveDescription {
        time_to_live_status: t
            .time_to_live_status
            .map_or(Ok(TimeToLiveStatus::Disabled), |s| {
                our_enum(s.as_str(), "TTL status")
            })?,
        attribute_name: t.attribute_name,
    })
}
