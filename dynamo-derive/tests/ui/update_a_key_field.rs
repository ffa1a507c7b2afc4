#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "ORDER#{order_id}")]
struct Order {
    customer_id: String,
    order_id: String,
    total: u64,
}

async fn rekey(db: dynamo::Client) {
    let _ = db
        .update(Order::key("c1", "o1"))
        .set(Order::ORDER_ID, "o2")
        .await;
}

fn main() {}
