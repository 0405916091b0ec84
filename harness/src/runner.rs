//! The conformance runner: the check catalogue as libtest-mimic trials named
//! `provider::check::subject`, so `--list`, name filters, `--exact`, `--skip`, `--ignored` and
//! `--test-threads` work as in `cargo test`.

use std::sync::Arc;

use libtest_mimic::{Arguments, Completion, Conclusion, Failed, Trial};

use crate::check::receiver::{self, Applies, Probe, Settings};
use crate::spec::ProviderSpec;

/// One provider's receiver to check.
#[derive(Debug, Clone)]
pub struct ReceiverTarget {
    /// The provider's spec.
    pub spec: ProviderSpec,
    /// How `--spec` named it (for the reproduce command).
    pub spec_arg: String,
    /// Where and how to send.
    pub settings: Settings,
}

/// The receiver-mode trials of `targets`, sending with `runtime`.
#[must_use]
pub fn receiver_trials(
    targets: Vec<ReceiverTarget>,
    runtime: &tokio::runtime::Handle,
) -> Vec<Trial> {
    let mut trials = Vec::new();
    for target in targets {
        let provider = target.spec.provider.id.clone();
        let events: Vec<String> = target.spec.events.iter().map(|e| e.name.clone()).collect();
        let reproduce = format!(
            "cargo xtask conformance receiver --spec {} --target {} --secret <your secret> --cases {} --seed {}",
            target.spec_arg, target.settings.target, target.settings.cases, target.settings.seed
        );
        let probe = Arc::new(Probe::new(
            target.spec.clone(),
            target.settings.clone(),
            runtime.clone(),
        ));
        for check in receiver::catalogue() {
            for event in &events {
                let applies = (check.applies)(&target.spec, event);
                let name = format!("{provider}::{}::{event}", check.info.id);
                let trial = match &applies {
                    Applies::Ignored(reason) => {
                        let reason = reason.clone();
                        Trial::ignorable_test(name, move || Ok(Completion::ignored_with(reason)))
                    }
                    Applies::Yes => {
                        let probe = Arc::clone(&probe);
                        let event = event.clone();
                        let command = format!("{reproduce} -- --exact {name}");
                        Trial::test(name, move || {
                            (check.run)(&probe, &event).map_err(|report| {
                                Failed::from(format!("{report}\nreproduce: {command}"))
                            })
                        })
                    }
                };
                trials.push(trial.with_kind("receiver"));
            }
        }
    }
    trials
}

/// Warnings a run prints before its trials: providers whose deliveries cannot be authenticated.
#[must_use]
pub fn warnings(specs: &[&ProviderSpec]) -> Vec<String> {
    specs
        .iter()
        .filter(|s| s.signature.scheme == crate::spec::extensions::SignatureKind::None)
        .map(|s| format!("warning: {} deliveries carry no signature: a receiver cannot tell real deliveries from forged ones (check a shared token in the subscription's metadata)", s.provider.name))
        .collect()
}

/// Runs trials with libtest's arguments (`--list`, filters, `--exact`...).
pub fn run(args: &Arguments, trials: Vec<Trial>) -> Conclusion {
    libtest_mimic::run(args, trials)
}
