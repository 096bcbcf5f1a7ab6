//! `judge score`: every record against every rubric that applies to its role, into the store,
//! committed batch by batch.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use engine::DeviceChoice;
use indicatif::{ProgressBar, ProgressStyle};
use judge::judge_model::JudgeModel;
use judge::records::{self, LoadedRecords, Record, RecordLimits};
use judge::review::{self, QueueScope};
use judge::rubrics::{self, Rubric};
use judge::sampling;
use judge::scoring::{PreparedRubric, ScoringConfig};
use judge::store::{RunCounts, ScoreRow, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Records (JSONL, one agent output a line).
    #[arg(long, required = true, num_args = 1..)]
    input: Vec<PathBuf>,
    /// Score only these rubrics (ids); every rubric of the library by default.
    #[arg(long)]
    rubric: Vec<String>,
    /// The rubric library folder.
    #[arg(long, env = "JUDGE_RUBRICS_DIR")]
    rubrics_dir: Option<PathBuf>,
    /// Model: a manifest name, a path to a .gguf file, or hf:OWNER/REPO/FILE.gguf.
    #[arg(long)]
    model: Option<String>,
    /// The SQLite store.
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    /// Also write this run's scores for the input records as JSONL.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where rejected lines go, with their reasons (default: next to the store).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Abort before scoring when any line is rejected.
    #[arg(long)]
    strict: bool,
    /// Rescore pairs already in the store.
    #[arg(long)]
    force: bool,
    /// Write every scored pair's prompt as token ids (JSONL), for side-by-side checks with
    /// other tools (benches/score_vs_llama_cpp.py).
    #[arg(long)]
    prompts_out: Option<PathBuf>,
    /// Most rows in one forward pass (results do not depend on it).
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Score only the pairs in the review queue (`judge sample`); every input record is still
    /// stored.
    #[arg(long)]
    sample: bool,
    /// Take only shard I of N (0-based, I < N): the records whose id hashes to it, a split that
    /// is the same on every machine. Only they are stored and scored, so the N stores are
    /// disjoint and `judge store merge` combines them.
    #[arg(long, value_parser = sampling::parse_shard, value_name = "I/N")]
    shard: Option<(u32, u32)>,
    /// Uncertainty routing: pairs whose P(pass) is within this distance of the rubric's
    /// threshold go to the review queue (reason `uncertain`), where a label teaches the most.
    #[arg(long, value_name = "DISTANCE")]
    review_band: Option<f64>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(band) = args.review_band {
        anyhow::ensure!(
            band.is_finite() && band > 0.0 && band < 1.0,
            "--review-band must be between 0 and 1, got {band}"
        );
    }
    let started = Instant::now();
    let mut loaded = records::load_records(&args.input, &RecordLimits::default())?;
    let rejects_path = args
        .rejects
        .clone()
        .unwrap_or_else(|| super::rejects_path(&args.store));
    if loaded.records.is_empty() {
        // An empty input is an upstream failure more often than a quiet day: say so.
        report_rejects(&loaded, &rejects_path, false)?;
        bail!(
            "no record to score in {}{}",
            args.input
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if loaded.rejects.is_empty() {
                ": the input is empty".to_string()
            } else {
                format!(
                    ": all {} line(s) were rejected, reasons in {}",
                    loaded.rejects.len(),
                    rejects_path.display()
                )
            }
        );
    }
    if let Some((index, n_shards)) = args.shard {
        let n_input = loaded.records.len();
        loaded
            .records
            .retain(|(_, r)| sampling::shard_of(&r.id, n_shards) == index);
        eprintln!(
            "shard {index}/{n_shards}: {} of {n_input} record(s)",
            loaded.records.len()
        );
    }
    report_rejects(&loaded, &rejects_path, args.strict)?;

    let library = rubrics::load_library_skipping_broken(
        &args
            .rubrics_dir
            .clone()
            .unwrap_or_else(rubrics::default_rubrics_dir),
    )?;
    // One broken rubric file does not stop the others, unless --strict.
    for error in &library.broken {
        if args.strict {
            bail!("{error:#} (--strict is set: nothing was scored)");
        }
        eprintln!("skipping a rubric file that does not load: {error:#}");
    }
    let selected = select_rubrics(&library.rubrics, &args.rubric).map_err(|error| {
        if library.broken.is_empty() {
            error
        } else {
            anyhow::anyhow!(
                "{error:#}; {} rubric file(s) of the library did not load (see above)",
                library.broken.len()
            )
        }
    })?;

    // The model before the store: a model that cannot be loaded leaves no store or run behind.
    let device = engine::select_device(args.device)?;
    let model_path = judge::models::resolve_or_default(args.model.as_deref())?;
    let model = JudgeModel::load(&model_path, &device)?;
    let judge_info = model.judge_info()?;

    let mut store = Store::open(&args.store)?;
    // One scoring run per store at a time; holding the claim also shows that any run still
    // marked `running` was killed, and it is marked failed.
    let (_claim, n_stale) = store.claim_scoring()?;
    if n_stale > 0 {
        eprintln!(
            "{n_stale} earlier run(s) in {} had stopped without finishing (killed?): marked failed",
            args.store.display()
        );
    }
    // A line whose id is stored with other content is a reject too: its score would be stored
    // against the stored content.
    let conflicts = store.take_conflicts(&mut loaded.records)?;
    if !conflicts.is_empty() {
        loaded.rejects.extend(conflicts);
        report_rejects(&loaded, &rejects_path, args.strict)?;
    }
    let run_id = store.start_run(&std::env::args().collect::<Vec<_>>().join(" "))?;
    let input_records: Vec<&Record> = loaded.records.iter().map(|(_, r)| r).collect();
    let mut n_scored = 0;
    let mut n_skipped = 0;
    // Everything that can fail once the run is recorded: a failure marks the run failed.
    let work = (|| -> Result<Vec<RubricPlan>> {
        store.ingest_records(&loaded.records)?;

        let queue = if args.sample {
            let scope = QueueScope::new(&review::queue(&mut store)?);
            if scope.is_empty() {
                eprintln!(
                    "the review queue of {} is empty (run `judge sample` first): nothing to score",
                    args.store.display()
                );
            }
            Some(scope)
        } else {
            None
        };

        store.register_judge(&judge_info)?;

        // The work: per rubric, the input records it applies to and that are not scored yet.
        let mut plan: Vec<RubricPlan> = Vec::new();
        for rubric in &selected {
            store.pin_rubric(rubric)?;
            let prepared = PreparedRubric::new(&model, rubric)?;
            // A rubric with a trained judge is scored by it, under its own fingerprint.
            let trained = judge::trained::for_rubric(&mut store, rubric, &judge_info)?;
            let fingerprint = trained
                .as_ref()
                .map_or_else(|| judge_info.fingerprint.clone(), |a| a.fingerprint.clone());
            let done = if args.force {
                Default::default()
            } else {
                store.scored_record_ids(&rubric.id, rubric.version, &fingerprint)?
            };
            let todo: Vec<&Record> = input_records
                .iter()
                .copied()
                .filter(|r| rubric.applies_to(&r.role))
                .filter(|r| queue.as_ref().is_none_or(|q| q.contains(&r.id, &rubric.id)))
                .filter(|r| {
                    let skip = done.contains(&r.id);
                    n_skipped += skip as usize;
                    !skip
                })
                .collect();
            plan.push(RubricPlan {
                prepared,
                trained,
                fingerprint,
                todo,
            });
        }
        let n_todo: usize = plan.iter().map(|p| p.todo.len()).sum();
        // Nothing is dropped silently: say so when records have a role no selected rubric judges.
        let unjudged = input_records
            .iter()
            .filter(|r| !selected.iter().any(|rubric| rubric.applies_to(&r.role)))
            .count();
        if unjudged > 0 {
            eprintln!(
            "{unjudged} record(s) stored but not scored: no selected rubric applies to their role"
        );
        }
        if let Some(path) = &args.prompts_out {
            write_prompts(path, &model, &plan)?;
        }

        let mut progress = Progress::new(n_todo as u64);
        let config = ScoringConfig {
            max_batch_rows: args.batch_size.max(1),
            ..ScoringConfig::default()
        };
        for step in &plan {
            let rubric = step.prepared.rubric;
            judge::trained::score_rubric(
                &model,
                &step.prepared,
                &step.todo,
                &config,
                step.trained.as_ref(),
                |batch| {
                    let rows: Vec<ScoreRow> = batch
                        .iter()
                        .cloned()
                        .map(|s| s.into_row(rubric, &step.fingerprint))
                        .collect();
                    store.insert_scores(&rows, Some(run_id), args.force)?;
                    n_scored += rows.len();
                    progress.inc(rows.len() as u64);
                    Ok(())
                },
            )?;
        }
        progress.finish();
        Ok(plan)
    })();

    let counts = RunCounts {
        n_records: loaded.records.len(),
        n_rejected: loaded.rejects.len(),
        n_scored,
        n_skipped,
    };
    let plan = match work {
        Ok(plan) => plan,
        Err(error) => {
            // The error that stopped the run is the one to report.
            let _ = store.finish_run(run_id, "failed", counts);
            return Err(error);
        }
    };
    store.finish_run(run_id, "done", counts)?;
    // One read of the scores serves both the --out file and the summary.
    let scores = this_judges_scores(&store, &input_records, &plan)?;
    if let Some(out) = &args.out {
        write_scores(out, &scores)?;
    }
    if let Some(band) = args.review_band {
        // From the stored scores, not this run's: a rerun after a crash routes what the crashed
        // run scored too.
        let uncertain: Vec<(&str, &str)> = scores
            .iter()
            .filter_map(|row| {
                let threshold = selected.iter().find(|r| r.id == row.rubric_id)?.threshold;
                let p = row.p_pass?;
                ((p - threshold).abs() < band)
                    .then_some((row.record_id.as_str(), row.rubric_id.as_str()))
            })
            .collect();
        let added = review::enqueue_uncertain(&mut store, &uncertain)?;
        eprintln!(
            "{} pair(s) within {band} of their threshold, {added} newly queued for review",
            uncertain.len()
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "scored {n_scored} pair(s), skipped {n_skipped} already scored, {} record(s) rejected; \
         {:.1} s ({:.2} pairs/s); judge {}; store {}",
        loaded.rejects.len(),
        seconds,
        n_scored as f64 / seconds,
        judges_used(&judge_info.fingerprint, &plan),
        args.store.display()
    );
    print_summary(&scores, &selected);
    Ok(ExitCode::SUCCESS)
}

/// Prints the first rejects and writes them all to `path` (removing the file when there are
/// none); with `strict`, then fails.
fn report_rejects(loaded: &LoadedRecords, path: &Path, strict: bool) -> Result<()> {
    if loaded.rejects.is_empty() {
        // The file describes the latest run's rejects: one left by an earlier run would read
        // as this run's.
        if path.is_file() {
            std::fs::remove_file(path).with_context(|| {
                format!("removing {}, the rejects of an earlier run", path.display())
            })?;
        }
        return Ok(());
    }
    for reject in loaded.rejects.iter().take(5) {
        eprintln!("rejected: {}", reject.describe());
    }
    records::write_rejects(path, &loaded.rejects)?;
    if strict {
        bail!(
            "{} line(s) rejected and --strict is set: nothing was scored (first: {}; every \
             reason in {})",
            loaded.rejects.len(),
            loaded.rejects[0].describe(),
            path.display()
        );
    }
    eprintln!(
        "{} line(s) rejected ({} duplicate ids), reasons in {}",
        loaded.rejects.len(),
        loaded.duplicates,
        path.display()
    );
    Ok(())
}

fn select_rubrics<'a>(library: &'a [Rubric], ids: &[String]) -> Result<Vec<&'a Rubric>> {
    if ids.is_empty() {
        return Ok(library.iter().collect());
    }
    let known: BTreeSet<&str> = library.iter().map(|r| r.id.as_str()).collect();
    for id in ids {
        if !known.contains(id.as_str()) {
            bail!(
                "unknown rubric `{id}`; the library has: {}",
                known.into_iter().collect::<Vec<_>>().join(", ")
            );
        }
    }
    Ok(library.iter().filter(|r| ids.contains(&r.id)).collect())
}

