//! `judge report` on the sample data: the worker's escalation alarm is listed as undocumented
//! until a `judge decide` moves it to the decisions with its reason; the JSON, Markdown and
//! HTML forms agree; and the HTML page, rendered in headless Chromium (when
//! `JUDGE_BROWSER_TESTS=1`, which `.ci/run` sets), shows the alarm and its chart with no
//! console message and nothing loaded from outside the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{assert_one_clear_error, judge, repo_root, run_ok, stderr};

const EXIT_ALARM: i32 = 3;

/// The sample records in `s.db` and `judge drift` run once: alarm 1 (escalations/worker,
/// lower) is open.
fn sample_store_with_an_alarm(dir: &Path) {
    let sample = repo_root().join("data/sample/records.jsonl");
    run_ok(
        &[
            "ingest",
            "--input",
            sample.to_str().unwrap(),
            "--store",
            "s.db",
        ],
        dir,
    );
    let drift = judge(&["drift", "--store", "s.db"], dir);
    assert_eq!(drift.status.code(), Some(EXIT_ALARM), "{}", stderr(&drift));
}

fn report_json(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["report", "--store", "s.db", "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&run_ok(&args, dir)).unwrap()
}

fn worker_lower(report: &serde_json::Value) -> serde_json::Value {
    report["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stream"] == "escalations/worker" && c["direction"] == "lower")
        .expect("the worker's lower escalation chart")
        .clone()
}

