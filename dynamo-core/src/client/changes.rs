//! The typed change feed: a table's DynamoDB Stream read as a
//! [`futures_core::Stream`] of [`Change`]s, each record's images decoded
//! into the item type (or collection) the feed was asked for.
//!
//! The feed reads the stream through the backend's [`StreamsBackend`]:
//! DescribeStream lists the shards, GetShardIterator opens each, GetRecords
//! polls the open ones. A shard is read only after its parent is read to
//! its end, so the changes of one item come in the order they were made.
//! After a round of polls that found nothing the feed waits with
//! [`crate::Backend::pause`]. It ends when the stream is disabled and every
//! shard has been read to its end.
//!
//! [`StreamsBackend`]: crate::ops::StreamsBackend

use super::{BoxFuture, Client};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::item::{AttributeError, Collection, Item, collection_variant};
use crate::ops::{
    DescribeStreamInput, DescribeTableInput, GetRecordsInput, GetShardIteratorInput, Identity,
    OperationType, Record, Shard, ShardIteratorType, StreamDescription, StreamStatus,
    StreamViewType, StreamsBackend,
};
use crate::value::AttributeMap;
use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the feed waits after a round of polls that found nothing.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The principal of the changes DynamoDB makes itself (TTL deletions).
const SERVICE_PRINCIPAL: &str = "dynamodb.amazonaws.com";

/// Reads one image; `Ok(None)` when it is not an item of the feed's type.
type Decode<T> = fn(AttributeMap) -> std::result::Result<Option<T>, AttributeError>;

impl Client {
    /// The changes made to items of type `T` from now on (or, with
    /// [`Changes::from_oldest`], from the oldest record the stream keeps),
    /// read from the DynamoDB Stream of `T`'s table. Await it to position
    /// the feed, then read the returned [`ChangeStream`].
    ///
    /// The table must have a stream enabled (a `StreamSpecification` on
    /// CreateTable or UpdateTable), and the backend must serve DynamoDB
    /// Streams. When `T` shares its table with other item types (it has
    /// an entity attribute), the stream's view type must be
    /// `NEW_AND_OLD_IMAGES`, the only one whose every record shows which
    /// type changed; records of other types are skipped.
    ///
    /// ```
    /// use dynamo_core::{ChangeKind, Client, Item, Origin, Result};
    ///
    /// async fn audit<T: Item + std::fmt::Debug>(db: &Client) -> Result<()> {
    ///     let mut feed = db.changes::<T>().from_oldest().await?;
    ///     while let Some(change) = feed.next().await {
    ///         let change = change?;
    ///         match (change.kind, change.origin) {
    ///             (ChangeKind::Removed { old }, Origin::TimeToLive) => println!("expired: {old:?}"),
    ///             (kind, _) => println!("{}: {kind:?}", change.sequence_number),
    ///         }
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn changes<T: Item>(&self) -> Changes<'_, T> {
        Changes::new(
            self,
            Ok(T::SCHEMA.table_name),
            T::SCHEMA.entity.map(|e| e.name),
            decode_item::<T>,
        )
    }

    /// The changes made to the table shared by the member types of the
    /// collection `C`, each image decoded into `C` (records of entity types
    /// `C` skips are skipped). Any view type will do; with `KEYS_ONLY`
    /// every change has its key and no images.
    ///
    /// ```
    /// use dynamo_core::{Client, Collection, Result};
    ///
    /// async fn count_changes<C: Collection>(db: &Client) -> Result<usize> {
    ///     let mut feed = db.collection_changes::<C>().await?;
    ///     let mut seen = 0;
    ///     while let Some(change) = feed.next().await {
    ///         let _change: dynamo_core::Change<C> = change?;
    ///         seen += 1;
    ///     }
    ///     Ok(seen)
    /// }
    /// ```
    pub fn collection_changes<C: Collection>(&self) -> Changes<'_, C> {
        let table = C::MEMBERS
            .first()
            .map(|schema| schema.table_name)
            .ok_or_else(|| Error::validation("a table needs at least one item type"));
        Changes::new(self, table, None, C::from_collection_item)
    }
}

