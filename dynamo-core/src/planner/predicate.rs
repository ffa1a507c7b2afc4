//! Predicates as the planner sees them: a typed condition rewritten into a
//! disjunction of branches (disjunctive normal form), each branch a list of
//! terms, each term classified by what a key condition could do with it.
//!
//! Invariants: the rewriting keeps DynamoDB's semantics (NOT is pushed down
//! only through AND and OR, by De Morgan; a negated comparison stays as it
//! is, since `NOT a < 5` also holds when `a` is absent); every term keeps
//! the condition it came from, so what a key condition does not consume
//! goes to the filter unchanged; recursion is bounded by [`MAX_DEPTH`] and
//! the number of branches by [`MAX_BRANCHES`] (a larger OR stays one term).

use super::PlanError;
use crate::expr::{Comparator, Condition, Operand, Path, PathElement};
use crate::key_template::SortCompare;
use crate::value::AttributeValue;

/// The deepest predicate tree the planner reads.
pub const MAX_DEPTH: usize = 256;
/// The most branches a predicate is split into; an OR that would make more
/// stays whole (and ends up in a filter).
pub const MAX_BRANCHES: usize = 64;

/// What a term says about one top-level attribute, when it says something
/// a key condition can use.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Atom {
    /// `a = v`.
    Eq(String, AttributeValue),
    /// `a IN (v, ...)`, or an OR of equalities on `a`.
    In(String, Vec<AttributeValue>),
    /// `a < v`, `a <= v`, `a > v`, `a >= v`.
    Range(String, SortCompare, AttributeValue),
    /// `a BETWEEN low AND high`.
    Between(String, AttributeValue, AttributeValue),
    /// `begins_with(a, prefix)`.
    BeginsWith(String, AttributeValue),
    /// Anything else: only a filter can evaluate it.
    Other,
}

impl Atom {
    /// The attribute the term is about, unless it is [`Atom::Other`].
    pub fn attribute(&self) -> Option<&str> {
        match self {
            Self::Eq(a, _)
            | Self::In(a, _)
            | Self::Range(a, ..)
            | Self::Between(a, ..)
            | Self::BeginsWith(a, _) => Some(a),
            Self::Other => None,
        }
    }

    /// The share of items the term keeps, for estimates.
    pub fn selectivity(&self) -> f64 {
        match self {
            Self::Eq(..) => 0.1,
            Self::In(_, values) => (0.1 * values.len() as f64).min(1.0),
            Self::Range(..) => 0.3,
            Self::Between(..) | Self::BeginsWith(..) => 0.1,
            Self::Other => 0.5,
        }
    }
}

/// One conjunct of a branch.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Term {
    pub atom: Atom,
    pub condition: Condition,
}

/// A conjunction of terms; the predicate is the OR of its branches.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Branch {
    pub terms: Vec<Term>,
}

impl Branch {
    /// The values an equality or IN term gives `attribute`, and the term.
    pub fn values(&self, attribute: &str) -> Option<(usize, Vec<&AttributeValue>)> {
        self.terms
            .iter()
            .enumerate()
            .find_map(|(i, t)| match &t.atom {
                Atom::Eq(a, v) if a == attribute => Some((i, vec![v])),
                _ => None,
            })
            .or_else(|| {
                self.terms
                    .iter()
                    .enumerate()
                    .find_map(|(i, t)| match &t.atom {
                        Atom::In(a, values) if a == attribute => Some((i, values.iter().collect())),
                        _ => None,
                    })
            })
    }

    /// Whether some term implies that `attribute` exists (every comparison
    /// is false on a missing attribute).
    pub fn implies_exists(&self, attribute: &str) -> bool {
        self.terms
            .iter()
            .any(|t| t.atom.attribute() == Some(attribute))
    }
}

/// The branches of `condition` (one empty branch when there is none).
pub(crate) fn branches(condition: Option<&Condition>) -> Result<Vec<Branch>, PlanError> {
    let Some(condition) = condition else {
        return Ok(vec![Branch::default()]);
    };
    let dnf = normal_form(condition, false, 0)?;
    Ok(dnf
        .into_iter()
        .map(|conjuncts| Branch {
            terms: conjuncts
                .into_iter()
                .map(|condition| Term {
                    atom: classify(&condition),
                    condition,
                })
                .collect(),
        })
        .collect())
}

/// The disjunctive normal form of `c` (negated when `negate`): a list of
/// conjunctions.
fn normal_form(
    c: &Condition,
    negate: bool,
    depth: usize,
) -> Result<Vec<Vec<Condition>>, PlanError> {
    if depth > MAX_DEPTH {
        return Err(PlanError::TooDeep { limit: MAX_DEPTH });
    }
    let leaf = || {
        let c = if negate { c.clone().not() } else { c.clone() };
        Ok(vec![vec![c]])
    };
    match (c, negate) {
        (Condition::Not(inner), _) => normal_form(inner, !negate, depth + 1),
        (Condition::And(a, b), false) | (Condition::Or(a, b), true) => {
            let (left, right) = (
                normal_form(a, negate, depth + 1)?,
                normal_form(b, negate, depth + 1)?,
            );
            if left.len() * right.len() > MAX_BRANCHES {
                return leaf();
            }
            let mut out = Vec::with_capacity(left.len() * right.len());
            for l in &left {
                for r in &right {
                    out.push(l.iter().chain(r).cloned().collect());
                }
            }
            Ok(out)
        }
        (Condition::Or(a, b), false) | (Condition::And(a, b), true) => {
            if !negate && equalities_on_one_attribute(c, 0).is_some() {
                return leaf();
            }
            let mut out = normal_form(a, negate, depth + 1)?;
            out.extend(normal_form(b, negate, depth + 1)?);
            if out.len() > MAX_BRANCHES {
                return leaf();
            }
            Ok(out)
        }
        _ => leaf(),
    }
}

