//! Access paths: the table and each secondary index an item type declares,
//! and how much of a branch's predicate each can turn into a key condition.
//!
//! A key attribute is bound when every field it is rendered from (or the
//! attribute itself) is fixed by `=` or `IN`; its values are the rendered
//! combinations. Sort-key attributes are bound left to right: equality on
//! leading ones, then one range, `begins_with` or prefix. On a templated
//! key, equality on leading template fields is a prefix of the rendered
//! key and a range on the next field is bounded to that prefix
//! (`key_template::bounded`), which relies on the template invariant of
//! ADR 0003 (numbers zero-padded to one width, separators sorting below the
//! characters a field holds).

use super::FieldInfo;
use super::predicate::{Atom, Branch};
use super::statistics::Stored;
use crate::expr::{KeyCondition, SortKeyOp};
use crate::item::{IndexKind, KeyAttributeSchema, TableSchema};
use crate::key_template::{KeyTemplate, SortCompare, bounded, write_value};
use crate::value::AttributeValue;

/// The most queries (or keys) one branch fans out to.
pub const MAX_FANOUT: usize = 100;

/// Where items are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathKind {
    /// The table itself.
    Table,
    /// A local secondary index.
    LocalIndex,
    /// A global secondary index.
    GlobalIndex,
}

/// The table or one of its indexes, with its keys.
#[derive(Clone, Debug)]
pub(crate) struct AccessPath {
    pub index: Option<&'static str>,
    pub kind: PathKind,
    pub partition: Vec<KeyAttributeSchema>,
    pub sort: Vec<KeyAttributeSchema>,
    pub stored: Stored,
    /// Declaration order (0 for the table).
    pub position: usize,
}

impl AccessPath {
    /// The table and every index `schema` declares, with what each stores.
    pub fn all(schema: &TableSchema, stored: impl Fn(&str, Vec<String>) -> Stored) -> Vec<Self> {
        let table_keys: Vec<KeyAttributeSchema> = std::iter::once(schema.partition_key)
            .chain(schema.sort_key)
            .collect();
        let mut out = vec![AccessPath {
            index: None,
            kind: PathKind::Table,
            partition: vec![schema.partition_key],
            sort: schema.sort_key.into_iter().collect(),
            stored: Stored::All,
            position: 0,
        }];
        for (i, index) in schema.indexes.iter().enumerate() {
            let partition: Vec<KeyAttributeSchema> = std::iter::once(index.partition_key)
                .chain(index.more_partition_keys.iter().copied())
                .collect();
            let sort: Vec<KeyAttributeSchema> = index
                .sort_key
                .into_iter()
                .chain(index.more_sort_keys.iter().copied())
                .collect();
            let keys = table_keys
                .iter()
                .chain(&partition)
                .chain(&sort)
                .map(|k| k.name.to_owned())
                .collect();
            out.push(AccessPath {
                index: Some(index.name),
                kind: match index.kind {
                    IndexKind::Global => PathKind::GlobalIndex,
                    IndexKind::Local => PathKind::LocalIndex,
                },
                partition,
                sort,
                stored: stored(index.name, keys),
                position: i + 1,
            });
        }
        out
    }

    /// How the path is named in plans: `table` or `index by_status (GSI)`.
    pub fn label(&self) -> String {
        match (self.index, self.kind) {
            (Some(name), PathKind::GlobalIndex) => format!("GSI `{name}`"),
            (Some(name), _) => format!("LSI `{name}`"),
            (None, _) => "the table".to_owned(),
        }
    }
}

/// What a path's keys can do with one branch.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct KeyMatch {
    /// One key condition per combination of bound values.
    pub conditions: Vec<KeyCondition>,
    /// The branch's terms the key conditions serve exactly.
    pub consumed: Vec<usize>,
    /// Every key attribute is bound by equality: each condition names one item.
    pub full_key: bool,
    /// The share of a partition the sort-key condition keeps.
    pub sort_factor: f64,
    /// The attribute whose order items come in (the first sort element not
    /// fixed by equality), and the fields fixed by equality before it.
    pub order: Option<String>,
    pub fixed: Vec<String>,
    /// How many fields the partition key is rendered from.
    pub partition_fields: usize,
    /// Consumed terms that hold on the planned type's items by their key
    /// template, and must be checked on the items of other types of a
    /// collection.
    pub recheck: Vec<usize>,
}

