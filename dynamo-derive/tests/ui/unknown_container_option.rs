#[derive(dynamo::Item)]
#[dynamo(table = "orders", region = "eu-west-1")]
struct Order {
    #[dynamo(partition_key)]
    customer_id: String,
}

fn main() {}
