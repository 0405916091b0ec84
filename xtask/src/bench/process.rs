//! Subprocesses for the benchmarks: every one runs under a time limit, servers are killed when
//! their guard drops, and nothing a child prints can block it (its output is drained by
//! threads or goes to a file).

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A finished subprocess.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// From spawn to exit.
    pub wall: Duration,
}

impl Finished {
    /// The first `n` lines of stderr and stdout that start with `prefix` followed by text (not
    /// by the indentation of a stack trace or a dump), joined; else [`Self::tail`].
    pub fn lines_with(&self, prefix: &str, n: usize) -> String {
        let found: Vec<&str> = self
            .stderr
            .lines()
            .chain(self.stdout.lines())
            .filter(|line| {
                line.strip_prefix(prefix).is_some_and(|rest| {
                    rest.chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() || c == '\'')
                })
            })
            .take(n)
            .collect();
        if found.is_empty() {
            self.tail(n)
        } else {
            found.join(" / ")
        }
    }

    /// The last `n` non-empty lines of stderr, then of stdout: what to show when it failed.
    pub fn tail(&self, n: usize) -> String {
        let pick = |text: &str| {
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            lines[lines.len().saturating_sub(n)..].join(" / ")
        };
        let (err, out) = (pick(&self.stderr), pick(&self.stdout));
        match (err.is_empty(), out.is_empty()) {
            (false, _) => err,
            (true, false) => out,
            (true, true) => "no output".into(),
        }
    }
}

/// Runs `command` to its end with its output captured; kills it after `limit`.
pub fn run(command: &mut Command, limit: Duration) -> Result<Finished, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{program}` did not finish within {} s and was stopped",
                    limit.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for `{program}`: {e}")),
        }
    };
    let wall = started.elapsed();
    Ok(Finished {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        wall,
    })
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    })
}

/// A server subprocess, killed (and reaped) when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    name: String,
}

impl Server {
    /// Starts `command` with its output appended to `log` (stdout and stderr).
    pub fn spawn_logged(name: &str, command: &mut Command, log: &Path) -> Result<Self, String> {
        let file = std::fs::File::create(log)
            .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = file
            .try_clone()
            .map_err(|e| format!("cannot share {}: {e}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Self {
            child,
            name: name.into(),
        })
    }

    /// Starts `command` and returns it with the first line it prints on stdout (the rest of
    /// its stdout is read and dropped); fails if no line comes within `limit`.
    pub fn spawn_first_line(
        name: &str,
        command: &mut Command,
        limit: Duration,
    ) -> Result<(Self, String), String> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        let stdout = child.stdout.take();
        let mut server = Self {
            child,
            name: name.into(),
        };
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut lines = BufReader::new(stdout).lines();
            let _ = send.send(lines.next());
            for _ in lines {}
        });
        match receive.recv_timeout(limit) {
            Ok(Some(Ok(line))) => Ok((server, line)),
            Ok(_) => Err(format!(
                "{name} exited before printing its first line ({})",
                server.exit_note()
            )),
            Err(_) => Err(format!(
                "{name} printed nothing within {} s",
                limit.as_secs()
            )),
        }
    }

    /// The operating system's id of the process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until the server accepts connections on `port` of 127.0.0.1.
    pub fn wait_for_port(&mut self, port: u16, limit: Duration) -> Result<SocketAddr, String> {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited early ({status})", self.name));
            }
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return Ok(address);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "{} did not listen on {address} within {} s",
            self.name,
            limit.as_secs()
        ))
    }

    /// Peak resident memory so far (`VmHWM`), in KiB; `None` where /proc cannot tell.
    pub fn peak_memory_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        vm_hwm_kib(&status)
    }

    fn exit_note(&mut self) -> String {
        match self.child.try_wait() {
            Ok(Some(status)) => status.to_string(),
            _ => "still running".into(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmHWM` of a `/proc/<pid>/status` text, in KiB.
pub fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A port of 127.0.0.1 that was free a moment ago (bound with port 0, then released), for a
/// server that must be told its port.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_hwm() {
        let status = "Name:\tnode\nVmPeak:\t 1234 kB\nVmHWM:\t   88312 kB\nVmRSS:\t 80000 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(88312));
        assert_eq!(vm_hwm_kib("Name:\tx\n"), None);
    }

    #[test]
    fn a_slow_command_is_stopped() {
        let error = run(Command::new("sleep").arg("5"), Duration::from_millis(200))
            .expect_err("sleep 5 outlives 200 ms");
        assert!(error.contains("did not finish"), "{error}");
    }

    #[test]
    fn output_is_captured() {
        let done = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .expect("sh runs");
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(done.stdout, "out\n");
        assert_eq!(done.tail(2), "err");
    }

    #[test]
    fn picks_the_telling_lines() {
        let done = run(
            Command::new("sh").args([
                "-c",
                "echo 'npm error code ECONNREFUSED' >&2; echo 'npm error     at x' >&2; \
                 echo 'npm error }' >&2; echo 'npm error FetchError: refused' >&2; \
                 echo 'npm error If you are behind a proxy' >&2",
            ]),
            Duration::from_secs(10),
        )
        .expect("sh runs");
        assert_eq!(
            done.lines_with("npm error ", 2),
            "npm error code ECONNREFUSED / npm error FetchError: refused"
        );
        assert_eq!(
            done.lines_with("ERROR: ", 1),
            "npm error If you are behind a proxy"
        );
    }
}
