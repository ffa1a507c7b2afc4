//! Phase 1: the derive input and its `#[dynamo(...)]` options as a small
//! model. Every option is parsed here and nowhere else.

use crate::ctxt::Ctxt;
use syn::spanned::Spanned;

/// Which derive is running.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Derive {
    Item,
    Attribute,
    Collection,
}

/// The type being derived for.
pub(crate) struct Container<'a> {
    pub derive: Derive,
    pub ident: &'a syn::Ident,
    pub input: &'a syn::DeriveInput,
    pub attrs: ContainerAttrs,
    pub data: Data<'a>,
}

/// The shape of the type.
pub(crate) enum Data<'a> {
    /// A struct with named fields.
    Struct(Vec<Field<'a>>),
    /// An enum.
    Enum(Vec<Variant<'a>>),
    /// A tuple or unit struct, or a union: not supported.
    Unsupported,
}

/// An enum variant, with the named fields of a struct variant parsed.
pub(crate) struct Variant<'a> {
    pub syn: &'a syn::Variant,
    /// `#[dynamo(rename = "...")]` on the variant.
    pub rename: Option<syn::LitStr>,
    pub fields: Vec<Field<'a>>,
}

/// Container options.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    /// `table = "..."`, with the tokens it came from.
    pub table: Option<(String, syn::LitStr)>,
    /// `rename_all = "..."`: how field (or variant) names become attribute names.
    pub rename_all: Option<RenameRule>,
    /// `pk = "TEMPLATE"`: the table's partition key, rendered from fields.
    pub pk: Option<KeySpec>,
    /// `sk = "TEMPLATE"`: the table's sort key, rendered from fields.
    pub sk: Option<KeySpec>,
    /// `gsi(...)` and `lsi(...)` declarations, in order.
    pub indexes: Vec<IndexDecl>,
    /// `pattern(...)` declarations, in order.
    pub patterns: Vec<PatternDecl>,
    /// `entity = "..."`: the entity-type value written on every item.
    pub entity: Option<syn::LitStr>,
    /// `entity_attribute = "..."`: the attribute holding the entity type.
    pub entity_attribute: Option<syn::LitStr>,
    /// `tag = "..."` (data-carrying enums): the attribute naming the variant.
    pub tag: Option<syn::LitStr>,
    /// `content = "..."` (data-carrying enums): the attribute holding a
    /// newtype variant's value.
    pub content: Option<syn::LitStr>,
    /// `unknown = "skip" | "error"` (collections): what to do with an item
    /// of an entity type the collection does not list.
    pub skip_unknown: Option<(bool, syn::LitStr)>,
}

/// A key declared by template: `pk = "CUSTOMER#{customer_id}"`.
pub(crate) struct KeySpec {
    pub template: Template,
    /// The tokens it came from.
    pub lit: syn::LitStr,
    /// `pk_attribute = "..."` (or the index's): the key attribute's name.
    pub attribute: Option<syn::LitStr>,
    /// Whether the template parsed; an invalid one was reported already.
    pub valid: bool,
}

/// A parsed key template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    pub segments: Vec<Segment>,
}

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Field { name: String, width: Option<usize> },
}

impl Template {
    /// The field when the template is exactly `{field}`: the key is then the
    /// field's own value, with its own type.
    pub fn sole_field(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [Segment::Field { name, width: None }] => Some(name),
            _ => None,
        }
    }

    /// Parses `ORDER#{placed_at:12}#{order_id}`; `{{` and `}}` are braces.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err("unmatched `}` in key template; write `}}` for a brace".into()),
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => inner.push(c),
                            None => {
                                return Err(
                                    "unclosed `{` in key template; write `{{` for a brace".into()
                                );
                            }
                        }
                    }
                    let (name, width) = match inner.split_once(':') {
                        Some((name, width)) => match width.parse::<usize>() {
                            Ok(w) if (1..=40).contains(&w) => (name, Some(w)),
                            _ => {
                                return Err(format!(
                                    "`{{{inner}}}`: the zero-padding width must be a number from 1 to 40"
                                ));
                            }
                        },
                        None => (inner.as_str(), None),
                    };
                    let name = name.trim();
                    if name.is_empty() {
                        return Err("empty `{}` in key template; name a field: `{field}`".into());
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal)));
                    }
                    segments.push(Segment::Field {
                        name: name.to_owned(),
                        width,
                    });
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(Self { segments })
    }
}

