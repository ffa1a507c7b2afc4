#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key, default)]
    id: String,
}

fn main() {}