/// An item of `T` from an image, when the image is one of `T`'s.
fn decode_item<T: Item>(image: AttributeMap) -> std::result::Result<Option<T>, AttributeError> {
    if T::SCHEMA.entity.is_some() && !collection_variant::<T>(&image) {
        return Ok(None);
    }
    T::from_item(image).map(Some)
}

/// A pending change feed: choose where it starts, then await it for the
/// [`ChangeStream`].
#[must_use = "a change feed does nothing until it is awaited"]
pub struct Changes<'a, T> {
    client: &'a Client,
    table: Result<&'static str>,
    /// The entity name of an item type that shares its table.
    entity: Option<&'static str>,
    decode: Decode<T>,
    from_oldest: bool,
    poll_interval: Duration,
}

impl<'a, T> Changes<'a, T> {
    fn new(
        client: &'a Client,
        table: Result<&'static str>,
        entity: Option<&'static str>,
        decode: Decode<T>,
    ) -> Self {
        Self {
            client,
            table,
            entity,
            decode,
            from_oldest: false,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }

    /// Start at the oldest record the stream keeps (DynamoDB keeps 24
    /// hours; `TRIM_HORIZON`) instead of after the newest (`LATEST`).
    ///
    /// ```
    /// # async fn f<T: dynamo_core::Item>(db: &dynamo_core::Client) -> dynamo_core::Result<()> {
    /// let everything_kept = db.changes::<T>().from_oldest().await?;
    /// # Ok(()) }
    /// ```
    pub fn from_oldest(mut self) -> Self {
        self.from_oldest = true;
        self
    }

    /// Wait `interval` after a round of polls that found no record, before
    /// polling again (half a second unless set).
    ///
    /// ```
    /// # async fn f<T: dynamo_core::Item>(db: &dynamo_core::Client) -> dynamo_core::Result<()> {
    /// let feed = db
    ///     .changes::<T>()
    ///     .poll_interval(std::time::Duration::from_secs(2))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Finds the table's stream, checks that the feed can read it, and
    /// opens its shards.
    async fn start(self) -> Result<ChangeStream<T>> {
        let table = self.table?;
        let client = self.client.clone();
        let streams = client.backend.streams().ok_or_else(|| {
            Error::validation(
                "this backend does not serve DynamoDB Streams, so it has no change feed",
            )
        })?;
        let description = client
            .backend
            .describe_table(DescribeTableInput {
                table_name: table.to_owned(),
            })
            .await?
            .table;
        let stream_arn = match (
            description.stream_specification,
            description.latest_stream_arn,
        ) {
            (Some(spec), Some(arn)) if spec.stream_enabled => arn,
            _ => {
                return Err(Error::Validation(format!(
                    "table `{table}` has no stream enabled; enable one with a StreamSpecification to read its changes"
                )));
            }
        };
        let stream = describe(streams, &stream_arn).await?;
        let shared_table = self
            .entity
            .filter(|_| stream.stream_view_type != StreamViewType::NewAndOldImages);
        if let Some(entity) = shared_table {
            return Err(Error::Validation(format!(
                "the records of a {} stream do not all show which item type changed, so the changes of `{entity}` items cannot be told from the other types of table `{table}`; enable NEW_AND_OLD_IMAGES or read them with collection_changes",
                view_type_name(stream.stream_view_type)
            )));
        }
        let start = if self.from_oldest {
            ShardIteratorType::TrimHorizon
        } else {
            ShardIteratorType::Latest
        };
        let mut feed = Feed {
            client: self.client.clone(),
            stream_arn,
            shards: Vec::new(),
            poll_interval: self.poll_interval,
        };
        feed.learn(stream.shards, start);
        feed.open_ready(streams).await?;
        Ok(ChangeStream {
            stream_arn: feed.stream_arn.clone(),
            view_type: stream.stream_view_type,
            feed: Some(feed),
            pending: None,
            buffer: VecDeque::new(),
            decode: self.decode,
            done: false,
        })
    }
}

impl<'a, T: 'a> IntoFuture for Changes<'a, T> {
    type Output = Result<ChangeStream<T>>;
    type IntoFuture = BoxFuture<'a, Result<ChangeStream<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.start())
    }
}

