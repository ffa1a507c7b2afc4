//! The stored form of an item: one shared, immutable byte encoding.
//!
//! A [`StoredItem`] is an `Arc<[u8]>`: one allocation per item, cloned by
//! bumping a count, shared by the table, its change log and its readers.
//! The same bytes are what a log frame carries to disk (ADR 0007), so the
//! encoding is canonical: attributes and map entries sorted by name, sets in
//! their (already sorted) order, numbers by their normalised parts. Equal
//! items therefore have equal encodings, and comparing two stored items is
//! comparing bytes.
//!
//! Layout (integers little-endian; `varint` is LEB128):
//!
//! ```text
//! item    := size:u32 count:varint (name value){count}
//! name    := len:varint utf8{len}
//! value   := 0 name-like        S
//!          | 1 number           N
//!          | 2 bytes            B
//!          | 3 | 4              BOOL false | true
//!          | 5                  NULL
//!          | 6 count (name value){count}   M
//!          | 7 count value{count}          L
//!          | 8 count name-like{count}      SS
//!          | 9 count number{count}         NS
//!          | 10 count bytes{count}         BS
//! number  := sign:u8 exponent:zigzag-varint mantissa:varint(u128)
//! bytes   := len:varint raw{len}
//! ```
//!
//! `size` is the item's DynamoDB size, kept so capacity and table sizes
//! never decode. Encoding and decoding are bounded by [`MAX_NESTING`]
//! levels of maps and lists; bytes from outside (a file) are checked by
//! [`StoredItem::from_bytes`] before any other use, so every `StoredItem`
//! holds a well-formed encoding.

use dynamo_core::AttributeMap;
use dynamo_core::value::{AttributeValue, Number, item_size};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Deepest nesting of maps and lists the encoding accepts: above
/// DynamoDB's limit of 32, which every written item has passed.
pub(crate) const MAX_NESTING: usize = 64;

const S: u8 = 0;
const N: u8 = 1;
const B: u8 = 2;
const FALSE: u8 = 3;
const TRUE: u8 = 4;
const NULL: u8 = 5;
const M: u8 = 6;
const L: u8 = 7;
const SS: u8 = 8;
const NS: u8 = 9;
const BS: u8 = 10;

/// An item (or a projected index entry) in its stored form, with its
/// DynamoDB size.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct StoredItem(Arc<[u8]>);

impl std::fmt::Debug for StoredItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredItem")
            .field("size", &self.size())
            .field("item", &self.item())
            .finish()
    }
}

/// Bytes that are not a well-formed stored item, with the offset at which
/// reading them stopped (their length, for bytes that end too soon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stored item corrupt at byte {at}")]
pub(crate) struct CorruptItem {
    /// Offset from the start of the encoding.
    pub at: usize,
}

impl StoredItem {
    /// Encodes `item`.
    pub fn new(item: &AttributeMap) -> Self {
        let size = item_size(item);
        let mut out = Vec::with_capacity(size + 4 + 3 * item.len() + 4);
        out.extend_from_slice(&u32::try_from(size).unwrap_or(u32::MAX).to_le_bytes());
        encode_map(&mut out, item, 0);
        Self(out.into())
    }

    /// The item's DynamoDB size in bytes.
    pub fn size(&self) -> usize {
        let mut size = [0u8; 4];
        size.copy_from_slice(&self.0[..4]);
        u32::from_le_bytes(size) as usize
    }

    /// The item's attributes.
    pub fn item(&self) -> AttributeMap {
        let mut reader = Reader::new(&self.0);
        // Every StoredItem holds a well-formed encoding (made by `new` or
        // checked by `from_bytes`), so decoding cannot fail.
        reader.map(0).unwrap_or_default()
    }

    /// The value of one top-level attribute, decoding nothing else.
    pub fn get(&self, name: &str) -> Option<AttributeValue> {
        let mut reader = Reader::new(&self.0);
        let count = reader.varint().ok()?;
        for _ in 0..count {
            let this = reader.text().ok()?;
            if this == name {
                return reader.value(0).ok();
            }
            reader.skip_value(0).ok()?;
        }
        None
    }

    /// The encoding, as a log frame carries it.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A stored item from its encoding, checked completely: every length
    /// in bounds, every tag known, every string UTF-8, every number
    /// normalisable, nesting bounded, nothing left over.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CorruptItem> {
        if bytes.len() < 4 {
            return Err(CorruptItem { at: bytes.len() });
        }
        let mut reader = Reader::new(bytes);
        reader.map(0)?;
        if !reader.bytes.is_empty() {
            return Err(reader.corrupt());
        }
        Ok(Self(bytes.into()))
    }
}

/// Appends `value` as LEB128 (also the durable log's integers).
pub(crate) fn varint(out: &mut Vec<u8>, mut value: u128) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends `raw` after its length.
pub(crate) fn bytes(out: &mut Vec<u8>, raw: &[u8]) {
    varint(out, raw.len() as u128);
    out.extend_from_slice(raw);
}

