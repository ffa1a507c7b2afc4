#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    #[dynamo(sort_key)]
    order_id: u64,
    #[dynamo(sort_key)]
    placed_at: u64,
}

fn main() {}
