#[derive(dynamo::Item)]
#[dynamo(table = "shop", pk = "CUSTOMER#{customer_id}", sk = "PROFILE")]
struct Customer {
    customer_id: String,
}

#[derive(dynamo::Collection)]
enum Profiles {
    Customer { customer: Customer },
}

fn main() {}
