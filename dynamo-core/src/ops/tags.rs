//! `TagResource`, `UntagResource` and `ListTagsOfResource`.

use serde::{Deserialize, Serialize};

/// A tag of a table: a key and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The tag's key (unique per table).
    pub key: String,
    /// The tag's value.
    pub value: String,
}

/// Input of `TagResource`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// Tags to add or overwrite.
    pub tags: Vec<Tag>,
}

/// Input of `UntagResource`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// Keys of the tags to remove.
    pub tag_keys: Vec<String>,
}

/// Input of `ListTagsOfResource`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOfResourceInput {
    /// The table's ARN.
    pub resource_arn: String,
    /// Where a previous page stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Output of `ListTagsOfResource`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOfResourceOutput {
    /// The table's tags, by key.
    pub tags: Vec<Tag>,
    /// Where the next page starts, when more tags remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Output of `TagResource` and `UntagResource`: nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TagsOutput {}

/// The table name in a table's ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`),
/// or DynamoDB's ValidationException for an ARN of no table.
pub fn table_name_of_arn(arn: &str) -> Result<&str, crate::error::Error> {
    arn.strip_prefix("arn:aws:dynamodb:")
        .and_then(|rest| rest.split_once(":table/"))
        .map(|(_, name)| name)
        .filter(|name| !name.is_empty() && !name.contains('/'))
        .ok_or_else(|| {
            crate::error::Error::Validation(format!(
                "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
            ))
        })
}

impl TagResourceInput {
    /// Checks the ARN names a table.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        table_name_of_arn(&self.resource_arn).map(|_| ())
    }
}

impl UntagResourceInput {
    /// Checks the ARN names a table.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        table_name_of_arn(&self.resource_arn).map(|_| ())
    }
}

impl ListTagsOfResourceInput {
    /// Checks the ARN names a table.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        table_name_of_arn(&self.resource_arn).map(|_| ())
    }
}
