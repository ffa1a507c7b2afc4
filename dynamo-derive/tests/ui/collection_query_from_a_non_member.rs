#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "PROFILE")]
struct Customer {
    customer_id: String,
}

#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "ORDER#{order_id}")]
struct Order {
    customer_id: String,
    order_id: String,
}

#[derive(dynamo::Collection)]
enum Profiles {
    Customer(Customer),
}

async fn read(db: dynamo::Client) {
    let _ = db.collection::<Profiles, _, _>(Order::partition("c1")).await;
}

fn main() {}
