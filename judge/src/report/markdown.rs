//! The report as Markdown: the HTML page's content as headings and tables, each chart as a
//! table of its numbers, for a wiki, a pull request or a terminal. Text from the store is
//! escaped so that it can neither break a table (`|`, newlines) nor become markup (`<`, `>`,
//! `&` as character references, which CommonMark decodes back to the text).

use std::fmt::Write;

use super::{charts_by_stream, ReportData};

/// The Markdown text of a report.
pub fn render(data: &ReportData) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Behavioral report: {}\n", cell(&data.period));
    let _ = writeln!(
        out,
        "Store `{}`; history {} to {} ({} periods of a {}); made {} (open alarms, gaps and \
         decisions are as of then). The report reads the store only: it raises no alarm and \
         records no decision.\n",
        data.store.replace('`', "'"),
        cell(data.periods.first().map_or("", String::as_str)),
        cell(&data.period),
        data.periods.len(),
        data.period_kind,
        data.generated_at,
    );
    let s = &data.summary;
    let _ = writeln!(
        out,
        "## Summary\n\n| records in the period | judged pairs | open alarms | undocumented | \
         decisions since the period began |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n",
        s.records, s.judged, s.open_alarms, s.undocumented, s.decisions
    );

    out.push_str("## Open alarms\n\n");
    if data.open_alarms.is_empty() {
        out.push_str("No open alarm.\n\n");
    } else {
        out.push_str("| id | stream | side | in alarm in | changed in | S | h | raised |\n");
        out.push_str("|---:|---|---|---|---|---:|---:|---|\n");
        for a in &data.open_alarms {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {:.2} | {:.2} | {} |",
                a.id,
                cell(&a.stream),
                cell(&a.direction),
                cell(&a.alarm_period),
                cell(a.change_period.as_deref().unwrap_or("-")),
                a.statistic,
                a.h,
                cell(&a.raised_at)
            );
        }
        out.push('\n');
    }

    out.push_str(
        "## Undocumented: decisions owed\n\nOpen alarms and failed verdicts that no ledger \
         decision covers, oldest first. Record one with `judge decide`.\n\n",
    );
    if data.undocumented.is_empty() {
        out.push_str("Nothing undocumented: every alarm and failed verdict has a decision.\n\n");
    } else {
        out.push_str("| since | days | subject | detail |\n|---|---:|---|---|\n");
        for gap in &data.undocumented {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&gap.since),
                gap.age_days,
                cell(&gap.subject.to_string()),
                cell(&gap.detail)
            );
        }
        out.push('\n');
    }

    let _ = writeln!(
        out,
        "## Decisions\n\nLedger entries recorded from the start of {} until this report was \
         made, oldest first.\n",
        cell(&data.period)
    );
    if data.decisions.is_empty() {
        out.push_str("No decision recorded in this time.\n\n");
    } else {
        out.push_str(
            "| # | time | by | subject | position | reason |\n|---:|---|---|---|---|---|\n",
        );
        for d in &data.decisions {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {}{} | {} |",
                d.seq,
                cell(&d.ts),
                cell(&d.by),
                cell(&d.detail),
                d.position.as_str(),
                if d.rebaseline { ", rebaseline" } else { "" },
                cell(&d.reason)
            );
        }
        out.push('\n');
    }

    out.push_str("## Pass rates per role and rubric\n\n");
    if data.pass_rates.is_empty() {
        out.push_str("No scored pairs: run `judge score` to judge the records.\n\n");
    } else {
        out.push_str("| role | rubric | judge | this period | before | change | trend |\n");
        out.push_str("|---|---|---|---:|---:|---:|---|\n");
        for t in &data.pass_rates {
            let trend: Vec<String> = t
                .periods
                .iter()
                .map(|p| format!("{:.0}%", 100.0 * p.pass_rate))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {}@v{} | `{}` | {} | {} | {} | {} |",
                cell(&t.role),
                cell(&t.rubric),
                t.rubric_version,
                t.judge.replace('`', "'"),
                percent(t.current),
                percent(t.previous),
                t.change
                    .map_or("-".to_string(), |c| format!("{:+.1} pt", 100.0 * c)),
                trend.join(" → ")
            );
        }
        out.push('\n');
    }

    out.push_str("## Escalations against task volume\n\n");
    if data.volume.is_empty() {
        out.push_str("No record says whether it escalated.\n\n");
    }
    for role in &data.volume {
        let _ = writeln!(out, "### {}\n", cell(&role.role));
        out.push_str("| period | tasks | escalations | per task |\n|---|---:|---:|---:|\n");
        for p in &role.periods {
            let mark = if p.label == data.period {
                " **(this period)**"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| {}{mark} | {} | {} | {:.3} |",
                cell(&p.label),
                p.tasks,
                p.escalations,
                p.rate
            );
        }
        out.push('\n');
    }

    out.push_str("## Drift: CUSUM charts\n\n");
    if data.charts.is_empty() {
        out.push_str("No stream has data to chart.\n\n");
    }
    for (stream, charts) in charts_by_stream(data) {
        let _ = writeln!(out, "### {}\n", cell(stream));
        for chart in charts {
            let r = &chart.chart;
            let rate = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
            let _ = writeln!(
                out,
                "**{} side: {}**{}: S = {:.2}, h = {:.2}; baseline {:.3} ({}), target {:.3}; \
                 change {}, rate before {}, since {}; {} event records since the change.\n",
                r.direction,
                chart.status.as_str(),
                chart
                    .alarm_id
                    .map_or(String::new(), |id| format!(" (alarm {id})")),
                r.statistic,
                r.h,
                r.baseline,
                r.baseline_source,
                r.target_rate,
                cell(r.change_period.as_deref().unwrap_or("-")),
                rate(r.rate_before),
                rate(r.rate_since),
                r.evidence.len()
            );
            out.push_str("| period | events | exposure | rate | S |\n|---|---:|---:|---:|---:|\n");
            for (p, s) in r.periods.iter().zip(&r.statistics) {
                let mut marks = Vec::new();
                if r.change_period.as_deref() == Some(&p.label) {
                    marks.push("change");
                }
                if r.alarm_period.as_deref() == Some(&p.label) {
                    marks.push("alarm");
                }
                let marks = if marks.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", marks.join(", "))
                };
                let _ = writeln!(
                    out,
                    "| {}{marks} | {} | {} | {:.3} | {:.2} |",
                    cell(&p.label),
                    p.events,
                    p.exposure,
                    p.events as f64 / p.exposure.max(1) as f64,
                    s
                );
            }
            out.push('\n');
        }
    }

    out.push_str("## Suite results against their baselines\n\n");
    if data.suite_runs.is_empty() {
        out.push_str("No suite runs in this period.\n\n");
    } else {
        out.push_str("| suite | run | time | passed | baseline | regressions |\n|---|---|---|---:|---:|---|\n");
        for run in &data.suite_runs {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}/{} | {} | {} |",
                cell(&run.suite),
                cell(&run.run_id),
                cell(&run.ts),
                run.passed,
                run.total,
                percent(run.baseline_pass_rate),
                cell(&run.regressions.join(", "))
            );
        }
        out.push('\n');
    }

    out.push_str("## The review sample's scores\n\n");
    if data.sample.is_empty() {
        out.push_str("No review sample in this period.\n\n");
    } else {
        out.push_str(
            "| record | role | rubric | P(pass) | verdict | label |\n|---|---|---|---:|---|---|\n",
        );
        for row in &data.sample {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&row.record_id),
                cell(&row.role),
                cell(&row.rubric),
                row.p_pass.map_or("-".to_string(), |p| format!("{p:.3}")),
                cell(row.verdict.as_deref().unwrap_or("-")),
                cell(row.label.as_deref().unwrap_or("-"))
            );
        }
        out.push('\n');
    }

    out.push_str("## Calibration\n\n");
    if data.calibration.is_empty() {
        out.push_str("No calibration data.\n\n");
    }
    for curve in &data.calibration {
        let _ = writeln!(
            out,
            "### {} (judge `{}`)\n",
            cell(&curve.rubric),
            curve.judge.replace('`', "'")
        );
        let _ = writeln!(
            out,
            "{} on {}, trained {} on {} labeled items ({} pass). Cross-validated agreement with \
             the labels: AUC {:.3} [{:.3}, {:.3}], kappa {:.3} [{:.3}, {:.3}], accuracy {:.3} \
             [{:.3}, {:.3}].{}\n",
            cell(&curve.method),
            cell(&curve.features),
            cell(&curve.trained_at),
            curve.n_items,
            curve.n_pass,
            curve.auc.value,
            curve.auc.low,
            curve.auc.high,
            curve.kappa.value,
            curve.kappa.low,
            curve.kappa.high,
            curve.accuracy.value,
            curve.accuracy.low,
            curve.accuracy.high,
            curve
                .promotion
                .as_deref()
                .map(|p| format!(" {}.", cell(p)))
                .unwrap_or_default()
        );
        out.push_str(
            "| P(pass) | pairs | mean P(pass) | observed pass rate |\n|---|---:|---:|---:|\n",
        );
        for bin in &curve.bins {
            let _ = writeln!(
                out,
                "| {:.1} to {:.1} | {} | {:.3} | {:.3} |",
                bin.lower, bin.upper, bin.count, bin.mean_p_pass, bin.observed_pass_rate
            );
        }
        out.push('\n');
    }

    if !data.warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for warning in &data.warnings {
            let _ = writeln!(out, "- {}", cell(warning));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Ledger: {} entries, {}.",
        data.ledger.entries,
        if data.ledger.intact {
            match &data.ledger.head {
                Some(head) => format!("hash chain intact; {head}"),
                None => "hash chain intact".to_string(),
            }
        } else {
            format!(
                "**hash chain broken: {}**",
                cell(data.ledger.problem.as_deref().unwrap_or("unknown problem"))
            )
        }
    );
    out
}

/// Text for a table cell (or any inline position): markup characters as character
/// references, `|` escaped, line breaks as spaces.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".to_string(), |r| format!("{:.1}%", 100.0 * r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_become_markup() {
        assert_eq!(
            cell("a|b\n<script>*x*</script>"),
            "a\\|b &lt;script&gt;\\*x\\*&lt;/script&gt;"
        );
    }
}