/// Why a path cannot serve a branch.
pub(crate) struct Mismatch {
    pub reason: String,
    /// How many of its partition fields the branch fixes, and how many
    /// there are (to name the closest index when a scan is refused).
    pub bound: usize,
    pub needed: usize,
}

/// The fields a key attribute is rendered from (the attribute itself when
/// it is a field's own attribute).
pub(crate) fn key_fields(key: &KeyAttributeSchema) -> Vec<&'static str> {
    match key.template {
        Some(t) => t.fields().map(|(name, _)| name).collect(),
        None => vec![key.name],
    }
}

fn field<'f>(fields: &'f [FieldInfo], name: &str) -> Option<&'f FieldInfo> {
    fields.iter().find(|f| f.attribute == name)
}

/// The values of a key attribute bound by `=`/`IN` on every field it reads,
/// and the terms that bind them; `Err` names the first field left free.
fn bind(
    key: &KeyAttributeSchema,
    branch: &Branch,
) -> Result<(Vec<AttributeValue>, Vec<usize>), String> {
    let Some(template) = key.template else {
        let (term, values) = branch
            .values(key.name)
            .ok_or_else(|| format!("`{}` is not fixed by = or IN", key.name))?;
        return Ok((values.into_iter().cloned().collect(), vec![term]));
    };
    let mut combos: Vec<Vec<(&'static str, &AttributeValue)>> = vec![Vec::new()];
    let mut terms = Vec::new();
    for (name, _) in template.fields() {
        let (term, values) = branch.values(name).ok_or_else(|| {
            format!(
                "`{}` is rendered from `{name}`, which is not fixed by = or IN",
                key.name
            )
        })?;
        terms.push(term);
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push((name, *v));
                    c
                })
            })
            .collect();
        if combos.len() > MAX_FANOUT {
            return Err(format!(
                "`{}` takes more than {MAX_FANOUT} values",
                key.name
            ));
        }
    }
    let rendered: Result<Vec<AttributeValue>, String> = combos
        .iter()
        .map(|combo| {
            render(&template, |f| {
                combo.iter().find(|(n, _)| *n == f).map(|(_, v)| *v)
            })
            .map(AttributeValue::S)
        })
        .collect();
    Ok((rendered?, terms))
}

fn render<'v>(
    template: &KeyTemplate,
    value: impl Fn(&str) -> Option<&'v AttributeValue>,
) -> Result<String, String> {
    template.render(value).map_err(|e| e.to_string())
}

/// Whether a template field keeps its values' order in the rendered key:
/// strings do, numbers only when zero-padded.
fn order_preserving(fields: &[FieldInfo], name: &str, width: Option<usize>) -> bool {
    width.is_some() || !field(fields, name).is_some_and(|f| f.numeric)
}

