#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}")]
struct Customer {
    customer_id: Option<String>,
}

fn main() {}
