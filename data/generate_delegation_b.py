#!/usr/bin/env python3
"""Labeled set "delegation-b" for the rubric `delegates-work` (role "foreman").

What it is
    288 records (48 scenarios x 3 output templates x a pass/fail minimal pair). Each record is
    a goal handed to a foreman agent (an agent that manages worker agents) and the foreman's
    reply. Goals come from marketing, events, HR, legal, customer success, finance close,
    procurement and editorial work. Replies are longer and structured (bullet plans, numbered
    plans, prose plans with planning notes, after-the-fact reports, a question to the person)
    or short two-sentence reports. Workers are named by ids ("worker-4") and by role-like
    names ("the billing agent", "Agent B", "the writer bot"), often both.

How labels are decided
    The rubric's expected text: "The foreman plans the work and hands each task to a worker,
    saying clearly what the task is. It does not write the code, the text or the answer
    itself. Short planning notes and questions to the person are fine."
    pass: every part of the goal is handed to (or, in a report, was done by) a named worker;
          the foreman itself only coordinates: it splits the goal, writes briefs, sets up the
          task board or tracker, books check-ins, reviews or signs off, asks the person a
          question, or says it will check progress.
    fail: the foreman does some of the goal's work itself: it writes the deliverable's text,
          numbers or answer in the reply, or says it performed the action (sent, booked,
          reconciled, signed ...), even when the rest is delegated or a worker is asked to
          double-check it; doing extra work beyond the goal on its own is a fail too.

How the pairs are built (why a bag of words cannot tell them apart)
    Every reply contains two mirrored sentences built from one phrase pair, e.g.
        pass form: "{worker} will {do task} (brief), and I will check it against the brief."
        fail form: "I have {done task} (result), and {worker} will check it against the brief."
    A pass reply uses the pass form for one goal task and the fail form for a coordination
    item (the foreman set up the task board / wrote the kickoff message / booked the check-in
    itself - its own job); a fail reply uses the fail form for the goal task and the pass form
    for the coordination item (a worker sets up the task board). The coordination item uses
    the same verb as the goal task where one fits ("I drafted the task plan" against "I
    drafted the guest notice"). So both labels contain "I <verb>ed ... myself" and "worker
    will <verb> ..., I check it"; what differs is whether the thing the foreman did itself
    is part of the goal or only coordination. All other sentences (openers, the other
    assignments, closers, questions) are drawn from one shared random stream per pair and
    are identical in the pass and the fail reply. Templates: bullets, numbered, prose,
    question, report, short, extra (an extra task beyond the goal), snippet (the foreman puts
    part of the deliverable's text into the assignment).

Regenerate
    python3 data/generate_delegation_b.py           # writes data/labeled/delegation-b.jsonl
    python3 data/generate_delegation_b.py --check   # also runs the lexical baseline
    (add --diag to --check to list the most label-skewed n-grams)

Lexical baseline (--check): TF-IDF (word unigrams + bigrams, '?' kept, min df 2, sublinear
tf, L2 rows) + L2 logistic regression (C=1, Nesterov gradient descent), 5-fold cross-
validation grouped by meta.scenario, on input + output text. Pooled out-of-fold AUC
(Mann-Whitney): 0.601 on the current output.
"""

import json
import math
import os
import random
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta

SEED = 20260602
SET_NAME = "delegation-b"
RUBRIC = "delegates-work"
OUT = os.path.join("data", "labeled", "delegation-b.jsonl")

ROLE_NAMES = {
    "writer": "the writer bot",
    "research": "the research agent",
    "billing": "the billing agent",
    "sched": "the scheduling agent",
    "outreach": "the outreach agent",
    "data": "the data agent",
    "legal": "the legal agent",
    "proc": "the procurement agent",
    "ops": "the ops agent",
    "design": "the design agent",
    "review": "the review bot",
    "support": "the support agent",
    "hr": "the HR agent",
    "A": "Agent A",
    "B": "Agent B",
    "C": "Agent C",
}


def T(who, imp, noun, did, work, spec):
    return dict(who=who, imp=imp, noun=noun, did=did, work=work, spec=spec)


def S(sid, domain, inp, due, goal_imp, goal_did, goal_detail, tasks, extra, qs):
    return dict(id=sid, domain=domain, input=inp, due=due, goal_imp=goal_imp,
                goal_did=goal_did, goal_detail=goal_detail, tasks=tasks,
                extra=extra, qs=qs)