fn view_type_name(view: StreamViewType) -> &'static str {
    match view {
        StreamViewType::NewImage => "NEW_IMAGE",
        StreamViewType::OldImage => "OLD_IMAGE",
        StreamViewType::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        StreamViewType::KeysOnly => "KEYS_ONLY",
    }
}

/// The stream's description with every page of its shards.
async fn describe(streams: &dyn StreamsBackend, stream_arn: &str) -> Result<StreamDescription> {
    let mut description = streams
        .describe_stream(DescribeStreamInput {
            stream_arn: stream_arn.to_owned(),
            ..DescribeStreamInput::default()
        })
        .await?
        .stream_description;
    while let Some(after) = description.last_evaluated_shard_id.take() {
        let page = streams
            .describe_stream(DescribeStreamInput {
                stream_arn: stream_arn.to_owned(),
                exclusive_start_shard_id: Some(after),
                ..DescribeStreamInput::default()
            })
            .await?
            .stream_description;
        description.shards.extend(page.shards);
        description.last_evaluated_shard_id = page.last_evaluated_shard_id;
        description.stream_status = page.stream_status;
    }
    Ok(description)
}

/// Where the feed is in one shard.
enum Position {
    /// Not opened yet: its parent is still being read.
    Waiting,
    /// The iterator for the next GetRecords.
    Open(String),
    /// Read to its end (or, for a feed from now, closed before it started).
    Done,
}

struct ShardCursor {
    id: String,
    parent: Option<String>,
    position: Position,
    /// Where reading starts when the shard is opened.
    start: ShardIteratorType,
    /// The sequence number of the last record read, to reopen the shard
    /// after it if its iterator expires.
    last: Option<String>,
}

/// The feed's position in every shard of the stream. A round of polls
/// moves it into a future and back.
struct Feed {
    client: Client,
    stream_arn: String,
    shards: Vec<ShardCursor>,
    poll_interval: Duration,
}

impl Feed {
    /// Adds the shards not known yet. Shards of the first description
    /// start at `start`, except that a feed from now skips closed ones;
    /// shards that appear later hold only newer records and are read from
    /// their beginning.
    fn learn(&mut self, shards: Vec<Shard>, start: ShardIteratorType) {
        for shard in shards {
            if self.shards.iter().any(|s| s.id == shard.shard_id) {
                continue;
            }
            let closed = shard.sequence_number_range.ending_sequence_number.is_some();
            let position = if start == ShardIteratorType::Latest && closed {
                Position::Done
            } else {
                Position::Waiting
            };
            self.shards.push(ShardCursor {
                id: shard.shard_id,
                parent: shard.parent_shard_id,
                position,
                start,
                last: None,
            });
        }
    }

    /// Opens every waiting shard whose parent is read to its end (or is
    /// not in the stream any more). Returns whether one was opened.
    async fn open_ready(&mut self, streams: &dyn StreamsBackend) -> Result<bool> {
        let mut opened = false;
        for i in 0..self.shards.len() {
            let shard = &self.shards[i];
            if !matches!(shard.position, Position::Waiting) {
                continue;
            }
            let parent_done = shard.parent.as_ref().is_none_or(|parent| {
                self.shards
                    .iter()
                    .find(|s| &s.id == parent)
                    .is_none_or(|s| matches!(s.position, Position::Done))
            });
            if parent_done {
                let position = self.open(streams, i, shard.start, None).await?;
                self.shards[i].position = position;
                opened = true;
            }
        }
        Ok(opened)
    }

