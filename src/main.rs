fn main() -> std::process::ExitCode {
    tasklint::cli::run()
}
