//! `judge drift`: every stream of the store through its CUSUM charts, alarms raised and kept
//! open until a human decision acknowledges them, the state as a table, JSON or Prometheus
//! text, and an exit code that cron or CI can act on.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use judge::config::DriftSettings;
use judge::ledger::{verify_entries, LedgerHead, StoredEntry};
use judge::output::write_atomically;
use judge::store::{NewAlarm, Store};
use judge::streams::{self, ChartReport, DriftConfig, PeriodKind};

/// Exit code when at least one stream is in alarm (errors exit with 1, usage errors with 2).
pub const EXIT_ALARM: u8 = 3;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    tool: Option<Tool>,
    /// The SQLite store.
    #[arg(long, default_value = "judge.db")]
    store: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also write the Prometheus text exposition to this file, atomically (for
    /// node_exporter's textfile collector, name it `*.prom`).
    #[arg(long)]
    metrics_file: Option<PathBuf>,
    /// Monitor the streams of this file (CSV or JSONL: period, stream, and events with
    /// exposure, or successes with trials) instead of the store's.
    #[arg(long)]
    series: Option<PathBuf>,
    /// Write one SVG chart per stream and side into this folder.
    #[arg(long)]
    chart_dir: Option<PathBuf>,
    /// Settings file (its `[drift]` table); flags override it.
    #[arg(long, default_value = "judge.toml")]
    config: PathBuf,
    /// Periods at the start of each stream that estimate its baseline [default: 3].
    #[arg(long)]
    burn_in: Option<usize>,
    /// One false alarm in this many years of weekly checks, across all streams [default: 2].
    #[arg(long)]
    budget_years: Option<f64>,
    /// The period streams are aggregated by: day, week (ISO weeks) or month [default: week].
    #[arg(long, value_parser = parse_period)]
    period: Option<PeriodKind>,
    /// The relative change of a rate each chart is tuned to catch fastest [default: 0.4].
    #[arg(long)]
    shift: Option<f64>,
    /// A declared baseline, STREAM=RATE (escalations per task, or failed verdicts per pair);
    /// repeatable. Declared baselines replace burn-in estimates.
    #[arg(long, value_parser = parse_baseline)]
    baseline: Vec<(String, f64)>,
}

#[derive(Debug, clap::Subcommand)]
enum Tool {
    /// Average run length (and its standard deviation) of a chart when the true rate is R.
    Arl(super::drift_tools::ArlArgs),
    /// The threshold h that gives an in-control average run length of at least N.
    Design(super::drift_tools::DesignArgs),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Json,
    Prometheus,
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.tool {
        Some(Tool::Arl(args)) => return super::drift_tools::run_arl(args),
        Some(Tool::Design(args)) => return super::drift_tools::run_design(args),
        None => {}
    }
    if args.series.is_none() && !args.store.exists() {
        anyhow::bail!(
            "store {} does not exist: score or ingest records first, or give --series",
            args.store.display()
        );
    }
    let settings = if args.config.exists() {
        judge::config::load_config(&args.config)?.drift
    } else {
        Default::default()
    };
    let overrides = DriftSettings {
        burn_in: args.burn_in,
        budget_years: args.budget_years,
        shift: args.shift,
        period: args.period,
        baselines: args.baseline.iter().cloned().collect(),
    };
    let mut config = DriftConfig::from_settings(&settings, &overrides);
    let mut store = Store::open(&args.store)?;
    let all = match &args.series {
        Some(path) => streams::load_series(path)?,
        None => {
            let run_streams = streams::run_streams(&mut store)?;
            // Suites' declared baselines rank below judge.toml and --baseline.
            for (stream, rate) in run_streams.declared_baselines {
                config.baselines.entry(stream).or_insert(rate);
            }
            let mut all = streams::store_streams(&store, config.period)?;
            all.extend(run_streams.streams);
            streams::restart_after(&mut all, &judge::ledger::rebaselines(&mut store)?);
            all
        }
    };
    let reports = streams::monitor(&all, &config)?;
    // Charts in alarm for a change that a ledger decision already acknowledged, as (stream,
    // direction): they are not raised again, since asking for the same decision on every run
    // would make deciding pointless. A later change point is a new change and a new alarm.
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    for report in reports.iter().filter(|r| r.in_alarm) {
        let alarm = NewAlarm {
            stream: report.stream.clone(),
            direction: report.direction.to_string(),
            alarm_period: report.alarm_period.clone().unwrap_or_default(),
            change_period: report.change_period.clone(),
            statistic: report.statistic,
            h: report.h,
        };
        let decided = store.acknowledged_alarm(
            &alarm.stream,
            &alarm.direction,
            alarm.change_period.as_deref(),
        )?;
        if decided.is_some() {
            acknowledged.push((alarm.stream, alarm.direction));
        } else {
            store.raise_alarm(&alarm)?;
        }
    }
    let open = store.open_alarms()?;
    let ledger_entries = judge::ledger::entries(&mut store)?;
    let is_open = |r: &ChartReport| {
        open.iter()
            .any(|a| a.stream == r.stream && a.direction == r.direction)
    };
    let is_acknowledged = |r: &ChartReport| {
        !is_open(r)
            && acknowledged
                .iter()
                .any(|(stream, direction)| *stream == r.stream && *direction == r.direction)
    };

