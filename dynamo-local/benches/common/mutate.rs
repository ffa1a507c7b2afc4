//! Byte-level mutation of a valid input: insert, delete, duplicate, swap and
//! flip bytes, splice tokens from a dictionary, and insert long runs of one
//! token (`(`, `NOT `, `a.`, ...) sized to land on and around the limits
//! (32 levels, 300 operators, 4096 bytes).

use super::rng::Rng;

/// Run lengths worth hitting exactly: the limits and one either side.
const RUN_LENGTHS: &[usize] = &[
    31, 32, 33, 99, 100, 101, 127, 128, 129, 299, 300, 301, 1000, 2047, 2048, 4095, 4096, 5000,
    20_000,
];

/// A run length: small, at a limit, or filling up to `fill` bytes.
pub fn run_length(rng: &mut Rng, unit: usize, fill: usize) -> usize {
    match rng.below(3) {
        0 => rng.range(1, 12),
        1 => *rng.pick(RUN_LENGTHS),
        _ => (fill / unit.max(1)).max(1),
    }
}

/// Applies `count` random mutations to `data`, drawing spliced tokens from
/// `dictionary`. `limit` is the size the runs aim to fill up to.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, dictionary: &[&[u8]], count: usize, limit: usize) {
    for _ in 0..count {
        mutate_once(rng, data, dictionary, limit);
    }
}

fn position(rng: &mut Rng, data: &[u8]) -> usize {
    rng.below(data.len() + 1)
}

fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, dictionary: &[&[u8]], limit: usize) {
    let len = data.len();
    match rng.below(13) {
        // Insert a random byte, or an interesting one.
        0 => {
            let at = position(rng, data);
            let byte = if rng.coin() {
                rng.next_u64() as u8
            } else {
                *rng.pick(b"()[]{},.:#=<>\"\\ \t\r\n\0+-'")
            };
            data.insert(at, byte);
        }
        // Delete a range.
        1 if len > 0 => {
            let at = rng.below(len);
            let n = rng.range(1, (len - at).min(16));
            data.drain(at..at + n);
        }
        // Duplicate a range in place.
        2 if len > 0 => {
            let at = rng.below(len);
            let n = rng.range(1, (len - at).min(64));
            let copy = data[at..at + n].to_vec();
            let to = position(rng, data);
            data.splice(to..to, copy);
        }
        // Swap two bytes.
        3 if len > 1 => {
            let (i, j) = (rng.below(len), rng.below(len));
            data.swap(i, j);
        }
        // Flip a bit.
        4 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        // Overwrite a byte with a random one.
        5 if len > 0 => {
            let i = rng.below(len);
            data[i] = rng.next_u64() as u8;
        }
        // Splice a dictionary token in.
        6 | 7 if !dictionary.is_empty() => {
            let token = *rng.pick(dictionary);
            let at = position(rng, data);
            data.splice(at..at, token.iter().copied());
        }
        // Replace a range with a token.
        8 if !dictionary.is_empty() && len > 0 => {
            let token = *rng.pick(dictionary);
            let at = rng.below(len);
            let n = rng.range(1, (len - at).min(8));
            data.splice(at..at + n, token.iter().copied());
        }
        // A long run of one token (deep nesting, many operators).
        9 | 10 if !dictionary.is_empty() => {
            let token = *rng.pick(dictionary);
            let n = run_length(rng, token.len(), limit.saturating_sub(len));
            let at = position(rng, data);
            let run: Vec<u8> = token
                .iter()
                .copied()
                .cycle()
                .take(token.len() * n)
                .collect();
            data.splice(at..at, run);
        }
        // Truncate.
        11 if len > 0 => {
            let at = rng.below(len);
            data.truncate(at);
        }
        // Move a range elsewhere (token transposition).
        _ if len > 1 => {
            let at = rng.below(len);
            let n = rng.range(1, (len - at).min(16));
            let moved: Vec<u8> = data.drain(at..at + n).collect();
            let to = position(rng, data);
            data.splice(to..to, moved);
        }
        _ => data.push(rng.next_u64() as u8),
    }
}

/// A string of random bytes biased towards `alphabet`.
pub fn soup(rng: &mut Rng, alphabet: &[&[u8]], max: usize) -> Vec<u8> {
    let len = rng.small(max);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        if rng.one_in(4) {
            out.push(rng.next_u64() as u8);
        } else {
            out.extend_from_slice(rng.pick::<&[u8]>(alphabet));
        }
    }
    out
}

/// `text` with invalid UTF-8 replaced, for APIs taking `&str`.
pub fn lossy(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}
