//! The change log: every committed mutation of a table, in commit order.
//!
//! A table's [`TableWriter`](crate::table::TableWriter) appends one
//! [`ChangeRecord`] per item it changes and per control-plane change, while
//! it holds the table's write lock, so the log's order is the order in which
//! readers could observe the changes. Sequence numbers start at 1 and grow
//! by one per record, per table. What the log keeps is decided by its
//! [`Retention`]: nothing beyond the sequence counter by default, every
//! record for as long as asked (Streams keep 24 hours).
//!
//! Item images are shared with the table's storage (`Arc`), so keeping a
//! record costs its key and bookkeeping, not a copy of the item.

use crate::key::{IndexDef, KeySchema, PrimaryKey};
use crate::table::StoredItem;
use dynamo_core::schema::{
    AttributeDefinition, BillingMode, ProvisionedThroughputDescription, TimeToLiveSpecification,
};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A client's request.
    User,
    /// The TTL sweeper deleting an expired item (Streams mark these).
    TimeToLive,
    /// Rebuilding a table from its log (restores, recovery).
    Restore,
}

/// How one change was committed: shared by every record of one request.
#[derive(Clone, Debug)]
pub(crate) struct Commit {
    /// The commit time by the engine's clock, since the Unix epoch.
    pub at: Duration,
    /// Who made the change.
    pub origin: Origin,
    /// The transaction the change belongs to, if any (engine-unique).
    pub transaction: Option<u64>,
}

impl Commit {
    /// A change made by a client's request outside any transaction.
    pub fn user(at: Duration) -> Self {
        Self {
            at,
            origin: Origin::User,
            transaction: None,
        }
    }
}

/// What a record changed.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    /// An item was inserted (`old` is `None`), modified, or removed (`new`
    /// is `None`). Never both `None`, never equal.
    Item {
        key: PrimaryKey,
        old: Option<StoredItem>,
        new: Option<StoredItem>,
    },
    /// A control-plane change.
    Table(TableChange),
}

/// A control-plane change, carrying what it set rather than what can be
/// recomputed, so that replaying the log rebuilds the table as it was.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) enum TableChange {
    /// The table was created with this identity, schema and settings
    /// (its indexes and tags follow as their own records).
    Created {
        name: String,
        arn: String,
        id: String,
        creation_date_time: f64,
        schema: KeySchema,
        attribute_definitions: Vec<AttributeDefinition>,
        billing_mode: BillingMode,
        throughput: ProvisionedThroughputDescription,
    },
    /// Billing mode and provisioned throughput were set.
    Billing {
        mode: BillingMode,
        throughput: ProvisionedThroughputDescription,
    },
    /// The attribute definitions were replaced.
    AttributeDefinitions(Vec<AttributeDefinition>),
    /// An index was added (and filled from the table's items).
    IndexAdded(Arc<IndexDef>),
    /// An index's provisioned throughput was set.
    IndexThroughput {
        name: String,
        throughput: ProvisionedThroughputDescription,
    },
    /// An index was removed.
    IndexRemoved(String),
    /// Time to live was enabled with this specification, or disabled.
    TimeToLive(Option<TimeToLiveSpecification>),
    /// The tags are now these.
    Tags(BTreeMap<String, String>),
    /// A stream was enabled; it receives the records that follow.
    StreamEnabled(Arc<StreamInfo>),
    /// The current stream was disabled; it received the records before.
    StreamDisabled,
}

/// A table's stream: its identity and what its records carry.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct StreamInfo {
    pub arn: String,
    pub label: String,
    pub view_type: dynamo_core::ops::StreamViewType,
    /// When it was enabled, in epoch seconds.
    pub created: f64,
    /// The sequence number of the first record it can hold.
    pub first_seq: u64,
}

/// One committed change.
#[derive(Clone, Debug)]
pub(crate) struct ChangeRecord {
    /// Position in the table's log, from 1.
    pub seq: u64,
    /// How it was committed.
    pub commit: Commit,
    /// What changed.
    pub change: Change,
}

/// How long Streams keep records.
pub(crate) const STREAM_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// What a log keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Retention {
    /// Nothing but the sequence counter: no feature reads the log.
    #[default]
    Nothing,
    /// Records younger than this, by commit time.
    For(Duration),
    /// Every record (tests, and replaying a table).
    Everything,
}

/// One table's change log.
#[derive(Debug, Default)]
pub(crate) struct ChangeLog {
    records: VecDeque<ChangeRecord>,
    next_seq: u64,
    retention: Retention,
    /// Whether appended records are also kept for the durable log until
    /// taken (a durable engine's tables).
    capture: bool,
    /// Records appended since the durable log last took them.
    pending: Vec<ChangeRecord>,
}

impl ChangeLog {
    pub fn new(retention: Retention) -> Self {
        Self {
            records: VecDeque::new(),
            next_seq: 1,
            retention,
            capture: false,
            pending: Vec::new(),
        }
    }

    /// Keeps every record appended from now on for [`ChangeLog::take_pending`].
    pub fn capture(&mut self) {
        self.capture = true;
    }

    /// The records appended since the last call, for the durable log.
    pub fn take_pending(&mut self) -> Vec<ChangeRecord> {
        std::mem::take(&mut self.pending)
    }

    /// Appends a record, then forgets what the retention no longer keeps.
    pub fn append(&mut self, commit: &Commit, change: Change) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.capture {
            self.pending.push(ChangeRecord {
                seq,
                commit: commit.clone(),
                change: change.clone(),
            });
        }
        match self.retention {
            Retention::Nothing => return,
            Retention::For(_) | Retention::Everything => {}
        }
        debug_assert!(
            self.records.back().is_none_or(|last| last.seq + 1 == seq),
            "kept records are contiguous"
        );
        self.records.push_back(ChangeRecord {
            seq,
            commit: commit.clone(),
            change,
        });
        if let Retention::For(keep) = self.retention {
            let horizon = commit.at.saturating_sub(keep);
            while self.records.front().is_some_and(|r| r.commit.at < horizon) {
                self.records.pop_front();
            }
        }
    }

    /// The records kept, oldest first.
    #[cfg(test)]
    pub fn records(&self) -> impl Iterator<Item = &ChangeRecord> {
        self.records.iter()
    }

    /// The sequence number the next record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The records kept, newest first.
    pub fn records_newest_first(&self) -> impl Iterator<Item = &ChangeRecord> {
        self.records.iter().rev()
    }

    /// The oldest record kept, if any.
    pub fn oldest_seq(&self) -> Option<u64> {
        self.records.front().map(|r| r.seq)
    }

    /// The records from sequence number `from` on (fewer if trimmed).
    pub fn records_from(&self, from: u64) -> impl Iterator<Item = &ChangeRecord> {
        let skip = self
            .oldest_seq()
            .map_or(0, |oldest| from.saturating_sub(oldest));
        self.records
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
    }

    /// Keeps at least what `retention` keeps from now on.
    pub fn retain_at_least(&mut self, retention: Retention) {
        self.retention = match (self.retention, retention) {
            (Retention::Everything, _) | (_, Retention::Everything) => Retention::Everything,
            (Retention::For(a), Retention::For(b)) => Retention::For(a.max(b)),
            (Retention::For(a), Retention::Nothing) | (Retention::Nothing, Retention::For(a)) => {
                Retention::For(a)
            }
            (Retention::Nothing, Retention::Nothing) => Retention::Nothing,
        };
    }
}
