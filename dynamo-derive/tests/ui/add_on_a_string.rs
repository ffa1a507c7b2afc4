#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    nickname: String,
}

async fn rename(db: dynamo::Client) {
    let _ = db.update(User::key("u1")).add(User::NICKNAME, "x").await;
}

fn main() {}
