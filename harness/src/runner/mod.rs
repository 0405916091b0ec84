//! The conformance runner: the check catalogue as libtest-mimic trials named
//! `provider::check::subject`, so `--list`, name filters, `--exact`, `--skip`, `--ignored` and
//! `--test-threads` work as in `cargo test`. Each trial's exchanges are recorded as a
//! transcript and compared with its snapshot; every outcome goes into a [`Journal`], which
//! can be written as JUnit XML.

use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Conclusion, Failed, Trial};

mod cause;
pub mod embedded;
mod filter;
mod journal;
mod progress;

pub use cause::TransportCause;
pub use embedded::Embedded;
pub use filter::unmatched_filter;
pub use journal::{Journal, Record, Status};
pub use progress::Progress;

use crate::check::receiver::{self, Applies, Probe, Settings};
use crate::redact::Redactor;
use crate::spec::ProviderSpec;
use crate::transcript::{self, Recorder, Snapshots};

/// One provider's receiver to check.
#[derive(Debug, Clone)]
pub struct ReceiverTarget {
    /// The provider's spec.
    pub spec: ProviderSpec,
    /// The command that re-runs this target's trials with every flag that shapes them
    /// (secrets as placeholders); a failure report appends `-- --exact <trial>`.
    pub reproduce: String,
    /// Where and how to send.
    pub settings: Settings,
}

/// What every trial of a run shares.
#[derive(Debug, Clone)]
pub struct Context {
    /// Where transcripts are compared and recorded (none: not kept).
    pub snapshots: Option<Snapshots>,
    /// Where outcomes go.
    pub journal: Arc<Journal>,
    /// Whether an assumed expectation the target does not meet fails its trial (`--strict`);
    /// otherwise it is a warning.
    pub strict: bool,
    /// The largest answer read from a target (`--max-answer-bytes`).
    pub max_answer_bytes: usize,
}

impl Context {
    /// A context with the defaults: no `--strict`, answers up to 1 MiB.
    #[must_use]
    pub fn new(snapshots: Option<Snapshots>) -> Self {
        Self {
            snapshots,
            journal: Journal::new(),
            strict: false,
            max_answer_bytes: crate::check::DEFAULT_MAX_ANSWER_BYTES,
        }
    }
}

impl Context {
    /// A trial that runs `body`, records its transcript and outcome. The body answers
    /// `Ok(None)` when it passed, `Ok(Some(reason))` when it could not run (reported as
    /// ignored, with the reason), `Err(report)` when it failed. Every report, reason and
    /// warning goes through `redactor` (the run's secrets) before anyone sees it, wherever in
    /// the check it was written; every failure ends with `reproduce`, the command that re-runs
    /// exactly this trial.
    pub fn trial(
        &self,
        name: String,
        kind: &'static str,
        redactor: Arc<Redactor>,
        reproduce: String,
        body: impl FnOnce(&Recorder) -> Result<Option<String>, String> + Send + 'static,
    ) -> Trial {
        let context = self.clone();
        let label = name.clone();
        Trial::ignorable_test(name, move || {
            let started = Instant::now();
            let recorder = Recorder::new(context.snapshots.is_some());
            let mut result = match body(&recorder) {
                Ok(Some(reason)) => Ok(Some(redactor.text(&reason))),
                Err(report) => Err(context.once_per_cause(&label, redactor.text(&report))),
                passed => passed,
            };
            let warnings: Vec<String> = recorder
                .warnings()
                .iter()
                .map(|w| redactor.text(w))
                .collect();
            let entries = recorder.finish();
            if let Some(snapshots) = &context.snapshots
                && !matches!(result, Ok(Some(_)))
            {
                let text = transcript::render(&label, &entries);
                let failed = result.is_err() || (context.strict && !warnings.is_empty());
                if let Err(difference) = snapshots.check(&label, &text, failed) {
                    result = Err(match result {
                        Ok(_) => difference,
                        Err(report) => format!("{report}\n{difference}"),
                    });
                }
            }
            let warned = (!warnings.is_empty()).then(|| warnings.join("\n"));
            match (&mut result, warned) {
                (Err(report), Some(warned)) => {
                    report.push_str(&format!("\nalso, on assumptions:\n{warned}"));
                }
                (Ok(None), Some(warned)) if context.strict => {
                    result = Err(format!("failed under --strict, on assumptions:\n{warned}"));
                }
                (Ok(None), Some(warned)) => {
                    eprintln!("warning: {label}: an assumed expectation was not met\n{warned}");
                    context.journal.push(Record {
                        name: label,
                        kind,
                        duration: started.elapsed(),
                        exchanges: entries.len(),
                        status: Status::Warned(warned),
                    });
                    return Ok(Completion::Completed);
                }
                _ => {}
            }
            if let Err(report) = &mut result {
                report.push_str(&format!("\nreproduce: {reproduce}"));
            }
            context.journal.push(Record {
                name: label,
                kind,
                duration: started.elapsed(),
                exchanges: entries.len(),
                status: match &result {
                    Ok(None) => Status::Passed,
                    Ok(Some(reason)) => Status::Ignored(reason.clone()),
                    Err(report) => Status::Failed(report.clone()),
                },
            });
            match result {
                Ok(None) => Ok(Completion::Completed),
                Ok(Some(reason)) => Ok(Completion::ignored_with(reason)),
                Err(report) => Err(Failed::from(report)),
            }
        })
        .with_kind(kind)
    }

