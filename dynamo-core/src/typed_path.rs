//! Typed document paths and the conditions built from them. The derive
//! generates one constant per field (`Order::STATUS: Path<Order,
//! OrderStatus>`); its methods only accept operands of the field's type and
//! only exist where DynamoDB's operator applies (`begins_with` on strings,
//! `contains` on strings, sets and lists, `ADD` on numbers and sets), and
//! they produce the expression AST of [`crate::expr`].

use crate::expr::{self, Comparator, Condition, Operand, PathElement};
use crate::item::{Attribute, AttributeError};
use crate::value::{AttributeValue, Number};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;

/// Marks a path to an attribute every item has (a non-`Option` field).
#[derive(Clone, Copy, Debug)]
pub enum Required {}

/// Marks a path to an attribute an item may lack (an `Option` field, a
/// list element, a map entry), which an update may remove.
#[derive(Clone, Copy, Debug)]
pub enum Optional {}

/// Marks a path to an attribute the primary key is built from, which no
/// update may change.
#[derive(Clone, Copy, Debug)]
pub enum KeyField {}

/// A path an update may write.
#[diagnostic::on_unimplemented(
    message = "this attribute is part of the primary key, so an update cannot change it",
    label = "the key of an item is fixed when it is written",
    note = "write a new item with the new key and delete the old one"
)]
pub trait Mutable {}

impl Mutable for Required {}
impl Mutable for Optional {}

/// A path that `REMOVE` may delete.
#[diagnostic::on_unimplemented(
    message = "this attribute is required, so an update cannot remove it",
    label = "the item would no longer read back as its Rust type",
    note = "make the field an `Option<_>` to allow removing it"
)]
pub trait Removable {}

impl Removable for Optional {}

/// Carries a path's type parameters without owning any of them.
type PathMarker<T, V, O> = fn() -> (T, V, O);

/// The path to an attribute of `T` holding a `V`, possibly nested
/// (`Order::SHIPPING.then(Address::CITY)`, `Order::LINES.at(0)`).
///
/// ```
/// use dynamo_core::typed_path::Path;
/// struct Order;
/// const TOTAL: Path<Order, u64> = Path::new("total_cents");
/// let cond = TOTAL.ge(100u64).and(TOTAL.lt(1000u64));
/// assert!(cond.into_condition().is_ok());
/// ```
pub struct Path<T, V, O = Required> {
    root: &'static str,
    rest: Vec<PathElement>,
    marker: PhantomData<PathMarker<T, V, O>>,
}

impl<T, V, O> Clone for Path<T, V, O> {
    fn clone(&self) -> Self {
        Self {
            root: self.root,
            rest: self.rest.clone(),
            marker: PhantomData,
        }
    }
}

impl<T, V, O> std::fmt::Debug for Path<T, V, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Path({})", self.to_expr())
    }
}

impl<T, V, O> Path<T, V, O> {
    /// The top-level attribute `name` (used by derived constants).
    pub const fn new(name: &'static str) -> Self {
        Self {
            root: name,
            rest: Vec::new(),
            marker: PhantomData,
        }
    }

    /// The untyped document path.
    pub fn to_expr(&self) -> expr::Path {
        let mut elements = Vec::with_capacity(1 + self.rest.len());
        elements.push(PathElement::Attribute(self.root.to_owned()));
        elements.extend(self.rest.iter().cloned());
        expr::Path { elements }
    }

    fn extend<W, P>(mut self, element: impl IntoIterator<Item = PathElement>) -> Path<T, W, P> {
        self.rest.extend(element);
        Path {
            root: self.root,
            rest: self.rest,
            marker: PhantomData,
        }
    }

    /// The attribute `inner` inside this map attribute (a nested
    /// `#[derive(Attribute)]` struct).
    pub fn then<W, P>(self, inner: Path<V, W, P>) -> Path<T, W, P> {
        let mut steps = vec![PathElement::Attribute(inner.root.to_owned())];
        steps.extend(inner.rest);
        self.extend(steps)
    }

