use dynamo::Item;

#[derive(Item)]
#[dynamo(table = "tickets", pk = "TENANT#{tenant}", sk = "TICKET#{ticket_id}")]
#[dynamo(gsi(name = "by_region", pk = [tenant, region], sk = [state]))]
#[dynamo(pattern(name = "in_region", eq = [region]))]
struct Ticket {
    tenant: String,
    ticket_id: String,
    region: String,
    state: String,
}

fn main() {}
