//! Transcripts: what a trial sent and what it got back, normalised so that two runs with the
//! same seed give the same text, and kept as insta snapshots. A change of the target's
//! behaviour between runs then fails with a readable diff, accepted with `cargo insta review`.
//!
//! Each trial gets its own [`Recorder`], handed to the check; the check's requests are
//! recorded into it, and the runner takes the entries back when the trial ends: a transcript
//! is data returned from a trial, never gathered behind its back.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One trial's transcript being recorded: its exchanges, and the values the target made up
/// during the trial (ids, ports) with the placeholders shown instead.
#[derive(Debug, Default)]
pub struct Recorder {
    render: bool,
    entries: RefCell<Vec<String>>,
    made_up: RefCell<Vec<(String, String)>>,
    warnings: RefCell<Vec<String>>,
}

impl Recorder {
    /// Notes an assumed expectation the target did not meet: a warning of the trial (its
    /// failure under `--strict`), with its report.
    pub fn warn(&self, report: String) {
        self.warnings.borrow_mut().push(report);
    }

    /// The warnings noted so far.
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.borrow().clone()
    }

    /// A recorder whose exchanges are rendered (`render`) or only counted (no snapshot will
    /// be compared).
    #[must_use]
    pub fn new(render: bool) -> Self {
        Self {
            render,
            ..Self::default()
        }
    }

    /// Adds one exchange.
    pub fn record(&self, entry: String) {
        self.record_with(|| entry);
    }

    /// Adds the exchange `render` describes; it runs only when the transcript is rendered (an
    /// exchange is counted either way).
    pub fn record_with(&self, render: impl FnOnce() -> String) {
        let entry = if self.render { render() } else { String::new() };
        self.entries.borrow_mut().push(entry);
    }

    /// Remembers a value the target made up (an id), shown as `[id N]` in the transcript.
    pub fn remember_id(&self, id: &str) {
        let mut made = self.made_up.borrow_mut();
        if !id.is_empty() && !made.iter().any(|(known, _)| known == id) {
            let label = format!("[id {}]", made.len() + 1);
            made.push((id.to_string(), label));
        }
    }

    /// Remembers a value that changes from run to run (a port), shown as `label`.
    pub fn remember_as(&self, value: &str, label: &str) {
        self.made_up
            .borrow_mut()
            .push((value.to_string(), label.to_string()));
    }

    /// Whether `value` was made up during this trial.
    #[must_use]
    pub fn made_here(&self, value: &str) -> bool {
        self.made_up
            .borrow()
            .iter()
            .any(|(known, _)| known == value)
    }

    /// How many exchanges were recorded so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The transcript's entries, with what the trial made up replaced by placeholders (longest
    /// first, so that an id inside a longer value is not cut).
    #[must_use]
    pub fn finish(self) -> Vec<String> {
        let mut made = self.made_up.into_inner();
        made.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        self.entries
            .into_inner()
            .into_iter()
            .map(|mut entry| {
                for (value, label) in &made {
                    entry = entry.replace(value.as_str(), label);
                }
                entry
            })
            .collect()
    }
}

/// A 64-bit FNV-1a digest, as 16 hex digits: names a body in a transcript.
#[must_use]
pub fn digest(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// A body as a transcript shows it: its length and digest, and its first characters.
#[must_use]
pub fn body_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut start: String = text.chars().take(120).collect();
    if start.len() < text.len() {
        start.push('…');
    }
    format!(
        "body: {} bytes, fnv1a {}\n    {start}",
        body.len(),
        digest(body)
    )
}

/// Keeps insta's failed-assertion panics (the diff is printed already; the trial reports the
/// file) out of the terminal; every other panic is reported as before. For a runner binary:
/// the panic hook is process-wide.
pub fn quiet_snapshot_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if !message.starts_with("snapshot assertion for") {
            previous(info);
        }
    }));
}

/// How the report of a trial with no snapshot yet begins.
pub const NO_SNAPSHOT: &str = "no snapshot of this trial yet";
/// How the report of a trial whose transcript differs from its snapshot begins.
pub const DIFFERS: &str = "the transcript differs from its snapshot";

/// Where a run keeps its transcripts: one insta snapshot per trial, in
/// `<dir>/<provider>/<check>__<subject>.snap`.
///
/// Every comparison goes through insta (`assert_snapshot!` with the folder, the trial's name
/// as the snapshot's description, no module prefix), so insta's rules hold as it documents
/// them: a missing or different snapshot fails the trial and its transcript is written to
/// `<file>.snap.new` for `cargo insta review` (in CI, nothing is written); `INSTA_UPDATE=always`
/// records new and changed transcripts in place; `INSTA_FORCE_PASS=1` passes the comparison;
/// a trial whose transcript matches again has its stale `.snap.new` removed. One rule is the
/// harness's own: the transcript of a trial that failed its check never becomes the snapshot,
/// whatever `INSTA_UPDATE` says; it waits in `.snap.new` for review.
#[derive(Debug, Clone)]
pub struct Snapshots {
    dir: PathBuf,
    absolute: PathBuf,
}

