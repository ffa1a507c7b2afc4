//! Durable mode: the change log written to a file, and read back at start.
//!
//! A durable engine keeps its data directory locked (`LOCK`, an advisory
//! exclusive lock held while the engine lives) and appends every commit to
//! `wal.log` before the request that made it is answered: the records of
//! one table's writer when it releases the table, the records of a whole
//! transaction (every table, and its client token) as one frame while it
//! still holds all its tables. A frame is
//!
//! ```text
//! frame := length:u32 crc32:u32 body          (little-endian; crc of body)
//! body  := frame_seq:u64 written_at:u64 count:varint entry{count}
//! entry := 1 table_id:bytes seq:u64 at:u64 origin:u8 txn:u64 change
//!        | 2 table_id:bytes                    the table was deleted
//!        | 3 token:bytes fingerprint:u128 completed:u64
//! change := 1 key stored_item:bytes | 2 key | 3 table_change_json:bytes
//! key   := keyvalue has_sort:u8 [keyvalue]
//! keyvalue := 0 bytes (S) | 1 bytes (N, canonical text) | 2 bytes (B)
//! ```
//!
//! with times in nanoseconds since the epoch, item images in their stored
//! form (ADR 0007) and control-plane changes as JSON. Recovery reads frames
//! in order and stops at the first that is incomplete, fails its checksum or
//! does not decode, truncating the file there, so it never loads garbage and
//! always loads a prefix of what was written: a state that existed.
//!
//! `Sync::Os` (the default) hands each frame to the operating system with
//! `write(2)` before answering: the write survives the process being killed
//! (`kill -9`), not the machine losing power. `Sync::Fsync` also waits for
//! `fdatasync` before answering: it survives power loss, at the cost of a
//! disk flush per frame.

use crate::key::PrimaryKey;
use crate::log::{Change, ChangeRecord, Commit, Origin, TableChange};
use crate::stored::{StoredItem, bytes, varint};
use dynamo_core::KeyValue;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// When a durable engine answers a write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sync {
    /// Once its log record reached the operating system: survives the
    /// process being killed, not a power loss.
    #[default]
    Os,
    /// Once its log record was flushed to the disk with `fdatasync`:
    /// survives a power loss.
    Fsync,
}

/// Why a data directory could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Another engine (in this or another process) has the directory open.
    #[error("data directory {0} is in use by another dynamo-local engine")]
    InUse(PathBuf),
    /// The directory or its files could not be read or written.
    #[error("data directory {path}: {source}")]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The log holds a record that cannot be applied (written by a
    /// different version, or damaged in a way its checksum cannot see).
    #[error("data directory {path}: the log of table {table} cannot be replayed: {reason}")]
    Replay {
        /// The directory.
        path: PathBuf,
        /// The table's identifier.
        table: String,
        /// Why.
        reason: String,
    },
}

/// One thing a frame records.
#[derive(Debug)]
pub(crate) enum Entry {
    Record {
        table_id: String,
        record: Box<ChangeRecord>,
    },
    TableDeleted {
        table_id: String,
    },
    Token {
        token: String,
        fingerprint: u128,
        completed: Duration,
    },
}

/// The durable log of an engine.
pub(crate) struct Durable {
    path: PathBuf,
    sync: Sync,
    wal: Mutex<Wal>,
    /// Set when a frame could not be written: the engine then refuses
    /// every further request, since what it holds is no longer what the
    /// disk holds.
    failed: AtomicBool,
    /// The advisory lock on `LOCK`, held while the engine lives.
    _lock: File,
}

struct Wal {
    file: File,
    next_frame: u64,
}

/// What a data directory held when opened.
pub(crate) struct Recovered {
    pub durable: Durable,
    pub entries: Vec<Entry>,
    /// Bytes cut from the end of the log because they were not a whole,
    /// valid frame.
    pub truncated: u64,
}

