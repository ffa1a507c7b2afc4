use dynamo::Item;

#[derive(Item)]
#[dynamo(table = "tickets", pk = "TENANT#{tenant}", sk = "TICKET#{opened_at:10}#{ticket_id}")]
#[dynamo(pattern(name = "titled", eq = [tenant, title]))]
struct Ticket {
    tenant: String,
    ticket_id: String,
    opened_at: u64,
    title: String,
}

fn main() {}
