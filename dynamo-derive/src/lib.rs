//! Derive macros of the `dynamo` DynamoDB SDK.
//!
//! * `#[derive(Item)]` maps a struct to the items of a table: its attributes,
//!   its key, the table schema, and the key constructors `T::key(...)` and
//!   `T::partition(...)`.
//! * `#[derive(Attribute)]` maps a struct to a map attribute (`M`) and a
//!   unit-only enum to a string attribute (`S`), for use as fields.
//!
//! The derive runs in three phases, one module each: `parse` reads the
//! input and every `#[dynamo(...)]` option into a small model, `validate`
//! checks the combination, `expand` generates code. Errors are collected in
//! a context so a user sees all of them at once, each at its tokens.

mod ctxt;
mod expand;
mod parse;
mod validate;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `dynamo::Item` for a struct with named fields: the item's
/// attributes, the table schema, `T::key(...)`, `T::partition(...)`, one
/// query method per declared index, and a typed path constant per field
/// (`T::FIELD_NAME`).
///
/// Container options:
/// * `table = "name"` (required);
/// * `pk = "TEMPLATE"`, `sk = "TEMPLATE"`: keys rendered from fields
///   (`"ORDER#{placed_at:10}#{order_id}"`; `{field:width}` zero-pads an
///   unsigned integer; `"{field}"` alone is the field's own attribute), with
///   `pk_attribute`/`sk_attribute` naming the key attributes (default `pk`,
///   `sk`);
/// * `gsi(name = "...", pk = "...", sk = "...")` (or `pk = [a, b]`,
///   `sk = [c, d]` for multi-attribute keys), `lsi(name = "...", sk = "...")`;
/// * `entity = "..."`, `entity_attribute = "..."`: the entity-type value and
///   attribute written on every item (default: the type's name, `_entity`);
/// * `rename_all = "camelCase" | "PascalCase" | "snake_case" | ...`.
///
/// Field options: `partition_key`, `sort_key` (instead of templates),
/// `rename = "..."`, `skip`, `default`, `version`, `ttl`, `created_at`,
/// `updated_at`, `with = module`, `serde`, `set`, `binary`, `null`,
/// `flatten`.
#[proc_macro_derive(Item, attributes(dynamo))]
pub fn derive_item(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    run(&input, parse::Derive::Item)
}

/// Derives `dynamo::Attribute`: a struct with named fields is stored as a
/// map (`M`), an enum of unit variants as a string (`S`) holding the
/// variant's name, and an enum whose variants carry data as a map tagged
/// with the variant's name (`tag = "type"` and `content = "value"` by
/// default, for newtype variants). Field options as for `Item`.
#[proc_macro_derive(Attribute, attributes(dynamo))]
pub fn derive_attribute(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    run(&input, parse::Derive::Attribute)
}

/// Derives `dynamo::Collection` for an enum whose variants each hold one
/// item type stored in the same partition (`Customer(Customer)`,
/// `Order(Order)`), so one query returns them all, told apart by their
/// entity-type attribute. `#[dynamo(unknown = "skip")]` skips items of
/// other entity types; by default they are an error.
#[proc_macro_derive(Collection, attributes(dynamo))]
pub fn derive_collection(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    run(&input, parse::Derive::Collection)
}

fn run(input: &DeriveInput, derive: parse::Derive) -> TokenStream {
    let cx = ctxt::Ctxt::new();
    let container = parse::Container::from_ast(&cx, input, derive);
    let model = container.as_ref().and_then(|c| validate::check(&cx, c));
    match (cx.check(), container) {
        (Ok(()), Some(container)) => expand::expand(&container, model.as_ref()).into(),
        (Err(errors), _) => errors.to_compile_error().into(),
        (Ok(()), None) => TokenStream::new(),
    }
}
