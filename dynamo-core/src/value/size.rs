//! Sizes by DynamoDB's accounting rules: the 400 KB item limit, key limits
//! and capacity units all count bytes this way.

use super::{AttributeMap, AttributeValue, number_size};

/// The largest item DynamoDB stores: 400 KB, names and values included.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// Bytes `value` counts for: UTF-8 length for strings, raw length for
/// binaries, about one byte per two significant digits plus one for numbers,
/// one for booleans and nulls, the sum of the elements for sets, and three
/// bytes plus one per element (plus the key for maps) for lists and maps.
///
/// Walks nested documents with an explicit stack, so any depth is safe.
pub fn attribute_size(value: &AttributeValue) -> usize {
    let mut total = 0;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        total += match value {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => number_size(n),
            AttributeValue::B(b) => b.len(),
            AttributeValue::Bool(_) | AttributeValue::Null => 1,
            AttributeValue::Ss(s) => s.iter().map(String::len).sum(),
            AttributeValue::Ns(s) => s.iter().map(number_size).sum(),
            AttributeValue::Bs(s) => s.iter().map(Vec::len).sum(),
            AttributeValue::L(l) => {
                pending.extend(l);
                3 + l.len()
            }
            AttributeValue::M(m) => {
                pending.extend(m.values());
                3 + m.keys().map(|k| 1 + k.len()).sum::<usize>()
            }
        };
    }
    total
}

/// Bytes an item counts for: each attribute's name plus its value.
///
/// ```
/// use dynamo_core::{AttributeMap, AttributeValue, value::item_size};
/// // The Developer Guide's example: {"shirt-color":"R","shirt-size":"M"} is 23 bytes.
/// let item = AttributeMap::from([
///     ("shirt-color".to_owned(), AttributeValue::S("R".into())),
///     ("shirt-size".to_owned(), AttributeValue::S("M".into())),
/// ]);
/// assert_eq!(item_size(&item), 23);
/// ```
pub fn item_size(item: &AttributeMap) -> usize {
    item.iter().map(|(k, v)| k.len() + attribute_size(v)).sum()
}
