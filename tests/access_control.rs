//! Access keys on `dynamo-local serve`, through the real aws-sdk-dynamodb
//! signer: a signed request with a known key is verified and served; a
//! wrong secret or an unknown key is refused; a read-only key cannot write;
//! a key limited to a table prefix cannot touch other tables. Refusals are
//! DynamoDB's `AccessDeniedException` with its wording.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use dynamo_local::server::{Credentials, Server, ServerOptions, parse_credentials};

const KEYS: &str = "
[admin]
aws_access_key_id = AKIDADMIN
aws_secret_access_key = admin-secret

[reader]
aws_access_key_id = AKIDREADER
aws_secret_access_key = reader-secret
read_only = true

[reports]
aws_access_key_id = AKIDREPORTS
aws_secret_access_key = reports-secret
table_prefix = reports_
";

async fn serve(keys: Vec<Credentials>) -> Server {
    Server::bind(
        "127.0.0.1:0".parse().unwrap(),
        dynamo_local::Engine::new(),
        ServerOptions {
            credentials: keys,
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap()
}

fn sdk(server: &Server, access_key: &str, secret: &str) -> aws_sdk_dynamodb::Client {
    let credentials =
        aws_sdk_dynamodb::config::Credentials::new(access_key, secret, None, None, "test");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .endpoint_url(format!("http://{}", server.local_addr()))
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(credentials)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

async fn create(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), (String, String)> {
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            (
                e.code().unwrap_or("").to_owned(),
                e.message().unwrap_or("").to_owned(),
            )
        })
}

async fn put(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), (String, String)> {
    client
        .put_item()
        .table_name(table)
        .item("pk", AttributeValue::S("a".into()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            (
                e.code().unwrap_or("").to_owned(),
                e.message().unwrap_or("").to_owned(),
            )
        })
}

async fn get(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<bool, (String, String)> {
    client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S("a".into()))
        .send()
        .await
        .map(|o| o.item.is_some())
        .map_err(|e| {
            (
                e.code().unwrap_or("").to_owned(),
                e.message().unwrap_or("").to_owned(),
            )
        })
}

fn denied(user: &str, action: &str, table: &str) -> Result<(), (String, String)> {
    Err((
        "AccessDeniedException".to_owned(),
        format!(
            "User: arn:aws:iam::000000000000:user/{user} is not authorized to perform: dynamodb:{action} on resource: arn:aws:dynamodb:us-east-1:000000000000:table/{table} because no identity-based policy allows the dynamodb:{action} action"
        ),
    ))
}

#[tokio::test]
async fn each_key_gets_what_its_grant_allows_and_nothing_more() {
    let server = serve(parse_credentials(KEYS).unwrap()).await;
    let admin = sdk(&server, "AKIDADMIN", "admin-secret");
    create(&admin, "orders").await.unwrap();
    create(&admin, "reports_daily").await.unwrap();
    put(&admin, "orders").await.unwrap();
    assert!(get(&admin, "orders").await.unwrap());

    // A read-only key reads, and is refused every write.
    let reader = sdk(&server, "AKIDREADER", "reader-secret");
    assert!(get(&reader, "orders").await.unwrap());
    assert_eq!(
        put(&reader, "orders").await,
        denied("reader", "PutItem", "orders")
    );
    assert_eq!(
        create(&reader, "other").await,
        denied("reader", "CreateTable", "other")
    );

    // A key limited to `reports_` writes there and nowhere else.
    let reports = sdk(&server, "AKIDREPORTS", "reports-secret");
    put(&reports, "reports_daily").await.unwrap();
    assert_eq!(
        put(&reports, "orders").await,
        denied("reports", "PutItem", "orders")
    );
    assert_eq!(
        get(&reports, "orders").await.map(|_| ()),
        denied("reports", "GetItem", "orders")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_wrong_secret_or_an_unknown_key_is_refused() {
    let server = serve(vec![Credentials::new("AKIDADMIN", "admin-secret")]).await;
    let wrong_secret = sdk(&server, "AKIDADMIN", "not-the-secret");
    let (code, message) = get(&wrong_secret, "orders").await.unwrap_err();
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.starts_with("The request signature we calculated does not match"));
    let unknown = sdk(&server, "AKIDNOBODY", "admin-secret");
    assert_eq!(
        get(&unknown, "orders").await.unwrap_err(),
        (
            "UnrecognizedClientException".to_owned(),
            "The security token included in the request is invalid.".to_owned()
        )
    );
    let admin = sdk(&server, "AKIDADMIN", "admin-secret");
    assert_eq!(
        get(&admin, "orders").await.unwrap_err().0,
        "ResourceNotFoundException"
    );
    server.shutdown().await;
}
