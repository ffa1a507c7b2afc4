//! Every error message the engine and core can produce is pinned by a test.
//!
//! The messages are read from the library sources (`dynamo-core/src`,
//! `dynamo-local/src`): a message is a string literal with at least three
//! words, two of them lower-case, outside comments, `#[cfg(test)]` items,
//! attributes other than `#[error(...)]`, logging, printing, panics and
//! assertions, and outside the arguments of string matchers
//! (`strip_prefix("unknown variant `")` reads serde's text, it does not
//! write a message). In a format string (`format!`, `write!`,
//! `format_args!`, `#[error]`) each `{...}` placeholder stands for any
//! text; a JSON literal contributes its `message` member. Literals with a
//! line break are protocol text, not messages.
//!
//! A message is pinned when one string literal of some test file
//! (`*/tests/**`, root `tests/**`) contains its text, placeholders matching
//! anything. `every_error_message_is_pinned_by_a_test` fails listing the
//! messages no test mentions; the stricter
//! `every_error_message_is_pinned_through_the_wire` counts only test files
//! that talk to a server (`Server::bind`, `on_both_backends!`, the
//! `dynamo-local` binary, the `wire` helper of the message tests). Messages no client can make the server send are
//! listed, each with its reason, in [`UNREACHABLE`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Messages that no request to a server, and no run of the binary, can
/// produce, each as the lister shows it (placeholders as `{…}`), with the
/// reason. Each stands in for a panic on a broken invariant or for a value
/// DynamoDB's limits rule out; keep this list short.
const UNREACHABLE: &[(&str, &str)] = &[
    (
        "a panic without a message",
        "only the server's log shows it, for a panic whose payload is not a string; the client is answered `Internal server error`",
    ),
    (
        "Syntax error; the condition could not be assembled",
        "expr/parse.rs or_expr: an operator is pushed only after an operand, so reducing the two stacks cannot run short",
    ),
    (
        "Syntax error; token: \"<EOF>\", near: \"\"",
        "expr/parse.rs syntax_error: the token list always ends with the end token, which the parser never steps over",
    ),
    (
        "no expression can use values",
        "ops/wire.rs Placeholders::parse: every request model that reads ExpressionAttributeValues has an expression parameter that takes values (GetItem and BatchGetItem have no such member)",
    ),
    (
        "stored item corrupt at byte {…}",
        "stored.rs StoredItem::from_bytes: no request reaches it; it checks item encodings read back from disk, which P2.1's recovery will pin through the server",
    ),
    (
        "record {…} creates a table with another key schema",
        "table.rs replay: a table's log holds one creation record, first; only a hand-made log with valid checksums and two creations of one table reaches it",
    ),
    (
        "{…} does not fit a serde number",
        "serde_codec.rs to_json: a DynamoDB number is at most 38 digits below 1E+126 in magnitude, always a finite f64",
    ),
];

/// Macros whose literals are not error messages a caller receives.
const QUIET_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "eprint",
    "eprintln",
    "error",
    "event",
    "info",
    "panic",
    "print",
    "println",
    "todo",
    "trace",
    "unimplemented",
    "unreachable",
    "warn",
];

/// Macros whose first literal is a format string.
const FORMAT_MACROS: &[&str] = &["format", "format_args", "write", "writeln"];

/// Methods whose literal arguments read text rather than write messages.
const MATCHERS: &[&str] = &[
    "contains",
    "ends_with",
    "expect",
    "find",
    "replace",
    "rfind",
    "rsplit",
    "split",
    "split_once",
    "starts_with",
    "strip_prefix",
    "strip_suffix",
    "trim_end_matches",
    "trim_start_matches",
];

/// One piece of a message pattern.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(String),
    Any,
}

