#[derive(dynamo::Item)]
#[dynamo(table = "readings")]
struct Reading {
    #[dynamo(partition_key)]
    sensor: String,
    #[dynamo(sort_key)]
    at: u64,
}

fn main() {
    let _ = Reading::partition("s1").sk_begins_with(17u64);
}
