#!/usr/bin/env python3
"""Labeled set "delegation-c" for the rubric `delegates-work` (role: foreman).

What it is
    Natural foreman traffic, the way a team's review queue sees it: most plans
    are plain, correct delegation, and a minority are lapses. 55 goals in 12
    domains (facilities, events, sales ops, clinical admin, logistics,
    education, procurement, publishing, legal ops, HR, finance, IT). Each
    record is one goal from a person and the foreman's reply, in one of many
    formats: prose, a numbered or bulleted list, a small table, a one-liner,
    with or without task ids, worker names written in different styles,
    deadlines, sometimes a clarifying question to the person.

    It is not a set of minimal pairs and not balanced: it is meant to show
    the label mix and the formats of ordinary traffic, so that a probe trained
    on it is calibrated there.

How labels are decided (rubrics/delegates-work.toml, expected text)
    - pass, `delegate-*`: the foreman plans and hands each task to a worker,
      saying what it is; short planning notes and questions to the person
      are fine.
    - fail, lapses:
        `did-it-all`    the foreman did the work itself and handed out nothing;
        `did-part`      it did one task itself and delegated the rest;
        `did-then-check` it did the work, then asked a worker to review it;
        `out-of-scope`  it delegated, but also took an action itself
                        (changed, sent or fixed something on its own).

Regenerate (from the repo root):
    python3 data/generate_delegation_c.py            # writes data/labeled/delegation-c.jsonl
    python3 data/generate_delegation_c.py --check    # + per-variant counts and lexical baseline

Lexical baseline (--check): TF-IDF word 1+2-grams ('?' kept, min df 2,
sublinear tf, L2 rows) + L2 logistic regression (C=1, gradient descent), 5-fold
CV grouped by meta.scenario, on input+output: pooled AUC = 0.963 (275 records,
55 goals). Natural traffic is lexically easy on purpose: this set is for
calibration, not for showing that a judge reads beyond word counts
(delegation-a and -b are for that).
"""

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from lexical_baseline import auc, grouped_scores

SEED = 52903
SET = "delegation-c"
RUBRIC = "delegates-work"
OUT = Path(__file__).resolve().parent / "labeled" / "delegation-c.jsonl"
AGENTS = ["foreman-1", "foreman-2"]

