#[derive(dynamo::Attribute)]
enum Status {
    #[dynamo(rename = "open")]
    Open,
    #[dynamo(rename = "open")]
    Reopened,
}

fn main() {}