    fn condition(&self, build: impl FnOnce(Operand) -> Condition) -> Cond<T> {
        Cond::new(Ok(build(Operand::Path(self.to_expr()))))
    }

    fn compare(&self, op: Comparator, value: Result<AttributeValue, AttributeError>) -> Cond<T> {
        let path = Operand::Path(self.to_expr());
        Cond::new(value.map(|v| Condition::Compare {
            left: path,
            op,
            right: Operand::Value(v),
        }))
    }

    /// The attribute exists.
    pub fn exists(&self) -> Cond<T> {
        Cond::new(Ok(Condition::AttributeExists(self.to_expr())))
    }

    /// The attribute does not exist.
    pub fn not_exists(&self) -> Cond<T> {
        Cond::new(Ok(Condition::AttributeNotExists(self.to_expr())))
    }

    /// The attribute's size: characters of a string, bytes of a binary,
    /// elements of a set, list or map.
    pub fn size(&self) -> Size<T> {
        Size {
            path: self.to_expr(),
            marker: PhantomData,
        }
    }
}

impl<T, V: Attribute, O> Path<T, V, O> {
    /// The attribute equals `value`.
    pub fn eq(&self, value: impl ValueArg<V>) -> Cond<T> {
        self.compare(Comparator::Eq, value.into_value().to_attribute())
    }

    /// The attribute differs from `value` (or is absent).
    pub fn ne(&self, value: impl ValueArg<V>) -> Cond<T> {
        self.compare(Comparator::Ne, value.into_value().to_attribute())
    }

    /// The attribute equals one of `values` (1 to 100 of them).
    pub fn is_in<A: ValueArg<V>>(&self, values: impl IntoIterator<Item = A>) -> Cond<T> {
        let list: Result<Vec<Operand>, AttributeError> = values
            .into_iter()
            .map(|v| v.into_value().to_attribute().map(Operand::Value))
            .collect();
        let path = Operand::Path(self.to_expr());
        Cond::new(list.map(|list| Condition::In { value: path, list }))
    }
}

// Bounds sit on the methods, so that misuse reports the trait's own message.
impl<T, V, O> Path<T, V, O> {
    /// The attribute is below `value`.
    pub fn lt(&self, value: impl ValueArg<V>) -> Cond<T>
    where
        V: Ordered,
    {
        self.compare(Comparator::Lt, value.into_value().to_attribute())
    }

    /// The attribute is at most `value`.
    pub fn le(&self, value: impl ValueArg<V>) -> Cond<T>
    where
        V: Ordered,
    {
        self.compare(Comparator::Le, value.into_value().to_attribute())
    }

    /// The attribute is above `value`.
    pub fn gt(&self, value: impl ValueArg<V>) -> Cond<T>
    where
        V: Ordered,
    {
        self.compare(Comparator::Gt, value.into_value().to_attribute())
    }

    /// The attribute is at least `value`.
    pub fn ge(&self, value: impl ValueArg<V>) -> Cond<T>
    where
        V: Ordered,
    {
        self.compare(Comparator::Ge, value.into_value().to_attribute())
    }

    /// The attribute lies between `low` and `high`, both included.
    pub fn between(&self, low: impl ValueArg<V>, high: impl ValueArg<V>) -> Cond<T>
    where
        V: Ordered,
    {
        let bounds = low
            .into_value()
            .to_attribute()
            .and_then(|l| Ok((l, high.into_value().to_attribute()?)));
        let path = Operand::Path(self.to_expr());
        Cond::new(bounds.map(|(low, high)| Condition::Between {
            value: path,
            low: Operand::Value(low),
            high: Operand::Value(high),
        }))
    }
}

impl<T, O> Path<T, String, O> {
    /// The string attribute starts with `prefix`.
    pub fn begins_with(&self, prefix: impl Into<String>) -> Cond<T> {
        let prefix = prefix.into();
        self.condition(|path| {
            Condition::BeginsWith(path, Operand::Value(AttributeValue::S(prefix)))
        })
    }
}