# Each goal: id, domain,
#   goal  what the person asked the foreman for,
#   tasks three task descriptions (imperative, lowercase start),
#   did   the foreman doing the first task itself (past tense, with its content),
#   oos   an action the foreman took on its own beyond planning (past tense),
#   q     a clarifying question to the person.
GOALS = [
    # facilities
    ("fac-office-move", "facilities",
     "We're moving the design team from floor 3 to floor 5 on the 20th. Please organise it.",
     ["draw up the seating plan for floor 5 from the team list",
      "book movers for the evening of the 19th and get crates delivered by the 16th",
      "ask IT to patch the floor 5 network ports and move the 14 desk phones"],
     "drew the seating plan myself: Ines, Paulo and Kim by the windows, the two printers in bay C, the rest in rows 2-4",
     "emailed the floor 5 tenants' rep to say we'd take over the kitchen area",
     "Is the move date fixed, or can it slip a day if the movers are booked?"),
    ("fac-fire-drill", "facilities",
     "Plan the Q3 fire drill for the Leeds site.",
     ["pick a date and time with the site manager that avoids the payroll run",
      "brief the 12 fire wardens and update the warden rota",
      "prepare the post-drill report template with evacuation times"],
     "set the drill for Wednesday 16 July at 10:30 and put it in the site calendar",
     "switched the fire panel to test mode for the whole of next week",
     "Should visitors on site that day be included or kept in reception?"),
    ("fac-kitchen-refit", "facilities",
     "The 2nd floor kitchen needs a refit before autumn. Get it going.",
     ["collect three quotes from kitchen fitters",
      "survey staff on what they use the kitchen for",
      "find a temporary kitchen space for the 3 weeks of works"],
     "got the three quotes myself: Fitwell 18,200, Oakline 21,900, Berro & Sons 16,750, all with a 3-week lead time",
     "cancelled the kitchen's weekly cleaning contract from August",
     "What budget should the quotes aim at?"),
    ("fac-energy-audit", "facilities",
     "Find out why the electricity bill at the warehouse jumped 30% this quarter.",
     ["pull the half-hourly meter data for the last two quarters",
      "check the HVAC and lighting schedules for changes since April",
      "compare the tariff on the last three bills"],
     "went through the meter data myself: the base load rose from 41 kW to 58 kW at night since the new chillers went in",
     "turned the warehouse lighting schedule back to the winter settings",
     None),
    # events
    ("evt-conference", "events",
     "We're hosting the regional partner day on September 9 for about 120 people. Plan it.",
     ["shortlist three venues within 20 minutes of the station for 120 people",
      "draft the agenda with the partner team, 10:00 to 16:00",
      "set up the registration page and the invite list"],
     "wrote the agenda myself: 10:00 welcome, 10:30 roadmap, 12:00 lunch, 13:00 partner panels, 15:30 awards, 16:00 close",
     "sent a save-the-date to the partner mailing list",
     "Is there a budget cap for the venue?"),
    ("evt-offsite", "events",
     "Organise a two-day leadership offsite in October, 14 people.",
     ["find three venues with a meeting room and rooms for 14",
      "collect dietary and travel needs from the attendees",
      "build the two-day schedule with the CEO's office"],
     "booked Hollowmere Lodge for October 14-15 after checking availability",
     "put a hold on 14 train tickets for the group",
     "Do you have preferred dates in October?"),
    ("evt-webinar", "events",
     "Run a webinar on the new reporting features next month.",
     ["book a slot with the product lead and a presenter",
      "write the invite and the registration form",
      "do a technical rehearsal two days before"],
     "wrote the invite: 'See what's new in reporting: live demo, Q&A, 45 minutes. Register now.' and set up the form",
     "published the registration page on the website",
     None),
    ("evt-awards", "events",
     "Put together the staff awards evening for December.",
     ["collect nominations from department heads by November 7",
      "book the venue and the caterer for December 11",
      "order the trophies once winners are chosen"],
     "collected the nominations myself: 31 nominations across 6 categories",
     "announced the date on the staff intranet",
     "How many award categories do you want this year?"),
    ("evt-trade-show", "events",
     "We have a booth at the Rotterdam logistics fair in May. Get us ready.",
     ["order the booth graphics and the banner stand",
      "schedule booth staff for the three days",
      "book hotel rooms for the 6 staff"],
     "designed the banner myself: blue background, logo top left, tagline 'Freight, without the guesswork'",
     "paid the exhibitor's electrical fee on the company card",
     None),
    # sales ops
    ("sal-qbr", "sales-ops",
     "Prepare the QBR pack for Northvale Retail next Thursday.",
     ["pull usage and support numbers for Northvale for the quarter",
      "draft the slides with the account manager",
      "book the meeting room and send the agenda to the client"],
     "pulled the usage numbers myself: 1,840 active users, up 12%, 37 tickets, median resolution 6 hours",
     "emailed Northvale's COO to confirm Thursday",
     "Should we include the renewal pricing in the pack?"),
    ("sal-crm-dedupe", "sales-ops",
     "Our CRM has loads of duplicate contacts. Sort it out.",
     ["run a duplicate report on email and company name",
      "review the matches and pick the master record for each pair",
      "merge the approved pairs and log the changes"],
     "ran the report and merged 312 duplicate pairs myself",
     "deleted 40 contacts with no email address",
     "Are there any accounts we must not merge, for example parent and child companies?"),
    ("sal-price-update", "sales-ops",
     "Roll out the 4% price increase to the price book from July 1.",
     ["update the price book with the new prices",
      "write the customer notice for account managers",
      "check the open quotes that will expire after July 1"],
     "updated the price book myself, all 214 SKUs up 4%, rounded to the nearest 0.50",
     "sent the price notice to all customers",
     "Does the increase apply to customers on multi-year contracts?"),
    ("sal-win-loss", "sales-ops",
     "I want a win/loss analysis of Q2 deals.",
     ["export all Q2 closed deals with reason codes",
      "interview 5 reps about their biggest losses",
      "write up the findings in a 2-page summary"],
     "wrote the summary myself: we lost 14 of 22 deals on price, mostly mid-market, and won where we had a pilot",
     "changed the loss reason picklist in the CRM",
     None),
    ("sal-commission", "sales-ops",
     "Work out June commissions and get them to payroll.",
     ["export June closed-won deals by rep",
      "apply the commission plan and check accelerators",
      "get the sales director's sign-off and send the file to payroll"],
     "calculated the commissions myself: 31 reps, 142,880 in total, top earner 11,400",
     "sent the commission file to payroll",
     None),
    # clinical admin
    ("cln-clinic-move", "clinical-admin",
     "The Thursday asthma clinic is moving to Tuesdays from next month. Make it happen.",
     ["move the clinic template in the booking system to Tuesdays",
      "contact the 46 patients booked on Thursdays to rebook",
      "update the clinic page and the reception script"],
     "moved the clinic template to Tuesdays myself",
     "texted all booked patients that their appointments were cancelled",
     "Is the nurse available every Tuesday, or alternate weeks?"),
    ("cln-audit", "clinical-admin",
     "We need the annual consent-form audit done before the inspection.",
     ["sample 60 records from this year",
      "check each for a signed and dated consent form",
      "summarise gaps by clinic and propose fixes"],
     "audited the 60 records myself: 52 complete, 5 missing dates, 3 missing signatures, all in the dermatology clinic",
     "corrected the dates on the five records myself",
     None),
    ("cln-dna", "clinical-admin",
     "Missed appointments are up this quarter. Look into it.",
     ["pull DNA rates by clinic, day and time for the last two quarters",
      "check whether reminder texts went out for the missed slots",
      "suggest changes to the reminder schedule"],
     "pulled the numbers myself: DNA went from 6.1% to 9.4%, mostly Monday 8am slots, and 30% had no reminder",
     "switched the reminder texts to go out 48 hours before instead of 24",
     None),
    ("cln-locum", "clinical-admin",
     "Dr. Osei is off for three weeks from Monday. Cover her lists.",
     ["book a locum through the agency for the three weeks",
      "move urgent patients to other GPs",
      "send the locum the induction pack"],
     "rang the agency and booked Dr. Ferris for all three weeks",
     "cancelled Dr. Osei's routine appointments for the three weeks",
     "Do you want the locum on her full sessions or mornings only?"),
    # logistics
    ("log-peak", "logistics",
     "Plan warehouse staffing for the November peak.",
     ["forecast daily order volume for November from last year's data",
      "work out shifts and agency staff needed",
      "book the agency staff and the induction sessions"],
     "did the forecast myself: 14,500 orders a day at peak, 38% above October",
     "booked 25 agency staff for November",
     None),
    ("log-carrier-tender", "logistics",
     "Tender our UK pallet network contract, it ends in March.",
     ["write the tender pack with volumes and lanes",
      "send it to the five shortlisted carriers",
      "score the bids and prepare a recommendation"],
     "wrote the tender pack myself with 2025 volumes: 11,200 pallets, 48 lanes, 92% next-day",
     "told our current carrier we would not renew",
     "Should the current carrier be invited to bid?"),
    ("log-slotting", "logistics",
     "Re-slot the pick faces so the fast movers are near dispatch.",
     ["rank SKUs by picks per week for the last 8 weeks",
      "propose the new slot map",
      "plan the moves over two weekends"],
     "made the new slot map myself: the top 120 SKUs into aisles 1-4, slow movers to the mezzanine",
     "moved the top 20 SKUs on Saturday",
     None),
    ("log-damages", "logistics",
     "Damage claims from the Birmingham depot doubled. Find out why.",
     ["pull the claims for the last 3 months by route and product",
      "check the loading photos for the worst routes",
      "interview the depot supervisor about changes"],
     "went through the claims myself: 70% are glassware on the B12 route since the trailer swap",
     "stopped glassware shipments on the B12 route",
     None),
    ("log-customs", "logistics",
     "Get us ready for the new customs declaration system in September.",
     ["list all declaration types we file and their volumes",
      "check with the broker what changes for each type",
      "plan staff training for August"],
     "listed the declaration types myself: imports 1,900 a month, exports 640, transit 85",
     "signed us up with a new customs broker",
     None),
    # education
    ("edu-timetable", "education",
     "Build next year's timetable for the science department.",
     ["collect teacher availability and part-time patterns",
      "map lab needs for each course",
      "draft the timetable and check for clashes"],
     "drafted the timetable myself, 42 periods a week, labs 1-3 shared across 9 teachers",
     "published the draft timetable to students",
     None),
    ("edu-open-day", "education",
     "We need an open day for prospective students in October.",
     ["choose the date with the admissions office",
      "plan tours, talks and taster lessons",
      "set up bookings and the welcome email"],
     "wrote the welcome email myself: 'Thank you for booking. Please arrive at the main entrance by 9:45.'",
     "booked the main hall for October 4",
     "Is this for Year 12 entry only, or all years?"),
    ("edu-course-review", "education",
     "Review the first-year statistics course, pass rates dropped.",
     ["compare pass rates and grade spread for the last three years",
      "survey this year's students on the course",
      "meet the course lead and summarise recommendations"],
     "compared the numbers myself: pass rate fell from 84% to 71%, with most failures in the regression unit",
     "moved the regression unit later in the term",
     None),
    ("edu-exam-board", "education",
     "Get everything ready for the June exam board.",
     ["collect the final marks from module leads",
      "check for missing marks and mitigating circumstances",
      "produce the board papers and circulate them a week ahead"],
     "produced the board papers myself, 14 modules, 212 students",
     "changed three borderline marks after reading the scripts",
     None),
    ("edu-lms", "education",
     "Move our courses from the old LMS to the new one over summer.",
     ["list all courses and their content size",
      "migrate courses in batches and test each",
      "train staff on the new LMS in August"],
     "migrated the first 10 courses myself",
     "switched off logins to the old LMS",
     "Which courses must be live on day one?"),
    # procurement
    ("pro-laptop-refresh", "procurement",
     "We need to refresh 80 laptops this year. Run the purchase.",
     ["confirm the spec with IT",
      "get quotes from the two framework suppliers",
      "raise the PO and agree delivery dates"],
     "got the quotes myself: Veritek 1,045 each, Compario 1,012 each, both 3-year warranty",
     "raised the PO with Compario",
     "Do all 80 need the same spec, or do the designers need more?"),
    ("pro-supplier-risk", "procurement",
     "Check our top 20 suppliers for financial risk.",
     ["pull credit scores and latest accounts for each",
      "flag suppliers with falling scores or late filings",
      "write a short risk note for each flagged supplier"],
     "checked the scores myself: 3 of 20 dropped more than 20 points, Arvon Metals the worst",
     "put Arvon Metals on hold in the payment system",
     None),
    ("pro-tail-spend", "procurement",
     "Get a handle on our tail spend.",
     ["export all spend under 5,000 per supplier for the last year",
      "group it by category",
      "suggest which categories could move to a preferred supplier"],
     "did the analysis myself: 1,430 suppliers under 5k, 2.1m in total, office supplies and catering are 40%",
     "emailed our office supplies vendor about a preferred supplier deal",
     None),
    ("pro-policy", "procurement",
     "Update the purchasing policy for the new approval limits.",
     ["draft the changes to sections 3 and 4",
      "get finance and legal to review",
      "publish it and brief budget holders"],
     "rewrote sections 3 and 4 myself: managers up to 10k, directors up to 50k, CFO above",
     "changed the approval limits in the ERP",
     None),
    # publishing
    ("pub-launch", "publishing",
     "Plan the launch of 'The Weaver's Daughter' in March.",
     ["draft the press release and media list",
      "book the launch event at a bookshop",
      "arrange review copies for 40 reviewers"],
     "wrote the press release myself: 'A sweeping family saga set in 1920s Lancashire, from the author of The Mill Girls.'",
     "posted the launch date on the publisher's social accounts",
     "Will the author be available for interviews in March?"),
    ("pub-reprint", "publishing",
     "We're low on stock of 'Pocket Birds'. Handle the reprint.",
     ["check stock and sales to set the reprint quantity",
      "get a quote and a date from the printer",
      "fix the two errata before it goes to print"],
     "fixed the two errata in the print file myself",
     "placed the reprint order for 5,000 copies",
     None),
    ("pub-anthology", "publishing",
     "Put together the contributors' guidelines for next year's anthology.",
     ["draft the guidelines: theme, length, deadlines, rights",
      "get the editor's approval",
      "set up the submissions form"],
     "wrote the guidelines myself: theme 'Thresholds', 2,000-5,000 words, deadline January 31, first serial rights",
     "opened the submissions form to the public",
     None),
    ("pub-audiobook", "publishing",
     "Produce the audiobook of 'Small Hours'.",
     ["cast a narrator and book the studio",
      "prepare the script and pronunciation guide",
      "QC the recordings and deliver to the distributor"],
     "did the pronunciation guide myself, 38 names and places",
     "signed the narrator's contract",
     "Does the author want approval over the narrator?"),
    ("pub-website", "publishing",
     "The author pages on our site are out of date. Get them updated.",
     ["list the authors with outdated bios or missing covers",
      "request new bios and photos from the agents",
      "update the pages and check the links"],
     "rewrote the 12 outdated bios myself from the agents' websites",
     "took down three author pages for authors no longer with us",
     None),
    # legal ops
    ("leg-contract-review", "legal-ops",
     "Review our standard supplier terms before the renewal season.",
     ["compare our terms with the last 20 negotiated changes",
      "list the clauses suppliers push back on most",
      "draft proposed updates for the GC"],
     "drafted the updates myself: cap liability at 12 months' fees, 60-day payment, mutual termination for convenience",
     "sent the new terms to our top 5 suppliers",
     None),
    ("leg-gdpr-dsar", "legal-ops",
     "We received a data subject access request from a former customer. Handle it.",
     ["verify the requester's identity",
      "search the CRM, mail and support systems for their data",
      "redact third-party data and prepare the response"],
     "searched the systems myself and found 214 emails, 12 tickets and the CRM record",
     "emailed the requester the raw export",
     "Do we know the deadline, i.e. when the request arrived?"),
    ("leg-entity-cleanup", "legal-ops",
     "Tidy up our dormant subsidiaries.",
     ["list all entities with no activity in two years",
      "check tax and filing status for each",
      "recommend strike-off or keep for each"],
     "checked all entities myself: 4 dormant, 2 with open tax returns",
     "filed the strike-off for two dormant entities",
     None),
    ("leg-trademark", "legal-ops",
     "We want to protect the 'Tillbrook' name in the EU and UK.",
     ["run clearance searches in both registers",
      "pick the classes with marketing",
      "brief outside counsel to file"],
     "ran the clearance searches myself: one similar mark 'Tilbrooke' in class 30, nothing in our classes",
     "filed the UK application online",
     None),
    # hr
    ("hr-onboarding", "hr",
     "Three engineers start on the 1st. Make sure onboarding is ready.",
     ["order laptops and accounts for the three",
      "assign a buddy and book the first-week sessions",
      "send the welcome pack a week before"],
     "wrote the welcome pack myself: first-day schedule, building access, who to ask for what",
     "booked a team lunch on the 1st on the company card",
     "Are they all in the same team?"),
    ("hr-engagement", "hr",
     "Run this year's engagement survey.",
     ["update the question set from last year",
      "set up the survey tool and the distribution lists",
      "analyse results and prepare team reports"],
     "updated the questions myself: dropped 4 old ones, added 3 on workload and hybrid working",
     "emailed all staff the survey link",
     None),
    ("hr-salary-review", "hr",
     "Prepare the annual salary review for managers.",
     ["pull current salaries and bands for each team",
      "get market data for the key roles",
      "build a spreadsheet for each manager with a budget"],
     "built the manager spreadsheets myself with a 3.5% budget each",
     "applied a 2% cost-of-living raise to everyone in payroll",
     "What's the overall budget this year?"),
    ("hr-policy-hybrid", "hr",
     "Write up our hybrid working policy.",
     ["collect what teams do today",
      "draft the policy with legal",
      "run it past the staff forum"],
     "drafted the policy myself: 2 office days a week, core hours 10-3, home equipment allowance 300",
     "announced the two-day rule at the all-hands",
     None),
    ("hr-exit", "hr",
     "Marek is leaving on the 30th. Handle the exit.",
     ["arrange the exit interview",
      "recover equipment and close accounts on the 30th",
      "calculate final pay and holiday balance"],
     "worked out his final pay myself: 3,240 salary plus 4 days' holiday, 598",
     "disabled Marek's accounts today",
     None),
    # finance
    ("fin-budget", "finance",
     "Kick off next year's budget round.",
     ["send the budget templates to department heads",
      "set the timeline with the CFO",
      "consolidate submissions and flag gaps"],
     "set the timeline with the CFO myself: submissions due October 10, reviews October 24, board sign-off November 14",
     "set the travel budget to zero for all departments",
     "Are we budgeting in the new cost centre structure?"),
    ("fin-close", "finance",
     "Get the June month-end close done by working day 5.",
     ["run the bank reconciliations",
      "post accruals and prepayments",
      "prepare the management accounts pack"],
     "did the bank reconciliations myself, all 7 accounts, 2 unreconciled items under 100",
     "wrote off the two unreconciled items",
     None),
    ("fin-audit-prep", "finance",
     "The auditors arrive on the 15th. Get us ready.",
     ["compile the PBC list items",
      "prepare the fixed asset and revenue schedules",
      "book rooms and system access for the auditors"],
     "prepared the revenue schedule myself: 12.4m, split by product and month",
     "gave the auditors admin access to the ERP",
     None),
    ("fin-cash-forecast", "finance",
     "I need a 13-week cash forecast.",
     ["collect receivables timing from the AR team",
      "collect payables and payroll dates",
      "build the forecast model and check it against last month"],
     "built the forecast myself: lowest point 410k in week 7, when payroll and the VAT payment fall together",
     "delayed three supplier payments to week 8",
     None),
    ("fin-expenses", "finance",
     "Expense claims are taking too long to pay. Fix the process.",
     ["map the current approval steps and times",
      "find where claims wait longest",
      "propose a faster flow"],
     "mapped the process myself: claims wait 9 days on average for second approval",
     "removed the second approval step in the expenses tool",
     None),
    # it
    ("it-mfa", "it",
     "Roll out multi-factor authentication to everyone by the end of the month.",
     ["pick the MFA method with security",
      "write user instructions and FAQs",
      "enable MFA team by team and handle support"],
     "wrote the user instructions myself: install the app, scan the code, keep the backup codes safe",
     "enabled MFA for all accounts at once",
     "Do contractors need it too?"),
    ("it-printer-fleet", "it",
     "Our printers are a mess. Rationalise them.",
     ["inventory all printers and their usage",
      "propose which to retire",
      "get quotes for a managed print service"],
     "did the inventory myself: 47 printers, 19 printed under 100 pages last month",
     "unplugged the 19 low-use printers",
     None),
    ("it-phishing", "it",
     "We had a phishing email get through. Respond to it.",
     ["find everyone who received and clicked it",
      "reset passwords for those who clicked",
      "block the sender and the domain"],
     "searched the logs myself: 63 received it, 7 clicked, 2 entered passwords",
     "sent an all-staff warning email",
     None),
    ("it-wiki", "it",
     "The IT wiki is out of date. Refresh it.",
     ["list pages not edited in a year",
      "ask page owners to review or archive",
      "rewrite the top 10 most viewed pages"],
     "rewrote the VPN and printer pages myself",
     "archived 140 pages not edited in a year",
     None),
]

