//! The loader: file → YAML → assumptions applied → structure checked → typed model → schemas compiled.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::Value;

use super::error::{SpecError, SpecErrorKind, SpecErrors};
use super::extensions::{
    AssumptionExt, DeliveryExt, EnvelopeExt, ErratumExt, InvariantExt, Pointers, ProviderInfo,
    SignatureExt,
};
use super::schemas::SchemaSet;
use super::{ProviderSpec, build, checks, overlay, parse, pointer, signing, walk};

/// Environment variable naming the folder of built-in specs (default: the repository's `specs/`).
pub const SPECS_DIR_ENV: &str = "WEBHOOK_HARNESS_SPECS";

/// The folder where `--spec NAME` looks for `NAME.yaml`: `WEBHOOK_HARNESS_SPECS`, else the
/// `specs/` folder of the checkout the library was built from, else (that checkout gone, as
/// after `cargo install --git` and a cache cleaning) the specs the library carries
/// ([`super::bundle`]).
#[must_use]
pub fn specs_dir() -> PathBuf {
    let dir = match std::env::var_os(SPECS_DIR_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
            if checkout.is_dir() {
                checkout
            } else {
                super::bundle::extracted().unwrap_or(checkout)
            }
        }
    };
    dir.canonicalize().unwrap_or(dir)
}

/// The names of the built-in specs (`specs/*.yaml`), sorted.
#[must_use]
pub fn builtin_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(specs_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            (path.extension()? == "yaml")
                .then(|| path.file_stem()?.to_str().map(str::to_string))
                .flatten()
        })
        .collect();
    names.sort();
    names
}

/// Loads specs, with run-time overrides of their assumptions.
///
/// ```no_run
/// use webhook_harness::spec::Loader;
/// let spec = Loader::new().assume("digest-encoding", "base64").load("betterez")?;
/// assert_eq!(spec.provider.id, "betterez");
/// # Ok::<(), webhook_harness::spec::SpecErrors>(())
/// ```
///
/// A document written for other tools gets the harness's extensions from an OpenAPI Overlay 1.0
/// file, applied before anything is checked; with an overlay, `x-` keys of other vendors are
/// kept and ignored (the lint lists them), where a bundled spec refuses every unknown `x-` key:
///
/// ```no_run
/// use webhook_harness::spec::Loader;
/// let spec = Loader::new()
///     .overlay("harness-overlay.yaml")
///     .load("vendor-openapi.json")?;
/// println!("{:?}", spec.foreign_extensions);
/// # Ok::<(), webhook_harness::spec::SpecErrors>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Loader {
    overrides: Vec<(String, Value)>,
    overlays: Vec<PathBuf>,
    foreign: bool,
}

impl Loader {
    /// A loader with no overrides.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the value of assumption `id` (see `x-assumptions`). A string that parses as JSON is
    /// taken as that JSON (`false`, `3`), anything else as a string.
    #[must_use]
    pub fn assume(mut self, id: impl Into<String>, value: impl Into<String>) -> Self {
        let text = value.into();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        self.overrides.push((id.into(), value));
        self
    }

    /// Applies the OpenAPI Overlay 1.0 file at `path` to the document before it is read (the
    /// `--overlay` flag); several apply in the order given. Implies
    /// [`foreign_extensions`](Self::foreign_extensions).
    #[must_use]
    pub fn overlay(mut self, path: impl Into<PathBuf>) -> Self {
        self.overlays.push(path.into());
        self.foreign = true;
        self
    }

    /// Reads the document as one written for other tools: an `x-` key that is none of the
    /// harness's extensions is kept and ignored (listed in
    /// [`ProviderSpec::foreign_extensions`]) instead of being an error. The harness's own
    /// extensions are still checked, where they stand and field by field.
    #[must_use]
    pub fn foreign_extensions(mut self, foreign: bool) -> Self {
        self.foreign = foreign;
        self
    }

    /// The overlay files, in the order they apply.
    #[must_use]
    pub fn overlays(&self) -> &[PathBuf] {
        &self.overlays
    }

    /// Parses `ID=VALUE` (the `--assume` flag) into an override.
    pub fn assume_arg(self, arg: &str) -> Result<Self, String> {
        let (id, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("`--assume {arg}`: expected ID=VALUE"))?;
        Ok(self.assume(id.trim(), value))
    }

    /// Loads a built-in spec by name (`swsh`) or a spec file by path.
    pub fn load(&self, name_or_path: &str) -> Result<ProviderSpec, SpecErrors> {
        let as_path = Path::new(name_or_path);
        let looks_like_path = name_or_path.contains('/')
            || name_or_path.contains('\\')
            || as_path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
        if looks_like_path || as_path.is_file() {
            return self.load_file(as_path);
        }
        let file = specs_dir().join(format!("{name_or_path}.yaml"));
        if file.is_file() {
            return self.load_file(&file);
        }
        Err(SpecError::new(
            name_or_path,
            "",
            SpecErrorKind::Io(format!("no built-in spec is named `{name_or_path}`")),
        )
        .with_hint(format!(
            "built-in specs: {}; or pass the path of a spec file",
            builtin_names().join(", ")
        ))
        .into())
    }

