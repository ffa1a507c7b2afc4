//! Phase 2: checks that the options fit together and fit the type, and
//! resolves an item's keys (templates, plain key fields, indexes) into the
//! model `expand` generates from.

use crate::ctxt::Ctxt;
use crate::parse::{Container, Data, Derive, Field, IndexKind, KeySpec, Segment};

/// Where a key attribute's value comes from.
pub(crate) enum KeySource {
    /// The field's own attribute (`{field}`, or `#[dynamo(partition_key)]`).
    Field(usize),
    /// A string rendered from a template.
    Template(Vec<ResolvedSegment>),
}

/// A template piece with its field resolved to an index into the fields.
pub(crate) enum ResolvedSegment {
    Literal(String),
    Field { index: usize, width: Option<usize> },
}

/// A key attribute of the table or an index.
pub(crate) struct ResolvedKey {
    pub attribute: String,
    pub source: KeySource,
}

impl ResolvedKey {
    /// The fields the key reads, in template order, each once.
    pub fn fields(&self) -> Vec<usize> {
        let mut out = Vec::new();
        match &self.source {
            KeySource::Field(i) => out.push(*i),
            KeySource::Template(segments) => {
                for segment in segments {
                    if let ResolvedSegment::Field { index, .. } = segment
                        && !out.contains(index)
                    {
                        out.push(*index);
                    }
                }
            }
        }
        out
    }

    /// The field whose type sort-key conditions take: the key's own field,
    /// or its template's first field; `None` for a constant template.
    pub fn operand_field(&self) -> Option<usize> {
        self.fields().first().copied()
    }
}

/// A secondary index with its keys resolved.
pub(crate) struct ResolvedIndex {
    pub kind: IndexKind,
    pub name: String,
    pub method: syn::Ident,
    pub pk: ResolvedKey,
    pub sk: Option<ResolvedKey>,
    /// The partition-key attributes after the first, for a multi-attribute
    /// key (`pk = [tenant, region]`): fields stored as themselves.
    pub more_pk: Vec<usize>,
    /// The sort-key attributes after the first.
    pub more_sk: Vec<usize>,
}

/// An access pattern that a key condition serves: the generated method's
/// name, the fields it takes, and the field it orders by.
pub(crate) struct ResolvedPattern {
    pub method: syn::Ident,
    pub eq: Vec<usize>,
    pub sort: Option<usize>,
    /// The table or index that serves it, for the method's documentation.
    pub served_by: String,
}

/// Everything `expand` needs about an item beyond its fields.
pub(crate) struct ItemModel {
    pub pk: ResolvedKey,
    pub sk: Option<ResolvedKey>,
    pub indexes: Vec<ResolvedIndex>,
    /// Declared access patterns, each served by a key condition alone.
    pub patterns: Vec<ResolvedPattern>,
    /// `(attribute, value)` of the entity type.
    pub entity: Option<(String, String)>,
    pub version: Option<usize>,
    pub ttl: Option<usize>,
    pub created_at: Option<usize>,
    pub updated_at: Option<usize>,
}

/// The default name of the entity-type attribute.
const ENTITY_ATTRIBUTE: &str = "_entity";

