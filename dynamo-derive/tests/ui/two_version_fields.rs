#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    #[dynamo(version)]
    version: u64,
    #[dynamo(version)]
    revision: u64,
}

fn main() {}