    async fn open(
        &self,
        streams: &dyn StreamsBackend,
        shard: usize,
        kind: ShardIteratorType,
        sequence_number: Option<String>,
    ) -> Result<Position> {
        let iterator = streams
            .get_shard_iterator(GetShardIteratorInput {
                stream_arn: self.stream_arn.clone(),
                shard_id: self.shards[shard].id.clone(),
                shard_iterator_type: kind,
                sequence_number,
            })
            .await?
            .shard_iterator;
        Ok(iterator.map_or(Position::Done, Position::Open))
    }

    /// The next records of the stream, waiting for some; `None` once the
    /// stream is disabled and read to its end.
    async fn next_records(&mut self) -> Result<Option<Vec<Record>>> {
        let client = self.client.clone();
        let streams = client.backend.streams().ok_or_else(|| {
            Error::validation(
                "this backend does not serve DynamoDB Streams, so it has no change feed",
            )
        })?;
        loop {
            let mut records = Vec::new();
            for i in 0..self.shards.len() {
                let Position::Open(iterator) = &self.shards[i].position else {
                    continue;
                };
                let input = GetRecordsInput {
                    shard_iterator: iterator.clone(),
                    limit: None,
                };
                let page = match streams.get_records(input).await {
                    Ok(page) => page,
                    Err(e) if e.error_type() == "ExpiredIteratorException" => {
                        // The consumer paused for longer than an iterator
                        // lives; reopen where it stopped, if that is known.
                        let shard = &self.shards[i];
                        let (kind, after) = match (&shard.last, shard.start) {
                            (Some(last), _) => {
                                (ShardIteratorType::AfterSequenceNumber, Some(last.clone()))
                            }
                            (None, ShardIteratorType::TrimHorizon) => {
                                (ShardIteratorType::TrimHorizon, None)
                            }
                            (None, _) => return Err(e),
                        };
                        self.shards[i].position = self.open(streams, i, kind, after).await?;
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                let shard = &mut self.shards[i];
                if let Some(last) = page.records.last() {
                    shard.last = Some(last.dynamodb.sequence_number.clone());
                }
                records.extend(page.records);
                shard.position = page
                    .next_shard_iterator
                    .map_or(Position::Done, Position::Open);
            }
            if !records.is_empty() {
                return Ok(Some(records));
            }
            if self.open_ready(streams).await? {
                continue;
            }
            let reading = self
                .shards
                .iter()
                .any(|s| !matches!(s.position, Position::Done));
            let childless = self.shards.iter().any(|s| {
                matches!(s.position, Position::Done)
                    && !self.shards.iter().any(|c| c.parent.as_ref() == Some(&s.id))
            });
            if !reading || childless {
                let stream = describe(streams, &self.stream_arn).await?;
                let known = self.shards.len();
                self.learn(stream.shards, ShardIteratorType::TrimHorizon);
                let learned = self.shards.len() > known;
                if !learned && !reading && stream.stream_status == StreamStatus::Disabled {
                    return Ok(None);
                }
                if learned && self.open_ready(streams).await? {
                    continue;
                }
            }
            client.backend.pause(self.poll_interval).await;
            // A backend whose pause returns at once must still let other
            // tasks (the writers the feed waits for) run.
            YieldNow(false).await;
        }
    }
}

/// Returns `Pending` once, having asked to be polled again.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// A round of polls: the feed and what it read.
type Round = BoxFuture<'static, (Feed, Result<Option<Vec<Record>>>)>;

/// The changes of a table as a [`futures_core::Stream`]; see
/// [`Client::changes`]. It waits for changes and never ends while the
/// stream is enabled. An error reading the stream ends it; an image that
/// does not decode is an error for that change only, and the feed goes on.
/// Not tied to the [`Client`] it came from: it can move to another task.
#[must_use = "a change stream does nothing until it is polled"]
pub struct ChangeStream<T> {
    stream_arn: String,
    view_type: StreamViewType,
    /// The feed between rounds; in `pending` during one.
    feed: Option<Feed>,
    pending: Option<Round>,
    buffer: VecDeque<Record>,
    decode: Decode<T>,
    done: bool,
}

impl<T> std::fmt::Debug for ChangeStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeStream")
            .field("stream_arn", &self.stream_arn)
            .field("view_type", &self.view_type)
            .finish_non_exhaustive()
    }
}