fn number(out: &mut Vec<u8>, n: &Number) {
    out.push(u8::from(n.is_negative()));
    let exponent = i64::from(n.exponent());
    varint(out, ((exponent << 1) ^ (exponent >> 63)) as u64 as u128);
    varint(out, n.mantissa());
}

fn encode_map(out: &mut Vec<u8>, map: &AttributeMap, depth: usize) {
    let mut names: Vec<(&String, &AttributeValue)> = map.iter().collect();
    names.sort_unstable_by(|a, b| a.0.cmp(b.0));
    varint(out, names.len() as u128);
    for (name, value) in names {
        bytes(out, name.as_bytes());
        encode_value(out, value, depth);
    }
}

fn encode_value(out: &mut Vec<u8>, value: &AttributeValue, depth: usize) {
    match value {
        AttributeValue::S(s) => {
            out.push(S);
            bytes(out, s.as_bytes());
        }
        AttributeValue::N(n) => {
            out.push(N);
            number(out, n);
        }
        AttributeValue::B(b) => {
            out.push(B);
            bytes(out, b);
        }
        AttributeValue::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
        AttributeValue::Null => out.push(NULL),
        // Written items are at most 32 levels deep; deeper values (which
        // never reach storage) are stored as NULL rather than recursing on.
        AttributeValue::M(_) | AttributeValue::L(_) if depth >= MAX_NESTING => out.push(NULL),
        AttributeValue::M(map) => {
            out.push(M);
            encode_map(out, map, depth + 1);
        }
        AttributeValue::L(list) => {
            out.push(L);
            varint(out, list.len() as u128);
            for item in list {
                encode_value(out, item, depth + 1);
            }
        }
        AttributeValue::Ss(set) => {
            out.push(SS);
            varint(out, set.len() as u128);
            for s in set {
                bytes(out, s.as_bytes());
            }
        }
        AttributeValue::Ns(set) => {
            out.push(NS);
            varint(out, set.len() as u128);
            for n in set {
                number(out, n);
            }
        }
        AttributeValue::Bs(set) => {
            out.push(BS);
            varint(out, set.len() as u128);
            for b in set {
                bytes(out, b);
            }
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    /// The length of the whole encoding, size prefix included.
    end: usize,
}

impl<'a> Reader<'a> {
    /// Reads the item after the size prefix of `encoding`.
    fn new(encoding: &'a [u8]) -> Self {
        Self {
            bytes: encoding.get(4..).unwrap_or_default(),
            end: encoding.len(),
        }
    }

    fn corrupt(&self) -> CorruptItem {
        CorruptItem {
            at: self.end - self.bytes.len(),
        }
    }

    fn byte(&mut self) -> Result<u8, CorruptItem> {
        let (&first, rest) = self
            .bytes
            .split_first()
            .ok_or(CorruptItem { at: self.end })?;
        self.bytes = rest;
        Ok(first)
    }

    fn varint(&mut self) -> Result<u128, CorruptItem> {
        let mut value = 0u128;
        for shift in (0..128).step_by(7) {
            let byte = self.byte()?;
            value |= u128::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.corrupt())
    }

    fn count(&mut self) -> Result<usize, CorruptItem> {
        let count = usize::try_from(self.varint()?).map_err(|_| self.corrupt())?;
        // Each element takes at least one byte.
        if count > self.bytes.len() {
            return Err(self.corrupt());
        }
        Ok(count)
    }

    fn raw(&mut self) -> Result<&'a [u8], CorruptItem> {
        let len = self.count()?;
        let (raw, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(raw)
    }

    fn text(&mut self) -> Result<&'a str, CorruptItem> {
        std::str::from_utf8(self.raw()?).map_err(|_| self.corrupt())
    }

    fn number(&mut self) -> Result<Number, CorruptItem> {
        let negative = match self.byte()? {
            0 => false,
            1 => true,
            _ => return Err(self.corrupt()),
        };
        let zigzag = u64::try_from(self.varint()?).map_err(|_| self.corrupt())?;
        let exponent = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
        let mantissa = self.varint()?;
        Number::from_parts(negative, mantissa, exponent).map_err(|_| self.corrupt())
    }

    fn map(&mut self, depth: usize) -> Result<AttributeMap, CorruptItem> {
        let count = self.count()?;
        let mut map = AttributeMap::with_capacity(count);
        for _ in 0..count {
            let name = self.text()?.to_owned();
            let value = self.value(depth)?;
            map.insert(name, value);
        }
        Ok(map)
    }

    fn value(&mut self, depth: usize) -> Result<AttributeValue, CorruptItem> {
        Ok(match self.byte()? {
            S => AttributeValue::S(self.text()?.to_owned()),
            N => AttributeValue::N(self.number()?),
            B => AttributeValue::B(self.raw()?.to_vec()),
            FALSE => AttributeValue::Bool(false),
            TRUE => AttributeValue::Bool(true),
            NULL => AttributeValue::Null,
            M | L if depth >= MAX_NESTING => return Err(self.corrupt()),
            M => AttributeValue::M(self.map(depth + 1)?),
            L => {
                let count = self.count()?;
                let mut list = Vec::with_capacity(count);
                for _ in 0..count {
                    list.push(self.value(depth + 1)?);
                }
                AttributeValue::L(list)
            }
            SS => {
                let count = self.count()?;
                let mut set = BTreeSet::new();
                for _ in 0..count {
                    set.insert(self.text()?.to_owned());
                }
                AttributeValue::Ss(set)
            }
            NS => {
                let count = self.count()?;
                let mut set = BTreeSet::new();
                for _ in 0..count {
                    set.insert(self.number()?);
                }
                AttributeValue::Ns(set)
            }
            BS => {
                let count = self.count()?;
                let mut set = BTreeSet::new();
                for _ in 0..count {
                    set.insert(self.raw()?.to_vec());
                }
                AttributeValue::Bs(set)
            }
            _ => return Err(self.corrupt()),
        })
    }

    /// Steps over one value without building it.
    fn skip_value(&mut self, depth: usize) -> Result<(), CorruptItem> {
        match self.byte()? {
            S | B => {
                self.raw()?;
            }
            N => {
                self.number()?;
            }
            FALSE | TRUE | NULL => {}
            M | L if depth >= MAX_NESTING => return Err(self.corrupt()),
            M => {
                for _ in 0..self.count()? {
                    self.raw()?;
                    self.skip_value(depth + 1)?;
                }
            }
            L => {
                for _ in 0..self.count()? {
                    self.skip_value(depth + 1)?;
                }
            }
            SS | BS => {
                for _ in 0..self.count()? {
                    self.raw()?;
                }
            }
            NS => {
                for _ in 0..self.count()? {
                    self.number()?;
                }
            }
            _ => return Err(self.corrupt()),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynamo_core::decode_json;

    fn item(json: &str) -> AttributeMap {
        decode_json(json.as_bytes()).unwrap()
    }

    #[test]
    fn every_type_round_trips_with_its_size() {
        let original = item(
            r#"{"s":{"S":"héllo"},"n":{"N":"-12.50"},"z":{"N":"0"},"big":{"N":"1E+125"},
                "tiny":{"N":"-1E-130"},"b":{"B":"AAEC"},"t":{"BOOL":true},"f":{"BOOL":false},
                "null":{"NULL":true},"m":{"M":{"x":{"L":[{"N":"1"},{"S":""},{"M":{}}]}}},
                "ss":{"SS":["b","a"]},"ns":{"NS":["3","-1"]},"bs":{"BS":["AQ==","AA=="]},
                "empty":{"S":""}}"#,
        );
        let stored = StoredItem::new(&original);
        assert_eq!(stored.item(), original);
        assert_eq!(stored.size(), item_size(&original));
        assert_eq!(stored.get("n"), original.get("n").cloned());
        assert_eq!(stored.get("m"), original.get("m").cloned());
        assert_eq!(stored.get("empty"), original.get("empty").cloned());
        assert_eq!(stored.get("missing"), None);
        assert_eq!(StoredItem::from_bytes(stored.as_bytes()), Ok(stored));
    }

    #[test]
    fn equal_items_have_equal_encodings_whatever_their_map_order() {
        let a =
            item(r#"{"a":{"S":"1"},"b":{"M":{"y":{"N":"2"},"x":{"N":"1"}}},"c":{"NULL":true}}"#);
        let mut b = AttributeMap::new();
        for name in ["c", "b", "a"] {
            b.insert(name.to_owned(), a[name].clone());
        }
        assert_eq!(
            StoredItem::new(&a).as_bytes(),
            StoredItem::new(&b).as_bytes()
        );
        let different = item(r#"{"a":{"S":"1"},"b":{"M":{"y":{"N":"2"}}},"c":{"NULL":true}}"#);
        assert_ne!(StoredItem::new(&a), StoredItem::new(&different));
    }

    #[test]
    fn corrupt_bytes_are_refused_never_loaded() {
        let stored = StoredItem::new(&item(r#"{"a":{"S":"xyz"},"l":{"L":[{"N":"5"}]}}"#));
        let bytes = stored.as_bytes();
        // Every truncation and every single-byte change is either refused
        // or decodes to some well-formed item; none panics.
        for len in 0..bytes.len() {
            assert!(
                StoredItem::from_bytes(&bytes[..len]).is_err(),
                "truncated at {len}"
            );
        }
        for at in 4..bytes.len() {
            for byte in [0u8, 0x7f, 0x80, 0xff] {
                let mut changed = bytes.to_vec();
                changed[at] = byte;
                if let Ok(loaded) = StoredItem::from_bytes(&changed) {
                    let _ = loaded.item();
                }
            }
        }
        let mut extra = bytes.to_vec();
        extra.push(0);
        assert_eq!(
            StoredItem::from_bytes(&extra),
            Err(CorruptItem { at: bytes.len() })
        );
        // Nesting past the bound is refused without recursing on.
        let mut deep = vec![0, 0, 0, 0, 1, 1, b'a'];
        deep.extend(std::iter::repeat_n(L, 10_000).flat_map(|l| [l, 1]));
        assert!(StoredItem::from_bytes(&deep).is_err());
    }
}
