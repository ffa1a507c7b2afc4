#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order(String, u64);

fn main() {}
