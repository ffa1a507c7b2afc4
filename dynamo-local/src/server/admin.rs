//! `/admin/faults`: the fault plan of the served engine, read and changed
//! over HTTP while the server runs, for tests in other processes and
//! languages. Off unless [`super::ServerOptions::fault_admin`] is set
//! (`dynamo-local serve --admin`), served only on a loopback address, and
//! answered apart from DynamoDB's protocol (no signature, no target).
//!
//! | Request | Does |
//! |---|---|
//! | `GET /admin/faults` | nothing |
//! | `PUT /admin/faults` with `{"rules": ["throttle:0.02"]}` | replaces the plan |
//! | `POST /admin/faults` with `{"rules": [...]}` | adds rules after the others |
//! | `DELETE /admin/faults` | removes every rule |
//!
//! Each answers 200 with the plan as it then is,
//! `{"rules": [{"rule": "PutItem:conflict:every=10", "matched": 12, "injected": 1}]}`;
//! a body that is not such an object, or a spec that does not parse, 400
//! with `{"message": ...}` and changes nothing; another method 405.

use crate::faults::{FaultPlan, Faults};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Where the endpoint is served.
pub(crate) const PATH: &str = "/admin/faults";

/// Answers one request to [`PATH`].
pub(crate) fn answer(faults: &Faults, method: &Method, body: &[u8]) -> Response {
    let change = |body: &[u8]| -> Result<FaultPlan, String> {
        let specs = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| match v.get("rules") {
                Some(Value::Array(specs)) => specs
                    .iter()
                    .map(|s| s.as_str().map(str::to_owned))
                    .collect::<Option<Vec<String>>>(),
                _ => None,
            })
            .ok_or_else(|| {
                "the body must be a JSON object whose rules member lists fault specs, such as {\"rules\": [\"throttle:0.02\"]}".to_owned()
            })?;
        FaultPlan::parse(specs).map_err(|e| e.to_string())
    };
    match *method {
        Method::GET => {}
        Method::DELETE => faults.clear(),
        Method::PUT | Method::POST => match change(body) {
            Ok(plan) if *method == Method::PUT => faults.set(plan),
            Ok(plan) => plan.rules().iter().for_each(|r| faults.add(r.clone())),
            Err(message) => {
                return reply(StatusCode::BAD_REQUEST, &json!({ "message": message }));
            }
        },
        _ => {
            return reply(
                StatusCode::METHOD_NOT_ALLOWED,
                &json!({ "message": "the fault admin endpoint serves GET, PUT, POST and DELETE" }),
            );
        }
    }
    let rules: Vec<Value> = faults
        .injected()
        .into_iter()
        .map(|count| {
            json!({
                "rule": count.rule.to_string(),
                "matched": count.matched,
                "injected": count.injected,
            })
        })
        .collect();
    reply(StatusCode::OK, &json!({ "rules": rules }))
}

fn reply(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
