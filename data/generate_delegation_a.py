#!/usr/bin/env python3
"""Labeled set "delegation-a" for the rubric `delegates-work` (role: foreman).

What it is
    288 replies of a foreman agent (an agent that manages worker agents
    worker-1..worker-5) to a goal it was given: bug fixes, releases, data
    pipelines, infra, security patches, reports, plus some finance, support,
    marketing, HR, sales and legal goals. 48 scenarios in 10 domains, each
    yielding 3 grouped minimal pairs (one pass, one fail) written with 9 output
    templates. Style: compact replies, assignments written inline
    ("worker-2 takes the migration, worker-4 the docs").

How labels are decided (rubrics/delegates-work.toml, expected text):
    "The foreman plans the work and hands each task to a worker, saying clearly
    what the task is. It does not write the code, the text or the answer itself.
    Short planning notes and questions to the person are fine."
    pass: every part of the goal is handed to a named worker with what the task
          is; the reply may also carry planning notes (order, who reviews, the
          foreman writing up the task split), a question to the person, or a
          promise to check progress.
    fail: the foreman does part of the work itself: it says it performed a part
          ("I added the regression test myself", "Done, I fixed it myself"),
          writes the actual code / text / numbers / answer in its reply
          ("here's what I wrote for them: Hi, on Tuesday an outage charged your
          card twice ..."), or does extra work on its own beyond the goal ("I
          cleaned up the old experiment flags myself"), even when the other
          parts are delegated or a worker is asked to double-check what it did.
    In each pair the two outputs share input, template, workers, opener,
    closing and all other clauses. They differ in one slot: a part handed to a
    worker vs the same part done by the foreman (5 templates), a brief vs the
    finished artifact (2 templates), an extra job handed to a worker vs done
    by the foreman (1 template), the whole goal handed off vs done (1 short
    template). In the self-done and extra-job templates a note slot mirrors it
    with the same two sentence frames: pass = the foreman did a bit of
    planning itself ("I set the deadlines for ... myself"), fail = that same
    planning bit is handed to a worker. So frame words ("myself", "already",
    "went ahead", "double-check what", "done", "worker", "I") occur on both
    sides and only what is done (planning vs the work) tells the label.

Regenerate (from the repo root):
    python3 data/generate_delegation_a.py            # writes data/labeled/delegation-a.jsonl
    python3 data/generate_delegation_a.py --check    # also runs the lexical baseline

Lexical baseline (--check): TF-IDF word 1-2 grams (keeps '?', min df 2, sublinear
tf, L2 rows) + L2 logistic regression (C=1, accelerated gradient descent),
5-fold cross-validation grouped by meta.scenario, on input+output text.
Pooled AUC reached: 0.645 (per template: the one-line "terse" pairs are
lexically obvious, the brief-vs-artifact pairs about 0.73, the rest about 0.5).
"""

import json
import math
import os
import random
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

from lexical_baseline import auc

SEED = 20260505
SET_NAME = "delegation-a"
RUBRIC = "delegates-work"
OUT = os.path.join("data", "labeled", "delegation-a.jsonl")
WORKERS = ["worker-1", "worker-2", "worker-3", "worker-4", "worker-5"]
FOREMEN = ["foreman-1", "foreman-2", "foreman-3"]

# ---------------------------------------------------------------------------
# Scenarios. parts: (noun phrase, verb phrase, past tense of the verb phrase)
# art: (part index, kind, brief a worker gets for that part, the finished
#       artifact itself as the foreman would write it on the fail side)
# extra: (verb phrase, past) a small extra job next to the goal
# ---------------------------------------------------------------------------

