"""Officers' commentary, delivery plan actions and data/README.md for the demo council.

Commentary is written against the figures the status calculator finds, so a
sentence like "against a target of 60.0%" always quotes what the report will
show. Every intervention needs commentary (rule 7); the script stops if one
has none, except the single case left out on purpose to show the report's
"commentary missing" notice. No commentary quotes a figure that small-number
suppression would hide.
"""

from __future__ import annotations

import datetime as dt

from demo_data import periods as P
from demo_data.measures import Measure
from demo_data.status import Judged

MISSING_COMMENTARY = ("MC03", "2021/22 Q2")
LATE_COMMENTARY = ("MC09", "2021/22 Q2", 5)
"""Supplied this many days after the quarter's returns_due (still before its data_as_at), so the data quality report lists it."""
EARLIER_COMMENTARY = {
    ("FL04", "2021/22 Q2"): (
        "Admissions to care homes are above profile. The September figures are still being checked; "
        "a fuller explanation will follow before the report is published.",
        7,
    ),
}
"""A first text sent with the return, replaced by the final one this many days later: commentary has versions, like figures."""

# (measure_id, report quarter) -> (commentary, action, action owner); {v} {t} {i} {p} are filled in.
# A key (measure_id, quarter, status) marks commentary for a case that is not an intervention.
# fmt: off
COMMENTARY = {
    ("SE02", "2020/21 Q1"): (
        "Residual waste rose sharply in the first lockdown: {v} per household in the quarter against a profile of {t}. "
        "With more people at home and the household recycling centres closed until May, extra waste went into black bins. "
        "The May tonnage is *estimated* because of a weighbridge outage.",
        "Reopen the household recycling centres with a booking system and run a 'recycle right at home' campaign.",
        "Head of Waste and Cleansing"),
    ("SE02", "2020/21 Q2"): (
        "Residual waste is still above profile at {v} per household year to date (target {t}). "
        "Volumes eased once the recycling centres reopened, but home working keeps kerbside tonnage high.",
        "Target the 20 collection rounds with the highest residual tonnage with bin tagging and doorstep advice.",
        "Head of Waste and Cleansing"),
    ("SE02", "2020/21 Q3"): (
        "At {v} per household year to date, residual waste remains beyond the intervention level of {i}. "
        "The November lockdown reversed part of the improvement seen in the autumn.",
        "Extend food waste collections to flats and trial smaller residual bins for new homes.",
        "Head of Waste and Cleansing"),
    ("SE05", "2020/21 Q1"): (
        "Missed collections rose to {v} per 100,000 in the first lockdown, against a target of {t}. "
        "Up to a fifth of crews were self-isolating in April, and agency cover did not know the rounds.",
        "Reinforce crews with redeployed staff and publish daily service updates on the council website.",
        "Head of Waste and Cleansing"),
    ("SE05", "2021/22 Q2"): (
        "Missed collections reached {v} per 100,000, beyond the intervention level of {i}. "
        "The national shortage of HGV drivers left up to *twelve rounds a day* without a qualified driver in August and September.",
        "Pay a market supplement for HGV drivers, fund licence training for "
        "loaders and re-sequence rounds to protect food waste collections.",
        "Director of Environment"),
    ("DP05", "2020/21 Q1"): (
        "Parking income was {v} for the quarter against a profile of {t}. Car parks were almost empty in April and May "
        "and charges were suspended for NHS and care staff.\n\n"
        "- The loss is included in the council's claim to the government's income compensation scheme.\n"
        "- Seafront car parks reopened fully from 1 June.",
        "Submit the sales, fees and charges compensation claim and review seafront tariffs for the summer.",
        "Head of Parking Services"),
    ("DP05", "2020/21 Q2"): (
        "A busy summer recovered some income, but the year-to-date total of {v} is still short of the {t} profile. "
        "Seafront car parks were full on peak days while town centre car parks stayed quiet.",
        "Introduce cashless payment in every car park and a seasonal tariff for seafront car parks.",
        "Head of Parking Services"),
    ("DP05", "2020/21 Q3"): (
        "Year-to-date income of {v} remains beyond the intervention level of {i} after the November lockdown. "
        "Commuter parking has not returned while office staff keep working from home.",
        "Build the continuing income loss into the revised Medium Term Financial Plan and keep claiming compensation.",
        "Chief Finance Officer"),
    ("DP05", "2020/21 Q4"): (
        "The year closed with parking income of {v} against a budget of {t}. Most of the shortfall is met by the "
        "government's income compensation scheme, and the 2021/22 budget has been reset at a lower level.",
        "Report recovery monthly against the reset 2021/22 budget and bring any further shortfall to Cabinet.",
        "Chief Finance Officer"),
    ("CC03", "2020/21 Q1"): (
        "At the end of June {v} families had been in bed and breakfast for more than six weeks, against a target of none. "
        "Social housing lettings stopped during lockdown while homelessness among families fleeing domestic abuse rose.",
        "Block-book self-contained temporary flats and give families with children priority for move-on homes.",
        "Head of Housing Options"),
    ("CC03", "2021/22 Q1"): (
        "The number of families in bed and breakfast for more than six weeks rose to {v} at the end of June, "
        "reaching the intervention level. The end of the ban on evictions brought a rise in family homelessness.",
        "Bring 12 council-owned temporary accommodation units into use and review every bed and breakfast placement weekly.",
        "Head of Housing Options"),
    ("CC04", "2020/21 Q1"): (
        "Libraries were closed from 23 March to early July, so visits were {v} against a target of {t}, almost all of them digital. "
        "E-book and e-audio loans more than doubled.",
        "Reopen libraries with *Select and Collect* and keep growing the digital offer.",
        "Head of Libraries"),
    ("CC04", "2020/21 Q3"): (
        "The November lockdown closed libraries again: {v} visits against a target of {t}. "
        "Select and Collect and the home library service carried on throughout.",
        "Keep Select and Collect and home delivery running through the winter and plan a phased reopening.",
        "Head of Libraries"),
    ("BF08", "2020/21 Q2"): (
        "In {p}, {v} of 16-17 year olds were not in education, employment or training or their activity was not known, "
        "beyond the intervention level of {i}. Lockdown stopped the face-to-face tracking that usually confirms destinations.",
        "Run a phone and text tracking campaign with schools and colleges and share destination data with the careers service weekly.",
        "Head of Education and Skills"),
    ("BF08", "2020/21 Q3"): (
        "The figure for {p} is {v}, beyond the intervention level of {i}. The share whose activity is not known always "
        "peaks over the summer, but this year more young people had no confirmed place in September.",
        "Contact every young person whose activity is not known by the end of October and extend the September Guarantee offer.",
        "Head of Education and Skills"),
    ("MC05", "2020/21 Q2"): (
        "Only {v} of Freedom of Information requests were answered within 20 working days, against a target of {t}. "
        "Services put the pandemic response first while requests about COVID-19 rose sharply.",
        "Redeploy two officers to Information Governance for six months and chase every overdue request weekly.",
        "Head of Information Governance"),
    ("BF03", "2020/21 Q4"): (
        "Only {v} of new education, health and care plans were issued within 20 weeks in calendar year 2020, against a target of {t}. "
        "Requests for assessment rose by more than 40% while educational psychology capacity fell, and a backlog built up.",
        "SEND improvement plan: commission additional educational psychologists, "
        "create a dedicated plan-writing team and track every assessment past week 16.",
        "Director of Education and Skills"),
    ("BF03", "2021/22 Q1"): (
        "The national SEN2 statistics confirm {v} of new plans issued within 20 weeks in 2020. "
        "Plans issued since April are more timely, but the backlog of overdue assessments is not yet cleared.",
        "Clear the backlog of overdue assessments and report progress monthly to the SEND Improvement Board.",
        "Director of Education and Skills"),
    ("BF03", "2021/22 Q2"): (
        "This is still the latest published figure ({v} against a target of {t}). Local tracking shows *about half* of "
        "new plans issued within 20 weeks since April, so the 2021 figure is expected to improve.",
        "Keep weekly tracking of every assessment past week 16 until timeliness is back above the target.",
        "Director of Education and Skills"),
    ("BF04", "2020/21 Q4"): (
        "{v} of children who became the subject of a child protection plan had been on a plan before, against a target of {t}. "
        "An audit found that some plans ended before change in the family was sustained.",
        "Step down to early help only after a multi-agency review at three months; the Principal Social Worker audits every repeat plan.",
        "Principal Social Worker"),
    ("BF04", "2021/22 Q1"): (
        "The provisional figure stays at {v}, beyond the intervention level of {i}. The audit of repeat plans found:\n\n"
        "- plans ended quickly during the first lockdown, when fewer agencies saw children;\n"
        "- a third of families returned within six months of the plan ending.",
        "Introduce a six-month check after every child protection plan ends, led by the allocated early help worker.",
        "Principal Social Worker"),
    ("BF04", "2021/22 Q2"): (
        "The national statistics published in October confirmed {v}, beyond the intervention level of {i}. "
        "Early results from the three-month reviews are encouraging, but they will not show in the published figure until 2022.",
        "Keep the three-month reviews and six-month checks, and report repeat plans monthly to the Children's Services leadership team.",
        "Principal Social Worker"),
    ("FL06", "2020/21 Q4"): (
        "The average wait for a Care Act assessment rose to {v}, beyond the intervention level of {i}. "
        "Hospital discharge work under the national discharge-to-assess model took priority over assessments in the community.",
        "Recruit four agency social workers for six months and use trusted assessors for straightforward cases.",
        "Head of Adult Social Care Operations"),
    ("FL06", "2021/22 Q1"): (
        "Waits rose again to {v} against a target of {t}. Agency recruitment "
        "was slow and the first two social workers started only in June.",
        "Senior practitioner to triage the waiting list weekly; launch online self-assessment for equipment and minor adaptations.",
        "Head of Adult Social Care Operations"),
    ("DP02", "2021/22 Q2"): (
        "{v} of major applications were decided in time this quarter, beyond the intervention level of {i}. "
        "Three long-running applications were decided without an agreed extension of time while the team carried two vacancies.",
        "Agree extensions of time on every major application by week 10 and fill the two principal planning officer posts.",
        "Head of Planning"),
    ("MC03", "2020/21 Q1"): (
        "Only {v} of calls were answered in the first lockdown, against a target of {t}. "
        "Calls doubled with requests for help from shielding residents and businesses while staff moved to working from home.",
        "Run the community helpline as a separate line and move contact centre staff onto softphones.",
        "Head of Customer Services"),
    ("MC09", "2021/22 Q2"): (
        "{v} critical vulnerabilities were outstanding at the end of September, beyond the intervention level of {i}. "
        "A supplier released emergency patches for a widely used server product that need testing before deployment.",
        "Hold an emergency change window every week until the backlog is cleared and isolate unpatched servers from the internet.",
        "Head of IT Operations"),
    # --- not interventions: context that officers chose to add
    ("SE01", "2020/21 Q1", "below_target"): (
        "Recycling fell to {v} year to date because garden waste collections were suspended for six weeks and the "
        "recycling centres were closed. It is above the intervention level of {i}.",
        "Garden waste collections restarted on 11 May; no further action needed.",
        "Head of Waste and Cleansing"),
    ("CC06", "2020/21 Q2", "on_target"): (
        "The 2019/20 survey result has been revised to {v} after the weighting was corrected, so it now meets the target of {t}. "
        "The 2020/21 Q1 report showed the unrevised figure of 71.3%.",
        "", ""),
    ("MC01", "2020/21 Q4", "below_target"): (
        "Council tax collection ended the year at {v} against a target of {t}. Recovery action was paused for six months "
        "during the pandemic, and more households moved onto Council Tax Reduction.",
        "Restart recovery with an emphasis on payment arrangements; the uncollected balance remains due and is pursued in 2021/22.",
        "Head of Revenues and Benefits"),
    ("DP07", "2021/22 Q2", "on_target"): (
        "{v} affordable homes have been completed this year, exactly on the phased target of {t}. "
        "Two large sites in Poole and Christchurch are due to complete in the winter.",
        "", ""),
    ("FL04", "2021/22 Q2", "below_target"): (
        "Admissions to care homes are above profile at {v} per 100,000 year to date (target {t}), as people "
        "whose needs grew during the pandemic reach the point where home care is no longer enough.",
        "Review every proposed admission at the weekly placement panel and expand the reablement service.",
        "Head of Adult Social Care Operations"),
    ("MC02", "2021/22 Q2", "below_target"): (
        "New claims took {v} on average to decide, against a target of {t}. Cabinet lowered the target from 19 days in "
        "September to match the best quarter of councils; performance is unchanged, but it now falls short.",
        "Automate the evidence requests for new claims and add two assessors from January for the winter peak.",
        "Head of Revenues and Benefits"),
    ("MC10", "2021/22 Q1", "below_target"): (
        "This measure is new in 2021/22. In its first quarter {v} of contacts were completed online, against a target of {t}. "
        "Council tax and parking permit forms moved to the My BCP account in May; missed bin reports follow in August.",
        "Move missed bin and bulky waste requests online and promote the My BCP account with every council tax bill.",
        "Head of Customer Services"),
    ("SE06", "2020/21 Q4", "below_target"): (
        "{v} public charge points at the end of March, one short of the target of {t}; one site was delayed by a grid connection.",
        "", ""),
}
# fmt: on


