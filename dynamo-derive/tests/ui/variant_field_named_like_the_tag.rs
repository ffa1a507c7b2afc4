#[derive(dynamo::Attribute)]
enum Payment {
    Cash,
    Card { r#type: String },
}

fn main() {}
