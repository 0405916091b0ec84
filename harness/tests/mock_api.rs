//! The mock's test API: `subscribe` through each provider's own subscription-creating
//! operation (GraphQL included), expectations checked by `verify` and on drop, the delivery
//! policy knobs, the raw bytes of attempts, and `sign::verify` on what a receiver got.

use std::time::Duration;

use webhook_harness::mock::{MockProvider, Outcome, SubscribeError};
use webhook_harness::sign::{Rejected, verify};
use webhook_harness::spec::ProviderSpec;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

async fn local_mock(name: &str) -> MockProvider {
    MockProvider::builder(ProviderSpec::load(name).unwrap())
        .allow_http_targets(true)
        .fast()
        .start()
        .await
        .unwrap()
}

/// Every provider: `subscribe` makes a subscription through the provider's API, an emission
/// reaches the receiver, and the subscription's secret verifies the delivery the receiver got.
#[tokio::test]
async fn subscribe_then_emit_delivers_signed_with_the_subscriptions_secret() {
    let cases = [
        ("betterez", "images.created"),
        ("happycolis", "product/image/created"),
        ("standard-webhooks", "user.created"),
        ("swsh", "newAlbum"),
        ("uc-alxgsv", "file.created"),
    ];
    for (name, event) in cases {
        let provider = local_mock(name).await;
        let receiver = receiver(200).await;
        let url = format!("{}/hooks/{name}", receiver.uri());
        let subscription = provider.subscribe(event, &url).await.unwrap();
        assert_eq!(subscription.tenant, "tenant-a", "{name}");
        assert_eq!(subscription.url, url, "{name}");
        assert!(!subscription.id.is_empty(), "{name}");
        assert_eq!(provider.subscriptions().len(), 1, "{name}");
        assert_eq!(provider.subscriptions()[0], subscription.resource, "{name}");
        assert_eq!(subscription.secret.is_some(), name != "swsh", "{name}");

        provider.expect(event).to(&url).delivered(1);
        let report = provider.emit(event).await.unwrap();
        assert_eq!(report.deliveries.len(), 1, "{name}: {report:?}");
        assert_eq!(report.deliveries[0].subscription, subscription.id, "{name}");
        assert_eq!(report.deliveries[0].outcome, Outcome::Delivered, "{name}");
        provider.verify().await.unwrap();

        let received = receiver.received_requests().await.unwrap();
        assert_eq!(received.len(), 1, "{name}");
        let secret = subscription.secret.as_deref().unwrap_or("");
        verify(
            provider.spec(),
            &received[0].headers,
            &received[0].body,
            secret,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        // The attempt keeps the bytes the receiver got.
        let attempt = &provider.deliveries()[0];
        assert_eq!(attempt.body.as_ref(), received[0].body.as_slice(), "{name}");
        assert_eq!(
            attempt.body_text(),
            String::from_utf8_lossy(&received[0].body)
        );
    }
}

#[tokio::test]
async fn subscribe_as_another_tenant_keeps_tenants_apart() {
    let provider = local_mock("uc-alxgsv").await;
    let a = receiver(200).await;
    let b = receiver(200).await;
    let first = provider.subscribe("file.created", &a.uri()).await.unwrap();
    let second = provider
        .subscribe_as("tenant-b", "file.created", &b.uri())
        .await
        .unwrap();
    assert_eq!(second.tenant, "tenant-b");
    assert_ne!(
        first.secret, second.secret,
        "each webhook has its own secret"
    );
    provider
        .expect("file.created")
        .for_tenant("tenant-b")
        .delivered(1);
    provider
        .expect("file.created")
        .for_subscription(&first.id)
        .delivered(1);
    provider.expect("file.created").to(&b.uri()).delivered(1);
    provider.emit("file.created").await.unwrap();
    provider.verify().await.unwrap();
    // The secret of one tenant's webhook does not verify the other's delivery.
    let got = &b.received_requests().await.unwrap()[0];
    let wrong = first.secret.as_deref().unwrap();
    assert!(matches!(
        verify(provider.spec(), &got.headers, &got.body, wrong),
        Err(Rejected::Mismatch { .. })
    ));
}

#[tokio::test]
async fn happycolis_subscribes_through_its_graphql_mutation() {
    let provider = local_mock("happycolis").await;
    let subscription = provider
        .subscribe("product/image/removed", "http://127.0.0.1:9/hook")
        .await
        .unwrap();
    assert_eq!(subscription.resource["type"], "product/image/removed");
    assert_eq!(subscription.resource["endPoint"], "http://127.0.0.1:9/hook");
    assert!(
        subscription.resource.get("headers").is_none(),
        "the example's forwarded headers are left out: {}",
        subscription.resource
    );
    assert_eq!(
        subscription.secret.as_deref(),
        provider.credentials().secret("tenant-a", "clientSecret")
    );
    let graphql = provider
        .received()
        .into_iter()
        .any(|r| r.method == "POST" && r.status == 200);
    assert!(graphql, "the mutation went through the mock's pipeline");
}

#[tokio::test]
async fn subscribe_refusals_say_why() {
    let provider = MockProvider::start(ProviderSpec::load("swsh").unwrap())
        .await
        .unwrap();
    let refused = provider
        .subscribe("newAlbum", "http://127.0.0.1:9/hook")
        .await
        .unwrap_err();
    let text = refused.to_string();
    assert!(
        matches!(refused, SubscribeError::Refused { status: 400, .. }),
        "{text}"
    );
    assert!(text.contains("createSubscription"), "{text}");
    assert!(
        text.contains("hint: MockBuilder::allow_http_targets(true)"),
        "{text}"
    );
    let unknown = provider
        .subscribe("newAlbums", "https://example.com/")
        .await;
    assert!(
        matches!(&unknown, Err(SubscribeError::UnknownEvent(e, list)) if e == "newAlbums" && list.contains("newAlbum")),
        "{unknown:?}"
    );
    let tenant = provider
        .subscribe_as("tenant-z", "newAlbum", "https://example.com/")
        .await;
    assert!(
        matches!(&tenant, Err(SubscribeError::UnknownTenant(t, list)) if t == "tenant-z" && list == "tenant-a, tenant-b"),
        "{tenant:?}"
    );
    assert!(provider.subscriptions().is_empty());
}

#[tokio::test]
async fn an_emission_nobody_subscribed_to_is_visible() {
    let provider = local_mock("swsh").await;
    let empty = provider.emit("newAlbum").await.unwrap();
    assert!(empty.is_empty());
    assert_eq!(
        empty.warning.as_deref(),
        Some("no subscription matches `newAlbum`: none is stored")
    );
    provider
        .subscribe("newPhoto", "http://127.0.0.1:9/p")
        .await
        .unwrap();
    let report = provider.emit("newAlbum").await.unwrap();
    assert_eq!(
        report.warning.as_deref(),
        Some("no subscription matches `newAlbum`: 1 subscription is stored, for newPhoto")
    );
    // The JSON form (the admin endpoint's answer) is unchanged: `deliveries` is empty.
    assert_eq!(
        serde_json::to_value(&report).unwrap()["deliveries"],
        serde_json::json!([])
    );
    provider.expect("newAlbum").delivered(1);
    let error = provider.verify().await.unwrap_err();
    assert_eq!(
        error.unmet,
        ["`newAlbum` delivered exactly 1 time: delivered 0 times"]
    );
    assert!(
        error
            .message
            .contains("Emitted to no subscription:\n  - `newAlbum` (2 times)"),
        "{}",
        error.message
    );
    provider.clear_expectations();
}

#[tokio::test]
async fn expectation_forms_count_acknowledged_deliveries() {
    let provider = local_mock("standard-webhooks").await;
    let ok = receiver(204).await;
    let failing = receiver(500).await;
    provider.subscribe("user.created", &ok.uri()).await.unwrap();
    provider
        .subscribe("user.created", &failing.uri())
        .await
        .unwrap();
    provider.emit("user.created").await.unwrap();
    provider.emit("user.created").await.unwrap();
    provider.expect("user.created").delivered(2);
    provider
        .expect("user.created")
        .to(&format!("{}/", ok.uri()))
        .at_least(2);
    provider.expect("user.created").to(&failing.uri()).never();
    provider.expect("user.deleted").at_most(0);
    provider.verify().await.unwrap();

    provider.expect("user.created").at_least(3);
    let error = provider.verify().await.unwrap_err();
    assert_eq!(
        error.unmet,
        ["`user.created` delivered at least 3 times: delivered 2 times"]
    );
    assert!(
        error
            .message
            .starts_with("1 of 5 expectations of the Standard Webhooks mock is unmet:"),
        "{}",
        error.message
    );
    provider.clear_expectations();
}

/// A failed expectation panics when the mock is dropped, listing what was delivered.
#[test]
fn an_unmet_expectation_panics_on_drop_with_the_deliveries() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (provider, failing) = runtime.block_on(async {
        let provider = local_mock("swsh").await;
        let failing = receiver(500).await;
        provider
            .subscribe("newAlbum", &format!("{}/hook", failing.uri()))
            .await
            .unwrap();
        provider.expect("newAlbum").delivered(1);
        provider.emit("newAlbum").await.unwrap();
        (provider, failing)
    });
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(provider)))
        .expect_err("the unmet expectation panics on drop");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("`newAlbum` delivered exactly 1 time: delivered 0 times"),
        "{message}"
    );
    let line = format!("`newAlbum` to {}/hook (subscription ", failing.uri());
    assert!(message.contains(&line), "{message}");
    assert!(
        message.contains("): 0 of 3, the receiver answered 500"),
        "{message}"
    );
    drop(failing);
}