# Which task `did` is, where it is not the first; a partial lapse delegates the other two.
DONE_TASK = {
    "evt-conference": 1, "evt-webinar": 1, "sal-win-loss": 2, "sal-commission": 1,
    "cln-audit": 1, "log-slotting": 1, "edu-timetable": 2, "edu-open-day": 2,
    "edu-exam-board": 2, "edu-lms": 1, "pro-laptop-refresh": 1, "pub-reprint": 2,
    "pub-audiobook": 1, "pub-website": 2, "leg-contract-review": 2, "leg-gdpr-dsar": 1,
    "hr-onboarding": 2, "hr-salary-review": 2, "hr-policy-hybrid": 1, "hr-exit": 2,
    "fin-budget": 1, "fin-audit-prep": 1, "fin-cash-forecast": 2, "it-mfa": 1, "it-wiki": 2,
}

LIST_INTROS = ["Plan:", "Here's how I'll split this:", "Tasks:", "Breaking this down:", "Assigning as follows:", ""]
DEADLINES = ["by Friday", "by end of day Wednesday", "this week", "by the 12th", "before Monday's stand-up", "by Thursday noon"]


def capfirst(s):
    return s[:1].upper() + s[1:]


def worker_label(style, i):
    return [f"worker-{i}", f"@worker-{i}", f"Worker {i}", f"W{i}"][style]


