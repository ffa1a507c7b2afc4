//! DynamoDB Streams' responses (aws-sdk-dynamodbstreams) as dynamo-core's
//! model: stream lists, descriptions with their shards, and records with
//! their keys and images. The requests carry only strings, numbers and
//! enums, which `lib.rs` hands to the SDK's builders directly.

use super::our_enum;
use super::value::streams::{map_from_sdk, opt_map_from_sdk};
use aws_sdk_dynamodbstreams::operation::describe_stream::DescribeStreamOutput as SdkDescribeStream;
use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsOutput as SdkGetRecords;
use aws_sdk_dynamodbstreams::operation::list_streams::ListStreamsOutput as SdkListStreams;
use aws_sdk_dynamodbstreams::types as sdk;
use aws_smithy_types::DateTime;
use dynamo_core::Error;
use dynamo_core::ops::*;
use dynamo_core::schema::KeySchemaElement;

/// A missing member the Streams API always sends.
fn missing(operation: &str, member: &str) -> Error {
    Error::Transport(format!("{operation} returned no {member}"))
}

fn seconds(time: Option<DateTime>) -> f64 {
    time.map_or(0.0, |t| t.as_secs_f64())
}

pub(crate) fn list_streams_output(out: SdkListStreams) -> ListStreamsOutput {
    ListStreamsOutput {
        streams: out
            .streams
            .unwrap_or_default()
            .into_iter()
            .map(|s| StreamSummary {
                stream_arn: s.stream_arn.unwrap_or_default(),
                table_name: s.table_name.unwrap_or_default(),
                stream_label: s.stream_label.unwrap_or_default(),
            })
            .collect(),
        last_evaluated_stream_arn: out.last_evaluated_stream_arn,
    }
}

fn shard(s: sdk::Shard) -> Shard {
    let range = s.sequence_number_range;
    Shard {
        shard_id: s.shard_id.unwrap_or_default(),
        sequence_number_range: SequenceNumberRange {
            starting_sequence_number: range
                .as_ref()
                .and_then(|r| r.starting_sequence_number.clone()),
            ending_sequence_number: range.and_then(|r| r.ending_sequence_number),
        },
        parent_shard_id: s.parent_shard_id,
    }
}

pub(crate) fn describe_stream_output(
    out: SdkDescribeStream,
) -> Result<DescribeStreamOutput, Error> {
    let d = out
        .stream_description
        .ok_or_else(|| missing("DescribeStream", "StreamDescription"))?;
    Ok(DescribeStreamOutput {
        stream_description: StreamDescription {
            stream_arn: d.stream_arn.unwrap_or_default(),
            stream_label: d.stream_label.unwrap_or_default(),
            stream_status: our_enum(
                d.stream_status
                    .ok_or_else(|| missing("DescribeStream", "StreamStatus"))?
                    .as_str(),
                "stream status",
            )?,
            stream_view_type: our_enum(
                d.stream_view_type
                    .ok_or_else(|| missing("DescribeStream", "StreamViewType"))?
                    .as_str(),
                "stream view type",
            )?,
            creation_request_date_time: seconds(d.creation_request_date_time),
            table_name: d.table_name.unwrap_or_default(),
            key_schema: d
                .key_schema
                .unwrap_or_default()
                .into_iter()
                .map(|k| {
                    Ok(KeySchemaElement {
                        attribute_name: k.attribute_name,
                        key_type: our_enum(k.key_type.as_str(), "key type")?,
                    })
                })
                .collect::<Result<_, Error>>()?,
            shards: d
                .shards
                .unwrap_or_default()
                .into_iter()
                .map(shard)
                .collect(),
            last_evaluated_shard_id: d.last_evaluated_shard_id,
        },
    })
}