/// Matches `branch` against `path`'s keys.
///
/// For a collection (`collection`), a key rendered from a template only
/// says where the item type the predicate is written for keeps its items:
/// a templated partition key still selects the partition (its terms are
/// `recheck`ed on items of other types), a templated sort key gives no
/// condition, since other types' items in the partition are keyed by
/// other templates.
pub(crate) fn match_path(
    path: &AccessPath,
    branch: &Branch,
    fields: &[FieldInfo],
    collection: bool,
) -> Result<KeyMatch, Mismatch> {
    let partition_fields: Vec<&str> = path.partition.iter().flat_map(key_fields).collect();
    let needed = partition_fields.len();
    let bound = partition_fields
        .iter()
        .filter(|f| branch.values(f).is_some())
        .count();
    let mismatch = |reason: String| Mismatch {
        reason,
        bound,
        needed,
    };
    // Items lacking an optional key field are not in the index at all.
    if path.kind != PathKind::Table {
        for key in path.partition.iter().chain(&path.sort) {
            for name in key_fields(key) {
                if field(fields, name).is_some_and(|f| f.optional) && !branch.implies_exists(name) {
                    return Err(mismatch(format!(
                        "it is sparse: items without `{name}` are not in it, and the predicate does not require `{name}`"
                    )));
                }
            }
        }
    }
    let mut consumed = Vec::new();
    let mut alternatives: Vec<Vec<(&'static str, SortKeyOp)>> = vec![Vec::new()];
    let fan_out = |alternatives: &mut Vec<Vec<(&'static str, SortKeyOp)>>,
                   name: &'static str,
                   values: Vec<AttributeValue>|
     -> Result<(), Mismatch> {
        // `IN (a, a)` reads `a` once.
        let mut next: Vec<Vec<(&'static str, SortKeyOp)>> = Vec::new();
        for a in alternatives.iter() {
            for v in &values {
                let mut a = a.clone();
                a.push((name, SortKeyOp::Eq(v.clone())));
                if !next.contains(&a) {
                    next.push(a);
                }
            }
        }
        if next.len() > MAX_FANOUT {
            return Err(Mismatch {
                reason: format!("the predicate fans out to more than {MAX_FANOUT} key values"),
                bound,
                needed,
            });
        }
        *alternatives = next;
        Ok(())
    };
    let mut recheck = Vec::new();
    for key in &path.partition {
        let (values, terms) =
            bind(key, branch).map_err(|reason| mismatch(format!("its partition key {reason}")))?;
        if collection && key.template.is_some() {
            recheck.extend(terms.iter().copied());
        }
        consumed.extend(terms);
        fan_out(&mut alternatives, key.name, values)?;
    }
    let mut full_key = true;
    let mut sort_factor = 1.0;
    let mut order = None;
    let mut fixed = Vec::new();
    // The last sort-key condition, one per prefix a template fans out to.
    let mut lasts: Vec<Option<(&'static str, SortKeyOp)>> = vec![None];
    for key in &path.sort {
        if collection && key.template.is_some() {
            full_key = false;
            break;
        }
        if let Ok((values, terms)) = bind(key, branch) {
            consumed.extend(terms);
            fixed.extend(key_fields(key).into_iter().map(str::to_owned));
            sort_factor *= 0.1;
            fan_out(&mut alternatives, key.name, values)?;
            continue;
        }
        full_key = false;
        let Some(template) = key.template else {
            order = Some(key.name.to_owned());
            let found = branch.terms.iter().enumerate().find_map(|(i, t)| {
                let op = match &t.atom {
                    Atom::Range(a, op, v) if a == key.name => compare(*op, v.clone()),
                    Atom::Between(a, lo, hi) if a == key.name => {
                        SortKeyOp::Between(lo.clone(), hi.clone())
                    }
                    Atom::BeginsWith(a, v) if a == key.name => SortKeyOp::BeginsWith(v.clone()),
                    _ => return None,
                };
                Some((i, op, t.atom.selectivity()))
            });
            if let Some((i, op, selectivity)) = found {
                consumed.push(i);
                sort_factor *= selectivity;
                lasts = vec![Some((key.name, op))];
            }
            break;
        };
        // Leading template fields fixed by `=` or `IN` make a prefix; IN
        // values fan out into one prefix each (as many as the fan-out the
        // partition left room for), so each query reads one prefix.
        let room = MAX_FANOUT / alternatives.len().max(1);
        let mut combos: Vec<Vec<(&'static str, &AttributeValue)>> = vec![Vec::new()];
        let mut leading: Vec<(&'static str, usize)> = Vec::new();
        for (name, _) in template.fields() {
            let Some((term, values)) = branch.values(name) else {
                break;
            };
            if combos.len() * values.len() > room {
                break;
            }
            // `IN (a, a)` reads `a` once.
            let mut next = Vec::new();
            for c in &combos {
                for v in &values {
                    let mut c = c.clone();
                    c.push((name, *v));
                    if !next.contains(&c) {
                        next.push(c);
                    }
                }
            }
            combos = next;
            leading.push((name, term));
        }
        let k = leading.len();
        let prefixes: Vec<String> = combos
            .iter()
            .map(|combo| {
                template
                    .render_prefix(|f| combo.iter().find(|(n, _)| *n == f).map(|(_, v)| *v))
                    .map(|(prefix, _)| prefix)
                    .map_err(|e| mismatch(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        let Some((next, width)) = template.fields().nth(k) else {
            break;
        };
        let (after, more) = template.after_field(k);
        consumed.extend(leading.iter().map(|(_, term)| *term));
        fixed.extend(leading.iter().map(|(n, _)| (*n).to_owned()));
        sort_factor *= 0.1_f64.powi(i32::try_from(k).unwrap_or(i32::MAX));
        let preserving = order_preserving(fields, next, width);
        if preserving {
            order = Some(next.to_owned());
        }
        // The sort-key condition of one prefix from the term on `next`.
        let operation = |prefix: &str, atom: &Atom| -> Option<SortKeyOp> {
            let text = |v: &AttributeValue| -> Option<String> {
                let mut out = prefix.to_owned();
                write_value(&mut out, next, v, width).ok()?;
                Some(out)
            };
            match atom {
                Atom::Range(a, op, v) if a == next && preserving => {
                    let mut value = text(v)?;
                    value.push_str(after);
                    Some(bounded(prefix, value, more, *op))
                }
                Atom::Between(a, lo, hi) if a == next && preserving => {
                    let mut low = text(lo)?;
                    low.push_str(after);
                    let mut high = text(hi)?;
                    high.push_str(after);
                    if more {
                        high.push(char::MAX);
                    }
                    Some(SortKeyOp::Between(
                        AttributeValue::S(low),
                        AttributeValue::S(high),
                    ))
                }
                Atom::BeginsWith(a, v @ AttributeValue::S(_)) if a == next && width.is_none() => {
                    Some(SortKeyOp::BeginsWith(AttributeValue::S(text(v)?)))
                }
                _ => None,
            }
        };
        let found = branch.terms.iter().enumerate().find_map(|(i, t)| {
            let ops: Option<Vec<SortKeyOp>> =
                prefixes.iter().map(|p| operation(p, &t.atom)).collect();
            Some((i, ops?, t.atom.selectivity()))
        });
        lasts = match found {
            Some((i, ops, selectivity)) => {
                consumed.push(i);
                sort_factor *= selectivity;
                ops.into_iter().map(|op| Some((key.name, op))).collect()
            }
            None => prefixes
                .into_iter()
                .map(|prefix| {
                    (!prefix.is_empty())
                        .then_some((key.name, SortKeyOp::BeginsWith(AttributeValue::S(prefix))))
                })
                .collect(),
        };
        break;
    }
    let conditions = alternatives
        .into_iter()
        .flat_map(|terms| {
            lasts.iter().map(move |last| {
                let mut terms = terms.clone().into_iter().chain(last.clone());
                let (name, first) = terms
                    .next()
                    .unwrap_or(("", SortKeyOp::Eq(AttributeValue::Null)));
                let value = match first {
                    SortKeyOp::Eq(v) => v,
                    _ => AttributeValue::Null,
                };
                terms.fold(KeyCondition::partition(name, value), |c, (n, op)| {
                    c.and_sort_key(n, op)
                })
            })
        })
        .collect();
    consumed.sort_unstable();
    consumed.dedup();
    Ok(KeyMatch {
        conditions,
        consumed,
        full_key,
        sort_factor,
        order,
        fixed,
        partition_fields: needed,
        recheck,
    })
}

fn compare(op: SortCompare, v: AttributeValue) -> SortKeyOp {
    match op {
        SortCompare::Eq => SortKeyOp::Eq(v),
        SortCompare::Lt => SortKeyOp::Lt(v),
        SortCompare::Le => SortKeyOp::Le(v),
        SortCompare::Gt => SortKeyOp::Gt(v),
        SortCompare::Ge => SortKeyOp::Ge(v),
    }
}
