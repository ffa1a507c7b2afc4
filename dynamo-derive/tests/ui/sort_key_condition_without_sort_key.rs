#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key)]
    id: String,
}

fn main() {
    let _ = User::partition("u1").sk_gt("x");
}
