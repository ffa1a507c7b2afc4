#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    #[dynamo(with = dynamo::epoch_seconds, serde)]
    seen: std::time::SystemTime,
}

fn main() {}