impl<T, V, O> Path<T, V, O> {
    /// The string attribute contains the substring, or the set or list
    /// attribute contains the element, `value`.
    pub fn contains(&self, value: impl ValueArg<V::Element>) -> Cond<T>
    where
        V: Contains,
    {
        let value = value.into_value().to_attribute();
        let path = Operand::Path(self.to_expr());
        Cond::new(value.map(|v| Condition::Contains(path, Operand::Value(v))))
    }
}

impl<T, E, O> Path<T, Vec<E>, O> {
    /// The list element at `index`.
    pub fn at(self, index: u32) -> Path<T, E, Optional> {
        self.extend([PathElement::Index(index)])
    }
}

impl<T, E, O> Path<T, VecDeque<E>, O> {
    /// The list element at `index`.
    pub fn at(self, index: u32) -> Path<T, E, Optional> {
        self.extend([PathElement::Index(index)])
    }
}

impl<T, E, S, O> Path<T, HashMap<String, E, S>, O> {
    /// The map entry `key`.
    pub fn key(self, key: impl Into<String>) -> Path<T, E, Optional> {
        self.extend([PathElement::Attribute(key.into())])
    }
}

impl<T, E, O> Path<T, BTreeMap<String, E>, O> {
    /// The map entry `key`.
    pub fn key(self, key: impl Into<String>) -> Path<T, E, Optional> {
        self.extend([PathElement::Attribute(key.into())])
    }
}

/// `size(path)`, compared with a number.
pub struct Size<T> {
    path: expr::Path,
    marker: PhantomData<fn() -> T>,
}

impl<T> Size<T> {
    fn compare(&self, op: Comparator, n: usize) -> Cond<T> {
        Cond::new(Ok(Condition::Compare {
            left: Operand::Size(self.path.clone()),
            op,
            right: Operand::Value(AttributeValue::N(Number::from(n))),
        }))
    }
    /// The size equals `n`.
    pub fn eq(&self, n: usize) -> Cond<T> {
        self.compare(Comparator::Eq, n)
    }
    /// The size differs from `n`.
    pub fn ne(&self, n: usize) -> Cond<T> {
        self.compare(Comparator::Ne, n)
    }
    /// The size is below `n`.
    pub fn lt(&self, n: usize) -> Cond<T> {
        self.compare(Comparator::Lt, n)
    }
    /// The size is at most `n`.
    pub fn le(&self, n: usize) -> Cond<T> {
        self.compare(Comparator::Le, n)
    }
    /// The size is above `n`.
    pub fn gt(&self, n: usize) -> Cond<T> {
        self.compare(Comparator::Gt, n)
    }
    /// The size is at least `n`.
    pub fn ge(&self, n: usize) -> Cond<T> {
        self.compare(Comparator::Ge, n)
    }
}

/// A condition on items of `T`, for `when(...)` on writes. An operand that
/// cannot be converted (a NaN float) is reported when the request is sent.
#[must_use = "a condition does nothing until it is passed to `when`"]
pub struct Cond<T> {
    condition: Result<Condition, AttributeError>,
    marker: PhantomData<fn() -> T>,
}

impl<T> Clone for Cond<T> {
    fn clone(&self) -> Self {
        Self::new(self.condition.clone())
    }
}

impl<T> std::fmt::Debug for Cond<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Cond").field(&self.condition).finish()
    }
}

impl<T> Cond<T> {
    fn new(condition: Result<Condition, AttributeError>) -> Self {
        Self {
            condition,
            marker: PhantomData,
        }
    }

    fn join(self, other: Cond<T>, f: fn(Condition, Condition) -> Condition) -> Cond<T> {
        Cond::new(self.condition.and_then(|a| Ok(f(a, other.condition?))))
    }

    /// Both conditions hold.
    pub fn and(self, other: Cond<T>) -> Cond<T> {
        self.join(other, Condition::and)
    }

    /// Either condition holds.
    pub fn or(self, other: Cond<T>) -> Cond<T> {
        self.join(other, Condition::or)
    }