SCENARIOS = [
    # ------------------------------------------------------------ marketing
    S("mk-webinar", "marketing",
      "Goal: announce the June 18 webinar on usage-based pricing. Need an email to the customer list, a LinkedIn post, and the landing page updated with the registration link. Want it all live by Thursday.",
      "by Thursday",
      "announce the June 18 webinar with the customer email, the LinkedIn post and the landing page update",
      "announced the June 18 webinar", "email sent, LinkedIn post up, landing page updated with the link",
      [T("writer", "draft the announcement email to the customer list", "the announcement email",
         "drafted the announcement email",
         'Subject: "Pricing that grows with you: live session June 18". It opens with "Join our product team on June 18 at 16:00 CET for a 40-minute walkthrough."',
         "a subject line plus three short paragraphs, registration link in the first one"),
       T("outreach", "write the LinkedIn post", "the LinkedIn post", "wrote the LinkedIn post",
         '"Usage-based pricing, explained in 40 minutes. Live on June 18, bring your questions. Link in the comments."',
         "under 600 characters, one question as the hook, link in the first comment"),
       T("design", "update the landing page with the date and the registration link", "the landing page",
         "updated the landing page", "it now shows June 18, 16:00 CET and the form feeds the webinar list",
         "date, time zone, and the form wired to the webinar list")],
      ("design", "add the webinar to the events calendar on the blog", "added the webinar to the blog's events calendar"),
      ["Should the email go to the full customer list or only to admins?",
       "Do you want a reminder email the day before as well?"]),
    S("mk-casestudy", "marketing",
      "We need a case study on Northwind's rollout for the website. Interview notes are in the drive. Need the key numbers pulled from the notes, the write-up, and the two pull quotes approved by Northwind. Due end of next week.",
      "by the end of next week",
      "produce the Northwind case study: numbers from the notes, the write-up and the approved pull quotes",
      "put the Northwind case study together", "numbers pulled, write-up done, quotes sent to Northwind for approval",
      [T("research", "go through the interview notes and pull out the numbers Northwind gave us",
         "the numbers from the notes", "went through the notes and pulled the numbers",
         "rollout took 6 weeks, ticket volume fell 31%, 420 seats are live",
         "rollout time, ticket volume change and seat count, each with the page it came from"),
       T("writer", "write the 800-word case study", "the write-up", "wrote the case study",
         'it opens: "When Northwind moved 420 support seats in six weeks, the goal was simple: fewer tickets, faster answers."',
         "about 800 words, challenge, rollout, results, no invented quotes"),
       T("outreach", "send the two pull quotes to Northwind's contact for approval", "the quote approval",
         "sent the two pull quotes to Northwind's contact", "they went to Priya Shah at 11:20 with a Friday deadline",
         "both quotes in one email, ask for a yes or edits by Friday")],
      ("design", "add Northwind's logo to the customer wall on the homepage", "added Northwind's logo to the homepage customer wall"),
      ["Is Northwind fine with being named, or should it be anonymous?",
       "Do you also want a PDF version for sales?"]),
    S("mk-ads", "marketing",
      "Goal: paid campaign for the Spring Tiles launch. Need three ad headlines for Google, the audience list built from last year's buyers, and the UTM links set up. Budget is 5,000 EUR for two weeks.",
      "before the launch on Monday",
      "set up the Spring Tiles paid campaign: three headlines, the audience from last year's buyers and the UTM links",
      "set up the Spring Tiles campaign", "headlines written, audience built, UTM links live",
      [T("writer", "write three Google ad headlines for Spring Tiles", "the ad headlines", "wrote the three headlines",
         '"Spring Tiles: Fresh Looks, Fast Delivery", "Frost-Proof Tiles From 19 EUR/m2" and "Redo Your Patio This Spring"',
         "30 characters max each, one mentioning the price, one mentioning delivery"),
       T("data", "build the audience list from last year's buyers", "the audience list", "built the audience list",
         "2,318 buyers from 2025, minus 140 who unsubscribed", "2025 buyers only, drop anyone who unsubscribed"),
       T("ops", "set up the UTM links for each ad group", "the UTM links", "set up the UTM links",
         "utm_source=google, utm_campaign=spring_tiles, utm_content=headline_1 to headline_3",
         "one link per ad group, campaign name spring_tiles")],
      ("ops", "pause the old winter campaign so the budgets don't overlap", "paused the old winter campaign"),
      ["Is the 5,000 EUR split evenly over the two weeks, or front-loaded?",
       "Do you want the headlines in German too?"]),
    S("mk-newsletter", "marketing",
      "Please get the July customer newsletter out: lead story on the new export feature, a short tips section, and the send scheduled for Tuesday 9:00 to the 12k list.",
      "by Monday evening",
      "get the July newsletter out: the export lead story, the tips section and the Tuesday 9:00 send",
      "put the July newsletter together", "lead story written, tips in, send scheduled for Tuesday 9:00",
      [T("writer", "write the lead story on the export feature", "the lead story", "wrote the lead story",
         '"Exports, finally your way: pick the columns, pick the format, schedule it weekly."',
         "about 250 words, one screenshot placeholder, link to the help article"),
       T("support", "collect three tips from this month's support tickets", "the tips section",
         "put the tips section together",
         "1) pin your filters, 2) press G then E to export, 3) share views with read-only links",
         "three tips, one line each, taken from real tickets"),
       T("ops", "schedule the send for Tuesday 9:00 to the 12k list", "the send", "scheduled the send",
         "it is queued in the ESP for 12,104 contacts", "Tuesday 9:00 local time, bounced addresses excluded")],
      ("ops", "refresh the newsletter signup form on the blog", "refreshed the signup form on the blog"),
      ["Should we A/B test the subject line this time?",
       "Is the export feature live on all plans by Tuesday?"]),
    S("mk-seo", "marketing",
      "Goal: refresh our 3 blog posts that lost traffic (pricing guide, onboarding checklist, API intro). Find out where they dropped, update them, and fix their meta descriptions. Two weeks.",
      "within two weeks",
      "refresh the three posts: find where they dropped, update them and rewrite their meta descriptions",
      "refreshed the three posts", "traffic checked, posts updated, meta descriptions rewritten",
      [T("data", "pull the traffic and ranking data for the three posts and find where they dropped",
         "the traffic analysis", "pulled the traffic data",
         "the pricing guide lost 42% since March, mostly on 'saas pricing models'; the other two fell about 15%",
         "March against now, per keyword, per post"),
       T("writer", "update the three posts with current screenshots and facts", "the post updates",
         "updated the three posts", "new screenshots in the API intro, plans and prices corrected in the pricing guide",
         "keep the URLs, replace outdated plans and screenshots"),
       T("B", "rewrite the meta descriptions for the three posts", "the meta descriptions",
         "rewrote the meta descriptions",
         'pricing guide: "Compare SaaS pricing models with real examples and a free calculator."',
         "under 155 characters, main keyword near the start")],
      ("writer", "add internal links from the three posts to the new comparison page",
       "added internal links from the three posts to the comparison page"),
      ["Do you want the original publish dates kept, or shown as updated?",
       "Is there a keyword list from the agency we should use?"]),
    S("mk-pricing", "marketing",
      "Update the pricing page for the new Team plan at 12 EUR per user: write the plan description, update the comparison table, and brief sales on the change before it goes live on the 15th.",
      "before the 15th",
      "update the pricing page for the Team plan and brief sales before the 15th",
      "updated the pricing page for the Team plan", "description written, comparison table updated, sales briefed",
      [T("writer", "write the Team plan description", "the plan description", "wrote the plan description",
         '"Team: everything in Starter, plus shared workspaces and admin controls. 12 EUR per user per month."',
         "two sentences, the price, who it is for"),
       T("design", "add the Team column to the comparison table", "the comparison table",
         "updated the comparison table", "the Team column sits between Starter and Business, 14 feature rows filled",
         "new column, every row checked with product"),
       T("outreach", "brief the sales team on the change", "the sales briefing", "briefed the sales team",
         "they got a one-pager and I took questions in the 10:00 standup",
         "a one-pager plus 15 minutes at the Monday standup")],
      ("ops", "update the price in the checkout flow", "updated the price in checkout"),
      ["Does the Team plan go live for existing customers too?",
       "Is 12 EUR the monthly or the yearly price?"]),
    # --------------------------------------------------------------- events
    S("ev-summit", "events",
      "The partner summit moves from June 11 to June 18, same venue. Tell the 38 registered guests, rebook the catering, and update the event page.",
      "today",
      "handle the summit date change: tell the 38 guests, rebook catering and update the event page",
      "handled the summit move", "guests told, catering rebooked, event page updated",
      [T("writer", "draft the note telling the 38 guests about the new date", "the guest notice",
         "drafted the guest notice",
         '"Hi all, the partner summit moves to Thursday June 18. Same venue, same times, and your registration carries over."',
         "short, new date first, say registrations carry over"),
       T("sched", "rebook the catering for June 18", "the catering", "rebooked the catering",
         "Fennel & Co confirmed 40 lunches for June 18 with no change fee",
         "same menu, 40 covers, ask whether there is a change fee"),
       T("ops", "update the event page with the new date", "the event page", "updated the event page",
         "it shows June 18 and the calendar file is regenerated", "date, calendar file and the banner")],
      ("sched", "move the speaker prep call to June 16", "moved the speaker prep call to June 16"),
      ["Do you want to offer refunds to anyone who can't make the new date?",
       "Should the notice come from you or from the events inbox?"]),
    S("ev-offsite", "events",
      "Plan the sales team offsite: 25 people, two days in September, within 300 km of Munich, budget 30k. I need three venue options, a draft agenda, and travel estimates.",
      "by next Wednesday",
      "prepare the offsite options: three venues near Munich, a two-day agenda and the travel estimate",
      "prepared the offsite options", "venues shortlisted, agenda drafted, travel estimated",
      [T("research", "shortlist three venues within 300 km of Munich for 25 people", "the venue shortlist",
         "shortlisted three venues",
         "Schloss Elmau at 41k (over budget), Seehotel Überfahrt at 28k, Gut Sonnenhausen at 24k",
         "two nights, 25 rooms, one plenary room, all-in price per option"),
       T("writer", "draft a two-day agenda", "the agenda", "drafted the agenda",
         "day 1: pipeline review 9-12, territory planning 13-17; day 2: training 9-12, team activity after lunch",
         "half work, half team time, ending by 15:00 on day 2"),
       T("billing", "estimate travel costs for the 25 people", "the travel estimate", "estimated the travel costs",
         "about 4,800 EUR, mostly rail, with 6 flights from Berlin and Hamburg",
         "rail where it is under 5 hours, per person and total")],
      ("sched", "put tentative holds on dates with the venues", "put tentative holds on September 14-15 at two venues"),
      ["Which week in September works for the team leads?",
       "Is the 30k all-in, including travel?"]),
    S("ev-booth", "events",
      "We have a booth at FinOps Expo on July 2-3. Need the booth graphics ordered, shipping of the demo kit arranged, and the staff rota for the two days.",
      "by June 26",
      "get the FinOps Expo booth ready: graphics ordered, demo kit shipped and the staff rota built",
      "got the FinOps Expo booth sorted", "graphics ordered, demo kit shipping arranged, rota done",
      [T("design", "order the booth graphics, a 3 m backwall and two roll-ups", "the graphics order",
         "ordered the booth graphics", "3 m backwall and two roll-ups from PrintHaus, 1,140 EUR, delivery June 28",
         "new brand files, delivered to the venue by June 30"),
       T("proc", "arrange shipping of the demo kit to the venue", "the demo kit shipping",
         "arranged the demo kit shipping", "pickup June 29, DHL tracking 4471 0092",
         "insured, arriving June 30 or July 1, hall 4 stand B12"),
       T("sched", "build the staff rota for both days", "the staff rota", "built the staff rota",
         "day 1: Ana and Tom 9-13, Lea and Raj 13-18; day 2 the other way round",
         "two people on the stand at all times, nobody over 5 hours a day")],
      ("sched", "book a meeting room at the venue for customer meetings", "booked a meeting room at the venue"),
      ["Are Ana and Tom confirmed for both days?",
       "Do we need lead scanners from the organiser?"]),
    S("ev-workshop", "events",
      "Organise the customer training workshop on June 24 (remote, 2 hours). Invite the 60 customers on the onboarding list, prepare the slides, and set up the feedback form.",
      "by June 22",
      "organise the June 24 workshop: invites to the 60 customers, the slides and the feedback form",
      "organised the June 24 workshop", "invites out, slides made, feedback form live",
      [T("outreach", "send invites to the 60 customers on the onboarding list", "the invites",
         "sent the invites to the 60 customers", "calendar invites went out at 14:10 with the Zoom link",
         "calendar invite with the link, plus a reminder the day before"),
       T("writer", "prepare the slide deck for the two hours", "the slides", "made the slides",
         "22 slides: setup, roles, reports, and a 15-minute Q&A at the end",
         "about 20 slides, one exercise every 30 minutes"),
       T("data", "set up the feedback form", "the feedback form", "set up the feedback form",
         "5 questions on a 1-5 scale plus a comment box, link at forms/june-workshop",
         "5 questions max, link shown on the last slide")],
      ("outreach", "record a short intro video for the invite", "recorded a short intro video for the invite"),
      ["Who presents, you or someone from the product team?",
       "Should the session be recorded for people who can't join?"]),
    S("ev-dinner", "events",
      "Client dinner in London on June 9 for 12 people. Book a restaurant near Liverpool Street, collect dietary needs from the guests, and send the final invitation with the details.",
      "by June 5",
      "organise the June 9 client dinner: restaurant, dietary needs and the final invitation",
      "organised the June 9 dinner", "table booked, dietary needs collected, invitation sent",
      [T("sched", "book a restaurant near Liverpool Street for 12 on June 9", "the restaurant booking",
         "booked the table", "Hawksmoor Spitalfields, private room, 19:30, 12 covers",
         "private room if possible, 19:30, under 90 GBP a head"),
       T("outreach", "collect dietary needs from the 12 guests", "the dietary needs", "collected the dietary needs",
         "two vegetarian, one gluten-free, one no shellfish", "one short email, replies by June 5"),
       T("writer", "write and send the final invitation once the venue is set", "the final invitation",
         "wrote and sent the final invitation",
         '"Dear all, we look forward to seeing you on June 9 at 19:30 at Hawksmoor Spitalfields."',
         "venue, time, dress code and a contact number")],
      ("sched", "arrange taxis back for the guests", "arranged taxis back for the guests"),
      ["Is there a per-head budget I should pass on?",
       "Do plus-ones count in the 12?"]),
    S("ev-allhands", "events",
      "Quarterly all-hands is June 26, hybrid. Need the agenda from the department heads, the AV crew booked for the main hall, and the livestream link sent to remote staff.",
      "by June 24",
      "prepare the June 26 all-hands: agenda from department heads, AV for the main hall and the livestream link",
      "prepared the all-hands", "agenda collected, AV booked, livestream link sent",
      [T("sched", "collect agenda items from the department heads", "the agenda", "put the agenda together",
         "CEO update 10 min, product 15, sales 15, people team 10, Q&A 10",
         "10 to 15 minutes each, items due by June 20"),
       T("ops", "book the AV crew for the main hall", "the AV booking", "booked the AV crew",
         "two technicians from StageTech, 9:00 to 12:00, 950 EUR", "two cameras, wireless mics, setup from 9:00"),
       T("outreach", "send the livestream link to remote staff", "the livestream email",
         "sent the livestream link to remote staff", "it went to 214 remote staff with the calendar hold",
         "calendar hold plus the link, sent on June 24")],
      ("ops", "order coffee for the hall", "ordered coffee and pastries for the hall"),
      ["Will remote staff be able to ask questions live?",
       "Should the recording be shared afterwards?"]),
    # ------------------------------------------------------------------- HR
    S("hr-onboard", "HR",
      "Three new engineers start June 15. Get their laptops ordered, their accounts created, and a first-week schedule with buddies sent to them.",
      "by June 12",
      "get the three June 15 starters ready: laptops, accounts and the first-week schedule",
      "got the three starters set up", "laptops ordered, accounts created, schedules sent",
      [T("proc", "order three laptops", "the laptop order", "ordered the three laptops",
         "MacBook Pro 14 with 36 GB, delivery June 11, PO 88213", "standard engineering spec, delivered before June 12"),
       T("ops", "create their email, Slack and GitHub accounts", "the accounts", "created the accounts",
         "email, Slack and GitHub are live for all three; passwords go out on day one",
         "email, Slack and GitHub, no production access yet"),
       T("hr", "draft the first-week schedule with buddies and send it to the three starters",
         "the first-week schedule", "drafted the first-week schedule",
         "Mon setup with IT, Tue codebase tour with buddy Jonas, Wed first ticket, Fri demo",
         "one buddy each, one small ticket by Wednesday")],
      ("hr", "book the welcome lunch", "booked the welcome lunch for Monday"),
      ["Does any of the three need a Windows laptop?",
       "Who should the buddies be?"]),
    S("hr-remote", "HR",
      "Our remote-work policy needs an update for the new 3-days-in-office rule. Draft the changes, get them checked against the works council agreement, and prepare the announcement to staff.",
      "by the end of the month",
      "update the remote-work policy for the 3-day rule, get it checked and prepare the staff announcement",
      "updated the remote-work policy", "changes drafted, legal check done, announcement written",
      [T("writer", "draft the changes to the remote-work policy", "the policy changes", "drafted the policy changes",
         'section 2 now reads: "Employees work from the office at least three days per week, agreed with their manager."',
         "mark every change, keep the existing exceptions for parents"),
       T("legal", "check the draft against the works council agreement", "the legal check",
         "checked the draft against the works council agreement",
         "nothing conflicts except section 4, which needs 4 weeks' notice",
         "flag anything that needs works council consent"),
       T("hr", "prepare the announcement to staff", "the staff announcement", "wrote the staff announcement",
         '"From September 1, we\'ll be in the office three days a week. Here is why, and what stays flexible."',
         "plain language, the effective date, who to ask")],
      ("hr", "update the FAQ page on the intranet", "updated the intranet FAQ"),
      ["Does the rule apply to the Lisbon office too?",
       "When do you want the announcement to go out?"]),
    S("hr-hiring", "HR",
      "Open a hiring round for a senior product manager. Need the job post, the listing on LinkedIn and Otta, and a screening rubric for the first calls.",
      "this week",
      "open the senior PM hiring round: job post, the two listings and a screening rubric",
      "opened the senior PM round", "job post written, listings live, screening rubric built",
      [T("writer", "write the job post", "the job post", "wrote the job post",
         '"Senior Product Manager, Payments. You\'ll own our checkout roadmap and work with three squads."',
         "role, team, must-haves, salary band, under 500 words"),
       T("outreach", "list the role on LinkedIn and Otta", "the job board listings", "posted the role on LinkedIn and Otta",
         "both live since 15:40, LinkedIn capped at 600 EUR", "30 days, 600 EUR cap on LinkedIn"),
       T("hr", "build a screening rubric for the first calls", "the screening rubric", "built the screening rubric",
         "4 criteria scored 1-4: payments experience, discovery, stakeholder work, writing",
         "4 or 5 criteria, scored 1-4, one question each")],
      ("sched", "block interview slots in the panel's calendars", "blocked interview slots in the panel's calendars"),
      ["What salary band can we publish?",
       "Is it remote-friendly or hybrid in Berlin?"]),
    S("hr-reviews", "HR",
      "Mid-year reviews start June 22. Send the self-review forms to all 140 employees, remind managers of the deadlines, and set up the calibration sessions.",
      "by June 22",
      "kick off mid-year reviews: self-review forms, the manager reminder and the calibration sessions",
      "kicked off the mid-year reviews", "forms sent, managers reminded, calibration booked",
      [T("hr", "send the self-review forms to all 140 employees", "the self-review forms",
         "sent the self-review forms", "all 140 went out at 9:05, due July 3", "due July 3, one reminder after a week"),
       T("outreach", "email managers a reminder of the deadlines", "the manager reminder", "emailed the managers",
         '"Reminder: self-reviews due July 3, your reviews by July 10, calibration the week after."',
         "all three deadlines in one short email"),
       T("sched", "schedule the calibration sessions per department", "the calibration sessions",
         "scheduled the calibration sessions", "six sessions July 13-15, 90 minutes each",
         "one per department, the week of July 13")],
      ("hr", "update the review template with the new competency model", "updated the review template with the new competencies"),
      ["Are contractors included in the 140?",
       "Should calibration happen in person?"]),
    S("hr-offboard", "HR",
      "Marco from finance leaves June 30. Handle his offboarding: access removal on his last day, the equipment return, and his exit interview.",
      "by June 30",
      "handle Marco's offboarding: access removal, equipment return and the exit interview",
      "handled Marco's offboarding", "access removal scheduled, equipment return arranged, exit interview held",
      [T("ops", "schedule his access removal for June 30 at 18:00", "the access removal",
         "scheduled Marco's access removal", "all 14 systems close June 30 at 18:00",
         "every system including the bank portal, 18:00 on the 30th"),
       T("proc", "arrange the equipment return", "the equipment return", "arranged the equipment return",
         "a courier picks up laptop and phone on July 1 at 10:00", "laptop, phone and badge, by courier if he is remote"),
       T("hr", "book and run the exit interview", "the exit interview", "held the exit interview",
         "he cited workload and lack of growth; notes are in his file",
         "30 minutes, the standard questions, notes in his file")],
      ("billing", "reassign his open approvals in the finance system", "reassigned his open approvals"),
      ["Is there a handover plan for his month-end tasks?",
       "Should the bank portal access go earlier?"]),
    S("hr-pension", "HR",
      "Employees keep asking about the new pension plan. Put together an FAQ, set up a lunch-and-learn with the provider, and answer the 9 open questions in the HR inbox.",
      "by next Friday",
      "cover the pension questions: an FAQ, a lunch-and-learn and answers to the 9 inbox questions",
      "covered the pension questions", "FAQ written, lunch-and-learn set, inbox answered",
      [T("writer", "put together the pension FAQ", "the FAQ", "put the FAQ together",
         'Q: "Can I opt out?" A: "Yes, within 30 days of enrolment, through the HR portal."',
         "10 to 12 questions, plain language, link to the plan document"),
       T("sched", "set up a lunch-and-learn with the pension provider", "the lunch-and-learn",
         "set up the lunch-and-learn", "June 17, 12:30, with Mara from the provider, 45 minutes",
         "45 minutes, the provider presents, recorded"),
       T("support", "answer the 9 open questions in the HR inbox", "the 9 inbox questions",
         "answered the 9 inbox questions", "mostly opt-out and the employer match, which is 4%",
         "use the plan document, flag anything tax-related to me")],
      ("hr", "add a pension section to the onboarding deck", "added a pension section to the onboarding deck"),
      ["Can we share the employer match rate publicly?",
       "Is there a date when enrolment closes?"]),
    # ---------------------------------------------------------------- legal
    S("lg-nda", "legal",
      "Acme Robotics sent us their NDA. Review it against our standard, redline anything unusual, and send it back to their counsel by Friday.",
      "by Friday",
      "handle Acme's NDA: review against our standard, redline and return to their counsel",
      "handled the Acme NDA", "reviewed, redlined and returned to their counsel",
      [T("legal", "review Acme's NDA against our standard", "the NDA review", "reviewed Acme's NDA",
         "two issues: a 7-year term instead of 3, and a non-solicit clause in section 9",
         "term, scope of confidential information, non-solicit, governing law"),
       T("B", "redline the unusual clauses", "the redline", "redlined the NDA",
         "section 5 term cut to 3 years, section 9 non-solicit deleted", "tracked changes with a comment on each"),
       T("outreach", "send the redline back to their counsel", "the reply to their counsel",
         "sent the redline back to their counsel", "it went to j.okafor@acmerobotics.com at 16:02",
         "short cover note, Friday at the latest")],
      ("legal", "log the NDA in the contract register", "logged the NDA in the contract register"),
      ["Are you okay with a 5-year term as a fallback?",
       "Who signs on our side?"]),
    S("lg-dpa", "legal",
      "A customer (Helio Bank) wants our DPA signed with their changes. Check their edits, list what we can accept, and prepare a reply to their legal team. Their deadline is the 12th.",
      "by the 12th",
      "handle Helio Bank's DPA edits: check them, list what we can accept and prepare the reply",
      "went through Helio's DPA", "edits checked, acceptance list made, reply written",
      [T("legal", "check Helio Bank's edits to the DPA", "the edit check", "checked their edits",
         "11 edits; 8 are fine, 3 are not (audit rights, 24h breach notice, unlimited liability)",
         "edit by edit, marked accept or push back"),
       T("research", "list which edits we can accept", "the acceptance list", "made the acceptance list",
         "accept 1-8, counter 9 with 48h notice, reject 10 and 11", "a table: edit, accept or counter, reason"),
       T("writer", "prepare the reply to Helio's legal team", "the reply", "wrote the reply",
         '"Thank you for your comments. We can accept most of them; on breach notice we propose 48 hours."',
         "polite, the three sticking points with our counter")],
      ("legal", "update our DPA template with the edits we accept", "updated our DPA template with the accepted edits"),
      ["Is 48 hours breach notice acceptable to you?",
       "Does sales need this before the 12th?"]),
    S("lg-trademark", "legal",
      "We want to register the name 'Lumenly' as an EU trademark. Check if it's available, prepare the application, and estimate the fees.",
      "by the end of next week",
      "prepare the Lumenly EU trademark: availability search, application and fee estimate",
      "prepared the Lumenly trademark filing", "search run, application prepared, fees estimated",
      [T("research", "run an availability search for 'Lumenly' in the EUIPO database", "the availability search",
         "ran the availability search", "no identical marks; one similar one, 'Lumenlee', in class 11 (lighting)",
         "classes 9 and 42, identical and similar marks"),
       T("legal", "prepare the EUIPO application", "the application", "prepared the application",
         "word mark, classes 9 and 42, applicant Lumenly GmbH", "word mark, classes 9 and 42, our company as applicant"),
       T("billing", "estimate the fees", "the fee estimate", "estimated the fees",
         "850 EUR for the first class plus 50 EUR for the second, so 900 EUR",
         "official fees plus any attorney costs")],
      ("research", "check the matching domain names", "checked the .com and .eu domains"),
      ["Do we want a logo mark too, or only the word?",
       "Any countries outside the EU?"]),
    S("lg-cleaning", "legal",
      "The office cleaning contract auto-renews on July 1. Find the notice period, get two other quotes, and draft the termination letter in case we switch.",
      "by Wednesday",
      "sort out the cleaning contract: notice period, two other quotes and a termination letter",
      "sorted out the cleaning contract", "notice period found, quotes in, termination letter drafted",
      [T("legal", "check the contract for the notice period", "the notice period", "checked the notice period",
         "it is 3 months, so we are already past it for July 1", "clause number and the exact deadline"),
       T("proc", "get two other cleaning quotes", "the quotes", "got two quotes",
         "CleanPro 1,900 EUR a month, Glanz GmbH 2,150 EUR a month", "same scope: 5 days a week, 1,200 m2"),
       T("writer", "draft the termination letter in case we switch", "the termination letter",
         "drafted the termination letter",
         '"We hereby terminate the cleaning agreement dated 1 July 2023 with effect from the earliest possible date."',
         "formal, cite the clause, earliest possible end date")],
      ("sched", "ask facilities how the current cleaner is doing", "asked facilities about the current cleaner"),
      ["If we are past the notice date, do you still want to switch?",
       "Is there a budget ceiling for the new contract?"]),
    S("lg-gdpr", "legal",
      "A former user (ticket 5521) filed a GDPR access request. Collect their data from our systems, check it for other people's data, and send the response within the one-month deadline.",
      "well before the deadline",
      "answer the GDPR access request in ticket 5521: collect, redact and send",
      "answered the access request for ticket 5521", "data collected, third-party data redacted, response sent",
      [T("data", "collect the user's data from CRM, billing and support", "the data export", "collected the data",
         "CRM record, 14 invoices and 31 support tickets, exported to one zip",
         "CRM, billing and support tickets in one export"),
       T("legal", "check the export for other people's data and redact it", "the redaction check",
         "checked and redacted the export", "3 agents' personal emails removed from ticket threads",
         "third-party names and emails redacted"),
       T("support", "send the response to the requester with the export", "the response", "sent the response",
         "it went out through the secure portal today", "secure portal, the standard cover letter, before the deadline")],
      ("legal", "log the request in the GDPR register", "logged the request in the register"),
      ["Do we know the exact date the request came in?",
       "Should the response be signed by our DPO?"]),
    S("lg-terms", "legal",
      "We're updating our Terms of Service for the new AI features. Draft the new clause, compare how two competitors word it, and draft the 30-day notice email to users.",
      "by July 1",
      "prepare the Terms update for the AI features: new clause, competitor comparison and the notice email",
      "prepared the Terms update", "clause drafted, competitors compared, notice email written",
      [T("legal", "draft the new AI-features clause", "the AI clause", "drafted the AI clause",
         '"Outputs are generated automatically and may be inaccurate. You remain responsible for how you use them."',
         "plain language, covering accuracy and use of customer data"),
       T("research", "compare how two competitors word this", "the competitor comparison", "compared two competitors",
         "Notion and Linear both rule out training on customer data; Linear adds an opt-out",
         "two competitors, training on customer data, liability"),
       T("writer", "draft the 30-day notice email to users", "the notice email", "drafted the notice email",
         '"We are updating our Terms on August 1 to cover new AI features. Here is what changes for you."',
         "short, the effective date, a link to the full terms")],
      ("legal", "update the privacy page to match", "updated the privacy page"),
      ["Do we train on customer data at all? The clause depends on it.",
       "Which date should the new terms take effect?"]),
    # ---------------------------------------------------- customer success
    S("cs-churn", "customer success",
      "Brightline, our 3rd-largest account, has usage down 40% this quarter. Find out why, prepare a save plan, and set up a call with their VP Ops next week.",
      "before the call",
      "work the Brightline risk: find the cause, prepare a save plan and set up the VP Ops call",
      "worked the Brightline account", "cause found, save plan drafted, call set up",
      [T("data", "pull Brightline's usage by team for the quarter", "the usage breakdown", "pulled Brightline's usage",
         "the drop is all in their EMEA team, 210 down to 60 weekly users since April",
         "by team and by week, since January"),
       T("research", "draft a save plan based on what the data shows", "the save plan", "drafted the save plan",
         "retrain EMEA, two months of premium support, a monthly exec check-in",
         "three concrete offers and what each costs us"),
       T("sched", "set up a call with their VP Ops next week", "the call", "set up the call",
         "Tuesday 15:00 with Sara Lind, invite sent", "45 minutes next week, their account manager included")],
      ("support", "flag the account as at risk in the CRM", "flagged Brightline as at risk in the CRM"),
      ["Can we offer a discount, or only services?",
       "Do you want to be on the call?"]),
    S("cs-qbr", "customer success",
      "QBR with Orion Freight on June 19. Need the usage report, the slide deck, and a list of their open tickets and feature requests to discuss.",
      "by June 17",
      "prepare the Orion Freight QBR: usage report, deck and the open ticket list",
      "prepared the Orion QBR", "usage report built, deck done, ticket list ready",
      [T("data", "build the Q2 usage report", "the usage report", "built the usage report",
         "active users up 12%, 1.4M API calls, two outages that hit them", "active users, API volume, incidents, against Q1"),
       T("writer", "put together the QBR deck", "the deck", "put the deck together",
         "10 slides: wins, usage, support, roadmap, asks", "10 slides, their logo, the roadmap slide from product"),
       T("support", "list their open tickets and feature requests", "the ticket list", "listed their open tickets",
         "4 open tickets, the oldest 23 days, and 6 requests led by SSO for contractors",
         "age, status and owner for each")],
      ("outreach", "send them a pre-read two days before", "sent them a pre-read"),
      ["Is renewal pricing on the agenda?",
       "Who from their side is attending?"]),
    S("cs-stuck", "customer success",
      "Verdant Labs signed 6 weeks ago and still hasn't imported their data. Find the blocker, get them unstuck, and agree a go-live date.",
      "this week",
      "get Verdant Labs live: find the import blocker, fix it with them and agree a go-live date",
      "got Verdant Labs unstuck", "blocker found, import done, go-live agreed",
      [T("support", "go through their tickets and call notes to find the blocker", "the blocker", "found the blocker",
         "their CSV uses semicolons and our importer expects commas", "tickets, call notes and the importer logs"),
       T("ops", "fix the import with their admin", "the import", "ran their import with the semicolon setting",
         "all 18,400 rows are in", "on a call with their admin, without editing their files"),
       T("sched", "agree a go-live date with them", "the go-live date", "agreed a go-live date",
         "July 6, confirmed with their admin", "within three weeks, confirmed in writing")],
      ("outreach", "send their team a training invite", "sent their team a training invite"),
      ["Is there anything in their contract about go-live dates?",
       "Should their sales rep be looped in?"]),
    S("cs-renewal", "customer success",
      "Pinecrest's renewal is due July 31 (48k a year). Prepare the renewal quote with the 5% uplift, check their usage against their plan, and send the quote to their procurement.",
      "by July 10",
      "handle the Pinecrest renewal: quote with the uplift, usage check and sending it to procurement",
      "handled the Pinecrest renewal", "quote prepared, usage checked, quote sent",
      [T("billing", "prepare the renewal quote with the 5% uplift", "the renewal quote", "prepared the quote",
         "50,400 a year, 12 months, net 30", "5% uplift, same terms, 12 months"),
       T("data", "check their usage against their plan", "the usage check", "checked their usage",
         "they use 230 of 200 seats, so the quote should be for 230", "seats, storage and API calls against the contract"),
       T("outreach", "send the quote to their procurement", "the quote email", "sent the quote to their procurement",
         "it went to procurement@pinecrest.io at 11:48", "after you approve it, with their champion in cc")],
      ("billing", "update the renewal date in the CRM", "updated the renewal in the CRM"),
      ["If they are over their seats, should the extra seats be at list price?",
       "Is the 5% firm?"]),
    S("cs-payouts", "customer success",
      "Kestrel Ltd is angry about three failed payouts this week. Find out what happened, write them an apology with next steps, and make sure the payout fees get refunded.",
      "today",
      "handle the Kestrel complaint: find the cause, write the apology and refund the fees",
      "handled the Kestrel complaint", "cause found, apology sent, fees refunded",
      [T("ops", "find out why the three payouts failed", "the payout investigation", "looked into the payouts",
         "all three went to the old bank account that Kestrel changed on June 2", "payout IDs, errors, timeline"),
       T("writer", "write the apology to Kestrel with next steps", "the apology", "wrote the apology",
         '"Dear Ms Patel, I\'m sorry about the failed payouts this week. They went to your previous bank account."',
         "own our part, clear next steps, no blame"),
       T("billing", "refund the three payout fees", "the fee refunds", "refunded the three fees",
         "3 x 25 EUR back to their balance", "refund to their balance with the ticket number")],
      ("ops", "add a warning when bank details change", "added a warning to the payout screen"),
      ["Do you want to call them yourself before the email goes?",
       "Should we add a goodwill credit?"]),
    S("cs-health", "customer success",
      "Our customer health scores are stale. Refresh them for all 85 accounts, list the 10 lowest, and give each CSM their own list.",
      "by Thursday",
      "refresh the health scores for the 85 accounts, list the bottom 10 and send each CSM their list",
      "refreshed the health scores", "scores updated, bottom 10 listed, CSMs sent their lists",
      [T("data", "refresh the health scores for the 85 accounts", "the score refresh", "refreshed the scores",
         "all 85 updated; the average fell from 71 to 66", "current formula, last 90 days of data"),
       T("research", "list the 10 lowest with one line on why", "the bottom-10 list", "listed the 10 lowest",
         "lowest are Brightline (34), Tarn (38) and Veloce (41)", "score, main reason, CSM"),
       T("outreach", "send each CSM their accounts", "the CSM lists", "sent each CSM their list",
         "5 emails out, one per CSM", "one email per CSM, lowest first")],
      ("data", "change the NPS weight in the formula", "changed the NPS weight in the formula"),
      ["Should accounts already in churn be in the 85?",
       "Do you want the formula reviewed too?"]),
    # --------------------------------------------------------- finance close
    S("fc-june", "finance close",
      "Start the June close. Bank reconciliations for the 4 accounts, accruals for unbilled consulting, and the variance report against budget. Books must be closed by July 5.",
      "by July 5",
      "run the June close: the 4 bank reconciliations, consulting accruals and the variance report",
      "ran the June close", "banks reconciled, accruals booked, variance report done",
      [T("billing", "reconcile the 4 bank accounts", "the bank reconciliations", "reconciled the 4 bank accounts",
         "all tie out except Commerzbank, 1,240 EUR off from a duplicate fee",
         "to the June 30 statements, listing any differences"),
       T("data", "book accruals for unbilled consulting", "the accruals", "booked the accruals",
         "18,450 EUR across three consulting projects", "per project, with the timesheet reference"),
       T("research", "prepare the variance report against budget", "the variance report",
         "prepared the variance report", "opex is 6% over, mostly travel at +22k",
         "by cost center, explaining anything over 5%")],
      ("billing", "clean up the old suspense account entries", "cleared the old suspense account entries"),
      ["Are we still closing by July 5, or is July 3 better for the board?",
       "Is there a threshold below which variances need no comment?"]),
    S("fc-interco", "finance close",
      "Intercompany balances between DE and UK don't match, about 37k apart. Find the difference, book the corrections, and get both controllers to sign off.",
      "before the close",
      "fix the DE/UK intercompany gap: find it, book the corrections and get both sign-offs",
      "fixed the intercompany gap", "difference found, corrections booked, both controllers signed off",
      [T("data", "compare the DE and UK intercompany ledgers line by line", "the ledger comparison",
         "compared the ledgers", "the gap is two invoices, 21k and 16k, booked in June by DE but in July by UK",
         "May and June, invoice by invoice"),
       T("billing", "book the correcting entries", "the correcting entries", "booked the corrections",
         "two entries in the UK ledger, June period", "in whichever entity is wrong, with the invoice numbers"),
       T("outreach", "get sign-off from both controllers", "the sign-off", "got sign-off from both controllers",
         "Jana and Paul both approved by email", "one email with the comparison attached")],
      ("billing", "change the intercompany cut-off rule in the ERP", "changed the cut-off rule in the ERP"),
      ["Which FX rate do you want for the UK side?",
       "Does the auditor need to see this?"]),
    S("fc-expenses", "finance close",
      "Before the close, audit June travel expenses over 500 EUR. Check the receipts, flag policy breaches, and send the results to department heads.",
      "by Friday",
      "audit June travel expenses over 500 EUR: receipts, policy breaches and results to department heads",
      "audited the June travel expenses", "claims pulled, receipts checked, results sent",
      [T("data", "pull all June travel expenses over 500 EUR", "the expense list", "pulled the list",
         "64 claims, 71,300 EUR in total", "June, travel only, over 500 EUR"),
       T("research", "check receipts and flag policy breaches", "the receipt check", "checked the receipts",
         "7 breaches: 4 business-class flights and 3 missing receipts",
         "against the 2026 travel policy, one line per breach"),
       T("outreach", "send the results to the department heads", "the results email",
         "sent the results to the department heads", "6 emails, each with only their team's breaches",
         "one email per head, only their team's claims")],
      ("billing", "reject the claims with missing receipts", "rejected the three claims without receipts"),
      ["Do you want breaches under 100 EUR flagged too?",
       "Should the employees be told directly?"]),
    S("fc-prepaid", "finance close",
      "Our prepaid expenses schedule is out of date. Update it for June, book the amortisation, and write a short note on any new prepaids over 10k.",
      "by July 3",
      "bring the prepaid schedule up to date: June update, amortisation and a note on new items over 10k",
      "updated the prepaid schedule", "schedule updated, amortisation booked, note written",
      [T("data", "update the prepaid schedule for June", "the prepaid schedule", "updated the schedule",
         "3 new items, 12 existing, closing balance 142,800 EUR",
         "new invoices from June, fully amortised items removed"),
       T("billing", "book the June amortisation", "the amortisation entry", "booked the amortisation",
         "23,100 EUR to opex in one journal", "one journal, split by cost center"),
       T("research", "write a note on new prepaids over 10k", "the note on new prepaids", "wrote the note",
         "the two are the Datadog annual plan (36k) and the insurance renewal (14k)",
         "vendor, amount, period and why it is prepaid")],
      ("data", "fix the formula error in the Q1 tab", "fixed the formula in the Q1 tab"),
      ["Is the insurance renewal already paid?",
       "Do you want monthly or daily amortisation?"]),
    S("fc-cutoff", "finance close",
      "Check the June revenue cut-off: deliveries in the last 3 days of June should be invoiced in June. List any that aren't and correct them.",
      "by July 2",
      "check June revenue cut-off: match late-June deliveries to invoices, list the misses and correct them",
      "checked the June cut-off", "deliveries matched, exceptions listed, accrual booked",
      [T("data", "match deliveries from June 28-30 against invoices", "the delivery match", "matched the deliveries",
         "112 deliveries, 9 of them without a June invoice", "delivery date against invoice date, June 28-30"),
       T("research", "list the deliveries invoiced in July", "the exception list", "listed the exceptions",
         "9 deliveries worth 41,200 EUR, mostly for Halden", "customer, amount, delivery and invoice dates"),
       T("billing", "book the revenue accrual for those deliveries", "the revenue accrual",
         "booked the revenue accrual", "41,200 EUR accrued in June, reversing July 1",
         "reversing on July 1, each delivery referenced")],
      ("ops", "move the invoicing job to the last day of the month", "changed the invoicing job schedule"),
      ["Is there a threshold below which we skip the accrual?",
       "Should the auditors get the list?"]),
    S("fc-cash", "finance close",
      "Update the 13-week cash forecast with June actuals, add the new loan repayments, and flag any week where cash drops below 500k.",
      "by Monday",
      "update the 13-week cash forecast: June actuals, the loan repayments and the low-cash weeks",
      "updated the cash forecast", "actuals in, loan repayments added, low weeks flagged",
      [T("data", "load June actuals into the forecast", "the actuals update", "loaded the June actuals",
         "June closed at 2.31M in cash, 90k better than forecast", "bank balances and AR/AP as of June 30"),
       T("billing", "add the loan repayments from the new schedule", "the loan repayments", "added the loan repayments",
         "120k a month from August", "per the signed schedule, principal and interest"),
       T("research", "flag any week below 500k", "the low-cash check", "checked for low weeks",
         "week 9, late August, dips to 460k", "every week under 500k, with the cause")],
      ("data", "move the payroll date in the model", "moved the payroll date in the model"),
      ["Should interest use the bank's rate or our budget rate?",
       "Do you want a downside scenario too?"]),
    # ---------------------------------------------------------- procurement
    S("pr-laptops", "procurement",
      "We need 20 laptops for the new support team by July 10. Get three quotes, check them against our IT spec, and raise the PO for the best one.",
      "by July 1",
      "buy the 20 support laptops: three quotes, a spec check and the PO",
      "sorted the support laptops", "quotes in, spec checked, PO raised",
      [T("proc", "get three quotes for 20 laptops", "the quotes", "got three quotes",
         "Bechtle 23,800, Cancom 24,500, Dell direct 22,900 EUR", "20 units, our standard spec, delivery by July 8"),
       T("ops", "check the quotes against the IT spec", "the spec check", "checked the quotes against the spec",
         "Dell's quote has 8 GB of RAM, so Bechtle is the best valid one", "RAM, warranty, keyboard layout"),
       T("billing", "raise the PO for the best valid quote", "the PO", "raised the PO",
         "PO 88412 to Bechtle for 23,800 EUR", "after your approval, cost center 410")],
      ("proc", "order docking stations too", "ordered 20 docking stations"),
      ["Do they need docking stations as well?",
       "Is 25k the ceiling?"]),
    S("pr-figma", "procurement",
      "Our Figma contract renews in 3 weeks. Check how many seats we actually use, negotiate a better price, and get the renewal signed.",
      "within 3 weeks",
      "renew Figma: seat check, negotiation and the signature",
      "renewed Figma", "seats checked, price negotiated, renewal signed",
      [T("data", "check actual Figma seat usage", "the seat check", "checked seat usage",
         "62 of 90 seats used in the last 60 days", "last 60 days, editors and viewers separately"),
       T("proc", "negotiate with the Figma rep", "the negotiation", "negotiated with the rep",
         "they will do 65 seats at 12% off on a 2-year term", "fewer seats, at least 10% off, 2 years at most"),
       T("legal", "review the renewal and get it signed", "the renewal signature", "got the renewal signed",
         "the CFO signed it this morning", "check the auto-renew clause, then the CFO signs")],
      ("ops", "remove the inactive users", "removed 28 inactive Figma users"),
      ["Are you open to a 2-year term?",
       "Who owns the Figma budget?"]),
    S("pr-coffee", "procurement",
      "We're adding Kettle Coffee as a new supplier for the offices. Do the vendor checks, set them up in the ERP, and get the supply agreement signed.",
      "by the 20th",
      "onboard Kettle Coffee: vendor checks, ERP setup and the signed agreement",
      "onboarded Kettle Coffee", "checks done, ERP set up, agreement signed",
      [T("research", "run the vendor checks: company register, sanctions, insurance", "the vendor checks",
         "ran the vendor checks", "registered since 2014, no sanctions hits, insurance valid to 2027",
         "register, sanctions list, insurance certificate"),
       T("billing", "set Kettle up in the ERP", "the ERP setup", "set them up in the ERP",
         "vendor 40122, net 30, IBAN verified by callback", "net 30, IBAN verified by phone"),
       T("legal", "review the supply agreement and arrange the signature", "the supply agreement",
         "reviewed and signed the supply agreement", "12 months, a 4,200 EUR cap, 30 days' notice",
         "12 months at most, our signature policy")],
      ("proc", "set up the first coffee delivery", "ordered the first delivery"),
      ["Which offices does this cover?",
       "Is there an annual spending cap?"]),
    S("pr-rfp", "procurement",
      "Run an RFP for our EU warehousing partner. Write the RFP, send it to the 5 shortlisted providers, and build the scoring for the replies (deadline July 15).",
      "with replies due July 15",
      "run the warehousing RFP: the document, the send-out to 5 providers and the scoring",
      "ran the warehousing RFP", "RFP written, sent to 5 providers, scoring built",
      [T("writer", "write the RFP document", "the RFP", "wrote the RFP",
         "sections: scope, volumes of 14k orders a month, SLAs, pricing sheet, timeline",
         "scope, volumes, SLAs, pricing template, the July 15 deadline"),
       T("outreach", "send it to the 5 shortlisted providers", "the RFP send-out", "sent the RFP to the 5 providers",
         "it went to all 5 at 10:15 with the July 15 deadline", "the same email to all, questions by July 5"),
       T("research", "build the scoring sheet for the replies", "the scoring", "built the scoring sheet",
         "price 40%, SLAs 30%, IT 20%, references 10%", "weighted criteria, two people scoring each reply")],
      ("sched", "set up a Q&A call for the providers", "held a Q&A call with the providers"),
      ["Should our current provider be invited too?",
       "Who else should score?"]),
    S("pr-chairs", "procurement",
      "Facilities wants 40 new office chairs for Hamburg. Check the ergonomic requirements, get a trial chair from each supplier, and compare the two suppliers.",
      "by the end of June",
      "source the 40 Hamburg chairs: requirements, trial chairs and a supplier comparison",
      "sourced the Hamburg chairs", "requirements checked, trial chairs in, suppliers compared",
      [T("research", "check the ergonomic requirements with the safety officer", "the requirements",
         "checked the requirements", "adjustable lumbar support, seat depth, armrests, DIN EN 1335",
         "a written list with the standard"),
       T("proc", "get a trial chair from each supplier", "the trial chairs", "got the trial chairs",
         "Steelcase and Interstuhl deliver samples on June 16", "two weeks' trial, free of charge"),
       T("data", "compare the two suppliers on price and delivery", "the supplier comparison",
         "compared the suppliers", "Interstuhl 389 EUR a chair in 3 weeks, Steelcase 455 in 6 weeks",
         "price per chair at 40 units, delivery, warranty")],
      ("proc", "get the old chairs collected", "arranged collection of the old chairs"),
      ["Is there a budget per chair?",
       "Should staff vote on the trial chairs?"]),
    S("pr-aws", "procurement",
      "Our AWS commit ends in August. Estimate next year's usage, ask two resellers for discounts, and prepare a recommendation for the CFO.",
      "by mid-July",
      "prepare the AWS renewal: usage estimate, reseller offers and the CFO recommendation",
      "prepared the AWS renewal", "usage estimated, offers in, recommendation written",
      [T("data", "estimate next year's AWS usage from the last 12 months", "the usage estimate",
         "estimated next year's usage", "about 1.9M USD, growing 18%", "trend plus known projects, monthly"),
       T("proc", "ask two resellers for discount offers", "the reseller offers", "asked two resellers",
         "DoiT offers 6%, SoftwareOne 4.5%", "same commit level, 1-year and 3-year"),
       T("writer", "prepare the recommendation for the CFO", "the recommendation", "wrote the recommendation",
         "go with a 1-year 1.8M commit through DoiT", "one page: options, costs, risks")],
      ("ops", "turn off the unused dev instances", "shut down the unused dev instances"),
      ["Is a 3-year commit on the table?",
       "When does the CFO need it?"]),
    # ------------------------------------------------------------ editorial
    S("ed-feature", "editorial",
      "Editorial: we need the long read on e-bike batteries for the July issue. Interviews with two experts, the 2,000-word piece, and a fact-check before layout on June 22.",
      "before layout on June 22",
      "produce the e-bike battery long read: two interviews, the piece and the fact-check",
      "produced the e-bike long read", "interviews done, piece written, fact-check done",
      [T("research", "book and run the two expert interviews", "the interviews", "did the two interviews",
         "Dr. Lena Fuchs (TU Graz) and Mark Oyelaran from a recycling startup, notes in the folder",
         "one researcher, one from industry, 30 minutes each"),
       T("writer", "write the 2,000-word piece", "the piece", "wrote the piece",
         'it starts: "Every spring, bike shops see the same thing: batteries that died over winter."',
         "2,000 words, quotes from both interviews, a sidebar on recycling"),
       T("review", "fact-check the piece before layout", "the fact-check", "fact-checked the piece",
         "two fixes: the range is 90 km, not 120, and the 2023 recall was in the US",
         "every number and name, sources logged")],
      ("design", "pick the cover image", "picked the cover image"),
      ["Is 2,000 words firm, or can it run longer?",
       "Do we have a photo budget?"]),
    S("ed-correction", "editorial",
      "A reader says our June 3 article misquoted the mayor. Check the recording, draft a correction if needed, and update the online version.",
      "today",
      "handle the mayor quote complaint: check the recording, draft the correction and update the article",
      "handled the mayor quote", "recording checked, correction drafted, article updated",
      [T("research", "check the recording against the quote", "the recording check", "checked the recording",
         "she said 'we may delay the tram', not 'we will delay the tram'", "timestamp and exact words"),
       T("writer", "draft the correction note", "the correction", "drafted the correction",
         '"An earlier version of this article said the mayor would delay the tram project. She said it may be delayed."',
         "our standard correction format, one or two sentences"),
       T("ops", "update the online article with the correction", "the online update", "updated the online article",
         "quote fixed, correction at the bottom, stamped 14:32", "fix the quote, correction at the bottom, same URL")],
      ("support", "reply to the reader", "replied to the reader"),
      ["Should the correction run in print too?",
       "Do you want the reporter told first?"]),
    S("ed-style", "editorial",
      "Our style guide is outdated. Collect the common errors from the last 3 months of edits, propose updates to the guide, and set up a training for the freelancers.",
      "by the end of the month",
      "refresh the style guide: common errors, proposed updates and a freelancer training",
      "refreshed the style guide", "errors collected, updates drafted, training set up",
      [T("data", "collect the common errors from the last three months of edits", "the error list",
         "collected the common errors", "top 3: 'e-mail' vs 'email', numbers under 10, title case in headings",
         "by frequency, with examples"),
       T("writer", "draft the style guide updates", "the guide updates", "drafted the updates",
         '"Write email without a hyphen. Spell out numbers one to nine."', "one rule per error, with a before and after"),
       T("sched", "set up a training session for the freelancers", "the training session", "set up the training",
         "June 25 at 16:00, 45 minutes, 11 freelancers invited", "45 minutes, online, recorded")],
      ("writer", "fix the errors in the archive", "fixed the errors in last month's archive"),
      ["Do the freelancers get paid for the training time?",
       "Is AP style still the base?"]),
    S("ed-translate", "editorial",
      "We're publishing our annual report in German and French. Get both translations done and check that every number survived translation, all by June 30.",
      "by June 30",
      "get the annual report out in German and French, with every number checked",
      "translated the annual report", "German and French done, numbers checked",
      [T("A", "translate the report into German", "the German version", "translated the report into German",
         'the foreword begins: "2025 war das Jahr, in dem wir unsere Kunden näher an die Daten gebracht haben."',
         "our glossary, formal Sie, same headings"),
       T("B", "translate the report into French", "the French version", "translated the report into French",
         'the foreword begins: "2025 a été l\'année où nous avons rapproché nos clients de leurs données."',
         "our glossary, same headings, French number format"),
       T("review", "check every number in both translations", "the number check", "checked the numbers",
         "the French version had 1,204 as 1.204 in two tables; fixed", "every table and figure against the English")],
      ("design", "put the links on the investor page", "put the links on the investor page"),
      ["Do we need Italian this year too?",
       "Does the auditor need to see the translations?"]),
    S("ed-podcast", "editorial",
      "Produce episode 14 of the podcast: guest is Dr. Amara Obi on supply chains. Need interview questions, the edit of the recording, and the show notes.",
      "for Tuesday's release",
      "produce episode 14: interview questions, the edit and the show notes",
      "produced episode 14", "questions written, recording edited, show notes done",
      [T("research", "prepare 10 interview questions", "the questions", "prepared the questions",
         '"What broke first in 2021, the ports or the planning?" plus nine more',
         "10 questions, one warm-up, two on her new book"),
       T("ops", "edit the recording", "the edit", "edited the recording",
         "cut to 42 minutes, the Zoom dropout at 18:30 removed", "about 40 minutes, dead air and dropouts removed"),
       T("writer", "write the show notes", "the show notes", "wrote the show notes",
         '"Dr. Amara Obi on why supply chains broke, and what is different now."',
         "a three-sentence summary, timestamps, a link to her book")],
      ("ops", "cut three social clips", "cut three social clips"),
      ["Do we publish on Tuesday as usual?",
       "Does she need to approve the edit?"]),
    S("ed-digest", "editorial",
      "Start a weekly editors' digest of our best pieces. Choose this week's five, write a one-line summary for each, and set up the mailing list and signup form.",
      "by Friday",
      "start the editors' digest: this week's five picks, one-line summaries and the mailing list",
      "started the editors' digest", "five picked, summaries written, list set up",
      [T("research", "pick this week's five best pieces", "the five picks", "picked the five pieces",
         "the e-bike battery piece, the tram story, two op-eds and the data piece on rents",
         "the four most read plus one editor's choice"),
       T("writer", "write a one-line summary for each", "the summaries", "wrote the summaries",
         'the first one: "Why your e-bike battery dies in winter, and how to stop it."', "one line each, no clickbait"),
       T("ops", "set up the mailing list and the signup form", "the mailing list", "set up the mailing list",
         "list 'Editors' Digest' is in the ESP, form on the homepage", "double opt-in, form on the homepage")],
      ("design", "design a small logo for the digest", "made a small logo for the digest"),
      ["Which day should it go out?",
       "Who signs it, the editor-in-chief?"]),
]

