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
}

/// A named field.
pub(crate) struct Field<'a> {
    pub ident: &'a syn::Ident,
    pub ty: &'a syn::Type,
    pub attrs: FieldAttrs,
}

/// Field options, each with the tokens it came from.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub partition_key: Option<syn::Path>,
    pub sort_key: Option<syn::Path>,
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
            if meta.path.is_ident("table") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                if out.table.is_some() {
                    cx.error_spanned_by(&lit, "duplicate `table` option");
                }
                out.table = Some((lit.value(), lit));
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown `dynamo` container option `{}`; expected `table = \"...\"`",
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
            let slot = if meta.path.is_ident("partition_key") {
                &mut out.partition_key
            } else if meta.path.is_ident("sort_key") {
                &mut out.sort_key
            } else {
                return Err(meta.error(format!(
                    "unknown `dynamo` field option `{}`; expected `partition_key` or `sort_key`",
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
        let name = self.ident.to_string();
        name.strip_prefix("r#").map_or(name.clone(), str::to_owned)
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
