//! The harness that runs one scenario on both backends: the in-process
//! engine, and `dynamo-aws` (aws-sdk-dynamodb) against a `dynamo-local
//! serve` on an ephemeral 127.0.0.1 port.
// Each test file uses some of these helpers.
#![allow(dead_code)]

use dynamo::Client;
use dynamo_local::server::{Server, ServerOptions};

/// A server on an ephemeral loopback port, over a fresh engine.
pub async fn serve() -> Server {
    Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        dynamo_local::Engine::new(),
        ServerOptions::default(),
    )
    .await
    .unwrap()
}

/// A server on an ephemeral loopback port, over `engine` (a clone shares
/// its data, so a test keeps one to drive the clock or sweep TTL).
pub async fn serve_engine(engine: dynamo_local::Engine) -> Server {
    Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        engine,
        ServerOptions::default(),
    )
    .await
    .unwrap()
}

/// A client going through the AWS SDK to `server`.
pub fn aws_client(server: &Server) -> Client {
    Client::new(aws_backend(server))
}

/// The AWS SDK backend for `server`; its `client()` sends SDK requests
/// directly, for members the request model does not carry.
pub fn aws_backend(server: &Server) -> dynamo_aws::AwsBackend {
    let credentials =
        aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "scenario test");
    dynamo_aws::AwsBackend::for_endpoint_with(
        &format!("http://{}", server.local_addr()),
        "us-east-1",
        credentials,
    )
}

/// Declares each scenario `async fn(Client)` as a test on both backends.
/// `on_both_backends!(multi_thread: a, b)` runs them on a multi-threaded
/// runtime, for scenarios whose tasks must run in parallel.
#[macro_export]
macro_rules! on_both_backends {
    (multi_thread: $($scenario:ident),* $(,)?) => {
        $crate::on_both_backends!(
            @test [tokio::test(flavor = "multi_thread", worker_threads = 4)] $($scenario),*
        );
    };
    (@test [$test:meta] $($scenario:ident),*) => {
        mod in_process {
            $(
                #[$test]
                async fn $scenario() {
                    super::$scenario(dynamo::Client::new(dynamo_local::Engine::new())).await;
                }
            )*
        }

        mod aws_sdk_over_http {
            $(
                #[$test]
                async fn $scenario() {
                    let server = $crate::common::serve().await;
                    super::$scenario($crate::common::aws_client(&server)).await;
                    server.shutdown().await;
                }
            )*
        }
    };
    ($($scenario:ident),* $(,)?) => {
        $crate::on_both_backends!(@test [tokio::test] $($scenario),*);
    };
}