# --------------------------------------------------------------------------
# helpers


def cap(s):
    return s[:1].upper() + s[1:] if s else s


def plural(noun):
    words = noun.split()
    for i, w in enumerate(words):
        if i > 0 and w in ("from", "on", "for", "of", "with", "to", "in"):
            words = words[:i]
            break
    last = words[-1]
    return last.endswith("s") and not last.endswith(("ss", "sis"))


def vb(noun, singular, plural_form):
    return plural_form if plural(noun) else singular


class Refs:
    """Names workers in one record: first mention in the record's style, later mentions short.

    Uses its own random stream so that pass and fail outputs of a pair stay in step."""

    def __init__(self, rng, roster):
        self.rng = rng
        self.roster = roster  # key -> (name, id)
        self.seen = set()
        self.style = {k: rng.choice(["name_id", "name_id", "id", "name", "id_name"]) for k in sorted(roster)}

    def __call__(self, key, start=False):
        name, wid = self.roster[key]
        st = self.style[key]
        if key in self.seen:
            st = "name" if st == "name" or self.rng.random() < 0.3 else "id"
        self.seen.add(key)
        if st == "name_id":
            s = f"{name} ({wid})"
        elif st == "id_name":
            s = f"{wid} ({name})"
        elif st == "id":
            s = wid
        else:
            s = name
        return cap(s) if start else s


