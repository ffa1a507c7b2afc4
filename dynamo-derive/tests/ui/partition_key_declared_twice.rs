#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    #[dynamo(partition_key)]
    id: String,
}

fn main() {}