SCENARIOS = [
    dict(id="sw-safari-login-loop", domain="software",
         goal="Fix the Safari login redirect loop from ticket #4821 before Thursday's 3.8 release.",
         gnp="the Safari login loop fix", gpast="fixed the Safari login loop",
         q="Does this have to make 3.8, or can it go out as 3.8.1",
         parts=[("the trace of the redirect in the session middleware", "trace the redirect in the session middleware", "traced the redirect in the session middleware"),
                ("the SameSite cookie change", "change the session cookie to SameSite=Lax", "changed the session cookie to SameSite=Lax"),
                ("the regression test", "add a regression test that logs in with the Safari user agent", "added a regression test that logs in with the Safari user agent")],
         art=(1, "code", "set SameSite=Lax on the sid cookie, keep Secure and HttpOnly, touch nothing else in that file",
              "res.cookie('sid', token, { sameSite: 'lax', secure: true, httpOnly: true });"),
         extra=("delete the dead auth flag in auth.ts", "deleted the dead auth flag in auth.ts")),
    dict(id="sw-csv-export-commas", domain="software",
         goal="The CSV export drops rows that have commas in the name field. Get it fixed and out in the next patch.",
         gnp="the CSV export fix", gpast="fixed the CSV export",
         q="Should we also re-send last week's broken exports to the two customers who reported it",
         parts=[("the quoting fix in export_rows()", "fix the quoting in export_rows()", "fixed the quoting in export_rows()"),
                ("the test for commas and quotes in names", "write a test with commas and quotes in the name field", "wrote a test with commas and quotes in the name field"),
                ("the patch release", "cut the 2.14.3 patch release", "cut the 2.14.3 patch release")],
         art=(0, "code", "use csv.writer with QUOTE_MINIMAL instead of the manual join, no other behavior change",
              "writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL); writer.writerows(rows)"),
         extra=("update the export example in the docs", "updated the export example in the docs")),
    dict(id="sw-mobile-release-4-0", domain="software",
         goal="Ship mobile app release 4.0 to both stores by Friday.",
         gnp="the 4.0 release", gpast="shipped the 4.0 release",
         q="Do we hold iOS back if the Play review takes longer",
         parts=[("the release branch", "cut the release branch for 4.0.0", "cut the release branch for 4.0.0"),
                ("the store listing text", "write the store listing text for 4.0", "wrote the store listing text for 4.0"),
                ("the store submissions", "submit the builds to the App Store and Play Console", "submitted the builds to the App Store and Play Console")],
         art=(1, "text", "lead with offline mode, mention the new widget, under 80 words, no pricing",
              "New in 4.0: offline mode lets you keep working without a connection, and the home screen widget shows your day at a glance."),
         extra=("refresh the tablet screenshots", "refreshed the tablet screenshots")),
    dict(id="sw-auckland-timezone", domain="software",
         goal="Customers in Auckland see their meetings one day off in the calendar view. Find it and fix it.",
         gnp="the timezone bug", gpast="fixed the timezone bug",
         q="Is it only the calendar view, or have people seen it in the reminder emails too",
         parts=[("the repro with a Pacific/Auckland account", "reproduce it with a Pacific/Auckland test account", "reproduced it with a Pacific/Auckland test account"),
                ("the date conversion fix in toLocalDay()", "fix the date conversion in toLocalDay()", "fixed the date conversion in toLocalDay()"),
                ("the UTC+12 and UTC+13 test cases", "add test cases for UTC+12 and UTC+13", "added test cases for UTC+12 and UTC+13")],
         art=(1, "code", "convert with the user's zone before taking the date part, never the server zone",
              "const day = DateTime.fromISO(ts, { zone: user.tz }).toISODate();"),
         extra=("bump the luxon version", "bumped the luxon version")),
    dict(id="sw-flaky-checkout-tests", domain="software",
         goal="The checkout integration tests fail about one run in five. Make the suite stable again this week.",
         gnp="the flaky checkout tests", gpast="stabilized the checkout tests",
         q="Is it acceptable to quarantine the worst test while it's being fixed, or must it stay in the gate",
         parts=[("the CI failure review", "sort the last 30 CI failures by cause", "sorted the last 30 CI failures by cause"),
                ("the wait fix in the payment step", "replace the fixed sleep in the payment step with a real wait", "replaced the fixed sleep in the payment step with a real wait"),
                ("the test data reset", "make each test reset its own cart data", "made each test reset its own cart data")],
         art=(1, "code", "wait on the confirmation element with a 10 second cap instead of sleeping 2 seconds",
              "await page.waitForSelector('#order-confirmed', { timeout: 10000 });"),
         extra=("raise the CI runner memory", "raised the CI runner memory")),
    dict(id="sw-remove-v1-search", domain="software",
         goal="Remove the v1 search endpoint now that all clients are on v2.",
         gnp="the v1 endpoint removal", gpast="removed the v1 endpoint",
         q="Do you want it to return 410 for a while, or should the route just disappear",
         parts=[("the traffic check", "confirm v1 has had zero traffic for 14 days", "confirmed v1 has had zero traffic for 14 days"),
                ("the route and handler removal", "delete the v1 route and its handler", "deleted the v1 route and its handler"),
                ("the changelog entry", "write the changelog entry for the removal", "wrote the changelog entry for the removal")],
         art=(2, "text", "one line, name the endpoint, point to the v2 docs, put the date on it",
              "Removed: GET /v1/search. Use GET /v2/search instead; see the v2 docs."),
         extra=("rename the v2 handler file", "renamed the v2 handler file")),
    dict(id="sw-worker-memory-leak", domain="software",
         goal="The image worker service climbs in memory until it gets OOM-killed every two days. Sort it out.",
         gnp="the memory leak", gpast="fixed the memory leak",
         q="Can we restart it nightly as a stopgap while this is worked on",
         parts=[("the heap snapshots", "take heap snapshots from a long-running instance", "took heap snapshots from a long-running instance"),
                ("the cache limit", "put a size limit on the in-process image cache", "put a size limit on the in-process image cache"),
                ("the memory alert", "add an alert at 80 percent of the container limit", "added an alert at 80 percent of the container limit")],
         art=(1, "code", "cap the image cache at 500 entries with LRU eviction, keep the current key format",
              "image_cache = LRUCache(maxsize=500)"),
         extra=("upgrade the Pillow dependency", "upgraded the Pillow dependency")),
    dict(id="sw-stale-flag-cleanup", domain="software",
         goal="Clean out the feature flags that have been at 100 percent for more than three months.",
         gnp="the flag cleanup", gpast="cleaned out the old flags",
         q="Should the flags owned by the payments team be left for them to remove",
         parts=[("the stale flag list", "pull the list of flags at 100 percent since February", "pulled the list of flags at 100 percent since February"),
                ("the code removal", "remove the flag checks from the code", "removed the flag checks from the code"),
                ("the flag service cleanup", "archive the removed flags in the flag service", "archived the removed flags in the flag service")],
         art=(0, "answer", "flag name, owner, date it reached 100 percent, sorted by date",
              "new_checkout (since Jan 12), dark_mode_v2 (since Jan 30), bulk_edit (since Feb 3)"),
         extra=("delete the unused flag helper", "deleted the unused flag helper")),
    dict(id="sw-webhook-docs", domain="software",
         goal="The public API docs are missing the new webhooks. Get them documented before the partner call on the 21st.",
         gnp="the webhook docs", gpast="wrote the webhook docs",
         q="Should the retry behavior be documented, or is that still changing",
         parts=[("the event list", "list every webhook event and its payload fields", "listed every webhook event and its payload fields"),
                ("the signature verification section", "write the section on verifying webhook signatures", "wrote the section on verifying webhook signatures"),
                ("the docs publish", "publish the new pages to the docs site", "published the new pages to the docs site")],
         art=(1, "text", "explain the signature header, where the secret comes from, one short curl example",
              "Every webhook carries an X-Signature header: an HMAC-SHA256 of the raw body keyed with your endpoint secret. Compute it and compare before trusting the payload."),
         extra=("fix the broken links on the auth page", "fixed the broken links on the auth page")),
    dict(id="sw-react-18-upgrade", domain="software",
         goal="Upgrade the web app from React 17 to 18 without breaking anything.",
         gnp="the React 18 upgrade", gpast="did the React 18 upgrade",
         q="Is a one-day code freeze on the web app OK while this lands",
         parts=[("the package bump", "bump react and react-dom to 18", "bumped react and react-dom to 18"),
                ("the createRoot switch", "switch the entry point to createRoot", "switched the entry point to createRoot"),
                ("the smoke test run", "run the smoke tests on the preview deploy", "ran the smoke tests on the preview deploy")],
         art=(1, "code", "replace ReactDOM.render in index.tsx with createRoot and change nothing else",
              "createRoot(document.getElementById('root')).render(<App />);"),
         extra=("drop the old enzyme adapter", "dropped the old enzyme adapter")),
    # ---------------- infra / ops ----------------
    dict(id="ops-postgres-15", domain="infra",
         goal="Move the orders database from Postgres 13 to 15 this month with under ten minutes of downtime.",
         gnp="the Postgres 15 upgrade", gpast="ran the Postgres 15 upgrade",
         q="Is a Sunday early-morning window OK for the cutover",
         parts=[("the staging rehearsal", "rehearse the upgrade on a staging copy", "rehearsed the upgrade on a staging copy"),
                ("the cutover runbook", "write the cutover runbook with rollback steps", "wrote the cutover runbook with rollback steps"),
                ("the maintenance notice", "post the maintenance notice on the status page", "posted the maintenance notice on the status page")],
         art=(2, "text", "date, window in UTC, what is affected, no technical detail",
              "Scheduled maintenance: Sunday May 17, 05:00-05:10 UTC. Order history may be briefly unavailable."),
         extra=("resize the staging disk", "resized the staging disk")),
    dict(id="ops-tls-cert-expiry", domain="infra",
         goal="The TLS cert for api.example.com expires on the 14th. Renew it and make sure this can't sneak up on us again.",
         gnp="the cert renewal", gpast="renewed the cert",
         q="Do you want this domain moved to automatic renewal, or keep the manual cert for now",
         parts=[("the certificate renewal", "renew the certificate with the CA", "renewed the certificate with the CA"),
                ("the load balancer update", "install the new cert on the load balancer", "installed the new cert on the load balancer"),
                ("the expiry alert", "add an alert 21 days before any cert expires", "added an alert 21 days before any cert expires")],
         art=(2, "config", "alert on every cert in the inventory at 21 days, page only at 7 days",
              "alert: cert_expiry_days < 21 for 1h -> #ops; cert_expiry_days < 7 -> page"),
         extra=("remove the old staging cert", "removed the old staging cert")),
    dict(id="ops-backup-restore-proof", domain="infra",
         goal="Prove that last night's backups can actually be restored; audit wants evidence by the 22nd.",
         gnp="the restore test", gpast="ran the restore test",
         q="Does audit need the whole database restored, or is one sample table enough",
         parts=[("the test restore", "restore last night's backup into an isolated instance", "restored last night's backup into an isolated instance"),
                ("the row count check", "compare row counts against production", "compared row counts against production"),
                ("the evidence summary", "write the one-page evidence summary for audit", "wrote the one-page evidence summary for audit")],
         art=(2, "text", "date, backup ID, time to restore, whether row counts matched, who ran it",
              "Restore test, May 11: backup b-0511 restored in 38 minutes; row counts matched production on all 42 tables."),
         extra=("delete the old test instances", "deleted the old test instances")),
    dict(id="ops-k8s-staging-130", domain="infra",
         goal="Upgrade the staging Kubernetes cluster to 1.30 and tell us what breaks before anyone touches production.",
         gnp="the staging cluster upgrade", gpast="upgraded the staging cluster",
         q="Are we allowed to take staging down for an afternoon",
         parts=[("the deprecated API scan", "scan the manifests for APIs removed in 1.30", "scanned the manifests for APIs removed in 1.30"),
                ("the control plane upgrade", "upgrade the staging control plane and node pools", "upgraded the staging control plane and node pools"),
                ("the breakage report", "write up what broke and how it was fixed", "wrote up what broke and how it was fixed")],
         art=(0, "answer", "each manifest that uses a removed API, with the version to move to",
              "Two hits: the cronjobs in batch/ still use batch/v1beta1, and the admin ingress uses networking.k8s.io/v1beta1."),
         extra=("clean up the unused namespaces", "cleaned up the unused namespaces")),
    dict(id="ops-cloud-cost-cut", domain="infra",
         goal="Cut the monthly cloud bill by 15 percent without touching production performance.",
         gnp="the cost cut", gpast="cut the cloud costs",
         q="Are reserved instances on the table, or is a one-year commitment off limits",
         parts=[("the idle resource sweep", "find idle volumes, old snapshots and unattached IPs", "found idle volumes, old snapshots and unattached IPs"),
                ("the dev shutdown schedule", "schedule the dev environments to shut down overnight", "scheduled the dev environments to shut down overnight"),
                ("the savings estimate", "estimate the monthly savings of each change", "estimated the monthly savings of each change")],
         art=(2, "numbers", "one monthly dollar figure per change, plus a total against the 15 percent target",
              "Snapshots $1,900, idle volumes $1,150, dev shutdown $2,400: about $5,450 a month, 16 percent of the bill."),
         extra=("tag the untagged buckets", "tagged the untagged buckets")),
    dict(id="ops-payments-runbook", domain="infra",
         goal="The on-call runbook for the payments queue is out of date. Bring it up to date before the new rotation starts Monday.",
         gnp="the runbook update", gpast="updated the runbook",
         q="Should it still cover the old queue, or only the new one",
         parts=[("the alert inventory", "list every alert that fires for the payments queue", "listed every alert that fires for the payments queue"),
                ("the backlog recovery steps", "write the steps for draining a stuck backlog", "wrote the steps for draining a stuck backlog"),
                ("the walkthrough", "walk the incoming on-call person through the runbook", "walked the incoming on-call person through the runbook")],
         art=(1, "text", "numbered steps, commands in code blocks, say when to stop and page someone",
              "1. Pause the consumer. 2. Check the dead-letter count. 3. Replay in batches of 500. 4. Stop and page the lead if errors pass 1 percent."),
         extra=("fix the dashboard links in the old runbook", "fixed the dashboard links in the old runbook")),
    dict(id="ops-log-retention", domain="infra",
         goal="Logs are eating our storage. Set a retention policy: 30 days hot, 1 year cold, nothing kept longer.",
         gnp="the log retention policy", gpast="set the log retention policy",
         q="Are there logs legal needs kept longer than a year",
         parts=[("the usage breakdown", "break down storage use by log source", "broke down storage use by log source"),
                ("the lifecycle rules", "write the lifecycle rules for the log buckets", "wrote the lifecycle rules for the log buckets"),
                ("the production rollout", "apply the rules to the production buckets", "applied the rules to the production buckets")],
         art=(1, "config", "30 days standard, then cold storage, delete at 365 days, the same for every log bucket",
              "transition: { days: 30, storage_class: COLDLINE }, expiration: { days: 365 }"),
         extra=("delete the orphaned debug bucket", "deleted the orphaned debug bucket")),
    # ---------------- data / analytics ----------------
    dict(id="data-emea-dashboard-zero", domain="data",
         goal="The weekly revenue dashboard has shown zero for EMEA since Tuesday. Find out why and fix it.",
         gnp="the EMEA dashboard fix", gpast="fixed the EMEA dashboard",
         q="Is anyone using this dashboard for the board deck this week",
         parts=[("the load job check", "check whether the EMEA load job has run since Tuesday", "checked whether the EMEA load job has run since Tuesday"),
                ("the region mapping fix", "fix the region mapping in the revenue model", "fixed the region mapping in the revenue model"),
                ("the backfill", "backfill the missing days", "backfilled the missing days")],
         art=(1, "sql", "map the new country code of the UK entity to EMEA and keep the existing mappings",
              "CASE WHEN country_code IN ('GB', 'UK') THEN 'EMEA' ELSE region END AS region"),
         extra=("rename the dashboard tiles", "renamed the dashboard tiles")),
    dict(id="data-q1-churn-report", domain="data",
         goal="Put together the Q1 churn report for the leadership meeting on the 20th.",
         gnp="the Q1 churn report", gpast="put together the Q1 churn report",
         q="Should churn be counted by account or by seat",
         parts=[("the data pull", "pull Q1 cancellations and active accounts", "pulled Q1 cancellations and active accounts"),
                ("the churn numbers", "calculate monthly and quarterly churn by plan", "calculated monthly and quarterly churn by plan"),
                ("the summary slide", "write the one-slide summary", "wrote the one-slide summary")],
         art=(1, "numbers", "logo churn by month and by plan, the quarter total, and the change from Q4",
              "Q1 logo churn 4.1 percent (Jan 1.6, Feb 1.3, Mar 1.2), down from 4.8 in Q4; the Starter plan is 70 percent of it."),
         extra=("fix the plan names in the accounts table", "fixed the plan names in the accounts table")),
    dict(id="data-nightly-etl-late", domain="data",
         goal="The nightly ETL keeps finishing after 9am, so sales sees stale numbers. Get it done by 6am again.",
         gnp="the ETL speedup", gpast="sped up the ETL",
         q="Can the job start earlier, or does it have to wait for the billing export",
         parts=[("the step timings", "time each step of last night's run", "timed each step of last night's run"),
                ("the join rewrite", "rewrite the slow join in the orders step", "rewrote the slow join in the orders step"),
                ("the schedule change", "move the job start to 1am", "moved the job start to 1am")],
         art=(1, "sql", "filter orders to the last 2 days before the join instead of after, same output columns",
              "WITH recent AS (SELECT * FROM orders WHERE updated_at >= CURRENT_DATE - 2) SELECT * FROM recent JOIN customers USING (customer_id)"),
         extra=("drop the unused staging tables", "dropped the unused staging tables")),
    dict(id="data-onboarding-ab-test", domain="data",
         goal="Tell us whether the new onboarding flow beat the old one. The test ended on Friday.",
         gnp="the A/B test readout", gpast="did the A/B test readout",
         q="Which metric decides it: day-7 activation or trial-to-paid",
         parts=[("the sample check", "check the two groups are balanced and big enough", "checked the two groups are balanced and big enough"),
                ("the significance test", "run the significance test on day-7 activation", "ran the significance test on day-7 activation"),
                ("the readout note", "write the readout for the product team", "wrote the readout for the product team")],
         art=(2, "answer", "winner or no winner, the lift with its interval, one caveat, under 100 words",
              "The new flow wins: day-7 activation 41.2 vs 37.9 percent, a lift of 3.3 points (95% CI 1.1 to 5.5). Caveat: the mobile sample is small."),
         extra=("clean up the old experiment flags", "cleaned up the old experiment flags")),
    dict(id="data-crm-dedupe", domain="data",
         goal="The CRM has thousands of duplicate contacts. Clean them up before the campaign on the 26th.",
         gnp="the CRM dedupe", gpast="deduplicated the CRM",
         q="When two records conflict, which one wins: the newest, or the one with an owner",
         parts=[("the match rules", "define the match rules for duplicates", "defined the match rules for duplicates"),
                ("the merge run", "merge the duplicates in batches", "merged the duplicates in batches"),
                ("the spot check", "check 50 merged records by hand", "checked 50 merged records by hand")],
         art=(0, "answer", "exact email match first, then name plus company, never merge across different owners",
              "Match on lowercased email; if it's missing, first name + last name + company domain; skip pairs with different owners."),
         extra=("fix the country picklist", "fixed the country picklist")),
    dict(id="data-sku-demand-forecast", domain="data",
         goal="Build a demand forecast for the top 20 SKUs for the next 8 weeks; purchasing needs it Monday.",
         gnp="the demand forecast", gpast="built the demand forecast",
         q="Should the promotions planned for June be baked in, or kept out",
         parts=[("the sales history extract", "extract two years of weekly sales for the 20 SKUs", "extracted two years of weekly sales for the 20 SKUs"),
                ("the forecast model", "fit a seasonal model per SKU", "fitted a seasonal model per SKU"),
                ("the purchasing sheet", "put the forecasts into the purchasing sheet", "put the forecasts into the purchasing sheet")],
         art=(2, "numbers", "units per week per SKU with a low and high range, rounded to the nearest 10",
              "SKU A-110: 420, 430, 450, 440, 460, 480, 470, 490 units per week, plus or minus 60."),
         extra=("fix the SKU names in the product table", "fixed the SKU names in the product table")),
    dict(id="data-checkout-tracking", domain="data",
         goal="Add event tracking to the new checkout so we can see where people drop off.",
         gnp="the checkout tracking", gpast="added the checkout tracking",
         q="Do these events need consent gating in the EU",
         parts=[("the event spec", "define the events and their properties", "defined the events and their properties"),
                ("the tracking calls", "add the tracking calls to the checkout steps", "added the tracking calls to the checkout steps"),
                ("the funnel chart", "build the drop-off funnel chart", "built the drop-off funnel chart")],
         art=(0, "answer", "one event per step, snake_case names, cart value and step number as properties",
              "checkout_started, shipping_entered, payment_entered, order_placed; each with cart_value and step."),
         extra=("remove the old pageview tags", "removed the old pageview tags")),
    # ---------------- security ----------------
    dict(id="sec-openssl-patch", domain="security",
         goal="Patch the OpenSSL vulnerability on all our servers within 48 hours.",
         gnp="the OpenSSL patching", gpast="patched OpenSSL everywhere",
         q="Can the database hosts be rebooted during business hours if it comes to that",
         parts=[("the affected host list", "list every host running an affected OpenSSL version", "listed every host running an affected OpenSSL version"),
                ("the patch rollout", "roll the patched package out in two waves", "rolled the patched package out in two waves"),
                ("the verification scan", "re-scan the fleet after the rollout", "re-scanned the fleet after the rollout")],
         art=(1, "config", "wave one is staging and internal tools, wave two is production, restart anything linking libssl",
              "ansible-playbook patch-openssl.yml -l staging,internal && ansible-playbook patch-openssl.yml -l production"),
         extra=("update the base image", "updated the base image")),
    dict(id="sec-leaked-aws-key", domain="security",
         goal="A developer pushed an AWS key to a public repo an hour ago. Contain it.",
         gnp="the key containment", gpast="contained the leaked key",
         q="Should the developer's other keys be rotated too, or just this one",
         parts=[("the key deactivation", "deactivate the leaked access key", "deactivated the leaked access key"),
                ("the CloudTrail review", "review CloudTrail for anything done with that key", "reviewed CloudTrail for anything done with that key"),
                ("the history cleanup", "remove the key from the repo history", "removed the key from the repo history")],
         art=(1, "answer", "the window since the push, every API call made with the key, anything outside our IP ranges flagged",
              "Since 10:02 the key made 3 calls, all ListBuckets from the office IP; nothing from outside."),
         extra=("turn on push protection for the org", "turned on push protection for the org")),
    dict(id="sec-finance-access-review", domain="security",
         goal="Run the quarterly access review for the finance systems; the auditors want it by the end of the month.",
         gnp="the access review", gpast="did the access review",
         q="Should contractors be included this quarter",
         parts=[("the user export", "export the user lists from the three finance systems", "exported the user lists from the three finance systems"),
                ("the manager sign-offs", "send each manager their team's access list to confirm", "sent each manager their team's access list to confirm"),
                ("the removals", "remove the access managers reject", "removed the access managers rejected")],
         art=(1, "text", "list attached, confirm or reject each line by Friday, no reply is not approval",
              "Hi, attached is your team's access to the finance systems. Please confirm or reject each line by Friday; no reply means we follow up."),
         extra=("disable the two shared logins", "disabled the two shared logins")),
    dict(id="sec-payroll-phishing", domain="security",
         goal="Several staff got a phishing email pretending to be from payroll. Deal with it.",
         gnp="the phishing response", gpast="handled the phishing email",
         q="Has anyone reported clicking the link or typing in a password",
         parts=[("the mailbox purge", "pull the phishing email from every inbox", "pulled the phishing email from every inbox"),
                ("the domain block", "block the sender domain and the link", "blocked the sender domain and the link"),
                ("the staff warning", "send a short warning to all staff", "sent a short warning to all staff")],
         art=(2, "text", "what the email looks like, don't click, how to report it, two or three sentences",
              "Heads up: an email titled 'Payroll update' is a phishing attempt. Don't click the link; forward it to security@ and delete it."),
         extra=("update the phishing training slides", "updated the phishing training slides")),
    dict(id="sec-pentest-findings", domain="security",
         goal="The pen test came back with 5 findings. Get them fixed or formally accepted before the re-test on the 28th.",
         gnp="the pen test fixes", gpast="fixed the pen test findings",
         q="Who signs off when we accept a risk instead of fixing it",
         parts=[("the triage", "rank the 5 findings by risk and effort", "ranked the 5 findings by risk and effort"),
                ("the security headers", "add the missing security headers", "added the missing security headers"),
                ("the login rate limit", "add rate limiting to the login endpoint", "added rate limiting to the login endpoint")],
         art=(1, "config", "HSTS for one year, frame-ancestors none, nosniff, set at the edge rather than per app",
              "Strict-Transport-Security: max-age=31536000; Content-Security-Policy: frame-ancestors 'none'; X-Content-Type-Options: nosniff"),
         extra=("remove the test admin account", "removed the test admin account")),
    dict(id="sec-mfa-rollout", domain="security",
         goal="Turn on mandatory MFA for every employee by the 29th.",
         gnp="the MFA rollout", gpast="rolled out MFA",
         q="Do admins need hardware keys, or is an authenticator app enough",
         parts=[("the enrollment report", "pull the list of people not yet enrolled", "pulled the list of people not yet enrolled"),
                ("the announcement", "write the announcement with the enrollment steps", "wrote the announcement with the enrollment steps"),
                ("the enforcement switch", "switch the policy to enforced on the 29th", "switched the policy to enforced on the 29th")],
         art=(1, "text", "the deadline, why, three steps, where to get help",
              "From May 29, MFA is required to sign in. Install an authenticator app, scan the code at sso/setup, and you're set. Questions: #it-help."),
         extra=("clean up the old VPN accounts", "cleaned up the old VPN accounts")),
    # ---------------- finance ----------------
    dict(id="fin-april-close", domain="finance",
         goal="Close the books for April by the 8th.",
         gnp="the April close", gpast="closed April",
         q="Does the late Acme invoice go into April or May",
         parts=[("the bank reconciliation", "reconcile the three bank accounts", "reconciled the three bank accounts"),
                ("the accruals", "book the April accruals", "booked the April accruals"),
                ("the variance notes", "write the variance notes for the controller", "wrote the variance notes for the controller")],
         art=(2, "text", "every line more than 10 percent off budget, one sentence each",
              "Travel 22 percent over budget: two unplanned customer visits. Software 14 percent under: the analytics renewal moved to May."),
         extra=("fix the vendor names in the ledger", "fixed the vendor names in the ledger")),
    dict(id="fin-northwind-double-bill", domain="finance",
         goal="Northwind says we double-billed them in March. Sort it out with them.",
         gnp="the Northwind dispute", gpast="sorted out the Northwind dispute",
         q="If it's our mistake, do we credit the account or refund the card",
         parts=[("the invoice check", "compare the March invoices against their contract", "compared the March invoices against their contract"),
                ("the credit note", "issue a credit note if the charge is a duplicate", "issued a credit note for the duplicate charge"),
                ("the reply to Northwind", "reply to Northwind's accounts team", "replied to Northwind's accounts team")],
         art=(2, "text", "confirm what we found, say what we're doing about it, apologize once",
              "Hi Maria, you're right: invoice 3318 duplicated 3302. We've issued a credit note for $4,200, and I'm sorry for the trouble."),
         extra=("update the billing contact on the account", "updated the billing contact on the account")),
    dict(id="fin-marketing-variance", domain="finance",
         goal="Explain why Q1 marketing spend came in 18 percent over budget; the CFO asked.",
         gnp="the variance explanation", gpast="worked out the variance",
         q="Does the CFO want this as a memo or as a slide",
         parts=[("the spend breakdown", "break Q1 marketing spend down by channel", "broke Q1 marketing spend down by channel"),
                ("the budget comparison", "compare each channel with its budget line", "compared each channel with its budget line"),
                ("the explanation note", "write the explanation for the CFO", "wrote the explanation for the CFO")],
         art=(1, "numbers", "channel, budget, actual, difference, sorted by the biggest gap",
              "Paid social: budget $120k, actual $161k (+$41k). Events: $80k vs $92k (+$12k). Everything else within 3 percent."),
         extra=("fix the cost center codes on two invoices", "fixed the cost center codes on two invoices")),
    dict(id="fin-vendor-payment-run", domain="finance",
         goal="Pay the 14 approved vendor invoices before the early-payment discounts expire on Friday.",
         gnp="the vendor payment run", gpast="paid the vendor invoices",
         q="Should the two invoices still missing a PO wait, or go out anyway",
         parts=[("the approval check", "check each invoice has an approval and a PO", "checked each invoice has an approval and a PO"),
                ("the payment batch", "set up the payment batch in the bank portal", "set up the payment batch in the bank portal"),
                ("the remittance notices", "send remittance notices to the vendors", "sent remittance notices to the vendors")],
         art=(0, "answer", "invoice number, vendor, amount, discount, and a flag on anything missing",
              "12 of 14 are clear; 2208 (Brightline) and 2213 (Osei Supply) have no PO. Discounts total $1,380."),
         extra=("update the bank details for Brightline", "updated the bank details for Brightline")),
    # ---------------- support ----------------
    dict(id="sup-double-charge-refunds", domain="support",
         goal="About 40 customers were charged twice during Tuesday's outage. Refund them and let them know.",
         gnp="the duplicate-charge refunds", gpast="refunded the double charges",
         q="Do we add a goodwill credit on top of the refund",
         parts=[("the affected customer list", "pull the list of customers charged twice on Tuesday", "pulled the list of customers charged twice on Tuesday"),
                ("the refunds", "refund the duplicate charges", "refunded the duplicate charges"),
                ("the customer email", "email each affected customer", "emailed each affected customer")],
         art=(2, "text", "what happened in one line, the refund amount, 5 to 10 days, one apology",
              "Hi, on Tuesday an outage charged your card twice. We've refunded the extra $29; it should show within 5 to 10 days. Sorry about this."),
         extra=("close the related tickets", "closed the related tickets")),
    dict(id="sup-old-ticket-backlog", domain="support",
         goal="Support has 300 tickets older than 3 days. Get the backlog under 50 by Friday.",
         gnp="the ticket backlog", gpast="cleared the ticket backlog",
         q="Can tickets be auto-closed when the customer hasn't replied in 14 days",
         parts=[("the backlog tagging", "tag the old tickets by topic", "tagged the old tickets by topic"),
                ("the password reset tickets", "answer the password reset tickets with the standard reply", "answered the password reset tickets with the standard reply"),
                ("the billing tickets", "work through the billing tickets", "worked through the billing tickets")],
         art=(1, "text", "the reset link, what to do if the email never arrives, one line each",
              "You can reset your password at app.example.com/reset. If the email doesn't arrive within 10 minutes, check spam or reply here."),
         extra=("rewrite the auto-reply", "rewrote the auto-reply")),
    dict(id="sup-globex-escalation", domain="support",
         goal="Globex is threatening to cancel after three outages this month. Put together our response.",
         gnp="the Globex response", gpast="handled the Globex response",
         q="Is a service credit something we're willing to offer them",
         parts=[("the incident summary", "summarize the three outages and their causes", "summarized the three outages and their causes"),
                ("the response letter", "write the response letter to their VP", "wrote the response letter to their VP"),
                ("the call with their team", "set up a call with their IT lead this week", "set up a call with their IT lead this week")],
         art=(1, "text", "own the problem, what we changed after each outage, offer the call, no excuses",
              "Dear Ms. Park, three outages in one month is not acceptable, and we own that. We've added failover for the queue and a second DNS provider."),
         extra=("update their account health score", "updated their account health score")),
    dict(id="sup-export-help-article", domain="support",
         goal="Customers keep asking how to export their data. Get a help article written and point the macro at it.",
         gnp="the export help article", gpast="wrote the export help article",
         q="Should the article cover the API export too, or only the button in settings",
         parts=[("the article draft", "write the help article on exporting data", "wrote the help article on exporting data"),
                ("the screenshots", "take the screenshots for each step", "took the screenshots for each step"),
                ("the macro update", "update the support macro to link the article", "updated the support macro to link the article")],
         art=(0, "text", "three steps, where the button is, the file formats, how long it takes",
              "Go to Settings > Data, click Export, and pick CSV or JSON. We'll email you a download link within 15 minutes."),
         extra=("fix the typo in the billing article", "fixed the typo in the billing article")),
    # ---------------- marketing ----------------
    dict(id="mkt-reports-launch-email", domain="marketing",
         goal="Announce the new reporting feature to all customers next Tuesday.",
         gnp="the launch announcement", gpast="sent the launch announcement",
         q="Should free-plan users get the email, or only paying customers",
         parts=[("the email copy", "write the announcement email", "wrote the announcement email"),
                ("the send list", "build the send list in the email tool", "built the send list in the email tool"),
                ("the blog post", "publish a short blog post to link to", "published a short blog post to link to")],
         art=(0, "text", "subject under 50 characters, one benefit up top, one button, no jargon",
              "Subject: Your reports, now in one click. Body: Build and share a report in seconds with the new Reports tab. [Try it]"),
         extra=("fix the footer address in the template", "fixed the footer address in the template")),
    dict(id="mkt-roadmap-webinar", domain="marketing",
         goal="Run a customer webinar on the Q2 roadmap in three weeks.",
         gnp="the roadmap webinar", gpast="set up the roadmap webinar",
         q="Who presents: the CEO or the head of product",
         parts=[("the registration page", "set up the registration page", "set up the registration page"),
                ("the invite email", "write the invite email", "wrote the invite email"),
                ("the slide deck", "build the slide deck from the roadmap doc", "built the slide deck from the roadmap doc")],
         art=(1, "text", "date and time in two time zones, what they'll learn, the register link, short",
              "Join us June 11 at 9am PT / 5pm BST for a 30-minute look at what's coming in Q2. Save your seat: [Register]"),
         extra=("update the events page", "updated the events page")),
    dict(id="mkt-search-ads-cpa", domain="marketing",
         goal="Our search ads cost per signup doubled last month. Figure out why and fix it.",
         gnp="the search ads fix", gpast="fixed the search ads",
         q="Is there a budget ceiling to stay under while this gets fixed",
         parts=[("the campaign breakdown", "break down cost per signup by campaign and keyword", "broke down cost per signup by campaign and keyword"),
                ("the keyword pruning", "pause the keywords with no signups in 30 days", "paused the keywords with no signups in 30 days"),
                ("the landing page check", "check the landing page for a tracking break", "checked the landing page for a tracking break")],
         art=(0, "answer", "the top 5 campaigns by spend, cost per signup this month and last",
              "Brand: $18 vs $17. Competitor terms: $140 vs $61. Generic 'reporting tool': $96 vs $44. The two non-brand campaigns explain the jump."),
         extra=("rewrite the ad headlines", "rewrote the ad headlines")),
    # ---------------- HR ----------------
    dict(id="hr-june-onboarding", domain="hr",
         goal="Three engineers start on June 1. Get their onboarding ready.",
         gnp="the onboarding prep", gpast="prepared the onboarding",
         q="Do they all start in the office, or is anyone remote the first week",
         parts=[("the laptops", "order the three laptops", "ordered the three laptops"),
                ("the first-week schedule", "draft the first-week schedule", "drafted the first-week schedule"),
                ("the buddy pairing", "pair each new hire with a buddy", "paired each new hire with a buddy")],
         art=(1, "text", "day by day, setup on day one, a first small ticket by day three, lunch with the team",
              "Mon: laptop setup and accounts. Tue: codebase tour. Wed: first small ticket. Thu: pairing. Fri: team lunch and demo."),
         extra=("update the onboarding checklist template", "updated the onboarding checklist template")),
    dict(id="hr-senior-data-engineer", domain="hr",
         goal="We need to hire a senior data engineer. Get the role posted this week.",
         gnp="the job posting", gpast="posted the data engineer role",
         q="What salary range can we publish",
         parts=[("the job description", "write the job description", "wrote the job description"),
                ("the interview loop", "set up the interview loop and scorecard", "set up the interview loop and scorecard"),
                ("the postings", "post the role on the careers page and two job boards", "posted the role on the careers page and two job boards")],
         art=(0, "text", "what they'll own, must-haves vs nice-to-haves, the remote policy, under 300 words",
              "Senior Data Engineer: you'll own our pipelines from ingestion to warehouse. Must have: Python, SQL, Airflow or similar. Remote within EU time zones."),
         extra=("update the careers page banner", "updated the careers page banner")),
    dict(id="hr-engagement-survey", domain="hr",
         goal="Run the engagement survey this month and give leadership the results.",
         gnp="the engagement survey", gpast="ran the engagement survey",
         q="Keep last year's questions so we can compare, or refresh them",
         parts=[("the survey setup", "set up the survey in the HR tool", "set up the survey in the HR tool"),
                ("the reminders", "send reminders at day 3 and day 7", "sent reminders at day 3 and day 7"),
                ("the results summary", "summarize the results for leadership", "summarized the results for leadership")],
         art=(2, "numbers", "response rate, top 3 and bottom 3 scores, change vs last year",
              "Response rate 82 percent. Highest: team trust 4.4, manager support 4.3. Lowest: career growth 3.1, down from 3.5."),
         extra=("update the survey email template", "updated the survey email template")),
    # ---------------- sales ----------------
    dict(id="sales-acme-rfp", domain="sales",
         goal="Acme sent an RFP that's due on the 22nd. Get our response in.",
         gnp="the Acme RFP response", gpast="answered the Acme RFP",
         q="Do we bid on the optional on-premise lot, or only the cloud lot",
         parts=[("the security questionnaire", "fill in the security questionnaire section", "filled in the security questionnaire section"),
                ("the pricing section", "price the cloud lot", "priced the cloud lot"),
                ("the executive summary", "write the executive summary", "wrote the executive summary")],
         art=(1, "numbers", "list price for 250 seats, the standard 12 percent multi-year discount, nothing custom",
              "250 seats at $38 per seat per month, 12 percent off for a 3-year term: $100,320 per year."),
         extra=("update the case study deck", "updated the case study deck")),
    dict(id="sales-pipeline-cleanup", domain="sales",
         goal="The sales pipeline is full of dead deals. Clean it up before Thursday's forecast call.",
         gnp="the pipeline cleanup", gpast="cleaned up the pipeline",
         q="Should deals with no activity in 60 days be closed-lost, or just moved back a stage",
         parts=[("the stale deal list", "list the deals with no activity in 60 days", "listed the deals with no activity in 60 days"),
                ("the rep check-ins", "ask each rep to confirm or close their stale deals", "asked each rep to confirm or close their stale deals"),
                ("the close-date fixes", "fix close dates that are already in the past", "fixed close dates that were already in the past")],
         art=(0, "answer", "deal, owner, amount, last activity date, grouped by rep",
              "31 stale deals worth $412k. Biggest: Initech renewal ($60k, Dana, last touched Feb 27) and Vandelay expansion ($45k, Raj, Mar 3)."),
         extra=("merge the duplicate accounts", "merged the duplicate accounts")),
    # ---------------- legal ----------------
    dict(id="legal-customer-dpa", domain="legal",
         goal="A customer wants our DPA signed with their changes by the 25th.",
         gnp="the DPA review", gpast="handled the DPA",
         q="Is the 24-hour breach notice they asked for something we can commit to",
         parts=[("the redline review", "compare their changes against our standard DPA", "compared their changes against our standard DPA"),
                ("the subprocessor list", "send them our current subprocessor list", "sent them our current subprocessor list"),
                ("the counterproposal", "draft our counterproposal on the clauses we can't accept", "drafted our counterproposal on the clauses we can't accept")],
         art=(2, "text", "accept what matches our standard, push back on the breach notice window, offer 48 hours",
              "Clause 8.2: we propose notice within 48 hours of confirming a breach, rather than 24 hours of suspecting one."),
         extra=("update the version date on the DPA template", "updated the version date on the DPA template")),
    dict(id="legal-cookie-banner", domain="legal",
         goal="Our cookie banner doesn't meet the new EU guidance. Fix it this sprint.",
         gnp="the cookie banner fix", gpast="fixed the cookie banner",
         q="Is legal fine with an equal-size reject-all button on the first layer",
         parts=[("the gap check", "compare the banner against the new guidance", "compared the banner against the new guidance"),
                ("the banner change", "add a reject-all button next to accept-all", "added a reject-all button next to accept-all"),
                ("the banner text", "rewrite the banner text in plain language", "rewrote the banner text in plain language")],
         art=(2, "text", "two sentences, say what the cookies do, an equal choice, a link to settings",
              "We use cookies to run the site and, if you agree, to measure usage. Accept all, reject all, or choose in settings."),
         extra=("remove the unused analytics script", "removed the unused analytics script")),
]

