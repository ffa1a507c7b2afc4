#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key)]
    id: String,
}

#[derive(dynamo::Collection)]
enum Everyone {
    User(User),
}

fn main() {}
