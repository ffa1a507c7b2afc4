#[derive(dynamo::Attribute)]
struct Line {
    #[dynamo(partition_key)]
    sku: String,
    quantity: u32,
}

fn main() {}
