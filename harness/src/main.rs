//! `webhook-harness`: the harness's commands as an installed binary (`cargo install --path
//! harness`), the same as `cargo xtask` in this repository.

fn main() -> std::process::ExitCode {
    webhook_harness::cli::run_as("webhook-harness", std::env::args_os())
}
