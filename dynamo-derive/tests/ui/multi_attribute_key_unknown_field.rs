#[derive(dynamo::Item)]
#[dynamo(table = "tickets", pk = "TICKET#{id}")]
#[dynamo(gsi(name = "by_tenant", pk = [tenant, regoin]))]
struct Ticket {
    id: String,
    tenant: String,
    region: String,
}

fn main() {}
