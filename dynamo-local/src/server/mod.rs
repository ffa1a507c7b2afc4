//! `dynamo-local serve`: DynamoDB's JSON 1.0 protocol over HTTP, so that
//! AWS SDKs, the AWS CLI and boto3 work against the engine.
//!
//! Front-door checks run in DynamoDB's order: health check (`GET /`),
//! method and content type, JSON syntax, `X-Amz-Target`, authentication,
//! then the request's own validation. The fault admin endpoint
//! (`/admin/faults`, when enabled) is answered after the body is read,
//! before any of DynamoDB's checks. Every response carries
//! `x-amzn-RequestId` and `x-amz-crc32`. No request can stop the server:
//! every resource a client can make it spend is bounded ([`Limits`]), and a
//! panic while serving a request answers that request with DynamoDB's
//! `InternalServerError` and is logged, while the server goes on serving.
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use dynamo_local::server::{Server, ServerOptions};
//! let server = Server::bind("127.0.0.1:0".parse().unwrap(), dynamo_local::Engine::new(), ServerOptions::default()).await?;
//! println!("listening on http://{}", server.local_addr());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod access;
mod admin;
mod auth;
mod dispatch;
mod listener;
mod response;

pub use access::{CredentialsFileError, parse_credentials, read_credentials_file};
pub use auth::Credentials;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dynamo_core::Backend;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

/// Largest request body accepted (DynamoDB's service limit is 16 MB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What the server lets clients make it spend. The defaults are sized for a
/// laptop: with them, request bodies held at once never exceed 256 MB
/// however many clients send 16 MB requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections served at once; more are answered `503` and closed.
    pub max_connections: usize,
    /// Largest request body, in bytes; larger ones get HTTP 413.
    pub max_body_bytes: usize,
    /// Request body bytes held by all requests in flight together; a
    /// request that would exceed it is answered with DynamoDB's
    /// `ThrottlingException`, which SDKs retry with backoff.
    pub max_in_flight_body_bytes: usize,
    /// Largest request head (request line and headers), in bytes; larger
    /// ones get HTTP 431.
    pub max_header_bytes: usize,
    /// Most headers in one request; more get HTTP 431.
    pub max_headers: usize,
    /// How long a client may take to send a request's headers, which is
    /// also how long a kept-alive connection may sit idle between requests.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_in_flight_body_bytes: 256 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            header_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// How a server runs.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    /// The access keys; each request's SigV4 signature must verify
    /// against one of them, and the request must be within its grant.
    /// Empty accepts any well-formed signed request, as DynamoDB Local
    /// does, which [`Server::bind`] allows only on a loopback address
    /// unless `allow_anonymous` is set.
    pub credentials: Vec<Credentials>,
    /// Serve without access keys on an address other than loopback.
    pub allow_anonymous: bool,
    /// Resource bounds.
    pub limits: Limits,
    /// Serve `/admin/faults` (GET, PUT, POST, DELETE with JSON) to read
    /// and change this fault plan while the server runs; off when `None`.
    /// [`Server::bind`] refuses it on an address other than loopback.
    pub fault_admin: Option<crate::faults::Faults>,
}

pub(crate) struct ServerState {
    backend: Arc<dyn Backend>,
    credentials: Vec<Credentials>,
    limits: Limits,
    fault_admin: Option<crate::faults::Faults>,
    /// Request body budget, in KiB (a semaphore counts in `u32`s).
    body_budget: Semaphore,
    next_request: AtomicU64,
    instance: u64,
}

/// Body bytes in KiB, rounded up: the unit of [`ServerState::body_budget`].
fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

