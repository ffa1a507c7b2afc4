#[derive(dynamo::Item)]
#[dynamo(table = "tickets", pk = "TICKET#{id}")]
#[dynamo(gsi(name = "by_place", pk = [a, b, c, d, e]))]
struct Ticket {
    id: String,
    a: String,
    b: String,
    c: String,
    d: String,
    e: String,
}

fn main() {}