    /// The untyped condition.
    pub fn into_condition(self) -> Result<Condition, AttributeError> {
        self.condition
    }
}

impl<T> std::ops::Not for Cond<T> {
    type Output = Cond<T>;
    fn not(self) -> Cond<T> {
        Cond::new(self.condition.map(Condition::not))
    }
}

impl<T> std::ops::BitAnd for Cond<T> {
    type Output = Cond<T>;
    fn bitand(self, other: Cond<T>) -> Cond<T> {
        self.and(other)
    }
}

impl<T> std::ops::BitOr for Cond<T> {
    type Output = Cond<T>;
    fn bitor(self, other: Cond<T>) -> Cond<T> {
        self.or(other)
    }
}

/// A value accepted where an attribute of type `V` is expected: `V`
/// itself, or a string slice for strings.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of this attribute, whose type is `{V}`",
    label = "expected a `{V}`"
)]
pub trait ValueArg<V> {
    /// The value.
    fn into_value(self) -> V;
}

impl<V> ValueArg<V> for V {
    fn into_value(self) -> V {
        self
    }
}

impl ValueArg<String> for &str {
    fn into_value(self) -> String {
        self.to_owned()
    }
}

impl ValueArg<String> for &String {
    fn into_value(self) -> String {
        self.clone()
    }
}

/// A type DynamoDB orders: numbers, strings, binary (and unit enums, stored
/// as strings).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no order in DynamoDB, so it cannot be compared with <, <=, >, >= or BETWEEN",
    label = "only numbers, strings and binary values are ordered",
    note = "compare with `eq`/`ne`, or compare a nested attribute or `size()` instead"
)]
pub trait Ordered: Attribute {}

impl Ordered for String {}
impl Ordered for Number {}
impl Ordered for Vec<u8> {}
impl Ordered for std::time::SystemTime {}

/// A number type: `ADD`, `increment` and `decrement` apply.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a number, so it cannot be incremented",
    label = "increment and decrement apply to number attributes"
)]
pub trait Numeric: Attribute {}

/// A type `ADD` applies to: numbers (added) and sets (elements added).
#[diagnostic::on_unimplemented(
    message = "`ADD` works on numbers and sets, and `{Self}` is neither",
    label = "not a number or set attribute",
    note = "use `set` to overwrite the attribute instead"
)]
pub trait Addable: Attribute {}

/// A set type: `DELETE` removes elements from it.
#[diagnostic::on_unimplemented(
    message = "`DELETE` removes elements from sets, and `{Self}` is not a set",
    label = "not a set attribute",
    note = "use `remove` to delete an optional attribute"
)]
pub trait SetAttribute: Attribute {}

macro_rules! numeric {
    ($($t:ty),*) => {$(
        impl Ordered for $t {}
        impl Numeric for $t {}
        impl Addable for $t {}
    )*};
}
numeric!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);
impl Numeric for Number {}
impl Addable for Number {}

impl<E: crate::item::SetElement + Eq + std::hash::Hash, S: std::hash::BuildHasher + Default> Addable
    for HashSet<E, S>
{
}
impl<E: crate::item::SetElement + Ord> Addable for BTreeSet<E> {}
impl<E: crate::item::SetElement + Eq + std::hash::Hash, S: std::hash::BuildHasher + Default>
    SetAttribute for HashSet<E, S>
{
}
impl<E: crate::item::SetElement + Ord> SetAttribute for BTreeSet<E> {}

/// A type `contains` applies to, and the type of what it may contain.
#[diagnostic::on_unimplemented(
    message = "`contains` applies to strings, sets and lists, and `{Self}` is none of them",
    label = "not a string, set or list attribute"
)]
pub trait Contains: Attribute {
    /// The substring or element type.
    type Element: Attribute;
}