/// One rubric's share of a score run.
struct RubricPlan<'a> {
    prepared: PreparedRubric<'a>,
    /// The rubric's active trained judge, which then scores it instead of the zero-shot one.
    trained: Option<judge::trained::Artifact>,
    /// The judge its scores are keyed by.
    fingerprint: String,
    /// The records to score: those it applies to that it has not scored yet.
    todo: Vec<&'a Record>,
}

/// The judges of a run in words: the zero-shot one, and each trained one with its rubric.
fn judges_used(base: &str, plan: &[RubricPlan]) -> String {
    let mut words = vec![base.to_string()];
    for step in plan {
        if let Some(artifact) = &step.trained {
            words.push(format!(
                "{} ({} #{}) for {}",
                artifact.fingerprint,
                artifact.calibrator.method(),
                artifact.id,
                artifact.rubric_id
            ));
        }
    }
    words.join(", ")
}

/// The stored scores of `records` under each planned rubric (at its current version) and the
/// judge that scores it.
fn this_judges_scores(
    store: &Store,
    records: &[&Record],
    plan: &[RubricPlan],
) -> Result<Vec<ScoreRow>> {
    let ids: BTreeSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let keys: BTreeSet<(&str, u32, &str)> = plan
        .iter()
        .map(|p| {
            let rubric = p.prepared.rubric;
            (rubric.id.as_str(), rubric.version, p.fingerprint.as_str())
        })
        .collect();
    Ok(store
        .scores()?
        .into_iter()
        .filter(|row| {
            ids.contains(row.record_id.as_str())
                && keys.contains(&(
                    row.rubric_id.as_str(),
                    row.rubric_version,
                    row.fingerprint.as_str(),
                ))
        })
        .collect())
}

