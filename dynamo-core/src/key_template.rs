//! Key templates of single-table design: `pk = "CUSTOMER#{customer_id}"`,
//! `sk = "ORDER#{placed_at:12}#{order_id}"`. The derive renders a template
//! with [`KeyPart`]; a typed query turns a sort-key condition on the
//! template's first field into a condition on the rendered string that
//! stays inside the entity's prefix, so a query for orders never returns
//! the customer stored in the same partition.
//!
//! Invariant: a rendered key keeps the order of its first field only when
//! the text after that field sorts below every character the field can
//! hold (the usual `#` separator does, for letters and digits) and numbers
//! are zero-padded to one width (`{placed_at:12}`).

use crate::expr::SortKeyOp;
use crate::value::{AttributeValue, Number};

/// One piece of a key template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateSegment {
    /// Text written as is.
    Literal(&'static str),
    /// A field's value, zero-padded to `width` digits when set.
    Field {
        /// The field's attribute name.
        name: &'static str,
        /// `{field:width}`.
        width: Option<usize>,
    },
}

/// A key template as declared on the struct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTemplate {
    /// Its pieces, in order.
    pub segments: &'static [TemplateSegment],
}

impl KeyTemplate {
    /// The text before the first field (the whole key when there is none).
    pub fn prefix(&self) -> String {
        self.segments
            .iter()
            .map_while(|s| match s {
                TemplateSegment::Literal(text) => Some(*text),
                TemplateSegment::Field { .. } => None,
            })
            .collect()
    }

    /// The first field's zero-padding, the text right after it, and whether
    /// other fields follow; `None` for a template without fields.
    fn first_field(&self) -> Option<(Option<usize>, &'static str, bool)> {
        let start = self
            .segments
            .iter()
            .position(|s| matches!(s, TemplateSegment::Field { .. }))?;
        let TemplateSegment::Field { width, .. } = self.segments[start] else {
            return None;
        };
        let rest = &self.segments[start + 1..];
        let after = match rest.first() {
            Some(TemplateSegment::Literal(text)) => text,
            _ => "",
        };
        let more = rest
            .iter()
            .any(|s| matches!(s, TemplateSegment::Field { .. }));
        Some((width, after, more))
    }
}

/// Why a key template could not be rendered from attribute values at run
/// time (the planner renders keys from the values of predicates).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A field of the template has no value.
    #[error("key template field `{0}` has no value")]
    MissingField(&'static str),
    /// The value's type cannot be part of a key (a list, a map, a set...).
    #[error("key template field `{field}` cannot hold a {found} value")]
    Unrenderable {
        /// The template field.
        field: &'static str,
        /// The DynamoDB type of the value given.
        found: &'static str,
    },
    /// A zero-padded field was given a value that is not an unsigned integer.
    #[error("key template field `{field}` is zero-padded, and {value} is not an unsigned integer")]
    NotPaddable {
        /// The template field.
        field: &'static str,
        /// The value given.
        value: String,
    },
}

/// Appends the key text of an attribute value, as the derive's
/// [`KeyPart`] implementations write the field it came from: strings as
/// they are, numbers in decimal (zero-padded to `width`), booleans as
/// `true`/`false`.
pub fn write_value(
    out: &mut String,
    field: &'static str,
    value: &AttributeValue,
    width: Option<usize>,
) -> Result<(), RenderError> {
    match (value, width) {
        (AttributeValue::S(s), None) => out.push_str(s),
        (AttributeValue::N(n), None) => n.write_key_part(out),
        (AttributeValue::N(n), Some(width)) => match n.to_u128() {
            Some(v) if v.to_string() == n.to_string() => v.write_padded(out, width),
            _ => {
                return Err(RenderError::NotPaddable {
                    field,
                    value: n.to_string(),
                });
            }
        },
        (AttributeValue::Bool(b), None) => b.write_key_part(out),
        (other, _) => {
            return Err(RenderError::Unrenderable {
                field,
                found: other.type_name(),
            });
        }
    }
    Ok(())
}

