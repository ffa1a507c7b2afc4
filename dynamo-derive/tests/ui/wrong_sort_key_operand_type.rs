#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "ORDER#{order_id}")]
#[dynamo(gsi(name = "by_status", pk = "STATUS#{status}", sk = "{placed_at}"))]
struct Order {
    customer_id: String,
    order_id: String,
    status: String,
    placed_at: u64,
}

fn main() {
    let _ = Order::by_status("SHIPPED").sk_gt("yesterday");
}