/// A string literal found in a source file.
#[derive(Debug)]
struct Literal {
    /// The decoded text.
    text: String,
    line: usize,
    /// The first literal of a format macro or `#[error]`.
    is_format: bool,
    /// Inside logging, panics, assertions, matchers, non-`error`
    /// attributes or `#[cfg(test)]` items.
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Frame {
    Plain,
    Quiet,
    Format { seen_literal: bool },
}

#[derive(Clone, PartialEq)]
enum Token {
    Ident(String),
    Punct(char),
}

/// Every string literal of `src`, in order.
fn literals(src: &str) -> Vec<Literal> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Tokens before the current position, most recent last (only the last
    // two matter).
    let mut recent: Vec<Token> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // `#[cfg(test)]` seen: the next item is skipped, until `;` or the end of
    // its first brace block at this depth.
    let mut test_item: Option<usize> = None;
    // The attribute being read: (its depth, whether its literals count).
    let mut attributes: Vec<(usize, bool)> = Vec::new();
    while i < chars.len() {
        recent.drain(..recent.len().saturating_sub(4));
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            continue;
        }
        let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        // String literals: "..", b"..", r#".."#, br"..".
        let (prefix, raw) = if c == '"' {
            (0, false)
        } else if !after_ident && c == 'b' && next == Some('"') {
            (1, false)
        } else if !after_ident && (c == 'r' || (c == 'b' && next == Some('r'))) {
            let start = if c == 'r' { i + 1 } else { i + 2 };
            let mut j = start;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) == Some(&'"') {
                (j - i, true)
            } else {
                (usize::MAX, false)
            }
        } else {
            (usize::MAX, false)
        };
        if prefix != usize::MAX {
            let start_line = line;
            let (text, end) = if raw {
                let hashes = chars[i..i + prefix].iter().filter(|&&h| h == '#').count();
                let body = i + prefix + 1;
                let mut j = body;
                loop {
                    if chars[j] == '"'
                        && chars[j + 1..].iter().take_while(|&&h| h == '#').count() >= hashes
                    {
                        break;
                    }
                    j += 1;
                }
                (chars[body..j].iter().collect::<String>(), j + 1 + hashes)
            } else {
                decode(&chars, i + prefix + 1)
            };
            line += chars[i..end].iter().filter(|&&c| c == '\n').count();
            let quiet = test_item.is_some()
                || stack.contains(&Frame::Quiet)
                || attributes.last().is_some_and(|&(_, counts)| !counts);
            let is_format = match stack.last_mut() {
                Some(Frame::Format { seen_literal }) => !std::mem::replace(seen_literal, true),
                _ => false,
            };
            out.push(Literal {
                text,
                line: start_line,
                is_format,
                quiet,
            });
            recent.push(Token::Punct('"'));
            i = end;
            continue;
        }
        // Char literals and lifetimes.
        if c == '\'' {
            if next == Some('\\') {
                let mut j = i + 3;
                while chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
            recent.push(Token::Punct('\''));
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            recent.push(Token::Ident(chars[i..j].iter().collect()));
            i = j;
            continue;
        }
        if c == '#' && (next == Some('[') || (next == Some('!') && chars.get(i + 2) == Some(&'[')))
        {
            let open = if next == Some('[') { i + 1 } else { i + 2 };
            let rest: String = chars[open + 1..(open + 40).min(chars.len())]
                .iter()
                .collect();
            let rest = rest.replace(char::is_whitespace, "");
            if rest.starts_with("cfg(test)") && test_item.is_none() {
                test_item = Some(stack.len());
            }
            let counts = rest.starts_with("error(");
            attributes.push((stack.len(), counts));
            stack.push(if counts { Frame::Plain } else { Frame::Quiet });
            recent.clear();
            i = open + 1;
            continue;
        }
        match c {
            '(' | '[' | '{' => {
                let n = recent.len();
                let frame = match (n.checked_sub(2).map(|k| &recent[k]), recent.last()) {
                    (Some(Token::Ident(m)), Some(Token::Punct('!')))
                        if QUIET_MACROS.contains(&m.as_str()) =>
                    {
                        Frame::Quiet
                    }
                    (Some(Token::Ident(m)), Some(Token::Punct('!')))
                        if FORMAT_MACROS.contains(&m.as_str()) =>
                    {
                        Frame::Format {
                            seen_literal: false,
                        }
                    }
                    (Some(Token::Punct('.')), Some(Token::Ident(m)))
                        if c == '(' && MATCHERS.contains(&m.as_str()) =>
                    {
                        Frame::Quiet
                    }
                    (_, Some(Token::Ident(m)))
                        if m == "error"
                            && attributes.last().is_some_and(|&(depth, counts)| {
                                counts && depth + 1 == stack.len()
                            }) =>
                    {
                        Frame::Format {
                            seen_literal: false,
                        }
                    }
                    _ => Frame::Plain,
                };
                stack.push(frame);
            }
            ')' | ']' | '}' => {
                stack.pop();
                if attributes
                    .last()
                    .is_some_and(|&(depth, _)| depth == stack.len())
                {
                    attributes.pop();
                } else if c == '}' && test_item == Some(stack.len()) {
                    test_item = None;
                }
            }
            ';' if test_item == Some(stack.len()) && attributes.is_empty() => test_item = None,
            _ => {}
        }
        recent.push(Token::Punct(c));
        i += 1;
    }
    out
}

