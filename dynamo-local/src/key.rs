//! Primary keys: extraction from items and key maps with DynamoDB's
//! validation messages, and the partition hash that orders a Scan.

use crate::table::{EntryKey, Ext, Position, Slot, StoredItem, Tiebreak};
use dynamo_core::schema::ScalarAttributeType;
use dynamo_core::{AttributeMap, AttributeValue, Error, KeyValue};

/// Largest partition-key value, in bytes.
const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Largest sort-key value, in bytes.
const MAX_SORT_KEY_BYTES: usize = 1024;

/// A key attribute of a table: name and declared type.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct KeyDef {
    pub name: String,
    pub scalar_type: ScalarAttributeType,
}

/// The table's key attributes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct KeySchema {
    pub partition_key: KeyDef,
    pub sort_key: Option<KeyDef>,
}

/// A primary key, checked against the schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PrimaryKey {
    pub partition: KeyValue,
    pub sort: Option<KeyValue>,
}

fn scalar_of(value: &AttributeValue) -> Option<KeyValue> {
    match value {
        AttributeValue::S(s) => Some(KeyValue::S(s.clone())),
        AttributeValue::N(n) => Some(KeyValue::N(*n)),
        AttributeValue::B(b) => Some(KeyValue::B(b.clone())),
        _ => None,
    }
}

fn is_empty(value: &KeyValue) -> bool {
    match value {
        KeyValue::S(s) => s.is_empty(),
        KeyValue::B(b) => b.is_empty(),
        KeyValue::N(_) => false,
    }
}

fn empty_kind(value: &KeyValue) -> &'static str {
    match value {
        KeyValue::B(_) => "binary",
        _ => "string",
    }
}

