#[derive(dynamo::Item)]
#[dynamo(table = "readings")]
struct Reading {
    #[dynamo(partition_key)]
    sensor: String,
    #[dynamo(sort_key)]
    value: f64,
}

fn main() {}
