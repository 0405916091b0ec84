fn main() -> std::process::ExitCode {
    webhook_harness::cli::run(std::env::args_os())
}