impl ServerState {
    fn request_id(&self) -> String {
        let n = self.next_request.fetch_add(1, Ordering::Relaxed);
        // 52 upper-case alphanumerics, like DynamoDB's.
        format!("{:020X}{:032X}", self.instance, n)
    }
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds `addr` (port 0 picks a free port) and serves `backend` on the
    /// current tokio runtime until [`Server::shutdown`] or drop.
    ///
    /// Refuses (`PermissionDenied`) to serve an address other than
    /// loopback without access keys, unless `options.allow_anonymous`,
    /// and to serve the fault admin endpoint on one at all.
    pub async fn bind(
        addr: SocketAddr,
        backend: impl Backend,
        options: ServerOptions,
    ) -> std::io::Result<Server> {
        if !addr.ip().is_loopback() && options.credentials.is_empty() && !options.allow_anonymous {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "refusing to serve {addr} without access keys: anyone who can reach it could read and change every table; give access keys, or allow anonymous access explicitly"
                ),
            ));
        }
        if options.fault_admin.is_some() && !addr.ip().is_loopback() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "refusing to serve the fault admin endpoint on {addr}: anyone who can reach it could make every request fail; serve it on a loopback address"
                ),
            ));
        }
        if !addr.ip().is_loopback() && options.credentials.is_empty() {
            tracing::warn!(%addr, "serving without access keys on a non-loopback address: anyone who can reach it has full access");
        }
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let limits = options.limits;
        let budget = kib(limits.max_in_flight_body_bytes.max(limits.max_body_bytes))
            .min(u32::try_from(Semaphore::MAX_PERMITS).unwrap_or(u32::MAX));
        let state = Arc::new(ServerState {
            backend: Arc::new(backend),
            credentials: options.credentials,
            limits,
            fault_admin: options.fault_admin,
            body_budget: Semaphore::new(budget as usize),
            next_request: AtomicU64::new(1),
            instance: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
        });
        let app = Router::new().fallback(handle).with_state(state);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(listener::serve(listener, app, limits, rx));
        Ok(Server {
            addr,
            shutdown: Some(tx),
            task,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets requests in flight finish, and
    /// waits for the server to stop.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Serves until the process receives SIGINT or SIGTERM, then shuts down
    /// gracefully.
    pub async fn run_until_signal(self) {
        wait_for_signal().await;
        self.shutdown().await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Reads a request's body within the body limit, the in-flight budget and
/// the body timeout, then answers it.
async fn handle(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let limits = &state.limits;
    if parts.method == Method::GET && parts.uri.path() == "/" {
        return (StatusCode::OK, "healthy: dynamodb.us-east-1.amazonaws.com ").into_response();
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes) {
        return too_large();
    }
    // Reserve what the body may hold before reading it, so requests in
    // flight together never hold more than the budget.
    let reserve = kib(declared.unwrap_or(limits.max_body_bytes).max(1));
    let Ok(_reservation) = state.body_budget.try_acquire_many(reserve) else {
        return throttled(&state.request_id());
    };
    let body = match tokio::time::timeout(
        limits.body_timeout,
        axum::body::to_bytes(Body::new(body), limits.max_body_bytes),
    )
    .await
    {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return too_large(),
        Err(_) => return timed_out(&state.request_id()),
    };
    if let Some(faults) = &state.fault_admin
        && parts.uri.path() == admin::PATH
    {
        return admin::answer(faults, &parts.method, &body);
    }
    respond(&state, parts.method, parts.uri, parts.headers, body).await
}

fn too_large() -> Response {
    (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response()
}

fn throttled(request_id: &str) -> Response {
    response::Reply {
        request_id,
        content_type: "application/x-amz-json-1.0",
    }
    .throttling()
}

fn timed_out(request_id: &str) -> Response {
    response::Reply {
        request_id,
        content_type: "application/x-amz-json-1.0",
    }
    .coral(
        "RequestTimeoutException",
        Some("The request body was not received within the timeout"),
        StatusCode::REQUEST_TIMEOUT,
    )
}

async fn respond(
    state: &ServerState,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = state.request_id();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let json_content = matches!(
        content_type.as_deref(),
        Some("application/x-amz-json-1.0" | "application/json")
    );
    if method != Method::POST || (!body.is_empty() && !json_content) {
        return response::unknown_operation_xml(&request_id);
    }
    let reply_type = if content_type.as_deref() == Some("application/json") {
        "application/json"
    } else {
        "application/x-amz-json-1.0"
    };
    let reply = response::Reply {
        request_id: &request_id,
        content_type: reply_type,
    };
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(dispatch::Operation::from_target);
    let Some(operation) = operation else {
        // A body that is not JSON is reported before an unknown target.
        if !body.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
            return reply.serialization(None);
        }
        return reply.coral("UnknownOperationException", None, StatusCode::BAD_REQUEST);
    };
    let key = match auth::check(&state.credentials, &method, &uri, &headers, &body) {
        Ok(key) => key,
        Err(failure) => return reply.auth_failure(failure),
    };
    if let Some(key) = key
        && let Err(message) = access::check_grant(key, operation, &body, "us-east-1")
    {
        return reply.coral(
            "AccessDeniedException",
            Some(&message),
            StatusCode::BAD_REQUEST,
        );
    }
    // A request is a JSON object; serde would also take an array for a struct.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return reply.serialization(None);
    }
    // The engine never panics on user input; this is the last line of
    // defence that keeps the server serving if an invariant breaks.
    let call = dispatch::call(&*state.backend, operation, &body);
    match futures_catch_unwind(call).await {
        Ok(result) => reply.result(result),
        Err(panic) => {
            tracing::error!(
                request_id = %request_id,
                operation = operation.name(),
                panic = %panic,
                "a request panicked; it was answered with InternalServerError"
            );
            reply.internal_error()
        }
    }
}

/// Runs a future, turning a panic inside it into `Err` with the panic's
/// message.
async fn futures_catch_unwind<F: std::future::Future>(future: F) -> Result<F::Output, String> {
    use std::panic::AssertUnwindSafe;
    use std::pin::pin;
    use std::task::Poll;
    let mut future = pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    })
    .await
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
