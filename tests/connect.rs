//! `dynamo::connect`: each connection string opens the backend it names, or
//! says which cargo feature of `dynamo` it needs. `.ci/run` builds and runs
//! this file with the default features, with every feature, with none and
//! with `aws` alone, so both sides of every `cfg` run.
// With neither backend feature only the feature errors are tested.
#![cfg_attr(not(any(feature = "local", feature = "aws")), allow(dead_code))]

use dynamo::Item;

mod common;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynamo(table = "notes")]
struct Note {
    #[dynamo(partition_key)]
    id: String,
    text: String,
}

fn note() -> Note {
    Note {
        id: "n1".into(),
        text: "buy milk".into(),
    }
}

/// The error `url` gives, which must be a missing feature.
#[cfg(not(all(feature = "local", feature = "aws")))]
async fn feature_error(url: &str) -> dynamo::ConnectError {
    match dynamo::connect(url).await {
        Ok(_) => panic!("`{url}` connected"),
        Err(e) => e,
    }
}

#[cfg(feature = "local")]
#[tokio::test]
async fn local_memory_opens_a_fresh_in_process_engine_each_time() {
    let db = dynamo::connect("local://memory").await.unwrap();
    db.create_table::<Note>().await.unwrap();
    db.put(&note()).await.unwrap();
    assert_eq!(db.get(Note::key("n1")).await.unwrap(), Some(note()));
    let other = dynamo::connect("local://memory").await.unwrap();
    assert_eq!(
        other.get(Note::key("n1")).await.unwrap_err(),
        dynamo::Error::ResourceNotFound("Requested resource not found".into())
    );
}

#[cfg(not(feature = "local"))]
#[tokio::test]
async fn local_memory_without_the_local_feature_names_the_feature() {
    let err = feature_error("local://memory").await;
    assert!(
        matches!(&err, dynamo::ConnectError::FeatureDisabled { url, feature: "local" } if url == "local://memory"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "connection string `local://memory` needs the `local` feature of the `dynamo` crate"
    );
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn an_http_url_reaches_a_server_on_an_ephemeral_port_through_the_aws_sdk() {
    let server = common::serve().await;
    let url = format!("http://{}", server.local_addr());
    let db = dynamo::connect(&url).await.unwrap();
    let table = db.create_table::<Note>().await.unwrap();
    assert_eq!(table.table_name, "notes");
    db.put(&note()).await.unwrap();
    assert_eq!(
        db.get(Note::key("n1")).consistent().await.unwrap(),
        Some(note())
    );
    // The item is on the server: the SDK itself, through `dynamo::aws`, reads it.
    let sdk = dynamo::aws::AwsBackend::for_endpoint(&url).await;
    let got = sdk
        .client()
        .get_item()
        .table_name("notes")
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S("n1".into()),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let read: Note = dynamo::aws::sdk::from_sdk_item(got.item.unwrap()).unwrap();
    assert_eq!(read, note());
    server.shutdown().await;
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn an_http_url_with_nothing_listening_fails_with_a_transport_error() {
    // Bind a port, then free it: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let db = dynamo::connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    let err = db.get(Note::key("n1")).await.unwrap_err();
    assert_eq!(err.error_type(), "TransportError", "{err:?}");
    assert!(
        matches!(&err, dynamo::Error::Transport(m) if m.contains("Connection refused")),
        "{err:?}"
    );
}

#[cfg(feature = "aws")]
#[tokio::test]
async fn an_aws_url_opens_a_client_without_sending_anything() {
    // Opening a client sends no request, so this needs no network; the
    // region is the URL's.
    dynamo::connect("aws://eu-west-1").await.unwrap();
    dynamo::connect("aws://eu-west-1/").await.unwrap();
}

#[cfg(not(feature = "aws"))]
#[tokio::test]
async fn http_and_aws_urls_without_the_aws_feature_name_the_feature() {
    for url in [
        "http://127.0.0.1:8000",
        "https://dynamodb.eu-west-1.amazonaws.com",
        "aws://eu-west-1",
        "aws://",
    ] {
        let err = feature_error(url).await;
        assert!(
            matches!(&err, dynamo::ConnectError::FeatureDisabled { url: u, feature: "aws" } if u == url),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("connection string `{url}` needs the `aws` feature of the `dynamo` crate")
        );
    }
}
