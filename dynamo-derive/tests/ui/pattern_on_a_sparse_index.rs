use dynamo::Item;

#[derive(Item)]
#[dynamo(table = "tickets", pk = "TICKET#{ticket_id}")]
#[dynamo(gsi(name = "by_priority", pk = "{priority}", sk = "{assignee}"))]
#[dynamo(pattern(name = "with_priority", eq = [priority]))]
struct Ticket {
    ticket_id: String,
    priority: u8,
    assignee: Option<String>,
}

fn main() {}
