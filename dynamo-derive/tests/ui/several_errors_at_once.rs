#[derive(dynamo::Item)]
struct Order {
    #[dynamo(partition_ky)]
    customer_id: String,
}

fn main() {}