/// Decodes a string literal's body starting at `start` (after the quote);
/// returns the text and the index after the closing quote.
fn decode(chars: &[char], start: usize) -> (String, usize) {
    let mut text = String::new();
    let mut j = start;
    while chars[j] != '"' {
        if chars[j] != '\\' {
            text.push(chars[j]);
            j += 1;
            continue;
        }
        let e = chars[j + 1];
        j += 2;
        match e {
            'n' => text.push('\n'),
            'r' => text.push('\r'),
            't' => text.push('\t'),
            '0' => text.push('\0'),
            '\n' => {
                while chars[j].is_whitespace() {
                    j += 1;
                }
            }
            'x' => {
                let hex: String = chars[j..j + 2].iter().collect();
                text.push(char::from(u8::from_str_radix(&hex, 16).unwrap()));
                j += 2;
            }
            'u' => {
                let close = j + chars[j..].iter().position(|&h| h == '}').unwrap();
                let hex: String = chars[j + 1..close].iter().collect();
                text.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                j = close + 1;
            }
            other => text.push(other),
        }
    }
    (text, j + 1)
}

/// The pattern of a message literal: `{...}` placeholders of a format
/// string become wildcards, `{{` and `}}` braces.
fn pattern(literal: &Literal) -> Vec<Piece> {
    if !literal.is_format {
        return vec![Piece::Text(literal.text.clone())];
    }
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = literal.text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                text.push(c);
                chars.next();
            }
            ('{', _) => {
                for inner in chars.by_ref() {
                    if inner == '}' {
                        break;
                    }
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Any);
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

fn shown(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Any => "{…}",
        })
        .collect()
}

/// Whether a literal's text reads as a message.
fn is_message(pieces: &[Piece]) -> bool {
    let text: String = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.as_str(),
            Piece::Any => "x",
        })
        .collect();
    let lower_words = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase()))
        .count();
    !text.contains(['\n', '\r']) && text.split_whitespace().count() >= 3 && lower_words >= 2
}

/// Whether `text` contains the pattern, wildcards matching any text.
fn matches(pieces: &[Piece], text: &str) -> bool {
    fn from(pieces: &[Piece], text: &str, anchored: bool) -> bool {
        match pieces.split_first() {
            None => true,
            Some((Piece::Any, rest)) => from(rest, text, false),
            Some((Piece::Text(t), rest)) => {
                if anchored {
                    text.strip_prefix(t.as_str())
                        .is_some_and(|after| from(rest, after, true))
                } else {
                    text.match_indices(t.as_str())
                        .any(|(at, _)| from(rest, &text[at + t.len()..], true))
                }
            }
        }
    }
    from(pieces, text, false)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// A message of the library, where it is written.
struct Message {
    pieces: Vec<Piece>,
    /// `file:line` of each literal with this pattern.
    places: Vec<String>,
}

/// Every distinct message of the library sources, by pattern.
fn library_messages() -> Vec<Message> {
    let root = workspace();
    let mut files = Vec::new();
    for dir in ["dynamo-core/src", "dynamo-local/src"] {
        files_under(&root.join(dir), &mut files);
    }
    let mut by_pattern: BTreeMap<String, Message> = BTreeMap::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let src = std::fs::read_to_string(file).unwrap();
        let relative = file.strip_prefix(&root).unwrap().display().to_string();
        for literal in literals(&src).into_iter().filter(|l| !l.quiet) {
            let mut pieces = pattern(&literal);
            if let Ok(serde_json::Value::Object(json)) = serde_json::from_str(&literal.text)
                && let Some(serde_json::Value::String(message)) = json.get("message")
            {
                pieces = vec![Piece::Text(message.clone())];
            }
            if !is_message(&pieces) {
                continue;
            }
            let message = by_pattern.entry(shown(&pieces)).or_insert_with(|| Message {
                pieces,
                places: Vec::new(),
            });
            message.places.push(format!("{relative}:{}", literal.line));
        }
    }
    by_pattern.into_values().collect()
}

