#[derive(dynamo::Item)]
#[dynamo(table = "sessions", pk = "SESSION#{id}")]
struct Session {
    id: String,
    #[dynamo(ttl)]
    expires: String,
}

fn main() {}