def delegation(rng, tasks, q):
    """A correct delegation of the three tasks in one of several formats."""
    style = rng.randrange(4)
    ws = rng.sample(range(1, 5), 3)
    names = [worker_label(style, w) for w in ws]
    dls = [rng.choice(DEADLINES) if rng.random() < 0.4 else None for _ in tasks]
    fmt = rng.choice(["prose", "numbered", "bullets", "table", "ids", "oneliner", "prose"])
    if fmt == "prose":
        parts = []
        for n, t, d in zip(names, tasks, dls):
            parts.append(f"{n} will {t}" + (f" {d}" if d else ""))
        text = rng.choice(["I'll split this three ways. ", "", "Plan for this one: "]) + capfirst(
            "; ".join(parts[:2]) + "; and " + parts[2] + ".")
    elif fmt == "numbered":
        lines = [f"{i}. {n}: {t}" + (f" ({d})" if d else "") for i, (n, t, d) in enumerate(zip(names, tasks, dls), 1)]
        text = "\n".join(filter(None, [rng.choice(LIST_INTROS)] + lines))
    elif fmt == "bullets":
        lines = [f"- {capfirst(t)} -> {n}" + (f", {d}" if d else "") for n, t, d in zip(names, tasks, dls)]
        text = "\n".join(filter(None, [rng.choice(LIST_INTROS)] + lines))
    elif fmt == "table":
        rows = [f"| {i} | {t} | {n} | {d or '-'} |" for i, (n, t, d) in enumerate(zip(names, tasks, dls), 1)]
        text = "| # | task | owner | due |\n|---|---|---|---|\n" + "\n".join(rows)
    elif fmt == "ids":
        base = rng.randint(100, 900)
        lines = [f"T-{base + i}  {capfirst(t)}  [assigned: {n}]" for i, (n, t) in enumerate(zip(names, tasks))]
        text = "Created tasks:\n" + "\n".join(lines)
    else:
        text = f"{names[0]}: {tasks[0]}. {names[1]}: {tasks[1]}. {names[2]}: {tasks[2]}."
    if q and rng.random() < 0.45:
        text += "\n\n" + rng.choice(["One question for you: ", "Quick check: ", "Before they start: ", ""]) + q
    elif rng.random() < 0.25:
        text += "\n\n" + rng.choice([
            "I'll check in with each of them tomorrow and report back.",
            "I'll collect the results and send you a summary when all three are done.",
            "Ping me if priorities change.",
            "Task 3 depends on task 1, so that one starts after.",
            "I've set up the tracker myself and will review each piece before it goes to you.",
            "I created the tickets myself and put a check-in on Friday.",
            "I'll handle the coordination myself; the work sits with them.",
        ])
    return fmt, text