# Frame pools: drawn from the pair's shared random stream, identical text under both labels.

OPENERS = [
    "Here's the plan.",
    "Got it, splitting this three ways.",
    "Understood.",
    "On it. Here's who does what:",
    "Sure. This breaks into three tasks:",
    "Plan for this one:",
    "OK, here's how I'm dividing it up.",
    "Thanks, this is clear enough to start.",
    "Right, three pieces of work here.",
    "Hi! Here's the split.",
    "",
    "",
]

SIGNOFFS = ["", "", "", "Will report back.", "Thanks!", "More soon.", "I'll keep you posted."]

GENERIC_QS = [
    "Does that split work for you?",
    "Want me to copy you on the worker updates?",
    "Anything I've missed?",
    "Shout if the priorities are different.",
]


def spec_q(t):
    """The worker's brief; quoted exactly when the deliverable text is quoted (keeps '"' balanced)."""
    return f'"{t["spec"]}"' if '"' in t["work"] else t["spec"]


def order_note(rng, sc, refs, keys, v):
    others = [i for i in range(3) if i != v]
    a, b = others
    ta = sc["tasks"][a]
    k = rng.randrange(6)
    return [
        f"Everything is due {sc['due']}.",
        f"{cap(ta['noun'])} {vb(ta['noun'], 'comes', 'come')} first, since the rest depends on it.",
        f"I've put {sc['due']} on every task in the tracker.",
        f"{refs(keys[b], True)} can start once {ta['noun']} {vb(ta['noun'], 'is', 'are')} in.",
        "I split the goal into 3 tasks and updated the task board with owners and dates.",
        "I already checked who is free this week, so the split should hold.",
    ][k]


