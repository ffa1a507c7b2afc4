//! Access patterns that a key condition serves compile, and generate a
//! method taking the client and the pattern's fields.
use dynamo::{Attribute, Client, Find, Item};

#[derive(Attribute, Clone, Copy, Debug, PartialEq)]
enum State {
    Open,
    Closed,
}

#[derive(Item)]
#[dynamo(
    table = "tickets",
    pk = "TENANT#{tenant}",
    sk = "TICKET#{opened_at:10}#{ticket_id}"
)]
#[dynamo(gsi(name = "by_region", pk = [tenant, region], sk = [state, opened_at]))]
#[dynamo(lsi(name = "by_priority", sk = "PRIO#{priority:3}#{opened_at:10}"))]
#[dynamo(pattern(name = "of_tenant", eq = [tenant], sort = opened_at))]
#[dynamo(pattern(name = "open_by_region", eq = [tenant, region, state], sort = opened_at))]
#[dynamo(pattern(name = "with_priority", eq = [tenant, priority], sort = opened_at))]
#[dynamo(pattern(name = "one", eq = [tenant, opened_at, ticket_id]))]
struct Ticket {
    tenant: String,
    ticket_id: String,
    opened_at: u64,
    region: String,
    state: State,
    priority: u8,
}

fn _patterns(db: &Client) -> [Find<'_, Ticket>; 4] {
    [
        Ticket::of_tenant(db, "acme"),
        Ticket::open_by_region(db, "acme", "eu", State::Open),
        Ticket::with_priority(db, "acme", 3u8),
        Ticket::one(db, "acme", 7u64, "t7"),
    ]
}

fn main() {
    let _ = State::Closed;
}
