//! The receiver in a test, fed by the harness's mock provider (a dev-dependency with
//! `default-features = false`: the mock alone, without the conformance runner).

use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

#[tokio::test]
async fn acknowledges_signed_deliveries_and_refuses_forged_ones()
-> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    let provider = MockProvider::builder(ProviderSpec::load("standard-webhooks")?)
        .allow_http_targets(true)
        .fast()
        .start()
        .await?;
    // The provider hands out the signing secret when the receiver subscribes.
    let subscription = provider.subscribe("user.created", &url).await?;
    let secret = subscription.secret.clone().ok_or("the provider signs")?;
    tokio::spawn(async move { my_receiver::serve(listener, &secret).await });

    provider.expect("user.created").to(&url).delivered(2);
    provider.emit("user.created").await?;
    provider.emit("user.created").await?;
    provider.verify().await?;

    // A provider signing with another key is refused: nothing acknowledged.
    let forger = MockProvider::builder(ProviderSpec::load("standard-webhooks")?)
        .allow_http_targets(true)
        .fast()
        .start()
        .await?;
    forger.subscribe("user.created", &url).await?;
    forger.expect("user.created").never();
    forger.emit("user.created").await?;
    forger.verify().await?;
    assert_eq!(forger.deliveries()[0].status, Some(401));
    Ok(())
}

/// HappyColis subscribes over GraphQL: serving it needs the harness's `graphql` feature, which
/// this lean dependency leaves out. The mock says so rather than serving half a provider.
#[tokio::test]
async fn a_graphql_provider_needs_the_graphql_feature() -> Result<(), Box<dyn std::error::Error>> {
    let refused = MockProvider::builder(ProviderSpec::load("happycolis")?)
        .start()
        .await
        .err()
        .ok_or("a GraphQL provider started without the `graphql` feature")?;
    assert!(
        refused.to_string().contains("`graphql` feature"),
        "{refused}"
    );
    Ok(())
}