pub(crate) fn check(cx: &Ctxt, container: &Container) -> Option<ItemModel> {
    for param in &container.input.generics.params {
        match param {
            syn::GenericParam::Type(_) => {
                let unit_enum = matches!(&container.data, Data::Enum(v) if v.iter().all(|v| matches!(v.syn.fields, syn::Fields::Unit)));
                if container.derive == Derive::Collection || unit_enum {
                    cx.error_spanned_by(param, "this derive does not take type parameters; use a concrete type");
                }
            }
            syn::GenericParam::Lifetime(_) => cx.error_spanned_by(
                param,
                "dynamo derives do not take lifetime parameters: items are read back as owned values",
            ),
            syn::GenericParam::Const(_) => cx.error_spanned_by(
                param,
                "dynamo derives do not take const parameters; use a concrete type",
            ),
        }
    }
    match (container.derive, &container.data) {
        (Derive::Item, Data::Struct(fields)) => return check_item(cx, container, fields),
        (Derive::Item, _) => cx.error_spanned_by(
            container.ident,
            "#[derive(Item)] needs a struct with named fields: each field is one attribute of the item",
        ),
        (Derive::Collection, Data::Enum(variants)) => {
            check_collection(cx, container.ident, variants);
            let attrs = &container.attrs;
            let table_option = attrs.table.as_ref().map(|(_, lit)| lit.clone())
                .or_else(|| attrs.pk.as_ref().map(|k| k.lit.clone()))
                .or_else(|| attrs.sk.as_ref().map(|k| k.lit.clone()))
                .or_else(|| attrs.entity.clone());
            if let Some(lit) = table_option {
                cx.error_spanned_by(lit, "a collection takes its table and keys from its member types; only `unknown = \"skip\"` applies here");
            }
        }
        (Derive::Collection, _) => cx.error_spanned_by(
            container.ident,
            "#[derive(Collection)] needs an enum whose variants each hold one item type: `Customer(Customer)`",
        ),
        (Derive::Attribute, Data::Struct(fields)) => {
            check_fields(cx, fields);
            check_item_only_options(cx, container, fields);
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
            let tag = container.attrs.tag.as_ref().map_or_else(|| "type".to_owned(), syn::LitStr::value);
            for variant in variants {
                match &variant.syn.fields {
                    syn::Fields::Unnamed(f) if f.unnamed.len() != 1 => cx.error_spanned_by(
                        &variant.syn.fields,
                        "a variant stored as a map holds one value `V(T)` or named fields `V { .. }`; name these fields",
                    ),
                    _ => {}
                }
                check_fields(cx, &variant.fields);
                for field in &variant.fields {
                    if field.attribute_name() == tag {
                        cx.error_spanned_by(
                            field.ident,
                            format!("field `{}` is stored as `{tag}`, the attribute naming the variant; rename it or set `tag = \"...\"`", field.ident),
                        );
                    }
                    let a = &field.attrs;
                    for path in [&a.partition_key, &a.sort_key, &a.version, &a.ttl, &a.created_at, &a.updated_at, &a.flatten].into_iter().flatten() {
                        cx.error_spanned_by(path, "this option does not apply to a field of an enum variant");
                    }
                }
            }
            let rule = container.attrs.rename_all;
            let mut stored: Vec<String> = Vec::new();
            for variant in variants {
                let name = variant.stored_name(rule);
                if let Some(rename) = &variant.rename
                    && name.is_empty()
                {
                    cx.error_spanned_by(rename, "a variant cannot be stored as an empty name");
                }
                if stored.contains(&name) {
                    cx.error_spanned_by(&variant.syn.ident, format!("two variants are stored as `{name}`"));
                }
                stored.push(name);
            }
            let unit_only = variants.iter().all(|v| matches!(v.syn.fields, syn::Fields::Unit));
            if unit_only {
                for lit in [&container.attrs.tag, &container.attrs.content].into_iter().flatten() {
                    cx.error_spanned_by(lit, "an enum of unit variants is stored as a string; `tag` and `content` apply to enums whose variants carry data");
                }
            }
        }
        (Derive::Attribute, Data::Unsupported) => cx.error_spanned_by(
            container.ident,
            "#[derive(Attribute)] needs a struct with named fields or an enum of unit variants",
        ),
    }
    None
}

/// Rejects table and lifecycle options on an attribute struct.
fn check_item_only_options(cx: &Ctxt, container: &Container, fields: &[Field]) {
    let attrs = &container.attrs;
    for spec in [&attrs.pk, &attrs.sk].into_iter().flatten() {
        cx.error_spanned_by(&spec.lit, "key templates belong on #[derive(Item)] structs");
    }
    for index in &attrs.indexes {
        cx.error_spanned_by(&index.keyword, "indexes belong on #[derive(Item)] structs");
    }
    for pattern in &attrs.patterns {
        cx.error_spanned_by(
            &pattern.keyword,
            "access patterns belong on #[derive(Item)] structs",
        );
    }
    for field in fields {
        let a = &field.attrs;
        for path in [&a.version, &a.ttl, &a.created_at, &a.updated_at]
            .into_iter()
            .flatten()
        {
            cx.error_spanned_by(
                path,
                format!(
                    "`{}` belongs on a field of a #[derive(Item)] struct",
                    path_ident(path)
                ),
            );
        }
    }
}