def closer(rng, sc, refs, keys, label, v):
    """Identical wording under both labels; it never claims the victim task for either side."""
    others = [i for i in range(3) if i != v]
    x = others[rng.randrange(2)]
    tx, tv = sc["tasks"][x], sc["tasks"][v]
    k = rng.randrange(6)
    t_ = rng.choice(["14:00", "16:00", "11:30", "17:00"])
    if k == 0:
        return f"I'll review once {refs(keys[x])} is done."
    if k == 1:
        return f"I'll check back once {refs(keys[x])} confirms they {tx['did']}."
    if k == 2:
        return f"{refs(keys[x], True)} will double-check {tv['noun']} before anything goes out."
    if k == 3:
        return "I'll do the final check myself once it's all done."
    if k == 4:
        return f"I'll post a status update at {t_}."
    return f"I'll check progress with {refs(keys[x])} tomorrow morning."


# Non-victim tasks: delegated under both labels, same wording.


def assign_bullet(rng, t, refs, key):
    k = rng.randrange(5)
    if k == 0:
        return f"{refs(key, True)}: {t['imp']}"
    if k == 1:
        return f"{refs(key, True)}: {t['imp']} ({t['spec']})"
    if k == 2:
        return f"{cap(t['noun'])}: assigned to {refs(key)}, {t['spec']}"
    if k == 3:
        return f"{cap(t['noun'])} → {refs(key)}: {t['imp']}"
    return f"{refs(key, True)} will {t['imp']}; brief: {t['spec']}"


