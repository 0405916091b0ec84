//! A progress line for runs that take a while: on a terminal, once a run has lasted a second,
//! standard error shows how many trials are done and how many failed, redrawn a few times a
//! second until the last trial ends. Nothing is drawn when standard error is not a terminal
//! (CI logs, pipes, files) or for output formats other than libtest's default.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, FormatSetting, Trial};

use super::Journal;

/// How long a run goes before the line appears, and how often it is redrawn.
const DELAY: Duration = Duration::from_secs(1);
const EVERY: Duration = Duration::from_millis(250);

/// The progress line of one run; it stops when dropped.
#[derive(Debug)]
pub struct Progress {
    stop: Arc<AtomicBool>,
    drawer: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the line for `trials` run with `args`, if it is wanted: standard error is a
    /// terminal (and not a dumb one) and [`Progress::wanted`] says yes.
    #[must_use]
    pub fn start(args: &Arguments, trials: &[Trial], journal: &Arc<Journal>) -> Self {
        let terminal = std::io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|term| term != "dumb");
        let threads = args.test_threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let stop = Arc::new(AtomicBool::new(false));
        if !(terminal && Self::wanted(args, threads)) {
            return Self { stop, drawer: None };
        }
        let total = trials.iter().filter(|t| !args.is_filtered_out(t)).count();
        let journal = Arc::clone(journal);
        let stopped = Arc::clone(&stop);
        let started = Instant::now();
        let drawer = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(EVERY);
                    let (done, failed) = journal.counts();
                    if done >= total {
                        break;
                    }
                    if started.elapsed() >= DELAY && !stopped.load(Ordering::Relaxed) {
                        let mut err = std::io::stderr().lock();
                        // Drawn from the line's start, the cursor left there: the next line
                        // libtest prints (always longer) overwrites it.
                        let _ = write!(err, "{}\r", line(done, total, failed, started.elapsed()));
                        let _ = err.flush();
                    }
                }
            })
            .ok();
        Self { stop, drawer }
    }

    /// Whether a run with `args` on `threads` threads gets a progress line: not for `--list`,
    /// `--quiet`, the terse or JSON formats, nor with one thread (libtest then prints each
    /// trial's name before it runs, which is progress already, and which a redrawn line would
    /// overwrite).
    #[must_use]
    pub fn wanted(args: &Arguments, threads: usize) -> bool {
        !args.list
            && !args.quiet
            && matches!(args.format, None | Some(FormatSetting::Pretty))
            && threads > 1
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

/// The text of the line: `running: 42/150 trials done, 3 failed, 12 s`.
#[must_use]
pub fn line(done: usize, total: usize, failed: usize, elapsed: Duration) -> String {
    let failed = match failed {
        0 => String::new(),
        n => format!(", {n} failed"),
    };
    format!(
        "running: {done}/{total} trials done{failed}, {} s",
        elapsed.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_trials_and_failures() {
        assert_eq!(
            line(42, 150, 3, Duration::from_millis(12_400)),
            "running: 42/150 trials done, 3 failed, 12 s"
        );
        assert_eq!(
            line(1, 2, 0, Duration::from_secs(1)),
            "running: 1/2 trials done, 1 s"
        );
    }

    #[test]
    fn only_libtest_s_default_output_on_several_threads_gets_a_line() {
        let default = Arguments::default();
        assert!(Progress::wanted(&default, 2));
        assert!(!Progress::wanted(&default, 1));
        for args in [
            Arguments {
                list: true,
                ..Arguments::default()
            },
            Arguments {
                quiet: true,
                ..Arguments::default()
            },
            Arguments {
                format: Some(FormatSetting::Json),
                ..Arguments::default()
            },
        ] {
            assert!(!Progress::wanted(&args, 4));
        }
    }
}
