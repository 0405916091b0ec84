//! One request of a provider check and its answer, kept for the failure report and the
//! transcript.

use serde_json::Value;

use crate::check::excerpt;

/// One request and its answer, kept for the failure report and the transcript.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method.
    pub method: String,
    /// URL.
    pub url: String,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
    /// The status, if an answer came.
    pub status: Option<u16>,
    /// The answer's media type (`Content-Type`), if it named one.
    pub content_type: Option<String>,
    /// The answer's body.
    pub response: String,
    /// The answer parsed as JSON, if it is.
    pub json: Option<Value>,
    /// Why no answer came.
    pub error: Option<String>,
}

impl Call {
    /// Whether the answer is a 2xx (and, for GraphQL, carries no `errors`).
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
            && self
                .json
                .as_ref()
                .is_none_or(|j| j.get("errors").is_none_or(Value::is_null))
    }

    /// The request and the answer, as a failure report shows them.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = format!("request: {} {}\n", self.method, self.url);
        for (name, value) in &self.headers {
            out.push_str(&format!("  {name}: {value}\n"));
        }
        if !self.body.is_empty() {
            out.push_str(&format!(
                "  body: {}\n",
                excerpt(&String::from_utf8_lossy(&self.body), 2048)
            ));
        }
        match (self.status, &self.error) {
            (Some(status), _) => out.push_str(&format!(
                "response: {status}\n  body: {}\n",
                excerpt(&self.response, 1024)
            )),
            (None, Some(error)) => out.push_str(&format!("response: none ({error})\n")),
            (None, None) => out.push_str("response: none\n"),
        }
        out
    }
}
