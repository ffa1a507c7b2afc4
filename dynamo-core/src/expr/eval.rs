//! Evaluating expressions against items, with DynamoDB's semantics:
//! conditions and filters, projections, and updates.
//!
//! Conditions never fail: a missing attribute or a type mismatch makes a
//! comparison false (and `<>` true). Updates fail with DynamoDB's messages
//! when an operand has the wrong type or a path cannot be written.

use super::ast::*;
use crate::error::Error;
use crate::value::{AttributeMap, AttributeValue, Number};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The value at `path` in `item`, if there is one. A map step on a non-map
/// or an index on a non-list (or past the end) finds nothing.
pub fn resolve<'a>(item: &'a AttributeMap, path: &Path) -> Option<&'a AttributeValue> {
    let mut elements = path.elements.iter();
    let mut current = match elements.next()? {
        PathElement::Attribute(name) => item.get(name)?,
        PathElement::Index(_) => return None,
    };
    for element in elements {
        current = match (element, current) {
            (PathElement::Attribute(name), AttributeValue::M(m)) => m.get(name)?,
            (PathElement::Index(i), AttributeValue::L(l)) => l.get(*i as usize)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The order of two values that DynamoDB can order: numbers numerically,
/// strings and binaries by unsigned bytes; `None` for anything else or for
/// values of different types.
pub fn compare_values(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::N(x), AttributeValue::N(y)) => Some(x.cmp(y)),
        (AttributeValue::S(x), AttributeValue::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (AttributeValue::B(x), AttributeValue::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `size()` of a value: string length (in UTF-16 code units, as DynamoDB
/// counts), binary bytes, set/list elements, map entries; nothing for other
/// types.
fn size_of(value: &AttributeValue) -> Option<usize> {
    Some(match value {
        AttributeValue::S(s) => s.encode_utf16().count(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::Ss(s) => s.len(),
        AttributeValue::Ns(s) => s.len(),
        AttributeValue::Bs(s) => s.len(),
        AttributeValue::L(l) => l.len(),
        AttributeValue::M(m) => m.len(),
        _ => return None,
    })
}

fn operand<'a>(op: &'a Operand, item: &'a AttributeMap) -> Option<Cow<'a, AttributeValue>> {
    match op {
        Operand::Path(path) => resolve(item, path).map(Cow::Borrowed),
        Operand::Value(value) => Some(Cow::Borrowed(value)),
        Operand::Size(path) => {
            let size = size_of(resolve(item, path)?)?;
            Some(Cow::Owned(AttributeValue::N(Number::from(size))))
        }
    }
}

fn contains(haystack: &AttributeValue, needle: &AttributeValue) -> bool {
    match (haystack, needle) {
        (AttributeValue::S(s), AttributeValue::S(sub)) => s.contains(sub.as_str()),
        (AttributeValue::B(b), AttributeValue::B(sub)) => {
            sub.is_empty() || b.windows(sub.len()).any(|w| w == sub.as_slice())
        }
        (AttributeValue::Ss(set), AttributeValue::S(e)) => set.contains(e),
        (AttributeValue::Ns(set), AttributeValue::N(e)) => set.contains(e),
        (AttributeValue::Bs(set), AttributeValue::B(e)) => set.contains(e),
        (AttributeValue::L(list), e) => list.contains(e),
        _ => false,
    }
}

fn begins_with(value: &AttributeValue, prefix: &AttributeValue) -> bool {
    match (value, prefix) {
        (AttributeValue::S(s), AttributeValue::S(p)) => s.starts_with(p.as_str()),
        (AttributeValue::B(b), AttributeValue::B(p)) => b.starts_with(p),
        _ => false,
    }
}

impl Condition {
    /// Whether `item` satisfies the condition. For a condition on an item
    /// that does not exist, pass an empty map.
    pub fn evaluate(&self, item: &AttributeMap) -> bool {
        match self {
            Condition::Compare { left, op, right } => {
                let (Some(l), Some(r)) = (operand(left, item), operand(right, item)) else {
                    return *op == Comparator::Ne;
                };
                match op {
                    Comparator::Eq => l == r,
                    Comparator::Ne => l != r,
                    Comparator::Lt => compare_values(&l, &r) == Some(Ordering::Less),
                    Comparator::Le => matches!(
                        compare_values(&l, &r),
                        Some(Ordering::Less | Ordering::Equal)
                    ),
                    Comparator::Gt => compare_values(&l, &r) == Some(Ordering::Greater),
                    Comparator::Ge => matches!(
                        compare_values(&l, &r),
                        Some(Ordering::Greater | Ordering::Equal)
                    ),
                }
            }
            Condition::Between { value, low, high } => {
                let (Some(v), Some(lo), Some(hi)) = (
                    operand(value, item),
                    operand(low, item),
                    operand(high, item),
                ) else {
                    return false;
                };
                matches!(
                    compare_values(&lo, &v),
                    Some(Ordering::Less | Ordering::Equal)
                ) && matches!(
                    compare_values(&v, &hi),
                    Some(Ordering::Less | Ordering::Equal)
                )
            }
            Condition::In { value, list } => {
                let Some(v) = operand(value, item) else {
                    return false;
                };
                list.iter()
                    .any(|candidate| operand(candidate, item).is_some_and(|c| c == v))
            }
            Condition::AttributeExists(path) => resolve(item, path).is_some(),
            Condition::AttributeNotExists(path) => resolve(item, path).is_none(),
            Condition::AttributeType(path, type_name) => {
                let (Some(value), Some(t)) = (resolve(item, path), operand(type_name, item)) else {
                    return false;
                };
                matches!(&*t, AttributeValue::S(t) if t == value.type_name())
            }
            Condition::BeginsWith(value, prefix) => {
                match (operand(value, item), operand(prefix, item)) {
                    (Some(v), Some(p)) => begins_with(&v, &p),
                    _ => false,
                }
            }
            Condition::Contains(value, needle) => {
                match (operand(value, item), operand(needle, item)) {
                    (Some(v), Some(n)) => contains(&v, &n),
                    _ => false,
                }
            }
            Condition::And(a, b) => a.evaluate(item) && b.evaluate(item),
            Condition::Or(a, b) => a.evaluate(item) || b.evaluate(item),
            Condition::Not(a) => !a.evaluate(item),
        }
    }
}

/// Requested paths as a tree, for projecting nested values.
#[derive(Default, Debug)]
struct Selection {
    /// The whole value at this point is selected.
    whole: bool,
    keys: BTreeMap<String, Selection>,
    indexes: BTreeMap<u32, Selection>,
}

impl Selection {
    fn of<'p>(paths: impl Iterator<Item = &'p Path>) -> Self {
        let mut root = Selection::default();
        for path in paths {
            let mut node = &mut root;
            for element in &path.elements {
                node = match element {
                    PathElement::Attribute(name) => node.keys.entry(name.clone()).or_default(),
                    PathElement::Index(i) => node.indexes.entry(*i).or_default(),
                };
            }
            node.whole = true;
        }
        root
    }

    fn project(&self, value: &AttributeValue) -> Option<AttributeValue> {
        if self.whole {
            return Some(value.clone());
        }
        match value {
            AttributeValue::M(map) if !self.keys.is_empty() => {
                let projected = project_map(&self.keys, map);
                (!projected.is_empty()).then_some(AttributeValue::M(projected))
            }
            // Selected list elements are compacted, in index order.
            AttributeValue::L(list) if !self.indexes.is_empty() => {
                let projected: Vec<_> = self
                    .indexes
                    .iter()
                    .filter_map(|(i, sel)| sel.project(list.get(*i as usize)?))
                    .collect();
                (!projected.is_empty()).then_some(AttributeValue::L(projected))
            }
            _ => None,
        }
    }
}

fn project_map(selection: &BTreeMap<String, Selection>, map: &AttributeMap) -> AttributeMap {
    selection
        .iter()
        .filter_map(|(key, sel)| Some((key.clone(), sel.project(map.get(key)?)?)))
        .collect()
}

/// `item` reduced to `paths`: nested paths keep their enclosing maps and
/// lists with only the selected parts; missing paths are left out.
pub fn project_paths<'p>(
    item: &AttributeMap,
    paths: impl Iterator<Item = &'p Path>,
) -> AttributeMap {
    let selection = Selection::of(paths);
    if selection.whole {
        return item.clone();
    }
    project_map(&selection.keys, item)
}

impl Projection {
    /// The attributes of `item` this projection selects.
    pub fn apply(&self, item: &AttributeMap) -> AttributeMap {
        project_paths(item, self.paths.iter())
    }
}

const MISSING_ATTRIBUTE: &str =
    "The provided expression refers to an attribute that does not exist in the item";
const WRONG_TYPE: &str = "An operand in the update expression has an incorrect data type";
const INVALID_PATH: &str =
    "The document path provided in the update expression is invalid for update";

fn update_operand(op: &UpdateOperand, item: &AttributeMap) -> Result<AttributeValue, Error> {
    match op {
        UpdateOperand::Path(path) => resolve(item, path)
            .cloned()
            .ok_or_else(|| Error::validation(MISSING_ATTRIBUTE)),
        UpdateOperand::Value(value) => Ok(value.clone()),
        UpdateOperand::IfNotExists(path, fallback) => match resolve(item, path) {
            Some(value) => Ok(value.clone()),
            None => update_operand(fallback, item),
        },
        UpdateOperand::ListAppend(a, b) => {
            match (update_operand(a, item)?, update_operand(b, item)?) {
                (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                    a.extend(b);
                    Ok(AttributeValue::L(a))
                }
                _ => Err(Error::validation(WRONG_TYPE)),
            }
        }
    }
}

fn arithmetic(
    a: &UpdateOperand,
    b: &UpdateOperand,
    item: &AttributeMap,
    f: fn(Number, Number) -> Result<Number, crate::value::NumberError>,
) -> Result<AttributeValue, Error> {
    match (update_operand(a, item)?, update_operand(b, item)?) {
        (AttributeValue::N(x), AttributeValue::N(y)) => f(x, y)
            .map(AttributeValue::N)
            .map_err(|e| Error::Validation(e.to_string())),
        _ => Err(Error::validation(WRONG_TYPE)),
    }
}

/// The container holding the last element of `path`, created nowhere: every
/// step must already exist with the right type.
fn parent_mut<'a>(
    item: &'a mut AttributeMap,
    path: &Path,
) -> Result<Option<&'a mut AttributeValue>, Error> {
    let Some((_, steps)) = path.elements.split_last() else {
        return Err(Error::validation(INVALID_PATH));
    };
    let mut steps = steps.iter();
    let Some(PathElement::Attribute(top)) = steps.next() else {
        return Ok(None);
    };
    let Some(mut current) = item.get_mut(top) else {
        return Err(Error::validation(INVALID_PATH));
    };
    for step in steps {
        current = match (step, current) {
            (PathElement::Attribute(name), AttributeValue::M(m)) => m
                .get_mut(name)
                .ok_or_else(|| Error::validation(INVALID_PATH))?,
            (PathElement::Index(i), AttributeValue::L(l)) => l
                .get_mut(*i as usize)
                .ok_or_else(|| Error::validation(INVALID_PATH))?,
            _ => return Err(Error::validation(INVALID_PATH)),
        };
    }
    Ok(Some(current))
}

/// Writes `value` at `path`; a list index past the end appends.
fn write(item: &mut AttributeMap, path: &Path, value: AttributeValue) -> Result<(), Error> {
    let last = path
        .elements
        .last()
        .ok_or_else(|| Error::validation(INVALID_PATH))?;
    match (parent_mut(item, path)?, last) {
        (None, PathElement::Attribute(name)) => {
            item.insert(name.clone(), value);
        }
        (Some(AttributeValue::M(m)), PathElement::Attribute(name)) => {
            m.insert(name.clone(), value);
        }
        (Some(AttributeValue::L(l)), PathElement::Index(i)) => match l.get_mut(*i as usize) {
            Some(slot) => *slot = value,
            None => l.push(value),
        },
        _ => return Err(Error::validation(INVALID_PATH)),
    }
    Ok(())
}

/// Removes the value at `path`; a missing path is not an error.
fn remove(item: &mut AttributeMap, path: &Path) -> Result<(), Error> {
    let Some(last) = path.elements.last() else {
        return Ok(());
    };
    let parent = match parent_mut(item, path) {
        Ok(parent) => parent,
        // A missing parent means there is nothing to remove.
        Err(_) => return Ok(()),
    };
    match (parent, last) {
        (None, PathElement::Attribute(name)) => {
            item.remove(name);
        }
        (Some(AttributeValue::M(m)), PathElement::Attribute(name)) => {
            m.remove(name);
        }
        (Some(AttributeValue::L(l)), PathElement::Index(i)) => {
            if (*i as usize) < l.len() {
                l.remove(*i as usize);
            }
        }
        (Some(_), _) => return Err(Error::validation(INVALID_PATH)),
        (None, PathElement::Index(_)) => {}
    }
    Ok(())
}

fn add(existing: Option<&AttributeValue>, value: &AttributeValue) -> Result<AttributeValue, Error> {
    Ok(match (existing, value) {
        (None, v) => v.clone(),
        (Some(AttributeValue::N(a)), AttributeValue::N(b)) => AttributeValue::N(
            a.checked_add(*b)
                .map_err(|e| Error::Validation(e.to_string()))?,
        ),
        (Some(AttributeValue::Ss(a)), AttributeValue::Ss(b)) => {
            AttributeValue::Ss(a.union(b).cloned().collect())
        }
        (Some(AttributeValue::Ns(a)), AttributeValue::Ns(b)) => {
            AttributeValue::Ns(a.union(b).cloned().collect())
        }
        (Some(AttributeValue::Bs(a)), AttributeValue::Bs(b)) => {
            AttributeValue::Bs(a.union(b).cloned().collect())
        }
        _ => return Err(Error::validation(WRONG_TYPE)),
    })
}

/// The set left after removing `value`'s elements, `None` when empty.
fn delete(
    existing: &AttributeValue,
    value: &AttributeValue,
) -> Result<Option<AttributeValue>, Error> {
    let rest = match (existing, value) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => {
            AttributeValue::Ss(a.difference(b).cloned().collect())
        }
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => {
            AttributeValue::Ns(a.difference(b).cloned().collect())
        }
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => {
            AttributeValue::Bs(a.difference(b).cloned().collect())
        }
        _ => return Err(Error::validation(WRONG_TYPE)),
    };
    let empty = match &rest {
        AttributeValue::Ss(s) => s.is_empty(),
        AttributeValue::Ns(s) => s.is_empty(),
        AttributeValue::Bs(s) => s.is_empty(),
        _ => false,
    };
    Ok((!empty).then_some(rest))
}

impl Update {
    /// The item after this update. `old` is the item before it (empty when
    /// the item does not exist yet; the caller adds the key). Every SET
    /// value is computed from `old`.
    pub fn apply(&self, old: &AttributeMap) -> Result<AttributeMap, Error> {
        let values = self
            .set
            .iter()
            .map(|action| match &action.value {
                SetValue::Operand(op) => update_operand(op, old),
                SetValue::Plus(a, b) => arithmetic(a, b, old, Number::checked_add),
                SetValue::Minus(a, b) => arithmetic(a, b, old, Number::checked_sub),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut new = old.clone();
        for (action, value) in self.set.iter().zip(values) {
            write(&mut new, &action.path, value)?;
        }
        // Remove list elements from the highest index down, so indexes
        // refer to the list as it was.
        let mut removals: Vec<&Path> = self.remove.iter().collect();
        removals.sort_unstable_by(|a, b| b.cmp(a));
        for path in removals {
            remove(&mut new, path)?;
        }
        for (path, value) in &self.add {
            let sum = add(resolve(&new, path), value)?;
            write(&mut new, path, sum)?;
        }
        for (path, value) in &self.delete {
            let Some(existing) = resolve(&new, path) else {
                continue;
            };
            match delete(existing, value)? {
                Some(rest) => write(&mut new, path, rest)?,
                None => remove(&mut new, path)?,
            }
        }
        Ok(new)
    }
}