impl KeyTemplate {
    /// The fields the template reads, in order, with their padding.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, Option<usize>)> + '_ {
        self.segments.iter().filter_map(|s| match s {
            TemplateSegment::Field { name, width } => Some((*name, *width)),
            TemplateSegment::Literal(_) => None,
        })
    }

    /// Renders the key from the values `value` gives for its fields: the
    /// same text the derived code writes for an item with those values.
    ///
    /// ```
    /// use dynamo_core::{AttributeValue, KeyTemplate, TemplateSegment};
    /// const SK: KeyTemplate = KeyTemplate {
    ///     segments: &[
    ///         TemplateSegment::Literal("ORDER#"),
    ///         TemplateSegment::Field { name: "placed_at", width: Some(6) },
    ///     ],
    /// };
    /// let at = AttributeValue::N(42u64.into());
    /// let key = SK.render(|field| (field == "placed_at").then_some(&at)).unwrap();
    /// assert_eq!(key, "ORDER#000042");
    /// ```
    pub fn render<'v>(
        &self,
        value: impl Fn(&str) -> Option<&'v AttributeValue>,
    ) -> Result<String, RenderError> {
        let (text, rendered) = self.render_prefix(&value)?;
        match self.fields().nth(rendered) {
            Some((name, _)) => Err(RenderError::MissingField(name)),
            None => Ok(text),
        }
    }

    /// Renders the template up to its first field without a value: the
    /// text and how many fields it holds. A prefix that stops before a
    /// field ends with the literal right before it.
    pub fn render_prefix<'v>(
        &self,
        value: impl Fn(&str) -> Option<&'v AttributeValue>,
    ) -> Result<(String, usize), RenderError> {
        let mut out = String::new();
        let mut rendered = 0;
        for segment in self.segments {
            match segment {
                TemplateSegment::Literal(text) => out.push_str(text),
                TemplateSegment::Field { name, width } => match value(name) {
                    Some(v) => {
                        write_value(&mut out, name, v, *width)?;
                        rendered += 1;
                    }
                    None => break,
                },
            }
        }
        Ok((out, rendered))
    }

    /// The literal right after field number `index` (empty when another
    /// field or the end follows), and whether more fields follow it.
    pub fn after_field(&self, index: usize) -> (&'static str, bool) {
        let Some(position) = self
            .segments
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, TemplateSegment::Field { .. }))
            .map(|(i, _)| i)
            .nth(index)
        else {
            return ("", false);
        };
        let rest = &self.segments[position + 1..];
        let after = match rest.first() {
            Some(TemplateSegment::Literal(text)) => text,
            _ => "",
        };
        let more = rest
            .iter()
            .any(|s| matches!(s, TemplateSegment::Field { .. }));
        (after, more)
    }
}

/// A value that can appear in a key template: strings as they are, numbers
/// in decimal, `bool` as `true`/`false`, unit enums (derived) by name.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot appear in a key template",
    label = "key templates hold strings, integers, `Number`, `bool` and unit enums that derive `dynamo::Attribute`"
)]
pub trait KeyPart {
    /// Appends the value's text to `out`.
    fn write_key_part(&self, out: &mut String);
}

/// A key-template value that can be zero-padded (`{field:width}`) so that
/// the string order of rendered keys is the numeric order of the values.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be zero-padded in a key template",
    label = "zero padding keeps numeric order only for unsigned integers",
    note = "remove the `:width`, or store the value as an unsigned integer"
)]
pub trait PaddedKeyPart: KeyPart {
    /// Appends the value's digits, left-padded with zeros to `width`.
    fn write_padded(&self, out: &mut String, width: usize);
}

