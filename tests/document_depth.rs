//! Nested documents are bounded by construction: DynamoDB stores at most 32
//! levels, the engine refuses deeper items before walking them
//! recursively, and the code the derive generates for a recursive type
//! recurses once per stored level, so reading the deepest storable item
//! fits a small stack.

use dynamo::{AttributeMap, AttributeValue, Error};

#[derive(dynamo::Attribute, Debug, Clone, PartialEq)]
struct Node {
    label: String,
    children: Vec<Node>,
}

#[derive(dynamo::Item, Debug, Clone, PartialEq)]
#[dynamo(table = "trees")]
struct Tree {
    #[dynamo(partition_key)]
    id: String,
    root: Node,
}

/// A chain of `levels` nodes: `2 * levels` nesting levels (a map and its
/// `children` list each).
fn chain(levels: usize) -> Node {
    let mut node = Node {
        label: format!("n{levels}"),
        children: Vec::new(),
    };
    for level in (1..levels).rev() {
        node = Node {
            label: format!("n{level}"),
            children: vec![node],
        };
    }
    node
}

const SMALL_STACK: usize = if cfg!(debug_assertions) {
    1024 * 1024
} else {
    256 * 1024
};

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn the_deepest_storable_recursive_item_is_written_and_read_on_a_small_stack() {
    on_small_stack(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let db = dynamo::connect("local://memory").await.unwrap();
            db.create_table::<Tree>().await.unwrap();
            let deepest = Tree {
                id: "deep".into(),
                root: chain(16),
            };
            db.put(&deepest).await.unwrap();
            assert_eq!(db.get(Tree::key("deep")).await.unwrap(), Some(deepest));
            let too_deep = Tree {
                id: "too deep".into(),
                root: chain(17),
            };
            match db.put(&too_deep).await {
                Err(Error::Validation(message)) => {
                    assert_eq!(message, "Nesting Levels have exceeded supported limits")
                }
                other => panic!("expected the nesting limit, got {other:?}"),
            }
            assert_eq!(db.get(Tree::key("too deep")).await.unwrap(), None);
        });
    });
}

/// A list nested `depth` times around a null, built without recursion.
fn nested(depth: usize) -> AttributeValue {
    let mut value = AttributeValue::Null;
    for _ in 0..depth {
        value = AttributeValue::L(vec![value]);
    }
    value
}

/// Takes a nested list apart level by level, so dropping it does not
/// recurse.
fn dismantle(mut value: AttributeValue) {
    while let AttributeValue::L(mut list) = value {
        value = list.pop().unwrap_or(AttributeValue::Null);
    }
}

#[test]
fn a_document_a_hundred_thousand_deep_is_sized_and_refused_without_recursing() {
    on_small_stack(|| {
        let deep = nested(100_000);
        // Each level: 3 bytes of list plus 1 per element; the null is 1.
        assert_eq!(dynamo::value::attribute_size(&deep), 100_000 * 4 + 1);
        assert_eq!(
            deep.validate().unwrap_err(),
            "Nesting Levels have exceeded supported limits"
        );
        // Dropping is the caller's own recursion: take it apart instead.
        dismantle(deep);
    });
}

#[test]
fn the_engine_refuses_a_thousand_levels_before_walking_them() {
    on_small_stack(|| {
        let item = AttributeMap::from([
            ("id".to_owned(), AttributeValue::S("x".into())),
            ("deep".to_owned(), nested(1_000)),
        ]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let db = dynamo::connect("local://memory").await.unwrap();
            db.create_table::<Tree>().await.unwrap();
            let input = dynamo::ops::PutItemInput::new("trees", item);
            match db.backend().put_item(input).await {
                Err(Error::Validation(message)) => {
                    assert_eq!(message, "Nesting Levels have exceeded supported limits")
                }
                other => panic!("expected the nesting limit, got {other:?}"),
            }
        });
    });
}
