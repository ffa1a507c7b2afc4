#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "ORDER#{order_id}")]
#[dynamo(gsi(name = "by_status", pk = "STATUS#{status}"))]
struct Order {
    customer_id: String,
    order_id: String,
    status: String,
    region: String,
}

fn main() {
    let _ = Order::by_region("eu");
}