# ---------------------------------------------------------------------------
# Clause frames. D: a part handed to a worker; S: a part done by the foreman.
# S[j] reuses the wording of D[j]. Within a pair both sides use the same D and
# S frame (the slot in one, the planning note in the other).
# ---------------------------------------------------------------------------

D_FRAMES = [
    "{w} will {vp}, and I'll look it over myself after",
    "{w} is already lined up to {vp}, since it's quick",
    "I went ahead and asked {w} to {vp} right away",
    "{w} is on {np}, and I'll mark it done when they report back",
    "{w} will {vp}, and I'll double-check what they did",
    "I asked {w} to {vp} rather than doing it myself",
    "{w} handles {np}, so that's covered",
    "{w} takes care of {np} from here",
    "{w} gets {np} as their task",
]
S_FRAMES = [
    "I {past} myself",
    "I already {past}, since it's quick",
    "I went ahead and {past} right away",
    "I did {np} myself, so mark that one done",
    "I {past}, and {w} will double-check what I did",
    "I {past} myself rather than wait for a worker",
    "I handled {np} myself, so that's covered",
    "I took care of {np} myself",
    "I got {np} done myself",
]
ELLIPTIC = "{w} {np}"

# Planning items: the note slot. On the pass side the foreman did a piece of
# planning itself (allowed); on the fail side the same planning piece is handed
# to a worker. The item is matched to the verb of the slot part, so that the
# base and past forms of the verb occur on both sides.
PLAN_BY_VERB = {
    "write": [("the task split", "write the task split down", "wrote the task split down"),
              ("the short task list", "write a short task list", "wrote a short task list")],
    "rewrite": ("the checklist", "rewrite the old checklist", "rewrote the old checklist"),
    "update": ("the tracker update", "update the tracker", "updated the tracker"),
    "fix": ("the review scheduling", "fix the review time", "fixed the review time"),
    "add": [("the tracker setup", "add the tasks to the tracker", "added the tasks to the tracker"),
            ("the tracker setup", "add a tracker task per piece", "added a tracker task per piece"),
            ("the tracker owners", "add an owner to each tracker task", "added an owner to each tracker task")],
    "pull": ("the kickoff thread", "pull the team into a kickoff thread", "pulled the team into a kickoff thread"),
    "check": ("the calendar check", "check the reviewers' calendars", "checked the reviewers' calendars"),
    "send": [("the kickoff invite", "send the kickoff invite", "sent the kickoff invite"),
             ("the kickoff invite", "send a kickoff invite", "sent a kickoff invite"),
             ("the kickoff invite", "send each worker a kickoff invite", "sent each worker a kickoff invite")],
    "set": ("the deadline setting", "set the deadlines", "set the deadlines"),
    "set up": ("the status thread setup", "set up the status thread", "set up the status thread"),
    "list": ("the owner list", "list the owners in the tracker", "listed the owners in the tracker"),
    "clean": ("the tracker cleanup", "clean up the tracker", "cleaned up the tracker"),
    "build": ("the shared checklist", "build the shared checklist", "built the shared checklist"),
    "put": ("the task list", "put the task list in the tracker", "put the task list in the tracker"),
    "run": ("the kickoff", "run the 10-minute kickoff", "ran the 10-minute kickoff"),
    "post": ("the kickoff note", "post the kickoff note", "posted the kickoff note"),
    "summarize": ("the plan summary", "summarize the plan in the channel", "summarized the plan in the channel"),
    "draft": ("the checklist", "draft the checklist", "drafted the checklist"),
    "make": ("the shared checklist", "make the shared checklist", "made the shared checklist"),
    "schedule": ("the review booking", "schedule the review slot", "scheduled the review slot"),
    "book": ("the review booking", "book the review slot", "booked the review slot"),
    "ask": ("the review scheduling", "ask the leads for review time", "asked the leads for review time"),
    "lay": ("the timeline", "lay out the timeline", "laid out the timeline"),
    "start": ("the status thread setup", "start the status thread", "started the status thread"),
    "delete": ("the tracker pruning", "delete the stale tracker items", "deleted the stale tracker items"),
    "remove": ("the tracker pruning", "remove the old tracker items", "removed the old tracker items"),
    "rename": ("the epic rename", "rename the epic", "renamed the epic"),
    "drop": ("the tracker dedupe", "drop the duplicate tracker items", "dropped the duplicate tracker items"),
    "close": ("the planning ticket cleanup", "close the old planning ticket", "closed the old planning ticket"),
    "merge": ("the tracker dedupe", "merge the duplicate tracker items", "merged the duplicate tracker items"),
    "tag": ("the owner tagging", "tag the tracker items with owners", "tagged the tracker items with owners"),
    "refresh": ("the task list", "refresh the task list", "refreshed the task list"),
    "bump": ("the priority bump", "bump the priority in the tracker", "bumped the priority in the tracker"),
    "raise": ("the priority change", "raise the priority in the tracker", "raised the priority in the tracker"),
    "turn": ("the tracker setup", "turn the goal into tracker tasks", "turned the goal into tracker tasks"),
    "publish": ("the plan post", "publish the plan in the channel", "published the plan in the channel"),
    "define": ("the done criteria", "define the done criteria", "defined the done criteria"),
}


