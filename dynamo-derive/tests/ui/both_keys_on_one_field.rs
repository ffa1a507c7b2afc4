#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key, sort_key)]
    id: String,
}

fn main() {}
