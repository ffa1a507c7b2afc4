//! Phase 1: the derive input and its `#[dynamo(...)]` options as a small
//! model. Every option is parsed here and nowhere else.

use crate::ctxt::Ctxt;
use syn::spanned::Spanned;

/// Which derive is running.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Derive {
    Item,
    Attribute,
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
    /// An enum (variants kept as written; `validate` checks they are units).
    Enum(Vec<&'a syn::Variant>),
    /// A tuple or unit struct, or a union: not supported.
    Unsupported,
}

/// Container options.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    /// `table = "..."`, with the tokens it came from.
    pub table: Option<(String, syn::LitStr)>,
    /// `rename_all = "..."`: how field (or variant) names become attribute names.
    pub rename_all: Option<RenameRule>,
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

    fn from_name(name: &str) -> Option<Self> {
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
            syn::Data::Enum(e) => {
                for variant in &e.variants {
                    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("dynamo")) {
                        cx.error_spanned_by(
                            attr,
                            "`#[dynamo(...)]` options are not supported on enum variants",
                        );
                    }
                }
                Data::Enum(e.variants.iter().collect())
            }
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
            } else {
                Err(meta.error(format!(
                    "unknown `dynamo` container option `{}`; expected `table = \"...\"` or `rename_all = \"...\"`",
                    path_name(&meta.path)
                )))
            }
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    out
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
            let slot = if meta.path.is_ident("partition_key") {
                &mut out.partition_key
            } else if meta.path.is_ident("sort_key") {
                &mut out.sort_key
            } else if meta.path.is_ident("skip") {
                &mut out.skip
            } else if meta.path.is_ident("default") {
                &mut out.default
            } else {
                return Err(meta.error(format!(
                    "unknown `dynamo` field option `{}`; expected `partition_key`, `sort_key`, `rename = \"...\"`, `skip` or `default`",
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

impl Field<'_> {
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
