//! `CreateTable`.

use super::{validate_name, validate_new_table_name, validate_throughput};
use crate::error::Error;
use crate::schema::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, TableDescription,
};
use serde::{Deserialize, Serialize};

/// Input of `CreateTable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[serde(try_from = "CreateTableWire")]
pub struct CreateTableInput {
    /// The new table's name.
    pub table_name: String,
    /// Types of the attributes used in key schemas (exactly those).
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// Partition key, then optionally a sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Billing mode; DynamoDB defaults to `PROVISIONED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_mode: Option<BillingMode>,
    /// Capacity, required for `PROVISIONED` tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// Global secondary indexes (at most 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<Vec<GlobalSecondaryIndex>>,
    /// Local secondary indexes (at most 5; the table needs a sort key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<Vec<LocalSecondaryIndex>>,
    /// Tags to put on the new table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<super::Tag>>,
    /// Whether the table has a DynamoDB stream, and what it carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_specification: Option<super::StreamSpecification>,
}

/// `CreateTable` as decoded, to report a missing `TableName` the way
/// CreateTable (unlike other operations) does.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateTableWire {
    table_name: Option<String>,
    attribute_definitions: Option<Vec<AttributeDefinition>>,
    key_schema: Option<Vec<KeySchemaElement>>,
    billing_mode: Option<BillingMode>,
    provisioned_throughput: Option<ProvisionedThroughput>,
    global_secondary_indexes: Option<Vec<GlobalSecondaryIndex>>,
    local_secondary_indexes: Option<Vec<LocalSecondaryIndex>>,
    tags: Option<Vec<super::Tag>>,
    stream_specification: Option<super::StreamSpecification>,
}

impl TryFrom<CreateTableWire> for CreateTableInput {
    type Error = crate::value::WireValidation;

    fn try_from(wire: CreateTableWire) -> Result<Self, Self::Error> {
        let table_name = wire.table_name.ok_or_else(|| {
            crate::value::WireValidation(
                "The parameter 'TableName' is required but was not present in the request".into(),
            )
        })?;
        let mut violations = super::wire::Violations::default();
        violations.require(&wire.attribute_definitions, "attributeDefinitions");
        violations.require(&wire.key_schema, "keySchema");
        violations.finish()?;
        Ok(Self {
            table_name,
            attribute_definitions: wire.attribute_definitions.unwrap_or_default(),
            key_schema: wire.key_schema.unwrap_or_default(),
            billing_mode: wire.billing_mode,
            provisioned_throughput: wire.provisioned_throughput,
            global_secondary_indexes: wire.global_secondary_indexes,
            local_secondary_indexes: wire.local_secondary_indexes,
            tags: wire.tags,
            stream_specification: wire.stream_specification,
        })
    }
}

/// Output of `CreateTable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTableOutput {
    /// The new table.
    pub table_description: TableDescription,
}

impl CreateTableInput {
    /// An on-demand table keyed by `key_schema`, with `attribute_definitions`
    /// for its key attributes.
    pub fn new(
        table_name: impl Into<String>,
        key_schema: Vec<KeySchemaElement>,
        attribute_definitions: Vec<AttributeDefinition>,
    ) -> Self {
        Self {
            table_name: table_name.into(),
            attribute_definitions,
            key_schema,
            billing_mode: Some(BillingMode::PayPerRequest),
            provisioned_throughput: None,
            global_secondary_indexes: None,
            local_secondary_indexes: None,
            tags: None,
            stream_specification: None,
        }
    }