/// Per rubric: pairs judged, how many passed, how many were too long.
fn print_summary(scores: &[ScoreRow], rubrics: &[&Rubric]) {
    for rubric in rubrics {
        let rows: Vec<&ScoreRow> = scores.iter().filter(|s| s.rubric_id == rubric.id).collect();
        if rows.is_empty() {
            continue;
        }
        let passed = rows
            .iter()
            .filter(|s| s.verdict == Some(judge::store::Verdict::Pass))
            .count();
        let too_long = rows
            .iter()
            .filter(|s| s.outcome == judge::store::Outcome::TooLong)
            .count();
        let judged = rows.len() - too_long;
        println!(
            "  {:<30} v{:<3} {:>5} judged  {:>5.1}% pass{}",
            rubric.id,
            rubric.version,
            judged,
            100.0 * passed as f64 / judged.max(1) as f64,
            if too_long > 0 {
                format!("  ({too_long} too long to judge)")
            } else {
                String::new()
            }
        );
    }
}

/// Writes `scores` as JSONL, atomically.
fn write_scores(path: &Path, scores: &[ScoreRow]) -> Result<()> {
    let mut text = String::new();
    for row in scores {
        let line = serde_json::json!({
            "record_id": row.record_id,
            "rubric": row.rubric_id,
            "rubric_version": row.rubric_version,
            "judge": row.fingerprint,
            "outcome": row.outcome.as_str(),
            "p_pass": row.p_pass,
            "verdict": row.verdict.map(|v| v.as_str()),
            "logprob_pass": row.logprob_pass,
            "logprob_fail": row.logprob_fail,
            "n_prompt_tokens": row.n_prompt_tokens,
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    judge::output::write_atomically(path, text.as_bytes())
}

fn write_prompts(path: &Path, model: &JudgeModel, plan: &[RubricPlan]) -> Result<()> {
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    for RubricPlan { prepared, todo, .. } in plan {
        let (pass_id, fail_id) = prepared.verdict_tokens();
        for record in todo {
            let prompt = prepared.prompt(model, record)?;
            let tokens: Vec<u32> = prepared
                .prefix_tokens()
                .iter()
                .chain(&prompt.row_tokens)
                .copied()
                .collect();
            let line = serde_json::json!({
                "record_id": record.id,
                "rubric": prepared.rubric.id,
                "pass_id": pass_id,
                "fail_id": fail_id,
                "tokens": tokens,
            });
            writeln!(file, "{line}")?;
        }
    }
    file.flush()?;
    Ok(())
}

/// Progress on a terminal as an indicatif bar; elsewhere (cron, CI, a pipe) as a plain log
/// line about every tenth of the work, so logs stay readable.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: u64,
    next_log: u64,
    started: Instant,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} pairs  {per_sec}  eta {eta}  elapsed {elapsed}",
                )
                .expect("valid template"),
            );
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
            next_log: total.div_ceil(10).max(1),
            started: Instant::now(),
        }
    }

    fn inc(&mut self, n: u64) {
        self.done += n;
        if let Some(bar) = &self.bar {
            bar.inc(n);
        } else if self.done >= self.next_log || self.done == self.total {
            let rate = self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            eprintln!("scored {}/{} pairs ({rate:.2}/s)", self.done, self.total);
            self.next_log = self.done + self.total.div_ceil(10).max(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