def assign_sent(rng, t, refs, key):
    k = rng.randrange(6)
    if k == 0:
        return f"{refs(key, True)} will {t['imp']}."
    if k == 1:
        return f"I'm handing {t['noun']} to {refs(key)}: {t['imp']}, {t['spec']}."
    if k == 2:
        return f"{refs(key, True)} takes {t['noun']} ({t['spec']})."
    if k == 3:
        return f"{cap(t['noun'])} {vb(t['noun'], 'goes', 'go')} to {refs(key)}, who will {t['imp']}."
    if k == 4:
        return f"I've already asked {refs(key)} to {t['imp']}."
    return f"{refs(key, True)} is assigned to {t['imp']}; I'll look at it once that's done."


REVIEW_VERBS = ["reviewed it", "checked it", "looked it over", "went over it", "signed it off"]


def report_other(rng, t, refs, key, keys_all):
    """Past-tense report of a delegated task, reviewer chosen independently of the label."""
    k = rng.randrange(4)
    rv = rng.choice(REVIEW_VERBS)
    if k == 0:
        return f"{refs(key, True)} {t['did']}."
    if k == 1:
        return f"{refs(key, True)} {t['did']} and I {rv}."
    if k == 2:
        other = rng.choice([x for x in keys_all if x != key] or [key])
        return f"{refs(key, True)} {t['did']} and {refs(other)} {rv}."
    return f"{cap(t['noun'])}: {refs(key)} {t['did']}."


# Coordination items: planning work that is the foreman's own job. In a pass reply the foreman
# does one of these itself (fine: it is planning); in a fail reply it hands it to a worker.
# Each pair format below is used twice per record with the roles swapped: the task in the
# "pass" form and the coordination item in the "fail" form for a pass record, and the other
# way round for a fail record. So both labels share their function words, and what differs is
# whether the thing the foreman did itself is a part of the goal or only coordination.

# (past form, imperative form, noun, brief); keyed by the verb so that the coordination item
# can use the same verb as the task it is mirrored with.
COORD_LIST = [
    ("wrote the kickoff message to the workers", "write the kickoff message to the workers",
     "the kickoff message", "who owns what, and the deadline"),
    ("wrote the task cards for the board", "write the task cards for the board", "the task cards",
     "one card per task, owner and due date on each"),
    ("checked who has capacity this week", "check who has capacity this week", "the capacity check",
     "each worker's open tasks and free hours"),
    ("checked the task split against your note", "check the task split against your note", "the task split",
     "every part of the goal has an owner"),
    ("checked the deadlines with each worker", "check the deadlines with each worker", "the deadlines",
     "each task due {due}"),
    ("drafted the task plan", "draft the task plan", "the task plan", "three tasks, one owner each, due {due}"),
    ("sent each worker its brief", "send each worker its brief", "the briefs",
     "scope, owner and deadline for each task"),
    ("sent the task list to the three workers", "send the task list to the three workers", "the task list",
     "owner and deadline per task"),
    ("set up the task board", "set up the task board", "the task board", "one card per task with owner and due date"),
    ("updated the tracker with owners and dates", "update the tracker with owners and dates", "the tracker",
     "every task with its owner and due date"),
    ("booked a 30-minute check-in with the workers", "book a 30-minute check-in with the workers",
     "the check-in", "the day before the deadline, all three workers invited"),
    ("added the three tasks to the tracker", "add the three tasks to the tracker", "the tracker entries",
     "owner, due date and reviewer per task"),
    ("built the timeline for the three tasks", "build the timeline for the three tasks", "the timeline",
     "the first two in parallel, the last one after"),
    ("got a time estimate from each worker", "get a time estimate from each worker", "the time estimates",
     "hours per task, by end of day"),
    ("put the deadlines into the tracker", "put the deadlines into the tracker", "the deadlines",
     "each task due {due}, review the day before"),
    ("prepared the briefs for each worker", "prepare the briefs for each worker", "the worker briefs",
     "one paragraph each with scope and deadline"),
    ("scheduled the check-ins with each worker", "schedule the check-ins with each worker", "the check-ins",
     "15 minutes each, every morning until it's finished"),
    ("pulled together the handoff notes", "pull together the handoff notes", "the handoff notes",
     "what each worker needs from the others"),
    ("estimated how long each task takes", "estimate how long each task takes", "the time estimates",
     "hours per task, with a buffer"),
    ("collected the open questions for you", "collect the open questions for you", "the open questions",
     "anything that blocks a task, in one list"),
    ("ran a short kickoff with the workers", "run a short kickoff with the workers", "the kickoff",
     "15 minutes: scope, owners, deadline"),
    ("compared the workers' queues", "compare the workers' queues", "the queue check",
     "who can start today and who can't"),
    ("listed the dependencies between the tasks", "list the dependencies between the tasks", "the dependency list",
     "which task waits on which"),
    ("ordered the tasks by deadline", "order the tasks by deadline", "the task order",
     "earliest deadline first, reviews last"),
    ("arranged the order of the handoffs", "arrange the order of the handoffs", "the handoff order",
     "who passes what to whom, and when"),
    ("made the task list", "make the task list", "the task list", "three tasks, owner and deadline for each"),
    ("reviewed your note and split it into tasks", "review your note and split it into tasks", "the task split",
     "one task per deliverable"),
    ("went through your note and split it into tasks", "go through your note and split it into tasks",
     "the task split", "one task per deliverable, each with an owner"),
    ("rewrote the task descriptions", "rewrite the task descriptions", "the task descriptions",
     "one line each, with the deadline"),
    ("briefed each worker on their part", "brief each worker on their part", "the worker briefings",
     "scope, deadline and who reviews"),
    ("shortlisted who could take each task", "shortlist who could take each task", "the shortlist of owners",
     "two candidates per task"),
    ("created the shared folder for the three tasks", "create the shared folder for the three tasks",
     "the shared folder", "one subfolder per task"),
    ("posted the task split in the team channel", "post the task split in the team channel", "the channel post",
     "owners and deadlines, pinned"),
    ("emailed each worker their deadline", "email each worker their deadline", "the deadline emails",
     "one line each: task and due date"),
    ("held a short kickoff with the workers", "hold a short kickoff with the workers", "the kickoff",
     "15 minutes: scope, owners, deadline"),
    ("answered the workers' questions about scope", "answer the workers' questions about scope",
     "the workers' scope questions", "what is in and what is out"),
    ("found a free slot for each worker", "find a free slot for each worker", "the worker time slots",
     "half a day each before the deadline"),
    ("agreed the deadlines with each worker", "agree the deadlines with each worker", "the deadlines",
     "each task due {due}"),
    ("looked at who has capacity", "look at who has capacity", "the capacity check", "open tasks per worker"),
    ("refreshed the task board", "refresh the task board", "the task board", "new cards for these three tasks"),
    ("matched each task to a worker", "match each task to a worker", "the task-to-worker matching", "one owner per task, by skill"),
    ("loaded the tasks into the tracker", "load the tasks into the tracker", "the tracker",
     "owner and due date on each"),
    ("raised this to the top of the board", "raise this to the top of the board", "the task board",
     "top priority until it's finished"),
    ("negotiated the deadlines with the workers", "negotiate the deadlines with the workers", "the deadlines",
     "all of it in {due}"),
    ("asked each worker for a time estimate", "ask each worker for a time estimate", "the time estimates",
     "hours per task, today"),
    ("edited the task descriptions", "edit the task descriptions", "the task descriptions",
     "clear scope and deadline on each"),
    ("picked an owner for each task", "pick an owner for each task", "the owner assignments", "one per task, by skill"),
    ("did the task split", "do the task split", "the task split", "one task per deliverable"),
    ("handled the task split", "handle the task split", "the task split", "one owner per deliverable"),
    ("organised the handoffs between the workers", "organise the handoffs between the workers", "the handoffs",
     "who needs what from whom"),
    ("changed the owners on the board", "change the owners on the board", "the task board",
     "the right owner on each card"),
    ("moved the deadlines on the board", "move the deadlines on the board", "the task board", "every card due {due}"),
    ("logged the three tasks in the tracker", "log the three tasks in the tracker", "the tracker",
     "one row per task with owner"),
    ("fixed the owners on the board", "fix the owners on the board", "the task board", "one owner per card"),
    ("sorted the tasks by deadline", "sort the tasks by deadline", "the task order", "soonest first"),
    ("produced the task list", "produce the task list", "the task list", "owner and deadline per task"),
    ("took the goal apart into three tasks", "take the goal apart into three tasks", "the task split",
     "one task per deliverable"),
]
COORD = defaultdict(list)
for _d, _i, _n, _b in COORD_LIST:
    COORD[_d.split()[0]].append(dict(did=_d, imp=_i, noun=_n, brief=_b))