fn path_ident(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn check_collection(cx: &Ctxt, ident: &syn::Ident, variants: &[crate::parse::Variant]) {
    for variant in variants {
        if let Some(rename) = &variant.rename {
            cx.error_spanned_by(rename, "a collection variant is told apart by its item's entity type; `rename` does not apply");
        }
    }
    if variants.is_empty() {
        cx.error_spanned_by(ident, "#[derive(Collection)] needs at least one variant");
    }
    for variant in variants.iter().map(|v| v.syn) {
        match &variant.fields {
            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {}
            other => cx.error_spanned_by(
                if matches!(other, syn::Fields::Unit) {
                    quote::ToTokens::to_token_stream(&variant.ident)
                } else {
                    quote::ToTokens::to_token_stream(other)
                },
                "each variant of a collection holds exactly one item type: `Order(Order)`",
            ),
        }
    }
}

/// A field named in a template, by Rust name or attribute name.
fn find_field(fields: &[Field], name: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.ident == name)
        .or_else(|| fields.iter().position(|f| f.attribute_name() == name))
}

/// Resolves a key template against the fields; `default_attribute` names
/// the key attribute of a rendered template when none is given.
fn resolve_key(
    cx: &Ctxt,
    fields: &[Field],
    spec: &KeySpec,
    default_attribute: &str,
    table_key: bool,
) -> Option<ResolvedKey> {
    if !spec.valid {
        return None;
    }
    let mut ok = true;
    let mut segments = Vec::new();
    for segment in &spec.template.segments {
        match segment {
            Segment::Literal(text) => segments.push(ResolvedSegment::Literal(text.clone())),
            Segment::Field { name, width } => match find_field(fields, name) {
                Some(index) => {
                    let field = &fields[index];
                    if field.attrs.skip.is_some() {
                        cx.error_spanned_by(
                            &spec.lit,
                            format!("key template field `{name}` is #[dynamo(skip)]: a key needs stored fields"),
                        );
                        ok = false;
                    }
                    if table_key && field.option_inner().is_some() {
                        cx.error_spanned_by(
                            &spec.lit,
                            format!("key template field `{name}` is optional, but every item needs its primary key; only index keys can be sparse"),
                        );
                        ok = false;
                    }
                    segments.push(ResolvedSegment::Field {
                        index,
                        width: *width,
                    });
                }
                None => {
                    let known: Vec<String> = fields
                        .iter()
                        .filter(|f| f.is_stored())
                        .map(|f| format!("`{}`", f.ident))
                        .collect();
                    cx.error_spanned_by(
                        &spec.lit,
                        format!(
                            "unknown field `{name}` in key template; the fields are {}",
                            known.join(", ")
                        ),
                    );
                    ok = false;
                }
            },
        }
    }
    if !ok {
        return None;
    }
    let source = match (spec.template.sole_field(), &spec.attribute) {
        (Some(name), None) => KeySource::Field(find_field(fields, name)?),
        _ => KeySource::Template(segments),
    };
    let attribute = match (&source, &spec.attribute) {
        (KeySource::Field(i), _) => fields[*i].attribute_name(),
        (_, Some(lit)) => lit.value(),
        (_, None) => default_attribute.to_owned(),
    };
    if attribute.is_empty() {
        cx.error_spanned_by(&spec.lit, "key attribute names cannot be empty");
        return None;
    }
    if let KeySource::Template(_) = source
        && let Some(field) = fields
            .iter()
            .find(|f| f.is_stored() && f.attribute_name() == attribute)
    {
        cx.error_spanned_by(
            spec.attribute.as_ref().map_or_else(|| quote::ToTokens::to_token_stream(&spec.lit), quote::ToTokens::to_token_stream),
            format!(
                "the rendered key attribute `{attribute}` would overwrite field `{}`; name the key attribute with `pk_attribute`/`sk_attribute`",
                field.ident
            ),
        );
        return None;
    }
    Some(ResolvedKey { attribute, source })
}

