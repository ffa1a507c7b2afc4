use dynamo::Item;

#[derive(Item)]
#[dynamo(table = "tickets", pk = "TENANT#{tenant}", sk = "TICKET#{opened_at:10}#{ticket_id}")]
#[dynamo(gsi(name = "by_agent", pk = "{agent}", sk = "{opened_at}"))]
#[dynamo(pattern(name = "by_priority", eq = [tenant], sort = priority))]
struct Ticket {
    tenant: String,
    ticket_id: String,
    opened_at: u64,
    agent: String,
    priority: u8,
}

fn main() {}
