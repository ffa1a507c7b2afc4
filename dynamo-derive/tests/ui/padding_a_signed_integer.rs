#[derive(dynamo::Item)]
#[dynamo(table = "readings", pk = "SENSOR#{sensor}", sk = "AT#{at:12}")]
struct Reading {
    sensor: String,
    at: i64,
}

fn main() {}
