//! The report's charts as self-contained SVG text, drawn with plotters' SVG backend: the
//! CUSUM chart of a stream in one direction (its rate against the baseline, its statistic
//! against h, the change point and the first alarm marked), pass rates per role and rubric
//! over time, escalations against task volume, and a trained judge's reliability diagram.
//! `judge drift --chart-dir` writes the same CUSUM charts.
//!
//! The SVG backend writes text as `<text>` elements and estimates label sizes without font
//! files, so the charts need no fonts at build or render time and read offline anywhere.

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::streams::{ChartReport, StreamKind};

use super::{CalibrationCurve, PassRateTrend, RoleVolume};

/// A CUSUM chart: the rate per period against its baseline and target above, the statistic
/// against its threshold h below, with the change point and the first alarm as vertical lines.
/// `highlight` shades the report's period when the chart holds it.
pub fn cusum_chart(report: &ChartReport, highlight: Option<&str>) -> Result<String> {
    let labels: Vec<&str> = report.periods.iter().map(|p| p.label.as_str()).collect();
    let rates: Vec<f64> = report
        .periods
        .iter()
        .map(|p| p.events as f64 / p.exposure.max(1) as f64)
        .collect();
    let position = |label: &Option<String>| {
        label
            .as_deref()
            .and_then(|l| labels.iter().position(|x| *x == l))
    };
    let mut marks = Vec::new();
    if let Some(i) = position(&report.change_period) {
        marks.push(Mark {
            index: i,
            label: "change",
            color: ORANGE,
        });
    }
    if let Some(i) = position(&report.alarm_period) {
        marks.push(Mark {
            index: i,
            label: "alarm",
            color: RED,
        });
    }
    let highlight = highlight.and_then(|h| labels.iter().position(|x| *x == h));
    let rate_name = match report.kind {
        StreamKind::Escalations => "escalations per task",
        StreamKind::PassRate => "failed verdicts per pair",
    };
    let title = format!("{} ({} side)", report.stream, report.direction);
    draw(&title, (760, 560), |root| {
        let (top, bottom) = root.split_vertically(270);
        panel(
            &top,
            &Panel {
                caption: rate_name,
                labels: &labels,
                y_max: max_of(&rates, &[report.baseline, report.target_rate]),
                lines: &[Line {
                    label: "rate",
                    values: &rates,
                    color: BLUE,
                }],
                levels: &[
                    Level {
                        label: "baseline",
                        value: report.baseline,
                        color: GREY,
                    },
                    Level {
                        label: "target",
                        value: report.target_rate,
                        color: PURPLE,
                    },
                ],
                marks: &marks,
                highlight,
            },
        )?;
        panel(
            &bottom,
            &Panel {
                caption: "CUSUM statistic",
                labels: &labels,
                y_max: max_of(&report.statistics, &[report.h]),
                lines: &[Line {
                    label: "S",
                    values: &report.statistics,
                    color: GREEN,
                }],
                levels: &[Level {
                    label: &format!("h = {:.2}", report.h),
                    value: report.h,
                    color: RED,
                }],
                marks: &marks,
                highlight,
            },
        )
    })
}

/// Pass rates per role, rubric version and judge over the periods, one line each.
pub fn pass_rate_chart(
    trends: &[PassRateTrend],
    periods: &[String],
    highlight: Option<&str>,
) -> Result<String> {
    let labels: Vec<&str> = periods.iter().map(String::as_str).collect();
    // A stream without data in a period has no point there: NaN breaks its line.
    let series: Vec<(String, Vec<f64>)> = trends
        .iter()
        .map(|trend| {
            let values = labels
                .iter()
                .map(|label| {
                    trend
                        .periods
                        .iter()
                        .find(|p| p.label == *label)
                        .map_or(f64::NAN, |p| p.pass_rate)
                })
                .collect();
            (trend.name(), values)
        })
        .collect();
    let lines: Vec<Line> = series
        .iter()
        .enumerate()
        .map(|(i, (label, values))| Line {
            label,
            values,
            color: PALETTE[i % PALETTE.len()],
        })
        .collect();
    let highlight = highlight.and_then(|h| labels.iter().position(|x| *x == h));
    draw("pass rate per role and rubric", (760, 320), |root| {
        panel(
            root,
            &Panel {
                caption: "pass rate",
                labels: &labels,
                y_max: 1.0,
                lines: &lines,
                levels: &[],
                marks: &[],
                highlight,
            },
        )
    })
}

