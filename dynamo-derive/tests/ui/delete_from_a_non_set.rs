#[derive(dynamo::Item)]
#[dynamo(table = "users", pk = "USER#{id}")]
struct User {
    id: String,
    aliases: Vec<String>,
}

async fn prune(db: dynamo::Client) {
    let _ = db
        .update(User::key("u1"))
        .delete(User::ALIASES, vec!["x".to_owned()])
        .await;
}

fn main() {}
