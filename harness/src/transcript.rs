//! Transcripts: what a trial sent and what it got back, normalised so that two runs with the
//! same seed give the same text, and kept as insta snapshots. A change of the target's
//! behaviour between runs then fails with a readable diff, accepted with `cargo insta review`.
//!
//! Recording is per thread: libtest-mimic runs each trial on one thread, and a trial's
//! requests are made from it (`block_on`), so [`capture`] collects exactly one trial's
//! exchanges.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What is being recorded on a thread: the entries, and whether they are rendered (or only
/// counted, when no snapshot will be compared).
struct Recording {
    entries: Vec<String>,
    render: bool,
}

thread_local! {
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Adds one exchange to the transcript being recorded on this thread, if any.
pub fn record(entry: String) {
    record_with(|| entry);
}

/// Adds the exchange `render` describes; it runs only when the transcript is rendered (an
/// exchange is counted either way).
pub fn record_with(render: impl FnOnce() -> String) {
    RECORDING.with(|r| {
        if let Some(recording) = r.borrow_mut().as_mut() {
            let entry = if recording.render {
                render()
            } else {
                String::new()
            };
            recording.entries.push(entry);
        }
    });
}

/// Runs `f`, recording the exchanges it makes on this thread.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
    capture_as(true, f)
}

/// Runs `f`, recording the exchanges it makes on this thread: rendered if `render`, else
/// only counted (empty entries).
pub fn capture_as<R>(render: bool, f: impl FnOnce() -> R) -> (R, Vec<String>) {
    let outer = RECORDING.with(|r| {
        r.borrow_mut().replace(Recording {
            entries: Vec::new(),
            render,
        })
    });
    let result = f();
    let recording = RECORDING.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer));
    (result, recording.map(|r| r.entries).unwrap_or_default())
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

/// Where a run keeps its transcripts: one insta snapshot per trial.
#[derive(Debug, Clone)]
pub struct Snapshots {
    dir: PathBuf,
}

impl Snapshots {
    /// Snapshots under `dir` (created when needed).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
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

    /// Compares the transcript of trial `name` with its snapshot. With no snapshot yet, the
    /// transcript becomes it (the first run records the baseline). A difference is an error
    /// naming the file; insta prints the diff and, outside CI, writes `<file>.new` for
    /// `cargo insta review`.
    pub fn check(&self, name: &str, transcript: &str) -> Result<(), String> {
        let (folder, stem) = split(name);
        let folder = self.dir.join(folder);
        let file = folder.join(format!("{stem}.snap"));
        if !file.exists() {
            std::fs::create_dir_all(&folder)
                .and_then(|()| {
                    std::fs::write(
                        &file,
                        format!(
                            "---\nsource: harness/src/transcript.rs\ndescription: \"{name}\"\nexpression: transcript\n---\n{}\n",
                            transcript.trim_end()
                        ),
                    )
                })
                .map_err(|e| format!("cannot record the transcript {}: {e}", file.display()))?;
            return Ok(());
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(&folder);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(name);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(stem.as_str(), transcript));
        }));
        outcome.map_err(|_| {
            format!(
                "the transcript differs from its snapshot {} (the diff is above; accept the new behaviour with `cargo insta review`, or delete the file to record it again)",
                file.display()
            )
        })
    }
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
    fn capture_collects_only_its_own_exchanges() {
        record("before".into());
        let ((), entries) = capture(|| {
            record("one".into());
            let ((), inner) = capture(|| record("inner".into()));
            assert_eq!(inner, ["inner"]);
            record("two".into());
        });
        assert_eq!(entries, ["one", "two"]);
    }

    #[test]
    fn an_unrendered_capture_counts_without_rendering() {
        let ((), entries) = capture_as(false, || {
            record_with(|| unreachable!("not rendered"));
            record("cheap".into());
        });
        assert_eq!(entries, ["", ""]);
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