#[tokio::test]
async fn a_met_expectation_and_a_panicking_thread_do_not_panic_on_drop() {
    let provider = local_mock("swsh").await;
    let ok = receiver(200).await;
    provider.subscribe("newAlbum", &ok.uri()).await.unwrap();
    provider.expect("newAlbum");
    provider.emit("newAlbum").await.unwrap();
    drop(provider); // met: no panic

    // Already panicking (an assertion failed): the drop adds no second panic (an abort).
    let unmet = local_mock("swsh").await;
    unmet.expect("newAlbum");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _provider = unmet;
        panic!("the test's own failure");
    }));
    let message = result.unwrap_err();
    assert_eq!(
        message.downcast_ref::<&str>(),
        Some(&"the test's own failure")
    );
}

/// `fast()` keeps the provider's attempts but not its waits: a failing swsh receiver gets its
/// three attempts back to back (the policy is checked, not the clock).
#[tokio::test]
async fn fast_keeps_the_attempts_and_drops_the_backoff() {
    let documented = MockProvider::start(ProviderSpec::load("swsh").unwrap())
        .await
        .unwrap()
        .delivery_policy();
    assert_eq!(documented.attempts, 3);
    assert_eq!(documented.initial_backoff, Duration::from_secs(1));
    assert_eq!(documented.timeout, Duration::from_secs(10));

    let provider = local_mock("swsh").await;
    let policy = provider.delivery_policy();
    assert_eq!(policy.attempts, 3);
    assert_eq!(policy.initial_backoff, Duration::ZERO);
    assert_eq!(policy.max_backoff, Duration::ZERO);
    assert_eq!(policy.timeout, Duration::from_secs(2));
    let failing = receiver(500).await;
    provider
        .subscribe("newAlbum", &failing.uri())
        .await
        .unwrap();
    let report = provider.emit("newAlbum").await.unwrap();
    assert_eq!(report.deliveries[0].outcome, Outcome::Dropped);
    let attempts = provider.deliveries();
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.number, a.status))
            .collect::<Vec<_>>(),
        [(1, Some(500)), (2, Some(500)), (3, Some(500))]
    );
    // The spec the mock serves is still the documented one.
    assert_eq!(
        provider
            .spec()
            .delivery
            .retry
            .as_ref()
            .unwrap()
            .initial_backoff_ms,
        1000
    );
}