/// Global or local secondary index.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexKind {
    Global,
    Local,
}

/// `gsi(name = "...", pk = "...", sk = "...")` or `lsi(name = "...", sk = "...")`.
pub(crate) struct IndexDecl {
    pub kind: IndexKind,
    /// The `gsi`/`lsi` keyword, for errors about the whole declaration.
    pub keyword: syn::Path,
    pub name: Option<syn::LitStr>,
    pub pk: Option<KeySpec>,
    pub sk: Option<KeySpec>,
    /// `pk = [a, b]`: a multi-attribute partition key, with the `pk` token.
    pub pk_list: Option<(syn::Path, Vec<syn::Ident>)>,
    /// `sk = [c, d]`: a multi-attribute sort key.
    pub sk_list: Option<(syn::Path, Vec<syn::Ident>)>,
}

/// `pattern(name = "...", eq = [a, b], sort = c)`: an access pattern that
/// must be served by a key condition alone.
pub(crate) struct PatternDecl {
    /// The `pattern` keyword, for errors about the whole declaration.
    pub keyword: syn::Path,
    pub name: Option<syn::LitStr>,
    /// Fields fixed by equality.
    pub eq: Vec<syn::Ident>,
    /// The field items come ordered by.
    pub sort: Option<syn::Ident>,
}

/// A naming convention for `rename_all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RenameRule {
    CamelCase,
    PascalCase,
    SnakeCase,
    ScreamingSnakeCase,
    KebabCase,
    Lowercase,
    Uppercase,
}

impl RenameRule {
    const ALL: [(&'static str, RenameRule); 7] = [
        ("camelCase", RenameRule::CamelCase),
        ("PascalCase", RenameRule::PascalCase),
        ("snake_case", RenameRule::SnakeCase),
        ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnakeCase),
        ("kebab-case", RenameRule::KebabCase),
        ("lowercase", RenameRule::Lowercase),
        ("UPPERCASE", RenameRule::Uppercase),
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
    }

    /// Applies the rule to a Rust name (snake_case fields, PascalCase variants).
    pub fn apply(self, name: &str) -> String {
        // Split into lower-case words at underscores and case changes.
        let mut words: Vec<String> = Vec::new();
        for part in name.split('_').filter(|p| !p.is_empty()) {
            let mut word = String::new();
            for c in part.chars() {
                if c.is_uppercase() && !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.extend(c.to_lowercase());
            }
            if !word.is_empty() {
                words.push(word);
            }
        }
        let capitalized = |w: &String| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|f| f.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        };
        match self {
            Self::CamelCase => words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { capitalized(w) })
                .collect(),
            Self::PascalCase => words.iter().map(capitalized).collect(),
            Self::SnakeCase => words.join("_"),
            Self::ScreamingSnakeCase => words.join("_").to_uppercase(),
            Self::KebabCase => words.join("-"),
            Self::Lowercase => words.concat(),
            Self::Uppercase => words.concat().to_uppercase(),
        }
    }
}

/// A named field.
pub(crate) struct Field<'a> {
    pub ident: &'a syn::Ident,
    pub ty: &'a syn::Type,
    pub attrs: FieldAttrs,
    /// The container's `rename_all`, applied when the field has no `rename`.
    pub rename_all: Option<RenameRule>,
}