/// A reliability diagram: per bin of predicted P(pass), the observed pass rate against the
/// mean prediction, with the diagonal a perfectly calibrated judge lies on; a point's area
/// grows with the number of pairs in its bin.
pub fn reliability_chart(curve: &CalibrationCurve) -> Result<String> {
    let title = format!("reliability: {}", curve.rubric);
    draw(&title, (420, 420), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..1.0f64, 0.0..1.0f64)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .x_desc("mean predicted P(pass)")
            .y_desc("observed pass rate")
            .label_style(("sans-serif", 13))
            .light_line_style(WHITE)
            .draw()?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (1.0, 1.0)],
                GREY.stroke_width(1),
            )))?
            .label("perfect calibration")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREY));
        let largest = curve.bins.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
        let color = PALETTE[0];
        chart
            .draw_series(curve.bins.iter().map(|bin| {
                let radius = 3.0 + 9.0 * (bin.count as f64 / largest).sqrt();
                Circle::new(
                    (bin.mean_p_pass, bin.observed_pass_rate),
                    radius as i32,
                    color.filled(),
                )
            }))?
            .label("bins (area: pairs)")
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(("sans-serif", 13))
            .draw()?;
        Ok(())
    })
}

/// A role's task volume and escalations per period, as bars side by side.
pub fn volume_chart(volume: &RoleVolume, highlight: Option<&str>) -> Result<String> {
    let labels: Vec<&str> = volume.periods.iter().map(|p| p.label.as_str()).collect();
    let highlight = highlight.and_then(|h| labels.iter().position(|x| *x == h));
    let tasks: Vec<f64> = volume.periods.iter().map(|p| p.tasks as f64).collect();
    let escalations: Vec<f64> = volume
        .periods
        .iter()
        .map(|p| p.escalations as f64)
        .collect();
    let title = format!("escalations against task volume: {}", volume.role);
    draw(&title, (760, 300), |root| {
        let y_max = max_of(&tasks, &escalations);
        let mut chart = axes(root, &labels, y_max, "records")?;
        shade(&mut chart, highlight, y_max)?;
        for (values, color, offset, name) in [
            (&tasks, GREY, -0.36, "tasks"),
            (&escalations, ORANGE, 0.02, "escalations"),
        ] {
            chart
                .draw_series(values.iter().enumerate().map(|(i, &v)| {
                    let x = i as f64 + offset;
                    Rectangle::new([(x, 0.0), (x + 0.34, v)], color.filled())
                }))?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled())
                });
        }
        legend(&mut chart)
    })
}

/// Qualitative colors that stay apart on white.
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
const BLUE: RGBColor = PALETTE[0];
const ORANGE: RGBColor = PALETTE[1];
const GREEN: RGBColor = PALETTE[2];
const RED: RGBColor = PALETTE[3];
const PURPLE: RGBColor = PALETTE[4];
const GREY: RGBColor = RGBColor(150, 150, 150);
const HIGHLIGHT: RGBColor = RGBColor(255, 236, 179);
/// The y axis runs this far above the largest value, leaving the top for the legend.
const HEADROOM: f64 = 1.4;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

struct Panel<'a> {
    caption: &'a str,
    labels: &'a [&'a str],
    y_max: f64,
    lines: &'a [Line<'a>],
    levels: &'a [Level<'a>],
    marks: &'a [Mark<'a>],
    highlight: Option<usize>,
}

