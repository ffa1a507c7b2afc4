#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    email: String,
}

#[derive(dynamo::Item)]
#[dynamo(table = "orders", pk = "ORDER#{id}")]
struct Order {
    id: String,
    total: u64,
}

async fn pay(db: dynamo::Client) {
    let _ = db
        .update(Order::key("o1"))
        .add(Order::TOTAL, 5u64)
        .when(User::EMAIL.exists())
        .await;
}

fn main() {}