/// Field options, each with the tokens it came from.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub partition_key: Option<syn::Path>,
    pub sort_key: Option<syn::Path>,
    /// `rename = "..."`: the attribute name.
    pub rename: Option<syn::LitStr>,
    /// `skip`: not stored; `Default::default()` when read.
    pub skip: Option<syn::Path>,
    /// `default`: `Default::default()` when the attribute is missing.
    pub default: Option<syn::Path>,
    /// `version`: optimistic-locking counter.
    pub version: Option<syn::Path>,
    /// `ttl`: expiry time, stored as epoch seconds.
    pub ttl: Option<syn::Path>,
    /// `created_at`: set on the first write.
    pub created_at: Option<syn::Path>,
    /// `updated_at`: set on every write.
    pub updated_at: Option<syn::Path>,
    /// `with = module`: the field is converted by `module::to_field` and
    /// `module::from_field`.
    pub with: Option<syn::Path>,
    /// `serde`: the field is converted through its serde implementations.
    pub serde: Option<syn::Path>,
    /// `set`: a sequence stored as a DynamoDB set.
    pub set: Option<syn::Path>,
    /// `binary`: bytes stored as `B`.
    pub binary: Option<syn::Path>,
    /// `null`: `None` stored as `NULL`.
    pub null: Option<syn::Path>,
    /// `flatten`: a nested struct's attributes stored at this level.
    pub flatten: Option<syn::Path>,
}

impl<'a> Container<'a> {
    pub fn from_ast(cx: &Ctxt, input: &'a syn::DeriveInput, derive: Derive) -> Option<Self> {
        let attrs = container_attrs(cx, &input.attrs);
        let data = match &input.data {
            syn::Data::Struct(s) => match &s.fields {
                syn::Fields::Named(named) => Data::Struct(
                    named
                        .named
                        .iter()
                        .filter_map(|f| {
                            Some(Field {
                                ident: f.ident.as_ref()?,
                                ty: &f.ty,
                                attrs: field_attrs(cx, &f.attrs),
                                rename_all: attrs.rename_all,
                            })
                        })
                        .collect(),
                ),
                _ => Data::Unsupported,
            },
            syn::Data::Enum(e) => Data::Enum(
                e.variants
                    .iter()
                    .map(|v| Variant {
                        syn: v,
                        rename: variant_rename(cx, v),
                        fields: match &v.fields {
                            syn::Fields::Named(named) => named
                                .named
                                .iter()
                                .filter_map(|f| {
                                    Some(Field {
                                        ident: f.ident.as_ref()?,
                                        ty: &f.ty,
                                        attrs: field_attrs(cx, &f.attrs),
                                        rename_all: None,
                                    })
                                })
                                .collect(),
                            _ => Vec::new(),
                        },
                    })
                    .collect(),
            ),
            syn::Data::Union(_) => Data::Unsupported,
        };
        Some(Self {
            derive,
            ident: &input.ident,
            input,
            attrs,
            data,
        })
    }
}

