//! The report as one self-contained HTML page: inline CSS, charts as inline SVG, no script,
//! and a Content-Security-Policy that lets nothing outside the file load, so it reads the same
//! offline, from a mail attachment or an archive. Every string from the store (record ids,
//! stream names, reasons, names) is escaped.
//!
//! DOM hooks for tests and tools: each section has an id (`open-alarms`, `undocumented`,
//! `decisions`, `pass-rates`, `volume`, `streams`, `suites`, `sample`, `calibration`); a
//! stream's section carries `data-stream`, each of its charts `data-direction`,
//! `data-status` and, when stored, `data-alarm-id`; alarm rows carry `data-alarm-id`, gap and
//! decision rows `data-subject-kind` and `data-subject-id`.

use std::fmt::Write;

use anyhow::Result;

use super::{charts, charts_by_stream, ReportData};

/// The Content-Security-Policy of the page: inline styles and data: images only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// The HTML page of a report.
pub fn render(data: &ReportData) -> Result<String> {
    let mut out = String::new();
    let title = format!("judge report {}", data.period);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<header><h1>Behavioral report: <span id=\"period\">{}</span></h1>\n\
         <p class=\"meta\">Store <code>{}</code>; history {} to {} ({} periods of a {}); \
         made {} (open alarms, gaps and decisions are as of then). The report reads the store \
         only: it raises no alarm and records no decision.</p></header>",
        escape(&data.period),
        escape(&data.store),
        escape(data.periods.first().map_or("", String::as_str)),
        escape(&data.period),
        data.periods.len(),
        escape(&data.period_kind),
        escape(&data.generated_at),
    );
    summary(&mut out, data);
    open_alarms(&mut out, data);
    undocumented(&mut out, data);
    decisions(&mut out, data);
    pass_rates(&mut out, data)?;
    volume(&mut out, data)?;
    streams(&mut out, data)?;
    suites(&mut out, data);
    sample(&mut out, data);
    calibration(&mut out, data)?;
    if !data.warnings.is_empty() {
        out.push_str("<section id=\"warnings\"><h2>Warnings</h2><ul>\n");
        for warning in &data.warnings {
            let _ = writeln!(out, "<li>{}</li>", escape(warning));
        }
        out.push_str("</ul></section>\n");
    }
    let _ = writeln!(
        out,
        "<footer>Ledger: {} entries, {}.</footer>\n</body>\n</html>",
        data.ledger.entries,
        if data.ledger.intact {
            match &data.ledger.head {
                Some(head) => format!("hash chain intact; {head}"),
                None => "hash chain intact".to_string(),
            }
        } else {
            format!(
                "<strong class=\"bad\">hash chain broken: {}</strong>",
                escape(data.ledger.problem.as_deref().unwrap_or("unknown problem"))
            )
        }
    );
    Ok(out)
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
.meta, footer { color: #555; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.current td { background: #fff6d5; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; min-width: 9rem; }
.card b { display: block; font-size: 1.6rem; }
.card.bad b, .bad { color: #c62828; }
.status { font-weight: bold; padding: 0 .3rem; border-radius: 3px; }
.status-alarm, .status-unraised { background: #fdecea; color: #c62828; }
.status-acknowledged { background: #e8f0fe; color: #1a56c4; }
.status-watch { background: #fff4e5; color: #a85d00; }
.status-ok { background: #e8f5e9; color: #2e7d32; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .9rem; color: #444; }
.empty { color: #777; font-style: italic; }
code { background: #f4f4f4; padding: 0 .2rem; }
";

fn summary(out: &mut String, data: &ReportData) {
    let s = &data.summary;
    let card = |out: &mut String, id: &str, value: usize, label: &str, bad: bool| {
        let _ = write!(
            out,
            "<div class=\"card{}\" id=\"{id}\"><b>{value}</b>{label}</div>",
            if bad && value > 0 { " bad" } else { "" }
        );
    };
    out.push_str("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">");
    card(
        out,
        "count-records",
        s.records,
        "records in the period",
        false,
    );
    card(
        out,
        "count-judged",
        s.judged as usize,
        "judged pairs",
        false,
    );
    card(out, "count-open-alarms", s.open_alarms, "open alarms", true);
    card(
        out,
        "count-undocumented",
        s.undocumented,
        "undocumented items",
        true,
    );
    card(
        out,
        "count-decisions",
        s.decisions,
        "decisions since the period began",
        false,
    );
    out.push_str("</div></section>\n");
}

fn open_alarms(out: &mut String, data: &ReportData) {
    out.push_str("<section id=\"open-alarms\"><h2>Open alarms</h2>\n");
    if data.open_alarms.is_empty() {
        out.push_str("<p class=\"empty\">No open alarm.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><tr><th>id</th><th>stream</th><th>side</th><th>in alarm in</th>\
         <th>changed in</th><th class=\"num\">S</th><th class=\"num\">h</th><th>raised</th></tr>\n",
    );
    for alarm in &data.open_alarms {
        let _ = writeln!(
            out,
            "<tr data-alarm-id=\"{}\" data-stream=\"{}\"><td>{}</td><td><a href=\"#{}\">{}</a></td>\
             <td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td>{}</td></tr>",
            alarm.id,
            escape(&alarm.stream),
            alarm.id,
            escape(&stream_anchor(&alarm.stream)),
            escape(&alarm.stream),
            escape(&alarm.direction),
            escape(&alarm.alarm_period),
            escape(alarm.change_period.as_deref().unwrap_or("-")),
            alarm.statistic,
            alarm.h,
            escape(&alarm.raised_at),
        );
    }
    out.push_str("</table></section>\n");
}

fn undocumented(out: &mut String, data: &ReportData) {
    out.push_str(
        "<section id=\"undocumented\"><h2>Undocumented: decisions owed</h2>\n\
         <p class=\"meta\">Open alarms and failed verdicts that no ledger decision covers, oldest \
         first. Record one with <code>judge decide</code>.</p>\n",
    );
    if data.undocumented.is_empty() {
        out.push_str(
            "<p class=\"empty\">Nothing undocumented: every alarm and failed verdict has a \
             decision.</p></section>\n",
        );
        return;
    }
    out.push_str(
        "<table><tr><th>since</th><th class=\"num\">days</th><th>subject</th><th>detail</th></tr>\n",
    );
    for gap in &data.undocumented {
        let _ = writeln!(
            out,
            "<tr data-subject-kind=\"{}\" data-subject-id=\"{}\"><td>{}</td><td class=\"num\">{}</td>\
             <td>{}</td><td>{}</td></tr>",
            subject_kind(&gap.subject),
            escape(&gap.subject.id),
            escape(&gap.since),
            gap.age_days,
            escape(&gap.subject.to_string()),
            escape(&gap.detail),
        );
    }
    out.push_str("</table></section>\n");
}

fn decisions(out: &mut String, data: &ReportData) {
    let _ = writeln!(
        out,
        "<section id=\"decisions\"><h2>Decisions</h2>\n<p class=\"meta\">Ledger entries \
         recorded from the start of {} until this report was made, oldest first.</p>",
        escape(&data.period)
    );
    if data.decisions.is_empty() {
        out.push_str("<p class=\"empty\">No decision recorded in this time.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><tr><th>#</th><th>time</th><th>by</th><th>subject</th><th>position</th>\
         <th>reason</th></tr>\n",
    );
    for decision in &data.decisions {
        let _ = writeln!(
            out,
            "<tr data-seq=\"{}\" data-subject-kind=\"{}\" data-subject-id=\"{}\"><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td class=\"reason\">{}</td></tr>",
            decision.seq,
            subject_kind(&decision.subject),
            escape(&decision.subject.id),
            decision.seq,
            escape(&decision.ts),
            escape(&decision.by),
            escape(&decision.detail),
            decision.position.as_str(),
            if decision.rebaseline {
                ", rebaseline"
            } else {
                ""
            },
            escape(&decision.reason),
        );
    }
    out.push_str("</table></section>\n");
}

fn pass_rates(out: &mut String, data: &ReportData) -> Result<()> {
    out.push_str("<section id=\"pass-rates\"><h2>Pass rates per role and rubric</h2>\n");
    if data.pass_rates.is_empty() {
        out.push_str(
            "<p class=\"empty\">No scored pairs: run <code>judge score</code> to judge the \
             records.</p></section>\n",
        );
        return Ok(());
    }
    let svg = charts::pass_rate_chart(&data.pass_rates, &data.periods, Some(&data.period))?;
    let _ = writeln!(out, "<figure>{svg}</figure>");
    out.push_str(
        "<table><tr><th>role</th><th>rubric</th><th>judge</th><th class=\"num\">this period</th>\
         <th class=\"num\">before</th><th class=\"num\">change</th><th class=\"num\">judged</th></tr>\n",
    );
    for trend in &data.pass_rates {
        let judged = trend
            .periods
            .iter()
            .find(|p| p.label == data.period)
            .map_or(0, |p| p.judged);
        let _ = writeln!(
            out,
            "<tr data-stream=\"{}\"><td>{}</td><td>{}@v{}</td><td><code>{}</code></td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{judged}</td></tr>",
            escape(&trend.stream),
            escape(&trend.role),
            escape(&trend.rubric),
            trend.rubric_version,
            escape(&trend.judge),
            percent(trend.current),
            percent(trend.previous),
            trend
                .change
                .map_or("-".to_string(), |c| format!("{:+.1} pt", 100.0 * c)),
        );
    }
    out.push_str("</table></section>\n");
    Ok(())
}

fn volume(out: &mut String, data: &ReportData) -> Result<()> {
    out.push_str("<section id=\"volume\"><h2>Escalations against task volume</h2>\n");
    if data.volume.is_empty() {
        out.push_str("<p class=\"empty\">No record says whether it escalated.</p></section>\n");
        return Ok(());
    }
    for role in &data.volume {
        let svg = charts::volume_chart(role, Some(&data.period))?;
        let _ = writeln!(
            out,
            "<div class=\"volume\" data-stream=\"{}\"><figure>{svg}</figure>",
            escape(&role.stream)
        );
        out.push_str(
            "<table><tr><th>period</th><th class=\"num\">tasks</th><th class=\"num\">escalations</th>\
             <th class=\"num\">per task</th></tr>\n",
        );
        for point in &role.periods {
            let _ = writeln!(
                out,
                "<tr{}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td></tr>",
                if point.label == data.period {
                    " class=\"current\""
                } else {
                    ""
                },
                escape(&point.label),
                point.tasks,
                point.escalations,
                point.rate
            );
        }
        out.push_str("</table></div>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

fn streams(out: &mut String, data: &ReportData) -> Result<()> {
    out.push_str(
        "<section id=\"streams\"><h2>Drift: CUSUM charts</h2>\n<p class=\"meta\">Each stream \
         has a lower chart (the rate falls) and an upper chart (it rises), computed over the \
         history up to the end of the period; the period is shaded.</p>\n",
    );
    if data.charts.is_empty() {
        out.push_str("<p class=\"empty\">No stream has data to chart.</p></section>\n");
        return Ok(());
    }
    for (stream, charts_of_stream) in charts_by_stream(data) {
        let _ = writeln!(
            out,
            "<section class=\"stream\" id=\"{}\" data-stream=\"{}\"><h3>{}</h3>",
            escape(&stream_anchor(stream)),
            escape(stream),
            escape(stream)
        );
        for chart in charts_of_stream {
            let report = &chart.chart;
            let status = chart.status.as_str();
            let svg = charts::cusum_chart(report, Some(&data.period))?;
            let alarm_attr = chart
                .alarm_id
                .map_or(String::new(), |id| format!(" data-alarm-id=\"{id}\""));
            let rate = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.3}"));
            let _ = writeln!(
                out,
                "<figure class=\"chart\" data-direction=\"{}\" data-status=\"{status}\"{alarm_attr}>{svg}\
                 <figcaption><span class=\"status status-{status}\">{status}</span>{} {} side: \
                 S = {:.2}, h = {:.2}; baseline {:.3} ({}), target {:.3}; change {}, rate before {}, \
                 since {}; {} event records since the change.</figcaption></figure>",
                report.direction,
                chart
                    .alarm_id
                    .map_or(String::new(), |id| format!(" alarm {id}:")),
                report.direction,
                report.statistic,
                report.h,
                report.baseline,
                report.baseline_source,
                report.target_rate,
                escape(report.change_period.as_deref().unwrap_or("-")),
                rate(report.rate_before),
                rate(report.rate_since),
                report.evidence.len(),
            );
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

fn suites(out: &mut String, data: &ReportData) {
    out.push_str("<section id=\"suites\"><h2>Suite results against their baselines</h2>\n");
    if data.suite_runs.is_empty() {
        out.push_str("<p class=\"empty\">No suite runs in this period.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><tr><th>suite</th><th>run</th><th>time</th><th class=\"num\">passed</th>\
         <th class=\"num\">baseline</th><th>regressions</th></tr>\n",
    );
    for run in &data.suite_runs {
        let _ = writeln!(
            out,
            "<tr data-suite-run=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}/{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&run.run_id),
            escape(&run.suite),
            escape(&run.run_id),
            escape(&run.ts),
            run.passed,
            run.total,
            percent(run.baseline_pass_rate),
            escape(&run.regressions.join(", ")),
        );
    }
    out.push_str("</table></section>\n");
}

fn sample(out: &mut String, data: &ReportData) {
    out.push_str("<section id=\"sample\"><h2>The review sample's scores</h2>\n");
    if data.sample.is_empty() {
        out.push_str("<p class=\"empty\">No review sample in this period.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><tr><th>record</th><th>role</th><th>rubric</th><th class=\"num\">P(pass)</th>\
         <th>verdict</th><th>label</th></tr>\n",
    );
    for row in &data.sample {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.record_id),
            escape(&row.role),
            escape(&row.rubric),
            row.p_pass.map_or("-".to_string(), |p| format!("{p:.3}")),
            escape(row.verdict.as_deref().unwrap_or("-")),
            escape(row.label.as_deref().unwrap_or("-")),
        );
    }
    out.push_str("</table></section>\n");
}

fn calibration(out: &mut String, data: &ReportData) -> Result<()> {
    out.push_str("<section id=\"calibration\"><h2>Calibration</h2>\n");
    if data.calibration.is_empty() {
        out.push_str("<p class=\"empty\">No calibration data.</p></section>\n");
        return Ok(());
    }
    for curve in &data.calibration {
        let _ = writeln!(
            out,
            "<h3>{} (judge <code>{}</code>)</h3>\
             <p class=\"judge-agreement\" data-rubric=\"{}\">{} on {}, trained {} on {} labeled \
             items ({} pass). Cross-validated agreement with the labels: AUC {:.3} \
             [{:.3}, {:.3}], kappa {:.3} [{:.3}, {:.3}], accuracy {:.3} [{:.3}, {:.3}]. {}</p>\
             <figure class=\"chart\" data-reliability=\"{}\">{}\
             <figcaption>The active trained judge's cross-validated (out-of-fold) predictions \
             against the labels.</figcaption></figure>\
             <table><tr><th>P(pass)</th><th class=\"num\">pairs</th>\
             <th class=\"num\">mean P(pass)</th><th class=\"num\">observed pass rate</th></tr>",
            escape(&curve.rubric),
            escape(&curve.judge),
            escape(&curve.rubric),
            escape(&curve.method),
            escape(&curve.features),
            escape(&curve.trained_at),
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
            escape(curve.promotion.as_deref().unwrap_or("")),
            escape(&curve.rubric),
            charts::reliability_chart(curve)?,
        );
        for bin in &curve.bins {
            let _ = writeln!(
                out,
                "<tr><td>{:.1} to {:.1}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td>\
                 <td class=\"num\">{:.3}</td></tr>",
                bin.lower, bin.upper, bin.count, bin.mean_p_pass, bin.observed_pass_rate
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

fn subject_kind(subject: &crate::ledger::Subject) -> &'static str {
    match subject.kind {
        crate::ledger::SubjectKind::Alarm => "alarm",
        crate::ledger::SubjectKind::Record => "record",
        crate::ledger::SubjectKind::SuiteRun => "suite-run",
    }
}

/// An element id for a stream's section: its name with every character outside
/// `[A-Za-z0-9-]` replaced by `_`, after a `stream-` prefix.
fn stream_anchor(stream: &str) -> String {
    let safe: String = stream
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("stream-{safe}")
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".to_string(), |r| format!("{:.1}%", 100.0 * r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text_and_attributes() {
        assert_eq!(
            escape("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(
            stream_anchor("pass-rate/worker/esc@v1/ab"),
            "stream-pass-rate_worker_esc_v1_ab"
        );
    }
}