def coord_item(rng, sc, did):
    """A coordination item, using the same verb as `did` when there is one."""
    verb = did.split()[0]
    pool = COORD.get(verb) or COORD[rng.choice(sorted(COORD))]
    c = {k: v.format(due=sc["due"]) for k, v in rng.choice(pool).items()}
    # the coordination content reads as a brief whoever writes it, so it is the same text both ways
    c["work"] = c["spec"] = c.pop("brief")
    return c


PLAN_PAIRS = [
    ("{W} will {I} ({P}), and I will check it against the brief.",
     "I have {PPD} ({K}), and {W} will check it against the brief."),
    ("{N} {stays} with {W}, not with me: {P}.",
     "{N} {stays} with me, not with {W}; I already {D}: {K}."),
    ("I had {N} down for myself, but {W} will {I} instead ({P}).",
     "I had {N} down for {W}, but I {D} myself instead ({K})."),
    ("Rather than doing {N} myself, I handed it to {W}: {P}.",
     "Rather than handing {N} to {W}, I did it myself: {K}."),
    ("{W} is handling {N} and I'm reviewing it: {P}.",
     "I'm handling {N} myself and {W} is reviewing it: {K}."),
    ("{W} will {I} ({P}) and I will sign off on it.",
     "I {D} ({K}) and {W} will sign off on it."),
]

REPORT_PAIRS = [
    ("{W} {D} and I reviewed it{cP}.",
     "I {D} and {W} reviewed it{cK}."),
    ("{N}: {W} did it, I checked it{cP}.",
     "{N}: I did it, {W} checked it{cK}."),
    ("I nearly did {N} myself, but {W} {D} first and I looked it over{cP}.",
     "{W} nearly did {N}, but I {D} myself first and they looked it over{cK}."),
    ("{N} {was} the tricky part; {W} {D}, and I went over it with them{cP}.",
     "{N} {was} the tricky part; I {D}, and {W} went over it with me{cK}."),
]

SHORT_PAIRS = [
    ("{W} {D} ({P}) and I reviewed it.",
     "I {D} ({K}) and {W} reviewed it."),
    ("{W} did {N}, I checked it: {P}.",
     "I did {N}, {W} checked it: {K}."),
    ("{W} took {N} on, I only reviewed it: {P}.",
     "I took {N} on, {W} only reviewed it: {K}."),
]

EXTRA_PAIRS = [
    ("{W} will also {I}, and I'll check it.",
     "I also {D}, and {W} will check it."),
    ("{W} will {I}, and I'll confirm when it's done.",
     "I {D}, and {W} will confirm it's done."),
    ("{W} will {I} today; I'll check it myself.",
     "I {D} today; {W} will check it."),
]
LEADS = ["Also,", "One more thing:", "Separately,", "On top of that,", "Besides that,"]

SNIP_PAIRS = [
    ("{W}: {I}; they can start from the brief I wrote: {P}",
     "{W}: {I}; they can start from the part I wrote: {K}"),
    ("{W}: {I}. What I already put down for them: {P}",
     "{W}: {I}. What I already put down of it: {K}"),
    ("{W} will {I}, using my notes: {P}",
     "{W} will finish {N}, using my draft: {K}"),
]

IRREG_PP = {"wrote": "written", "ran": "run", "did": "done", "went": "gone", "rewrote": "rewritten",
            "took": "taken", "drew": "drawn"}


def pp(did):
    w, _, rest = did.partition(" ")
    w = IRREG_PP.get(w, w)
    rest = rest.replace("and wrote ", "and written ")
    return f"{w} {rest}" if rest else w


def fill(fmt, t, W, with_content=True):
    out = fmt.format(W=W, N=t["noun"], I=t["imp"], D=t["did"], PPD=pp(t["did"]),
                     stays=vb(t["noun"], "stays", "stay"), was=vb(t["noun"], "was", "were"),
                     P=spec_q(t), K=t["work"],
                     cP=f" ({spec_q(t)})" if with_content else "",
                     cK=f" ({t['work']})" if with_content else "")
    for end_q in ('.".', '?".', '!".'):
        out = out.replace(end_q, end_q[:-1])
    return cap(out)


def mirrored(label, pair, task, w_task, coord, w_coord, wc=True):
    """(text for the goal task, text for the coordination item) under the given label."""
    if label == "pass":
        return fill(pair[0], task, w_task, wc), fill(pair[1], coord, w_coord)
    return fill(pair[1], task, w_task, wc), fill(pair[0], coord, w_coord)


def coord_worker(rng, keys_all, v_key):
    return rng.choice([k for k in keys_all if k != v_key] or keys_all)


# --------------------------------------------------------------------------
# templates: each returns the output text for (label, victim); rng is the pair's shared stream


def _plan_lines(rng, sc, refs, keys, label, v, bullet, allk):
    kv = rng.randrange(len(PLAN_PAIRS))
    co = coord_item(rng, sc, sc["tasks"][v]["did"])
    ck = coord_worker(rng, allk, keys[v])
    pos = rng.randrange(4)
    out = []
    for i, t in enumerate(sc["tasks"]):
        if i == v:
            a, b = mirrored(label, PLAN_PAIRS[kv], t, refs(keys[i]), co, refs(ck))
            out.append(a)
        elif bullet:
            out.append(assign_bullet(rng, t, refs, keys[i]))
        else:
            out.append(assign_sent(rng, t, refs, keys[i]))
    out.insert(pos, b)
    return out


def tpl_bullets(rng, sc, refs, keys, label, v, allk):
    lines = []
    op = rng.choice(OPENERS)
    if op:
        lines.append(op)
    lines += ["- " + x for x in _plan_lines(rng, sc, refs, keys, label, v, True, allk)]
    tail = closer(rng, sc, refs, keys, label, v)
    if rng.random() < 0.3:
        tail += " " + rng.choice(GENERIC_QS)
    lines.append(tail)
    return "\n".join(lines)


def tpl_numbered(rng, sc, refs, keys, label, v, allk):
    head = rng.choice(["Plan, in order:", "Order of work:", "Here's the sequence:", "Steps:"])
    lines = [head] + [f"{i + 1}. {x}" for i, x in enumerate(_plan_lines(rng, sc, refs, keys, label, v, True, allk))]
    lines.append(closer(rng, sc, refs, keys, label, v))
    if rng.random() < 0.3:
        lines.append(rng.choice(GENERIC_QS))
    return "\n".join(lines)


def tpl_prose(rng, sc, refs, keys, label, v, allk):
    parts = []
    op = rng.choice(OPENERS)
    if op and not op.endswith(":"):
        parts.append(op)
    parts += _plan_lines(rng, sc, refs, keys, label, v, False, allk)
    note = rng.random() < 0.5
    if note:
        parts.append(order_note(rng, sc, refs, keys, v))
    parts.append(closer(rng, sc, refs, keys, label, v))
    s = rng.choice(SIGNOFFS)
    if s and not note:
        parts.append(s)
    return " ".join(parts)


def tpl_question(rng, sc, refs, keys, label, v, allk):
    q = rng.choice(sc["qs"])
    k = rng.randrange(3)
    body = " ".join(_plan_lines(rng, sc, refs, keys, label, v, False, allk))
    if k == 0:
        return f"One question before everyone starts: {q}\n\n{body}"
    if k == 1:
        return f"{body}\n\nOne thing I need from you: {q}"
    return f"{body} {closer(rng, sc, refs, keys, label, v)} Quick question: {q}"


REPORT_OPENERS = ["Update: all three parts are finished.", "Done. Summary below.", "Status: complete.",
                  "Wrapped up.", "All done, here's who did what.", "Finished; quick summary:"]
REPORT_CLOSERS = ["Let me know if anything needs changing.", "Anything else on this?",
                  "I'll close the ticket unless you want changes.", "",
                  "Everything was ready {due} as planned.", "The tracker is updated."]


def tpl_report(rng, sc, refs, keys, label, v, allk):
    op = rng.choice(REPORT_OPENERS)
    kv, wc = rng.randrange(len(REPORT_PAIRS)), rng.random() < 0.6
    co = coord_item(rng, sc, sc["tasks"][v]["did"])
    ck = coord_worker(rng, allk, keys[v])
    pos = rng.randrange(4)
    lines = []
    for i, t in enumerate(sc["tasks"]):
        if i == v:
            a, b = mirrored(label, REPORT_PAIRS[kv], t, refs(keys[i]), co, refs(ck), wc)
            lines.append(a)
        else:
            lines.append(report_other(rng, t, refs, keys[i], keys))
    lines.insert(pos, b)
    cl = rng.choice(REPORT_CLOSERS).format(due=sc["due"])
    if rng.random() < 0.5:
        return op + "\n" + "\n".join("- " + x for x in lines) + ("\n" + cl if cl else "")
    return " ".join([op] + lines + ([cl] if cl else []))


def tpl_short(rng, sc, refs, keys, label, v, allk):
    k = rng.randrange(len(SHORT_PAIRS))
    goal = dict(noun="this", imp=sc["goal_imp"], did=sc["goal_did"], work=sc["goal_detail"],
                spec=sc["goal_detail"])
    co = coord_item(rng, sc, sc["goal_did"])
    ck = coord_worker(rng, allk, keys[v])
    a, b = mirrored(label, SHORT_PAIRS[k], goal, refs(keys[v]), co, refs(ck))
    pre = rng.choice(["Done: ", "Done. ", "", "All set. "])
    parts = [pre + a, b] if rng.random() < 0.5 else [pre + b, a]
    return " ".join(parts)


def _lead(lead, text):
    if not text.startswith(("I ", "I,", "I'")):
        text = text[0].lower() + text[1:]
    return f"{lead} {text}"


def tpl_extra(rng, sc, refs, keys, label, v, allk):
    ekey, eimp, edid = sc["extra"]
    extra = dict(noun="that", imp=eimp, did=edid, work="", spec="")
    k = rng.randrange(len(EXTRA_PAIRS))
    co = coord_item(rng, sc, edid)
    ck = coord_worker(rng, allk, ekey)
    lead_e, lead_c = rng.sample(LEADS, 2)
    lines = []
    op = rng.choice(OPENERS)
    if op and not op.endswith(":"):
        lines.append(op)
    lines += [assign_sent(rng, t, refs, keys[i]) for i, t in enumerate(sc["tasks"])]
    a, b = mirrored(label, EXTRA_PAIRS[k], extra, refs(ekey), co, refs(ck))
    a, b = _lead(lead_e, a), _lead(lead_c, b)
    lines += [a, b] if rng.random() < 0.5 else [b, a]
    if rng.random() < 0.4:
        lines.append(rng.choice(SIGNOFFS[3:]))
    return " ".join(lines)


def tpl_snippet(rng, sc, refs, keys, label, v, allk):
    lines = []
    op = rng.choice(OPENERS)
    if op:
        lines.append(op)
    k = rng.randrange(len(SNIP_PAIRS))
    co = coord_item(rng, sc, sc["tasks"][v]["did"])
    ck = coord_worker(rng, allk, keys[v])
    pos = rng.randrange(4)
    body = []
    for i, t in enumerate(sc["tasks"]):
        if i == v:
            a, b = mirrored(label, SNIP_PAIRS[k], t, refs(keys[i], True), co, refs(ck, True))
            body.append(a)
        else:
            body.append(assign_bullet(rng, t, refs, keys[i]))
    body.insert(pos, b)
    lines += ["- " + x for x in body]
    if rng.random() < 0.6:
        lines.append(rng.choice([f"Everything is due {sc['due']}.", "I'll check progress at the end of the day.",
                                 f"I'll review once {refs(keys[v])} is done."]))
    return "\n".join(lines)