impl<T> ChangeStream<T> {
    /// The next change, waiting for one; `None` once the stream is
    /// disabled and read to its end (for callers without a stream
    /// combinator library).
    ///
    /// ```
    /// # async fn f<T: dynamo_core::Item>(db: &dynamo_core::Client) -> dynamo_core::Result<()> {
    /// let mut feed = db.changes::<T>().await?;
    /// if let Some(change) = feed.next().await {
    ///     println!("{:?} at {}", change?.origin, feed.stream_arn());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next(&mut self) -> Option<Result<Change<T>>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }

    /// The ARN of the stream being read.
    ///
    /// ```
    /// # async fn f<T: dynamo_core::Item>(db: &dynamo_core::Client) -> dynamo_core::Result<()> {
    /// let feed = db.changes::<T>().await?;
    /// assert!(feed.stream_arn().contains("/stream/"));
    /// # Ok(()) }
    /// ```
    pub fn stream_arn(&self) -> &str {
        &self.stream_arn
    }

    /// What the stream's records carry, so which images a [`Change`] has.
    ///
    /// ```
    /// # async fn f<T: dynamo_core::Item>(db: &dynamo_core::Client) -> dynamo_core::Result<()> {
    /// use dynamo_core::ops::StreamViewType;
    /// let feed = db.changes::<T>().await?;
    /// let has_old_images = matches!(
    ///     feed.view_type(),
    ///     StreamViewType::OldImage | StreamViewType::NewAndOldImages
    /// );
    /// # Ok(()) }
    /// ```
    pub fn view_type(&self) -> StreamViewType {
        self.view_type
    }
}

impl<T> futures_core::Stream for ChangeStream<T> {
    type Item = Result<Change<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Change<T>>>> {
        let this = self.get_mut();
        loop {
            if let Some(record) = this.buffer.pop_front() {
                match change(record, this.decode) {
                    Some(change) => return Poll::Ready(Some(change)),
                    None => continue,
                }
            }
            if this.done {
                return Poll::Ready(None);
            }
            let pending = match (&mut this.pending, this.feed.take()) {
                (Some(pending), _) => pending,
                (None, Some(mut feed)) => this.pending.insert(Box::pin(async move {
                    let records = feed.next_records().await;
                    (feed, records)
                })),
                (None, None) => return Poll::Ready(None),
            };
            let (feed, result) = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(done) => done,
            };
            this.pending = None;
            this.feed = Some(feed);
            match result {
                Ok(Some(records)) => this.buffer.extend(records),
                Ok(None) => this.done = true,
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

/// What a change did to the item, with the images the stream's view type
/// carries: `NEW_IMAGE` gives `new`, `OLD_IMAGE` gives `old`,
/// `NEW_AND_OLD_IMAGES` both, `KEYS_ONLY` neither.
///
/// ```
/// use dynamo_core::ChangeKind;
/// fn describe<T: std::fmt::Debug>(kind: &ChangeKind<T>) -> String {
///     match kind {
///         ChangeKind::Inserted { new } => format!("inserted {new:?}"),
///         ChangeKind::Modified { old, new } => format!("{old:?} became {new:?}"),
///         ChangeKind::Removed { old } => format!("removed {old:?}"),
///     }
/// }
/// assert_eq!(describe(&ChangeKind::Removed { old: Some(1) }), "removed Some(1)");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeKind<T> {
    /// A new item was written (`INSERT`).
    Inserted {
        /// The item written.
        new: Option<T>,
    },
    /// An existing item was changed (`MODIFY`).
    Modified {
        /// The item before.
        old: Option<T>,
        /// The item after.
        new: Option<T>,
    },
    /// An item was deleted (`REMOVE`).
    Removed {
        /// The item deleted.
        old: Option<T>,
    },
}

/// Who made a change.
///
/// ```
/// use dynamo_core::Origin;
/// let expired = |origin: &Origin| matches!(origin, Origin::TimeToLive);
/// assert!(!expired(&Origin::User));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A request to the table.
    User,
    /// DynamoDB itself, deleting an item whose time to live passed.
    TimeToLive,
    /// Another service identity the record names.
    Other(Identity),
}

impl Origin {
    fn of(identity: Option<Identity>) -> Self {
        match identity {
            None => Self::User,
            Some(i) if i.identity_type == "Service" && i.principal_id == SERVICE_PRINCIPAL => {
                Self::TimeToLive
            }
            Some(other) => Self::Other(other),
        }
    }
}

/// A record's position in its shard, as DynamoDB writes it (a decimal of
/// up to 40 digits). Ordered by value: within a shard, and so for the
/// changes of one item, a later change has a greater sequence number.
///
/// ```
/// use dynamo_core::SequenceNumber;
/// let (a, b) = (SequenceNumber::new("900"), SequenceNumber::new("000000000000000001000"));
/// assert!(a < b);
/// assert_eq!(b.as_str(), "000000000000000001000");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SequenceNumber(String);

impl SequenceNumber {
    /// The sequence number written as `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// As DynamoDB wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digits(&self) -> &str {
        self.0.trim_start_matches('0')
    }
}