    match args.format {
        Format::Table => print_table(&reports, &is_open, &is_acknowledged),
        Format::Json => {
            let streams: Vec<_> = reports
                .iter()
                .map(|r| {
                    let mut value = serde_json::to_value(r).expect("serializable");
                    value["status"] = status(r, is_open(r), is_acknowledged(r)).into();
                    value
                })
                .collect();
            let out = serde_json::json!({ "streams": streams, "open_alarms": open });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Prometheus => print!("{}", prometheus(&reports, &is_open, &ledger_entries)),
    }
    if let Some(dir) = &args.chart_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for report in &reports {
            let name = format!(
                "{}.{}.svg",
                report.stream.replace(['/', '@'], "_"),
                report.direction
            );
            write_atomically(
                &dir.join(name),
                judge::report::charts::cusum_chart(report, None)?.as_bytes(),
            )?;
        }
    }
    if let Some(path) = &args.metrics_file {
        write_atomically(
            path,
            prometheus(&reports, &is_open, &ledger_entries).as_bytes(),
        )?;
    }
    // Both charts of a stream share its baseline, and so its warnings: say each once.
    let mut warned = std::collections::BTreeSet::new();
    for report in &reports {
        for warning in &report.warnings {
            if warned.insert((&report.stream, warning)) {
                eprintln!("warning: {}: {warning}", report.stream);
            }
        }
    }
    Ok(if open.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_ALARM)
    })
}

/// A chart's status: `alarm` (an open alarm), `acknowledged` (in alarm for a change a decision
/// acknowledged), `watch` (statistic above zero) or `ok`.
fn status(report: &ChartReport, open: bool, acknowledged: bool) -> &'static str {
    if open {
        "alarm"
    } else if acknowledged {
        "acknowledged"
    } else if report.statistic > 0.0 {
        "watch"
    } else {
        "ok"
    }
}

fn print_table(
    reports: &[ChartReport],
    is_open: &dyn Fn(&ChartReport) -> bool,
    is_acknowledged: &dyn Fn(&ChartReport) -> bool,
) {
    println!(
        "{:<48} {:<5} {:<12} {:>8} {:>7} {:>9} {:>9} {:>9}",
        "stream", "side", "status", "S", "h", "change", "before", "since"
    );
    for r in reports {
        let rate = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.3}"));
        println!(
            "{:<48} {:<5} {:<12} {:>8.2} {:>7.2} {:>9} {:>9} {:>9}",
            r.stream,
            r.direction,
            status(r, is_open(r), is_acknowledged(r)),
            r.statistic,
            r.h,
            r.change_period.as_deref().unwrap_or("-"),
            rate(r.rate_before),
            rate(r.rate_since),
        );
        if is_open(r) && !r.evidence.is_empty() {
            let shown: Vec<&str> = r.evidence.iter().take(8).map(String::as_str).collect();
            println!(
                "    evidence since the change ({}): {}{}",
                r.evidence.len(),
                shown.join(", "),
                if r.evidence.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                }
            );
        }
    }
}

/// A gauge family: name, help text, and the value of one chart.
type MetricFamily<'a> = (&'a str, &'a str, &'a dyn Fn(&ChartReport) -> f64);

/// Prometheus text exposition: one gauge family per quantity, labelled by stream and side.
fn prometheus(
    reports: &[ChartReport],
    is_open: &dyn Fn(&ChartReport) -> bool,
    ledger: &[StoredEntry],
) -> String {
    // The ledger's head, published outside the store: `judge ledger verify --anchor-from`
    // reads it back.
    let intact = verify_entries(ledger).is_ok();
    let mut out = LedgerHead::prometheus(ledger.len(), intact, LedgerHead::of(ledger).as_ref());
    let families: [MetricFamily; 5] = [
        (
            "judge_drift_statistic",
            "CUSUM statistic after the latest period",
            &|r| r.statistic,
        ),
        (
            "judge_drift_threshold",
            "alarm threshold h of the chart",
            &|r| r.h,
        ),
        (
            "judge_drift_alarm",
            "1 when the chart has an open alarm",
            &|r| is_open(r) as u8 as f64,
        ),
        (
            "judge_drift_baseline_rate",
            "in-control rate per unit of exposure",
            &|r| r.baseline,
        ),
        (
            "judge_drift_current_rate",
            "rate in the latest period",
            &|r| {
                r.periods
                    .last()
                    .map_or(0.0, |p| p.events as f64 / p.exposure.max(1) as f64)
            },
        ),
    ];
    for (name, help, value) in families {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for r in reports {
            out.push_str(&format!(
                "{name}{{stream=\"{}\",side=\"{}\"}} {}\n",
                escape_label(&r.stream),
                r.direction,
                value(r)
            ));
        }
    }
    out
}

fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn parse_period(text: &str) -> std::result::Result<PeriodKind, String> {
    match text {
        "day" => Ok(PeriodKind::Day),
        "week" => Ok(PeriodKind::Week),
        "month" => Ok(PeriodKind::Month),
        other => Err(format!(
            "unknown period `{other}` (expected day, week or month)"
        )),
    }
}

fn parse_baseline(text: &str) -> std::result::Result<(String, f64), String> {
    let (stream, rate) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not STREAM=RATE"))?;
    let rate: f64 = rate
        .parse()
        .map_err(|_| format!("`{rate}` in `{text}` is not a number"))?;
    if !(rate > 0.0 && rate.is_finite()) {
        return Err(format!("the rate in `{text}` must be positive"));
    }
    Ok((stream.to_string(), rate))
}
