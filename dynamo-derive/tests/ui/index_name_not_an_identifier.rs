#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
#[dynamo(gsi(name = "by-email", pk = "{email}"))]
struct User {
    id: String,
    email: String,
}

fn main() {}