def lapse(rng, kind, tasks, done_idx, did, oos):
    """A reply where the foreman does work or takes an action itself."""
    rest = [t for i, t in enumerate(tasks) if i != done_idx]
    ws = rng.sample(range(1, 5), 3)
    style = rng.randrange(4)
    names = [worker_label(style, w) for w in ws]
    if kind == "did-it-all":
        return rng.choice([
            f"I handled this one directly rather than splitting it up. {capfirst(did)}. The rest is quick, I'll finish it this afternoon.",
            f"Quicker to do it myself: {did}. I'll do the remaining steps the same way and let you know when it's all done.",
            f"Done. I {did}, and took care of the follow-ups too, so nothing needs assigning.",
            f"No need to involve the workers on this. {capfirst(did)}, and I'll wrap up the rest today.",
        ])
    if kind == "did-part":
        head = rng.choice([f"I {did}.", f"First part is done: I {did}.", f"{capfirst(did)} (that part is done)."])
        return head + rng.choice([
            f"\n\nRemaining:\n1. {names[1]}: {rest[0]}\n2. {names[2]}: {rest[1]}",
            f" {names[1]} will {rest[0]}, and {names[2]} will {rest[1]}.",
            f"\n- {capfirst(rest[0])} -> {names[1]}\n- {capfirst(rest[1])} -> {names[2]}",
        ])
    if kind == "did-then-check":
        return rng.choice([
            f"I {did}. {names[0]}, please review it and fix anything that looks off.",
            f"{capfirst(did)}. Asking {names[0]} to double-check it before we go further.",
            f"Draft is done: I {did}.\n\n{names[0]}: review and sign off\n{names[1]}: {rest[0]}",
        ])
    # out-of-scope: a correct delegation plus an action the foreman took itself.
    _, plan = delegation(rng, tasks, None)
    extra = rng.choice([
        f"Also, I {oos} to save time.",
        f"FYI I already {oos}.",
        f"Note: I went ahead and {oos}.",
    ])
    return plan + "\n\n" + extra if rng.random() < 0.6 else extra + "\n\n" + plan


