//! `judge suite list|check|run|runs|show`: behavioral suites, run against the live agent,
//! judged, stored and reported.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use engine::DeviceChoice;
use judge::agent::{Adapter, AgentConfig, CommandMode};
use judge::judge_model::JudgeModel;
use judge::rubrics::{self, Rubric};
use judge::store::Store;
use judge::suite_runs::{self, CaseOutcome, Judge, SuiteRun};
use judge::suites;
use judge::trained::Artifact;

/// Exit code of `judge suite run --fail-on-agent-errors` when an agent failed on a case.
pub const EXIT_AGENT_FAILURES: u8 = 4;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The suites of the folder: id, version, role, cases, baseline.
    List {
        #[arg(long, env = "JUDGE_SUITES_DIR")]
        suites_dir: Option<PathBuf>,
    },
    /// Validate suite files (every suite of the folder when none is given), their rubrics
    /// against the library.
    Check {
        files: Vec<PathBuf>,
        #[arg(long, env = "JUDGE_SUITES_DIR")]
        suites_dir: Option<PathBuf>,
        #[arg(long, env = "JUDGE_RUBRICS_DIR")]
        rubrics_dir: Option<PathBuf>,
    },
    /// Run a suite against the live agent, judge the replies, store the run.
    Run(Box<RunArgs>),
    /// The stored suite runs, oldest first.
    Runs {
        /// Only this suite's runs.
        #[arg(long)]
        suite: Option<String>,
        #[arg(long, default_value = "judge.db")]
        store: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// One stored run, case by case.
    Show {
        run: i64,
        #[arg(long, default_value = "judge.db")]
        store: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("agent").required(true).args(["agent_url", "agent_cmd"])))]
