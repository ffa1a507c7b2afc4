#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer}", sk = "ORDER#{order_id}")]
struct Order {
    customer_id: String,
    order_id: String,
}

fn main() {}
