#[derive(dynamo::Item)]
#[dynamo(table = "flags")]
struct Flag {
    #[dynamo(partition_key)]
    enabled: bool,
}

fn main() {}
