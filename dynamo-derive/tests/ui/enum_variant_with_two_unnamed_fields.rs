#[derive(dynamo::Attribute)]
enum Shape {
    Point,
    Segment(f64, f64),
}

fn main() {}
