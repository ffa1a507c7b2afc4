#[derive(dynamo::Attribute)]
#[dynamo(tag = "kind")]
enum Status {
    Placed,
    Shipped,
}

fn main() {}
