//! Simulated replicas for eventually consistent reads.
//!
//! Each table has [`REPLICAS`] replicas, each applying the table's change
//! log a fixed delay after each commit (drawn, per table, from the engine's
//! seeded generator between half the configured lag and all of it). An
//! eventually consistent read is served by one replica, chosen by the same
//! generator. A replica shows the table as it was after some record of the
//! log: every record committed at least its delay ago, never a part of a
//! transaction (a transaction's records share their commit time), and never
//! less than it showed before, so it moves forward and converges once
//! writes stop. Strong reads, conditions and transactions read the table.
//!
//! A replica's state is not stored: a read computes the difference between
//! the table now and the table after the replica's position from the log
//! records since (an [`Overlay`]), so replicas cost nothing while the lag is
//! zero and the log records in the lag window while it is not.

use crate::key::PrimaryKey;
use crate::log::Change;
use crate::table::{EntryKey, Slot, StoredItem, Table, TableState};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Replicas per table, as DynamoDB keeps three copies.
pub(crate) const REPLICAS: usize = 3;

/// The entries of one store that differ between now and a replica's
/// position: `Some` an entry as the replica has it, `None` an entry the
/// replica does not have.
pub(crate) type StoreOverlay = BTreeMap<Slot, BTreeMap<EntryKey, Option<StoredItem>>>;

/// How a replica's view differs from the table: for the table's items and
/// for each index, in the table's index order.
#[derive(Default)]
pub(crate) struct Overlay {
    pub base: StoreOverlay,
    pub indexes: Vec<StoreOverlay>,
}

impl Overlay {
    /// The table item under `position` as the replica has it.
    pub fn table_item<'a>(
        &'a self,
        state: &'a TableState,
        position: &crate::table::Position,
    ) -> Option<&'a StoredItem> {
        match self
            .base
            .get(&position.slot)
            .and_then(|p| p.get(&position.entry))
        {
            Some(then) => then.as_ref(),
            None => state.base().get(position),
        }
    }
}

/// The replicas of one table.
pub(crate) struct Replicas {
    delays: Mutex<[Duration; REPLICAS]>,
    /// Whether every replica applies at once (no lag, not held), read on
    /// every eventual read without a lock.
    in_step: AtomicBool,
    /// The last record each replica has shown.
    shown: [AtomicU64; REPLICAS],
    /// A position every replica is held at, when set.
    held: Mutex<Option<u64>>,
    chooser: Mutex<u64>,
}

/// splitmix64: the engine's deterministic generator.
pub(crate) fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Replicas {
    /// Replicas lagging between `lag / 2` and `lag`, drawn from `seed`.
    pub fn new(lag: Duration, seed: u64) -> Self {
        let mut state = seed;
        let delays = delays(lag, &mut state);
        Self {
            in_step: AtomicBool::new(delays.iter().all(Duration::is_zero)),
            delays: Mutex::new(delays),
            shown: std::array::from_fn(|_| AtomicU64::new(0)),
            held: Mutex::new(None),
            chooser: Mutex::new(next_random(&mut state)),
        }
    }

    /// Lags between `lag / 2` and `lag` from now on (drawn from the
    /// generator that chooses replicas). A replica never moves back: what
    /// it showed stays shown.
    pub fn set_lag(&self, lag: Duration) {
        let mut chooser = self.chooser.lock().unwrap_or_else(|e| e.into_inner());
        let drawn = delays(lag, &mut chooser);
        *self.delays.lock().unwrap_or_else(|e| e.into_inner()) = drawn;
        drop(chooser);
        self.update_in_step();
    }

    /// Whether every replica applies at once (lag zero and not held).
    pub fn in_step(&self) -> bool {
        self.in_step.load(Ordering::Acquire)
    }

    /// Recomputes [`Replicas::in_step`] after a change of lag or hold.
    fn update_in_step(&self) {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let delays = self.delays.lock().unwrap_or_else(|e| e.into_inner());
        self.in_step.store(
            held.is_none() && delays.iter().all(Duration::is_zero),
            Ordering::Release,
        );
    }

    /// Holds every replica at its current position until
    /// [`Replicas::release`]: eventual reads then show the table as it is
    /// now, whatever is written after.
    pub fn hold(&self, state: &TableState) {
        let latest = state.log().next_seq().saturating_sub(1);
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = Some(latest);
        self.update_in_step();
    }

    /// Lets held replicas move on.
    pub fn release(&self) {
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.update_in_step();
    }

    /// The position of the replica that serves the next eventual read: the
    /// last record it shows.
    pub fn position(&self, state: &TableState, now: Duration) -> u64 {
        let latest = state.log().next_seq().saturating_sub(1);
        if let Some(held) = *self.held.lock().unwrap_or_else(|e| e.into_inner()) {
            return held.min(latest);
        }
        let replica = {
            let mut chooser = self.chooser.lock().unwrap_or_else(|e| e.into_inner());
            (next_random(&mut chooser) % REPLICAS as u64) as usize
        };
        let delay = self.delays.lock().unwrap_or_else(|e| e.into_inner())[replica];
        let cutoff = now.saturating_sub(delay);
        // The newest record committed by the cutoff; records the log no
        // longer keeps are older than any replica's delay.
        let mut visible = latest;
        for record in state.log().records_newest_first() {
            if record.commit.at <= cutoff {
                break;
            }
            visible = record.seq - 1;
        }
        let shown = &self.shown[replica];
        let position = visible.max(shown.load(Ordering::Relaxed)).min(latest);
        shown.fetch_max(position, Ordering::Relaxed);
        position
    }
}