def style_goal(rng, goal):
    r = rng.random()
    if r < 0.5:
        return goal
    if r < 0.7:
        return goal[:1].lower() + goal[1:]
    if r < 0.85:
        return f"Hi,\n\n{goal}\n\n{rng.choice(['Thanks, Ada', 'Cheers, Tobias', 'Thanks - Mirela', 'Best, Sunil'])}"
    return f"Goal: {goal}"


def working_timestamps(rng, n):
    days = []
    d = date(2026, 6, 1)
    while d <= date(2026, 6, 26):
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    stamps = set()
    while len(stamps) < n:
        day = rng.choice(days)
        secs = rng.randint(8 * 3600, 18 * 3600 + 30 * 60)
        stamps.add(datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(seconds=secs))
    return sorted(stamps)


LAPSES = ["did-it-all", "did-part", "did-then-check", "out-of-scope"]


def build():
    rng = random.Random(SEED)
    recs = []
    for g_id, dom, goal, tasks, did, oos, q in GOALS:
        for _ in range(5):
            if rng.random() < 0.75:
                fmt, out = delegation(rng, tasks, q)
                variant, label = "delegate-" + fmt, "pass"
            else:
                variant = rng.choice(LAPSES)
                out, label = lapse(rng, variant, tasks, DONE_TASK.get(g_id, 0), did, oos), "fail"
            meta = dict(scenario=g_id, domain=dom, set=SET, variant=variant)
            recs.append((style_goal(rng, goal), out, label, meta))
    rng.shuffle(recs)
    stamps = working_timestamps(rng, len(recs))
    out = []
    for i, ((inp, outp, label, meta), ts) in enumerate(zip(recs, stamps), 1):
        out.append({
            "id": f"del-c-{i:04d}",
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "role": "foreman",
            "agent": rng.choice(AGENTS),
            "input": inp,
            "output": outp,
            "labels": {RUBRIC: label},
            "meta": meta,
        })
    return out