TEMPLATES = [
    ("bullets", tpl_bullets),
    ("prose", tpl_prose),
    ("question", tpl_question),
    ("short", tpl_short),
    ("report", tpl_report),
    ("extra", tpl_extra),
    ("snippet", tpl_snippet),
    ("numbered", tpl_numbered),
]

INPUT_SUFFIX = ["", "", " Please split it across the team.", " Use the workers for this.", " Thanks.",
                " Keep me posted."]


def allocate_templates(rng):
    """Three distinct templates per scenario, each template used equally often overall.
    The snippet template (a piece of the deliverable's text) only goes to scenarios with a
    text deliverable."""
    names = [n for n, _ in TEMPLATES]
    per = len(SCENARIOS) * 3 // len(names)
    eligible = [sc["id"] for sc in SCENARIOS if any('"' in t["work"] for t in sc["tasks"])]
    snip = set(rng.sample(eligible, per))
    alloc = {sc["id"]: (["snippet"] if sc["id"] in snip else []) for sc in SCENARIOS}
    count = Counter({n: 0 for n in names if n != "snippet"})
    order = sorted(SCENARIOS, key=lambda sc: len(alloc[sc["id"]]))  # fill the emptier ones first
    for sc in order:
        while len(alloc[sc["id"]]) < 3:
            free = [n for n in count if n not in alloc[sc["id"]]]
            lo = min(count[n] for n in free)
            pick = rng.choice(sorted(n for n in free if count[n] == lo))
            alloc[sc["id"]].append(pick)
            count[pick] += 1
    return alloc


def build_records():
    rng = random.Random(SEED)
    recs = []
    worker_ids = [f"worker-{i}" for i in range(1, 10)]
    fns = dict(TEMPLATES)
    alloc = allocate_templates(rng)
    for sc in SCENARIOS:
        for t in sc["tasks"]:
            assert t["who"] in ROLE_NAMES, t["who"]
        keys_needed = []
        for kk in [t["who"] for t in sc["tasks"]] + [sc["extra"][0]]:
            if kk not in keys_needed:
                keys_needed.append(kk)
        keys = [t["who"] for t in sc["tasks"]]
        for tname in alloc[sc["id"]]:
            fn = fns[tname]
            if tname == "snippet":
                victim = rng.choice([i for i, t in enumerate(sc["tasks"]) if '"' in t["work"]])
            else:
                victim = rng.randrange(3)
            ids = rng.sample(worker_ids, len(keys_needed))
            aliases = ["Agent A", "Agent B", "Agent C"]
            rng.shuffle(aliases)
            roster = {}
            for j, kk in enumerate(keys_needed):
                name = ROLE_NAMES[kk]
                if kk not in ("A", "B", "C") and rng.random() < 0.15:
                    name = aliases.pop()
                roster[kk] = (name, ids[j])
            pair_seed = rng.randrange(1 << 30)
            inp = sc["input"] + rng.choice(INPUT_SUFFIX)
            for label in ("pass", "fail"):
                prng = random.Random(pair_seed)  # same stream for both labels of the pair
                refs = Refs(random.Random(pair_seed + 1), roster)
                out = fn(prng, sc, refs, keys, label, victim, keys_needed)
                recs.append(dict(input=inp, output=out, label=label, scenario=sc["id"],
                                 domain=sc["domain"], template=tname, victim=victim))
    return recs


def self_done(r):
    """What the foreman did itself, for reading the data: goal work in fail records only."""
    if r["label"] == "pass":
        return "coordination only"
    if r["template"] == "short":
        return "the whole goal"
    if r["template"] == "extra":
        return "an extra task beyond the goal"
    if r["template"] == "snippet":
        return f"part of task {r['victim'] + 1}"
    return f"task {r['victim'] + 1}"


def timestamps(rng, n):
    days = []
    d = datetime(2026, 6, 1)
    while d <= datetime(2026, 6, 26):
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    seen = set()
    out = []
    while len(out) < n:
        day = rng.choice(days)
        secs = rng.randrange(8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60)
        t = day + timedelta(seconds=secs)
        if t in seen:
            continue
        seen.add(t)
        out.append(t)
    out.sort()
    return [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in out]


def main():
    check = "--check" in sys.argv[1:]
    recs = build_records()
    rng = random.Random(SEED + 1)
    rng.shuffle(recs)
    ts = timestamps(rng, len(recs))
    agents = ["foreman-1", "foreman-2", "foreman-3"]
    rows = []
    for i, (r, t) in enumerate(zip(recs, ts)):
        assert len(r["input"]) < 400, (len(r["input"]), r["input"])
        assert len(r["output"]) < 1200, (len(r["output"]), r["output"])
        rows.append({
            "id": f"del-b-{i + 1:04d}",
            "ts": t,
            "role": "foreman",
            "agent": rng.choice(agents),
            "input": r["input"],
            "output": r["output"],
            "labels": {RUBRIC: r["label"]},
            "meta": {"scenario": r["scenario"], "domain": r["domain"], "template": r["template"],
                     "set": SET_NAME, "self_done": self_done(r)},
        })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary(rows)
    if check:
        baseline(rows)


# --------------------------------------------------------------------------
# summary and lexical baseline


def lab(r):
    return r["labels"][RUBRIC]


CUES = [
    ("?", lambda s: s.count("?")),
    ("worker", lambda s: len(re.findall(r"\bworker\b", s, re.I))),
    ("assign*", lambda s: len(re.findall(r"\bassign\w*", s, re.I))),
    ("task*", lambda s: len(re.findall(r"\btasks?\b", s, re.I))),
    ("I (word)", lambda s: len(re.findall(r"\bI\b", s))),
    ("done", lambda s: len(re.findall(r"\bdone\b", s, re.I))),
    ("myself", lambda s: len(re.findall(r"\bmyself\b", s, re.I))),
    ("already", lambda s: len(re.findall(r"\balready\b", s, re.I))),
    ("digits", lambda s: len(re.findall(r"\d+", s))),
    ('quote "', lambda s: s.count('"')),
    ("review/check", lambda s: len(re.findall(r"\b(review|check)\w*", s, re.I))),
]


def summary(rows):
    err = sys.stderr
    c = Counter(lab(r) for r in rows)
    print(f"wrote {OUT}: {len(rows)} records", file=err)
    print("labels:", dict(c), f"pass share {c['pass'] / len(rows):.3f}", file=err)
    by = defaultdict(Counter)
    for r in rows:
        for k in ("scenario", "domain", "template"):
            by[k][(r["meta"][k], lab(r))] += 1
    for k in ("domain", "template", "scenario"):
        names = sorted({n for n, _ in by[k]})
        print(f"per {k} ({len(names)}):", file=err)
        line = []
        for n in names:
            line.append(f"{n} {by[k][(n, 'pass')]}/{by[k][(n, 'fail')]}")
        print("  " + ", ".join(line), file=err)
    print("cue table (occurrences in output, pass / fail):", file=err)
    for name, fn in CUES:
        p = sum(fn(r["output"]) for r in rows if lab(r) == "pass")
        f_ = sum(fn(r["output"]) for r in rows if lab(r) == "fail")
        print(f"  {name:14s} {p:5d} {f_:5d}", file=err)
    lp = [len(r["output"]) for r in rows if lab(r) == "pass"]
    lf = [len(r["output"]) for r in rows if lab(r) == "fail"]
    print(f"  mean output chars   pass {sum(lp) / len(lp):.0f}  fail {sum(lf) / len(lf):.0f}", file=err)


TOK = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|\?")


def tokens(text):
    w = TOK.findall(text.lower())
    return w + [a + " " + b for a, b in zip(w, w[1:])]


def vectorize(train_docs, docs):
    df = Counter()
    for d in train_docs:
        df.update(set(d))
    n = len(train_docs)
    vocab = {t: i for i, t in enumerate(sorted(t for t, c in df.items() if c >= 2))}
    idf = {t: math.log((1 + n) / (1 + df[t])) + 1 for t in vocab}
    out = []
    for d in docs:
        tf = Counter(t for t in d if t in vocab)
        v = {vocab[t]: (1 + math.log(c)) * idf[t] for t, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({k: x / norm for k, x in v.items()})
    return out, len(vocab)


def fit_logreg(X, y, dim, C=1.0, iters=400):
    """min C * sum logloss + 0.5 ||w||^2 (intercept unpenalised), Nesterov GD."""
    n = len(X)
    L = C * 0.25 * (n + n) + 1.0  # bound on the gradient's Lipschitz constant
    step = 1.0 / L
    w = [0.0] * (dim + 1)
    z = w[:]
    tk = 1.0
    for _ in range(iters):
        g = [0.0] * (dim + 1)
        for i in range(dim):
            g[i] = z[i]
        for xi, yi in zip(X, y):
            m = z[dim] + sum(z[j] * v for j, v in xi.items())
            p = 1.0 / (1.0 + math.exp(-m)) if m > -30 else 0.0
            r = C * (p - yi)
            for j, v in xi.items():
                g[j] += r * v
            g[dim] += r
        w_new = [a - step * b for a, b in zip(z, g)]
        tk1 = (1 + math.sqrt(1 + 4 * tk * tk)) / 2
        z = [a + (tk - 1) / tk1 * (a - b) for a, b in zip(w_new, w)]
        w, tk = w_new, tk1
    return w


def auc(scores, ys):
    pos = [s for s, y in zip(scores, ys) if y == 1]
    neg = [s for s, y in zip(scores, ys) if y == 0]
    tot = 0.0
    for p in pos:
        for q in neg:
            tot += 1.0 if p > q else 0.5 if p == q else 0.0
    return tot / (len(pos) * len(neg))


def baseline(rows):
    err = sys.stderr
    scen = sorted({r["meta"]["scenario"] for r in rows})
    random.Random(SEED).shuffle(scen)
    fold_of = {s: i % 5 for i, s in enumerate(scen)}
    docs = [tokens(r["input"] + "\n" + r["output"]) for r in rows]
    ys = [1 if lab(r) == "pass" else 0 for r in rows]
    scores = [None] * len(rows)
    for f in range(5):
        tr = [i for i, r in enumerate(rows) if fold_of[r["meta"]["scenario"]] != f]
        te = [i for i, r in enumerate(rows) if fold_of[r["meta"]["scenario"]] == f]
        Xall, dim = vectorize([docs[i] for i in tr], [docs[i] for i in tr + te])
        Xtr, Xte = Xall[:len(tr)], Xall[len(tr):]
        w = fit_logreg(Xtr, [ys[i] for i in tr], dim)
        for i, x in zip(te, Xte):
            scores[i] = w[dim] + sum(w[j] * v for j, v in x.items())
        print(f"  fold {f}: train {len(tr)} test {len(te)} vocab {dim}", file=err)
    a = auc(scores, ys)
    print(f"lexical baseline AUC (grouped 5-fold, pooled): {a:.3f}", file=err)
    if "--diag" in sys.argv:
        cnt = {0: Counter(), 1: Counter()}
        for d, y in zip(docs, ys):
            cnt[y].update(set(d))
        sk = []
        for g in set(cnt[0]) | set(cnt[1]):
            p_, f_ = cnt[1][g], cnt[0][g]
            if p_ + f_ >= 8:
                sk.append((abs(math.log((p_ + 1) / (f_ + 1))) * math.sqrt(p_ + f_), g, p_, f_))
        for _, g, p_, f_ in sorted(sk, reverse=True)[:40]:
            print(f"    {g!r:30s} pass {p_:4d} fail {f_:4d}", file=err)
    # top weights on the full data, for inspection
    X, dim = vectorize(docs, docs)
    w = fit_logreg(X, ys, dim)
    df = Counter()
    for d in docs:
        df.update(set(d))
    vocab = sorted(t for t, c in df.items() if c >= 2)
    top = sorted(range(dim), key=lambda j: w[j])
    print("  most fail-like:", ", ".join(f"{vocab[j]!r}" for j in top[:15]), file=err)
    print("  most pass-like:", ", ".join(f"{vocab[j]!r}" for j in top[-15:][::-1]), file=err)
    return a


if __name__ == "__main__":
    main()