#[test]
fn the_alarm_is_undocumented_until_a_decision_moves_it_to_the_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_store_with_an_alarm(dir);

    let before = report_json(dir, &[]);
    assert_eq!(before["schema"], 1);
    assert_eq!(
        before["period"], "2026-W43",
        "the latest week of the sample"
    );
    assert_eq!(before["periods"].as_array().unwrap().len(), 8);
    assert_eq!(before["open_alarms"][0]["id"], 1);
    assert_eq!(before["open_alarms"][0]["stream"], "escalations/worker");
    let undocumented = before["undocumented"].as_array().unwrap();
    assert_eq!(undocumented.len(), 1, "{undocumented:?}");
    assert_eq!(
        undocumented[0]["subject"],
        serde_json::json!({"kind": "alarm", "id": "1"})
    );
    assert_eq!(before["decisions"].as_array().unwrap().len(), 0);
    let chart = worker_lower(&before);
    assert_eq!(chart["status"], "alarm");
    assert_eq!(chart["alarm_id"], 1);
    assert_eq!(chart["change_period"], "2026-W39");
    assert_eq!(chart["alarm_period"], "2026-W41");
    let worker = before["volume"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["role"] == "worker")
        .unwrap();
    let escalations: Vec<u64> = worker["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["escalations"].as_u64().unwrap())
        .collect();
    assert_eq!(escalations, [15, 15, 13, 11, 8, 5, 4, 3]);

    let markdown = run_ok(&["report", "--store", "s.db", "--format", "md"], dir);
    let undocumented_md = section(&markdown, "## Undocumented", "## Decisions");
    assert!(
        undocumented_md.contains("| alarm 1 |")
            && undocumented_md.contains("escalations/worker lower"),
        "{undocumented_md}"
    );
    assert!(section(&markdown, "## Decisions", "## Pass rates").contains("No decision"));

    // The ledger's gaps say the same.
    let gaps = run_ok(&["ledger", "gaps", "--store", "s.db", "--json"], dir);
    assert!(gaps.contains("\"kind\": \"alarm\""), "{gaps}");

    let reason = "new runbook <script>alert('x')</script> | owned by ops";
    run_ok(
        &[
            "decide",
            "--alarm",
            "1",
            "--position",
            "accepted",
            "--reason",
            reason,
            "--by",
            "ana",
            "--store",
            "s.db",
        ],
        dir,
    );

    let after = report_json(dir, &[]);
    assert_eq!(after["undocumented"].as_array().unwrap().len(), 0);
    assert_eq!(after["open_alarms"].as_array().unwrap().len(), 0);
    let decisions = after["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0]["reason"], reason);
    assert_eq!(decisions[0]["by"], "ana");
    assert_eq!(decisions[0]["position"], "accepted");
    assert_eq!(
        decisions[0]["subject"],
        serde_json::json!({"kind": "alarm", "id": "1"})
    );
    assert!(decisions[0]["detail"]
        .as_str()
        .unwrap()
        .contains("escalations/worker lower"));
    // Decided on now, weeks after the sample's last week ended.
    assert_eq!(decisions[0]["in_period"], false);
    let chart = worker_lower(&after);
    assert_eq!(chart["status"], "acknowledged");
    assert_eq!(chart["alarm_id"], 1);
    assert_eq!(after["ledger"]["intact"], true);
    let gaps = run_ok(&["ledger", "gaps", "--store", "s.db", "--json"], dir);
    assert!(!gaps.contains("\"kind\": \"alarm\""), "{gaps}");

    let markdown = run_ok(&["report", "--store", "s.db", "--format", "md"], dir);
    assert!(section(&markdown, "## Undocumented", "## Decisions").contains("Nothing undocumented"));
    let decisions_md = section(&markdown, "## Decisions", "## Pass rates");
    assert!(
        decisions_md
            .contains("new runbook &lt;script&gt;alert('x')&lt;/script&gt; \\| owned by ops"),
        "{decisions_md}"
    );

    run_ok(&["report", "--store", "s.db", "--out", "report.html"], dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("new runbook &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; | owned by ops"),
        "the reason is shown, escaped"
    );
    assert!(!html.contains("<script"), "no script element of any origin");
    assert!(html.contains("data-subject-kind=\"alarm\" data-subject-id=\"1\""));
}

#[test]
fn a_past_period_shows_the_history_up_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_store_with_an_alarm(dir);

    let report = report_json(dir, &["--period", "2026-W40"]);
    assert_eq!(report["period"], "2026-W40");
    let periods: Vec<&str> = report["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(periods.first(), Some(&"2026-W36"));
    assert_eq!(periods.last(), Some(&"2026-W40"));
    // The chart alarms in 2026-W41: at the end of 2026-W40 it is only building evidence.
    let chart = worker_lower(&report);
    assert_eq!(chart["status"], "watch");
    assert_eq!(chart["statistics"].as_array().unwrap().len(), 5);
    assert_eq!(report["summary"]["records"], 52);

    let output = judge(&["report", "--store", "s.db", "--period", "2026-W50"], dir);
    assert_one_clear_error(
        &output,
        "period 2026-W50 has no data in store s.db: it holds 2026-W36 to 2026-W43",
    );
    let output = judge(&["report", "--store", "s.db", "--period", "week 50"], dir);
    assert_one_clear_error(&output, "period `week 50` is not a day");
    let output = judge(&["report", "--store", "absent.db"], dir);
    assert_one_clear_error(&output, "store absent.db does not exist");
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    if std::env::var("JUDGE_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("skipping: set JUDGE_BROWSER_TESTS=1 to render the report in headless Chromium");
        return;
    }
    let chromium = which_chromium().expect(
        "JUDGE_BROWSER_TESTS=1 but no chromium on PATH: install Debian's `chromium` package \
         (scripts/test.sh does)",
    );
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    sample_store_with_an_alarm(dir);
    run_ok(&["report", "--store", "s.db", "--out", "report.html"], dir);
    let page = dir.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();

    // Nothing outside the file can load: the policy forbids it, and nothing asks for it.
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">"
    ));
    for needle in [
        "src=", "url(", "@import", "<link", "<script", "<iframe", "<object",
    ] {
        assert!(!html.contains(needle), "the page holds `{needle}`");
    }
    let urls: Vec<&str> = ["http://", "https://", "//"]
        .iter()
        .flat_map(|scheme| html.match_indices(scheme))
        .map(|(i, _)| &html[i..(i + 40).min(html.len())])
        .filter(|u| {
            !u.starts_with("http://www.w3.org/2000/svg") && !u.starts_with("//www.w3.org/2000/svg")
        })
        .collect();
    assert!(
        urls.is_empty(),
        "URLs other than the SVG namespace: {urls:?}"
    );

    // A control page that does load something from outside: the console check must see it,
    // or a clean result below would prove nothing.
    let control = dir.join("control.html");
    std::fs::write(
        &control,
        html.replacen(
            "<body>",
            "<body><img src=\"http://example.invalid/x.png\">",
            1,
        ),
    )
    .unwrap();
    let control_run = chromium_run(&chromium, &control, dir, &["--dump-dom"]);
    assert!(
        !console_messages(&control_run).is_empty(),
        "the blocked load of the control page must show on the console"
    );

    let screenshot = dir.join("report.png");
    let shot = chromium_run(
        &chromium,
        &page,
        dir,
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,4000",
        ],
    );
    assert!(
        console_messages(&shot).is_empty(),
        "console: {:?}",
        console_messages(&shot)
    );
    let png = std::fs::read(&screenshot).expect("the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    let kept = repo_root().join("target/report-screenshot.png");
    std::fs::copy(&screenshot, &kept).unwrap();
    eprintln!("screenshot: {}", kept.display());

    let dump = chromium_run(&chromium, &page, dir, &["--dump-dom"]);
    assert!(
        console_messages(&dump).is_empty(),
        "console: {:?}",
        console_messages(&dump)
    );
    let dom = dump.stdout;
    // The open alarm's row, and the stream's section with the alarmed chart as inline SVG.
    let alarms = element_after(&dom, "<section id=\"open-alarms\">");
    assert!(
        alarms.contains("<tr data-alarm-id=\"1\" data-stream=\"escalations/worker\">"),
        "{alarms}"
    );
    let undocumented = element_after(&dom, "<section id=\"undocumented\">");
    assert!(undocumented.contains("data-subject-kind=\"alarm\" data-subject-id=\"1\""));
    let stream = element_after(&dom, "data-stream=\"escalations/worker\"><h3>");
    let figure = element_after(
        stream,
        "<figure class=\"chart\" data-direction=\"lower\" data-status=\"alarm\" data-alarm-id=\"1\">",
    );
    assert!(figure.contains("<svg"), "{figure}");
    assert!(figure.contains("escalations/worker (lower side)"));
}