    /// `report` as it is shown: in full, unless an earlier trial failed for want of an answer
    /// with the same cause, in which case only the unanswered request's line is kept, with the
    /// trial whose report is in full (the summary counts every such trial; the reproduce
    /// command is appended to every failure afterwards).
    fn once_per_cause(&self, trial: &str, report: String) -> String {
        let Some(cause) = TransportCause::of(&report) else {
            return report;
        };
        let Some(first) = self.journal.first_with(&cause, trial) else {
            return report;
        };
        let unanswered = report
            .lines()
            .map(str::trim_start)
            .find(|l| l.starts_with("response: none ("))
            .unwrap_or_default();
        format!(
            "{unanswered}\n(no answer, as in the full report of {first}; the summary counts every trial this failed)"
        )
    }

    /// A trial listed as ignored, for `reason` (run with `--ignored`, it reports the reason).
    pub fn ignored(&self, name: String, kind: &'static str, reason: String) -> Trial {
        let context = self.clone();
        let label = name.clone();
        Trial::ignorable_test(name, move || {
            context.journal.push(Record {
                name: label,
                kind,
                duration: Duration::ZERO,
                exchanges: 0,
                status: Status::Ignored(reason.clone()),
            });
            Ok(Completion::ignored_with(reason))
        })
        .with_kind(kind)
    }
}

/// The receiver-mode trials of `targets`, sending with `runtime`.
#[must_use]
pub fn receiver_trials(
    targets: Vec<ReceiverTarget>,
    runtime: &tokio::runtime::Handle,
    context: &Context,
) -> Vec<Trial> {
    let mut trials = Vec::new();
    for target in targets {
        let provider = target.spec.provider.id.clone();
        let events: Vec<String> = target.spec.events.iter().map(|e| e.name.clone()).collect();
        let reproduce = target.reproduce.clone();
        let probe = Arc::new(
            Probe::new(
                target.spec.clone(),
                target.settings.clone(),
                runtime.clone(),
            )
            .with_max_answer_bytes(context.max_answer_bytes),
        );
        let redactor = Arc::new(probe.secret_redactor());
        let hint = Arc::clone(&probe);
        context.journal.hint(Box::new(move || hint.secret_hint()));
        for check in receiver::catalogue() {
            for event in &events {
                let name = format!("{provider}::{}::{event}", check.info.id);
                let trial = match (check.applies)(&target.spec, event) {
                    Applies::Ignored(reason) => context.ignored(name, "receiver", reason),
                    Applies::Yes => {
                        let probe = Arc::clone(&probe);
                        let event = event.clone();
                        let command = format!("{reproduce} -- --exact {name}");
                        context.trial(
                            name,
                            "receiver",
                            Arc::clone(&redactor),
                            command,
                            move |recorder| {
                                (check.run)(&probe.session(recorder), &event).map(|()| None)
                            },
                        )
                    }
                };
                trials.push(trial);
            }
        }
    }
    trials
}

/// One provider-compatible API to check.
#[derive(Debug, Clone)]
pub struct ProviderTarget {
    /// The provider's spec.
    pub spec: ProviderSpec,
    /// The command that re-runs this target's trials with every flag that shapes them
    /// (credentials as placeholders); a failure report appends `-- --exact <trial>`.
    pub reproduce: String,
    /// Where and how to request.
    pub settings: crate::check::provider::Settings,
}

/// The provider-mode trials of `targets`, requesting with `runtime`.
#[must_use]
pub fn provider_trials(
    targets: Vec<ProviderTarget>,
    runtime: &tokio::runtime::Handle,
    context: &Context,
) -> Vec<Trial> {
    use crate::check::provider::{self, Api};
    let mut trials = Vec::new();
    for target in targets {
        let provider_id = target.spec.provider.id.clone();
        let reproduce = target.reproduce.clone();
        let api = Arc::new(
            Api::new(target.spec, target.settings, runtime.clone())
                .with_max_answer_bytes(context.max_answer_bytes),
        );
        let redactor = Arc::new(api.redactor_for_reports());
        for check in provider::catalogue() {
            for (subject, applies) in (check.subjects)(&api) {
                let name = format!("{provider_id}::{}::{subject}", check.info.id);
                let trial = match applies {
                    Applies::Ignored(reason) => context.ignored(name, "provider", reason),
                    Applies::Yes => {
                        let api = Arc::clone(&api);
                        let command = format!("{reproduce} -- --exact {name}");
                        context.trial(
                            name,
                            "provider",
                            Arc::clone(&redactor),
                            command,
                            move |recorder| (check.run)(&api.session(recorder), &subject),
                        )
                    }
                };
                trials.push(trial);
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
        .filter(|s| !s.signing.signs())
        .map(|s| format!("warning: {} deliveries carry no signature: a receiver cannot tell real deliveries from forged ones (check a shared token in the subscription's metadata)", s.provider.name))
        .collect()
}

/// Runs trials with libtest's arguments (`--list`, filters, `--exact`...).
pub fn run(args: &Arguments, trials: Vec<Trial>) -> Conclusion {
    libtest_mimic::run(args, trials)
}

/// Runs trials with libtest's arguments, with a [`Progress`] line on a terminal, counted from
/// `journal` (the trials' context's).
pub fn run_with_progress(
    args: &Arguments,
    trials: Vec<Trial>,
    journal: &Arc<Journal>,
) -> Conclusion {
    let progress = Progress::start(args, &trials, journal);
    let conclusion = libtest_mimic::run(args, trials);
    drop(progress);
    conclusion
}