#[tokio::test]
async fn retries_backoff_and_timeout_override_the_spec() {
    let provider = MockProvider::builder(ProviderSpec::load("swsh").unwrap())
        .allow_http_targets(true)
        .retries(0)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .delivery_timeout(Duration::from_millis(700))
        .start()
        .await
        .unwrap();
    let policy = provider.delivery_policy();
    assert_eq!(policy.attempts, 1);
    assert_eq!(policy.initial_backoff, Duration::from_millis(5));
    assert_eq!(policy.max_backoff, Duration::from_millis(20));
    assert_eq!(policy.timeout, Duration::from_millis(700));
    let failing = receiver(503).await;
    provider
        .subscribe("newAlbum", &failing.uri())
        .await
        .unwrap();
    provider.emit("newAlbum").await.unwrap();
    assert_eq!(provider.deliveries().len(), 1, "no retry");

    // A provider that does not retry keeps its documented rule.
    let uc = MockProvider::builder(ProviderSpec::load("uc-alxgsv").unwrap())
        .retries(4)
        .start()
        .await
        .unwrap();
    assert_eq!(uc.delivery_policy().attempts, 1);
}

#[tokio::test]
async fn verify_refuses_a_secret_the_provider_could_not_have_given() {
    let provider = local_mock("standard-webhooks").await;
    let ok = receiver(200).await;
    let subscription = provider.subscribe("user.created", &ok.uri()).await.unwrap();
    provider.emit("user.created").await.unwrap();
    let got = &ok.received_requests().await.unwrap()[0];
    let secret = subscription.secret.unwrap();
    assert!(verify(provider.spec(), &got.headers, &got.body, &secret).is_ok());
    let mut tampered = got.body.clone();
    tampered.push(b' ');
    assert!(matches!(
        verify(provider.spec(), &got.headers, &tampered, &secret),
        Err(Rejected::Mismatch { .. })
    ));
    let bad = verify(provider.spec(), &got.headers, &got.body, "whsec_not*base64");
    assert!(
        matches!(&bad, Err(Rejected::Key(why)) if why.contains("Base64")),
        "{bad:?}"
    );
    let mut headers = got.headers.clone();
    headers.remove("webhook-signature");
    assert_eq!(
        verify(provider.spec(), &headers, &got.body, &secret),
        Err(Rejected::Missing("webhook-signature".into()))
    );
}