fn record(r: sdk::Record) -> Result<Record, Error> {
    let change = r
        .dynamodb
        .ok_or_else(|| missing("GetRecords", "StreamRecord of a record"))?;
    Ok(Record {
        event_id: r.event_id.unwrap_or_default(),
        event_name: our_enum(
            r.event_name
                .ok_or_else(|| missing("GetRecords", "eventName of a record"))?
                .as_str(),
            "stream event name",
        )?,
        event_version: r.event_version.unwrap_or_default(),
        event_source: r.event_source.unwrap_or_default(),
        aws_region: r.aws_region.unwrap_or_default(),
        dynamodb: StreamRecord {
            approximate_creation_date_time: seconds(change.approximate_creation_date_time),
            keys: change
                .keys
                .map(map_from_sdk)
                .transpose()?
                .unwrap_or_default(),
            new_image: opt_map_from_sdk(change.new_image)?,
            old_image: opt_map_from_sdk(change.old_image)?,
            sequence_number: change
                .sequence_number
                .ok_or_else(|| missing("GetRecords", "SequenceNumber of a record"))?,
            size_bytes: change.size_bytes.unwrap_or_default(),
            stream_view_type: our_enum(
                change
                    .stream_view_type
                    .ok_or_else(|| missing("GetRecords", "StreamViewType of a record"))?
                    .as_str(),
                "stream view type",
            )?,
        },
        user_identity: r.user_identity.map(|i| Identity {
            principal_id: i.principal_id.unwrap_or_default(),
            identity_type: i.r#type.unwrap_or_default(),
        }),
    })
}

pub(crate) fn get_records_output(out: SdkGetRecords) -> Result<GetRecordsOutput, Error> {
    Ok(GetRecordsOutput {
        records: out
            .records
            .unwrap_or_default()
            .into_iter()
            .map(record)
            .collect::<Result<_, _>>()?,
        next_shard_iterator: out.next_shard_iterator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynamo_core::AttributeValue;

    #[test]
    fn a_ttl_deletion_record_keeps_its_images_identity_and_time() {
        let out = SdkGetRecords::builder()
            .records(
                sdk::Record::builder()
                    .event_id("e1")
                    .event_name(sdk::OperationType::Remove)
                    .event_version("1.1")
                    .event_source("aws:dynamodb")
                    .aws_region("eu-west-1")
                    .dynamodb(
                        sdk::StreamRecord::builder()
                            .approximate_creation_date_time(DateTime::from_secs(1_700_000_000))
                            .keys("pk", sdk::AttributeValue::S("a".into()))
                            .old_image("pk", sdk::AttributeValue::S("a".into()))
                            .old_image("n", sdk::AttributeValue::N("7".into()))
                            .sequence_number("000000000000000000042")
                            .size_bytes(9)
                            .stream_view_type(sdk::StreamViewType::OldImage)
                            .build(),
                    )
                    .user_identity(
                        sdk::Identity::builder()
                            .principal_id("dynamodb.amazonaws.com")
                            .r#type("Service")
                            .build(),
                    )
                    .build(),
            )
            .next_shard_iterator("next")
            .build();
        let ours = get_records_output(out).unwrap();
        let r = &ours.records[0];
        assert_eq!(r.event_name, OperationType::Remove);
        assert_eq!(r.dynamodb.approximate_creation_date_time, 1_700_000_000.0);
        assert_eq!(r.dynamodb.keys["pk"], AttributeValue::S("a".into()));
        assert_eq!(
            r.dynamodb.old_image.as_ref().unwrap()["n"],
            AttributeValue::N(7.into())
        );
        assert_eq!(r.dynamodb.new_image, None);
        assert_eq!(r.dynamodb.stream_view_type, StreamViewType::OldImage);
        assert_eq!(
            r.user_identity,
            Some(Identity {
                principal_id: "dynamodb.amazonaws.com".into(),
                identity_type: "Service".into()
            })
        );
        assert_eq!(ours.next_shard_iterator.as_deref(), Some("next"));
    }

    #[test]
    fn a_record_without_its_change_is_a_malformed_response() {
        let out = SdkGetRecords::builder()
            .records(sdk::Record::builder().event_id("e1").build())
            .build();
        assert_eq!(
            get_records_output(out).unwrap_err(),
            Error::Transport("GetRecords returned no StreamRecord of a record".into())
        );
    }
}
