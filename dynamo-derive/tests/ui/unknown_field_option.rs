#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    #[dynamo(hash_key)]
    order_id: u64,
}

fn main() {}
