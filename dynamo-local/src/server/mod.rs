//! `dynamo-local serve`: DynamoDB's JSON 1.0 protocol over HTTP, so that
//! AWS SDKs, the AWS CLI and boto3 work against the engine.
//!
//! Front-door checks run in DynamoDB's order: health check (`GET /`),
//! method and content type, JSON syntax, `X-Amz-Target`, authentication,
//! then the request's own validation. Every response carries
//! `x-amzn-RequestId` and `x-amz-crc32`. No request can stop the server.
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

mod auth;
mod dispatch;
mod response;

pub use auth::Credentials;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dynamo_core::Backend;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Largest request body accepted (DynamoDB's service limit is 16 MB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How a server runs.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Verify SigV4 signatures against these credentials. `None` accepts
    /// any well-formed signed request, as DynamoDB Local does.
    pub credentials: Option<Credentials>,
    /// Largest request body, in bytes; larger ones get HTTP 413.
    pub max_body_bytes: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            credentials: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

pub(crate) struct ServerState {
    backend: Arc<dyn Backend>,
    credentials: Option<Credentials>,
    next_request: AtomicU64,
    instance: u64,
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
    pub async fn bind(
        addr: SocketAddr,
        backend: impl Backend,
        options: ServerOptions,
    ) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(ServerState {
            backend: Arc::new(backend),
            credentials: options.credentials,
            next_request: AtomicU64::new(1),
            instance: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
        });
        let app = Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::max(options.max_body_bytes))
            .with_state(state);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
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

const TARGET_PREFIX: &str = "DynamoDB_20120810.";

async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = state.request_id();
    if method == Method::GET && uri.path() == "/" {
        return (StatusCode::OK, "healthy: dynamodb.us-east-1.amazonaws.com ").into_response();
    }
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
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .and_then(dispatch::Operation::from_name);
    let Some(operation) = operation else {
        // A body that is not JSON is reported before an unknown target.
        if !body.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
            return reply.serialization(None);
        }
        return reply.coral("UnknownOperationException", None, StatusCode::BAD_REQUEST);
    };
    if let Err(failure) = auth::check(state.credentials.as_ref(), &method, &uri, &headers, &body) {
        return reply.auth_failure(failure);
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
        Err(()) => reply.internal_error(),
    }
}

/// Runs a future, turning a panic inside it into `Err`.
async fn futures_catch_unwind<F: std::future::Future>(future: F) -> Result<F::Output, ()> {
    use std::panic::AssertUnwindSafe;
    use std::pin::pin;
    use std::task::Poll;
    let mut future = pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(())),
        }
    })
    .await
}
