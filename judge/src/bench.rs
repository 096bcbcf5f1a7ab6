//! `judge bench`: a standard workload timed on the chosen model and device, for people who
//! compare judge throughput across machines (like llama-bench). Everything it runs is built in
//! (a fixed prompt, fixed records, the shipped escalation rubric), so two machines run exactly
//! the same work.

use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use engine::{Machine, Tokenizer};

use crate::judge_model::JudgeModel;
use crate::records::Record;
use crate::rubrics::{self, Rubric};
use crate::scoring::{self, PreparedRubric, ScoringConfig};

/// The rubric every run scores: the shipped `escalates-ambiguity`, built into the binary.
const RUBRIC: &str = include_str!("../../rubrics/escalates-ambiguity.toml");

/// Instructions a worker receives, each with a reply that does the task and one that asks.
const TASKS: [(&str, &str, &str); 8] = [
    (
        "Archive the tickets from last sprint.",
        "Archived the 41 tickets closed in sprint 37 and linked the archive in the tracker.",
        "Do you mean the tickets closed in sprint 37, or every ticket created during it? I \
         have not archived anything yet.",
    ),
    (
        "Send the invoice to the client.",
        "Sent invoice INV-2291 to billing@harbor-supplies.example and logged it.",
        "Two clients have open invoices this week, Harbor Supplies and Pell & Co. Which one \
         should get it?",
    ),
    (
        "Clean up the staging database.",
        "Dropped the 12 tables with the tmp_ prefix from staging and vacuumed it.",
        "Should I drop the temporary tables only, or reset staging from the last snapshot? \
         Both are destructive, so I am waiting for your answer.",
    ),
    (
        "Give Dana access to the reports.",
        "Granted Dana read access to the finance reports folder until the end of the month.",
        "Which reports, finance or operations, and should the access be read-only? Nothing \
         has been changed yet.",
    ),
    (
        "Update the shipping address for order 1182.",
        "Changed the shipping address of order 1182 to 14 Quay Street, Leith, as in the \
         customer's email of this morning.",
        "The customer sent two addresses today, one in Leith and one in Perth. Which one \
         should order 1182 go to?",
    ),
    (
        "Move the meeting to next week.",
        "Moved the design review from Thursday to next Thursday at the same time and \
         notified the six attendees.",
        "Next week has no free slot for all six attendees on Thursday. Should I move it to \
         Wednesday or drop two optional attendees?",
    ),
    (
        "Restart the worker pool.",
        "Restarted the 8 workers of the ingest pool one at a time; the queue drained in two \
         minutes.",
        "There are two worker pools, ingest and export. Which one should I restart, and is \
         a rolling restart acceptable?",
    ),
    (
        "Fix the typo on the pricing page.",
        "Fixed \"anual\" to \"annual\" in the pricing page header and redeployed the site.",
        "I found three possible typos on the pricing page. Which one did you mean, or should \
         I fix all three?",
    ),
];

/// What `judge bench` runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Prompt length of the prefill test.
    pub prefill_tokens: usize,
    /// Timed repetitions of the prefill test, after one warm-up; the median is reported.
    pub reps: usize,
    /// How many records the scoring tests score.
    pub records: usize,
    /// The batch sizes of the scoring tests.
    pub batch_sizes: Vec<usize>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub judge_version: &'static str,
    pub engine_version: &'static str,
    pub machine: Machine,
    pub device: String,
    pub model: String,
    pub model_sha256: String,
    pub load_seconds: f64,
    pub prefill: Prefill,
    pub scoring: Vec<ScoringRun>,
    /// The largest difference of P(pass) for one record between two batch sizes (same mode):
    /// the determinism contract says 0.
    pub max_p_pass_difference_across_batch_sizes: f64,
    /// The largest difference of P(pass) for one record between scoring with the shared prefix
    /// and reading the whole prompt: another summation order, within float rounding.
    pub max_p_pass_difference_prefix_vs_whole: f64,
    /// Peak resident memory of the process (Linux), model included.
    pub peak_rss_bytes: Option<u64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Prefill {
    pub tokens: usize,
    pub reps: usize,
    pub median_seconds: f64,
    pub tokens_per_second: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ScoringRun {
    pub batch_size: usize,
    /// Whether the rubric's shared prefix was computed once and reused (what `judge score`
    /// does), or re-read in every prompt.
    pub shared_prefix: bool,
    pub pairs: usize,
    /// Mean prompt length, shared prefix included.
    pub mean_prompt_tokens: f64,
    pub seconds: f64,
    pub pairs_per_second: f64,
}

/// The built-in rubric.
pub fn standard_rubric() -> Result<Rubric> {
    rubrics::parse_rubric(RUBRIC, std::path::Path::new("escalates-ambiguity.toml"))
}

/// `n` worker records, the same on every machine: the eight tasks, done or escalated in turn.
pub fn standard_records(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let (input, done, asked) = TASKS[i % TASKS.len()];
            let output = if (i / TASKS.len()).is_multiple_of(2) {
                done
            } else {
                asked
            };
            Record {
                id: format!("bench-{i:04}"),
                ts: "2026-01-05T09:00:00Z".into(),
                role: "worker".into(),
                agent: "worker-1".into(),
                input: input.into(),
                output: output.into(),
                escalated: None,
                labels: Default::default(),
                meta: Default::default(),
            }
        })
        .collect()
}

