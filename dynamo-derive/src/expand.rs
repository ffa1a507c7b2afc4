//! Phase 3: code generation. Everything here was checked by `validate`.
//! Per-field code is spanned at the field's type, so a type without a
//! DynamoDB representation is reported at that type.

use crate::parse::{Container, Data, Derive, Field, IndexKind};
use crate::validate::{ItemModel, KeySource, ResolvedKey, ResolvedSegment};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

pub(crate) fn expand(container: &Container, model: Option<&ItemModel>) -> TokenStream {
    match (&container.data, container.derive, model) {
        (Data::Struct(fields), Derive::Item, Some(model)) => expand_item(container, fields, model),
        (Data::Enum(variants), Derive::Collection, _) => expand_collection(container, variants),
        (Data::Struct(fields), Derive::Attribute, _) => expand_map_attribute(container, fields),
        (Data::Enum(variants), Derive::Attribute, _) => expand_enum_attribute(container, variants),
        // Rejected by `validate`.
        _ => TokenStream::new(),
    }
}

/// `where` predicates requiring every field type to be an attribute (and
/// key fields to be key attributes), each spanned at the field's type: an
/// unsupported type is then reported once, at the type, and nowhere else.
///
/// A type that names the container itself (`children: Vec<Node>`) gets no
/// bound: the bound would ask the compiler to prove the impl from itself.
fn field_bounds(container: &syn::Ident, fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .filter_map(|f| {
            let ty = f.ty;
            if mentions(quote!(#ty), container) {
                return None;
            }
            let bound = if !f.is_stored() {
                quote_spanned! {f.ty_span()=> ::core::default::Default }
            } else if f.codec().is_some() {
                // The codec's own bounds apply.
                return None;
            } else {
                quote_spanned! {f.ty_span()=> ::dynamo::Attribute }
            };
            Some(quote! { #ty: #bound })
        })
        .collect()
}

/// The container's generics for an impl: `impl<..>`, `Type<..>`, and the
/// predicates of its own `where` clause followed by a comma (or nothing).
fn generics(container: &Container) -> (TokenStream, TokenStream, TokenStream) {
    let (impl_generics, ty_generics, where_clause) = container.input.generics.split_for_impl();
    let predicates = match where_clause {
        Some(w) if !w.predicates.is_empty() => {
            let p = w.predicates.iter();
            quote!(#(#p,)*)
        }
        _ => TokenStream::new(),
    };
    (quote!(#impl_generics), quote!(#ty_generics), predicates)
}

/// Whether `tokens` contain the identifier `ident`.
fn mentions(tokens: TokenStream, ident: &syn::Ident) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == *ident,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), ident),
        _ => false,
    })
}

/// An expression of type `Result<Option<AttributeValue>, AttributeError>`:
/// the attribute of `value` (a reference to a value of the field's type),
/// or `None` to leave it out.
fn field_to_attribute(f: &Field, value: TokenStream) -> TokenStream {
    let ty = f.ty;
    match f.codec() {
        Some(codec) => quote_spanned! {f.ty_span()=> #codec::to_field::<#ty>(#value) },
        None => quote_spanned! {f.ty_span()=> <#ty as ::dynamo::Attribute>::to_field(#value) },
    }
}

/// Statements writing every field into `item`.
fn put_fields(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .filter(|f| f.is_stored())
        .map(|f| {
            let (ident, name) = (f.ident, f.attribute_name());
            if f.attrs.flatten.is_some() {
                let ty = f.ty;
                return quote_spanned! {f.ty_span()=>
                    ::dynamo::__private::put_flattened::<#ty>(&mut item, &self.#ident)?;
                };
            }
            let value = field_to_attribute(f, quote!(&self.#ident));
            quote! {
                ::dynamo::__private::put_field_value(&mut item, #name, #value)?;
            }
        })
        .collect()
}

/// Field initialisers reading every field out of `item`.
fn take_fields(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let (ident, ty, name) = (f.ident, f.ty, f.attribute_name());
            let default = f.attrs.default.is_some();
            if f.attrs.flatten.is_some() {
                return quote_spanned! {f.ty_span()=>
                    #ident: ::dynamo::__private::take_flattened::<#ty>(&item)?
                };
            }
            match (f.is_stored(), f.codec()) {
                (false, _) => quote_spanned! {f.ty_span()=> #ident: ::core::default::Default::default() },
                (true, Some(codec)) if default => quote_spanned! {f.ty_span()=>
                    #ident: ::dynamo::__private::take_field_with_or_default::<#ty>(&mut item, #name, #codec::from_field::<#ty>)?
                },
                (true, Some(codec)) => quote_spanned! {f.ty_span()=>
                    #ident: ::dynamo::__private::take_field_with::<#ty>(&mut item, #name, #codec::from_field::<#ty>)?
                },
                (true, None) if default => quote_spanned! {f.ty_span()=>
                    #ident: ::dynamo::__private::take_field_or_default::<#ty>(&mut item, #name)?
                },
                (true, None) => quote_spanned! {f.ty_span()=>
                    #ident: ::dynamo::__private::take_field::<#ty>(&mut item, #name)?
                },
            }
        })
        .collect()
}

/// One typed path constant per stored field (`Order::STATUS`). A field
/// stored as epoch seconds gets a path of `EpochTime` (numbers); a field
/// with another codec (`with`, `serde`, `set`, `binary`) has none: its
/// stored form is not its `Attribute` form, so a typed operand would not
/// compare with it.
fn path_consts(fields: &[Field], key_fields: &[usize]) -> Vec<TokenStream> {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_stored() && f.attrs.flatten.is_none())
        .filter_map(|(i, f)| {
            // The operand type: the field's own, or the stored form of a
            // codec whose stored form typed operands can take.
            let value_ty = f.value_ty();
            let ty = if f.is_epoch_seconds() {
                quote!(::dynamo::EpochTime<#value_ty>)
            } else if f.codec().is_none() || f.attrs.null.is_some() {
                quote!(#value_ty)
            } else {
                return None;
            };
            let rust_name = f.ident.to_string();
            let rust_name = rust_name.strip_prefix("r#").unwrap_or(&rust_name);
            let const_name = quote::format_ident!(
                "{}",
                crate::parse::RenameRule::ScreamingSnakeCase.apply(rust_name),
                span = f.ident.span()
            );
            let name = f.attribute_name();
            let presence = if key_fields.contains(&i) {
                quote!(::dynamo::KeyField)
            } else if f.option_inner().is_some() {
                quote!(::dynamo::Optional)
            } else {
                quote!(::dynamo::Required)
            };
            let doc = format!("The typed path of attribute `{name}` (field `{rust_name}`).");
            Some(quote! {
                #[doc = #doc]
                pub const #const_name: ::dynamo::Path<Self, #ty, #presence> = ::dynamo::Path::new(#name);
            })
        })
        .collect()
}

/// What the planner knows of each stored field: its attribute, whether
/// items may lack it, whether it is a number.
fn field_infos(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .filter(|f| f.is_stored() && f.attrs.flatten.is_none())
        .map(|f| {
            let name = f.attribute_name();
            let optional = f.option_inner().is_some();
            let numeric = f.is_numeric();
            quote! {
                ::dynamo::planner::FieldInfo { attribute: #name, optional: #optional, numeric: #numeric }
            }
        })
        .collect()
}

/// Bounds and the `timestamps` method of the lifecycle fields.
fn lifecycle(fields: &[Field], model: &ItemModel) -> (Vec<TokenStream>, TokenStream) {
    let mut bounds = Vec::new();
    if let Some(i) = model.version {
        let f = &fields[i];
        let ty = f.ty;
        bounds.push(quote_spanned! {f.ty_span()=> #ty: ::dynamo::VersionAttribute });
    }
    let mut stamps = Vec::new();
    for (index, slot) in [
        (model.created_at, quote!(created_at)),
        (model.updated_at, quote!(updated_at)),
    ] {
        match index {
            Some(i) => {
                let f = &fields[i];
                let ty = f.ty;
                bounds.push(quote_spanned! {f.ty_span()=> #ty: ::dynamo::Timestamp });
                let value =
                    field_to_attribute(f, quote!(&<#ty as ::dynamo::Timestamp>::from_time(now)));
                stamps.push(quote! { #slot: #value? });
            }
            None => stamps.push(quote! { #slot: ::core::option::Option::None }),
        }
    }
    let method = if model.created_at.is_none() && model.updated_at.is_none() {
        TokenStream::new()
    } else {
        quote! {
            fn timestamps(now: ::std::time::SystemTime) -> ::core::result::Result<::dynamo::Timestamps, ::dynamo::AttributeError> {
                ::core::result::Result::Ok(::dynamo::Timestamps { #(#stamps,)* })
            }
        }
    };
    (bounds, method)
}

/// The `derived_key_updates` method: index keys rendered from templates
/// follow an update of the fields they are built from.
fn derived_key_updates(fields: &[Field], model: &ItemModel) -> TokenStream {
    let mut blocks = Vec::new();
    for index in &model.indexes {
        let keys = match index.kind {
            IndexKind::Global => vec![Some(&index.pk), index.sk.as_ref()],
            IndexKind::Local => vec![index.sk.as_ref()],
        };
        for key in keys.into_iter().flatten() {
            if let KeySource::Field(_) = key.source {
                continue;
            }
            let field_indexes = key.fields();
            if field_indexes.is_empty() {
                continue;
            }
            let attribute = &key.attribute;
            let names: Vec<String> = field_indexes
                .iter()
                .map(|&i| fields[i].attribute_name())
                .collect();
            let listed = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let touched_message = format!(
                "the update changes `{{}}` in a way the client cannot compute, and index key `{attribute}` is built from it; set it to a value instead"
            );
            let partial_message = format!(
                "index key `{attribute}` is built from {listed}: an update that sets one must set all of them"
            );
            let decodes = field_indexes.iter().zip(&names).map(|(&i, name)| {
                let f = &fields[i];
                let (ident, ty) = (f.ident, f.value_ty());
                quote_spanned! {f.ty_span()=>
                    let #ident: #ty = match set.get(#name) {
                        ::core::option::Option::Some(v) => <#ty as ::dynamo::Attribute>::from_attribute(v.clone())
                            .map_err(|e| e.in_attribute(#name))?,
                        ::core::option::Option::None => return ::core::result::Result::Err(::dynamo::AttributeError::invalid(#partial_message)),
                    };
                }
            });
            let local = |i: usize| local_value(fields, i);
            let rendered = render_key(fields, key, &local);
            blocks.push(quote! {
                {
                    const FIELDS: &[&str] = &[#(#names),*];
                    if FIELDS.iter().any(|f| set.contains_key(*f) || removed.contains(f) || touched.contains(f)) {
                        if let ::core::option::Option::Some(f) = FIELDS.iter().find(|f| touched.contains(f)) {
                            return ::core::result::Result::Err(::dynamo::AttributeError::invalid(::std::format!(#touched_message, f)));
                        }
                        if FIELDS.iter().any(|f| removed.contains(f)) {
                            out.remove.push(#attribute);
                        } else {
                            #(#decodes)*
                            out.set.push((#attribute, ::dynamo::AttributeValue::from(#rendered)));
                        }
                    }
                }
            });
        }
    }
    if blocks.is_empty() {
        return TokenStream::new();
    }
    quote! {
        fn derived_key_updates(
            set: &::dynamo::AttributeMap,
            removed: &[&str],
            touched: &[&str],
        ) -> ::core::result::Result<::dynamo::DerivedKeys, ::dynamo::AttributeError> {
            let mut out = ::dynamo::DerivedKeys::default();
            #(#blocks)*
            ::core::result::Result::Ok(out)
        }
    }
}

/// `&self.field` for the field at `index`.
fn self_value(fields: &[Field], index: usize) -> TokenStream {
    let ident = fields[index].ident;
    quote!(&self.#ident)
}

/// An expression of type `KeyValue`: the key rendered from field values
/// (`value(i)` is a reference to field `i`'s value, never an `Option`).
fn render_key(
    fields: &[Field],
    key: &ResolvedKey,
    value: &dyn Fn(usize) -> TokenStream,
) -> TokenStream {
    match &key.source {
        KeySource::Field(i) => {
            let field = &fields[*i];
            let ty = field.value_ty();
            let v = value(*i);
            quote_spanned! {field.ty_span()=> <#ty as ::dynamo::KeyAttribute>::to_key_value(#v) }
        }
        KeySource::Template(segments) => {
            let pushes = segments.iter().map(|segment| match segment {
                ResolvedSegment::Literal(text) => quote!(__key.push_str(#text);),
                ResolvedSegment::Field { index, width } => {
                    let field = &fields[*index];
                    let ty = field.value_ty();
                    let v = value(*index);
                    match width {
                        Some(w) => quote_spanned! {field.ty_span()=>
                            <#ty as ::dynamo::PaddedKeyPart>::write_padded(#v, &mut __key, #w);
                        },
                        None => quote_spanned! {field.ty_span()=>
                            <#ty as ::dynamo::KeyPart>::write_key_part(#v, &mut __key);
                        },
                    }
                }
            });
            quote! {{
                let mut __key = ::std::string::String::new();
                #(#pushes)*
                ::dynamo::KeyValue::S(__key)
            }}
        }
    }
}

/// The `KeyAttributeSchema` of a key.
fn key_schema(fields: &[Field], key: &ResolvedKey) -> TokenStream {
    let name = &key.attribute;
    match &key.source {
        KeySource::Field(i) => {
            let field = &fields[*i];
            let ty = field.value_ty();
            quote_spanned! {field.ty_span()=>
                ::dynamo::KeyAttributeSchema {
                    name: #name,
                    scalar_type: <#ty as ::dynamo::KeyAttribute>::SCALAR_TYPE,
                    template: ::core::option::Option::None,
                }
            }
        }
        KeySource::Template(segments) => {
            let segments = segments.iter().map(|segment| match segment {
                ResolvedSegment::Literal(text) => quote!(::dynamo::TemplateSegment::Literal(#text)),
                ResolvedSegment::Field { index, width } => {
                    let name = fields[*index].attribute_name();
                    let width = match width {
                        Some(w) => quote!(::core::option::Option::Some(#w)),
                        None => quote!(::core::option::Option::None),
                    };
                    quote!(::dynamo::TemplateSegment::Field { name: #name, width: #width })
                }
            });
            quote! {
                ::dynamo::KeyAttributeSchema {
                    name: #name,
                    scalar_type: ::dynamo::__private::ScalarAttributeType::S,
                    template: ::core::option::Option::Some(::dynamo::KeyTemplate { segments: &[#(#segments),*] }),
                }
            }
        }
    }
}

fn option_schema(fields: &[Field], key: Option<&ResolvedKey>) -> TokenStream {
    match key {
        Some(key) => {
            let schema = key_schema(fields, key);
            quote!(::core::option::Option::Some(#schema))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The `Option<SortKeyShape>` typed queries condition on.
fn sort_shape(fields: &[Field], sk: Option<&ResolvedKey>) -> TokenStream {
    match sk {
        Some(sk) => {
            let schema = key_schema(fields, sk);
            quote!(::core::option::Option::Some(::dynamo::KeyAttributeSchema::sort_shape(&#schema)))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The operand type of sort-key conditions on `sk`.
fn sort_operand(fields: &[Field], sk: Option<&ResolvedKey>) -> TokenStream {
    match sk.and_then(ResolvedKey::operand_field) {
        Some(i) => {
            let ty = fields[i].value_ty();
            quote!(#ty)
        }
        None => quote!(::dynamo::NoSortKey),
    }
}

/// Bounds the keys put on their fields: a field that is a key by itself
/// must be a key attribute, a template field a key part.
fn key_bounds(fields: &[Field], model: &ItemModel) -> Vec<TokenStream> {
    let keys = std::iter::once(&model.pk).chain(&model.sk).chain(
        model
            .indexes
            .iter()
            .flat_map(|i| std::iter::once(&i.pk).chain(&i.sk)),
    );
    let mut out = Vec::new();
    for &i in model
        .indexes
        .iter()
        .flat_map(|i| i.more_pk.iter().chain(&i.more_sk))
    {
        let field = &fields[i];
        let ty = field.value_ty();
        out.push(quote_spanned! {field.ty_span()=> #ty: ::dynamo::KeyAttribute });
    }
    for key in keys {
        match &key.source {
            KeySource::Field(i) => {
                let field = &fields[*i];
                let ty = field.value_ty();
                out.push(quote_spanned! {field.ty_span()=> #ty: ::dynamo::KeyAttribute });
            }
            KeySource::Template(segments) => {
                for segment in segments {
                    if let ResolvedSegment::Field { index, width } = segment {
                        let field = &fields[*index];
                        let ty = field.value_ty();
                        out.push(match width {
                            Some(_) => {
                                quote_spanned! {field.ty_span()=> #ty: ::dynamo::PaddedKeyPart }
                            }
                            None => quote_spanned! {field.ty_span()=> #ty: ::dynamo::KeyPart },
                        });
                    }
                }
            }
        }
    }
    out
}

/// Statements writing a rendered index key into `item`; nothing when a
/// field it reads is `None` (a sparse index).
fn put_index_key(fields: &[Field], key: &ResolvedKey) -> TokenStream {
    if let KeySource::Field(_) = key.source {
        return TokenStream::new();
    }
    let name = &key.attribute;
    let optional: Vec<usize> = key
        .fields()
        .into_iter()
        .filter(|&i| fields[i].option_inner().is_some())
        .collect();
    let bindings: Vec<syn::Ident> = optional
        .iter()
        .map(|i| quote::format_ident!("__opt_{}", i))
        .collect();
    let value = |i: usize| match optional.iter().position(|&o| o == i) {
        Some(pos) => {
            let b = &bindings[pos];
            quote!(#b)
        }
        None => self_value(fields, i),
    };
    let rendered = render_key(fields, key, &value);
    let insert = quote! {
        item.insert(::std::string::String::from(#name), ::dynamo::AttributeValue::from(#rendered));
    };
    if optional.is_empty() {
        return insert;
    }
    let sources = optional.iter().map(|&i| self_value(fields, i));
    quote! {
        if let (#(::core::option::Option::Some(#bindings),)*) = (#(#sources,)*) {
            #insert
        }
    }
}

/// Parameters (`name: impl KeyArg<T>`) and conversions for the fields a
/// key constructor takes.
fn key_params(fields: &[Field], indexes: &[usize]) -> (Vec<TokenStream>, Vec<TokenStream>) {
    indexes
        .iter()
        .map(|&i| {
            let field = &fields[i];
            let (ident, ty) = (field.ident, field.value_ty());
            (
                quote_spanned! {field.ty_span()=> #ident: impl ::dynamo::KeyArg<#ty> },
                quote_spanned! {field.ty_span()=> let #ident: #ty = ::dynamo::KeyArg::into_key(#ident); },
            )
        })
        .unzip()
}

fn local_value(fields: &[Field], index: usize) -> TokenStream {
    let ident = fields[index].ident;
    quote!(&#ident)
}

fn expand_item(container: &Container, fields: &[Field], model: &ItemModel) -> TokenStream {
    let ident = container.ident;
    let (impl_g, ty_g, own_where) = generics(container);
    let table = container
        .attrs
        .table
        .as_ref()
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    let count = fields.len() + 4;
    let puts = put_fields(fields);
    let takes = take_fields(fields);
    let mut bounds = field_bounds(ident, fields);
    bounds.extend(key_bounds(fields, model));
    let (lifecycle_bounds, timestamps) = lifecycle(fields, model);
    bounds.extend(lifecycle_bounds);
    let mut table_key_fields = model.pk.fields();
    table_key_fields.extend(model.sk.iter().flat_map(ResolvedKey::fields));
    let paths = path_consts(fields, &table_key_fields);
    let derived_keys = derived_key_updates(fields, model);
    let (pk, sk) = (&model.pk, model.sk.as_ref());
    let pk_schema = key_schema(fields, pk);
    let sk_schema = option_schema(fields, sk);
    let sort_ty = sort_operand(fields, sk);
    let self_v = |i: usize| self_value(fields, i);
    let local_v = |i: usize| local_value(fields, i);
    let pk_self = render_key(fields, pk, &self_v);
    let sk_self = match sk {
        Some(sk) => {
            let v = render_key(fields, sk, &self_v);
            quote!(::core::option::Option::Some(#v))
        }
        None => quote!(::core::option::Option::None),
    };
    // T::key(...): the fields of the partition and sort keys, each once.
    let mut key_fields = pk.fields();
    for i in sk.map(ResolvedKey::fields).unwrap_or_default() {
        if !key_fields.contains(&i) {
            key_fields.push(i);
        }
    }
    let (key_params_, key_lets) = key_params(fields, &key_fields);
    let pk_local = render_key(fields, pk, &local_v);
    let sk_local = match sk {
        Some(sk) => {
            let v = render_key(fields, sk, &local_v);
            quote!(::core::option::Option::Some(#v))
        }
        None => quote!(::core::option::Option::None),
    };
    let (part_params, part_lets) = key_params(fields, &pk.fields());
    let pk_part = render_key(fields, pk, &local_v);
    let pk_name = &pk.attribute;
    let sk_shape = sort_shape(fields, sk);
    // Keys written as their own attributes.
    let mut key_puts = Vec::new();
    for key in std::iter::once(pk).chain(sk) {
        if let KeySource::Template(_) = key.source {
            let name = &key.attribute;
            let v = render_key(fields, key, &self_v);
            key_puts.push(quote! {
                item.insert(::std::string::String::from(#name), ::dynamo::AttributeValue::from(#v));
            });
        }
    }
    let mut index_schemas = Vec::new();
    let mut index_methods = Vec::new();
    for index in &model.indexes {
        let name = &index.name;
        let method = &index.method;
        let (ipk, kind) = match index.kind {
            IndexKind::Global => (&index.pk, quote!(::dynamo::IndexKind::Global)),
            IndexKind::Local => (pk, quote!(::dynamo::IndexKind::Local)),
        };
        if index.kind == IndexKind::Global {
            key_puts.push(put_index_key(fields, ipk));
        }
        if let Some(isk) = &index.sk {
            key_puts.push(put_index_key(fields, isk));
        }
        let ipk_schema = key_schema(fields, ipk);
        let isk_schema = option_schema(fields, index.sk.as_ref());
        let field_key = |i: usize| ResolvedKey {
            attribute: fields[i].attribute_name(),
            source: KeySource::Field(i),
        };
        let more_pk: Vec<ResolvedKey> = index.more_pk.iter().map(|&i| field_key(i)).collect();
        let more_sk: Vec<ResolvedKey> = index.more_sk.iter().map(|&i| field_key(i)).collect();
        let more_pk_schemas = more_pk.iter().map(|k| key_schema(fields, k));
        let more_sk_schemas = more_sk.iter().map(|k| key_schema(fields, k));
        index_schemas.push(quote! {
            ::dynamo::IndexSchema {
                name: #name,
                kind: #kind,
                partition_key: #ipk_schema,
                sort_key: #isk_schema,
                more_partition_keys: &[#(#more_pk_schemas),*],
                more_sort_keys: &[#(#more_sk_schemas),*],
            }
        });
        // The partition's fields, then one method per leading sort
        // attribute fixed by equality (multi-attribute sort keys).
        let mut param_fields = ipk.fields();
        param_fields.extend(index.more_pk.iter().copied());
        let rendered = render_key(fields, ipk, &local_v);
        let ipk_name = &ipk.attribute;
        let more_pk_terms: Vec<TokenStream> = more_pk
            .iter()
            .map(|k| {
                let (attr, v) = (&k.attribute, render_key(fields, k, &local_v));
                quote!(.and_key_eq(#attr, #v))
            })
            .collect();
        let sort_keys: Vec<&ResolvedKey> = index.sk.iter().chain(&more_sk).collect();
        for fixed in 0..sort_keys.len().max(1) {
            let mut params_of = param_fields.clone();
            let mut fixed_terms = Vec::new();
            for key in &sort_keys[..fixed] {
                params_of.extend(key.fields());
                let (attr, v) = (&key.attribute, render_key(fields, key, &local_v));
                fixed_terms.push(quote!(.and_key_eq(#attr, #v)));
            }
            let next = sort_keys.get(fixed).copied();
            let mut seen = Vec::new();
            params_of.retain(|i| {
                let new = !seen.contains(i);
                seen.push(*i);
                new
            });
            let (params, lets) = key_params(fields, &params_of);
            let isort_ty = sort_operand(fields, next);
            let ishape = sort_shape(fields, next);
            let (method, doc) = if fixed == 0 {
                (
                    method.clone(),
                    format!("A query of one partition of index `{name}`."),
                )
            } else {
                let last = &sort_keys[fixed - 1];
                let field = fields[last.fields()[0]].ident;
                (
                    quote::format_ident!("{}_with_{}", method, field),
                    format!(
                        "A query of one partition of index `{name}`, with `{field}` equal to the value given; sort-key conditions apply to the next sort attribute."
                    ),
                )
            };
            index_methods.push(quote! {
                #[doc = #doc]
                pub fn #method(#(#params),*) -> ::dynamo::KeyQuery<Self, #isort_ty> {
                    #(#lets)*
                    ::dynamo::KeyQuery::new(::core::option::Option::Some(#name), #ipk_name, #rendered, #ishape)
                        #(#more_pk_terms)*
                        #(#fixed_terms)*
                }
            });
        }
    }
    let (entity_schema, entity_put, entity_check) = match &model.entity {
        Some((attribute, name)) => (
            quote!(::core::option::Option::Some(::dynamo::EntitySchema { attribute: #attribute, name: #name })),
            quote! {
                item.insert(::std::string::String::from(#attribute), ::dynamo::AttributeValue::S(::std::string::String::from(#name)));
            },
            quote! {
                ::dynamo::__private::check_entity(&item, #attribute, #name)?;
            },
        ),
        None => (quote!(::core::option::Option::None), quote!(), quote!()),
    };
    let lifecycle_name = |i: Option<usize>| match i {
        Some(i) => {
            let name = fields[i].attribute_name();
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };
    let (version, ttl, created_at, updated_at) = (
        lifecycle_name(model.version),
        lifecycle_name(model.ttl),
        lifecycle_name(model.created_at),
        lifecycle_name(model.updated_at),
    );
    let field_infos = field_infos(fields);
    let pattern_methods = pattern_methods(fields, model);
    quote! {
        #[automatically_derived]
        impl #impl_g ::dynamo::planner::Plannable for #ident #ty_g where #own_where #(#bounds,)* {
            const FIELDS: &'static [::dynamo::planner::FieldInfo] = &[#(#field_infos),*];
        }

        #[automatically_derived]
        impl #impl_g ::dynamo::Item for #ident #ty_g where #own_where #(#bounds,)* {
            type SortKey = #sort_ty;

            const SCHEMA: ::dynamo::TableSchema = ::dynamo::TableSchema {
                table_name: #table,
                partition_key: #pk_schema,
                sort_key: #sk_schema,
                indexes: &[#(#index_schemas),*],
                entity: #entity_schema,
                lifecycle: ::dynamo::Lifecycle {
                    version: #version,
                    ttl: #ttl,
                    created_at: #created_at,
                    updated_at: #updated_at,
                },
            };

            fn to_item(&self) -> ::core::result::Result<::dynamo::AttributeMap, ::dynamo::AttributeError> {
                let mut item = ::dynamo::AttributeMap::with_capacity(#count);
                #(#puts)*
                #(#key_puts)*
                #entity_put
                ::core::result::Result::Ok(item)
            }

            fn from_item(mut item: ::dynamo::AttributeMap) -> ::core::result::Result<Self, ::dynamo::AttributeError> {
                #entity_check
                ::core::result::Result::Ok(Self { #(#takes,)* })
            }

            fn primary_key(&self) -> ::dynamo::Key<Self> {
                ::dynamo::Key::new(#pk_self, #sk_self)
            }

            #timestamps

            #derived_keys
        }

        #[automatically_derived]
        impl #impl_g #ident #ty_g where #own_where #(#bounds,)* {
            #(#paths)*

            /// The primary key of the item with these key values.
            pub fn key(#(#key_params_),*) -> ::dynamo::Key<Self> {
                #(#key_lets)*
                ::dynamo::Key::new(#pk_local, #sk_local)
            }

            /// A query of every item of this type in one partition, in sort-key order.
            pub fn partition(#(#part_params),*) -> ::dynamo::KeyQuery<Self, #sort_ty> {
                #(#part_lets)*
                ::dynamo::KeyQuery::new(::core::option::Option::None, #pk_name, #pk_part, #sk_shape)
            }

            #(#index_methods)*

            #(#pattern_methods)*
        }
    }
}

/// The path constant of field `i` (`Order::PLACED_AT`).
fn path_const(fields: &[Field], i: usize) -> syn::Ident {
    let rust_name = fields[i].ident.to_string();
    let rust_name = rust_name
        .strip_prefix("r#")
        .unwrap_or(&rust_name)
        .to_owned();
    quote::format_ident!(
        "{}",
        crate::parse::RenameRule::ScreamingSnakeCase.apply(&rust_name),
        span = fields[i].ident.span()
    )
}

/// One method per declared access pattern: a strict `find` fixing the
/// pattern's fields (and ordering by its sort field), which `validate`
/// proved a key condition serves without a filter.
fn pattern_methods(fields: &[Field], model: &ItemModel) -> Vec<TokenStream> {
    model
        .patterns
        .iter()
        .map(|pattern| {
            let method = &pattern.method;
            let params = pattern.eq.iter().map(|&i| {
                let (ident, ty) = (fields[i].ident, fields[i].value_ty());
                quote_spanned! {fields[i].ty_span()=> #ident: impl ::dynamo::ValueArg<#ty> }
            });
            let mut conditions = pattern.eq.iter().map(|&i| {
                let (ident, path) = (fields[i].ident, path_const(fields, i));
                quote!(Self::#path.eq(#ident))
            });
            let first = conditions.next();
            let rest = conditions.map(|c| quote!(.and(#c)));
            let order = pattern.sort.map(|i| {
                let path = path_const(fields, i);
                quote!(.order_by(Self::#path))
            });
            let names: Vec<String> = pattern.eq.iter().map(|&i| format!("`{}`", fields[i].ident)).collect();
            let sorted = pattern
                .sort
                .map(|i| format!(", in `{}` order", fields[i].ident))
                .unwrap_or_default();
            let doc = format!(
                "Access pattern `{method}`: the items with {} equal to the values given{sorted}, read by {} with a key condition alone (checked when this type was derived). A strict find: add a range on the sort field with `matching`, or `descending`, `limit`.",
                names.join(", "),
                pattern.served_by
            );
            quote! {
                #[doc = #doc]
                pub fn #method<'c>(db: &'c ::dynamo::Client, #(#params),*) -> ::dynamo::Find<'c, Self> {
                    db.find::<Self>()
                        .matching(#first #(#rest)*)
                        #order
                        .strict()
                }
            }
        })
        .collect()
}

fn expand_map_attribute(container: &Container, fields: &[Field]) -> TokenStream {
    let ident = container.ident;
    let (impl_g, ty_g, own_where) = generics(container);
    let count = fields.len();
    let puts = put_fields(fields);
    let takes = take_fields(fields);
    let bounds = field_bounds(ident, fields);
    let paths = path_consts(fields, &[]);
    quote! {
        #[automatically_derived]
        impl #impl_g #ident #ty_g where #own_where #(#bounds,)* {
            #(#paths)*
        }

        #[automatically_derived]
        impl #impl_g ::dynamo::Attribute for #ident #ty_g where #own_where #(#bounds,)* {
            fn to_attribute(&self) -> ::core::result::Result<::dynamo::AttributeValue, ::dynamo::AttributeError> {
                let mut item = ::dynamo::AttributeMap::with_capacity(#count);
                #(#puts)*
                ::core::result::Result::Ok(::dynamo::AttributeValue::M(item))
            }

            fn from_attribute(value: ::dynamo::AttributeValue) -> ::core::result::Result<Self, ::dynamo::AttributeError> {
                match value {
                    ::dynamo::AttributeValue::M(mut item) => ::core::result::Result::Ok(Self { #(#takes,)* }),
                    other => ::core::result::Result::Err(::dynamo::AttributeError::mismatch("M", &other)),
                }
            }
        }
    }
}

fn expand_enum_attribute(container: &Container, variants: &[crate::parse::Variant]) -> TokenStream {
    if variants
        .iter()
        .any(|v| !matches!(v.syn.fields, syn::Fields::Unit))
    {
        return expand_tagged_enum(container, variants);
    }
    let rule = container.attrs.rename_all;
    let names: Vec<String> = variants.iter().map(|v| v.stored_name(rule)).collect();
    let variants: Vec<&syn::Variant> = variants.iter().map(|v| v.syn).collect();
    let ident = container.ident;
    let idents: Vec<&syn::Ident> = variants.iter().map(|v| &v.ident).collect();
    let expected = names.join(", ");
    let enum_name = ident.to_string();
    quote! {
        #[automatically_derived]
        impl ::dynamo::Attribute for #ident {
            fn to_attribute(&self) -> ::core::result::Result<::dynamo::AttributeValue, ::dynamo::AttributeError> {
                let name = match self { #(Self::#idents => #names,)* };
                ::core::result::Result::Ok(::dynamo::AttributeValue::S(::std::string::String::from(name)))
            }

            fn from_attribute(value: ::dynamo::AttributeValue) -> ::core::result::Result<Self, ::dynamo::AttributeError> {
                match value {
                    ::dynamo::AttributeValue::S(s) => match s.as_str() {
                        #(#names => ::core::result::Result::Ok(Self::#idents),)*
                        other => ::core::result::Result::Err(::dynamo::AttributeError::invalid(
                            ::std::format!("unknown {} variant `{}`; expected one of {}", #enum_name, other, #expected),
                        )),
                    },
                    other => ::core::result::Result::Err(::dynamo::AttributeError::mismatch("S", &other)),
                }
            }
        }

        #[automatically_derived]
        impl ::dynamo::KeyPart for #ident {
            fn write_key_part(&self, out: &mut ::std::string::String) {
                out.push_str(match self { #(Self::#idents => #names,)* });
            }
        }

        #[automatically_derived]
        impl ::dynamo::KeyAttribute for #ident {
            const SCALAR_TYPE: ::dynamo::__private::ScalarAttributeType = ::dynamo::__private::ScalarAttributeType::S;
            fn to_key_value(&self) -> ::dynamo::KeyValue {
                let mut name = ::std::string::String::new();
                ::dynamo::KeyPart::write_key_part(self, &mut name);
                ::dynamo::KeyValue::S(name)
            }
        }

        #[automatically_derived]
        impl ::dynamo::Ordered for #ident {}

        #[automatically_derived]
        impl ::dynamo::SortKeyType for #ident {
            fn plain(&self) -> ::dynamo::AttributeValue {
                ::dynamo::AttributeValue::from(::dynamo::KeyAttribute::to_key_value(self))
            }
            fn write_templated(&self, out: &mut ::std::string::String, _width: ::core::option::Option<usize>) {
                ::dynamo::KeyPart::write_key_part(self, out);
            }
        }
    }
}

fn expand_collection(container: &Container, variants: &[crate::parse::Variant]) -> TokenStream {
    let ident = container.ident;
    let members: Vec<(&syn::Ident, &syn::Type)> = variants
        .iter()
        .map(|v| v.syn)
        .filter_map(|v| match &v.fields {
            syn::Fields::Unnamed(f) => Some((&v.ident, &f.unnamed.first()?.ty)),
            _ => None,
        })
        .collect();
    let Some((_, first)) = members.first() else {
        return TokenStream::new();
    };
    let checks = members.iter().map(|(_, ty)| {
        let name = quote!(#ty).to_string().replace(' ', "");
        let no_entity = format!(
            "collection member `{name}` has no entity type to tell it apart: give it key templates or `#[dynamo(entity = \"...\")]`"
        );
        let other_table = format!("collection member `{name}` lives in another table than the first member");
        quote_spanned! {syn::spanned::Spanned::span(ty)=>
            ::core::assert!(<#ty as ::dynamo::Item>::SCHEMA.entity.is_some(), #no_entity);
            ::core::assert!(
                ::dynamo::__private::same_str(<#ty as ::dynamo::Item>::SCHEMA.table_name, <#first as ::dynamo::Item>::SCHEMA.table_name),
                #other_table
            );
        }
    });
    let arms = members.iter().map(|(variant, ty)| {
        quote! {
            if ::dynamo::__private::collection_variant::<#ty>(&item) {
                return <#ty as ::dynamo::Item>::from_item(item).map(|v| ::core::option::Option::Some(Self::#variant(v)));
            }
        }
    });
    let names = members
        .iter()
        .map(|(_, ty)| quote!(#ty).to_string().replace(' ', ""))
        .collect::<Vec<_>>()
        .join(", ");
    let unknown = match container.attrs.skip_unknown {
        Some((true, _)) => quote!(::core::result::Result::Ok(::core::option::Option::None)),
        _ => {
            let message = format!("the item is of none of the entity types of `{ident}` ({names})");
            quote!(::core::result::Result::Err(::dynamo::AttributeError::invalid(#message)))
        }
    };
    let member_types: Vec<&syn::Type> = members.iter().map(|(_, ty)| *ty).collect();
    let member_impls = members.iter().map(|(_, ty)| {
        quote! {
            #[automatically_derived]
            impl ::dynamo::CollectionMember<#ty> for #ident {}
        }
    });
    quote! {
        const _: () = { #(#checks)* };

        #[automatically_derived]
        impl ::dynamo::Collection for #ident {
            const MEMBERS: &'static [::dynamo::TableSchema] = &[#(<#member_types as ::dynamo::Item>::SCHEMA),*];

            fn from_collection_item(item: ::dynamo::AttributeMap) -> ::core::result::Result<::core::option::Option<Self>, ::dynamo::AttributeError> {
                #(#arms)*
                #unknown
            }
        }

        #(#member_impls)*
    }
}

/// A data-carrying enum stored as a map: `{ tag: "Variant", ..fields }`
/// for struct variants, `{ tag: "Variant", content: value }` for newtype
/// variants, `{ tag: "Variant" }` for unit variants.
fn expand_tagged_enum(container: &Container, variants: &[crate::parse::Variant]) -> TokenStream {
    let ident = container.ident;
    let (impl_g, ty_g, own_where) = generics(container);
    let tag = container
        .attrs
        .tag
        .as_ref()
        .map_or_else(|| "type".to_owned(), syn::LitStr::value);
    let content = container
        .attrs
        .content
        .as_ref()
        .map_or_else(|| "value".to_owned(), syn::LitStr::value);
    let rule = container.attrs.rename_all;
    let mut to_arms = Vec::new();
    let mut from_arms = Vec::new();
    let mut bounds = Vec::new();
    let mut names = Vec::new();
    for variant in variants {
        let v = &variant.syn.ident;
        let name = variant.stored_name(rule);
        names.push(name.clone());
        let put_tag = quote! {
            item.insert(::std::string::String::from(#tag), ::dynamo::AttributeValue::S(::std::string::String::from(#name)));
        };
        match &variant.syn.fields {
            syn::Fields::Unit => {
                to_arms.push(quote! { Self::#v => { #put_tag } });
                from_arms.push(quote! { #name => ::core::result::Result::Ok(Self::#v), });
            }
            syn::Fields::Unnamed(f) => {
                let Some(field) = f.unnamed.first() else {
                    continue;
                };
                let ty = &field.ty;
                if !mentions(quote!(#ty), ident) {
                    bounds.push(
                        quote_spanned! {syn::spanned::Spanned::span(ty)=> #ty: ::dynamo::Attribute },
                    );
                }
                to_arms.push(quote! {
                    Self::#v(value) => {
                        #put_tag
                        ::dynamo::__private::put_field_value(&mut item, #content, <#ty as ::dynamo::Attribute>::to_field(value))?;
                    }
                });
                from_arms.push(quote! {
                    #name => ::core::result::Result::Ok(Self::#v(::dynamo::__private::take_field::<#ty>(&mut item, #content)?)),
                });
            }
            syn::Fields::Named(_) => {
                let idents: Vec<&syn::Ident> = variant.fields.iter().map(|f| f.ident).collect();
                let puts = variant.fields.iter().map(|f| {
                    let (fi, name) = (f.ident, f.attribute_name());
                    let value = field_to_attribute(f, quote!(#fi));
                    quote! { ::dynamo::__private::put_field_value(&mut item, #name, #value)?; }
                });
                let takes = take_fields(&variant.fields);
                bounds.extend(field_bounds(ident, &variant.fields));
                to_arms.push(quote! {
                    Self::#v { #(#idents),* } => {
                        #put_tag
                        #(#puts)*
                    }
                });
                from_arms.push(quote! {
                    #name => ::core::result::Result::Ok(Self::#v { #(#takes,)* }),
                });
            }
        }
    }
    let enum_name = ident.to_string();
    let expected = names.join(", ");
    quote! {
        #[automatically_derived]
        impl #impl_g ::dynamo::Attribute for #ident #ty_g where #own_where #(#bounds,)* {
            fn to_attribute(&self) -> ::core::result::Result<::dynamo::AttributeValue, ::dynamo::AttributeError> {
                let mut item = ::dynamo::AttributeMap::new();
                match self { #(#to_arms)* }
                ::core::result::Result::Ok(::dynamo::AttributeValue::M(item))
            }

            fn from_attribute(value: ::dynamo::AttributeValue) -> ::core::result::Result<Self, ::dynamo::AttributeError> {
                let mut item = match value {
                    ::dynamo::AttributeValue::M(item) => item,
                    other => return ::core::result::Result::Err(::dynamo::AttributeError::mismatch("M", &other)),
                };
                let variant: ::std::string::String = ::dynamo::__private::take_field(&mut item, #tag)?;
                match variant.as_str() {
                    #(#from_arms)*
                    other => ::core::result::Result::Err(::dynamo::AttributeError::invalid(
                        ::std::format!("unknown {} variant `{}`; expected one of {}", #enum_name, other, #expected),
                    ).in_attribute(#tag)),
                }
            }
        }
    }
}
