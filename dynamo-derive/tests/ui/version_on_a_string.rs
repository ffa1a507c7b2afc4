#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    #[dynamo(version)]
    version: String,
}

fn main() {}
