//! [`verify`]: a delivery's signature checked the way the provider's documentation tells
//! receivers to, from a secret's text, for a test's own assertions.

use super::{Rejected, Verifier};
use crate::spec::ProviderSpec;

/// Checks a received delivery (`headers`, and `body` exactly as received) against `secret`,
/// following `spec`'s documented verification steps: the payload text is read from the body
/// (decoded for a JSON-string body), what the signature covers is worked out (timestamp, id,
/// re-serialisation where the docs say so), every signature header the scheme names must be
/// present and hold a matching signature, and a signed timestamp must be within the
/// convention's tolerance of the clock. `secret` is written as the provider hands it out
/// (`whsec_…` for Standard Webhooks, the webhook's `signing_secret` for uc.alxgsv, the
/// client secret for HappyColis): [`crate::mock::Subscription::secret`] gives it. A provider
/// that signs nothing (swsh) accepts every delivery.
///
/// This is the verifier the reference receivers use (`crate::reference`). A mock started with
/// a fixed clock (`MockBuilder::clock`) signs with a timestamp that is not now, which fails
/// the freshness step for the providers that sign one.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use webhook_harness::mock::MockProvider;
/// use webhook_harness::sign::verify;
/// use webhook_harness::spec::ProviderSpec;
/// use wiremock::{matchers::method, Mock, MockServer, ResponseTemplate};
///
/// let receiver = MockServer::start().await;
/// Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&receiver).await;
/// let provider = MockProvider::builder(ProviderSpec::load("standard-webhooks")?)
///     .allow_http_targets(true)
///     .start()
///     .await?;
/// let subscription = provider.subscribe("user.created", &receiver.uri()).await?;
/// provider.emit("user.created").await?;
///
/// let request = &receiver.received_requests().await.unwrap()[0];
/// let secret = subscription.secret.as_deref().unwrap();
/// assert!(verify(provider.spec(), &request.headers, &request.body, secret).is_ok());
/// assert!(verify(provider.spec(), &request.headers, b"{}", secret).is_err());
/// # Ok(())
/// # }
/// ```
pub fn verify(
    spec: &ProviderSpec,
    headers: &hyper::HeaderMap,
    body: &[u8],
    secret: &str,
) -> Result<(), Rejected> {
    let verifier = Verifier::new(spec);
    if !verifier.signs() {
        return Ok(());
    }
    let key = match &spec.signing.key {
        Some(key) => key
            .decode(secret)
            .map_err(|why| Rejected::Key(format!("the secret {why}; expected {}", key.shape())))?,
        None => secret.as_bytes().to_vec(),
    };
    verifier.verify(headers, body, &key)
}