/// A test file's literals, and whether it talks to a server.
struct TestFile {
    /// Each literal's pattern: the text, or for a format string its
    /// pieces (a test may pin `format!("{invalid}The expression can not be
    /// empty;")`).
    literals: Vec<(String, Vec<Piece>)>,
    through_the_wire: bool,
}

fn test_files() -> Vec<TestFile> {
    let root = workspace();
    let mut files = Vec::new();
    files_under(&root.join("tests"), &mut files);
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path().join("tests");
        if dir.is_dir() {
            files_under(&dir, &mut files);
        }
    }
    files
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs" || e == "py"))
        .filter(|f| !f.ends_with("message_coverage.rs"))
        .map(|f| {
            let src = std::fs::read_to_string(&f).unwrap();
            let literals = if f.extension().is_some_and(|e| e == "rs") {
                literals(&src)
                    .iter()
                    .map(|l| (l.text.clone(), pattern(l)))
                    .collect()
            } else {
                vec![(src.clone(), vec![Piece::Text(src.clone())])]
            };
            let through_the_wire = [
                "Server::bind",
                "on_both_backends!",
                "CARGO_BIN_EXE_dynamo-local",
                "mod wire;",
            ]
            .iter()
            .any(|marker| src.contains(marker))
                || f.extension().is_some_and(|e| e == "py");
            TestFile {
                literals,
                through_the_wire,
            }
        })
        .collect()
}

fn pinned(message: &Message, tests: &[TestFile], wire_only: bool) -> bool {
    tests
        .iter()
        .filter(|t| t.through_the_wire || !wire_only)
        .any(|t| {
            t.literals.iter().any(|(text, pieces)| {
                matches(&message.pieces, text) || pins(&message.pieces, pieces)
            })
        })
}

/// Whether a test's format string pins a message: some text fits both,
/// and the test fixes at least half of the message's text, sharing a run of
/// it.
fn pins(message: &[Piece], test: &[Piece]) -> bool {
    let texts = |pieces: &[Piece]| -> Vec<String> {
        pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t.clone()),
                Piece::Any => None,
            })
            .collect()
    };
    let (ours, theirs) = (texts(message), texts(test));
    let length = |texts: &[String]| texts.iter().map(|t| t.chars().count()).sum::<usize>();
    if theirs.len() == test.len() || 2 * length(&theirs) < length(&ours) {
        return false;
    }
    let shared = theirs.iter().any(|t| {
        ours.iter().any(|o| {
            o.chars().count() >= 6 && t.contains(o.as_str())
                || t.chars().count() >= 6 && o.contains(t.as_str())
        })
    });
    shared && overlap(&symbols(message), &symbols(test))
}

/// A pattern as characters, `None` for a wildcard.
fn symbols(pieces: &[Piece]) -> Vec<Option<char>> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.extend(t.chars().map(Some)),
            Piece::Any => out.push(None),
        }
    }
    out
}