fn container_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    let (mut pk_attribute, mut sk_attribute) = (None, None);
    for attr in attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                match RenameRule::from_name(&lit.value()) {
                    Some(rule) => out.rename_all = Some(rule),
                    None => cx.error_spanned_by(
                        &lit,
                        format!(
                            "unknown rename_all rule `{}`; expected one of {}",
                            lit.value(),
                            RenameRule::ALL.map(|(n, _)| format!("\"{n}\"")).join(", ")
                        ),
                    ),
                }
                Ok(())
            } else if meta.path.is_ident("table") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                if out.table.is_some() {
                    cx.error_spanned_by(&lit, "duplicate `table` option");
                }
                out.table = Some((lit.value(), lit));
                Ok(())
            } else if meta.path.is_ident("pk") || meta.path.is_ident("sk") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                let slot = if meta.path.is_ident("pk") { &mut out.pk } else { &mut out.sk };
                set_template(cx, slot, &meta.path, lit);
                Ok(())
            } else if meta.path.is_ident("pk_attribute") || meta.path.is_ident("sk_attribute") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                let slot = if meta.path.is_ident("pk_attribute") { &mut pk_attribute } else { &mut sk_attribute };
                set_once(cx, slot, &meta.path, lit);
                Ok(())
            } else if let Some(slot) = [
                ("entity", &mut out.entity),
                ("entity_attribute", &mut out.entity_attribute),
                ("tag", &mut out.tag),
                ("content", &mut out.content),
            ]
            .into_iter()
            .find_map(|(name, slot)| meta.path.is_ident(name).then_some(slot))
            {
                let lit: syn::LitStr = meta.value()?.parse()?;
                set_once(cx, slot, &meta.path, lit);
                Ok(())
            } else if meta.path.is_ident("unknown") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                match lit.value().as_str() {
                    "skip" => out.skip_unknown = Some((true, lit)),
                    "error" => out.skip_unknown = Some((false, lit)),
                    _ => cx.error_spanned_by(&lit, "expected `unknown = \"skip\"` or `unknown = \"error\"`"),
                }
                Ok(())
            } else if meta.path.is_ident("pattern") {
                let mut decl = PatternDecl { keyword: meta.path.clone(), name: None, eq: Vec::new(), sort: None };
                meta.parse_nested_meta(|inner| {
                    let value = inner.value()?;
                    if inner.path.is_ident("name") {
                        let lit: syn::LitStr = value.parse()?;
                        set_once(cx, &mut decl.name, &inner.path, lit);
                    } else if inner.path.is_ident("eq") {
                        let content;
                        syn::bracketed!(content in value);
                        decl.eq = syn::punctuated::Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated(&content)?
                            .into_iter()
                            .collect();
                    } else if inner.path.is_ident("sort") {
                        let ident: syn::Ident = value.parse()?;
                        set_once(cx, &mut decl.sort, &inner.path, ident);
                    } else {
                        return Err(inner.error(format!(
                            "unknown pattern option `{}`; expected `name = \"...\"`, `eq = [fields]` or `sort = field`",
                            path_name(&inner.path)
                        )));
                    }
                    Ok(())
                })?;
                out.patterns.push(decl);
                Ok(())
            } else if meta.path.is_ident("gsi") || meta.path.is_ident("lsi") {
                let kind = if meta.path.is_ident("gsi") { IndexKind::Global } else { IndexKind::Local };
                let mut decl = IndexDecl { kind, keyword: meta.path.clone(), name: None, pk: None, sk: None, pk_list: None, sk_list: None };
                let (mut pk_attr, mut sk_attr) = (None, None);
                meta.parse_nested_meta(|inner| {
                    let value = inner.value()?;
                    let is_key = inner.path.is_ident("pk") || inner.path.is_ident("sk");
                    if is_key && value.peek(syn::token::Bracket) {
                        let content;
                        syn::bracketed!(content in value);
                        let list: Vec<syn::Ident> =
                            syn::punctuated::Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated(&content)?
                                .into_iter()
                                .collect();
                        if kind == IndexKind::Local {
                            cx.error_spanned_by(&inner.path, "multi-attribute keys are for global secondary indexes; a local index has one sort key");
                        } else if inner.path.is_ident("pk") {
                            set_once(cx, &mut decl.pk_list, &inner.path, (inner.path.clone(), list));
                        } else {
                            set_once(cx, &mut decl.sk_list, &inner.path, (inner.path.clone(), list));
                        }
                        return Ok(());
                    }
                    let lit: syn::LitStr = value.parse()?;
                    if inner.path.is_ident("name") {
                        set_once(cx, &mut decl.name, &inner.path, lit);
                    } else if inner.path.is_ident("pk") && kind == IndexKind::Global {
                        set_template(cx, &mut decl.pk, &inner.path, lit);
                    } else if inner.path.is_ident("sk") {
                        set_template(cx, &mut decl.sk, &inner.path, lit);
                    } else if inner.path.is_ident("pk_attribute") && kind == IndexKind::Global {
                        set_once(cx, &mut pk_attr, &inner.path, lit);
                    } else if inner.path.is_ident("sk_attribute") {
                        set_once(cx, &mut sk_attr, &inner.path, lit);
                    } else if kind == IndexKind::Local && (inner.path.is_ident("pk") || inner.path.is_ident("pk_attribute")) {
                        cx.error_spanned_by(&inner.path, "a local secondary index shares the table's partition key; give it only `name` and `sk`");
                    } else {
                        cx.error_spanned_by(&inner.path, format!(
                            "unknown index option `{}`; expected `name`, {}`sk` or `sk_attribute`",
                            path_name(&inner.path),
                            if kind == IndexKind::Global { "`pk`, `pk_attribute`, " } else { "" },
                        ));
                    }
                    Ok(())
                })?;
                attach_attribute(cx, &mut decl.pk, pk_attr);
                attach_attribute(cx, &mut decl.sk, sk_attr);
                out.indexes.push(decl);
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown `dynamo` container option `{}`; expected one of `table`, `pk`, `sk`, `pk_attribute`, `sk_attribute`, `gsi(...)`, `lsi(...)`, `pattern(...)`, `entity`, `entity_attribute`, `rename_all`, `tag`, `content`, `unknown`",
                    path_name(&meta.path)
                )))
            }
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    attach_attribute(cx, &mut out.pk, pk_attribute);
    attach_attribute(cx, &mut out.sk, sk_attribute);
    out
}

