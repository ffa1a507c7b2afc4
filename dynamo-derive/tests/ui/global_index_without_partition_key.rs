#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
#[dynamo(gsi(name = "by_age", sk = "{age}"))]
struct User {
    id: String,
    age: u32,
}

fn main() {}