/// Whether the message pattern `a` and the test pattern `b` share a
/// string, `b` being free to start and end anywhere in it.
fn overlap(a: &[Option<char>], b: &[Option<char>]) -> bool {
    let (a, b) = ([&[None], a, &[None]].concat(), b.to_vec());
    // reach[i][j]: a[..i] and b[..j] can spell the same text.
    let mut reach = vec![vec![false; b.len() + 1]; a.len() + 1];
    reach[0][0] = true;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reach[i][j] {
                continue;
            }
            match (a.get(i), b.get(j)) {
                (Some(None), _) => {
                    reach[i + 1][j] = true;
                    if j < b.len() {
                        reach[i][j + 1] = true;
                    }
                }
                (_, Some(None)) => {
                    reach[i][j + 1] = true;
                    if i < a.len() {
                        reach[i + 1][j] = true;
                    }
                }
                (Some(Some(x)), Some(Some(y))) if x == y => reach[i + 1][j + 1] = true,
                _ => {}
            }
        }
    }
    reach[a.len()][b.len()]
}

fn unreachable_reason(message: &Message) -> Option<&'static str> {
    UNREACHABLE
        .iter()
        .find(|(shown_as, _)| shown(&message.pieces) == *shown_as)
        .map(|(_, reason)| *reason)
}

/// Fails listing the messages no test pins (`wire_only`: no test through
/// the wire).
fn check(wire_only: bool) {
    let messages = library_messages();
    let tests = test_files();
    let unpinned: Vec<&Message> = messages
        .iter()
        .filter(|m| unreachable_reason(m).is_none() && !pinned(m, &tests, wire_only))
        .collect();
    let listed: Vec<String> = unpinned
        .iter()
        .map(|m| format!("  {}  ({})", shown(&m.pieces), m.places.join(", ")))
        .collect();
    eprintln!(
        "{} distinct messages, {} allowed as unreachable, {} not pinned{}",
        messages.len(),
        messages
            .iter()
            .filter(|m| unreachable_reason(m).is_some())
            .count(),
        unpinned.len(),
        if wire_only { " through the wire" } else { "" },
    );
    assert!(
        unpinned.is_empty(),
        "{} error messages are pinned by no test{}; pin each with a test that triggers it and asserts its text:\n{}",
        unpinned.len(),
        if wire_only { " through the wire" } else { "" },
        listed.join("\n")
    );
}

#[test]
fn every_error_message_is_pinned_by_a_test() {
    check(false);
}

#[test]
fn every_error_message_is_pinned_through_the_wire() {
    check(true);
}

#[test]
fn every_unreachable_entry_names_a_message_no_test_pins() {
    let messages = library_messages();
    let tests = test_files();
    for (shown_as, reason) in UNREACHABLE {
        let message = messages
            .iter()
            .find(|m| shown(&m.pieces) == *shown_as)
            .unwrap_or_else(|| {
                panic!("`{shown_as}` ({reason}) is no longer a message: drop it from UNREACHABLE")
            });
        assert!(
            !pinned(message, &tests, false),
            "`{shown_as}` is pinned by a test: drop it from UNREACHABLE"
        );
    }
}

#[test]
fn the_lister_reads_messages_as_written() {
    let src = r###"
        fn f() -> Error {
            tracing::warn!("a log line is not a message");
            let _ = text.strip_prefix("unknown variant `");
            Error::validation(format!("Value {v} at '{member}' is {{braced}} here"))
        }
        #[error("number {number} does not fit in {target}")]
        struct E;
        #[doc = "an attribute is not a message either"]
        const RAW: &str = r#"{"message":"The server has too many connections"}"#;
        #[cfg(test)]
        mod tests { fn g() { h("a test module is not a message"); } }
        fn after() { h("a literal after the test module counts"); }
    "###;
    let found: Vec<(String, bool)> = literals(src)
        .into_iter()
        .filter(|l| !l.quiet)
        .map(|l| {
            let p = pattern(&l);
            (shown(&p), is_message(&p))
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("Value {…} at '{…}' is {braced} here".to_owned(), true),
            ("number {…} does not fit in {…}".to_owned(), true),
            (
                r#"{"message":"The server has too many connections"}"#.to_owned(),
                true
            ),
            ("a literal after the test module counts".to_owned(), true),
        ]
    );
    let pieces = pattern(&literals(r#"format!("Table: {name} not found")"#)[0]);
    assert!(matches(
        &pieces,
        "Requested resource not found: Table: t not found"
    ));
    assert!(matches(&pieces, "Table: {name} not found"));
    assert!(!matches(&pieces, "Table: t"));
}