    /// Loads the spec file at `path`.
    pub fn load_file(&self, path: &Path) -> Result<ProviderSpec, SpecErrors> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SpecError::new(path, "", SpecErrorKind::Io(e.to_string())))?;
        self.load_str(path, &text)
    }

    /// Loads a spec from text; `path` is where it came from (for messages and fixture paths).
    pub fn load_str(&self, path: &Path, text: &str) -> Result<ProviderSpec, SpecErrors> {
        let mut document = parse::document_to_json(path, text)?;
        if !document.is_object() {
            return Err(SpecError::new(
                path,
                "",
                SpecErrorKind::Yaml("the top level must be a mapping".into()),
            )
            .into());
        }
        match document.get("openapi").and_then(Value::as_str) {
            Some(version) if version.starts_with("3.1.") => {}
            other => {
                return Err(SpecError::new(
                    path,
                    "/openapi",
                    SpecErrorKind::Invalid(format!(
                        "expected an OpenAPI 3.1 document, found `openapi: {}`",
                        other.unwrap_or("(missing)")
                    )),
                )
                .with_hint("the `webhooks` section needs OpenAPI 3.1 (`openapi: 3.1.0`)")
                .into());
            }
        }
        for file in &self.overlays {
            overlay::apply_file(file, &mut document).map_err(SpecErrors)?;
        }
        let mut errors = Vec::new();
        let (assumptions, overridden) = self.apply_assumptions(path, &mut document, &mut errors);
        let foreign_extensions =
            walk::check_extension_keys(path, &document, self.foreign, &mut errors);
        walk::check_refs(path, &document, &mut errors);
        openapi_structure(path, &document, &mut errors);

        let provider: Option<ProviderInfo> =
            required_ext(path, &document, "/info/x-provider", &mut errors);
        let signature: Option<SignatureExt> =
            required_ext(path, &document, "/x-webhook-signature", &mut errors);
        let delivery: Option<DeliveryExt> =
            required_ext(path, &document, "/x-delivery", &mut errors);
        let envelope: Option<EnvelopeExt> =
            required_ext(path, &document, "/x-envelope", &mut errors);
        let invariants: Vec<InvariantExt> =
            optional_ext(path, &document, "/x-invariants", &mut errors);
        let errata: Vec<ErratumExt> = optional_ext(path, &document, "/x-errata", &mut errors);
        let endpoints = build::endpoints(path, &document, &mut errors);
        let events = build::events(path, &document, &mut errors);
        let security_schemes = build::security_schemes(&document);
        let servers = document
            .get("servers")
            .and_then(Value::as_array)
            .map(|s| {
                s.iter()
                    .filter_map(|s| s.get("url")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();

        let (Some(provider), Some(signature), Some(delivery), Some(envelope)) =
            (provider, signature, delivery, envelope)
        else {
            return Err(SpecErrors(errors));
        };

        let schema_pointers = schema_pointers(&document, &endpoints, &events);
        let (schemas, failures) = SchemaSet::compile(&document, &schema_pointers);
        for (at, message) in failures {
            errors.push(SpecError::new(path, at, SpecErrorKind::Schema(message)));
        }

        let signing = signing::resolve(path, &signature, &mut errors);
        let spec = ProviderSpec {
            signing,
            file: path.to_path_buf(),
            overlays: self.overlays.clone(),
            foreign_extensions,
            document,
            provider,
            servers,
            security_schemes,
            endpoints,
            events,
            signature,
            delivery,
            envelope,
            invariants,
            assumptions,
            overridden,
            errata,
            schemas,
        };
        checks::run(&spec, &mut errors);
        if errors.is_empty() {
            Ok(spec)
        } else {
            Err(SpecErrors(errors))
        }
    }

    /// Reads `x-assumptions`, applies the overrides, and checks each assumption against its node.
    fn apply_assumptions(
        &self,
        path: &Path,
        document: &mut Value,
        errors: &mut Vec<SpecError>,
    ) -> (Vec<AssumptionExt>, Vec<String>) {
        let mut assumptions: Vec<AssumptionExt> =
            optional_ext(path, document, "/x-assumptions", errors);
        let mut overridden = Vec::new();
        for (id, value) in &self.overrides {
            let Some((i, assumption)) = assumptions
                .iter_mut()
                .enumerate()
                .find(|(_, a)| &a.id == id)
            else {
                errors.push(
                    SpecError::new(
                        path,
                        "/x-assumptions",
                        SpecErrorKind::Invalid(format!("no assumption is named `{id}`")),
                    )
                    .with_hint(format!(
                        "this spec's assumptions: {}",
                        assumptions
                            .iter()
                            .map(|a| a.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                continue;
            };
            if !assumption.alternatives.is_empty()
                && &assumption.value != value
                && !assumption.alternatives.contains(value)
            {
                errors.push(SpecError::new(
                    path,
                    format!("/x-assumptions/{i}"),
                    SpecErrorKind::Invalid(format!(
                        "`{value}` is not an accepted value of `{id}`; accepted: {}",
                        std::iter::once(&assumption.value)
                            .chain(&assumption.alternatives)
                            .map(Value::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ));
                continue;
            }
            let targets = assumption.pointer.as_slice();
            if targets.iter().any(|p| pointer::get(document, p).is_none()) {
                continue; // Reported below as an unresolved pointer.
            }
            for target in targets {
                let _ = pointer::set(document, target, value.clone());
            }
            // Keep the assumption list in the document in step, so the check below holds.
            assumption.value = value.clone();
            let _ = pointer::set(
                document,
                &format!("/x-assumptions/{i}/value"),
                value.clone(),
            );
            overridden.push(id.clone());
        }
        for (i, assumption) in assumptions.iter().enumerate() {
            let many = matches!(assumption.pointer, Pointers::Many(_));
            for (j, target) in assumption.pointer.as_slice().iter().enumerate() {
                let at = if many {
                    format!("/x-assumptions/{i}/pointer/{j}")
                } else {
                    format!("/x-assumptions/{i}/pointer")
                };
                match pointer::get(document, target) {
                    None => errors.push(SpecError::new(
                        path,
                        at,
                        SpecErrorKind::Invalid(format!(
                            "`{target}` does not resolve in this document"
                        )),
                    )),
                    Some(found) if found != &assumption.value => errors.push(
                        SpecError::new(
                            path,
                            format!("/x-assumptions/{i}/value"),
                            SpecErrorKind::Invalid(format!(
                                "the assumption says {} but {target} holds {found}",
                                assumption.value
                            )),
                        )
                        .with_hint("an assumption's `value` must equal every node it names"),
                    ),
                    Some(_) => {}
                }
            }
        }
        (assumptions, overridden)
    }
}

fn required_ext<T: serde::de::DeserializeOwned>(
    path: &Path,
    doc: &Value,
    at: &str,
    errors: &mut Vec<SpecError>,
) -> Option<T> {
    match doc.pointer(at) {
        Some(value) => parse::extension(path, at, value)
            .map_err(|e| errors.push(e))
            .ok(),
        None => {
            errors.push(
                SpecError::new(
                    path,
                    at,
                    SpecErrorKind::Invalid(format!(
                        "`{}` is required",
                        at.rsplit('/').next().unwrap_or(at)
                    )),
                )
                .with_hint("see specs/EXTENSIONS.md"),
            );
            None
        }
    }
}

fn optional_ext<T: serde::de::DeserializeOwned>(
    path: &Path,
    doc: &Value,
    at: &str,
    errors: &mut Vec<SpecError>,
) -> Vec<T> {
    match doc.pointer(at) {
        Some(value) => parse::extension(path, at, value)
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// The OpenAPI 3.1 meta-schema (schema 2022-10-07, from the OpenAPI Initiative, Apache-2.0).
fn openapi_meta_schema() -> Option<&'static Validator> {
    static META: OnceLock<Option<Validator>> = OnceLock::new();
    META.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("openapi-3.1.schema.json")).ok()?;
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .build(&schema)
            .ok()
    })
    .as_ref()
}

/// Checks the document against the OpenAPI 3.1 meta-schema.
fn openapi_structure(path: &Path, doc: &Value, errors: &mut Vec<SpecError>) {
    let Some(meta) = openapi_meta_schema() else {
        errors.push(SpecError::new(
            path,
            "",
            SpecErrorKind::Invalid("internal: the OpenAPI 3.1 meta-schema does not compile".into()),
        ));
        return;
    };
    for error in meta.iter_errors(doc).take(20) {
        errors.push(SpecError::new(
            path,
            error.instance_path().to_string(),
            SpecErrorKind::Invalid(format!(
                "not valid OpenAPI 3.1: {}",
                short(&error.to_string())
            )),
        ));
    }
}

fn short(message: &str) -> String {
    const LIMIT: usize = 300;
    if message.len() <= LIMIT {
        return message.to_string();
    }
    let mut end = LIMIT;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

/// Every schema the spec uses: parameters, bodies, payloads and the named components.
fn schema_pointers(
    document: &Value,
    endpoints: &[crate::spec::Endpoint],
    events: &[crate::spec::Event],
) -> Vec<String> {
    let mut schema_pointers: Vec<String> = Vec::new();
    for endpoint in endpoints {
        schema_pointers.extend(endpoint.parameters.iter().filter_map(|p| p.schema.clone()));
        let bodies = endpoint
            .request
            .iter()
            .chain(endpoint.responses.iter().map(|r| &r.body));
        schema_pointers
            .extend(bodies.flat_map(|b| b.content.iter().filter_map(|m| m.schema.clone())));
    }
    for event in events {
        schema_pointers.extend(
            event
                .payload
                .content
                .iter()
                .filter_map(|m| m.schema.clone()),
        );
    }
    if let Some(components) = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        schema_pointers.extend(
            components
                .keys()
                .map(|k| pointer::join("/components/schemas", k)),
        );
    }
    schema_pointers
}