    /// Checks the request as DynamoDB does before creating anything.
    pub fn validate(&self) -> Result<(), Error> {
        validate_new_table_name(&self.table_name)?;
        if let Some(throughput) = &self.provisioned_throughput {
            validate_throughput(throughput, "provisionedThroughput")?;
        }
        let invalid = |m: &str| {
            Err(Error::Validation(format!(
                "One or more parameter values were invalid: {m}"
            )))
        };
        match self.key_schema.as_slice() {
            [] => {
                return Err(super::invalid_member(
                    super::Shown::Value("[]"),
                    "keySchema",
                    "Member must have length greater than or equal to 1",
                ));
            }
            [first, rest @ ..] => {
                if first.key_type != KeyType::Hash {
                    return Err(Error::Validation(
                        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                            .into(),
                    ));
                }
                match rest {
                    [] => {}
                    [second] if second.key_type != KeyType::Range => {
                        return Err(Error::Validation(
                            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
                                .into(),
                        ));
                    }
                    // DynamoDB reports a key attribute named twice this way.
                    [second] if second.attribute_name == first.attribute_name => {
                        return Err(Error::Validation(
                            "Invalid KeySchema: Some index key attribute have no definition".into(),
                        ));
                    }
                    [_] => {}
                    _ => {
                        let elements: Vec<String> = self
                            .key_schema
                            .iter()
                            .map(|k| {
                                format!(
                                    "KeySchemaElement(attributeName={}, keyType={})",
                                    k.attribute_name,
                                    if k.key_type == KeyType::Hash {
                                        "HASH"
                                    } else {
                                        "RANGE"
                                    }
                                )
                            })
                            .collect();
                        return Err(super::invalid_member(
                            super::Shown::Value(&format!("[{}]", elements.join(", "))),
                            "keySchema",
                            "Member must have length less than or equal to 2",
                        ));
                    }
                }
            }
        }
        for key in &self.key_schema {
            if !self
                .attribute_definitions
                .iter()
                .any(|d| d.attribute_name == key.attribute_name)
            {
                return Err(Error::Validation(
                    "Invalid KeySchema: Some index key attribute have no definition".into(),
                ));
            }
        }
        self.validate_indexes()?;
        let used = self.key_attribute_names();
        let undefined: Vec<&str> = used
            .iter()
            .copied()
            .filter(|name| {
                !self
                    .attribute_definitions
                    .iter()
                    .any(|d| d.attribute_name == *name)
            })
            .collect();
        if !undefined.is_empty() {
            let defined: Vec<&str> = self
                .attribute_definitions
                .iter()
                .map(|d| d.attribute_name.as_str())
                .collect();
            return invalid(&format!(
                "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
                undefined.join(", "),
                defined.join(", ")
            ));
        }
        if self.attribute_definitions.len() != used.len() {
            return invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
            );
        }
        match (
            self.billing_mode.unwrap_or_default(),
            &self.provisioned_throughput,
        ) {
            (BillingMode::Provisioned, None) => invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ),
            (BillingMode::PayPerRequest, Some(_)) => invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ),
            _ => Ok(()),
        }?;
        match self.stream_specification {
            Some(super::StreamSpecification {
                stream_enabled: true,
                stream_view_type: None,
            }) => invalid("If stream is being enabled then UpdateViewType is required"),
            Some(super::StreamSpecification {
                stream_enabled: false,
                stream_view_type: Some(_),
            }) => invalid(
                "Table is being created with a stream disabled, UpdateViewType should not be specified",
            ),
            _ => Ok(()),
        }
    }

    /// Every distinct attribute named by the table's and its indexes' key
    /// schemas, in order of first use.
    pub fn key_attribute_names(&self) -> Vec<&str> {
        let gsis = self.global_secondary_indexes.iter().flatten();
        let lsis = self.local_secondary_indexes.iter().flatten();
        let mut names: Vec<&str> = Vec::new();
        let schemas = std::iter::once(&self.key_schema)
            .chain(gsis.map(|g| &g.key_schema))
            .chain(lsis.map(|l| &l.key_schema));
        for element in schemas.flatten() {
            if !names.contains(&element.attribute_name.as_str()) {
                names.push(&element.attribute_name);
            }
        }
        names
    }

    fn validate_indexes(&self) -> Result<(), Error> {
        let gsis = self.global_secondary_indexes.as_deref().unwrap_or_default();
        let lsis = self.local_secondary_indexes.as_deref().unwrap_or_default();
        if lsis.len() > MAX_LOCAL_SECONDARY_INDEXES {
            return Err(invalid_parameter(
                "Number of LocalSecondaryIndexes exceeds per-table limit of 5",
            ));
        }
        if gsis.len() > MAX_GLOBAL_SECONDARY_INDEXES {
            return Err(invalid_parameter(
                "GlobalSecondaryIndex count exceeds the per-table limit of 20",
            ));
        }
        let mut names: Vec<&str> = Vec::new();
        for (i, gsi) in gsis.iter().enumerate() {
            validate_name(
                &gsi.index_name,
                &format!("globalSecondaryIndexes.{}.member.indexName", i + 1),
            )?;
            validate_index_key_schema(&gsi.index_name, &gsi.key_schema, MAX_GSI_KEY_ATTRIBUTES)?;
            validate_projection(&gsi.projection)?;
            let provisioned = self.billing_mode.unwrap_or_default() == BillingMode::Provisioned;
            if provisioned && gsi.provisioned_throughput.is_none() {
                return Err(invalid_parameter(&format!(
                    "ProvisionedThroughput is not specified for index: {}",
                    gsi.index_name
                )));
            }
            names.push(&gsi.index_name);
        }
        if !lsis.is_empty() {
            let table_hash = &self.key_schema[0].attribute_name;
            if self.key_schema.len() < 2 {
                return Err(invalid_parameter(
                    "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
                ));
            }
            for (i, lsi) in lsis.iter().enumerate() {
                validate_name(
                    &lsi.index_name,
                    &format!("localSecondaryIndexes.{}.member.indexName", i + 1),
                )?;
                validate_index_key_schema(&lsi.index_name, &lsi.key_schema, 1)?;
                let index_hash = &lsi.key_schema[0].attribute_name;
                if index_hash != table_hash {
                    return Err(invalid_parameter(&format!(
                        "Index KeySchema does not have the same leading hash key as table KeySchema for index: {}. index hash key: {index_hash}, table hash key: {table_hash}",
                        lsi.index_name
                    )));
                }
                if lsi.key_schema.len() != 2 {
                    return Err(invalid_parameter(&format!(
                        "Index KeySchema must have a range key for index: {}",
                        lsi.index_name
                    )));
                }
                validate_projection(&lsi.projection)?;
                names.push(&lsi.index_name);
            }
        }
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(invalid_parameter(&format!("Duplicate index name: {name}")));
            }
        }
        Ok(())
    }
}