impl Durable {
    /// Opens (creating if needed) the data directory `path`, locks it, and
    /// reads back its log.
    pub fn open(path: &Path, sync: Sync) -> Result<Recovered, OpenError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| OpenError::Io { path, source }
        };
        std::fs::create_dir_all(path).map_err(io(path))?;
        let lock_path = path.join("LOCK");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OpenError::InUse(path.to_owned()));
            }
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(OpenError::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        let wal_path = path.join("wal.log");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .append(true)
            .open(&wal_path)
            .map_err(io(&wal_path))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io(&wal_path))?;
        let (entries, valid, next_frame) = read_frames(&bytes);
        let truncated = (bytes.len() - valid) as u64;
        if truncated > 0 {
            file.set_len(valid as u64).map_err(io(&wal_path))?;
            file.sync_all().map_err(io(&wal_path))?;
        }
        Ok(Recovered {
            durable: Durable {
                path: path.to_owned(),
                sync,
                wal: Mutex::new(Wal { file, next_frame }),
                failed: AtomicBool::new(false),
                _lock: lock,
            },
            entries,
            truncated,
        })
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a frame failed to reach the disk.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Writes `entries` as one frame, before the caller answers.
    pub fn write(&self, entries: &[EntryRef<'_>], now: Duration) {
        let mut wal = self.wal.lock().unwrap_or_else(|e| e.into_inner());
        let count: usize = entries.iter().map(EntryRef::count).sum();
        if count == 0 {
            return;
        }
        // The header's length and checksum are filled in once the body,
        // written right after them, is complete: one buffer, no copy.
        let mut frame = vec![0u8; 8];
        frame.extend_from_slice(&wal.next_frame.to_le_bytes());
        frame.extend_from_slice(&nanos(now).to_le_bytes());
        varint(&mut frame, count as u128);
        for entry in entries {
            encode_entry(&mut frame, entry);
        }
        let length = u32::try_from(frame.len() - 8).unwrap_or(u32::MAX);
        let crc = crc32fast::hash(&frame[8..]);
        frame[..4].copy_from_slice(&length.to_le_bytes());
        frame[4..8].copy_from_slice(&crc.to_le_bytes());
        let written = wal.file.write_all(&frame).and_then(|()| match self.sync {
            Sync::Os => Ok(()),
            Sync::Fsync => wal.file.sync_data(),
        });
        match written {
            Ok(()) => wal.next_frame += 1,
            Err(error) => {
                tracing::error!(
                    directory = %self.path.display(),
                    %error,
                    "a log frame could not be written; refusing every further request"
                );
                self.failed.store(true, Ordering::Release);
            }
        }
    }
}

/// An entry to write, borrowing what it records.
pub(crate) enum EntryRef<'a> {
    Records {
        table_id: &'a str,
        records: &'a [ChangeRecord],
    },
    TableDeleted {
        table_id: &'a str,
    },
    Token {
        token: &'a str,
        fingerprint: u128,
        completed: Duration,
    },
}

impl EntryRef<'_> {
    fn count(&self) -> usize {
        match self {
            Self::Records { records, .. } => records.len(),
            Self::TableDeleted { .. } | Self::Token { .. } => 1,
        }
    }
}

fn nanos(at: Duration) -> u64 {
    u64::try_from(at.as_nanos()).unwrap_or(u64::MAX)
}

fn key_value(out: &mut Vec<u8>, value: &KeyValue) {
    match value {
        KeyValue::S(s) => {
            out.push(0);
            bytes(out, s.as_bytes());
        }
        KeyValue::N(n) => {
            out.push(1);
            bytes(out, n.to_string().as_bytes());
        }
        KeyValue::B(b) => {
            out.push(2);
            bytes(out, b);
        }
    }
}

fn key(out: &mut Vec<u8>, key: &PrimaryKey) {
    key_value(out, &key.partition);
    match &key.sort {
        None => out.push(0),
        Some(sort) => {
            out.push(1);
            key_value(out, sort);
        }
    }
}

/// Encodes one entry other than a table's records.
fn encode_entry(out: &mut Vec<u8>, entry: &EntryRef<'_>) {
    match entry {
        EntryRef::Records { records, table_id } => {
            for record in records.iter() {
                encode_record(out, table_id, record);
            }
        }
        EntryRef::TableDeleted { table_id } => {
            out.push(2);
            bytes(out, table_id.as_bytes());
        }
        EntryRef::Token {
            token,
            fingerprint,
            completed,
        } => {
            out.push(3);
            bytes(out, token.as_bytes());
            out.extend_from_slice(&fingerprint.to_le_bytes());
            out.extend_from_slice(&nanos(*completed).to_le_bytes());
        }
    }
}

