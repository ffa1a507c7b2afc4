#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    age: u32,
}

fn main() {
    let _ = User::AGE.begins_with("4");
}