struct Line<'a> {
    label: &'a str,
    values: &'a [f64],
    color: RGBColor,
}

/// A horizontal line: a baseline or a threshold.
struct Level<'a> {
    label: &'a str,
    value: f64,
    color: RGBColor,
}

/// A vertical line at a period: the change point or the first alarm.
struct Mark<'a> {
    index: usize,
    label: &'a str,
    color: RGBColor,
}

/// Draws into a fresh SVG document of `size` with a title, and returns its text.
fn draw(title: &str, size: (u32, u32), body: impl FnOnce(&Area) -> Result<()>) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        let inner = root.titled(title, ("sans-serif", 20))?;
        body(&inner).with_context(|| format!("drawing chart `{title}`"))?;
        root.present()?;
    }
    Ok(svg)
}

fn panel(area: &Area, panel: &Panel) -> Result<()> {
    let y_max = panel.y_max;
    let mut chart = axes(area, panel.labels, y_max, panel.caption)?;
    shade(&mut chart, panel.highlight, y_max)?;
    let right = panel.labels.len() as f64 - 0.5;
    for level in panel.levels {
        let color = level.color;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, level.value), (right, level.value)],
                color.stroke_width(1),
            )))?
            .label(level.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
    }
    for mark in panel.marks {
        let x = mark.index as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, 0.0), (x, y_max)],
            mark.color.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            mark.label.to_string(),
            (x + 0.06, y_max * 1.1),
            ("sans-serif", 13).into_font().color(&mark.color),
        )))?;
    }
    for line in panel.lines {
        let color = line.color;
        // NaN (no data) splits the line into runs of consecutive periods.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, &v) in line.values.iter().enumerate() {
            if v.is_finite() {
                runs.last_mut().expect("never empty").push((i as f64, v));
            } else if !runs.last().expect("never empty").is_empty() {
                runs.push(Vec::new());
            }
        }
        chart
            .draw_series(
                runs.into_iter()
                    .map(|run| PathElement::new(run, color.stroke_width(2))),
            )?
            .label(line.label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
            });
        chart.draw_series(
            line.values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, &v)| Circle::new((i as f64, v), 3, color.filled())),
        )?;
    }
    legend(&mut chart)
}

/// A chart whose x axis is the periods (index i at x = i, labelled with the period) and whose
/// y axis runs from 0 to a little above `y_max`.
fn axes<'a, 'b>(
    area: &'a Area<'b>,
    labels: &'a [&'a str],
    y_max: f64,
    y_desc: &str,
) -> Result<Chart<'a, 'b>> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y_max.max(1e-9) * HEADROOM)?;
    chart
        .configure_mesh()
        .x_labels(n.min(12))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels
                    .get(i as usize)
                    .map_or(String::new(), |l| l.to_string())
            } else {
                String::new()
            }
        })
        .y_labels(5)
        .y_desc(y_desc)
        .label_style(("sans-serif", 13))
        .light_line_style(WHITE)
        .draw()?;
    Ok(chart)
}

/// Shades the report's period.
fn shade(chart: &mut Chart, highlight: Option<usize>, y_max: f64) -> Result<()> {
    if let Some(i) = highlight {
        let x = i as f64;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x - 0.5, 0.0), (x + 0.5, y_max.max(1e-9) * HEADROOM)],
            HIGHLIGHT.filled(),
        )))?;
    }
    Ok(())
}

fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>) -> Result<()> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(GREY)
        .label_font(("sans-serif", 13))
        .draw()?;
    Ok(())
}

/// The largest finite value of both lists, at least a tiny positive number.
fn max_of(values: &[f64], more: &[f64]) -> f64 {
    values
        .iter()
        .chain(more)
        .copied()
        .filter(|v| v.is_finite())
        .fold(1e-9, f64::max)
}
