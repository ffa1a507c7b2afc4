#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order {
    customer_id: String,
    #[dynamo(sort_key)]
    order_id: u64,
}

fn main() {}
