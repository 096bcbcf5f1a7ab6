//! Subcommands of the `judge` binary, one module each; exit codes are decided here and nowhere
//! else.

mod bench;
mod calibrate;
mod canary;
mod drift;
mod drift_tools;
mod ingest;
mod labels;
mod ledger;
mod logprobs;
mod models;
mod report;
mod rubric;
mod run;
mod sample;
mod score;
mod store_cmd;
mod suite;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Exit code of any error: bad input, missing model, failed run.
pub const EXIT_ERROR: ExitCode = ExitCode::FAILURE;

#[derive(Debug, Parser)]
#[command(
    name = "judge",
    version,
    about = "A self-hosted behavioral judge for production AI agents"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Token ids of a text and the model's most likely next tokens after it.
    Logprobs(logprobs::Args),
    /// The model cache: list, fetch and verify the models of the manifest.
    #[command(subcommand)]
    Models(models::Command),
    /// The rubric library: list, check, and show the prompt a record becomes.
    #[command(subcommand)]
    Rubric(rubric::Command),
    /// Score records against the rubrics that apply to their roles, into the store.
    Score(score::Args),
    /// Store records without scoring them.
    Ingest(ingest::Args),
    /// CUSUM drift detection on every stream of the store; exits with 3 when a stream is in
    /// alarm.
    Drift(drift::Args),
    /// Record a human decision (on an alarm, a record's verdict or a suite run) in the
    /// hash-chained ledger; a decision on an alarm acknowledges it.
    Decide(ledger::DecideArgs),
    /// The decision ledger: export it, verify its hash chain, list the decisions owed.
    #[command(subcommand)]
    Ledger(ledger::Command),
    /// Behavioral suites: list and check them, run one against the live agent, show stored
    /// runs.
    #[command(subcommand)]
    Suite(suite::Command),
    /// The nightly job from judge.toml: ingest, sample, score, canaries, suites, drift,
    /// metrics, report. Exits 3 when a stream is in alarm, 1 when a step failed.
    Run(run::Args),
    /// Write a commented starter judge.toml.
    Init(run::InitArgs),
    /// Train a judge for one rubric from labeled records (a probe on the model's hidden
    /// state, or Platt scaling); `judge score` then uses it for that rubric.
    Calibrate(calibrate::CalibrateArgs),
    /// Cross-validated agreement with human labels: zero-shot, Platt, probe and a TF-IDF
    /// baseline, with bootstrap intervals, for one or several judge models.
    Agreement(calibrate::AgreementArgs),
    /// Re-score each rubric's frozen canary set; its agreement is the drift stream canary/ID.
    Canary(canary::Args),
    /// The report on a period as one self-contained HTML page, Markdown or JSON: pass rates,
    /// escalations, CUSUM charts, open alarms, decisions and what is still undocumented.
    Report(report::Args),
    /// Draw a deterministic (optionally stratified) sample of the stored records into the
    /// review queue; `sample export` writes the queue for human review.
    Sample(sample::Args),
    /// Human labels: import the verdicts of a reviewed export.
    #[command(subcommand)]
    Labels(labels::Command),
    /// Store maintenance: merge the stores of sharded scoring runs.
    #[command(subcommand)]
    Store(store_cmd::Command),
    /// Judge throughput on this machine: load time, prefill, scoring pairs/s at several batch
    /// sizes with and without the shared prefix, peak memory; a standard built-in workload.
    Bench(bench::Args),
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Logprobs(args) => logprobs::run(args),
        Command::Models(command) => models::run(command),
        Command::Rubric(command) => rubric::run(command),
        Command::Score(args) => score::run(args),
        Command::Ingest(args) => ingest::run(args),
        Command::Drift(args) => drift::run(args),
        Command::Decide(args) => ledger::run_decide(args),
        Command::Ledger(command) => ledger::run(command),
        Command::Suite(command) => suite::run(command),
        Command::Run(args) => run::run(args),
        Command::Init(args) => run::run_init(args),
        Command::Calibrate(args) => calibrate::run_calibrate(args),
        Command::Agreement(args) => calibrate::run_agreement(args),
        Command::Canary(args) => canary::run(args),
        Command::Report(args) => report::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Labels(command) => labels::run(command),
        Command::Store(command) => store_cmd::run(command),
        Command::Bench(args) => bench::run(args),
    }
}

/// Where rejected input lines go by default: `<store>.rejects.jsonl`, next to the store.
fn rejects_path(store: &std::path::Path) -> std::path::PathBuf {
    let name = store
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "judge".into());
    store.with_file_name(format!("{name}.rejects.jsonl"))
}