impl KeySchema {
    /// The names of the table's key attributes.
    /// The key schema as DynamoDB describes it: the partition key, then the
    /// sort key if any.
    pub fn elements(&self) -> Vec<dynamo_core::schema::KeySchemaElement> {
        use dynamo_core::schema::KeySchemaElement;
        let mut elements = vec![KeySchemaElement::hash(self.partition_key.name.clone())];
        elements.extend(
            self.sort_key
                .as_ref()
                .map(|k| KeySchemaElement::range(k.name.clone())),
        );
        elements
    }

    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        self.defs().map(|d| d.name.as_str())
    }

    fn defs(&self) -> impl Iterator<Item = &KeyDef> {
        std::iter::once(&self.partition_key).chain(self.sort_key.as_ref())
    }

    fn check_sizes(&self, key: &PrimaryKey) -> Result<(), Error> {
        if key.partition.size() > MAX_PARTITION_KEY_BYTES {
            return Err(Error::validation(
                "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
            ));
        }
        if key
            .sort
            .as_ref()
            .is_some_and(|s| s.size() > MAX_SORT_KEY_BYTES)
        {
            return Err(Error::validation(
                "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
            ));
        }
        Ok(())
    }

    /// The key of an item being written (PutItem), with the item messages.
    pub fn key_of_item(&self, item: &AttributeMap) -> Result<PrimaryKey, Error> {
        self.extract(item, |def, found| {
            Error::Validation(match found {
                None => format!(
                    "One or more parameter values were invalid: Missing the key {} in the item",
                    def.name
                ),
                Some(value) => format!(
                    "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {}",
                    def.name,
                    def.scalar_type.as_str(),
                    value.type_name()
                ),
            })
        }, "One or more parameter values are not valid.")
    }

    /// The key named by a `Key` parameter (GetItem, DeleteItem): exactly the
    /// key attributes, of the declared types.
    pub fn key_of_key(&self, key: &AttributeMap) -> Result<PrimaryKey, Error> {
        self.parse_key(key, "")
    }

    /// The key of an `ExclusiveStartKey`.
    pub fn start_key(&self, key: &AttributeMap) -> Result<PrimaryKey, Error> {
        self.parse_key(key, "The provided starting key is invalid: ")
    }

    fn parse_key(&self, key: &AttributeMap, prefix: &str) -> Result<PrimaryKey, Error> {
        let mismatch = |_: &KeyDef, _: Option<&AttributeValue>| {
            Error::Validation(format!(
                "{prefix}The provided key element does not match the schema"
            ))
        };
        let expected = 1 + usize::from(self.sort_key.is_some());
        if key.len() != expected {
            return Err(mismatch(&self.partition_key, None));
        }
        let empty_prefix = format!("{prefix}One or more parameter values were invalid:");
        self.extract(key, mismatch, &empty_prefix)
    }

    /// Reads the key attributes out of `map`: `bad` names the error for an
    /// absent (`None`) or mistyped attribute; `empty_prefix` starts the
    /// message for an empty string or binary.
    fn extract(
        &self,
        map: &AttributeMap,
        bad: impl Fn(&KeyDef, Option<&AttributeValue>) -> Error,
        empty_prefix: &str,
    ) -> Result<PrimaryKey, Error> {
        let mut values = Vec::with_capacity(2);
        for def in self.defs() {
            let value = map.get(&def.name).ok_or_else(|| bad(def, None))?;
            let scalar = scalar_of(value)
                .filter(|k| k.scalar_type() == def.scalar_type)
                .ok_or_else(|| bad(def, Some(value)))?;
            if is_empty(&scalar) {
                return Err(Error::Validation(format!(
                    "{empty_prefix} The AttributeValue for a key attribute cannot contain an empty {} value. Key: {}",
                    empty_kind(&scalar),
                    def.name
                )));
            }
            values.push(scalar);
        }
        let key = self.assemble(values);
        self.check_sizes(&key)?;
        Ok(key)
    }

    fn assemble(&self, mut values: Vec<KeyValue>) -> PrimaryKey {
        let sort = if self.sort_key.is_some() {
            values.pop()
        } else {
            None
        };
        let partition = values.pop().unwrap_or(KeyValue::S(String::new()));
        PrimaryKey { partition, sort }
    }

    /// Where the item with `key` sits in the table's store.
    pub fn position(&self, key: &PrimaryKey) -> Position {
        Position {
            slot: Slot::of(vec![key.partition.clone()]),
            entry: EntryKey {
                sort: key.sort.iter().cloned().map(Ext::Val).collect(),
                tiebreak: Tiebreak::Table,
            },
        }
    }

    /// The key attributes of `key`, as an item map (`LastEvaluatedKey`).
    pub fn key_map(&self, key: &PrimaryKey) -> AttributeMap {
        let mut map = AttributeMap::with_capacity(2);
        map.insert(
            self.partition_key.name.clone(),
            key.partition.clone().into(),
        );
        if let (Some(def), Some(sort)) = (&self.sort_key, &key.sort) {
            map.insert(def.name.clone(), sort.clone().into());
        }
        map
    }
}

/// A stable 64-bit hash of a partition's key values (FNV-1a). Scans walk
/// partitions in this order, and parallel-scan segments split its range, as
/// DynamoDB spreads partitions by key hash.
pub(crate) fn partition_hash_of(keys: &[KeyValue]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for key in keys {
        match key {
            KeyValue::S(s) => {
                feed(b"S");
                feed(&(s.len() as u64).to_le_bytes());
                feed(s.as_bytes());
            }
            KeyValue::B(b) => {
                feed(b"B");
                feed(&(b.len() as u64).to_le_bytes());
                feed(b);
            }
            KeyValue::N(n) => {
                // Numbers are canonical, so equal numbers feed equal bytes.
                feed(b"N");
                feed(&[u8::from(n.is_negative())]);
                feed(&n.mantissa().to_le_bytes());
                feed(&n.exponent().to_le_bytes());
            }
        }
    }
    h
}

/// Whether an index is global or local.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum IndexKind {
    Global,
    Local,
}