impl Contains for String {
    type Element = String;
}
impl<E: Attribute> Contains for Vec<E> {
    type Element = E;
}
impl<E: Attribute> Contains for VecDeque<E> {
    type Element = E;
}
impl<E: crate::item::SetElement + Eq + std::hash::Hash, S: std::hash::BuildHasher + Default>
    Contains for HashSet<E, S>
{
    type Element = E;
}
impl<E: crate::item::SetElement + Ord> Contains for BTreeSet<E> {
    type Element = E;
}

/// The actions of a typed update, accumulated by the update builders. A
/// value that cannot be converted is kept as the error and reported when
/// the request is sent.
pub(crate) struct Actions {
    pub update: expr::Update,
    pub error: Option<AttributeError>,
}

impl Actions {
    pub fn new() -> Self {
        Self {
            update: expr::Update::default(),
            error: None,
        }
    }

    fn value<V: Attribute>(&mut self, value: &V) -> Option<AttributeValue> {
        match value.to_attribute() {
            Ok(v) => Some(v),
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    pub fn set<T, V: Attribute, O>(&mut self, path: &Path<T, V, O>, value: V) {
        if let Some(v) = self.value(&value) {
            self.update.set.push(expr::SetAction {
                path: path.to_expr(),
                value: expr::SetValue::Operand(expr::UpdateOperand::Value(v)),
            });
        }
    }

    pub fn set_if_not_exists<T, V: Attribute, O>(&mut self, path: &Path<T, V, O>, value: V) {
        if let Some(v) = self.value(&value) {
            let target = path.to_expr();
            self.update.set.push(expr::SetAction {
                path: target.clone(),
                value: expr::SetValue::Operand(expr::UpdateOperand::IfNotExists(
                    target,
                    Box::new(expr::UpdateOperand::Value(v)),
                )),
            });
        }
    }

    pub fn add<T, V: Attribute, O>(&mut self, path: &Path<T, V, O>, value: V) {
        if let Some(v) = self.value(&value) {
            self.update.add.push((path.to_expr(), v));
        }
    }

    pub fn delete<T, V: Attribute, O>(&mut self, path: &Path<T, V, O>, value: V) {
        if let Some(v) = self.value(&value) {
            self.update.delete.push((path.to_expr(), v));
        }
    }

    pub fn remove<T, V, O>(&mut self, path: &Path<T, V, O>) {
        self.update.remove.push(path.to_expr());
    }

    /// `SET p = if_not_exists(p, 0) ± n`.
    pub fn step<T, V: Attribute, O>(&mut self, path: &Path<T, V, O>, n: V, up: bool) {
        if let Some(v) = self.value(&n) {
            let target = path.to_expr();
            let current = expr::UpdateOperand::IfNotExists(
                target.clone(),
                Box::new(expr::UpdateOperand::Value(AttributeValue::N(Number::from(
                    0u8,
                )))),
            );
            let v = expr::UpdateOperand::Value(v);
            self.update.set.push(expr::SetAction {
                path: target,
                value: if up {
                    expr::SetValue::Plus(current, v)
                } else {
                    expr::SetValue::Minus(current, v)
                },
            });
        }
    }

    /// `SET p = list_append(if_not_exists(p, []), items)` or the reverse.
    pub fn list_append<T, E: Attribute, L, O>(
        &mut self,
        path: &Path<T, L, O>,
        items: Vec<E>,
        at_end: bool,
    ) {
        let items: Result<Vec<AttributeValue>, AttributeError> =
            items.iter().map(Attribute::to_attribute).collect();
        let items = match items {
            Ok(items) => expr::UpdateOperand::Value(AttributeValue::L(items)),
            Err(e) => {
                self.error.get_or_insert(e);
                return;
            }
        };
        let target = path.to_expr();
        let current = expr::UpdateOperand::IfNotExists(
            target.clone(),
            Box::new(expr::UpdateOperand::Value(AttributeValue::L(Vec::new()))),
        );
        let (a, b) = if at_end {
            (current, items)
        } else {
            (items, current)
        };
        self.update.set.push(expr::SetAction {
            path: target,
            value: expr::SetValue::Operand(expr::UpdateOperand::ListAppend(
                Box::new(a),
                Box::new(b),
            )),
        });
    }
}