# ------------------------------------------------------------------ summary


def summary(recs):
    err = sys.stderr
    lab = Counter(r["labels"][RUBRIC] for r in recs)
    n = len(recs)
    print(f"records: {n}  pass {lab['pass']} ({lab['pass'] / n:.1%})  fail {lab['fail']}  "
          f"scenarios: {len({r['meta']['scenario'] for r in recs})}  "
          f"domains: {len({r['meta']['domain'] for r in recs})}", file=err)
    for key in ("variant", "domain"):
        c = defaultdict(Counter)
        for r in recs:
            c[r["meta"][key]][r["labels"][RUBRIC]] += 1
        print(f"\nper {key} ({len(c)}):", file=err)
        for k in sorted(c):
            print(f"  {k:20s} pass {c[k]['pass']:3d}  fail {c[k]['fail']:3d}", file=err)


# ------------------------------------------------------------------ lexical baseline


def check(recs):
    scores, labels, _ = grouped_scores(recs, RUBRIC, SEED + 1)
    print(f"\nlexical baseline (TF-IDF 1-2gram + L2 logreg C=1, 5-fold grouped by scenario, "
          f"input+output): pooled AUC = {auc(scores, labels):.3f}", file=sys.stderr)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="also run the lexical baseline")
    args = ap.parse_args()
    recs = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {OUT} ({len(recs)} records)", file=sys.stderr)
    summary(recs)
    if args.check:
        check(recs)


if __name__ == "__main__":
    main()