/// The variant's `#[dynamo(rename = "...")]`, its only option.
fn variant_rename(cx: &Ctxt, variant: &syn::Variant) -> Option<syn::LitStr> {
    let mut rename = None;
    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                set_once(cx, &mut rename, &meta.path, lit);
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown `dynamo` variant option `{}`; expected `rename = \"...\"`",
                    path_name(&meta.path)
                )))
            }
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    rename
}

impl Variant<'_> {
    /// The name the variant is stored as.
    pub fn stored_name(&self, rule: Option<RenameRule>) -> String {
        if let Some(rename) = &self.rename {
            return rename.value();
        }
        let name = self.syn.ident.to_string();
        rule.map_or_else(|| name.clone(), |r| r.apply(&name))
    }
}

/// Records an option that may appear once.
fn set_once<T>(cx: &Ctxt, slot: &mut Option<T>, path: &syn::Path, value: T) {
    if slot.is_some() {
        cx.error_spanned_by(path, format!("duplicate `{}` option", path_name(path)));
    }
    *slot = Some(value);
}

/// Parses a key template option into `slot`.
fn set_template(cx: &Ctxt, slot: &mut Option<KeySpec>, path: &syn::Path, lit: syn::LitStr) {
    let (template, valid) = match Template::parse(&lit.value()) {
        Ok(template) => (template, true),
        Err(message) => {
            cx.error_spanned_by(&lit, message);
            (
                Template {
                    segments: Vec::new(),
                },
                false,
            )
        }
    };
    set_once(
        cx,
        slot,
        path,
        KeySpec {
            template,
            lit,
            attribute: None,
            valid,
        },
    );
}

/// Attaches `pk_attribute`/`sk_attribute` to the key it names.
fn attach_attribute(cx: &Ctxt, key: &mut Option<KeySpec>, attribute: Option<syn::LitStr>) {
    match (key, attribute) {
        (Some(key), attribute) => key.attribute = attribute,
        (None, Some(attribute)) => cx.error_spanned_by(
            &attribute,
            "an attribute name without its key template; add the `pk = \"...\"` or `sk = \"...\"` it names",
        ),
        (None, None) => {}
    }
}

fn field_attrs(cx: &Ctxt, attrs: &[syn::Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                if out.rename.is_some() {
                    cx.error_spanned_by(&lit, "duplicate `rename` option");
                }
                out.rename = Some(lit);
                return Ok(());
            }
            if meta.path.is_ident("with") {
                let path: syn::Path = meta.value()?.parse()?;
                set_once(cx, &mut out.with, &meta.path, path);
                return Ok(());
            }
            let slot = if meta.path.is_ident("partition_key") {
                &mut out.partition_key
            } else if meta.path.is_ident("sort_key") {
                &mut out.sort_key
            } else if meta.path.is_ident("skip") {
                &mut out.skip
            } else if meta.path.is_ident("default") {
                &mut out.default
            } else if meta.path.is_ident("version") {
                &mut out.version
            } else if meta.path.is_ident("ttl") {
                &mut out.ttl
            } else if meta.path.is_ident("created_at") {
                &mut out.created_at
            } else if meta.path.is_ident("updated_at") {
                &mut out.updated_at
            } else if meta.path.is_ident("serde") {
                &mut out.serde
            } else if meta.path.is_ident("set") {
                &mut out.set
            } else if meta.path.is_ident("binary") {
                &mut out.binary
            } else if meta.path.is_ident("null") {
                &mut out.null
            } else if meta.path.is_ident("flatten") {
                &mut out.flatten
            } else {
                return Err(meta.error(format!(
                    "unknown `dynamo` field option `{}`; expected `partition_key`, `sort_key`, `rename = \"...\"`, `skip`, `default`, `with = path`, `serde`, `set`, `binary`, `null`, `flatten`, `version`, `ttl`, `created_at` or `updated_at`",
                    path_name(&meta.path)
                )));
            };
            if slot.is_some() {
                cx.error_spanned_by(
                    &meta.path,
                    format!("duplicate `{}` option", path_name(&meta.path)),
                );
            }
            *slot = Some(meta.path.clone());
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    out
}