/// A key declared by a field option (`#[dynamo(partition_key)]`).
fn field_key(fields: &[Field], pick: impl Fn(&Field) -> bool) -> Vec<usize> {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| pick(f))
        .map(|(i, _)| i)
        .collect()
}

fn check_item(cx: &Ctxt, container: &Container, fields: &[Field]) -> Option<ItemModel> {
    check_fields(cx, fields);
    let attrs = &container.attrs;
    if let Some((_, lit)) = &attrs.skip_unknown {
        cx.error_spanned_by(lit, "`unknown` applies to #[derive(Collection)] enums");
    }
    if attrs.table.is_none() {
        cx.error_spanned_by(
            container.ident,
            "#[derive(Item)] needs the table name: add #[dynamo(table = \"...\")]",
        );
    }
    let partition_fields = field_key(fields, |f| f.attrs.partition_key.is_some());
    let sort_fields = field_key(fields, |f| f.attrs.sort_key.is_some());
    for &i in partition_fields.iter().skip(1) {
        cx.error_spanned_by(
            fields[i].ident,
            "a table has one partition key; another field is already #[dynamo(partition_key)]",
        );
    }
    for &i in sort_fields.iter().skip(1) {
        cx.error_spanned_by(
            fields[i].ident,
            "a table has at most one sort key; another field is already #[dynamo(sort_key)]",
        );
    }
    for field in fields {
        if let (Some(_), Some(sort)) = (&field.attrs.partition_key, &field.attrs.sort_key) {
            cx.error_spanned_by(
                sort,
                "a field cannot be both the partition key and the sort key",
            );
        }
        if let (Some(path), Some(_)) = (
            field
                .attrs
                .partition_key
                .as_ref()
                .or(field.attrs.sort_key.as_ref()),
            field.option_inner(),
        ) {
            cx.error_spanned_by(
                path,
                "a key field cannot be optional: every item stores its primary key",
            );
        }
    }
    let pk = table_key(
        cx,
        fields,
        attrs.pk.as_ref(),
        partition_fields.first(),
        ("partition", "pk"),
    );
    if attrs.pk.is_none() && partition_fields.is_empty() {
        cx.error_spanned_by(
            container.ident,
            "#[derive(Item)] needs a partition key: add #[dynamo(pk = \"...\")] or mark a field #[dynamo(partition_key)]",
        );
    }
    let sk = table_key(
        cx,
        fields,
        attrs.sk.as_ref(),
        sort_fields.first(),
        ("sort", "sk"),
    );
    let same_field =
        !partition_fields.is_empty() && partition_fields.first() == sort_fields.first();
    if let (Some(pk), Some(sk), false) = (&pk, &sk, same_field)
        && pk.attribute == sk.attribute
    {
        cx.error_spanned_by(
            attrs.sk.as_ref().map_or_else(
                || quote::ToTokens::to_token_stream(container.ident),
                |s| quote::ToTokens::to_token_stream(&s.lit),
            ),
            format!(
                "the partition key and the sort key are both attribute `{}`",
                pk.attribute
            ),
        );
    }
    let indexes = check_indexes(cx, container, fields, sk.is_some());
    let patterns = match &pk {
        Some(pk) => check_patterns(cx, container, fields, pk, sk.as_ref(), &indexes),
        None => Vec::new(),
    };
    let lifecycle =
        |pick: for<'f> fn(&'f Field<'_>) -> &'f Option<syn::Path>, what: &str| -> Option<usize> {
            let found = field_key(fields, |f| pick(f).is_some());
            for &i in found.iter().skip(1) {
                cx.error_spanned_by(
                    pick(&fields[i]),
                    format!("two fields are #[dynamo({what})]; an item has at most one"),
                );
            }
            for &i in &found {
                let f = &fields[i];
                let is_key = pk.as_ref().is_some_and(|k| k.fields().contains(&i))
                    || sk.as_ref().is_some_and(|k| k.fields().contains(&i));
                if is_key {
                    cx.error_spanned_by(
                        pick(f),
                        format!("a key field cannot be #[dynamo({what})]: keys never change"),
                    );
                }
                if f.attrs.skip.is_some() {
                    cx.error_spanned_by(
                        pick(f),
                        format!("a #[dynamo({what})] field must be stored; remove `skip`"),
                    );
                }
            }
            found.first().copied()
        };
    let version = lifecycle(|f| &f.attrs.version, "version");
    let ttl = lifecycle(|f| &f.attrs.ttl, "ttl");
    let created_at = lifecycle(|f| &f.attrs.created_at, "created_at");
    let updated_at = lifecycle(|f| &f.attrs.updated_at, "updated_at");
    let templated = attrs.pk.is_some() || attrs.sk.is_some();
    let entity = (templated || attrs.entity.is_some()).then(|| {
        (
            attrs
                .entity_attribute
                .as_ref()
                .map_or_else(|| ENTITY_ATTRIBUTE.to_owned(), syn::LitStr::value),
            attrs
                .entity
                .as_ref()
                .map_or_else(|| container.ident.to_string(), syn::LitStr::value),
        )
    });
    if let Some((attribute, _)) = &entity
        && let Some(field) = fields
            .iter()
            .find(|f| f.is_stored() && f.attribute_name() == *attribute)
    {
        cx.error_spanned_by(
            field.ident,
            format!("field `{}` is stored as `{attribute}`, the entity-type attribute; rename one with `entity_attribute = \"...\"`", field.ident),
        );
    }
    if let Some(lit) = &attrs.entity_attribute
        && entity.is_none()
    {
        cx.error_spanned_by(
            lit,
            "`entity_attribute` without `entity` or key templates: nothing writes it",
        );
    }
    Some(ItemModel {
        pk: pk?,
        sk,
        indexes,
        patterns,
        entity,
        version,
        ttl,
        created_at,
        updated_at,
    })
}