def show(m: Measure, v: float | None) -> str:
    """A value as a reader sees it in a sentence."""
    if v is None:
        return "no figure"
    text = f"{v:,.{m.dp}f}"
    return {
        "percent": f"{text}%",
        "gbp": f"£{text}",
        "days": f"{text} days",
        "rate_per_1000": f"{text} per 1,000",
        "rate_per_100k": text,
    }.get(m.unit, text if m.id != "SE02" else f"{text} kg")


def commentary_rows(judged: dict[tuple[str, int], Judged], measures: dict[str, Measure], due: dict[str, dt.date]) -> list[list[str]]:
    """commentary.csv rows, checking every intervention is covered and every extra row's status is as written.

    Each is supplied with its quarter's return, on the ``returns_due`` date of
    the quarter's params file (``due``), except the late and revised cases.
    """
    rows = []
    for (mid, rq), j in judged.items():
        quarter = P.quarter_code(rq)
        key = (mid, quarter) if j.status == "intervention" else (mid, quarter, j.status)
        if j.status == "intervention" and key not in COMMENTARY:
            if (mid, quarter) == MISSING_COMMENTARY:
                continue
            raise SystemExit(f"{mid} {quarter} is an intervention with no commentary: add it to COMMENTARY")
        if key not in COMMENTARY:
            continue
        m = measures[mid]
        text, action, owner = COMMENTARY[key]
        text = text.format(v=show(m, j.value), t=show(m, j.target), i=show(m, j.intervention), p=j.period)
        action_due = P.month_end(3 * rq + 11).isoformat() if action else ""  # end of the quarter after next
        supplied = due[quarter]
        if (mid, quarter) == LATE_COMMENTARY[:2]:
            supplied += dt.timedelta(days=LATE_COMMENTARY[2])
        if (mid, quarter) in EARLIER_COMMENTARY:
            first, later = EARLIER_COMMENTARY[(mid, quarter)]
            rows.append([mid, quarter, first, "", "", "", supplied.isoformat()])
            supplied += dt.timedelta(days=later)
        rows.append([mid, quarter, text, action, owner, action_due, supplied.isoformat()])
    used = {(r[0], r[1]) for r in rows}
    stale = [k for k in COMMENTARY if k[:2] not in used]
    if stale or MISSING_COMMENTARY in used:
        raise SystemExit(f"commentary that no longer matches a status: {stale or MISSING_COMMENTARY}")
    order = {mid: i for i, mid in enumerate(measures)}
    return sorted(rows, key=lambda r: (r[1], order[r[0]], r[6]))


