//! The embedded default run (`cargo xtask conformance` with no mode): every built-in spec
//! against its bundled reference receiver (receiver mode) and its in-process mock (provider
//! mode). With the default cases and seed, its transcripts are compared with the ones
//! committed in the repository, so a change in what the harness sends is a reviewable diff.

use std::path::PathBuf;
use std::time::Duration;

use super::{ProviderTarget, ReceiverTarget};
use crate::check::{provider, receiver};
use crate::mock::MockProvider;
use crate::reference::ReferenceReceiver;
use crate::spec::{ProviderSpec, SpecErrors, builtin_names};

/// The secret the reference receivers verify with (the harness signs with the same).
pub const SECRET: &str = "reference-receiver-secret";

/// Why the embedded default could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    /// A built-in spec is broken.
    #[error("{0}")]
    Spec(#[from] SpecErrors),
    /// A reference receiver or a mock could not start.
    #[error("{0}")]
    Start(String),
}

/// The embedded default: the targets of both modes, and the receivers and mocks behind them
/// (they stop when this is dropped).
#[derive(Debug)]
pub struct Embedded {
    /// Every built-in spec's reference receiver, as receiver-mode targets.
    pub receivers: Vec<ReceiverTarget>,
    /// Every built-in spec's in-process mock, as provider-mode targets.
    pub providers: Vec<ProviderTarget>,
    running: (Vec<ReferenceReceiver>, Vec<MockProvider>),
}

impl Embedded {
    /// Starts a reference receiver and a mock for every built-in spec; generated cases and
    /// the seed are `cases` and `seed`. Must run inside a tokio runtime.
    pub async fn start(cases: u32, seed: u64) -> Result<Self, EmbeddedError> {
        let timeout = Duration::from_secs(10);
        let mut embedded = Self {
            receivers: Vec::new(),
            providers: Vec::new(),
            running: (Vec::new(), Vec::new()),
        };
        for name in builtin_names() {
            let spec = ProviderSpec::load(&name)?;
            // The same key material for every spec, written as each spec's key is written.
            let secret = spec
                .signing
                .key
                .as_ref()
                .map_or_else(|| SECRET.to_string(), |k| k.encode_secret(SECRET));
            let receiver = ReferenceReceiver::start(spec.clone(), &secret)
                .await
                .map_err(|e| {
                    EmbeddedError::Start(format!("cannot start the reference receiver: {e}"))
                })?;
            embedded.receivers.push(ReceiverTarget {
                spec: spec.clone(),
                reproduce: format!("cargo xtask conformance --cases {cases} --seed {seed}"),
                settings: receiver::Settings {
                    target: receiver.url(),
                    secret,
                    cases,
                    seed,
                    timeout,
                },
            });
            let mock = MockProvider::builder(spec.clone())
                .allow_http_targets(true)
                .seed(seed)
                .start()
                .await
                .map_err(|e| {
                    EmbeddedError::Start(format!("cannot start the mock of {name}: {e}"))
                })?;
            embedded.providers.push(ProviderTarget {
                settings: provider::Settings {
                    target: mock.uri(),
                    credentials: mock.credentials().clone(),
                    cases,
                    seed,
                    timeout,
                },
                reproduce: format!("cargo xtask conformance --cases {cases} --seed {seed}"),
                spec,
            });
            embedded.running.0.push(receiver);
            embedded.running.1.push(mock);
        }
        Ok(embedded)
    }

    /// Where the repository keeps the embedded default's transcripts (valid for the default
    /// cases and seed only).
    #[must_use]
    pub fn committed_snapshots() -> PathBuf {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        repo.canonicalize()
            .unwrap_or(repo)
            .join("snapshots/conformance/reference")
    }
}
