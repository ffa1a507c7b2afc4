use dynamo::Item;

#[derive(Item)]
#[dynamo(table = "events", pk = "SENSOR#{sensor}", sk = "AT#{at}")]
#[dynamo(pattern(name = "recent", eq = [sensor], sort = at))]
struct Event {
    sensor: String,
    at: u64,
}

fn main() {}