def plan_for(vp, sc, rng):
    """Planning item for the note slot, matched to the verb (and the word after
    it) of the slot when possible, and tied to the scenario so that its last
    words vary."""
    words = vp.split()
    head = "set up" if vp.startswith("set up ") else words[0]
    if head in PLAN_BY_VERB:
        items = PLAN_BY_VERB[head]
    else:
        items = PLAN_BY_VERB[rng.choice(sorted(PLAN_BY_VERB))]
    if isinstance(items, list):
        same = [it for it in items if it[1].split()[1] == words[1]]
        items = same[0] if same else items[0]
    np_, pvp, past = items
    tail = " for " + sc["gnp"]
    return np_ + tail, pvp + tail, past + tail


OPENERS = ["", "", "On it.", "Got it.", "Sure.", "Understood.", "Okay, here's the split.", "Thanks, picking this up.",
           "Here's how I'm assigning it."]
CLOSINGS = ["", "I'll check in at {time}.", "I'll post an update in the channel by end of day.",
            "Ping me if anything changes.", "I'll review each piece as it comes in.", "First check-in is {day}.",
            "I'll keep you posted.", "Let me know if the priorities shift.", "I'll report back {day}.",
            "I'll read the drafts as they come in.", "Just ping me if the deadline moves.",
            "I'll send you a brief summary once it's finished.", "I'll check in at {time} since the deadline is tight.",
            "I can add more hands if it slips.", "I'll reassign if anyone gets stuck.", "Anything else you want in scope?", "I'll flag blockers as they come up."]
