//! A small seeded PRNG (SplitMix64). Every fuzz input is generated from its
//! own generator seeded by `(seed, index)`, so input `i` of a run can be
//! regenerated alone (`--seed S --start i --inputs 1`) without replaying the
//! inputs before it.

/// SplitMix64: tiny, fast, and good enough to drive generators.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator seeded by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: mix(seed) }
    }

    /// The generator of input `index` of the run seeded by `seed`.
    pub fn for_input(seed: u64, index: u64) -> Self {
        Self::new(mix(seed ^ 0x5851_f42d_4c95_7f2d).wrapping_add(mix(index)))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.state)
    }

    /// A number in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// A fair coin.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A size skewed towards small values but reaching `max`: half of the
    /// draws are below 8.
    pub fn small(&mut self, max: usize) -> usize {
        match self.below(4) {
            0 | 1 => self.below(max.min(8) + 1),
            2 => self.below(max.min(64) + 1),
            _ => self.below(max + 1),
        }
    }

    /// Random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}
