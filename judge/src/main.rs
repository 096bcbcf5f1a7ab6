//! The `judge` command line: parses arguments, runs one subcommand, maps the outcome to an exit
//! code. Errors print as one line (`error: ...` with their causes) and never as a backtrace.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            cli::EXIT_ERROR
        }
    }
}
