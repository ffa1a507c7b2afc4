//! DynamoDB Streams, read from the tables' change logs.
//!
//! A table's stream receives the item records its log gets after the
//! stream is enabled, up to the record that disables it. Each stream has
//! one shard; a record's sequence number is its position in the table's
//! log, written as a 21-digit decimal. A shard iterator names the stream,
//! the shard, the next sequence number to read and when it was issued, and
//! expires 15 minutes after that by the engine's clock.

use crate::engine::Engine;
use crate::log::{Change, ChangeRecord, Commit, Origin, StreamInfo};
use crate::table::{Table, TableState, TableWriter};
use dynamo_core::ops::*;
use dynamo_core::value::item_size;
use dynamo_core::{AttributeMap, Error, Result};
use std::sync::Arc;
use std::time::Duration;

/// How long a shard iterator stays valid.
const ITERATOR_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Most records one GetRecords returns.
const MAX_RECORDS: usize = 1000;
/// Most bytes of records one GetRecords returns.
const MAX_RECORD_BYTES: usize = 1024 * 1024;

fn validation(message: &str) -> Error {
    Error::Validation(format!(
        "One or more parameter values were invalid: {message}"
    ))
}

fn service(error_type: &str, message: String) -> Error {
    Error::Service {
        error_type: error_type.to_owned(),
        message,
    }
}

/// Checks an UpdateTable's StreamSpecification against the table's stream,
/// with DynamoDB's messages.
pub(crate) fn check_update(
    table: &str,
    state: &TableState,
    spec: StreamSpecification,
) -> Result<()> {
    match (spec.stream_enabled, spec.stream_view_type) {
        (true, None) => Err(validation(
            "If stream is being enabled then UpdateViewType is required",
        )),
        (false, Some(_)) => Err(validation(
            "If stream is being disabled, then UpdateViewType must not be specified",
        )),
        (true, Some(_)) if state.enabled_stream().is_some() => Err(Error::Validation(format!(
            "Table already has an enabled stream: TableName: {table}"
        ))),
        (false, None) if state.enabled_stream().is_none() => Err(Error::Validation(format!(
            "Table has no stream to disable: TableName: {table}"
        ))),
        _ => Ok(()),
    }
}

/// Enables a stream on the table, labelled with the commit time in
/// milliseconds (one millisecond later than the previous stream's label if
/// they would coincide).
pub(crate) fn enable(writer: &mut TableWriter, view_type: StreamViewType, commit: &Commit) {
    let mut millis = u64::try_from(commit.at.as_millis()).unwrap_or(u64::MAX);
    let last = writer.streams().last().map(|(s, _)| s.label.clone());
    let mut label = stream_label(millis);
    while Some(&label) == last.as_ref() {
        millis += 1;
        label = stream_label(millis);
    }
    let arn = format!("{}/stream/{label}", writer.table().arn);
    writer.enable_stream(arn, label, view_type, commit);
}

/// `2026-10-08T23:07:31.275`: the commit time in milliseconds, UTC.
fn stream_label(millis: u64) -> String {
    let time = std::time::UNIX_EPOCH + Duration::from_millis(millis);
    let full = dynamo_core::time::format_rfc3339(time).unwrap_or_default();
    full.get(..23).unwrap_or(&full).to_owned()
}

fn sequence_number(seq: u64) -> String {
    format!("{seq:021}")
}

fn parse_sequence_number(text: &str) -> Option<u64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn shard_id(stream: &StreamInfo) -> String {
    // The stream's creation time and a digest of its ARN, as AWS's
    // `shardId-<20 digits>-<8 hex>` ids look.
    let digest = stream.arn.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!(
        "shardId-{:020}-{digest:08x}",
        (stream.created * 1000.0) as u64
    )
}

fn not_found(what: &str) -> Error {
    Error::ResourceNotFound(format!("Requested resource not found: {what}"))
}

/// The table a stream ARN names, and the stream.
fn find_stream(engine: &Engine, arn: &str) -> Result<(Arc<Table>, Arc<StreamInfo>, Option<u64>)> {
    let missing = || not_found(&format!("Stream: {arn} not found"));
    let name = arn
        .split_once(":table/")
        .and_then(|(_, rest)| rest.split_once("/stream/"))
        .map(|(name, _)| name)
        .ok_or_else(missing)?;
    let table = engine.catalog().get(name).cloned().ok_or_else(missing)?;
    let found = table
        .read()
        .streams()
        .iter()
        .find(|(s, _)| s.arn == arn)
        .cloned()
        .ok_or_else(missing)?;
    Ok((table, found.0, found.1))
}