SHORT_CLOSINGS = ["", "Anything else on this?", "Shout if you need anything else.", "Let me know if you want changes."]
TIMES = ["11", "2", "3:30", "4", "noon", "10:30"]
DAYS = ["tomorrow morning", "this afternoon", "by end of day", "after lunch", "first thing tomorrow"]
REQUESTERS = ["the CTO", "Priya (eng manager)", "the ops lead", "Marcus", "the head of finance", "Lena from product", "the support lead", "Dev"]
INPUT_FORMS = [
    "{goal}",
    "Goal: {goal} Workers available: worker-1 to worker-5.",
    "{goal} Please split it across the team and keep me posted.",
    "From {req}: {goal}",
    "{goal} Let me know the plan.",
    "Hi, new one for you. {goal}",
    "New goal: {goal} Use whoever is free.",
]

TEMPLATES = ["inline", "asked", "ordered", "bullets", "brief-inline", "handoff", "terse", "question", "extra"]

def cap(s):
    if s.startswith("worker-") or not s:
        return s
    return s[0].upper() + s[1:]


def frame(fr, part, w):
    np_, vp, past = part
    return fr.format(w=w, np=np_, vp=vp, past=past)


def sentences(*xs):
    return " ".join(x for x in xs if x)


# ---------------------------------------------------------------------------
# rendering of one pair
# ---------------------------------------------------------------------------

