//! Transactions in flight: the client request tokens of TransactWriteItems
//! and the ways a test keeps transactions open so conflicts reproduce.
//!
//! A transaction normally prepares and commits under its tables' locks at
//! once, so nothing can ever see it in flight. When the engine is told to
//! hold transactions ([`TransactionHold`]), a transaction prepares (checks
//! every condition and marks its items held), waits, and only then commits;
//! meanwhile single-item writes of its items fail with
//! `TransactionConflictException` and other transactions touching them are
//! cancelled with the `TransactionConflict` reason, as on DynamoDB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

/// How long a client request token makes a transaction idempotent, from
/// when the first request with it completed.
const TOKEN_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// What the engine knows of one client request token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// A transaction with this token is running.
    InFlight { fingerprint: u128 },
    /// A transaction with this token succeeded at `completed` (engine time).
    Done {
        fingerprint: u128,
        completed: Duration,
    },
}

/// What a transaction carrying a client token may do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Run: no transaction used the token in the last 10 minutes. The
    /// token is marked in flight until [`Tokens::finish`].
    Run,
    /// Do nothing and report success: the same request already succeeded.
    Replay,
    /// A transaction with the same token and request is still running.
    InProgress,
    /// The token was used for a different request.
    Mismatch,
}

/// The client request tokens of TransactWriteItems. Checking a token and
/// marking it in flight happen in one critical section, so two concurrent
/// retries can never both apply.
#[derive(Default)]
pub(crate) struct Tokens {
    tokens: Mutex<HashMap<String, Token>>,
}

impl Tokens {
    /// Claims `token` for a request with `fingerprint` at engine time `now`.
    pub fn claim(&self, token: &str, fingerprint: u128, now: Duration) -> Claim {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.retain(|_, t| match t {
            Token::InFlight { .. } => true,
            Token::Done { completed, .. } => now.saturating_sub(*completed) < TOKEN_LIFETIME,
        });
        match tokens.get(token) {
            None => {
                tokens.insert(token.to_owned(), Token::InFlight { fingerprint });
                Claim::Run
            }
            Some(Token::InFlight { fingerprint: f } | Token::Done { fingerprint: f, .. })
                if *f != fingerprint =>
            {
                Claim::Mismatch
            }
            Some(Token::InFlight { .. }) => Claim::InProgress,
            Some(Token::Done { .. }) => Claim::Replay,
        }
    }

    /// Remembers a token that succeeded at `completed`, read back from the
    /// durable log.
    pub fn restore(&self, token: String, fingerprint: u128, completed: Duration) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.insert(
            token,
            Token::Done {
                fingerprint,
                completed,
            },
        );
    }

    /// Ends the transaction that claimed `token`: remembered for 10 minutes
    /// when it succeeded, forgotten when it did not (a retry then runs).
    pub fn finish(&self, token: &str, succeeded: bool, now: Duration) {
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.get_mut(token) {
            Some(entry @ Token::InFlight { .. }) if succeeded => {
                let Token::InFlight { fingerprint } = *entry else {
                    return;
                };
                *entry = Token::Done {
                    fingerprint,
                    completed: now,
                };
            }
            Some(Token::InFlight { .. }) => {
                tokens.remove(token);
            }
            _ => {}
        }
    }
}

/// A stable digest of a request's canonical JSON: FNV-1a (128 bits) over
/// its values with object keys sorted and every string length-prefixed, so
/// equal requests digest equally in every build and process, whatever
/// order their maps were built or printed in. Walks with its own stack.
pub(crate) fn fingerprint(value: &serde_json::Value) -> u128 {
    use serde_json::Value;
    enum Step<'a> {
        Value(&'a Value),
        Key(&'a str),
        Close(u8),
    }
    let mut hash = Fnv::new();
    let mut stack = vec![Step::Value(value)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Close(byte) => hash.byte(byte),
            Step::Key(key) => hash.text(b'k', key),
            Step::Value(Value::Null) => hash.byte(b'n'),
            Step::Value(Value::Bool(b)) => hash.byte(if *b { b't' } else { b'f' }),
            Step::Value(Value::Number(n)) => hash.text(b'#', &n.to_string()),
            Step::Value(Value::String(s)) => hash.text(b'"', s),
            Step::Value(Value::Array(items)) => {
                hash.byte(b'[');
                stack.push(Step::Close(b']'));
                stack.extend(items.iter().rev().map(Step::Value));
            }
            Step::Value(Value::Object(map)) => {
                hash.byte(b'{');
                stack.push(Step::Close(b'}'));
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                for (key, value) in entries.into_iter().rev() {
                    stack.push(Step::Value(value));
                    stack.push(Step::Key(key));
                }
            }
        }
    }
    hash.0
}