/// The text from `start` to the end of the section or figure it opens (the first closing tag
/// of its kind after it; sections here nest at most one level, and the check needs no more).
fn element_after<'a>(text: &'a str, start: &str) -> &'a str {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not in the page"));
    let rest = &text[at..];
    let end = if start.contains("<figure") {
        rest.find("</figure>")
    } else {
        rest.find("</section>")
    };
    &rest[..end.unwrap_or(rest.len())]
}

fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("`{from}` missing"));
    let end = text[start..].find(to).map_or(text.len(), |i| start + i);
    &text[start..end]
}

struct ChromiumRun {
    stdout: String,
    stderr: String,
}

fn which_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on a file with every host name unresolvable (a request to the
/// network would fail rather than leave the machine) and console messages logged to stderr.
fn chromium_run(chromium: &Path, page: &Path, dir: &Path, extra: &[&str]) -> ChromiumRun {
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", dir.join("chromium-profile").display()),
        ])
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("running chromium");
    let run = ChromiumRun {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(output.status.success(), "chromium failed: {}", run.stderr);
    run
}

/// The page's console messages: Chromium logs each as a `CONSOLE` line, errors and blocked
/// loads (a Content-Security-Policy violation) included.
fn console_messages(run: &ChromiumRun) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .collect()
}