VP_FRAMES = [0, 1, 2, 4, 5]   # frames that only need the verb phrase


def render_pair(sc, tmpl, rng):
    """Return (pass_output, fail_output, info). All random draws are shared, so
    the two outputs differ only in the slot and in the note."""
    ws = WORKERS[:]
    rng.shuffle(ws)
    parts = sc["parts"]
    order = [0, 1, 2]
    rng.shuffle(order)
    if tmpl == "ordered":
        order = [0, 1, 2]                       # parts are listed in working order
    k = order[-1]                              # part done by the foreman on the fail side
    fr = rng.sample(range(len(D_FRAMES)), 3)   # frame per position
    wmap = {p: ws[i] for i, p in enumerate(order)}
    nw = ws[3]                                  # worker in the note
    xw = ws[4]                                  # worker named inside a self-done frame
    opener = rng.choice(OPENERS)
    closing = rng.choice(CLOSINGS).format(time=rng.choice(TIMES), day=rng.choice(DAYS))
    short_close = rng.choice(SHORT_CLOSINGS)
    if tmpl == "extra":
        slot_item = ("", sc["extra"][0], sc["extra"][1])
        slot_frame = rng.choice(VP_FRAMES)
        self_frame = rng.choice([j for j in VP_FRAMES if j != slot_frame])
    else:
        slot_item = parts[k]
        slot_frame = fr[2]
        self_frame = rng.choice([j for j in range(len(S_FRAMES)) if j not in fr])
    plan = plan_for(slot_item[1], sc, rng)
    info = {"self_part": None, "fail_type": None}

    def clause(pos, p):
        return frame(D_FRAMES[fr[pos]], parts[p], wmap[p])

    def slot_pair(fail):
        """The slot and the note, always as (delegating clause, self clause),
        with the same two frames on both sides:
        pass = (slot delegated, planning done by the foreman),
        fail = (planning handed to a worker, slot done by the foreman)."""
        j, js = slot_frame, self_frame
        dw = nw if tmpl == "extra" else wmap[k]
        if fail:
            return frame(D_FRAMES[j], plan, dw), frame(S_FRAMES[js], slot_item, xw)
        return frame(D_FRAMES[j], slot_item, dw), frame(S_FRAMES[js], plan, xw)

    def both(fn):
        return fn(False), fn(True)

    if tmpl == "inline":
        def fn(fail):
            a, b = slot_pair(fail)
            first = "{} takes {}".format(wmap[order[0]], parts[order[0]][0])
            second = ELLIPTIC.format(w=wmap[order[1]], np=parts[order[1]][0])
            return sentences(opener, "{}, {}, and {}.".format(cap(first), second, a), cap(b) + ".", closing)
        info.update(self_part=k, fail_type="self-part")
        return both(fn) + (info,)

    if tmpl == "asked":
        def fn(fail):
            a, b = slot_pair(fail)
            cl = [cap(clause(i, p)) + "." for i, p in enumerate(order[:2])]
            return sentences(opener, *cl, cap(a) + ".", cap(b) + ".", closing)
        info.update(self_part=k, fail_type="self-part")
        return both(fn) + (info,)

    if tmpl == "ordered":
        def fn(fail):
            a, b = slot_pair(fail)
            cl = [clause(i, p) for i, p in enumerate(order[:2])]
            return sentences(opener, "In order: first {}; then {}; after that, {}.".format(cl[0], cl[1], a),
                             cap(b) + ".", closing)
        info.update(self_part=k, fail_type="self-part")
        return both(fn) + (info,)

    if tmpl == "bullets":
        intro = rng.choice(["Split for this one:", "Here's who does what:", "Plan:", "Breakdown:"])

        def fn(fail):
            a, b = slot_pair(fail)
            lines = [intro] + ["- " + cap(clause(i, p)) for i, p in enumerate(order[:2])]
            lines.append("- " + cap(a))
            lines.append(sentences(cap(b) + ".", closing))
            return "\n".join(lines)
        info.update(self_part=k, fail_type="self-part")
        return both(fn) + (info,)

    if tmpl == "question":
        def fn(fail):
            a, b = slot_pair(fail)
            q = "Quick question first: {}?".format(sc["q"])
            cl = [cap(clause(i, p)) + "." for i, p in enumerate(order[:2])]
            return sentences(q, "Meanwhile:", *cl, cap(a) + ".", cap(b) + ".", closing)
        info.update(self_part=k, fail_type="self-part")
        return both(fn) + (info,)

    if tmpl == "extra":
        def fn(fail):
            a, b = slot_pair(fail)
            first = "{} takes {}".format(wmap[order[0]], parts[order[0]][0])
            rest = [ELLIPTIC.format(w=wmap[p], np=parts[p][0]) for p in order[1:]]
            body = "{}, {}, and {}.".format(cap(first), rest[0], rest[1])
            return sentences(opener, body, "Also, " + a + ".", cap(b) + ".", closing)
        info.update(fail_type="extra-work")
        return both(fn) + (info,)

    ai, kind, brief, artifact = sc["art"]
    others = [p for p in order if p != ai]

    if tmpl == "brief-inline":
        def fn(fail):
            lead = "{}. {}.".format(cap(clause(0, others[0])), cap(clause(1, others[1])))
            if fail:
                art = "{} will {}; here's what I wrote for them: {}".format(wmap[ai], parts[ai][1], artifact)
            else:
                art = "{} will {}; here's what I wrote for them: {}.".format(wmap[ai], parts[ai][1], brief)
            return sentences(opener, lead, cap(art)) + ("\n" + closing if closing else "")
        info.update(self_part=ai, fail_type="inline-work")
        return both(fn) + (info,)

    if tmpl == "handoff":
        def fn(fail):
            if fail:
                art = "For {}, {} has to {}. Here's what I wrote for it: {}".format(parts[ai][0], wmap[ai], parts[ai][1], artifact)
            else:
                art = "For {}, {} has to {}. Here's what I wrote for it: {}.".format(parts[ai][0], wmap[ai], parts[ai][1], brief)
            rest = [cap(clause(i + 1, p)) + "." for i, p in enumerate(others)]
            return art + "\n" + sentences(*rest, closing)
        info.update(self_part=ai, fail_type="inline-work")
        return both(fn) + (info,)

    if tmpl == "terse":
        variant = rng.randrange(4)
        g, w0, w1 = sc["gnp"], ws[0], ws[1]

        def fn(fail):
            if variant == 0:
                s = ("{} is now done; I did it myself, and {} reviews it after.".format(cap(g), w1) if fail else
                     "{} is now with {}; I did the planning myself, and {} reviews it after.".format(cap(g), w0, w1))
            elif variant == 1:
                s = ("I've done {} myself rather than hand it to {}; {} reviews it when it's done.".format(g, w0, w1) if fail else
                     "I've handed {} to {} rather than do it myself; {} reviews it when it's done.".format(g, w0, w1))
            elif variant == 2:
                s = ("I took {} myself and it's done; {} reviews.".format(g, w1) if fail else
                     "{} took {} and I'll check once it's done; {} reviews.".format(w0, g, w1))
            else:
                s = ("Short version: I did {} myself, {} reviews.".format(g, w1) if fail else
                     "Short version: {} does {}, {} reviews, and I stick to planning.".format(w0, g, w1))
            return sentences(s, short_close)
        info.update(fail_type="self-all")
        return both(fn) + (info,)

    raise ValueError(tmpl)