/// Which attributes an index entry carries besides the keys.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Projected {
    All,
    KeysOnly,
    Include(Vec<String>),
}

/// A secondary index's definition.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct IndexDef {
    pub name: String,
    pub kind: IndexKind,
    pub partition: Vec<KeyDef>,
    pub sort: Vec<KeyDef>,
    pub projected: Projected,
    /// The table's key attribute names (always projected).
    pub table_keys: Vec<String>,
    /// As given at creation, for descriptions.
    pub key_schema: Vec<dynamo_core::schema::KeySchemaElement>,
    pub projection: dynamo_core::schema::Projection,
    pub provisioned_throughput: dynamo_core::schema::ProvisionedThroughputDescription,
}

impl IndexDef {
    fn all_defs(&self) -> impl Iterator<Item = &KeyDef> {
        self.partition.iter().chain(&self.sort)
    }

    /// The index key values of `item`: `None` when an index key attribute
    /// is absent (the item is not in this sparse index), an error when one
    /// has the wrong type or is an empty string or binary.
    pub fn key_values(&self, item: &AttributeMap) -> Result<Option<Vec<KeyValue>>, Error> {
        let mut values = Vec::with_capacity(self.partition.len() + self.sort.len());
        let mut complete = true;
        for def in self.all_defs() {
            let Some(value) = item.get(&def.name) else {
                complete = false;
                continue;
            };
            let scalar = scalar_of(value)
                .filter(|k| k.scalar_type() == def.scalar_type)
                .ok_or_else(|| {
                    Error::Validation(format!(
                        "One or more parameter values were invalid: Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                        def.name,
                        def.scalar_type.as_str(),
                        value.type_name(),
                        self.name
                    ))
                })?;
            if is_empty(&scalar) {
                return Err(Error::Validation(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {} value. IndexName: {}, IndexKey: {}",
                    empty_kind(&scalar),
                    self.name,
                    def.name
                )));
            }
            values.push(scalar);
        }
        Ok(complete.then_some(values))
    }

    pub fn position_from(&self, key: &PrimaryKey, mut values: Vec<KeyValue>) -> Position {
        let sort = values
            .split_off(self.partition.len())
            .into_iter()
            .map(Ext::Val)
            .collect();
        Position {
            slot: Slot::of(values),
            entry: EntryKey {
                sort,
                tiebreak: Tiebreak::Item(Box::new((key.partition.clone(), key.sort.clone()))),
            },
        }
    }

    /// The entry `item` (with table key `key`) has in this index, if any.
    pub fn entry_for(
        &self,
        key: &PrimaryKey,
        item: &AttributeMap,
    ) -> Result<Option<(Position, StoredItem)>, Error> {
        let Some(values) = self.key_values(item)? else {
            return Ok(None);
        };
        Ok(Some((
            self.position_from(key, values),
            StoredItem::new(&self.project(item)),
        )))
    }

    /// Where a stored (hence valid) item sits in this index, if it is in it.
    pub fn position_of(&self, key: &PrimaryKey, item: &AttributeMap) -> Option<Position> {
        let values = self.key_values(item).ok().flatten()?;
        Some(self.position_from(key, values))
    }

    /// Whether the index holds attribute `name` of its items.
    pub fn projects(&self, name: &str) -> bool {
        match &self.projected {
            Projected::All => true,
            Projected::KeysOnly | Projected::Include(_)
                if self.table_keys.iter().any(|k| k == name)
                    || self.all_defs().any(|d| d.name == name) =>
            {
                true
            }
            Projected::KeysOnly => false,
            Projected::Include(names) => names.iter().any(|n| n == name),
        }
    }

    /// The attributes of `item` this index stores.
    pub fn project(&self, item: &AttributeMap) -> AttributeMap {
        match self.projected {
            Projected::All => item.clone(),
            _ => item
                .iter()
                .filter(|(name, _)| self.projects(name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}
