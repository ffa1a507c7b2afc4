#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    placed_at: std::time::Instant,
}

fn main() {}