pub(crate) fn list_streams(engine: &Engine, input: ListStreamsInput) -> Result<ListStreamsOutput> {
    let limit = match input.limit {
        Some(l) if !(1..=100).contains(&l) => {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value {}",
                if l < 1 {
                    "greater than or equal to 1"
                } else {
                    "less than or equal to 100"
                }
            )));
        }
        Some(l) => usize::try_from(l).unwrap_or(100),
        None => 100,
    };
    let tables: Vec<Arc<Table>> = match &input.table_name {
        Some(name) => vec![
            engine
                .catalog()
                .get(name)
                .cloned()
                .ok_or_else(|| not_found(&format!("Table: {name} not found")))?,
        ],
        None => engine.catalog().values().cloned().collect(),
    };
    let mut streams: Vec<StreamSummary> = tables
        .iter()
        .flat_map(|table| {
            let state = table.read();
            state
                .streams()
                .iter()
                .map(|(s, _)| StreamSummary {
                    stream_arn: s.arn.clone(),
                    table_name: table.name.clone(),
                    stream_label: s.label.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    streams.sort_by(|a, b| a.stream_arn.cmp(&b.stream_arn));
    if let Some(start) = &input.exclusive_start_stream_arn {
        streams.retain(|s| s.stream_arn.as_str() > start.as_str());
    }
    let more = streams.len() > limit;
    streams.truncate(limit);
    Ok(ListStreamsOutput {
        last_evaluated_stream_arn: more
            .then(|| streams.last().map(|s| s.stream_arn.clone()))
            .flatten(),
        streams,
    })
}

/// The first sequence number a stream still holds.
fn trim_horizon(state: &TableState, stream: &StreamInfo) -> u64 {
    state
        .log()
        .oldest_seq()
        .map_or(state.log().next_seq(), |oldest| {
            oldest.max(stream.first_seq)
        })
        .max(stream.first_seq)
}

pub(crate) fn describe_stream(
    engine: &Engine,
    input: DescribeStreamInput,
) -> Result<DescribeStreamOutput> {
    let (table, stream, end) = find_stream(engine, &input.stream_arn)?;
    let state = table.read();
    let key_schema = table.schema.elements();
    let shard = Shard {
        shard_id: shard_id(&stream),
        sequence_number_range: SequenceNumberRange {
            starting_sequence_number: Some(sequence_number(trim_horizon(&state, &stream))),
            ending_sequence_number: end.map(|end| sequence_number(end.saturating_sub(1))),
        },
        parent_shard_id: None,
    };
    let shards = match &input.exclusive_start_shard_id {
        Some(start) if *start >= shard.shard_id => Vec::new(),
        _ => vec![shard],
    };
    Ok(DescribeStreamOutput {
        stream_description: StreamDescription {
            stream_arn: stream.arn.clone(),
            stream_label: stream.label.clone(),
            stream_status: if end.is_some() {
                StreamStatus::Disabled
            } else {
                StreamStatus::Enabled
            },
            stream_view_type: stream.view_type,
            creation_request_date_time: stream.created,
            table_name: table.name.clone(),
            key_schema,
            shards,
            last_evaluated_shard_id: None,
        },
    })
}

/// What a shard iterator says: where to read, and when it was issued.
struct ShardPosition {
    issued_millis: u64,
    next: u64,
    shard: String,
    stream_arn: String,
}

impl ShardPosition {
    fn encode(&self) -> String {
        let text = format!(
            "{}|{}|{}|{}",
            self.issued_millis, self.next, self.shard, self.stream_arn
        );
        text.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(text: &str) -> Option<Self> {
        if !text.len().is_multiple_of(2) || text.len() > 4096 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
            .collect();
        let text = String::from_utf8(bytes?).ok()?;
        let mut parts = text.splitn(4, '|');
        Some(Self {
            issued_millis: parts.next()?.parse().ok()?,
            next: parts.next()?.parse().ok()?,
            shard: parts.next()?.to_owned(),
            stream_arn: parts.next()?.to_owned(),
        })
    }
}

fn now_millis(engine: &Engine) -> u64 {
    u64::try_from(engine.now().as_millis()).unwrap_or(u64::MAX)
}

pub(crate) fn get_shard_iterator(
    engine: &Engine,
    input: GetShardIteratorInput,
) -> Result<GetShardIteratorOutput> {
    let (table, stream, end) = find_stream(engine, &input.stream_arn)?;
    if input.shard_id != shard_id(&stream) {
        return Err(not_found(&format!(
            "Shard does not exist: {} in stream {}",
            input.shard_id, input.stream_arn
        )));
    }
    let state = table.read();
    let horizon = trim_horizon(&state, &stream);
    let latest = end.unwrap_or_else(|| state.log().next_seq());
    let given = || -> Result<u64> {
        let text = input.sequence_number.as_deref().ok_or_else(|| {
            Error::validation(
                "Must specify a SequenceNumber when using ShardIteratorType AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER",
            )
        })?;
        parse_sequence_number(text).ok_or_else(|| {
            Error::Validation(format!(
                "1 validation error detected: Value '{text}' at 'sequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d+"
            ))
        })
    };
    let next = match input.shard_iterator_type {
        ShardIteratorType::TrimHorizon => horizon,
        ShardIteratorType::Latest => latest,
        ShardIteratorType::AtSequenceNumber => given()?,
        ShardIteratorType::AfterSequenceNumber => given()?.saturating_add(1),
    };
    if next < horizon {
        return Err(service(
            "TrimmedDataAccessException",
            format!(
                "Attempted to access data that has been trimmed: sequence number {} is before the trim horizon {}",
                sequence_number(next),
                sequence_number(horizon)
            ),
        ));
    }
    Ok(GetShardIteratorOutput {
        shard_iterator: Some(
            ShardPosition {
                issued_millis: now_millis(engine),
                next: next.min(latest.max(horizon)),
                shard: input.shard_id,
                stream_arn: input.stream_arn,
            }
            .encode(),
        ),
    })
}

/// A log record as the stream shows it, or `None` for control-plane records.
fn stream_record(
    engine: &Engine,
    table: &Table,
    stream: &StreamInfo,
    record: &ChangeRecord,
) -> Option<Record> {
    let Change::Item { key, old, new } = &record.change else {
        return None;
    };
    let event_name = match (old, new) {
        (None, Some(_)) => OperationType::Insert,
        (Some(_), Some(_)) => OperationType::Modify,
        (Some(_), None) => OperationType::Remove,
        (None, None) => return None,
    };
    let keys = table.schema.key_map(key);
    let image = |stored: &Option<crate::stored::StoredItem>| -> Option<AttributeMap> {
        stored.as_ref().map(|s| s.item())
    };
    let (new_image, old_image) = match stream.view_type {
        StreamViewType::KeysOnly => (None, None),
        StreamViewType::NewImage => (image(new), None),
        StreamViewType::OldImage => (None, image(old)),
        StreamViewType::NewAndOldImages => (image(new), image(old)),
    };
    let size = item_size(&keys)
        + new_image.as_ref().map_or(0, item_size)
        + old_image.as_ref().map_or(0, item_size);
    Some(Record {
        event_id: format!("{:016x}{:016x}", record.seq, table_digest(table)),
        event_name,
        event_version: "1.1".to_owned(),
        event_source: "aws:dynamodb".to_owned(),
        aws_region: engine.region().to_owned(),
        dynamodb: StreamRecord {
            approximate_creation_date_time: record.commit.at.as_secs() as f64,
            keys,
            new_image,
            old_image,
            sequence_number: sequence_number(record.seq),
            size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
            stream_view_type: stream.view_type,
        },
        user_identity: (record.commit.origin == Origin::TimeToLive).then(|| Identity {
            principal_id: "dynamodb.amazonaws.com".to_owned(),
            identity_type: "Service".to_owned(),
        }),
    })
}

fn table_digest(table: &Table) -> u64 {
    table.id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

pub(crate) fn get_records(engine: &Engine, input: GetRecordsInput) -> Result<GetRecordsOutput> {
    let limit = match input.limit {
        Some(l) if !(1..=1000).contains(&l) => {
            return Err(Error::Validation(format!(
                "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value {}",
                if l < 1 {
                    "greater than or equal to 1"
                } else {
                    "less than or equal to 1000"
                }
            )));
        }
        Some(l) => usize::try_from(l).unwrap_or(MAX_RECORDS),
        None => MAX_RECORDS,
    };
    let invalid_iterator = || Error::validation("Invalid ShardIterator");
    let iterator = ShardPosition::decode(&input.shard_iterator).ok_or_else(invalid_iterator)?;
    let now = now_millis(engine);
    let lifetime = u64::try_from(ITERATOR_LIFETIME.as_millis()).unwrap_or(u64::MAX);
    if now.saturating_sub(iterator.issued_millis) > lifetime {
        return Err(service(
            "ExpiredIteratorException",
            "Iterator expired. The iterator was created more than 15 minutes ago".to_owned(),
        ));
    }
    let (table, stream, end) = find_stream(engine, &iterator.stream_arn)?;
    if iterator.shard != shard_id(&stream) {
        return Err(invalid_iterator());
    }
    let state = table.read();
    let horizon = trim_horizon(&state, &stream);
    if iterator.next < horizon {
        return Err(service(
            "TrimmedDataAccessException",
            format!(
                "Attempted to access data that has been trimmed: sequence number {} is before the trim horizon {}",
                sequence_number(iterator.next),
                sequence_number(horizon)
            ),
        ));
    }
    let stop = end.unwrap_or(u64::MAX);
    let mut records = Vec::new();
    let mut bytes = 0;
    let mut next = iterator.next;
    for record in state.log().records_from(iterator.next) {
        if record.seq >= stop || records.len() >= limit || bytes >= MAX_RECORD_BYTES {
            break;
        }
        next = record.seq + 1;
        if let Some(shown) = stream_record(engine, &table, &stream, record) {
            bytes += usize::try_from(shown.dynamodb.size_bytes).unwrap_or(0);
            records.push(shown);
        }
    }
    let next = next.max(iterator.next);
    // A disabled stream's shard is closed: once read to its end it has no
    // next iterator.
    let closed = end.is_some_and(|end| next >= end);
    Ok(GetRecordsOutput {
        records,
        next_shard_iterator: (!closed).then(|| {
            ShardPosition {
                issued_millis: now,
                next,
                shard: iterator.shard,
                stream_arn: iterator.stream_arn,
            }
            .encode()
        }),
    })
}
