//! Why a mock could not start.

/// Why a mock could not start.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A resource schema of the spec cannot be generated.
    #[error("the spec cannot be mocked: {0}")]
    Spec(#[from] crate::generate::GenError),
    /// The spec's GraphQL schema cannot be served.
    #[error("the spec's GraphQL schema cannot be served: {0}")]
    Graphql(String),
    /// A `--credential` flag is malformed or names no security scheme.
    #[error("{0}")]
    Credential(String),
}