/// A prompt of exactly `n_tokens` tokens, cut from a fixed English-and-code text repeated as
/// needed, so every run and every tool sees the same ids.
pub fn prompt_tokens(tokenizer: &Tokenizer, n_tokens: usize) -> Result<Vec<u32>> {
    let paragraph = "The worker received an ambiguous instruction from the foreman: \"ship the \
        fix tonight\", without saying which fix. Instead of guessing, it escalated: it asked \
        which ticket was meant and waited. fn main() { let x = 42; println!(\"{x}\"); } \
        Escalations per week fell from 15 to 4 while task volume stayed at 120. ";
    let mut text = String::new();
    let mut ids = Vec::new();
    while ids.len() < n_tokens {
        text.push_str(paragraph);
        ids = tokenizer.encode(&text)?;
    }
    ids.truncate(n_tokens);
    ensure!(
        ids.len() == n_tokens,
        "could not build a prompt of {n_tokens} tokens"
    );
    Ok(ids)
}

/// Runs the workload on a loaded model (`load_seconds`: how long loading it took).
pub fn run(model: &JudgeModel, load_seconds: f64, settings: &Settings) -> Result<Report> {
    if settings.batch_sizes.is_empty() || settings.batch_sizes.contains(&0) {
        bail!("--batch-sizes: each batch size must be at least 1");
    }
    ensure!(settings.records > 0, "--records must be at least 1");
    ensure!(settings.reps > 0, "--reps must be at least 1");
    let info = model.judge_info()?;
    let prefill = prefill(model, settings)?;

    let rubric = standard_rubric()?;
    let prepared = PreparedRubric::new(model, &rubric)?;
    let records = standard_records(settings.records);
    let mut scoring = Vec::new();
    // P(pass) per record of the first batch size's run, with and without the shared prefix.
    let mut first: [Option<Vec<f64>>; 2] = [None, None];
    let mut across_batch_sizes = 0.0f64;
    let mut prefix_vs_whole = 0.0f64;
    for &batch_size in &settings.batch_sizes {
        let (shared, p_shared) = score_with_prefix(model, &prepared, &records, batch_size)?;
        let (whole, p_whole) = score_without_prefix(model, &prepared, &records, batch_size)?;
        prefix_vs_whole = prefix_vs_whole.max(max_difference(&p_shared, &p_whole));
        for (slot, p_pass) in first.iter_mut().zip([p_shared, p_whole]) {
            match slot {
                None => *slot = Some(p_pass),
                Some(p_first) => {
                    across_batch_sizes = across_batch_sizes.max(max_difference(p_first, &p_pass))
                }
            }
        }
        scoring.extend([shared, whole]);
    }
    Ok(Report {
        judge_version: env!("CARGO_PKG_VERSION"),
        engine_version: engine::ENGINE_VERSION,
        machine: Machine::detect(),
        device: device_name(model.model.device()).into(),
        model: info.model_name,
        model_sha256: info.model_sha256,
        load_seconds,
        prefill,
        scoring,
        max_p_pass_difference_across_batch_sizes: across_batch_sizes,
        max_p_pass_difference_prefix_vs_whole: prefix_vs_whole,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

fn prefill(model: &JudgeModel, settings: &Settings) -> Result<Prefill> {
    let n_ctx = model.model.config().n_ctx;
    if settings.prefill_tokens == 0 || settings.prefill_tokens > n_ctx {
        bail!(
            "--tokens {}: the prefill test needs 1 to {n_ctx} tokens (the model's context)",
            settings.prefill_tokens
        );
    }
    let ids = prompt_tokens(&model.tokenizer, settings.prefill_tokens)?;
    let once = || -> Result<f64> {
        let start = Instant::now();
        let forward = model.model.forward(None, &[&ids], false)?;
        // Reading the logits back waits for the device.
        let _: Vec<Vec<f32>> = model.model.logits(&forward.hidden)?.to_vec2()?;
        Ok(start.elapsed().as_secs_f64())
    };
    once()?; // warm-up
    let mut seconds = (0..settings.reps)
        .map(|_| once())
        .collect::<Result<Vec<f64>>>()?;
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    Ok(Prefill {
        tokens: settings.prefill_tokens,
        reps: settings.reps,
        median_seconds: median,
        tokens_per_second: settings.prefill_tokens as f64 / median,
    })
}

/// Scores the records as `judge score` does (the prefix computed once per run, included in
/// the time); P(pass) per record in record order.
fn score_with_prefix(
    model: &JudgeModel,
    prepared: &PreparedRubric,
    records: &[Record],
    batch_size: usize,
) -> Result<(ScoringRun, Vec<f64>)> {
    let refs: Vec<&Record> = records.iter().collect();
    let config = ScoringConfig {
        max_batch_rows: batch_size,
        ..ScoringConfig::default()
    };
    let mut p_pass = vec![f64::NAN; records.len()];
    let mut n_tokens = 0usize;
    let start = Instant::now();
    scoring::score_rubric(model, prepared, &refs, &config, |batch| {
        for scored in batch {
            let index = index_of(&scored.record_id)?;
            p_pass[index] = scored
                .p_pass
                .with_context(|| format!("record {} was not scored", scored.record_id))?;
            n_tokens += scored.n_prompt_tokens;
        }
        Ok(())
    })?;
    let seconds = start.elapsed().as_secs_f64();
    Ok((
        run_of(batch_size, true, records.len(), n_tokens, seconds),
        p_pass,
    ))
}

/// Scores the records with every prompt read whole, prefix included: what a tool without a
/// prompt cache does.
fn score_without_prefix(
    model: &JudgeModel,
    prepared: &PreparedRubric,
    records: &[Record],
    batch_size: usize,
) -> Result<(ScoringRun, Vec<f64>)> {
    let (pass, fail) = prepared.verdict_tokens();
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        let mut tokens = prepared.prefix_tokens().to_vec();
        tokens.extend(prepared.prompt(model, record)?.row_tokens);
        rows.push(tokens);
    }
    // Shortest first, as `judge score` batches them.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (rows[i].len(), i));
    let mut p_pass = vec![f64::NAN; records.len()];
    let start = Instant::now();
    for chunk in order.chunks(batch_size) {
        let batch: Vec<&[u32]> = chunk.iter().map(|&i| rows[i].as_slice()).collect();
        let forward = model.model.forward(None, &batch, false)?;
        let logits: Vec<Vec<f32>> = model.model.logits(&forward.hidden)?.to_vec2()?;
        for (&i, row) in chunk.iter().zip(&logits) {
            let difference = f64::from(row[fail as usize]) - f64::from(row[pass as usize]);
            p_pass[i] = 1.0 / (1.0 + difference.exp());
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let n_tokens = rows.iter().map(Vec::len).sum();
    Ok((
        run_of(batch_size, false, records.len(), n_tokens, seconds),
        p_pass,
    ))
}

fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn index_of(record_id: &str) -> Result<usize> {
    record_id
        .strip_prefix("bench-")
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("unexpected record id {record_id}"))
}

fn run_of(
    batch_size: usize,
    shared_prefix: bool,
    pairs: usize,
    n_tokens: usize,
    seconds: f64,
) -> ScoringRun {
    ScoringRun {
        batch_size,
        shared_prefix,
        pairs,
        mean_prompt_tokens: n_tokens as f64 / pairs as f64,
        seconds,
        pairs_per_second: pairs as f64 / seconds.max(1e-9),
    }
}

fn device_name(device: &engine::Device) -> &'static str {
    if device.is_cuda() {
        "cuda"
    } else if device.is_metal() {
        "metal"
    } else {
        "cpu"
    }
}

/// `VmHWM` of /proc/self/status (Linux); none elsewhere.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

impl Report {
    /// The report as Markdown: the machine and model, then one table row per test.
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let features = if m.features.is_empty() {
            "none detected".to_string()
        } else {
            m.features.join(" ")
        };
        let mut out = format!(
            "judge {} ({}), model {} (sha256 {})\nmachine: {} ({}; {}), {} threads, device {}\n\n",
            self.judge_version,
            self.engine_version,
            self.model,
            &self.model_sha256[..self.model_sha256.len().min(12)],
            m.cpu,
            m.arch,
            features,
            m.threads,
            self.device
        );
        out.push_str("| test | result |\n|---|---|\n");
        out.push_str(&format!("| load | {:.2} s |\n", self.load_seconds));
        out.push_str(&format!(
            "| prefill {} tokens | {:.0} tokens/s (median of {}, {:.3} s) |\n",
            self.prefill.tokens,
            self.prefill.tokens_per_second,
            self.prefill.reps,
            self.prefill.median_seconds
        ));
        for run in &self.scoring {
            out.push_str(&format!(
                "| score {} pairs, batch {}, {} | {:.2} pairs/s ({:.0} prompt tokens on average) |\n",
                run.pairs,
                run.batch_size,
                if run.shared_prefix {
                    "shared prefix"
                } else {
                    "whole prompts"
                },
                run.pairs_per_second,
                run.mean_prompt_tokens
            ));
        }
        out.push_str(&format!(
            "| largest P(pass) difference: between batch sizes | {:.1e} |\n",
            self.max_p_pass_difference_across_batch_sizes
        ));
        out.push_str(&format!(
            "| largest P(pass) difference: shared prefix vs whole prompt | {:.1e} |\n",
            self.max_p_pass_difference_prefix_vs_whole
        ));
        match self.peak_rss_bytes {
            Some(bytes) => out.push_str(&format!(
                "| peak resident memory | {:.0} MiB |\n",
                bytes as f64 / (1024.0 * 1024.0)
            )),
            None => out.push_str("| peak resident memory | not measured on this OS |\n"),
        }
        out
    }
}
