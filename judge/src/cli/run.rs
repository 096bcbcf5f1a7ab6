//! `judge run`: the nightly job in one command, from `judge.toml`: ingest new records, sample,
//! score, re-score the canaries, run the suites, update drift and the metrics file, write the
//! report.
//!
//! Each step is the documented subcommand, run in-process with the arguments the config
//! gives, and printed first, so a step can be replayed by hand exactly as the job ran it.
//! Every step is idempotent over the store (what is stored or scored is skipped), which is
//! what makes the next night process only what is new and a rerun after a crash continue.
//! A failing step does not stop the ones after it that do not depend on it: drift and the
//! report still run on what the store holds, so a dead agent endpoint never hides an alarm.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use judge::config::{self, Config};

use super::{Cli, EXIT_ERROR};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The job's settings (`judge init` writes a commented starter).
    #[arg(long, default_value = "judge.toml")]
    config: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the starter configuration.
    #[arg(long, default_value = "judge.toml")]
    config: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

/// Writes the commented starter `judge.toml`.
pub fn run_init(args: InitArgs) -> Result<ExitCode> {
    if args.config.exists() && !args.force {
        anyhow::bail!(
            "{} exists; pass --force to overwrite it",
            args.config.display()
        );
    }
    judge::output::write_atomically(&args.config, config::STARTER.as_bytes())?;
    println!(
        "wrote {}: set [input] records (and [[suite]] blocks), then run `judge run --config {}`",
        args.config.display(),
        args.config.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let config = config::load_config(&args.config)?;
    let steps = plan(&config, &args.config)?;
    let mut failed = Vec::new();
    let mut alarm = false;
    for step in &steps {
        if step.needs.iter().any(|need| failed.contains(need)) {
            eprintln!("judge run: skipping {} (a step it needs failed)", step.name);
            failed.push(step.name);
            continue;
        }
        eprintln!("judge run: {}", shell_words(&step.argv));
        let outcome = Cli::try_parse_from(&step.argv)
            .map_err(anyhow::Error::from)
            .and_then(super::run);
        match outcome {
            Ok(code) if code == ExitCode::SUCCESS => {}
            Ok(code) if code == ExitCode::from(super::drift::EXIT_ALARM) => alarm = true,
            Ok(_) => {
                eprintln!("judge run: step {} failed", step.name);
                failed.push(step.name);
            }
            Err(error) => {
                eprintln!("judge run: step {} failed: {error:#}", step.name);
                failed.push(step.name);
            }
        }
    }
    if !failed.is_empty() {
        eprintln!(
            "judge run: {} step(s) failed: {}",
            failed.len(),
            failed.join(", ")
        );
        return Ok(EXIT_ERROR);
    }
    Ok(if alarm {
        ExitCode::from(super::drift::EXIT_ALARM)
    } else {
        ExitCode::SUCCESS
    })
}

/// One subcommand of the job.
struct Step {
    name: &'static str,
    argv: Vec<OsString>,
    /// Steps that must have succeeded for this one to make sense.
    needs: Vec<&'static str>,
}

/// The job's steps, in order, from the config.
fn plan(config: &Config, config_path: &Path) -> Result<Vec<Step>> {
    let store = config
        .store
        .path
        .clone()
        .unwrap_or_else(|| relative_to(config_path, "judge.db"));
    let out_dir = config
        .output
        .dir
        .clone()
        .unwrap_or_else(|| relative_to(config_path, "out"));
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("creating the output folder {}", out_dir.display()))?;
    let metrics_file = config
        .output
        .metrics_file
        .clone()
        .unwrap_or_else(|| out_dir.join("judge.prom"));
    let inputs = expand_inputs(&config.input.records)?;

    let mut steps = Vec::new();
    let command = |words: &[&str]| -> Vec<OsString> {
        std::iter::once("judge")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect()
    };
    let with_store = |mut argv: Vec<OsString>| {
        argv.push("--store".into());
        argv.push(store.clone().into());
        argv
    };
    let model_args = |argv: &mut Vec<OsString>| {
        if let Some(name) = &config.model.name {
            argv.extend(["--model".into(), name.into()]);
        }
        if let Some(device) = &config.model.device {
            argv.extend(["--device".into(), device.into()]);
        }
    };
    // Without `rubrics_dir` and `JUDGE_RUBRICS_DIR`, a `rubrics/` beside the config file comes
    // before the working directory's: the deployment folder holds its own library.
    let beside_config = relative_to(config_path, "rubrics");
    let rubrics_dir = config.score.rubrics_dir.clone().or_else(|| {
        let env_unset = std::env::var_os(judge::folders::RUBRICS.env).is_none_or(|v| v.is_empty());
        (env_unset && beside_config.is_dir()).then_some(beside_config)
    });
    let rubrics_dir_args = |argv: &mut Vec<OsString>| {
        if let Some(dir) = &rubrics_dir {
            argv.extend(["--rubrics-dir".into(), dir.into()]);
        }
    };

    if !inputs.is_empty() {
        let mut argv = with_store(command(&["ingest", "--input"]));
        argv.splice(3..3, inputs.iter().map(OsString::from));
        steps.push(Step {
            name: "ingest",
            argv,
            needs: vec![],
        });
    }

    let rate = config.sample.rate.unwrap_or(0.1);
    if rate > 0.0 {
        let mut argv = with_store(command(&["sample", "--rate"]));
        argv.insert(3, rate.to_string().into());
        if let Some(stratify) = config.sample.stratify.as_deref().filter(|s| !s.is_empty()) {
            argv.extend(["--stratify".into(), stratify.into()]);
        } else if config.sample.stratify.is_none() {
            argv.extend(["--stratify".into(), "role".into()]);
        }
        argv.extend([
            "--seed".into(),
            config.sample.seed.unwrap_or(0).to_string().into(),
        ]);
        steps.push(Step {
            name: "sample",
            argv,
            needs: vec!["ingest"],
        });
    }

    for calibration in &config.calibrations {
        let mut argv = with_store(command(&[
            "calibrate",
            "--if-changed",
            "--rubric",
            &calibration.rubric,
        ]));
        if !calibration.labels.is_empty() {
            argv.push("--labels".into());
            argv.extend(calibration.labels.iter().map(OsString::from));
        }
        if calibration.labels_store.unwrap_or(false) {
            argv.extend(["--labels-store".into(), store.clone().into()]);
        }
        if let Some(group_by) = &calibration.group_by {
            argv.extend(["--group-by".into(), group_by.into()]);
        }
        if let Some(features) = &calibration.features {
            argv.extend(["--features".into(), features.into()]);
        }
        if let Some(import) = &calibration.import {
            argv.extend(["--import".into(), import.into()]);
        }
        model_args(&mut argv);
        rubrics_dir_args(&mut argv);
        // The human labels come with the records ingested tonight.
        let needs = if calibration.labels_store.unwrap_or(false) {
            vec!["ingest"]
        } else {
            vec![]
        };
        steps.push(Step {
            name: "calibrate",
            argv,
            needs,
        });
    }

    if !inputs.is_empty() {
        let mut argv = with_store(command(&["score", "--input"]));
        argv.splice(3..3, inputs.iter().map(OsString::from));
        model_args(&mut argv);
        rubrics_dir_args(&mut argv);
        for rubric in &config.score.rubrics {
            argv.extend(["--rubric".into(), rubric.into()]);
        }
        if let Some(batch_size) = config.model.batch_size {
            argv.extend(["--batch-size".into(), batch_size.to_string().into()]);
        }
        if config.score.only_sample.unwrap_or(false) {
            argv.push("--sample".into());
        }
        if let Some(band) = config.score.review_band.filter(|b| *b > 0.0) {
            argv.extend(["--review-band".into(), band.to_string().into()]);
        }
        steps.push(Step {
            name: "score",
            argv,
            needs: vec!["ingest"],
        });
    }

    if config.score.canary.unwrap_or(true) {
        let mut argv = with_store(command(&["canary"]));
        model_args(&mut argv);
        rubrics_dir_args(&mut argv);
        for rubric in &config.score.rubrics {
            argv.extend(["--rubric".into(), rubric.into()]);
        }
        steps.push(Step {
            name: "canary",
            argv,
            needs: vec![],
        });
    }

    for suite in &config.suites {
        let mut argv = with_store(command(&["suite", "run"]));
        argv.insert(3, suite.file.clone().into());
        match (&suite.agent_url, &suite.agent_cmd) {
            (Some(url), None) => argv.extend(["--agent-url".into(), url.into()]),
            (None, Some(cmd)) => argv.extend(["--agent-cmd".into(), cmd.into()]),
            _ => anyhow::bail!(
                "{}: [[suite]] {} needs exactly one of agent_url and agent_cmd",
                config_path.display(),
                suite.file.display()
            ),
        }
        if let Some(timeout) = suite.timeout {
            argv.extend(["--timeout".into(), timeout.to_string().into()]);
        }
        if let Some(concurrency) = suite.concurrency {
            argv.extend(["--concurrency".into(), concurrency.to_string().into()]);
        }
        model_args(&mut argv);
        rubrics_dir_args(&mut argv);
        steps.push(Step {
            name: "suite",
            argv,
            needs: vec![],
        });
    }

    let mut argv = with_store(command(&["drift", "--config"]));
    argv.insert(3, config_path.into());
    argv.extend([
        "--metrics-file".into(),
        metrics_file.into(),
        "--chart-dir".into(),
        out_dir.join("charts").into(),
    ]);
    steps.push(Step {
        name: "drift",
        argv,
        needs: vec![],
    });

    for format in ["html", "md", "json"] {
        let mut argv = with_store(command(&["report", "--format", format, "--config"]));
        argv.insert(5, config_path.into());
        argv.extend([
            "--out".into(),
            out_dir.join(format!("report-{{period}}.{format}")).into(),
        ]);
        steps.push(Step {
            name: "report",
            argv,
            needs: vec![],
        });
    }
    Ok(steps)
}

/// Record files: files as given, folders as their `*.jsonl` files in name order.
fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading the folder {}", path.display()))?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<std::io::Result<_>>()?;
            inside.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn relative_to(config_path: &Path, name: &str) -> PathBuf {
    config_path.parent().unwrap_or(Path::new("")).join(name)
}

/// The argv as a shell would need it, for the log.
fn shell_words(argv: &[OsString]) -> String {
    argv.iter()
        .map(|word| {
            let word = word.to_string_lossy();
            if word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:@".contains(c))
            {
                word.into_owned()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