impl KeyPart for String {
    fn write_key_part(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl KeyPart for str {
    fn write_key_part(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: KeyPart + ?Sized> KeyPart for &T {
    fn write_key_part(&self, out: &mut String) {
        (**self).write_key_part(out);
    }
}

impl<T: PaddedKeyPart + ?Sized> PaddedKeyPart for &T {
    fn write_padded(&self, out: &mut String, width: usize) {
        (**self).write_padded(out, width);
    }
}

impl KeyPart for bool {
    fn write_key_part(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl KeyPart for Number {
    fn write_key_part(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

macro_rules! signed_key_part {
    ($($t:ty),*) => {$(
        impl KeyPart for $t {
            fn write_key_part(&self, out: &mut String) {
                use std::fmt::Write as _;
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
signed_key_part!(i8, i16, i32, i64, i128, isize);

macro_rules! unsigned_key_part {
    ($($t:ty),*) => {$(
        impl KeyPart for $t {
            fn write_key_part(&self, out: &mut String) {
                use std::fmt::Write as _;
                let _ = write!(out, "{self}");
            }
        }
        impl PaddedKeyPart for $t {
            fn write_padded(&self, out: &mut String, width: usize) {
                use std::fmt::Write as _;
                let _ = write!(out, "{self:0width$}");
            }
        }
    )*};
}
unsigned_key_part!(u8, u16, u32, u64, u128, usize);

/// The sort key a typed query conditions on: its attribute and, for a
/// templated key, the template (conditions then take the template's first
/// field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortKeyShape {
    /// The sort-key attribute.
    pub name: &'static str,
    /// Its template, when the key is rendered from fields.
    pub template: Option<KeyTemplate>,
}

/// The largest character; appended to a prefix it bounds every key that
/// starts with the prefix.
const MAX_CHAR: char = char::MAX;

/// The type of a sort key that typed queries can put conditions on; also
/// the operand type of those conditions. For a templated sort key it is the
/// type of the template's first field.
#[diagnostic::on_unimplemented(
    message = "this index has no sort key, so a query on it cannot have a sort-key condition",
    label = "sort-key conditions need a table or index with a sort key",
    note = "query the whole partition instead, without `sk_*`"
)]
pub trait SortKeyType {
    /// The operand as the sort key's own value (an untemplated key).
    fn plain(&self) -> AttributeValue;
    /// Appends the operand's text to a rendered key, padded to `width`.
    fn write_templated(&self, out: &mut String, width: Option<usize>);
}

/// A sort key that `begins_with` applies to: strings and binary.
#[diagnostic::on_unimplemented(
    message = "`begins_with` needs a string or binary sort key, and this sort key is `{Self}`",
    label = "not a string or binary sort key",
    note = "compare numbers with `sk_between`, `sk_ge` or `sk_lt` instead"
)]
pub trait BeginsWithKey: SortKeyType {}

impl BeginsWithKey for String {}
impl BeginsWithKey for Vec<u8> {}

impl SortKeyType for String {
    fn plain(&self) -> AttributeValue {
        AttributeValue::S(self.clone())
    }
    fn write_templated(&self, out: &mut String, _width: Option<usize>) {
        out.push_str(self);
    }
}

impl SortKeyType for Number {
    fn plain(&self) -> AttributeValue {
        AttributeValue::N(*self)
    }
    fn write_templated(&self, out: &mut String, _width: Option<usize>) {
        self.write_key_part(out);
    }
}

impl SortKeyType for Vec<u8> {
    fn plain(&self) -> AttributeValue {
        AttributeValue::B(self.clone())
    }
    // Binary values cannot be template fields; for completeness they render
    // as lowercase hex, which keeps their order.
    fn write_templated(&self, out: &mut String, _width: Option<usize>) {
        use std::fmt::Write as _;
        for byte in self {
            let _ = write!(out, "{byte:02x}");
        }
    }
}

macro_rules! integer_sort_key {
    ($($t:ty => $write:ident),*) => {$(
        impl SortKeyType for $t {
            fn plain(&self) -> AttributeValue {
                AttributeValue::N(Number::from(*self))
            }
            fn write_templated(&self, out: &mut String, width: Option<usize>) {
                integer_sort_key!(@$write self, out, width);
            }
        }
    )*};
    (@padded $v:ident, $out:ident, $width:ident) => {
        match $width {
            Some(w) => $v.write_padded($out, w),
            None => $v.write_key_part($out),
        }
    };
    (@plain $v:ident, $out:ident, $width:ident) => {{
        let _ = $width;
        $v.write_key_part($out)
    }};
}
integer_sort_key!(
    u8 => padded, u16 => padded, u32 => padded, u64 => padded, usize => padded,
    i8 => plain, i16 => plain, i32 => plain, i64 => plain, isize => plain
);

/// `sk op v` on a templated sort key, bounded to the keys that start with
/// `prefix`: `value` is `prefix`, the compared field's text and the text
/// after it; `more` says whether other fields follow (then equality on the
/// field is a prefix of the key).
pub(crate) fn bounded(prefix: &str, value: String, more: bool, op: SortCompare) -> SortKeyOp {
    let top = format!("{prefix}{MAX_CHAR}");
    let s = AttributeValue::S;
    match op {
        // With more fields, "the first field equals v" is a prefix.
        SortCompare::Eq if more => SortKeyOp::BeginsWith(s(value)),
        SortCompare::Eq => SortKeyOp::Eq(s(value)),
        SortCompare::Ge => SortKeyOp::Between(s(value), s(top)),
        SortCompare::Gt if more => SortKeyOp::Between(s(format!("{value}{MAX_CHAR}")), s(top)),
        // The smallest string above `value` is `value` followed by NUL.
        SortCompare::Gt => SortKeyOp::Between(s(format!("{value}\0")), s(top)),
        SortCompare::Le if more => {
            SortKeyOp::Between(s(prefix.to_owned()), s(format!("{value}{MAX_CHAR}")))
        }
        SortCompare::Le => SortKeyOp::Between(s(prefix.to_owned()), s(value)),
        SortCompare::Lt => SortKeyOp::Between(s(prefix.to_owned()), s(below(&value))),
    }
}

/// The sort-key type of a table or index without a sort key: it has no
/// [`SortKeyType`] implementation, so sort-key conditions do not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoSortKey {}

/// A typed sort-key comparison, before it is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SortCompare {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The largest string below `value` for every practical key: its last
/// character decremented, then the largest character (a key that continues
/// with U+10FFFF itself would be missed; the key condition needs a bound
/// that stays inside the entity's prefix, and `<` alone would not).
fn below(value: &str) -> String {
    let mut out = value.to_owned();
    match out.pop() {
        // The string just below `x\0` is `x`.
        Some('\0') => {}
        Some(last) => {
            let mut code = u32::from(last) - 1;
            if (0xD800..=0xDFFF).contains(&code) {
                code = 0xD7FF;
            }
            out.extend(char::from_u32(code));
            out.push(MAX_CHAR);
        }
        None => {}
    }
    out
}

impl SortKeyShape {
    /// The condition every query of the entity carries when the caller gives
    /// none: the template's literal prefix (or the whole key of a template
    /// without fields).
    pub(crate) fn implicit(&self) -> Option<SortKeyOp> {
        let template = self.template?;
        let prefix = template.prefix();
        match template.first_field() {
            None => Some(SortKeyOp::Eq(AttributeValue::S(prefix))),
            Some(_) if prefix.is_empty() => None,
            Some(_) => Some(SortKeyOp::BeginsWith(AttributeValue::S(prefix))),
        }
    }

    fn render(&self, template: &KeyTemplate, operand: &dyn SortKeyType) -> (String, String, bool) {
        let (width, after, more) = template.first_field().unwrap_or((None, "", false));
        let prefix = template.prefix();
        let mut value = prefix.clone();
        operand.write_templated(&mut value, width);
        // With more fields, `after` is the separator; without, it is the
        // rest of the key (`ORDER#{id}#META`), so `value` is the whole key.
        value.push_str(after);
        (prefix, value, more)
    }

    /// `sk op operand`.
    pub(crate) fn compare(&self, op: SortCompare, operand: &dyn SortKeyType) -> SortKeyOp {
        let Some(template) = self.template else {
            let v = operand.plain();
            return match op {
                SortCompare::Eq => SortKeyOp::Eq(v),
                SortCompare::Lt => SortKeyOp::Lt(v),
                SortCompare::Le => SortKeyOp::Le(v),
                SortCompare::Gt => SortKeyOp::Gt(v),
                SortCompare::Ge => SortKeyOp::Ge(v),
            };
        };
        let (prefix, value, more) = self.render(&template, operand);
        bounded(&prefix, value, more, op)
    }

    /// `sk BETWEEN low AND high`.
    pub(crate) fn between(&self, low: &dyn SortKeyType, high: &dyn SortKeyType) -> SortKeyOp {
        let Some(template) = self.template else {
            return SortKeyOp::Between(low.plain(), high.plain());
        };
        let (_, low, _) = self.render(&template, low);
        let (_, high, more) = self.render(&template, high);
        let high = if more {
            format!("{high}{MAX_CHAR}")
        } else {
            high
        };
        SortKeyOp::Between(AttributeValue::S(low), AttributeValue::S(high))
    }

    /// `begins_with(sk, prefix)`.
    pub(crate) fn begins_with(&self, prefix: &dyn SortKeyType) -> SortKeyOp {
        let Some(template) = self.template else {
            return SortKeyOp::BeginsWith(prefix.plain());
        };
        let mut value = template.prefix();
        prefix.write_templated(&mut value, None);
        SortKeyOp::BeginsWith(AttributeValue::S(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: KeyTemplate = KeyTemplate {
        segments: &[
            TemplateSegment::Literal("ORDER#"),
            TemplateSegment::Field {
                name: "placed_at",
                width: Some(6),
            },
            TemplateSegment::Literal("#"),
            TemplateSegment::Field {
                name: "order_id",
                width: None,
            },
        ],
    };

    fn shape() -> SortKeyShape {
        SortKeyShape {
            name: "sk",
            template: Some(ORDER),
        }
    }

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    #[test]
    fn a_single_field_template_with_a_suffix_compares_whole_keys() {
        const META: KeyTemplate = KeyTemplate {
            segments: &[
                TemplateSegment::Literal("ORDER#"),
                TemplateSegment::Field {
                    name: "order_id",
                    width: None,
                },
                TemplateSegment::Literal("#META"),
            ],
        };
        let shape = SortKeyShape {
            name: "sk",
            template: Some(META),
        };
        let id = String::from("o7");
        assert_eq!(
            shape.compare(SortCompare::Eq, &id),
            SortKeyOp::Eq(s("ORDER#o7#META"))
        );
        assert_eq!(
            shape.compare(SortCompare::Ge, &id),
            SortKeyOp::Between(s("ORDER#o7#META"), s("ORDER#\u{10FFFF}"))
        );
        assert_eq!(
            shape.begins_with(&String::from("o")),
            SortKeyOp::BeginsWith(s("ORDER#o"))
        );
    }

    #[test]
    fn a_query_without_condition_stays_in_the_entity_prefix() {
        assert_eq!(shape().implicit(), Some(SortKeyOp::BeginsWith(s("ORDER#"))));
    }

    #[test]
    fn conditions_on_the_first_field_render_padded_and_bounded() {
        let ge = shape().compare(SortCompare::Ge, &42u64);
        assert_eq!(
            ge,
            SortKeyOp::Between(s("ORDER#000042#"), s("ORDER#\u{10FFFF}"))
        );
        let eq = shape().compare(SortCompare::Eq, &42u64);
        assert_eq!(eq, SortKeyOp::BeginsWith(s("ORDER#000042#")));
        let lt = shape().compare(SortCompare::Lt, &42u64);
        assert_eq!(
            lt,
            SortKeyOp::Between(s("ORDER#"), s("ORDER#000042\"\u{10FFFF}"))
        );
    }
}
