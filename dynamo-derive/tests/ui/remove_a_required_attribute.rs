#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    email: String,
}

async fn forget(db: dynamo::Client) {
    let _ = db.update(User::key("u1")).remove(User::EMAIL).await;
}

fn main() {}
