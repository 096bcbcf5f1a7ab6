//! `judge drift` on the sample data: the worker's escalations fall from about 15 to about 4 a
//! week at steady task volume; the lower escalation chart must alarm, with the change point at
//! the week the decline began, and the command must exit with the alarm code.

use crate::support::{assert_one_clear_error, judge, repo_root, stderr, stdout};

const EXIT_ALARM: i32 = 3;

#[test]
fn the_sample_worker_escalation_decline_is_an_alarm_with_its_change_point() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo_root().join("data/sample/records.jsonl");
    let ingest = judge(
        &[
            "ingest",
            "--input",
            sample.to_str().unwrap(),
            "--store",
            "s.db",
        ],
        dir.path(),
    );
    assert!(ingest.status.success(), "{}", stderr(&ingest));

    let output = judge(
        &[
            "drift",
            "--store",
            "s.db",
            "--format",
            "json",
            "--metrics-file",
            "judge.prom",
            "--chart-dir",
            "charts",
        ],
        dir.path(),
    );
    assert_eq!(
        output.status.code(),
        Some(EXIT_ALARM),
        "{}",
        stderr(&output)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let streams = json["streams"].as_array().unwrap();
    let lower = streams
        .iter()
        .find(|s| s["stream"] == "escalations/worker" && s["direction"] == "lower")
        .unwrap();
    assert_eq!(lower["status"], "alarm");
    // The generator's schedule: 15, 15, 13 escalations, then 11 in 2026-W39 and falling.
    assert_eq!(lower["change_period"], "2026-W39");
    assert!(lower["rate_since"].as_f64().unwrap() < lower["rate_before"].as_f64().unwrap());
    assert!(!lower["evidence"].as_array().unwrap().is_empty());
    let upper = streams
        .iter()
        .find(|s| s["stream"] == "escalations/worker" && s["direction"] == "upper")
        .unwrap();
    assert_eq!(upper["status"], "ok");
    let warnings = stderr(&output);
    assert_eq!(
        warnings
            .matches("warning: escalations/worker: baseline estimated from")
            .count(),
        1,
        "{warnings}"
    );

    let prom = std::fs::read_to_string(dir.path().join("judge.prom")).unwrap();
    assert!(prom.contains("judge_drift_alarm{stream=\"escalations/worker\",side=\"lower\"} 1\n"));
    assert!(prom.contains("# TYPE judge_drift_statistic gauge\n"));

    let svg =
        std::fs::read_to_string(dir.path().join("charts/escalations_worker.lower.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    let texts = svg_texts(&svg);
    assert!(
        texts.contains(&"change") && texts.contains(&"alarm"),
        "{texts:?}"
    );

    // Running again keeps one open alarm, not a second one.
    let again = judge(
        &["drift", "--store", "s.db", "--format", "json"],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(EXIT_ALARM));
    let json: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    assert_eq!(json["open_alarms"].as_array().unwrap().len(), 1);
}

#[test]
fn a_steady_stream_is_not_an_alarm() {
    let dir = tempfile::tempdir().unwrap();
    // Six weeks, 40 tasks and 15 escalations each: nothing to see.
    let mut lines = Vec::new();
    for week in 0..6 {
        for task in 0..40 {
            let day = 7 * week + 1 + task % 5;
            let date = chrono_day(day);
            lines.push(
                serde_json::json!({
                    "id": format!("w{week}-{task}"), "ts": format!("{date}T10:00:00Z"),
                    "role": "worker", "agent": "w", "input": "x", "output": "y",
                    "escalated": task < 15,
                })
                .to_string(),
            );
        }
    }
    std::fs::write(dir.path().join("r.jsonl"), lines.join("\n") + "\n").unwrap();
    let ingest = judge(
        &["ingest", "--input", "r.jsonl", "--store", "s.db"],
        dir.path(),
    );
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    let output = judge(&["drift", "--store", "s.db"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

/// `2026-08-31` plus `days`, as `YYYY-MM-DD` (September and October 2026 only).
fn chrono_day(days: u32) -> String {
    let day = 30 + days; // day-of-August counting from the 31st as day 1
    if day <= 31 {
        format!("2026-08-{day:02}")
    } else if day <= 61 {
        format!("2026-09-{:02}", day - 31)
    } else {
        format!("2026-10-{:02}", day - 61)
    }
}

/// Published run lengths through the command line (Lucas and Crosier 1982; Montgomery's table;
/// R's spc::xcusum.arl): two-sided normal CUSUM, k = 0.5.
#[test]
fn arl_and_design_reproduce_published_values() {
    let dir = tempfile::tempdir().unwrap();
    let arl = |h: &str, rate: &str| {
        let output = judge(
            &[
                "drift", "arl", "--chart", "normal", "--shift", "1", "--h", h, "--rate", rate,
                "--json",
            ],
            dir.path(),
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["arl"].as_f64().unwrap()
    };
    let close = |got: f64, published: f64| (got - published).abs() / published < 0.005;
    assert!(close(arl("4", "0"), 167.68));
    assert!(close(arl("4", "1"), 8.38));
    assert!(close(arl("5", "0"), 465.44));
    assert!(close(arl("5", "1"), 10.38));
    // Both sides started at h/2 (R: xcusum.arl(0.5, 4, 0, hs = 2, sided = "two")); above
    // h/2 + k the sides interact and the command refuses rather than approximate.
    let headstart = |start: &str| {
        judge(
            &[
                "drift",
                "arl",
                "--chart",
                "normal",
                "--k",
                "0.5",
                "--h",
                "4",
                "--side",
                "two",
                "--headstart",
                start,
                "--rate",
                "0",
                "--json",
            ],
            dir.path(),
        )
    };
    let output = headstart("2");
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(
        (json["arl"].as_f64().unwrap() - 148.70).abs() < 0.01,
        "{json}"
    );
    assert_one_clear_error(
        &headstart("3"),
        "--headstart above 2.5 (h/2 + k) is refused",
    );

    let output = judge(
        &[
            "drift", "design", "--chart", "normal", "--shift", "1", "--arl0", "370", "--json",
        ],
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(close(json["h"].as_f64().unwrap(), 4.774));
    assert!(json["arl0"].as_f64().unwrap() >= 370.0);

    let bad = judge(
        &[
            "drift",
            "arl",
            "--chart",
            "bernoulli",
            "--p0",
            "0.1",
            "--p1",
            "0.1",
            "--h",
            "3",
            "--rate",
            "0.1",
        ],
        dir.path(),
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("--p1"), "{}", stderr(&bad));
}

/// The contents of an SVG document's `<text>` elements, trimmed.
fn svg_texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find('>')? + 1;
            let end = rest.find("</text>")?;
            Some(rest[start..end].trim())
        })
        .collect()
}
