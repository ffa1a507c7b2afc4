#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key, skip)]
    id: String,
}

fn main() {}
