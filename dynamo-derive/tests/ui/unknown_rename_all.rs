#[derive(dynamo::Item)]
#[dynamo(table = "users", rename_all = "camel")]
struct User {
    #[dynamo(partition_key)]
    id: String,
}

fn main() {}
