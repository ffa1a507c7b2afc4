//! Parsing DynamoDB's expression strings into the AST, resolving
//! `#name` and `:value` placeholders against one request's maps.
//!
//! A request may carry several expressions (condition, filter, projection,
//! key condition, update) that share `ExpressionAttributeNames` and
//! `ExpressionAttributeValues`. [`ExpressionContext`] parses each of them
//! against the same maps, remembers which entries were used, and
//! [`ExpressionContext::finish`] reports unused ones, as DynamoDB does.

use super::ast::*;
use super::key_condition::{KeyCondition, KeyTerm, SortKeyOp};
use super::limits::{MAX_OPERATORS, MAX_PATH_DEPTH, path_too_deep, too_many_operators};
use super::reserved::is_reserved;
use crate::error::Error;
use crate::value::{AttributeMap, AttributeValue};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// Longest expression string DynamoDB accepts, in bytes.
pub const MAX_EXPRESSION_BYTES: usize = 4096;
/// Most operands of an `IN` list.
pub const MAX_IN_OPERANDS: usize = 100;

/// The placeholder maps of one request, and which entries were used.
#[derive(Debug)]
pub struct ExpressionContext<'a> {
    names: Option<&'a HashMap<String, String>>,
    values: Option<&'a AttributeMap>,
    used_names: RefCell<BTreeSet<String>>,
    used_values: RefCell<BTreeSet<String>>,
}

impl<'a> ExpressionContext<'a> {
    /// A context over a request's `ExpressionAttributeNames` and
    /// `ExpressionAttributeValues`. Checks the maps' keys as DynamoDB does.
    pub fn new(
        names: Option<&'a HashMap<String, String>>,
        values: Option<&'a AttributeMap>,
    ) -> Result<Self, Error> {
        if let Some(names) = names {
            if names.is_empty() {
                return Err(Error::validation(
                    "ExpressionAttributeNames must not be empty",
                ));
            }
            if let Some(key) = names.keys().find(|k| !is_placeholder(k, '#')) {
                return Err(Error::Validation(format!(
                    "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{key}\""
                )));
            }
        }
        if let Some(values) = values {
            if values.is_empty() {
                return Err(Error::validation(
                    "ExpressionAttributeValues must not be empty",
                ));
            }
            if let Some(key) = values.keys().find(|k| !is_placeholder(k, ':')) {
                return Err(Error::Validation(format!(
                    "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{key}\""
                )));
            }
            for (key, value) in values {
                value.validate().map_err(|m| {
                    Error::Validation(format!(
                        "ExpressionAttributeValues contains invalid value: {m} for key {key}"
                    ))
                })?;
            }
        }
        Ok(Self {
            names,
            values,
            used_names: RefCell::new(BTreeSet::new()),
            used_values: RefCell::new(BTreeSet::new()),
        })
    }

    /// Parses a condition or filter expression.
    pub fn condition(&self, kind: ExpressionKind, text: &str) -> Result<Condition, Error> {
        let mut parser = Parser::new(self, kind, text)?;
        let (condition, _) = parser.or_expr()?;
        parser.expect_end()?;
        Ok(condition)
    }

    /// Parses a key condition into its terms (which key attribute is which
    /// is decided against the table's schema by the engine).
    pub fn key_condition(&self, text: &str) -> Result<KeyCondition, Error> {
        let condition = self.condition(ExpressionKind::KeyCondition, text)?;
        KeyCondition::from_condition(&condition)
    }

    /// Parses an update expression.
    pub fn update(&self, text: &str) -> Result<Update, Error> {
        let mut parser = Parser::new(self, ExpressionKind::Update, text)?;
        let update = parser.update()?;
        parser.expect_end()?;
        check_disjoint(ExpressionKind::Update, update.target_paths())?;
        Ok(update)
    }

    /// Parses a projection expression.
    pub fn projection(&self, text: &str) -> Result<Projection, Error> {
        let mut parser = Parser::new(self, ExpressionKind::Projection, text)?;
        let mut paths = vec![parser.path()?];
        while parser.eat(&Tok::Comma) {
            paths.push(parser.path()?);
        }
        parser.expect_end()?;
        check_disjoint(ExpressionKind::Projection, paths.iter())?;
        Ok(Projection { paths })
    }

