#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    active: bool,
}

fn main() {
    let _ = User::ACTIVE.gt(false);
}
