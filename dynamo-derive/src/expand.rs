//! Phase 3: code generation. Everything here was checked by `validate`.
//! Per-field code is spanned at the field's type, so a type without a
//! DynamoDB representation is reported at that type.

use crate::parse::{Container, Data, Derive, Field};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

pub(crate) fn expand(container: &Container) -> TokenStream {
    match (&container.data, container.derive) {
        (Data::Struct(fields), Derive::Item) => expand_item(container, fields),
        (Data::Struct(fields), Derive::Attribute) => expand_map_attribute(container, fields),
        (Data::Enum(variants), Derive::Attribute) => expand_enum_attribute(container, variants),
        // Rejected by `validate`.
        _ => TokenStream::new(),
    }
}

/// `where` predicates requiring every field type to be an attribute (and
/// key fields to be key attributes), each spanned at the field's type: an
/// unsupported type is then reported once, at the type, and nowhere else.
fn field_bounds(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let ty = f.ty;
            let key = f.attrs.partition_key.is_some() || f.attrs.sort_key.is_some();
            let bound = if !f.is_stored() {
                quote_spanned! {f.ty_span()=> ::core::default::Default }
            } else if key {
                quote_spanned! {f.ty_span()=> ::dynamo::KeyAttribute }
            } else {
                quote_spanned! {f.ty_span()=> ::dynamo::Attribute }
            };
            quote! { #ty: #bound }
        })
        .collect()
}

/// Statements writing every field into `item`.
fn put_fields(fields: &[Field]) -> Vec<TokenStream> {
    fields
        .iter()
        .filter(|f| f.is_stored())
        .map(|f| {
            let (ident, ty, name) = (f.ident, f.ty, f.attribute_name());
            quote_spanned! {f.ty_span()=>
                ::dynamo::__private::put_field::<#ty>(&mut item, #name, &self.#ident)?;
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
            if !f.is_stored() {
                quote_spanned! {f.ty_span()=> #ident: ::core::default::Default::default() }
            } else if f.attrs.default.is_some() {
                quote_spanned! {f.ty_span()=>
                    #ident: ::dynamo::__private::take_field_or_default::<#ty>(&mut item, #name)?
                }
            } else {
                quote_spanned! {f.ty_span()=>
                    #ident: ::dynamo::__private::take_field::<#ty>(&mut item, #name)?
                }
            }
        })
        .collect()
}

fn key_schema(field: &Field) -> TokenStream {
    let (ty, name) = (field.ty, field.attribute_name());
    quote_spanned! {field.ty_span()=>
        ::dynamo::__private::KeyAttributeSchema {
            name: #name,
            scalar_type: <#ty as ::dynamo::KeyAttribute>::SCALAR_TYPE,
        }
    }
}

/// The parameter type of a key constructor for `field`: `impl KeyArg<T>`,
/// which takes `T` itself and `&str` for strings.
fn key_param(field: &Field) -> TokenStream {
    let ty = field.ty;
    quote_spanned! {field.ty_span()=> impl ::dynamo::KeyArg<#ty> }
}

fn key_value(field: &Field, value: TokenStream) -> TokenStream {
    let ty = field.ty;
    quote_spanned! {field.ty_span()=> <#ty as ::dynamo::KeyAttribute>::to_key_value(#value) }
}

fn expand_item(container: &Container, fields: &[Field]) -> TokenStream {
    let ident = container.ident;
    let table = container
        .attrs
        .table
        .as_ref()
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    let Some(pk) = fields.iter().find(|f| f.attrs.partition_key.is_some()) else {
        return TokenStream::new();
    };
    let sk = fields.iter().find(|f| f.attrs.sort_key.is_some());
    let count = fields.len();
    let puts = put_fields(fields);
    let takes = take_fields(fields);
    let bounds = field_bounds(fields);
    let pk_ty = pk.ty;
    let pk_ident = pk.ident;
    let pk_schema = key_schema(pk);
    let pk_param = key_param(pk);
    let pk_self = key_value(pk, quote!(&self.#pk_ident));
    let pk_arg = key_value(pk, quote!(&::dynamo::KeyArg::into_key(#pk_ident)));
    let (sk_ty, sk_schema, sk_self, key_fn) = match sk {
        Some(sk) => {
            let (sk_ty, sk_ident) = (sk.ty, sk.ident);
            let sk_schema = key_schema(sk);
            let sk_param = key_param(sk);
            let sk_self = key_value(sk, quote!(&self.#sk_ident));
            let sk_arg = key_value(sk, quote!(&::dynamo::KeyArg::into_key(#sk_ident)));
            (
                quote!(#sk_ty),
                quote!(::core::option::Option::Some(#sk_schema)),
                quote!(::core::option::Option::Some(#sk_self)),
                quote! {
                    /// The primary key of the item with these key values.
                    pub fn key(#pk_ident: #pk_param, #sk_ident: #sk_param) -> ::dynamo::Key<Self> {
                        ::dynamo::Key::new(#pk_arg, ::core::option::Option::Some(#sk_arg))
                    }
                },
            )
        }
        None => (
            quote!(::dynamo::__private::NoSortKey),
            quote!(::core::option::Option::None),
            quote!(::core::option::Option::None),
            quote! {
                /// The primary key of the item with this partition key.
                pub fn key(#pk_ident: #pk_param) -> ::dynamo::Key<Self> {
                    ::dynamo::Key::new(#pk_arg, ::core::option::Option::None)
                }
            },
        ),
    };
    quote! {
        #[automatically_derived]
        impl ::dynamo::Item for #ident where #(#bounds,)* {
            type PartitionKey = #pk_ty;
            type SortKey = #sk_ty;

            const SCHEMA: ::dynamo::TableSchema = ::dynamo::TableSchema {
                table_name: #table,
                partition_key: #pk_schema,
                sort_key: #sk_schema,
            };

            fn to_item(&self) -> ::core::result::Result<::dynamo::AttributeMap, ::dynamo::AttributeError> {
                let mut item = ::dynamo::AttributeMap::with_capacity(#count);
                #(#puts)*
                ::core::result::Result::Ok(item)
            }

            fn from_item(mut item: ::dynamo::AttributeMap) -> ::core::result::Result<Self, ::dynamo::AttributeError> {
                ::core::result::Result::Ok(Self { #(#takes,)* })
            }

            fn primary_key(&self) -> ::dynamo::Key<Self> {
                ::dynamo::Key::new(#pk_self, #sk_self)
            }
        }

        #[automatically_derived]
        impl #ident where #(#bounds,)* {
            #key_fn

            /// A query of every item in one partition, in sort-key order.
            pub fn partition(#pk_ident: #pk_param) -> ::dynamo::KeyQuery<Self> {
                ::dynamo::KeyQuery::partition(&::dynamo::KeyArg::into_key(#pk_ident))
            }
        }
    }
}

fn expand_map_attribute(container: &Container, fields: &[Field]) -> TokenStream {
    let ident = container.ident;
    let count = fields.len();
    let puts = put_fields(fields);
    let takes = take_fields(fields);
    let bounds = field_bounds(fields);
    quote! {
        #[automatically_derived]
        impl ::dynamo::Attribute for #ident where #(#bounds,)* {
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

fn expand_enum_attribute(container: &Container, variants: &[&syn::Variant]) -> TokenStream {
    let ident = container.ident;
    let rule = container.attrs.rename_all;
    let names: Vec<String> = variants
        .iter()
        .map(|v| {
            let name = v.ident.to_string();
            rule.map_or(name.clone(), |r| r.apply(&name))
        })
        .collect();
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
    }
}