    /// Reports names or values supplied but used by no expression.
    pub fn finish(self) -> Result<(), Error> {
        fn unused<'k>(
            keys: impl Iterator<Item = &'k String>,
            used: &BTreeSet<String>,
        ) -> Vec<&'k str> {
            let mut unused: Vec<&str> = keys
                .filter(|k| !used.contains(*k))
                .map(String::as_str)
                .collect();
            unused.sort_unstable();
            unused
        }
        if let Some(names) = self.names {
            let unused = unused(names.keys(), &self.used_names.borrow());
            if !unused.is_empty() {
                return Err(Error::Validation(format!(
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                    unused.join(", ")
                )));
            }
        }
        if let Some(values) = self.values {
            let unused = unused(values.keys(), &self.used_values.borrow());
            if !unused.is_empty() {
                return Err(Error::Validation(format!(
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                    unused.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn name(&self, kind: ExpressionKind, placeholder: &str) -> Result<String, Error> {
        let name = self.names.and_then(|n| n.get(placeholder)).ok_or_else(|| {
            Error::Validation(format!(
                "Invalid {}: An expression attribute name used in the document path is not defined; attribute name: {placeholder}",
                kind.parameter()
            ))
        })?;
        self.used_names.borrow_mut().insert(placeholder.to_owned());
        Ok(name.clone())
    }

    fn value(&self, kind: ExpressionKind, placeholder: &str) -> Result<AttributeValue, Error> {
        let value = self.values.and_then(|v| v.get(placeholder)).ok_or_else(|| {
            Error::Validation(format!(
                "Invalid {}: An expression attribute value used in expression is not defined; attribute value: {placeholder}",
                kind.parameter()
            ))
        })?;
        self.used_values.borrow_mut().insert(placeholder.to_owned());
        Ok(value.clone())
    }
}

fn is_placeholder(key: &str, sigil: char) -> bool {
    key.strip_prefix(sigil).is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// Rejects paths that overlap (one is a prefix of another) or conflict
/// (one prefix used as a map and as a list).
fn check_disjoint<'p>(
    kind: ExpressionKind,
    paths: impl Iterator<Item = &'p Path>,
) -> Result<(), Error> {
    let paths: Vec<&Path> = paths.collect();
    for (i, a) in paths.iter().enumerate() {
        for b in &paths[..i] {
            if b.overlaps(a) {
                return Err(Error::Validation(format!(
                    "Invalid {}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {b}, path two: {a}",
                    kind.parameter()
                )));
            }
            if b.conflicts(a) {
                return Err(Error::Validation(format!(
                    "Invalid {}: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {b}, path two: {a}",
                    kind.parameter()
                )));
            }
        }
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq)]
enum Tok<'s> {
    /// A bare word: attribute name, keyword or function name.
    Word(&'s str),
    /// `#name`
    NameRef(&'s str),
    /// `:value`
    ValueRef(&'s str),
    /// Digits (list indexes).
    Int(&'s str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    /// Anything else: a syntax error when reached.
    Bad(&'s str),
    Eof,
}

#[derive(Clone, Debug)]
struct Token<'s> {
    tok: Tok<'s>,
    start: usize,
    end: usize,
}

fn lex(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let word = |from: usize| {
        let mut j = from;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        j
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let (tok, end) = match b {
            b'(' => (Tok::LParen, i + 1),
            b')' => (Tok::RParen, i + 1),
            b'[' => (Tok::LBracket, i + 1),
            b']' => (Tok::RBracket, i + 1),
            b',' => (Tok::Comma, i + 1),
            b'.' => (Tok::Dot, i + 1),
            b'+' => (Tok::Plus, i + 1),
            b'-' => (Tok::Minus, i + 1),
            b'=' => (Tok::Eq, i + 1),
            b'<' if bytes.get(i + 1) == Some(&b'>') => (Tok::Ne, i + 2),
            b'<' if bytes.get(i + 1) == Some(&b'=') => (Tok::Le, i + 2),
            b'<' => (Tok::Lt, i + 1),
            b'>' if bytes.get(i + 1) == Some(&b'=') => (Tok::Ge, i + 2),
            b'>' => (Tok::Gt, i + 1),
            b'#' | b':' if word(i + 1) > i + 1 => {
                let end = word(i + 1);
                let tok = if b == b'#' {
                    Tok::NameRef(&text[i..end])
                } else {
                    Tok::ValueRef(&text[i..end])
                };
                (tok, end)
            }
            b'0'..=b'9' => {
                let mut end = i;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                if end < bytes.len() && (bytes[end].is_ascii_alphabetic() || bytes[end] == b'_') {
                    let end = word(end);
                    (Tok::Bad(&text[i..end]), end)
                } else {
                    (Tok::Int(&text[i..end]), end)
                }
            }
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let end = word(i);
                (Tok::Word(&text[i..end]), end)
            }
            _ => {
                // One whole character, which may be multi-byte.
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                (Tok::Bad(&text[i..i + len]), i + len)
            }
        };
        tokens.push(Token { tok, start, end });
        i = end;
    }
    tokens.push(Token {
        tok: Tok::Eof,
        start: text.len(),
        end: text.len(),
    });
    tokens
}

const CONDITION_FUNCTIONS: [&str; 5] = [
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
];
const UPDATE_FUNCTIONS: [&str; 2] = ["if_not_exists", "list_append"];

/// A parser that never recurses on nesting: the boolean structure of a
/// condition (groups, `NOT`, `AND`, `OR`) is parsed with explicit stacks,
/// so nesting costs heap, not stack. The one recursion left, an update
/// function's argument, counts against [`MAX_OPERATORS`] before it
/// descends, so it is at most 300 calls deep.
struct Parser<'c, 's> {
    cx: &'c ExpressionContext<'c>,
    kind: ExpressionKind,
    text: &'s str,
    tokens: Vec<Token<'s>>,
    pos: usize,
    /// Operators seen so far.
    operators: usize,
}

impl<'c, 's> Parser<'c, 's> {
    fn new(
        cx: &'c ExpressionContext<'c>,
        kind: ExpressionKind,
        text: &'s str,
    ) -> Result<Self, Error> {
        if text.trim().is_empty() {
            return Err(Error::Validation(format!(
                "Invalid {}: The expression can not be empty;",
                kind.parameter()
            )));
        }
        if text.len() > MAX_EXPRESSION_BYTES {
            return Err(Error::Validation(format!(
                "Invalid {}: Expression size has exceeded the maximum allowed size; expression size: {}",
                kind.parameter(),
                text.len()
            )));
        }
        Ok(Self {
            cx,
            kind,
            text,
            tokens: lex(text),
            pos: 0,
            operators: 0,
        })
    }

    /// Counts one operator or function against DynamoDB's limit.
    fn operator(&mut self) -> Result<(), Error> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(too_many_operators(self.kind));
        }
        Ok(())
    }

    fn peek(&self) -> &Tok<'s> {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn peek_at(&self, offset: usize) -> &Tok<'s> {
        self.tokens
            .get(self.pos + offset)
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == tok {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        if self.is_keyword(keyword) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn invalid(&self, message: impl std::fmt::Display) -> Error {
        Error::Validation(format!("Invalid {}: {message}", self.kind.parameter()))
    }

    /// DynamoDB's syntax error at the current token: the token's text and
    /// the source from it through the next token.
    fn syntax_error(&self) -> Error {
        let Some(token) = self.tokens.get(self.pos) else {
            return self.invalid("Syntax error; token: \"<EOF>\", near: \"\"");
        };
        if token.tok == Tok::Eof {
            let near = self
                .pos
                .checked_sub(1)
                .and_then(|p| self.tokens.get(p))
                .map_or("", |prev| &self.text[prev.start..prev.end]);
            return self.invalid(format!("Syntax error; token: \"<EOF>\", near: \"{near}\""));
        }
        let near_end = self
            .tokens
            .get(self.pos + 1)
            .filter(|t| t.tok != Tok::Eof)
            .map_or(token.end, |t| t.end);
        self.invalid(format!(
            "Syntax error; token: \"{}\", near: \"{}\"",
            &self.text[token.start..token.end],
            &self.text[token.start..near_end]
        ))
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), Error> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    fn expect_end(&self) -> Result<(), Error> {
        if *self.peek() == Tok::Eof {
            Ok(())
        } else {
            Err(self.syntax_error())
        }
    }

    // ---- paths -------------------------------------------------------

    fn path_name(&mut self) -> Result<String, Error> {
        match self.peek().clone() {
            Tok::Word(w) => {
                if is_reserved(w) {
                    return Err(self.invalid(format!(
                        "Attribute name is a reserved keyword; reserved keyword: {w}"
                    )));
                }
                self.pos += 1;
                Ok(w.to_owned())
            }
            Tok::NameRef(r) => {
                self.pos += 1;
                self.cx.name(self.kind, r)
            }
            _ => Err(self.syntax_error()),
        }
    }

    fn path(&mut self) -> Result<Path, Error> {
        let mut elements = vec![PathElement::Attribute(self.path_name()?)];
        loop {
            if self.eat(&Tok::Dot) {
                elements.push(PathElement::Attribute(self.path_name()?));
            } else if self.eat(&Tok::LBracket) {
                let Tok::Int(digits) = self.peek().clone() else {
                    return Err(self.syntax_error());
                };
                let index = digits.parse::<u32>().map_err(|_| self.syntax_error())?;
                self.pos += 1;
                self.expect(&Tok::RBracket)?;
                elements.push(PathElement::Index(index));
            } else {
                break;
            }
            if elements.len() > MAX_PATH_DEPTH {
                return Err(path_too_deep(self.kind, elements.len()));
            }
        }
        Ok(Path { elements })
    }

    fn value_ref(&mut self) -> Result<AttributeValue, Error> {
        match self.peek().clone() {
            Tok::ValueRef(r) => {
                self.pos += 1;
                self.cx.value(self.kind, r)
            }
            _ => Err(self.syntax_error()),
        }
    }

    // ---- conditions --------------------------------------------------

    /// `condition := disjunct (OR disjunct)*`, `disjunct := negation (AND
    /// negation)*`, `negation := NOT negation | '(' condition ')' | leaf`,
    /// parsed by operator precedence with explicit stacks. Returns the
    /// condition and whether it is one parenthesised group.
    fn or_expr(&mut self) -> Result<(Condition, bool), Error> {
        #[derive(Clone, Copy, PartialEq)]
        enum Pending {
            Not,
            And,
            Or,
            Group,
        }
        fn precedence(op: Pending) -> u8 {
            match op {
                Pending::Not => 3,
                Pending::And => 2,
                Pending::Or => 1,
                Pending::Group => 0,
            }
        }
        // Applies the pending operators above the innermost group whose
        // precedence is at least `floor`.
        fn reduce(
            operators: &mut Vec<Pending>,
            operands: &mut Vec<(Condition, bool)>,
            floor: u8,
        ) -> Result<(), ()> {
            while let Some(&op) = operators.last() {
                if op == Pending::Group || precedence(op) < floor {
                    break;
                }
                operators.pop();
                let (right, _) = operands.pop().ok_or(())?;
                let combined = match op {
                    Pending::Not => right.not(),
                    Pending::And => operands.pop().ok_or(())?.0.and(right),
                    Pending::Or => operands.pop().ok_or(())?.0.or(right),
                    Pending::Group => return Err(()),
                };
                operands.push((combined, false));
            }
            Ok(())
        }
        let mut operators: Vec<Pending> = Vec::new();
        let mut operands: Vec<(Condition, bool)> = Vec::new();
        let mut open_groups = 0usize;
        let broken = |p: &Self| p.invalid("Syntax error; the condition could not be assembled");
        loop {
            // An operand is expected: prefixes, then a leaf.
            loop {
                if self.eat_keyword("NOT") {
                    self.operator()?;
                    operators.push(Pending::Not);
                } else if self.eat(&Tok::LParen) {
                    operators.push(Pending::Group);
                    open_groups += 1;
                } else {
                    break;
                }
            }
            operands.push((self.leaf()?, false));
            // An operator is expected: close groups, then AND, OR or the end.
            loop {
                if *self.peek() != Tok::RParen || open_groups == 0 {
                    break;
                }
                reduce(&mut operators, &mut operands, 0).map_err(|()| broken(self))?;
                operators.pop();
                open_groups -= 1;
                let group = operands.last_mut().ok_or_else(|| broken(self))?;
                if group.1 {
                    return Err(self.invalid("The expression has redundant parentheses;"));
                }
                group.1 = true;
                self.pos += 1;
            }
            if self.eat_keyword("AND") {
                self.operator()?;
                reduce(&mut operators, &mut operands, 2).map_err(|()| broken(self))?;
                operators.push(Pending::And);
            } else if self.eat_keyword("OR") {
                self.operator()?;
                reduce(&mut operators, &mut operands, 1).map_err(|()| broken(self))?;
                operators.push(Pending::Or);
            } else {
                break;
            }
        }
        reduce(&mut operators, &mut operands, 0).map_err(|()| broken(self))?;
        if open_groups > 0 {
            // An unclosed group: redundant if it holds one group, else the
            // `)` it lacks is a syntax error here.
            if operands.last().is_some_and(|(_, single)| *single) {
                return Err(self.invalid("The expression has redundant parentheses;"));
            }
            return Err(self.syntax_error());
        }
        match (operands.pop(), operands.is_empty()) {
            (Some(condition), true) => Ok(condition),
            _ => Err(broken(self)),
        }
    }

    /// A condition without AND, OR, NOT or groups: a comparison, BETWEEN,
    /// IN or a function.
    fn leaf(&mut self) -> Result<Condition, Error> {
        if let Tok::Word(name) = self.peek().clone()
            && *self.peek_at(1) == Tok::LParen
            && name != "size"
        {
            return self.function_condition(name);
        }
        let left = self.operand()?;
        let condition = if self.eat_keyword("BETWEEN") {
            self.operator()?;
            let low = self.operand()?;
            if !self.eat_keyword("AND") {
                return Err(self.syntax_error());
            }
            let high = self.operand()?;
            self.check_between(&low, &high)?;
            self.check_distinct("BETWEEN", &left, [&low, &high])?;
            Condition::Between {
                value: left,
                low,
                high,
            }
        } else if self.eat_keyword("IN") {
            self.operator()?;
            self.expect(&Tok::LParen)?;
            let mut list = vec![self.operand()?];
            while self.eat(&Tok::Comma) {
                list.push(self.operand()?);
            }
            self.expect(&Tok::RParen)?;
            if list.len() > MAX_IN_OPERANDS {
                return Err(self.invalid(format!(
                    "The IN operator is provided with too many operands; number of operands: {}",
                    list.len()
                )));
            }
            self.check_distinct("IN", &left, list.iter())?;
            Condition::In { value: left, list }
        } else {
            let op = match self.peek() {
                Tok::Eq => Comparator::Eq,
                Tok::Ne => Comparator::Ne,
                Tok::Lt => Comparator::Lt,
                Tok::Le => Comparator::Le,
                Tok::Gt => Comparator::Gt,
                Tok::Ge => Comparator::Ge,
                _ => return Err(self.syntax_error()),
            };
            self.pos += 1;
            self.operator()?;
            let right = self.operand()?;
            self.check_distinct(op.symbol(), &left, [&right])?;
            Condition::Compare { left, op, right }
        };
        Ok(condition)
    }

    /// `contains(a, a)`, `a = a`: DynamoDB rejects an operand repeated.
    fn check_distinct<'o>(
        &self,
        operator: &str,
        first: &Operand,
        rest: impl IntoIterator<Item = &'o Operand>,
    ) -> Result<(), Error> {
        if let Operand::Path(path) = first
            && rest.into_iter().any(|o| o == first)
        {
            return Err(self.invalid(format!(
                "The first operand must be distinct from the remaining operands for this operator or function; operator: {operator}, first operand: {path}"
            )));
        }
        Ok(())
    }

    fn check_between(&self, low: &Operand, high: &Operand) -> Result<(), Error> {
        let (Operand::Value(lo), Operand::Value(hi)) = (low, high) else {
            return Ok(());
        };
        match super::eval::compare_values(lo, hi) {
            None => Err(self.invalid(format!(
                "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                describe(lo),
                describe(hi)
            ))),
            Some(std::cmp::Ordering::Greater) => Err(self.invalid(format!(
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                describe(lo),
                describe(hi)
            ))),
            _ => Ok(()),
        }
    }

    fn operand(&mut self) -> Result<Operand, Error> {
        match self.peek().clone() {
            Tok::ValueRef(_) => self.value_ref().map(Operand::Value),
            Tok::Word("size") if *self.peek_at(1) == Tok::LParen => {
                self.pos += 2;
                let path = self.function_path("size")?;
                self.expect(&Tok::RParen)?;
                Ok(Operand::Size(path))
            }
            Tok::Word(name) if *self.peek_at(1) == Tok::LParen => {
                if CONDITION_FUNCTIONS.contains(&name) || UPDATE_FUNCTIONS.contains(&name) {
                    Err(self.invalid(format!(
                        "The function is not allowed to be used this way in an expression; function: {name}"
                    )))
                } else {
                    Err(self.invalid(format!("Invalid function name; function: {name}")))
                }
            }
            Tok::Word(_) | Tok::NameRef(_) => self.path().map(Operand::Path),
            _ => Err(self.syntax_error()),
        }
    }

    /// The path argument of a function; a value there is an error.
    fn function_path(&mut self, function: &str) -> Result<Path, Error> {
        if matches!(self.peek(), Tok::ValueRef(_)) {
            return Err(self.invalid(format!(
                "Operator or function requires a document path; operator or function: {function}"
            )));
        }
        self.path()
    }

    fn function_condition(&mut self, name: &'s str) -> Result<Condition, Error> {
        if name == "size" || !CONDITION_FUNCTIONS.contains(&name) {
            return Err(if UPDATE_FUNCTIONS.contains(&name) {
                self.invalid(format!(
                    "The function is not allowed to be used this way in an expression; function: {name}"
                ))
            } else {
                self.invalid(format!("Invalid function name; function: {name}"))
            });
        }
        self.pos += 2;
        let mut args = Vec::new();
        if *self.peek() != Tok::RParen {
            args.push(self.operand()?);
            while self.eat(&Tok::Comma) {
                args.push(self.operand()?);
            }
        }
        self.expect(&Tok::RParen)?;
        let expected = if name.starts_with("attribute_") && name != "attribute_type" {
            1
        } else {
            2
        };
        if args.len() != expected {
            return Err(self.invalid(format!(
                "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                args.len()
            )));
        }
        let mut args = args.into_iter();
        let (Some(first), second) = (args.next(), args.next()) else {
            return Err(self.syntax_error());
        };
        let first_path = |p: &Self, o: Operand| match o {
            Operand::Path(path) => Ok(path),
            _ => Err(p.invalid(format!(
                "Operator or function requires a document path; operator or function: {name}"
            ))),
        };
        Ok(match (name, second) {
            ("attribute_exists", None) => Condition::AttributeExists(first_path(self, first)?),
            ("attribute_not_exists", None) => {
                Condition::AttributeNotExists(first_path(self, first)?)
            }
            ("attribute_type", Some(t)) => {
                if let Operand::Value(v) = &t {
                    check_type_name(self, v)?;
                }
                Condition::AttributeType(first_path(self, first)?, t)
            }
            ("begins_with", Some(prefix)) => {
                self.check_distinct("begins_with", &first, [&prefix])?;
                Condition::BeginsWith(first, prefix)
            }
            ("contains", Some(operand)) => {
                self.check_distinct("contains", &first, [&operand])?;
                Condition::Contains(first, operand)
            }
            _ => return Err(self.syntax_error()),
        })
    }

    // ---- updates -----------------------------------------------------

    fn update(&mut self) -> Result<Update, Error> {
        let mut update = Update::default();
        let mut seen: Vec<&str> = Vec::new();
        loop {
            let clause = match self.peek() {
                Tok::Word(w)
                    if ["SET", "REMOVE", "ADD", "DELETE"]
                        .iter()
                        .any(|k| w.eq_ignore_ascii_case(k)) =>
                {
                    w.to_ascii_uppercase()
                }
                Tok::Eof if !seen.is_empty() => return Ok(update),
                _ => return Err(self.syntax_error()),
            };
            let clause: &str = match clause.as_str() {
                "SET" => "SET",
                "REMOVE" => "REMOVE",
                "ADD" => "ADD",
                _ => "DELETE",
            };
            if seen.contains(&clause) {
                return Err(self.invalid(format!(
                    "The \"{clause}\" section can only be used once in an update expression;"
                )));
            }
            seen.push(clause);
            self.pos += 1;
            loop {
                match clause {
                    "SET" => {
                        let path = self.path()?;
                        self.expect(&Tok::Eq)?;
                        let value = self.set_value()?;
                        update.set.push(SetAction { path, value });
                    }
                    "REMOVE" => update.remove.push(self.path()?),
                    _ => {
                        let path = self.path()?;
                        let value = self.value_ref()?;
                        self.check_add_delete(clause, &value)?;
                        if clause == "ADD" {
                            update.add.push((path, value));
                        } else {
                            update.delete.push((path, value));
                        }
                    }
                }
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
    }

    fn check_add_delete(&self, clause: &str, value: &AttributeValue) -> Result<(), Error> {
        let ok = match clause {
            "ADD" => matches!(
                value,
                AttributeValue::N(_)
                    | AttributeValue::Ss(_)
                    | AttributeValue::Ns(_)
                    | AttributeValue::Bs(_)
            ),
            _ => matches!(
                value,
                AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
            ),
        };
        if ok {
            Ok(())
        } else {
            Err(self.invalid(format!(
                "Incorrect operand type for operator or function; operator: {clause}, operand type: {}",
                value.type_name()
            )))
        }
    }

    fn set_value(&mut self) -> Result<SetValue, Error> {
        let left = self.update_operand()?;
        let arithmetic = match self.peek() {
            Tok::Plus => Some("+"),
            Tok::Minus => Some("-"),
            _ => None,
        };
        let Some(symbol) = arithmetic else {
            return Ok(SetValue::Operand(left));
        };
        self.pos += 1;
        self.operator()?;
        let right = self.update_operand()?;
        for operand in [&left, &right] {
            if let UpdateOperand::Value(v) = operand
                && !matches!(v, AttributeValue::N(_))
            {
                return Err(self.invalid(format!(
                    "Incorrect operand type for operator or function; operator or function: {symbol}, operand type: {}",
                    v.type_name()
                )));
            }
        }
        Ok(if symbol == "+" {
            SetValue::Plus(left, right)
        } else {
            SetValue::Minus(left, right)
        })
    }

    /// An operand of a SET value. Function calls nest, so they are parsed
    /// with an explicit stack of the calls still open.
    fn update_operand(&mut self) -> Result<UpdateOperand, Error> {
        enum Open {
            /// `if_not_exists(path,` awaiting its fallback.
            IfNotExists(Path),
            /// `list_append(` awaiting its first list.
            ListAppendFirst,
            /// `list_append(first,` awaiting its second list.
            ListAppendSecond(UpdateOperand),
        }
        let mut open: Vec<Open> = Vec::new();
        loop {
            // Descend through function heads to a path or value.
            let mut operand = match self.peek().clone() {
                Tok::ValueRef(_) => self.value_ref().map(UpdateOperand::Value)?,
                Tok::Word(name) if *self.peek_at(1) == Tok::LParen => {
                    self.pos += 2;
                    match name {
                        "if_not_exists" => {
                            self.operator()?;
                            let path = self.function_path(name)?;
                            self.expect(&Tok::Comma)?;
                            open.push(Open::IfNotExists(path));
                        }
                        "list_append" => {
                            self.operator()?;
                            open.push(Open::ListAppendFirst);
                        }
                        _ if CONDITION_FUNCTIONS.contains(&name) || name == "size" => {
                            return Err(self.invalid(format!(
                                "The function is not allowed in an update expression; function: {name}"
                            )));
                        }
                        _ => {
                            return Err(
                                self.invalid(format!("Invalid function name; function: {name}"))
                            );
                        }
                    }
                    continue;
                }
                Tok::Word(_) | Tok::NameRef(_) => self.path().map(UpdateOperand::Path)?,
                _ => return Err(self.syntax_error()),
            };
            // Ascend, closing the calls the operand completes.
            loop {
                match open.pop() {
                    None => return Ok(operand),
                    Some(Open::IfNotExists(path)) => {
                        self.expect(&Tok::RParen)?;
                        operand = UpdateOperand::IfNotExists(path, Box::new(operand));
                    }
                    Some(Open::ListAppendFirst) => {
                        self.expect(&Tok::Comma)?;
                        open.push(Open::ListAppendSecond(operand));
                        break;
                    }
                    Some(Open::ListAppendSecond(first)) => {
                        for list in [&first, &operand] {
                            self.check_list_operand(list)?;
                        }
                        self.expect(&Tok::RParen)?;
                        operand = UpdateOperand::ListAppend(Box::new(first), Box::new(operand));
                    }
                }
            }
        }
    }

    /// `list_append` takes lists: a value of another type is an error.
    fn check_list_operand(&self, operand: &UpdateOperand) -> Result<(), Error> {
        match operand {
            UpdateOperand::Value(v) if !matches!(v, AttributeValue::L(_)) => {
                Err(self.invalid(format!(
                    "Incorrect operand type for operator or function; operator or function: list_append, operand type: {}",
                    v.type_name()
                )))
            }
            _ => Ok(()),
        }
    }
}

fn check_type_name(parser: &Parser, value: &AttributeValue) -> Result<(), Error> {
    const TYPES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];
    match value {
        AttributeValue::S(t) if TYPES.contains(&t.as_str()) => Ok(()),
        AttributeValue::S(t) => Err(parser.invalid(format!(
            "Invalid attribute type name found; type: {t}, valid types: {{ B,BOOL,BS,L,M,N,NS,NULL,S,SS }}"
        ))),
        other => Err(parser.invalid(format!(
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {}",
            other.type_name()
        ))),
    }
}

/// DynamoDB's rendering of a value in messages: `{N:5}`, `{S:a}`.
pub(crate) fn describe(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) => format!("{{S:{s}}}"),
        AttributeValue::N(n) => format!("{{N:{n}}}"),
        other => format!("{{{}:{other:?}}}", other.type_name()),
    }
}

impl KeyCondition {
    /// The terms of a parsed key condition: only `AND`s of comparisons
    /// (not `<>`), `BETWEEN` and `begins_with` on top-level attributes,
    /// one per attribute.
    pub fn from_condition(condition: &Condition) -> Result<KeyCondition, Error> {
        let mut terms = Vec::new();
        collect_terms(condition, &mut terms)?;
        for (i, term) in terms.iter().enumerate() {
            if terms[..i].iter().any(|t| t.name == term.name) {
                return Err(Error::validation(
                    "KeyConditionExpressions must only contain one condition per key",
                ));
            }
        }
        Ok(KeyCondition { terms })
    }
}

fn key_invalid(operator: &str) -> Error {
    Error::Validation(format!(
        "Invalid operator used in KeyConditionExpression: {operator}"
    ))
}

fn key_attribute(operand: &Operand) -> Result<Option<String>, Error> {
    match operand {
        Operand::Path(path) if path.elements.len() == 1 => Ok(Some(path.top().to_owned())),
        Operand::Path(_) => Err(Error::validation(
            "KeyConditionExpressions cannot have conditions on nested attributes",
        )),
        Operand::Size(_) => Err(key_invalid("size")),
        Operand::Value(_) => Ok(None),
    }
}

fn key_value(operand: &Operand) -> Result<AttributeValue, Error> {
    match operand {
        Operand::Value(v) => Ok(v.clone()),
        _ => Err(Error::validation(
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key",
        )),
    }
}

fn collect_terms(condition: &Condition, terms: &mut Vec<KeyTerm>) -> Result<(), Error> {
    match condition {
        Condition::And(a, b) => {
            collect_terms(a, terms)?;
            collect_terms(b, terms)
        }
        Condition::Or(..) => Err(key_invalid("OR")),
        Condition::Not(_) => Err(key_invalid("NOT")),
        Condition::In { .. } => Err(key_invalid("IN")),
        Condition::AttributeExists(_) => Err(key_invalid("attribute_exists")),
        Condition::AttributeNotExists(_) => Err(key_invalid("attribute_not_exists")),
        Condition::AttributeType(..) => Err(key_invalid("attribute_type")),
        Condition::Contains(..) => Err(key_invalid("contains")),
        Condition::Compare { left, op, right } => {
            if *op == Comparator::Ne {
                return Err(key_invalid("<>"));
            }
            // `:v < sk` is `sk > :v`.
            let (name, value, op) = match (key_attribute(left)?, key_attribute(right)?) {
                (Some(name), None) => (name, key_value(right)?, *op),
                (None, Some(name)) => (name, key_value(left)?, flip(*op)),
                _ => {
                    return Err(Error::validation(
                        "Invalid KeyConditionExpression: The expression must compare a key attribute with a value",
                    ));
                }
            };
            let op = match op {
                Comparator::Eq => SortKeyOp::Eq(value),
                Comparator::Lt => SortKeyOp::Lt(value),
                Comparator::Le => SortKeyOp::Le(value),
                Comparator::Gt => SortKeyOp::Gt(value),
                Comparator::Ge => SortKeyOp::Ge(value),
                Comparator::Ne => return Err(key_invalid("<>")),
            };
            terms.push(KeyTerm { name, op });
            Ok(())
        }
        Condition::Between { value, low, high } => {
            let name = key_attribute(value)?.ok_or_else(|| key_invalid("BETWEEN"))?;
            terms.push(KeyTerm {
                name,
                op: SortKeyOp::Between(key_value(low)?, key_value(high)?),
            });
            Ok(())
        }
        Condition::BeginsWith(path, prefix) => {
            let name = key_attribute(path)?.ok_or_else(|| key_invalid("begins_with"))?;
            terms.push(KeyTerm {
                name,
                op: SortKeyOp::BeginsWith(key_value(prefix)?),
            });
            Ok(())
        }
    }
}

fn flip(op: Comparator) -> Comparator {
    match op {
        Comparator::Lt => Comparator::Gt,
        Comparator::Le => Comparator::Ge,
        Comparator::Gt => Comparator::Lt,
        Comparator::Ge => Comparator::Le,
        other => other,
    }
}
