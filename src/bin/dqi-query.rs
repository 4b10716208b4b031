//! `dqi-query`: asks a hospital's devices one question and matches their answers against
//! advisories. See `dqi_agent::query` and the README's "For security analysts".

fn main() -> std::process::ExitCode {
    dqi_agent::query::cli::main()
}
