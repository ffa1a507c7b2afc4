//! Phase 2: checks that the options fit together and fit the type.

use crate::ctxt::Ctxt;
use crate::parse::{Container, Data, Derive};

pub(crate) fn check(cx: &Ctxt, container: &Container) {
    if !container.input.generics.params.is_empty() {
        cx.error_spanned_by(
            &container.input.generics,
            "dynamo derives do not support generic types yet; use a concrete type",
        );
    }
    match (container.derive, &container.data) {
        (Derive::Item, Data::Struct(fields)) => check_item(cx, container, fields),
        (Derive::Item, _) => cx.error_spanned_by(
            container.ident,
            "#[derive(Item)] needs a struct with named fields: each field is one attribute of the item",
        ),
        (Derive::Attribute, Data::Struct(fields)) => {
            check_fields(cx, fields);
            if let Some((_, lit)) = &container.attrs.table {
                cx.error_spanned_by(lit, "`table` belongs on #[derive(Item)] structs, not on attributes");
            }
            for field in fields {
                for path in [&field.attrs.partition_key, &field.attrs.sort_key].into_iter().flatten() {
                    cx.error_spanned_by(
                        path,
                        "key options belong on #[derive(Item)] structs; an attribute struct is stored as a map inside an item",
                    );
                }
            }
        }
        (Derive::Attribute, Data::Enum(variants)) => {
            if variants.is_empty() {
                cx.error_spanned_by(container.ident, "#[derive(Attribute)] needs at least one variant");
            }
            for variant in variants {
                if !matches!(variant.fields, syn::Fields::Unit) {
                    cx.error_spanned_by(
                        &variant.fields,
                        "#[derive(Attribute)] supports enums of unit variants only (stored as their name); this variant carries data",
                    );
                }
            }
        }
        (Derive::Attribute, Data::Unsupported) => cx.error_spanned_by(
            container.ident,
            "#[derive(Attribute)] needs a struct with named fields or an enum of unit variants",
        ),
    }
}

/// Checks field options that apply to items and attribute structs alike.
fn check_fields(cx: &Ctxt, fields: &[crate::parse::Field]) {
    let mut names: Vec<String> = Vec::new();
    for field in fields {
        if let Some(rename) = &field.attrs.rename
            && rename.value().is_empty()
        {
            cx.error_spanned_by(rename, "attribute names cannot be empty");
        }
        let key = field.attrs.partition_key.is_some() || field.attrs.sort_key.is_some();
        if let (true, Some(skip)) = (key, &field.attrs.skip) {
            cx.error_spanned_by(
                skip,
                "a key field cannot be skipped: every item stores its key",
            );
        }
        if let (true, Some(default)) = (key, &field.attrs.default) {
            cx.error_spanned_by(
                default,
                "a key field cannot have a default: every item stores its key",
            );
        }
        if field.attrs.skip.is_none() {
            let name = field.attribute_name();
            if names.contains(&name) {
                cx.error_spanned_by(
                    field.ident,
                    format!("two fields are stored as attribute `{name}`"),
                );
            }
            names.push(name);
        }
    }
}

fn check_item(cx: &Ctxt, container: &Container, fields: &[crate::parse::Field]) {
    check_fields(cx, fields);
    if container.attrs.table.is_none() {
        cx.error_spanned_by(
            container.ident,
            "#[derive(Item)] needs the table name: add #[dynamo(table = \"...\")]",
        );
    }
    let partition_keys: Vec<_> = fields
        .iter()
        .filter(|f| f.attrs.partition_key.is_some())
        .collect();
    let sort_keys: Vec<_> = fields
        .iter()
        .filter(|f| f.attrs.sort_key.is_some())
        .collect();
    match partition_keys.as_slice() {
        [] => cx.error_spanned_by(
            container.ident,
            "#[derive(Item)] needs a partition key: mark one field with #[dynamo(partition_key)]",
        ),
        [_] => {}
        [_, rest @ ..] => {
            for field in rest {
                cx.error_spanned_by(
                    field.ident,
                    "a table has one partition key; another field is already #[dynamo(partition_key)]",
                );
            }
        }
    }
    if let [_, rest @ ..] = sort_keys.as_slice() {
        for field in rest {
            cx.error_spanned_by(
                field.ident,
                "a table has at most one sort key; another field is already #[dynamo(sort_key)]",
            );
        }
    }
    for field in fields {
        if let (Some(_), Some(sort)) = (&field.attrs.partition_key, &field.attrs.sort_key) {
            cx.error_spanned_by(
                sort,
                "a field cannot be both the partition key and the sort key",
            );
        }
    }
}
