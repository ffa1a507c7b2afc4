#[derive(dynamo::Item)]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
}

fn main() {}
