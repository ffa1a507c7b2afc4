//! DynamoDB's reserved words, which cannot be used as bare attribute names
//! in expressions (matching is case-insensitive).

use std::collections::HashSet;
use std::sync::LazyLock;

static RESERVED: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("reserved_words.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether `name` is a reserved word.
pub fn is_reserved(name: &str) -> bool {
    // Reserved words are ASCII letters; anything else cannot match.
    name.len() <= 16 && RESERVED.contains(name.to_ascii_uppercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_list_is_loaded() {
        assert_eq!(RESERVED.len(), 573);
        assert!(is_reserved("status") && is_reserved("Name") && is_reserved("TTL"));
        assert!(!is_reserved("REMOVE") && !is_reserved("customer_id"));
    }
}