/// The attribute and values of an OR of equalities on one attribute.
fn equalities_on_one_attribute(
    c: &Condition,
    depth: usize,
) -> Option<(String, Vec<AttributeValue>)> {
    if depth > MAX_DEPTH {
        return None;
    }
    match c {
        Condition::Or(a, b) => {
            let (name, mut values) = equalities_on_one_attribute(a, depth + 1)?;
            let (other, more) = equalities_on_one_attribute(b, depth + 1)?;
            if other != name {
                return None;
            }
            values.extend(more);
            Some((name, values))
        }
        _ => match classify(c) {
            Atom::Eq(name, v) => Some((name, vec![v])),
            Atom::In(name, values) => Some((name, values)),
            _ => None,
        },
    }
}

/// The top-level attribute a path names, when it names nothing deeper.
fn top_level(path: &Path) -> Option<String> {
    match path.elements.as_slice() {
        [PathElement::Attribute(name)] => Some(name.clone()),
        _ => None,
    }
}

/// What a leaf condition says, for key conditions.
fn classify(c: &Condition) -> Atom {
    match c {
        Condition::Compare { left, op, right } => {
            let (name, op, value) = match (left, right) {
                (Operand::Path(p), Operand::Value(v)) => (top_level(p), *op, v),
                (Operand::Value(v), Operand::Path(p)) => (top_level(p), flip(*op), v),
                _ => return Atom::Other,
            };
            let Some(name) = name else {
                return Atom::Other;
            };
            match op {
                Comparator::Eq => Atom::Eq(name, value.clone()),
                Comparator::Ne => Atom::Other,
                Comparator::Lt => Atom::Range(name, SortCompare::Lt, value.clone()),
                Comparator::Le => Atom::Range(name, SortCompare::Le, value.clone()),
                Comparator::Gt => Atom::Range(name, SortCompare::Gt, value.clone()),
                Comparator::Ge => Atom::Range(name, SortCompare::Ge, value.clone()),
            }
        }
        Condition::Between {
            value: Operand::Path(p),
            low: Operand::Value(low),
            high: Operand::Value(high),
        } => match top_level(p) {
            Some(name) => Atom::Between(name, low.clone(), high.clone()),
            None => Atom::Other,
        },
        Condition::In {
            value: Operand::Path(p),
            list,
        } => {
            let values: Option<Vec<AttributeValue>> = list
                .iter()
                .map(|o| match o {
                    Operand::Value(v) => Some(v.clone()),
                    _ => None,
                })
                .collect();
            match (top_level(p), values) {
                (Some(name), Some(values)) => Atom::In(name, values),
                _ => Atom::Other,
            }
        }
        Condition::BeginsWith(Operand::Path(p), Operand::Value(v)) => match top_level(p) {
            Some(name) => Atom::BeginsWith(name, v.clone()),
            None => Atom::Other,
        },
        Condition::Or(..) => match equalities_on_one_attribute(c, 0) {
            Some((name, values)) => Atom::In(name, values),
            None => Atom::Other,
        },
        _ => Atom::Other,
    }
}

/// `v op a` as `a op' v`.
fn flip(op: Comparator) -> Comparator {
    match op {
        Comparator::Lt => Comparator::Gt,
        Comparator::Le => Comparator::Ge,
        Comparator::Gt => Comparator::Lt,
        Comparator::Ge => Comparator::Le,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(a: &str, v: &str) -> Condition {
        Condition::Compare {
            left: Operand::Path(Path::attribute(a)),
            op: Comparator::Eq,
            right: Operand::Value(AttributeValue::S(v.to_owned())),
        }
    }

    #[test]
    fn an_and_of_ors_becomes_one_branch_per_combination() {
        let c = eq("a", "1")
            .or(eq("b", "2"))
            .and(eq("c", "3").or(eq("d", "4")));
        let b = branches(Some(&c)).unwrap();
        assert_eq!(b.len(), 4);
        assert!(b.iter().all(|b| b.terms.len() == 2));
    }

    #[test]
    fn an_or_of_equalities_on_one_attribute_is_an_in() {
        let c = eq("a", "1").or(eq("a", "2")).or(eq("a", "3"));
        let b = branches(Some(&c)).unwrap();
        assert_eq!(b.len(), 1);
        assert!(matches!(&b[0].terms[0].atom, Atom::In(a, v) if a == "a" && v.len() == 3));
    }

    #[test]
    fn not_is_pushed_through_and_and_or_but_stays_on_comparisons() {
        let c = eq("a", "1").and(eq("b", "2")).not();
        let b = branches(Some(&c)).unwrap();
        assert_eq!(b.len(), 2);
        assert!(b.iter().all(|b| b.terms[0].atom == Atom::Other));
        assert_eq!(b[0].terms[0].condition, eq("a", "1").not());
    }

    #[test]
    fn a_predicate_deeper_than_the_limit_is_refused() {
        let mut c = eq("a", "1");
        for _ in 0..(MAX_DEPTH + 5) {
            c = c.not();
        }
        assert!(matches!(branches(Some(&c)), Err(PlanError::TooDeep { .. })));
    }

    #[test]
    fn too_many_branches_keep_the_or_whole() {
        let mut c = eq("x0", "0");
        for i in 1..(MAX_BRANCHES + 10) {
            c = c.or(eq(&format!("x{i}"), "0"));
        }
        let b = branches(Some(&c.and(eq("k", "1")))).unwrap();
        assert!(b.len() <= MAX_BRANCHES);
    }
}
