#[derive(dynamo::Item)]
#[dynamo(table = "prices", pk = "PRICE#{amount}")]
struct Price {
    amount: f64,
}

fn main() {}
