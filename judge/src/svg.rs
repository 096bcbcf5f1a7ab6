//! Drift charts as self-contained SVG: the rate per period against its baseline, and the
//! CUSUM statistic against its threshold, with the change point and the first alarm marked.
//!
//! Hand-written rather than drawn through a plotting crate: the charts are two line plots, and
//! plain SVG text needs no font files at render time, which keeps the report readable offline
//! on any machine.

use std::fmt::Write;

use crate::streams::ChartReport;

const WIDTH: f64 = 720.0;
const PANEL_HEIGHT: f64 = 200.0;
const MARGIN_LEFT: f64 = 64.0;
const MARGIN_RIGHT: f64 = 48.0;
const MARGIN_TOP: f64 = 56.0;
const GAP: f64 = 56.0;

/// The SVG document of one chart (a stream in one direction).
pub fn drift_chart(report: &ChartReport) -> String {
    let labels: Vec<&str> = report.periods.iter().map(|p| p.label.as_str()).collect();
    let rates: Vec<f64> = report
        .periods
        .iter()
        .map(|p| p.events as f64 / p.exposure.max(1) as f64)
        .collect();
    let height = MARGIN_TOP + 2.0 * PANEL_HEIGHT + GAP + 48.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN_LEFT}" y="22" font-size="15" font-weight="bold">{} ({} side)</text>"#,
        escape(&report.stream),
        report.direction
    );

    let rate_max = rates
        .iter()
        .copied()
        .chain([report.baseline, report.target_rate])
        .fold(0.0, f64::max)
        * 1.15;
    let rate_panel = Panel {
        top: MARGIN_TOP,
        y_max: rate_max.max(1e-9),
        n: labels.len(),
    };
    rate_panel.frame(&mut svg, "rate per unit of exposure");
    rate_panel.hline(&mut svg, report.baseline, "#888", "baseline");
    rate_panel.polyline(&mut svg, &rates, "#1f77b4");

    let stat_max = report
        .statistics
        .iter()
        .copied()
        .chain([report.h])
        .fold(0.0, f64::max)
        * 1.15;
    let stat_panel = Panel {
        top: MARGIN_TOP + PANEL_HEIGHT + GAP,
        y_max: stat_max.max(1e-9),
        n: labels.len(),
    };
    stat_panel.frame(&mut svg, "CUSUM statistic");
    stat_panel.hline(
        &mut svg,
        report.h,
        "#d62728",
        &format!("h = {:.2}", report.h),
    );
    stat_panel.polyline(&mut svg, &report.statistics, "#2ca02c");

    for panel in [&rate_panel, &stat_panel] {
        if let Some(change) = &report.change_period {
            if let Some(i) = labels.iter().position(|l| l == change) {
                panel.vline(&mut svg, i, "#ff7f0e", "change");
            }
        }
        if let Some(alarm) = &report.alarm_period {
            if let Some(i) = labels.iter().position(|l| l == alarm) {
                panel.vline(&mut svg, i, "#d62728", "alarm");
            }
        }
    }
    stat_panel.x_labels(&mut svg, &labels);
    svg.push_str("</svg>\n");
    svg
}

struct Panel {
    top: f64,
    y_max: f64,
    n: usize,
}

impl Panel {
    fn x(&self, i: usize) -> f64 {
        let inner = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
        if self.n <= 1 {
            MARGIN_LEFT + inner / 2.0
        } else {
            MARGIN_LEFT + inner * i as f64 / (self.n - 1) as f64
        }
    }

    fn y(&self, value: f64) -> f64 {
        self.top + PANEL_HEIGHT * (1.0 - value / self.y_max)
    }

    fn frame(&self, svg: &mut String, title: &str) {
        let _ = writeln!(
            svg,
            r##"<rect x="{MARGIN_LEFT}" y="{}" width="{}" height="{PANEL_HEIGHT}" fill="none" stroke="#ccc"/>"##,
            self.top,
            WIDTH - MARGIN_LEFT - MARGIN_RIGHT
        );
        let _ = writeln!(
            svg,
            r##"<text x="{MARGIN_LEFT}" y="{}" fill="#444">{title}</text>"##,
            self.top - 6.0
        );
        for fraction in [0.0, 0.5, 1.0] {
            let value = self.y_max * fraction;
            let _ = writeln!(
                svg,
                r##"<text x="{}" y="{}" text-anchor="end" fill="#666">{}</text>"##,
                MARGIN_LEFT - 6.0,
                self.y(value) + 4.0,
                format_value(value)
            );
        }
    }

    fn polyline(&self, svg: &mut String, values: &[f64], color: &str) {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", self.x(i), self.y(v)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            points.join(" ")
        );
        for (i, &v) in values.iter().enumerate() {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                self.x(i),
                self.y(v)
            );
        }
    }

    fn hline(&self, svg: &mut String, value: f64, color: &str, label: &str) {
        let y = self.y(value);
        let _ = writeln!(
            svg,
            r#"<line x1="{MARGIN_LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="{color}" stroke-dasharray="6 4"/>"#,
            WIDTH - MARGIN_RIGHT
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end" fill="{color}">{}</text>"#,
            WIDTH - MARGIN_RIGHT - 4.0,
            y - 4.0,
            escape(label)
        );
    }

    fn vline(&self, svg: &mut String, i: usize, color: &str, label: &str) {
        let x = self.x(i);
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="{color}" stroke-width="1.5"/>"#,
            self.top,
            self.top + PANEL_HEIGHT
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" fill="{color}">{label}</text>"#,
            x + 4.0,
            self.top + 14.0
        );
    }

    fn x_labels(&self, svg: &mut String, labels: &[&str]) {
        for (i, label) in labels.iter().enumerate() {
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#444">{}</text>"##,
                self.x(i),
                self.top + PANEL_HEIGHT + 18.0,
                escape(label)
            );
        }
    }
}

fn format_value(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
