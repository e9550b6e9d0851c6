//! `hardwire`: offline triage of captures (`read`), the SPAN-port daemon (`live`), and the
//! tools around them (`rules`, `check-config`, `fetch` from a fleet's broker).

mod capture;
mod cli;
mod fetch;
mod live;
mod metrics;
mod progress;
mod read;
mod replay;
mod report;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Read(args) => read::run(args),
        cli::Command::Live(args) => live::run(args),
        cli::Command::Report(args) => report::run(args),
        cli::Command::Rules => cli::print_rules(),
        cli::Command::Fetch { sources } => fetch::run(&sources),
        cli::Command::CheckConfig { file } => cli::check_config(&file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("hardwire: {message}");
            ExitCode::FAILURE
        }
    }
}