impl Snapshots {
    /// Snapshots under `dir` (created when needed); a relative `dir` is taken from the current
    /// directory.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let absolute = std::path::absolute(&dir).unwrap_or_else(|_| dir.clone());
        Self { dir, absolute }
    }

    /// The folder, as given.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot file of the trial `name` (`provider::check::subject`):
    /// `<dir>/<provider>/<check>__<subject>.snap`, with characters a file name cannot hold
    /// replaced by `.`.
    #[must_use]
    pub fn file(&self, name: &str) -> PathBuf {
        let (folder, stem) = split(name);
        self.dir.join(folder).join(format!("{stem}.snap"))
    }

    /// How to review this folder's pending transcripts. `cargo insta review` looks for them
    /// only inside the folders of cargo packages: the command is given for the package whose
    /// folder holds the transcripts (`--manifest-path` unless it is the current directory's);
    /// outside any package, the advice says how to get there.
    #[must_use]
    pub fn review_advice(&self) -> String {
        let cwd = std::env::current_dir().ok();
        let package = self
            .absolute
            .ancestors()
            .find(|dir| dir.join("Cargo.toml").is_file())
            .filter(|dir| {
                std::fs::read_to_string(dir.join("Cargo.toml"))
                    .is_ok_and(|manifest| manifest.lines().any(|l| l.trim() == "[package]"))
            });
        match package {
            Some(dir) if cwd.as_deref() == Some(dir) => {
                "review with `cargo insta review` (or `cargo insta accept`, `cargo insta reject`)"
                    .to_string()
            }
            Some(dir) => {
                let manifest = dir.join("Cargo.toml");
                let shown = cwd
                    .as_deref()
                    .and_then(|cwd| manifest.strip_prefix(cwd).ok())
                    .unwrap_or(&manifest);
                format!(
                    "review with `cargo insta review --manifest-path {}`",
                    shown.display()
                )
            }
            None => format!(
                "`cargo insta review` looks only inside cargo packages' folders, and {} is in none: keep transcripts in a package's folder (`--snapshots <package>/snapshots/conformance`) to review them there, or compare the .snap.new with its .snap by hand",
                self.dir.display()
            ),
        }
    }

    /// Compares the transcript of trial `name` with its snapshot, through insta (see
    /// [`Snapshots`]); `trial_failed` says whether the trial failed its check, in which case
    /// its transcript is never recorded as the snapshot. An error says what differs, where the
    /// new transcript waits and how to review it; insta prints the diff.
    pub fn check(&self, name: &str, transcript: &str, trial_failed: bool) -> Result<(), String> {
        let (folder, stem) = split(name);
        let folder = self.absolute.join(folder);
        let file = folder.join(format!("{stem}.snap"));
        let pending = folder.join(format!("{stem}.snap.new"));
        let shown = self.file(name);
        let baseline = std::fs::read(&file).ok();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&folder);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(name);
        let compared = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(stem.as_str(), transcript));
        }))
        .is_ok();
        let kept = if trial_failed {
            keep_baseline(&file, &pending, baseline.as_deref())
                .map_err(|e| format!("cannot keep the snapshot {}: {e}", shown.display()))?
        } else {
            false
        };
        let waiting = if pending.is_file() {
            format!(
                "; the new transcript waits in {}.new: {} (insta's advice to run `cargo insta test` does not apply: this run compared every trial), or rerun with INSTA_UPDATE=always to accept every change",
                shown.display(),
                self.review_advice()
            )
        } else {
            "; nothing was written (insta writes no pending file in CI or with INSTA_UPDATE=no): run it again locally to review".to_string()
        };
        match (compared, baseline.is_some()) {
            (true, _) if kept => Err(format!(
                "the trial failed, so its transcript does not replace {}{waiting}",
                shown.display()
            )),
            (true, _) => Ok(()),
            (false, true) => Err(format!(
                "{DIFFERS} {} (the diff is above){waiting}",
                shown.display()
            )),
            (false, false) => Err(format!("{NO_SNAPSHOT} ({}){waiting}", shown.display())),
        }
    }
}

/// After insta compared the transcript of a failed trial: if insta wrote it as the snapshot
/// (`INSTA_UPDATE=always` or `force`), it moves to `pending` and the `baseline` comes back (or,
/// with none, the file goes). Whether the snapshot had to be restored.
fn keep_baseline(file: &Path, pending: &Path, baseline: Option<&[u8]>) -> std::io::Result<bool> {
    let now = std::fs::read(file).ok();
    if now.as_deref() == baseline {
        return Ok(false);
    }
    if let Some(now) = now {
        std::fs::write(pending, now)?;
    }
    match baseline {
        Some(bytes) => std::fs::write(file, bytes)?,
        None => std::fs::remove_file(file)?,
    }
    Ok(true)
}

fn split(name: &str) -> (String, String) {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '.'
                }
            })
            .collect()
    };
    let mut parts = name.splitn(2, "::");
    let folder = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default().replace("::", "__");
    (clean(folder), clean(&rest))
}

/// The transcript of a trial: its exchanges in order.
#[must_use]
pub fn render(name: &str, entries: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{name}: {} exchanges", entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let _ = write!(out, "\n#{}\n{entry}", i + 1);
        if !entry.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorder_keeps_its_own_exchanges_with_placeholders() {
        let recorder = Recorder::new(true);
        recorder.record("made wh-123 at 127.0.0.1:4000".into());
        recorder.remember_id("wh-123");
        recorder.remember_as("127.0.0.1:4000", "{capture}");
        assert!(recorder.made_here("wh-123"));
        assert_eq!(recorder.len(), 1);
        assert_eq!(recorder.finish(), ["made [id 1] at {capture}"]);
    }

    #[test]
    fn an_unrendered_recorder_counts_without_rendering() {
        let recorder = Recorder::new(false);
        recorder.record_with(|| unreachable!("not rendered"));
        recorder.record("cheap".into());
        assert_eq!(recorder.finish(), ["", ""]);
    }

    #[test]
    fn trial_names_become_file_names() {
        let s = Snapshots::new("/tmp/x");
        assert_eq!(
            s.file("happycolis::edge::product/image/created"),
            PathBuf::from("/tmp/x/happycolis/edge__product.image.created.snap")
        );
    }
}