fn encode_record(out: &mut Vec<u8>, table_id: &str, record: &ChangeRecord) {
    out.push(1);
    bytes(out, table_id.as_bytes());
    out.extend_from_slice(&record.seq.to_le_bytes());
    out.extend_from_slice(&nanos(record.commit.at).to_le_bytes());
    out.push(match record.commit.origin {
        Origin::User => 0,
        Origin::TimeToLive => 1,
        Origin::Restore => 2,
    });
    out.extend_from_slice(&record.commit.transaction.unwrap_or(0).to_le_bytes());
    match &record.change {
        Change::Item {
            key: k,
            new: Some(new),
            ..
        } => {
            out.push(1);
            key(out, k);
            bytes(out, new.as_bytes());
        }
        Change::Item {
            key: k, new: None, ..
        } => {
            out.push(2);
            key(out, k);
        }
        Change::Table(change) => {
            out.push(3);
            let json = serde_json::to_vec(change).unwrap_or_default();
            bytes(out, &json);
        }
    }
}

/// Reads whole, valid frames from the start of `bytes`: their entries, the
/// length of the valid prefix, and the next frame number.
fn read_frames(bytes: &[u8]) -> (Vec<Entry>, usize, u64) {
    let mut entries = Vec::new();
    let mut at = 0;
    let mut next_frame = 1;
    while let Some((frame, len)) = frame_at(&bytes[at..]) {
        let mut reader = Reader { bytes: frame };
        let Some((seq, decoded)) = decode_body(&mut reader) else {
            break;
        };
        if seq != next_frame || !reader.bytes.is_empty() {
            break;
        }
        entries.extend(decoded);
        next_frame += 1;
        at += len;
    }
    (entries, at, next_frame)
}

/// The body of the frame at the start of `bytes` and the frame's length,
/// when it is whole and its checksum matches.
fn frame_at(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let length = u32::from_le_bytes(bytes.get(0..4)?.try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?);
    let body = bytes.get(8..8usize.checked_add(length)?)?;
    (crc32fast::hash(body) == crc).then_some((body, 8 + length))
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(taken)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn raw(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        self.take(len)
    }

    fn text(&mut self) -> Option<String> {
        std::str::from_utf8(self.raw()?).ok().map(str::to_owned)
    }

    fn key_value(&mut self) -> Option<KeyValue> {
        match self.byte()? {
            0 => Some(KeyValue::S(self.text()?)),
            1 => Some(KeyValue::N(self.text()?.parse().ok()?)),
            2 => Some(KeyValue::B(self.raw()?.to_vec())),
            _ => None,
        }
    }

    fn key(&mut self) -> Option<PrimaryKey> {
        let partition = self.key_value()?;
        let sort = match self.byte()? {
            0 => None,
            1 => Some(self.key_value()?),
            _ => return None,
        };
        Some(PrimaryKey { partition, sort })
    }
}

fn decode_body(reader: &mut Reader<'_>) -> Option<(u64, Vec<Entry>)> {
    let seq = reader.u64()?;
    let _written_at = reader.u64()?;
    let count = usize::try_from(reader.varint()?).ok()?;
    if count > reader.bytes.len() {
        return None;
    }
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        entries.push(decode_entry(reader)?);
    }
    Some((seq, entries))
}

fn decode_entry(reader: &mut Reader<'_>) -> Option<Entry> {
    match reader.byte()? {
        1 => {
            let table_id = reader.text()?;
            let seq = reader.u64()?;
            let at = Duration::from_nanos(reader.u64()?);
            let origin = match reader.byte()? {
                0 => Origin::User,
                1 => Origin::TimeToLive,
                2 => Origin::Restore,
                _ => return None,
            };
            let transaction = Some(reader.u64()?).filter(|t| *t != 0);
            let change = match reader.byte()? {
                1 => {
                    let key = reader.key()?;
                    let new = StoredItem::from_bytes(reader.raw()?).ok()?;
                    Change::Item {
                        key,
                        old: None,
                        new: Some(new),
                    }
                }
                2 => Change::Item {
                    key: reader.key()?,
                    old: None,
                    new: None,
                },
                3 => Change::Table(serde_json::from_slice::<TableChange>(reader.raw()?).ok()?),
                _ => return None,
            };
            Some(Entry::Record {
                table_id,
                record: Box::new(ChangeRecord {
                    seq,
                    commit: Commit {
                        at,
                        origin,
                        transaction,
                    },
                    change,
                }),
            })
        }
        2 => Some(Entry::TableDeleted {
            table_id: reader.text()?,
        }),
        3 => Some(Entry::Token {
            token: reader.text()?,
            fingerprint: reader.u128()?,
            completed: Duration::from_nanos(reader.u64()?),
        }),
        _ => None,
    }
}