/// Most local secondary indexes a table may have.
pub const MAX_LOCAL_SECONDARY_INDEXES: usize = 5;
/// Most global secondary indexes a table may have (DynamoDB's default quota).
pub const MAX_GLOBAL_SECONDARY_INDEXES: usize = 20;
/// Most partition-key (and, separately, sort-key) attributes of a GSI key.
pub const MAX_GSI_KEY_ATTRIBUTES: usize = 4;

fn invalid_parameter(message: &str) -> Error {
    Error::Validation(format!(
        "One or more parameter values were invalid: {message}"
    ))
}

/// Checks an index key schema: HASH elements first (at most `max_per_role`),
/// then RANGE elements (at most `max_per_role`), no attribute twice.
pub fn validate_index_key_schema(
    index_name: &str,
    key_schema: &[KeySchemaElement],
    max_per_role: usize,
) -> Result<(), Error> {
    let hashes = key_schema
        .iter()
        .take_while(|k| k.key_type == KeyType::Hash)
        .count();
    let ranges = key_schema.len() - hashes;
    if hashes == 0 {
        return Err(Error::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if key_schema[hashes..]
        .iter()
        .any(|k| k.key_type == KeyType::Hash)
    {
        return Err(Error::validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ));
    }
    if hashes > max_per_role || ranges > max_per_role {
        return Err(invalid_parameter(&format!(
            "Index KeySchema has too many key attributes for index: {index_name}"
        )));
    }
    for (i, k) in key_schema.iter().enumerate() {
        if key_schema[..i]
            .iter()
            .any(|other| other.attribute_name == k.attribute_name)
        {
            return Err(Error::validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name",
            ));
        }
    }
    Ok(())
}

/// Checks that `NonKeyAttributes` go with `INCLUDE` and only with it.
pub fn validate_projection(projection: &Projection) -> Result<(), Error> {
    match (projection.projection_type, &projection.non_key_attributes) {
        (None, _) => Err(invalid_parameter("Unknown ProjectionType: null")),
        (Some(ProjectionType::Include), None) => Err(invalid_parameter(
            "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
        )),
        (Some(ProjectionType::All), Some(_)) => Err(invalid_parameter(
            "ProjectionType is ALL, but NonKeyAttributes is specified",
        )),
        (Some(ProjectionType::KeysOnly), Some(_)) => Err(invalid_parameter(
            "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified",
        )),
        _ => Ok(()),
    }
}
