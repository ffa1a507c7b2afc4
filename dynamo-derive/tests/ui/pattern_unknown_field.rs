use dynamo::Item;

#[derive(Item)]
#[dynamo(table = "tickets", pk = "TENANT#{tenant}", sk = "TICKET#{ticket_id}")]
#[dynamo(pattern(name = "of_tenant", eq = [tenat]))]
struct Ticket {
    tenant: String,
    ticket_id: String,
}

fn main() {}
