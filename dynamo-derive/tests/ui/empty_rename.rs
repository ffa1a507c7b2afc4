#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key)]
    id: String,
    #[dynamo(rename = "")]
    name: String,
}

fn main() {}