# action_id, plan_id, title, lead, due, statuses for the six report quarters
# (T on_track, R at_risk, D delayed, N not_started, C complete, X cancelled; fewer than six after X),
# and {quarter number 0-5: update text} where the generic text would not do.
STATUS = {"T": "on_track", "R": "at_risk", "D": "delayed", "N": "not_started", "C": "complete", "X": "cancelled"}
GENERIC = {
    "T": "On track: this quarter's milestones were met.",
    "R": "At risk: the lead officer is agreeing mitigations with the portfolio holder.",
    "D": "Delayed: a revised timetable will be reported next quarter.",
    "N": "Not started: due to begin later in the year.",
    "C": "Complete.",
}
# fmt: off
ACTIONS = [
    ("SE-A1", "sustainable-environment", "Deliver the Climate and Ecological Emergency Action Plan",
     "Head of Climate Action", "2022-03-31", "TTTTTT",
     {0: "Action plan adopted by Cabinet; carbon baseline for council operations published."}),
    ("SE-A2", "sustainable-environment", "Extend food waste collections to all flats",
     "Head of Waste and Cleansing", "2021-09-30", "NDDTTC",
     {1: "Delayed: bin deliveries postponed while crews covered COVID-19 absence.",
      5: "Complete: all 1,100 blocks of flats now have food waste collections."}),
    ("SE-A3", "sustainable-environment", "Install 100 public electric vehicle charge points",
     "Head of Transport and Sustainable Travel", "2022-03-31", "TTTRTT",
     {3: "At risk: one site is waiting for a grid connection; alternative sites are being surveyed."}),
    ("SE-A4", "sustainable-environment", "Plant 10,000 trees by March 2022",
     "Head of Parks and Open Spaces", "2022-03-31", "TTTTTT",
     {3: "On track: over 6,000 trees planted in the 2020/21 season with community volunteers."}),
    ("DP-A1", "dynamic-places", "Prepare and consult on the BCP Local Plan",
     "Head of Planning Policy", "2022-12-31", "TTDDRR",
     {2: "Delayed: the Issues and Options consultation moved to 2021 because of lockdown.",
      4: "At risk: national planning reforms may change the housing requirement."}),
    ("DP-A2", "dynamic-places", "Deliver the Bournemouth Town Centre Vision projects",
     "Director of Regeneration", "2023-03-31", "TTTTTT",
     {}),
    ("DP-A3", "dynamic-places", "Adopt a Future Parking Strategy",
     "Head of Parking Services", "2021-06-30", "NNTTCC",
     {4: "Complete: strategy adopted by Cabinet in June 2021."}),
    ("DP-A4", "dynamic-places", "Feasibility study for a cruise ship berth at Poole Quay",
     "Head of Destination and Culture", "2021-03-31", "TRX",
     {1: "At risk: the cruise industry has stopped sailing worldwide.",
      2: "Cancelled: the study is stopped until the cruise market recovers."}),
    ("CC-A1", "connected-communities", "Open a 24-hour hub for people sleeping rough",
     "Head of Housing Options", "2021-03-31", "TTTCCC",
     {3: "Complete: the hub opened in February with 20 beds and on-site support."}),
    ("CC-A2", "connected-communities", "Bring 12 council-owned temporary accommodation units into use",
     "Head of Housing Delivery", "2021-09-30", "NTTRDT",
     {3: "At risk: the building contractor has a shortage of materials.",
      4: "Delayed: handover moved from July to October."}),
    ("CC-A3", "connected-communities", "Deliver the Community Safety Partnership Plan 2020-23",
     "Head of Community Safety", "2023-03-31", "TTTTTT",
     {}),
    ("CC-A4", "connected-communities", "Consult on a new library strategy",
     "Head of Libraries", "2021-12-31", "NNDDTT",
     {2: "Delayed: consultation postponed until libraries reopen.",
      4: "On track: consultation opened in June with 3,200 responses so far."}),
    ("BF-A1", "brighter-futures", "Deliver the SEND improvement plan",
     "Director of Education and Skills", "2022-03-31", "TTRRRT",
     {2: "At risk: demand for assessments has risen faster than the plan assumed.",
      5: "On track: plan-writing team in place and the assessment backlog falling."}),
    ("BF-A2", "brighter-futures", "Open a social work academy to recruit and retain permanent social workers",
     "Principal Social Worker", "2021-09-30", "TTTRTC",
     {3: "At risk: agency rates in the region have risen.",
      5: "Complete: the first 18 newly qualified social workers have joined."}),
    ("BF-A3", "brighter-futures", "Create 150 new specialist school places",
     "Head of School Place Planning", "2022-09-01", "TTTTRR",
     {4: "At risk: planning permission for one site is delayed."}),
    ("BF-A4", "brighter-futures", "Relaunch the early help hub",
     "Head of Early Help", "2021-03-31", "TDTCCC",
     {1: "Delayed: staff redeployed to the pandemic response.",
      3: "Complete: the hub relaunched in January."}),
    ("FL-A1", "fulfilled-lives", "Introduce a home-first hospital discharge model",
     "Head of Adult Social Care Operations", "2021-03-31", "TTTCCC",
     {0: "On track: discharge-to-assess model running with the hospitals since April."}),
    ("FL-A2", "fulfilled-lives", "Recommission the home care framework",
     "Head of Commissioning (Adults)", "2021-10-01", "NTTTRD",
     {4: "At risk: providers report severe recruitment difficulties.",
      5: "Delayed: tender extended to April 2022 at providers' request."}),
    ("FL-A3", "fulfilled-lives", "Launch the Carers' Strategy 2021-24",
     "Carers' Services Manager", "2021-06-30", "TDDTCC",
     {1: "Delayed: co-production events with carers moved online.",
      4: "Complete: strategy launched in Carers Week."}),
    ("FL-A4", "fulfilled-lives", "Online self-assessment for equipment and adaptations",
     "Head of Adult Social Care Operations", "2022-03-31", "NNNTTT",
     {}),
    ("MC-A1", "modern-accessible-and-accountable-council", "Deliver the Smarter Structures transformation programme",
     "Chief Operations Officer", "2022-03-31", "TTRRTT",
     {2: "At risk: savings profile slipped because of pandemic work."}),
    ("MC-A2", "modern-accessible-and-accountable-council", "Harmonise the Council Tax Reduction scheme",
     "Head of Revenues and Benefits", "2021-04-01", "TTTCCC",
     {3: "Complete: a single scheme applies from 1 April 2021."}),
    ("MC-A3", "modern-accessible-and-accountable-council", "Move to a single customer contact platform",
     "Head of Customer Services", "2021-12-31", "TTTTRD",
     {4: "At risk: data migration testing found problems.",
      5: "Delayed: go-live moved to spring 2022."}),
    ("MC-A4", "modern-accessible-and-accountable-council", "Agree harmonised pay and grading",
     "Director of People and Culture", "2022-04-01", "TRRDDR",
     {1: "At risk: negotiations with trade unions paused during the pandemic."}),
    ("MC-A5", "modern-accessible-and-accountable-council", "Sell surplus office buildings after the move to the Civic Centre",
     "Head of Estates", "2021-12-31", "TTTRX",
     {3: "At risk: the office market has weakened.",
      4: "Cancelled: buildings kept for the new hybrid working model."}),
]
# fmt: on


def action_rows() -> list[list[str]]:
    """actions.csv rows."""
    return [[a[0], a[1], a[2], a[3], a[4]] for a in ACTIONS]


def action_update_rows() -> list[list[str]]:
    """One update per action and report quarter; complete stays complete and nothing follows a cancellation."""
    rows = []
    for action_id, _plan, _title, _lead, _due, statuses, texts in ACTIONS:
        assert "C" not in statuses or set(statuses[statuses.index("C") :]) == {"C"}, action_id
        assert "X" not in statuses or statuses.endswith("X"), action_id
        for n, code in enumerate(statuses):
            text = texts.get(n) or ("Cancelled." if code == "X" else GENERIC[code])
            rows.append([action_id, P.quarter_code(P.REPORT_QUARTERS[n]), STATUS[code], text])
    return rows
