//! HappyColis' GraphQL subscription mutations, served by a real GraphQL engine.

use reqwest::Client;
use serde_json::{Value, json};
use webhook_harness::mock::MockProvider;
use webhook_harness::spec::ProviderSpec;

const CREATE: &str = "mutation Create($input: IntegrationWebhookInput!) { integrationWebhookCreate(input: $input) { id type health endPoint } }";
const REMOVE: &str = "mutation Remove($id: String!) { integrationWebhookRemove(id: $id) { id } }";

struct Happy {
    provider: MockProvider,
    client: Client,
}

impl Happy {
    async fn start(allow_http: bool) -> Self {
        let provider = MockProvider::builder(ProviderSpec::load("happycolis").unwrap())
            .allow_http_targets(allow_http)
            .start()
            .await
            .unwrap();
        Self {
            provider,
            client: Client::new(),
        }
    }

    fn token(&self, tenant: &str) -> String {
        self.provider
            .credentials()
            .secret(tenant, "bearerAuth")
            .unwrap()
            .to_string()
    }

    async fn graphql(&self, tenant: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/graphql", self.provider.uri()))
            .bearer_auth(self.token(tenant))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    fn assert_documented(&self, status: u16, body: &Value) {
        let spec = self.provider.spec();
        let endpoint = spec.endpoint("graphql").unwrap();
        let response = endpoint
            .responses
            .iter()
            .find(|r| r.covers(status))
            .unwrap();
        let schema = response.body.json().and_then(|m| m.schema.clone()).unwrap();
        let violations = spec.schemas.violations(&schema, body).unwrap();
        assert!(violations.is_empty(), "{body}\n{violations:?}");
    }
}

fn create(end_point: &str) -> Value {
    json!({"query": CREATE, "variables": {"input": {"endPoint": end_point, "type": "product/image/created", "headers": {"X-Receiver-Key": "k"}}}})
}

#[tokio::test]
async fn create_and_remove_through_graphql() {
    let happy = Happy::start(false).await;
    let (status, body) = happy
        .graphql("tenant-a", create("https://receiver.example.com/hc"))
        .await;
    assert_eq!(status, 200, "{body}");
    happy.assert_documented(200, &body);
    let created = &body["data"]["integrationWebhookCreate"];
    assert_eq!(created["type"], "product/image/created");
    assert_eq!(created["health"], "HEALTHY");
    assert_eq!(created["endPoint"], "https://receiver.example.com/hc");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        id.len(),
        36,
        "a bare UUID (assumption subscription-id-format): {id}"
    );
    let stored = happy.provider.subscriptions();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0]["headers"],
        json!({"X-Receiver-Key": "k"}),
        "custom headers are kept for deliveries"
    );

    // Another client cannot remove it.
    let (status, body) = happy
        .graphql(
            "tenant-b",
            json!({"query": REMOVE, "variables": {"id": id}}),
        )
        .await;
    assert_eq!(status, 200, "GraphQL errors come with HTTP 200");
    happy.assert_documented(200, &body);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["path"],
        json!(["integrationWebhookRemove"]),
        "{body}"
    );

    let (_, body) = happy
        .graphql(
            "tenant-a",
            json!({"query": REMOVE, "variables": {"id": id}}),
        )
        .await;
    assert_eq!(
        body["data"]["integrationWebhookRemove"]["id"],
        id.as_str(),
        "{body}"
    );
    assert!(happy.provider.subscriptions().is_empty());
    let (_, body) = happy
        .graphql(
            "tenant-a",
            json!({"query": REMOVE, "variables": {"id": id}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

const OAUTH_CREATE: &str = "mutation Create($input: IntegrationWebhookInput!) { oauthWebhookCreate(input: $input) { id } }";
const OAUTH_REMOVE: &str = "mutation Remove($id: String!) { oauthWebhookRemove(id: $id) { id } }";

/// Integration and OAuth subscriptions are two families, each removed by its own mutation
/// (assumption cross-family-remove): the other family's remove answers NOT_FOUND and the
/// subscription stays.
#[tokio::test]
async fn each_family_removes_only_its_own_subscriptions() {
    let happy = Happy::start(false).await;
    let input =
        json!({"endPoint": "https://receiver.example.com/hc", "type": "product/image/created"});
    let (_, body) = happy
        .graphql(
            "tenant-a",
            json!({"query": OAUTH_CREATE, "variables": {"input": input}}),
        )
        .await;
    let oauth = body["data"]["oauthWebhookCreate"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body) = happy
        .graphql("tenant-a", create("https://receiver.example.com/i"))
        .await;
    let integration = body["data"]["integrationWebhookCreate"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (query, id, field) in [
        (REMOVE, &oauth, "integrationWebhookRemove"),
        (OAUTH_REMOVE, &integration, "oauthWebhookRemove"),
    ] {
        let (status, body) = happy
            .graphql("tenant-a", json!({"query": query, "variables": {"id": id}}))
            .await;
        assert_eq!(status, 200, "{body}");
        happy.assert_documented(200, &body);
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
        assert_eq!(body["errors"][0]["path"], json!([field]), "{body}");
    }
    assert_eq!(happy.provider.subscriptions().len(), 2, "both stay");
    for (query, id, field) in [
        (REMOVE, &integration, "integrationWebhookRemove"),
        (OAUTH_REMOVE, &oauth, "oauthWebhookRemove"),
    ] {
        let (_, body) = happy
            .graphql("tenant-a", json!({"query": query, "variables": {"id": id}}))
            .await;
        assert_eq!(body["data"][field]["id"], id.as_str(), "{body}");
    }
    assert!(happy.provider.subscriptions().is_empty());
}

#[tokio::test]
async fn graphql_refusals() {
    let happy = Happy::start(false).await;
    let (status, body) = happy
        .graphql("tenant-a", create("http://localhost:8080/hook"))
        .await;
    assert_eq!(status, 200);
    happy.assert_documented(200, &body);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("HTTPS") && message.contains("--allow-http-targets"),
        "{message}"
    );
    assert!(happy.provider.subscriptions().is_empty());

    // A missing required input field is a GraphQL validation error, not a string match.
    let (status, body) = happy
        .graphql(
            "tenant-a",
            json!({"query": CREATE, "variables": {"input": {"endPoint": "https://a.example.com"}}}),
        )
        .await;
    assert_eq!(status, 200);
    happy.assert_documented(200, &body);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("type"),
        "{body}"
    );

    // Selecting a field the type does not have.
    let (_, body) = happy
        .graphql(
            "tenant-a",
            json!({"query": "mutation { integrationWebhookRemove(id: \"x\") { colour } }"}),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{body}"
    );

    // A document that does not parse: transport-level 400.
    let (status, body) = happy
        .graphql(
            "tenant-a",
            json!({"query": "mutation { integrationWebhookCreate("}),
        )
        .await;
    assert_eq!(status, 400, "{body}");

    // No token: 401 before GraphQL runs.
    let response = happy
        .client
        .post(format!("{}/graphql", happy.provider.uri()))
        .json(&create("https://a.example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn http_end_points_when_allowed() {
    let happy = Happy::start(true).await;
    let (_, body) = happy
        .graphql("tenant-a", create("http://127.0.0.1:9/hook"))
        .await;
    assert_eq!(
        body["data"]["integrationWebhookCreate"]["endPoint"], "http://127.0.0.1:9/hook",
        "{body}"
    );
}

#[tokio::test]
async fn client_credentials_get_the_bearer_token() {
    let happy = Happy::start(false).await;
    let credentials = happy.provider.credentials();
    let client_id = credentials.secret("tenant-a", "clientId").unwrap();
    let client_secret = credentials.secret("tenant-a", "clientSecret").unwrap();
    let form = format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}&organization_id=org-1"
    );
    let response = happy
        .client
        .post(format!("{}/token", happy.provider.uri()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["access_token"], happy.token("tenant-a"));

    let response = happy
        .client
        .post(format!("{}/token", happy.provider.uri()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=client_credentials&client_id={client_id}&client_secret=wrong&organization_id=org-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