/// The table's partition or sort key (`which`), from its template (whose
/// attribute is `default_attribute` unless named) or its field option;
/// `None` when it is not declared or is declared twice.
fn table_key(
    cx: &Ctxt,
    fields: &[Field],
    spec: Option<&KeySpec>,
    field: Option<&usize>,
    (which, default_attribute): (&str, &str),
) -> Option<ResolvedKey> {
    match (spec, field) {
        (Some(spec), Some(&i)) => {
            cx.error_spanned_by(
                &spec.lit,
                format!(
                    "the {which} key is declared twice: by this template and by #[dynamo({which}_key)] on `{}`",
                    fields[i].ident
                ),
            );
            None
        }
        (Some(spec), None) => resolve_key(cx, fields, spec, default_attribute, true),
        (None, Some(&i)) => Some(ResolvedKey {
            attribute: fields[i].attribute_name(),
            source: KeySource::Field(i),
        }),
        (None, None) => None,
    }
}

fn check_indexes(
    cx: &Ctxt,
    container: &Container,
    fields: &[Field],
    table_has_sk: bool,
) -> Vec<ResolvedIndex> {
    let mut out: Vec<ResolvedIndex> = Vec::new();
    let (mut globals, mut locals) = (0, 0);
    for decl in &container.attrs.indexes {
        let Some(name_lit) = &decl.name else {
            cx.error_spanned_by(
                &decl.keyword,
                "an index needs a name: `name = \"by_status\"`",
            );
            continue;
        };
        let name = name_lit.value();
        let valid_name = (3..=255).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !valid_name {
            cx.error_spanned_by(
                name_lit,
                "index names are 3 to 255 characters of a-z, A-Z, 0-9, `_`, `-` and `.`",
            );
            continue;
        }
        let Ok(method) = syn::parse_str::<syn::Ident>(&name) else {
            cx.error_spanned_by(name_lit, format!("index `{name}` needs a name that is a Rust identifier, since it names the query method `{}::{name}(...)`", container.ident));
            continue;
        };
        if ["key", "partition"].contains(&name.as_str()) {
            cx.error_spanned_by(
                name_lit,
                format!(
                    "an index cannot be called `{name}`: `{}::{name}` is already generated",
                    container.ident
                ),
            );
            continue;
        }
        if out.iter().any(|i| i.name == name) {
            cx.error_spanned_by(name_lit, format!("two indexes are named `{name}`"));
            continue;
        }
        let kind = decl.kind;
        match kind {
            IndexKind::Global => globals += 1,
            IndexKind::Local => locals += 1,
        }
        if kind == IndexKind::Local && !table_has_sk {
            cx.error_spanned_by(
                &decl.keyword,
                "a local secondary index needs a table with a sort key",
            );
            continue;
        }
        let mut more_pk = Vec::new();
        let mut more_sk = Vec::new();
        let list_key = |list: &Option<(syn::Path, Vec<syn::Ident>)>,
                        more: &mut Vec<usize>,
                        template: bool|
         -> Option<Option<ResolvedKey>> {
            let (path, idents) = list.as_ref()?;
            if template {
                cx.error_spanned_by(
                    path,
                    "this key is declared twice: as a template and as a list of fields",
                );
                return Some(None);
            }
            if idents.is_empty() || idents.len() > 4 {
                cx.error_spanned_by(path, "a multi-attribute key has one to four attributes");
                return Some(None);
            }
            let mut indexes = Vec::new();
            for ident in idents {
                match fields.iter().position(|f| f.ident == ident) {
                    Some(i) if fields[i].is_stored() => indexes.push(i),
                    Some(_) => cx.error_spanned_by(
                        ident,
                        format!(
                            "key field `{ident}` is #[dynamo(skip)]: a key needs stored fields"
                        ),
                    ),
                    None => cx.error_spanned_by(
                        ident,
                        format!("unknown field `{ident}` in a multi-attribute key"),
                    ),
                }
            }
            if indexes.len() != idents.len() {
                return Some(None);
            }
            more.extend(indexes[1..].iter().copied());
            Some(Some(ResolvedKey {
                attribute: fields[indexes[0]].attribute_name(),
                source: KeySource::Field(indexes[0]),
            }))
        };
        let pk_from_list = list_key(&decl.pk_list, &mut more_pk, decl.pk.is_some());
        let sk_from_list = list_key(&decl.sk_list, &mut more_sk, decl.sk.is_some());
        if matches!(pk_from_list, Some(None)) || matches!(sk_from_list, Some(None)) {
            continue;
        }
        let pk = match (kind, &decl.pk) {
            (IndexKind::Global, None) if pk_from_list.is_some() => pk_from_list.flatten(),
            (IndexKind::Global, Some(spec)) => {
                resolve_key(cx, fields, spec, &format!("{name}_pk"), false)
            }
            (IndexKind::Global, None) => {
                cx.error_spanned_by(
                    name_lit,
                    format!(
                        "global secondary index `{name}` needs a partition key: `pk = \"...\"`"
                    ),
                );
                None
            }
            // A local index's partition key is the table's; filled in by expand.
            (IndexKind::Local, _) => Some(ResolvedKey {
                attribute: String::new(),
                source: KeySource::Template(Vec::new()),
            }),
        };
        let sk = match (&decl.sk, kind) {
            (None, IndexKind::Global) if sk_from_list.is_some() => sk_from_list.flatten(),
            (Some(spec), _) => resolve_key(cx, fields, spec, &format!("{name}_sk"), false),
            (None, IndexKind::Local) => {
                cx.error_spanned_by(
                    name_lit,
                    format!("local secondary index `{name}` needs a sort key: `sk = \"...\"`"),
                );
                None
            }
            (None, IndexKind::Global) => None,
        };
        if decl.sk.is_some() && sk.is_none() {
            continue;
        }
        if let Some(pk) = pk {
            out.push(ResolvedIndex {
                kind,
                name,
                method,
                pk,
                sk,
                more_pk,
                more_sk,
            });
        }
    }
    if globals > 20 {
        cx.error_spanned_by(
            container.ident,
            "a table has at most 20 global secondary indexes",
        );
    }
    if locals > 5 {
        cx.error_spanned_by(
            container.ident,
            "a table has at most 5 local secondary indexes",
        );
    }
    out
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
        let a = &field.attrs;
        let converters: Vec<(&str, &syn::Path)> = [
            ("with", a.with.as_ref()),
            ("serde", a.serde.as_ref()),
            ("set", a.set.as_ref()),
            ("binary", a.binary.as_ref()),
            ("null", a.null.as_ref()),
            ("flatten", a.flatten.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, path)| Some((name, path?)))
        .collect();
        if let [(first, _), rest @ ..] = converters.as_slice() {
            for (name, path) in rest {
                cx.error_spanned_by(
                    path,
                    format!("`{first}` and `{name}` both decide how the field is stored; keep one"),
                );
            }
        }
        if field.attrs.ttl.is_some()
            && let Some((name, path)) = converters.iter().find(|(name, _)| *name != "with")
        {
            cx.error_spanned_by(
                path,
                format!("a `ttl` field is stored as epoch seconds; it cannot also use `{name}`"),
            );
        }
        if key && let Some(path) = field.attrs.with.as_ref().or(field.attrs.serde.as_ref()) {
            cx.error_spanned_by(
                path,
                "a key field is stored as its key value; it cannot use `with` or `serde`",
            );
        }
        if field.attrs.skip.is_none() && field.attrs.flatten.is_none() {
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

/// A table or index as a pattern sees it: the fields its partition key is
/// rendered from, and its sort key as a sequence of fields (the fields of
/// a template, or the attributes of a multi-attribute key), each with
/// whether the rendered key keeps its order.
struct PatternPath {
    label: String,
    partition: Vec<usize>,
    sort: Vec<(usize, bool)>,
    /// Every key field, for sparse indexes.
    keys: Vec<usize>,
    table: bool,
}

fn sort_sequence(fields: &[Field], key: &ResolvedKey) -> Vec<(usize, bool)> {
    match &key.source {
        KeySource::Field(i) => vec![(*i, true)],
        KeySource::Template(segments) => segments
            .iter()
            .filter_map(|s| match s {
                ResolvedSegment::Field { index, width } => {
                    Some((*index, width.is_some() || !fields[*index].is_numeric()))
                }
                ResolvedSegment::Literal(_) => None,
            })
            .collect(),
    }
}

/// What `path` lacks to serve a pattern with a key condition alone (empty
/// when it serves it), and how many of the pattern's fields it uses.
fn pattern_lacks(
    fields: &[Field],
    path: &PatternPath,
    eq: &[usize],
    sort: Option<usize>,
) -> (Vec<String>, usize) {
    let name = |i: usize| format!("`{}`", fields[i].ident);
    let mut lacks = Vec::new();
    let missing: Vec<String> = path
        .partition
        .iter()
        .filter(|i| !eq.contains(i))
        .map(|&i| name(i))
        .collect();
    if !missing.is_empty() {
        lacks.push(format!(
            "its partition key needs {} fixed",
            missing.join(", ")
        ));
    }
    let mut used = path.partition.iter().filter(|i| eq.contains(i)).count();
    let mut rest: Vec<usize> = eq
        .iter()
        .copied()
        .filter(|i| !path.partition.contains(i))
        .collect();
    let mut next = None;
    for &(field, preserving) in &path.sort {
        if let Some(pos) = rest.iter().position(|&i| i == field) {
            rest.remove(pos);
            used += 1;
            continue;
        }
        next = Some((field, preserving));
        break;
    }
    if !rest.is_empty() {
        let left: Vec<String> = rest.iter().map(|&i| name(i)).collect();
        lacks.push(format!("{} would be left to a filter", left.join(", ")));
    }
    if let Some(s) = sort {
        match next {
            Some((field, true)) if field == s => used += 1,
            Some((field, false)) if field == s => lacks.push(format!(
                "its sort key renders {} without zero padding, so it does not keep its order",
                name(s)
            )),
            Some((field, _)) => lacks.push(format!(
                "it is sorted by {} there, not {}",
                name(field),
                name(s)
            )),
            None => lacks.push(format!("it has no sort key left to order by {}", name(s))),
        }
    }
    if !path.table {
        for &k in &path.keys {
            if fields[k].option_inner().is_some() && !eq.contains(&k) && sort != Some(k) {
                lacks.push(format!(
                    "it is sparse: items without {} are not in it",
                    name(k)
                ));
            }
        }
    }
    (lacks, used)
}

fn check_patterns(
    cx: &Ctxt,
    container: &Container,
    fields: &[Field],
    pk: &ResolvedKey,
    sk: Option<&ResolvedKey>,
    indexes: &[ResolvedIndex],
) -> Vec<ResolvedPattern> {
    let mut paths = vec![PatternPath {
        label: "the table".to_owned(),
        partition: pk.fields(),
        sort: sk.map(|k| sort_sequence(fields, k)).unwrap_or_default(),
        keys: Vec::new(),
        table: true,
    }];
    for index in indexes {
        let partition_key = match index.kind {
            IndexKind::Global => &index.pk,
            IndexKind::Local => pk,
        };
        let mut partition = partition_key.fields();
        partition.extend(&index.more_pk);
        let mut sort: Vec<(usize, bool)> = index
            .sk
            .as_ref()
            .map(|k| sort_sequence(fields, k))
            .unwrap_or_default();
        sort.extend(index.more_sk.iter().map(|&i| (i, true)));
        let keys = partition
            .iter()
            .copied()
            .chain(sort.iter().map(|(i, _)| *i))
            .collect();
        paths.push(PatternPath {
            label: match index.kind {
                IndexKind::Global => format!("GSI `{}`", index.name),
                IndexKind::Local => format!("LSI `{}`", index.name),
            },
            partition,
            sort,
            keys,
            table: false,
        });
    }
    let mut out: Vec<ResolvedPattern> = Vec::new();
    for decl in &container.attrs.patterns {
        let Some(name_lit) = &decl.name else {
            cx.error_spanned_by(
                &decl.keyword,
                "an access pattern needs a name: `name = \"open_by_region\"`",
            );
            continue;
        };
        let Ok(method) = syn::parse_str::<syn::Ident>(&name_lit.value()) else {
            cx.error_spanned_by(
                name_lit,
                "a pattern's name must be a Rust identifier: it names the generated method",
            );
            continue;
        };
        let taken = ["key", "partition"].contains(&name_lit.value().as_str())
            || indexes.iter().any(|i| {
                method == i.method
                    || method
                        .to_string()
                        .starts_with(&format!("{}_with_", i.method))
            })
            || out.iter().any(|p| p.method == method);
        if taken {
            cx.error_spanned_by(
                name_lit,
                format!(
                    "`{}::{method}` is already generated; name the pattern differently",
                    container.ident
                ),
            );
            continue;
        }
        let mut ok = true;
        let mut resolve = |ident: &syn::Ident| -> Option<usize> {
            match fields.iter().position(|f| f.ident == ident) {
                Some(i) if fields[i].is_stored() && fields[i].codec().is_none() => Some(i),
                Some(_) => {
                    cx.error_spanned_by(ident, format!("pattern field `{ident}` is skipped or stored through a codec, so it has no typed path to compare"));
                    ok = false;
                    None
                }
                None => {
                    cx.error_spanned_by(
                        ident,
                        format!("unknown field `{ident}` in access pattern"),
                    );
                    ok = false;
                    None
                }
            }
        };
        let eq: Vec<usize> = decl.eq.iter().filter_map(&mut resolve).collect();
        let sort = decl.sort.as_ref().and_then(&mut resolve);
        if !ok {
            continue;
        }
        if decl.eq.is_empty() {
            cx.error_spanned_by(
                name_lit,
                "an access pattern fixes at least one field: `eq = [field, ...]`",
            );
            continue;
        }
        let judged: Vec<(Vec<String>, usize)> = paths
            .iter()
            .map(|p| pattern_lacks(fields, p, &eq, sort))
            .collect();
        if let Some(i) = judged.iter().position(|(lacks, _)| lacks.is_empty()) {
            out.push(ResolvedPattern {
                method,
                eq,
                sort,
                served_by: paths[i].label.clone(),
            });
            continue;
        }
        // The closest path: the most fields used, then the fewest lacks.
        let best = judged
            .iter()
            .enumerate()
            .max_by(|(i, a), (j, b)| a.1.cmp(&b.1).then(b.0.len().cmp(&a.0.len())).then(j.cmp(i)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        cx.error_spanned_by(
            name_lit,
            format!(
                "no index serves access pattern `{method}` without a scan or a filter; the closest is {}, but {}",
                paths[best].label,
                judged[best].0.join("; ")
            ),
        );
    }
    out
}
