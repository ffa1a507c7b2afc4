#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    #[dynamo(partition_key)]
    order_id: u64,
}

fn main() {}
