#[derive(dynamo::Attribute)]
enum Payment {
    Card { last4: String },
    Cash,
}

fn main() {}