pub struct RunArgs {
    /// A suite file, or the id of a suite in the suites folder.
    suite: String,
    /// An OpenAI-compatible chat-completions endpoint (`http://host:port`, `.../v1`, or the
    /// full `.../chat/completions` URL).
    #[arg(long)]
    agent_url: Option<String>,
    /// A program (run with `sh -c`) that reads one JSON case on stdin and writes one JSON
    /// reply on stdout.
    #[arg(long)]
    agent_cmd: Option<String>,
    /// `per-case`: one process per case; `lines`: one long-running process per worker, one
    /// JSON line in and one out per case.
    #[arg(long, value_enum, default_value_t = CmdMode::PerCase)]
    agent_cmd_mode: CmdMode,
    /// The `model` field of chat-completions requests.
    #[arg(long, default_value = "agent")]
    agent_model: String,
    /// The tool name whose call means the agent escalated (chat-completions agents).
    #[arg(long, default_value = "escalate")]
    escalation_tool: String,
    /// Seconds one attempt at one case may take.
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// Further attempts after a connection error, a timeout, HTTP 429 or 5xx.
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// The largest reply output taken, in bytes; a longer one is an agent error, and an
    /// agent that writes without end is stopped a little past it.
    #[arg(long, default_value_t = judge::agent::DEFAULT_MAX_REPLY_BYTES)]
    max_reply_bytes: usize,
    /// Cases sent to the agent at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Exit with 4 when the agent failed or timed out on any case.
    #[arg(long)]
    fail_on_agent_errors: bool,
    /// Print the run as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Judge model: a manifest name, a path to a .gguf file, or hf:OWNER/REPO/FILE.gguf.
    #[arg(long)]
    model: Option<String>,
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    #[arg(long, env = "JUDGE_SUITES_DIR")]
    suites_dir: Option<PathBuf>,
    #[arg(long, env = "JUDGE_RUBRICS_DIR")]
    rubrics_dir: Option<PathBuf>,
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CmdMode {
    PerCase,
    Lines,
}

pub fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::List { suites_dir } => {
            for suite in suites::load_suites(&suites_dir_or_default(suites_dir))? {
                println!(
                    "{:<20} v{:<3} {:<12} {:>3} cases  baseline {:<6} {}",
                    suite.id,
                    suite.version,
                    suite.role,
                    suite.cases.len(),
                    suite.baseline.map_or("-".into(), |b| format!("{b}")),
                    suite.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            files,
            suites_dir,
            rubrics_dir,
        } => {
            let library = library(rubrics_dir)?;
            let all = if files.is_empty() {
                suites::load_suites(&suites_dir_or_default(suites_dir))?
            } else {
                files
                    .iter()
                    .map(|f| suites::load_suite(f))
                    .collect::<Result<Vec<_>>>()?
            };
            for suite in &all {
                suites::check_suite(suite, &library)?;
                println!(
                    "ok  {} v{} ({} cases, {})",
                    suite.id,
                    suite.version,
                    suite.cases.len(),
                    suite.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => run_suite(*args),
        Command::Runs { suite, store, json } => {
            let mut store = Store::open_read_only(&store)?;
            let runs = suite_runs::suite_runs(&mut store, suite.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&runs)?);
            } else {
                for run in &runs {
                    print_counts_line(run);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { run, store, json } => {
            let mut store = Store::open_read_only(&store)?;
            let Some(run) = suite_runs::suite_run(&mut store, run)? else {
                bail!("there is no suite run {run} in {}", store.path().display());
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&run)?);
            } else {
                print_run(&run);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_suite(args: RunArgs) -> Result<ExitCode> {
    let suite = suites::resolve_suite(&args.suite, &suites_dir_or_default(args.suites_dir))?;
    let library = library(args.rubrics_dir)?;
    suites::check_suite(&suite, &library)?;
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        bail!("--timeout must be a positive number of seconds");
    }
    let adapter = match (args.agent_url, args.agent_cmd) {
        (Some(url), _) => Adapter::Http {
            url,
            model: args.agent_model,
            retries: args.retries,
            escalation_tool: args.escalation_tool,
        },
        (None, Some(command)) => Adapter::Command {
            command,
            mode: match args.agent_cmd_mode {
                CmdMode::PerCase => CommandMode::PerCase,
                CmdMode::Lines => CommandMode::Lines,
            },
        },
        (None, None) => bail!("give --agent-url or --agent-cmd"),
    };
    let agent = AgentConfig {
        adapter,
        timeout: Duration::from_secs_f64(args.timeout),
        max_reply_bytes: args.max_reply_bytes,
    };
    agent.validate()?;

    let mut store = Store::open(&args.store)?;
    // The judge is loaded before the agent is asked, so that a missing model costs no agent
    // calls; a suite whose cases check only escalations needs none.
    let needs_judge = suite.cases.iter().any(|c| !c.rubrics.is_empty());
    let loaded = if needs_judge {
        Some(load_judge(
            &mut store,
            args.model.as_deref(),
            args.device,
            &suite.rubrics(&library),
        )?)
    } else {
        None
    };
    let description = agent.describe();
    let run_id = suite_runs::start_suite_run(&mut store, &suite, &description)?;
    eprintln!(
        "suite {} v{}: run {run_id}, {} case(s) against {description}",
        suite.id,
        suite.version,
        suite.cases.len()
    );
    let outcome = (|| -> Result<_> {
        let answers =
            suite_runs::ask_agent(
                &suite,
                &agent,
                args.concurrency,
                |case, answer| match &answer.result {
                    Ok(_) => eprintln!("  {:<28} replied in {} ms", case.id, answer.latency_ms),
                    Err(failure) => {
                        eprintln!("  {:<28} agent failure: {}", case.id, failure.message)
                    }
                },
            );
        let judge = loaded.as_ref().map(|(model, fingerprint, trained)| Judge {
            model,
            fingerprint,
            trained,
        });
        let results = suite_runs::judge_answers(
            &suite,
            run_id,
            &description,
            &answers,
            &library,
            judge.as_ref(),
        )?;
        let fingerprint = judge.as_ref().map(|j| j.fingerprint);
        suite_runs::finish_suite_run(&mut store, run_id, fingerprint, &results)
    })();
    let counts = match outcome {
        Ok(counts) => counts,
        Err(error) => {
            suite_runs::fail_suite_run(&mut store, run_id)?;
            return Err(error.context(format!("suite run {run_id} failed")));
        }
    };
    let run = suite_runs::suite_run(&mut store, run_id)?.context("the run just stored")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&run)?);
    } else {
        print_run(&run);
    }
    if args.fail_on_agent_errors && counts.agent_failures() > 0 {
        return Ok(ExitCode::from(EXIT_AGENT_FAILURES));
    }
    Ok(ExitCode::SUCCESS)
}

/// The judge model, its zero-shot fingerprint (registered in the store), and the active
/// trained judges of the suite's rubrics (refused when stale, as in `judge score`).
fn load_judge(
    store: &mut Store,
    model: Option<&str>,
    device: DeviceChoice,
    rubrics: &[&Rubric],
) -> Result<(JudgeModel, String, BTreeMap<String, Artifact>)> {
    let device = engine::select_device(device)?;
    let path = judge::models::resolve_or_default(model)?;
    let model = JudgeModel::load(&path, &device)?;
    let info = model.judge_info()?;
    store.register_judge(&info)?;
    let mut trained = BTreeMap::new();
    for rubric in rubrics {
        store.pin_rubric(rubric)?;
        if let Some(artifact) = judge::trained::for_rubric(store, rubric, &info)? {
            trained.insert(rubric.id.clone(), artifact);
        }
    }
    Ok((model, info.fingerprint, trained))
}

fn print_run(run: &SuiteRun) {
    println!("{:<28} {:<13} {:>8}  detail", "case", "outcome", "ms");
    for result in &run.results {
        let detail = match result.outcome {
            CaseOutcome::Fail => result.failed_checks.clone().unwrap_or_default(),
            CaseOutcome::AgentError | CaseOutcome::AgentTimeout => {
                result.error.clone().unwrap_or_default()
            }
            _ => String::new(),
        };
        println!(
            "{:<28} {:<13} {:>8}  {}",
            result.case_id,
            result.outcome.as_str(),
            result.latency_ms,
            detail
        );
    }
    print_counts_line(run);
}

fn print_counts_line(run: &SuiteRun) {
    let c = &run.counts;
    let rate = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{:.1}%", 100.0 * r));
    println!(
        "run {} suite {} v{} ({}, {}): {} cases, {} pass, {} fail, {} agent errors, {} agent \
         timeouts, {} too long; pass rate {} (baseline {})",
        run.id,
        run.suite_id,
        run.suite_version,
        run.started_at,
        run.status,
        c.n_cases,
        c.n_pass,
        c.n_fail,
        c.n_agent_error,
        c.n_agent_timeout,
        c.n_too_long,
        rate(c.pass_rate()),
        rate(run.baseline)
    );
}

fn suites_dir_or_default(dir: Option<PathBuf>) -> PathBuf {
    dir.unwrap_or_else(suites::default_suites_dir)
}

fn library(dir: Option<PathBuf>) -> Result<Vec<Rubric>> {
    rubrics::load_library(&dir.unwrap_or_else(rubrics::default_rubrics_dir))
}