/// FNV-1a, 128 bits.
struct Fnv(u128);

impl Fnv {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn new() -> Self {
        Self(Self::OFFSET)
    }

    fn byte(&mut self, byte: u8) {
        self.0 ^= u128::from(byte);
        self.0 = self.0.wrapping_mul(Self::PRIME);
    }

    fn text(&mut self, tag: u8, text: &str) {
        self.byte(tag);
        for byte in (text.len() as u64).to_le_bytes() {
            self.byte(byte);
        }
        for &byte in text.as_bytes() {
            self.byte(byte);
        }
    }
}

/// How the engine runs TransactWriteItems.
#[derive(Clone, Debug, Default)]
pub enum TransactionHold {
    /// Prepare and commit at once (the default): no transaction is ever
    /// seen in flight.
    #[default]
    None,
    /// Keep every transaction in flight this long between prepare and
    /// commit.
    For(Duration),
    /// Keep transactions in flight until the [`TransactionGate`] is
    /// released.
    Gate(TransactionGate),
}

/// Keeps every TransactWriteItems that prepares while it is installed in
/// flight (its items held) until [`TransactionGate::release`] or the gate
/// is dropped. Get one from [`crate::Engine::hold_transactions`].
#[derive(Clone, Debug)]
pub struct TransactionGate {
    state: Arc<Mutex<GateState>>,
}

#[derive(Debug, Default)]
struct GateState {
    released: bool,
    in_flight: usize,
    wakers: Vec<Waker>,
}

impl TransactionGate {
    pub(crate) fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(GateState::default())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many transactions are waiting at the gate, prepared.
    pub fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// Waits until at least `count` transactions are in flight at the gate.
    pub async fn wait_for_in_flight(&self, count: usize) {
        std::future::poll_fn(|cx| {
            let mut state = self.lock();
            if state.in_flight >= count || state.released {
                Poll::Ready(())
            } else {
                state.wakers.push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
    }

    /// Lets every transaction at the gate commit, and every later one run
    /// straight through.
    pub fn release(&self) {
        let wakers = {
            let mut state = self.lock();
            state.released = true;
            std::mem::take(&mut state.wakers)
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    pub(crate) fn is_released(&self) -> bool {
        self.lock().released
    }

    /// Waits at the gate, counted as in flight, until it is released.
    pub(crate) async fn pass(&self) {
        let _counted = InFlight::enter(self);
        std::future::poll_fn(|cx| {
            let mut state = self.lock();
            if state.released {
                Poll::Ready(())
            } else {
                state.wakers.push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
    }

    fn changed(&self, change: impl FnOnce(&mut GateState)) {
        let wakers = {
            let mut state = self.lock();
            change(&mut state);
            std::mem::take(&mut state.wakers)
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// Counts a transaction at a gate while it waits (also when the waiting
/// future is dropped).
struct InFlight<'a>(&'a TransactionGate);

impl<'a> InFlight<'a> {
    fn enter(gate: &'a TransactionGate) -> Self {
        gate.changed(|s| s.in_flight += 1);
        Self(gate)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.changed(|s| s.in_flight -= 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_key_order_and_are_stable_across_builds() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":[1,"x",{"d":null,"c":true}],"a":"y"}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":"y","b":[1,"x",{"c":true,"d":null}]}"#).unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        // Pinned: a change here breaks tokens persisted by older versions.
        assert_eq!(
            fingerprint(&a),
            0xafb6_198f_246a_4ee7_4609_fb9d_a4dc_7a3f,
            "{:#x}",
            fingerprint(&a)
        );
        let c: serde_json::Value = serde_json::from_str(r#"{"a":"yb","b":[]}"#).unwrap();
        let d: serde_json::Value = serde_json::from_str(r#"{"a":"y","b":["b"]}"#).unwrap();
        assert_ne!(fingerprint(&c), fingerprint(&d));
    }

    #[test]
    fn a_token_in_flight_is_in_progress_and_a_failed_one_runs_again() {
        let tokens = Tokens::default();
        let now = Duration::from_secs(100);
        assert_eq!(tokens.claim("t", 1, now), Claim::Run);
        assert_eq!(tokens.claim("t", 1, now), Claim::InProgress);
        assert_eq!(tokens.claim("t", 2, now), Claim::Mismatch);
        tokens.finish("t", false, now);
        assert_eq!(tokens.claim("t", 1, now), Claim::Run);
        tokens.finish("t", true, now);
        assert_eq!(tokens.claim("t", 1, now), Claim::Replay);
        assert_eq!(tokens.claim("t", 2, now), Claim::Mismatch);
        let later = now + TOKEN_LIFETIME;
        assert_eq!(tokens.claim("t", 2, later), Claim::Run);
    }
}
