#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
    #[dynamo(sort_key)]
    order_id: u64,
}

fn main() {
    let _ = Order::key("c1", "seven");
}
