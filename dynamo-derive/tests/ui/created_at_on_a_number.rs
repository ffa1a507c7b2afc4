#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    #[dynamo(created_at)]
    created: u64,
}

fn main() {}
