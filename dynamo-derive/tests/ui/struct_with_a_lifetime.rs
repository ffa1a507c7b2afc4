#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
struct Order<'a> {
    #[dynamo(partition_key)]
    customer_id: String,
    note: &'a str,
}

fn main() {}
