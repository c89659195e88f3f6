//! Thin entry point: parse the command line, run, map the outcome to an exit code.

use clap::Parser;

fn main() {
    let cli = rdbtune::commands::cli::Cli::parse();
    match rdbtune::commands::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!(
                "error: {}",
                rdbtune::engine::config::one_line(&e.to_string())
            );
            std::process::exit(e.exit_code());
        }
    }
}
