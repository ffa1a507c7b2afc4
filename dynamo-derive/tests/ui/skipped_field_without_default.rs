struct Connection;

#[derive(dynamo::Item)]
#[dynamo(table = "users")]
struct User {
    #[dynamo(partition_key)]
    id: String,
    #[dynamo(skip)]
    connection: Connection,
}

fn main() {}