/// Each replica's delay, between `lag / 2` and `lag`, drawn from `state`.
fn delays(lag: Duration, state: &mut u64) -> [Duration; REPLICAS] {
    let nanos = u64::try_from(lag.as_nanos()).unwrap_or(u64::MAX);
    std::array::from_fn(|_| {
        let spread = nanos / 2;
        let extra = if spread == 0 {
            0
        } else {
            next_random(state) % (spread + 1)
        };
        Duration::from_nanos(nanos - spread + extra)
    })
}

/// The difference between the table now and after record `position`.
pub(crate) fn overlay(table: &Table, state: &TableState, position: u64) -> Overlay {
    let mut first_old: HashMap<&PrimaryKey, Option<&StoredItem>> = HashMap::new();
    for record in state.log().records_from(position + 1) {
        if let Change::Item { key, old, .. } = &record.change {
            first_old.entry(key).or_insert(old.as_ref());
        }
    }
    let mut overlay = Overlay {
        base: StoreOverlay::new(),
        indexes: vec![StoreOverlay::new(); state.indexes().len()],
    };
    for (key, then) in first_old {
        let at = table.schema.position(key);
        let now = state.base().get(&at);
        overlay
            .base
            .entry(at.slot)
            .or_default()
            .insert(at.entry, then.cloned());
        for (index, changes) in state.indexes().iter().zip(&mut overlay.indexes) {
            if let Some(current) = now.and_then(|n| index.def.position_of(key, &n.item())) {
                changes
                    .entry(current.slot)
                    .or_default()
                    .insert(current.entry, None);
            }
            if let Some(then) = then
                && let Ok(Some((at, entry))) = index.def.entry_for(key, &then.item())
            {
                changes
                    .entry(at.slot)
                    .or_default()
                    .insert(at.entry, Some(entry));
            }
        }
    }
    overlay
}

/// Entries of one partition as a replica has them: `current` in order,
/// with `changes` (in the same order) replacing or hiding entries.
pub(crate) struct Merged<'a, A, B>
where
    A: Iterator<Item = (&'a EntryKey, &'a StoredItem)>,
    B: Iterator<Item = (&'a EntryKey, &'a Option<StoredItem>)>,
{
    current: std::iter::Peekable<A>,
    changes: std::iter::Peekable<B>,
    forward: bool,
}

impl<'a, A, B> Merged<'a, A, B>
where
    A: Iterator<Item = (&'a EntryKey, &'a StoredItem)>,
    B: Iterator<Item = (&'a EntryKey, &'a Option<StoredItem>)>,
{
    pub fn new(current: A, changes: B, forward: bool) -> Self {
        Self {
            current: current.peekable(),
            changes: changes.peekable(),
            forward,
        }
    }
}

impl<'a, A, B> Iterator for Merged<'a, A, B>
where
    A: Iterator<Item = (&'a EntryKey, &'a StoredItem)>,
    B: Iterator<Item = (&'a EntryKey, &'a Option<StoredItem>)>,
{
    type Item = (&'a EntryKey, &'a StoredItem);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let order = match (self.current.peek(), self.changes.peek()) {
                (None, None) => return None,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some((a, _)), Some((b, _))) if self.forward => a.cmp(b),
                (Some((a, _)), Some((b, _))) => b.cmp(a),
            };
            match order {
                std::cmp::Ordering::Less => {
                    return self.current.next();
                }
                std::cmp::Ordering::Equal => {
                    self.current.next();
                }
                std::cmp::Ordering::Greater => {}
            }
            if let Some((key, Some(value))) = self.changes.next() {
                return Some((key, value));
            }
        }
    }
}