fn path_name(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

impl<'a> Field<'a> {
    /// The attribute name this field is stored under.
    pub fn attribute_name(&self) -> String {
        if let Some(rename) = &self.attrs.rename {
            return rename.value();
        }
        let name = self.ident.to_string();
        let name = name.strip_prefix("r#").map_or(name.clone(), str::to_owned);
        match self.rename_all {
            Some(rule) => rule.apply(&name),
            None => name,
        }
    }

    /// The module converting the field, when it is not its `Attribute`
    /// implementation: `with = module`, serde, or epoch seconds for `ttl`.
    pub fn codec(&self) -> Option<proc_macro2::TokenStream> {
        if let Some(path) = &self.attrs.with {
            Some(quote::quote!(#path))
        } else if self.attrs.serde.is_some() {
            Some(quote::quote!(::dynamo::serde_codec))
        } else if self.attrs.set.is_some() {
            Some(quote::quote!(::dynamo::codecs::set))
        } else if self.attrs.binary.is_some() {
            Some(quote::quote!(::dynamo::codecs::binary))
        } else if self.attrs.null.is_some() {
            Some(quote::quote!(::dynamo::codecs::null))
        } else if self.attrs.ttl.is_some() {
            Some(quote::quote!(::dynamo::epoch_seconds))
        } else {
            None
        }
    }

    /// Whether the field is stored as epoch seconds: `ttl`, or
    /// `with = dynamo::epoch_seconds`.
    pub fn is_epoch_seconds(&self) -> bool {
        match &self.attrs.with {
            Some(path) => path
                .segments
                .last()
                .is_some_and(|s| s.ident == "epoch_seconds"),
            None => self.attrs.ttl.is_some() && self.attrs.serde.is_none(),
        }
    }

    /// `T` when the field's type is written `Option<T>`.
    pub fn option_inner(&self) -> Option<&'a syn::Type> {
        let syn::Type::Path(p) = self.ty else {
            return None;
        };
        let last = p.path.segments.last()?;
        if last.ident != "Option" {
            return None;
        }
        match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
                syn::GenericArgument::Type(inner) => Some(inner),
                _ => None,
            },
            _ => None,
        }
    }

    /// The type a key built from this field holds: `T` for `Option<T>`.
    pub fn value_ty(&self) -> &'a syn::Type {
        self.option_inner().unwrap_or(self.ty)
    }

    /// Whether the field holds a number, by its type's name (the derive
    /// sees tokens, not types: a newtype around a number counts as not).
    pub fn is_numeric(&self) -> bool {
        const NUMBERS: &[&str] = &[
            "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
            "f32", "f64", "Number", "Decimal",
        ];
        self.is_epoch_seconds()
            || match self.value_ty() {
                syn::Type::Path(p) => p
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| NUMBERS.iter().any(|n| s.ident == n)),
                _ => false,
            }
    }

    /// Whether the field is stored at all.
    pub fn is_stored(&self) -> bool {
        self.attrs.skip.is_none()
    }

    /// Where errors about the field's type point: the type's name (the
    /// last segment of its path, `Instant` in `std::time::Instant`), since
    /// stable proc-macros cannot span a whole path.
    pub fn ty_span(&self) -> proc_macro2::Span {
        match self.ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .map_or_else(|| self.ty.span(), |s| s.ident.span()),
            other => other.span(),
        }
    }
}
