#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id")]
struct Customer {
    customer_id: String,
}

fn main() {}