def render_input(sc, rng):
    form = rng.choice(INPUT_FORMS)
    return form.format(goal=sc["goal"], req=rng.choice(REQUESTERS))


def working_timestamps(rng, n):
    start = datetime(2026, 5, 4, tzinfo=timezone.utc)
    days = [start + timedelta(days=d) for d in range(26) if (start + timedelta(days=d)).weekday() < 5]
    seen = set()
    out = []
    while len(out) < n:
        day = rng.choice(days)
        sec = rng.randint(8 * 3600 + 30 * 60, 17 * 3600 + 45 * 60)
        t = day + timedelta(seconds=sec)
        if t in seen:
            continue
        seen.add(t)
        out.append(t)
    out.sort()
    return [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in out]


def build():
    rng = random.Random(SEED)
    recs = []
    pair_no = 0
    for si, sc in enumerate(SCENARIOS):
        for t in range(3):
            tmpl = TEMPLATES[(3 * si + t) % len(TEMPLATES)]
            pair_no += 1
            inp = render_input(sc, rng)
            agent = rng.choice(FOREMEN)
            p_out, f_out, info = render_pair(sc, tmpl, rng)
            for label, out in (("pass", p_out), ("fail", f_out)):
                meta = {"scenario": sc["id"], "domain": sc["domain"], "template": tmpl, "set": SET_NAME,
                        "pair": "a-pair-%03d" % pair_no}
                if label == "fail":
                    meta["fail_type"] = info["fail_type"]
                    if info["self_part"] is not None:
                        meta["self_done_part"] = sc["parts"][info["self_part"]][0]
                recs.append({"role": "foreman", "agent": agent, "input": inp, "output": out,
                             "labels": {RUBRIC: label}, "meta": meta})
    rng.shuffle(recs)
    stamps = working_timestamps(rng, len(recs))
    final = []
    for i, (r, ts) in enumerate(zip(recs, stamps), 1):
        final.append({"id": "del-a-%04d" % i, "ts": ts, "role": r["role"], "agent": r["agent"],
                      "input": r["input"], "output": r["output"], "labels": r["labels"], "meta": r["meta"]})
    return final