impl Ord for SequenceNumber {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (a, b) = (self.digits(), other.digits());
        a.len()
            .cmp(&b.len())
            .then_with(|| a.cmp(b))
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for SequenceNumber {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for SequenceNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One change to an item, as the table's stream recorded it.
///
/// ```
/// use dynamo_core::{Change, ChangeKind, Origin};
/// fn expired_item<T>(change: Change<T>) -> Option<T> {
///     match change {
///         Change { kind: ChangeKind::Removed { old }, origin: Origin::TimeToLive, .. } => old,
///         _ => None,
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Change<T> {
    /// What happened, with the images the stream carries.
    pub kind: ChangeKind<T>,
    /// The item's primary key attributes (every view type has them).
    pub key: AttributeMap,
    /// Who made the change.
    pub origin: Origin,
    /// The record's position in its shard.
    pub sequence_number: SequenceNumber,
    /// When the change was made, to the second DynamoDB gives.
    pub at: SystemTime,
}

/// The change a record shows, decoded; `None` for a record of an item type
/// the feed does not read.
fn change<T>(record: Record, decode: Decode<T>) -> Option<Result<Change<T>>> {
    let stream = record.dynamodb;
    let (mut present, mut foreign) = (0, 0);
    let mut image = |image: Option<AttributeMap>| -> Result<Option<T>> {
        let Some(image) = image else {
            return Ok(None);
        };
        present += 1;
        let decoded = decode(image)?;
        foreign += usize::from(decoded.is_none());
        Ok(decoded)
    };
    let kind = (|| {
        Ok(match record.event_name {
            OperationType::Insert => ChangeKind::Inserted {
                new: image(stream.new_image)?,
            },
            OperationType::Modify => ChangeKind::Modified {
                old: image(stream.old_image)?,
                new: image(stream.new_image)?,
            },
            OperationType::Remove => ChangeKind::Removed {
                old: image(stream.old_image)?,
            },
        })
    })();
    if kind.is_ok() && present > 0 && foreign == present {
        return None;
    }
    let at = Duration::try_from_secs_f64(stream.approximate_creation_date_time)
        .map_or(UNIX_EPOCH, |since| UNIX_EPOCH + since);
    Some(kind.map(|kind| Change {
        kind,
        key: stream.keys,
        origin: Origin::of(record.user_identity),
        sequence_number: SequenceNumber(stream.sequence_number),
        at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_order_by_value_whatever_their_padding() {
        let n = SequenceNumber::new;
        assert!(n("000000000000000000009") < n("10"));
        assert!(n("99") < n("100"));
        assert!(n("4") < n("5"));
        assert_eq!(n("7").cmp(&n("7")), std::cmp::Ordering::Equal);
        assert_ne!(n("07").cmp(&n("7")), std::cmp::Ordering::Equal);
    }
}
