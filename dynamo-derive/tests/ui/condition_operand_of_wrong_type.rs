#[derive(dynamo::Attribute)]
enum Status {
    Placed,
    Shipped,
}

#[derive(dynamo::Item)]
#[dynamo(table = "orders", pk = "ORDER#{order_id}")]
struct Order {
    order_id: String,
    status: Status,
}

fn main() {
    let _ = Order::STATUS.eq(3);
}