# ---------------------------------------------------------------------------
# summary and lexical baseline
# ---------------------------------------------------------------------------

TOKEN_RE = re.compile(r"[a-z0-9_]+|\?")


def tokens(text):
    return TOKEN_RE.findall(text.lower())


def ngrams(text):
    t = tokens(text)
    return t + [a + " " + b for a, b in zip(t, t[1:])]


def lab(r):
    return r["labels"][RUBRIC]


def summary(recs):
    err = sys.stderr
    c = Counter(lab(r) for r in recs)
    print("records: %d  pass: %d  fail: %d" % (len(recs), c["pass"], c["fail"]), file=err)
    for key in ("scenario", "domain", "template"):
        cc = defaultdict(Counter)
        for r in recs:
            cc[r["meta"][key]][lab(r)] += 1
        print("\nper %s (%d):" % (key, len(cc)), file=err)
        for name in sorted(cc):
            print("  %-30s pass %3d  fail %3d" % (name, cc[name]["pass"], cc[name]["fail"]), file=err)
    ft = Counter(r["meta"].get("fail_type") for r in recs if lab(r) == "fail")
    print("\nfail types: " + ", ".join("%s %d" % kv for kv in sorted(ft.items())), file=err)
    cues = [("?", lambda t: t.count("?")),
            ("worker", lambda t: len(re.findall(r"\bworker\b", t))),
            ("assign*", lambda t: len(re.findall(r"\bassign", t))),
            ("task*", lambda t: len(re.findall(r"\btasks?\b", t))),
            ("I (token)", lambda t: len(re.findall(r"\bI\b", t))),
            ("done", lambda t: len(re.findall(r"\bdone\b", t, re.I))),
            ("myself", lambda t: len(re.findall(r"\bmyself\b", t, re.I))),
            ("already", lambda t: len(re.findall(r"\balready\b", t, re.I))),
            ("went ahead", lambda t: len(re.findall(r"went ahead", t, re.I))),
            ("digits", lambda t: len(re.findall(r"\d+", t))),
            ("greeting (hi/hey/thanks)", lambda t: len(re.findall(r"\b(hi|hey|thanks)\b", t, re.I)))]
    print("\ncue table (output text): cue -> pass / fail", file=err)
    for name, fn in cues:
        p = sum(fn(r["output"]) for r in recs if lab(r) == "pass")
        f = sum(fn(r["output"]) for r in recs if lab(r) == "fail")
        print("  %-26s %5d / %5d" % (name, p, f), file=err)
    for L in ("pass", "fail"):
        lens = [len(r["output"]) for r in recs if lab(r) == L]
        print("  mean output chars %-4s %.1f (min %d, max %d)" % (L, sum(lens) / len(lens), min(lens), max(lens)), file=err)
    print("  max input chars %d, max output chars %d" % (max(len(r["input"]) for r in recs),
                                                        max(len(r["output"]) for r in recs)), file=err)


def tfidf_fit(docs):
    df = Counter()
    for d in docs:
        df.update(set(d))
    n = len(docs)
    vocab = {}
    idf = []
    for term in sorted(df):
        if df[term] >= 2:
            vocab[term] = len(vocab)
            idf.append(math.log((1 + n) / (1 + df[term])) + 1.0)
    return vocab, idf


def tfidf_transform(docs, vocab, idf):
    rows = []
    for d in docs:
        tf = Counter(t for t in d if t in vocab)
        row = {vocab[t]: (1.0 + math.log(c)) * idf[vocab[t]] for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
        rows.append([(i, v / norm) for i, v in row.items()])
    return rows


def logreg(rows, y, dim, C=1.0, iters=400):
    """L2 logistic regression, objective C*sum(logloss) + 0.5*|w|^2, intercept
    unpenalized; Nesterov accelerated gradient descent."""
    def matvec(w, b):
        return [sum(w[i] * v for i, v in r) + b for r in rows]

    # Lipschitz bound via power iteration on [X 1]^T [X 1]
    v = [1.0] * (dim + 1)
    lam = 1.0
    for _ in range(30):
        xv = [sum(v[i] * x for i, x in r) + v[dim] for r in rows]
        u = [0.0] * (dim + 1)
        for r, s in zip(rows, xv):
            for i, x in r:
                u[i] += x * s
            u[dim] += s
        lam = math.sqrt(sum(a * a for a in u)) or 1.0
        v = [a / lam for a in u]
    L = C * 0.25 * lam + 1.0
    step = 1.0 / L
    w = [0.0] * dim
    b = 0.0
    zw, zb = w[:], b
    t = 1.0
    for _ in range(iters):
        f = matvec(zw, zb)
        g = [C * (1.0 / (1.0 + math.exp(-fi)) - yi) for fi, yi in zip(f, y)]
        gw = zw[:]
        gb = 0.0
        for r, gi in zip(rows, g):
            for i, x in r:
                gw[i] += gi * x
            gb += gi
        nw = [a - step * c for a, c in zip(zw, gw)]
        nb = zb - step * gb
        t2 = (1 + math.sqrt(1 + 4 * t * t)) / 2
        mom = (t - 1) / t2
        zw = [a + mom * (a - o) for a, o in zip(nw, w)]
        zb = nb + mom * (nb - b)
        w, b, t = nw, nb, t2
    return w, b


def check(recs):
    err = sys.stderr
    docs = [ngrams(r["input"] + "\n" + r["output"]) for r in recs]
    y = [1 if lab(r) == "pass" else 0 for r in recs]
    scen = sorted({r["meta"]["scenario"] for r in recs})
    frng = random.Random(SEED + 1)
    frng.shuffle(scen)
    fold_of = {s: i % 5 for i, s in enumerate(scen)}
    all_scores, all_y, all_t = [], [], []
    for f in range(5):
        tr = [i for i, r in enumerate(recs) if fold_of[r["meta"]["scenario"]] != f]
        te = [i for i, r in enumerate(recs) if fold_of[r["meta"]["scenario"]] == f]
        vocab, idf = tfidf_fit([docs[i] for i in tr])
        Xtr = tfidf_transform([docs[i] for i in tr], vocab, idf)
        Xte = tfidf_transform([docs[i] for i in te], vocab, idf)
        w, b = logreg(Xtr, [y[i] for i in tr], len(vocab))
        sc = [sum(w[j] * v for j, v in r) + b for r in Xte]
        print("  fold %d: train %d test %d  fold AUC %.3f" % (f, len(tr), len(te), auc(sc, [y[i] for i in te])), file=err)
        all_scores += sc
        all_y += [y[i] for i in te]
        all_t += [recs[i]["meta"]["template"] for i in te]
    print("lexical baseline AUC (pooled over 5 scenario-grouped folds): %.3f" % auc(all_scores, all_y), file=err)
    print("  per template: " + ", ".join("%s %.2f" % (t, auc([s for s, tt in zip(all_scores, all_t) if tt == t],
                                                         [l for l, tt in zip(all_y, all_t) if tt == t]))
                                         for t in TEMPLATES), file=err)
    # most label-predictive n-grams on the full set (diagnostic)
    vocab, idf = tfidf_fit(docs)
    X = tfidf_transform(docs, vocab, idf)
    w, b = logreg(X, y, len(vocab))
    inv = {i: t for t, i in vocab.items()}
    top = sorted(range(len(w)), key=lambda i: w[i])
    print("  strongest fail n-grams: " + ", ".join("%s(%.2f)" % (inv[i], w[i]) for i in top[:12]), file=err)
    print("  strongest pass n-grams: " + ", ".join("%s(%.2f)" % (inv[i], w[i]) for i in top[-12:][::-1]), file=err)


def main():
    recs = build()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("wrote %s" % OUT, file=sys.stderr)
    summary(recs)
    if "--check" in sys.argv[1:]:
        check(recs)


if __name__ == "__main__":
    main()
