#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order<T> {
    #[dynamo(partition_key)]
    customer_id: String,
    payload: T,
}

fn main() {}
