#[derive(dynamo::Item)]
#[dynamo(table = "orders")]
enum Order {
    Placed,
    Shipped,
}

fn main() {}
