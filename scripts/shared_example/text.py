"""Officers' commentary and corrective actions, and the joint targets: all illustrative.

Commentary rows: (measure_id, report quarter, commentary, action, action owner, action due). Every
intervention in a report has a row (``make_shared_example.py`` lists any that has not); a few
below-target measures have one too. Text about a suppressed small number never states the number.
"""

from __future__ import annotations

# fmt: off
CHORLEY_COMMENTARY = [
    ("CH03", "2024/25 Q2",
     "More families than usual were in bed and breakfast for more than six weeks at the end of September, after two "
     "temporary accommodation units were taken out of use for repairs and fewer social lets became available over the summer.",
     "Bring the two units back into use and agree an emergency leasing arrangement with a local provider.",
     "Head of Housing Options", "2024-12-31"),
    ("CH04", "2024/25 Q2",
     "Recycling was just short of target in the first quarter (reported a quarter in arrears): a dry spring meant less "
     "garden waste. It is within the 5% tolerance.",
     "", "", ""),
    ("CH07", "2024/25 Q3",
     "Three units in Market Walk fell vacant in the autumn when two national retailers closed stores across the country, "
     "leaving occupancy at 90.0%, below the 95.0% target.",
     "Market the vacant units with a six-month rent-free incentive for independent retailers; two lettings are in "
     "negotiation.", "Head of Property and Regeneration", "2025-06-30"),
    ("ICT03", "2024/25 Q3",
     "A supplier patch for the line-of-business servers was delayed, so seven critical vulnerabilities were outstanding "
     "at the end of December against a target of no more than five.",
     "Apply the supplier patch in the January maintenance window and report progress weekly to the ICT security board.",
     "Head of Shared ICT Services", "2025-02-28"),
    ("TP01", "2024/25 Q3",
     "Four of 14 transformation projects were amber or red at the end of December (71.4% green): the new customer "
     "relationship system and the digital planning portal are both waiting for supplier releases.",
     "Re-plan both projects with the suppliers and take revised timetables to the Shared Services Joint Committee.",
     "Director of Change and Delivery", "2025-03-31"),
    ("CS01", "2025/26 Q1",
     "Calls answered fell to 83.8% in the first quarter: annual bills and the new garden waste subscription brought "
     "a record number of calls in April while six advisor posts were vacant.",
     "Recruit to the vacant posts, move garden waste renewals online and open a call-back option at busy times.",
     "Head of Shared Customer Services", "2025-09-30"),
    ("CS02", "2025/26 Q1",
     "The average wait rose to 170 seconds for the same reasons as the fall in calls answered: high demand in April "
     "and six vacant advisor posts.",
     "See the action for calls answered.", "Head of Shared Customer Services", "2025-09-30"),
    ("CS01", "2025/26 Q2",
     "Calls answered stayed below the intervention level (83.0%, provisional) because the new advisors only started "
     "in September and were still in training.",
     "Complete training of the new advisors by the end of October and review staffing against call forecasts monthly.",
     "Head of Shared Customer Services", "2025-12-31"),
    ("CS02", "2025/26 Q2",
     "The average wait was 185 seconds in the quarter; it fell in late September as the new advisors began taking calls.",
     "See the action for calls answered.", "Head of Shared Customer Services", "2025-12-31"),
    ("RB01", "2025/26 Q2",
     "Council tax collection is 0.3 points behind profile, within tolerance: more residents have moved to paying in 12 "
     "monthly instalments instead of 10.",
     "", "", ""),
]

SOUTH_RIBBLE_COMMENTARY = [
    ("RB02", "2024/25 Q2",
     "A large business in the borough won a backdated appeal against its rateable value, and the refund reduced the "
     "rates collected to 52.7% of the debit against a profile of 56.0%.",
     "The debit has been reduced; collection is expected to be back on profile by the year end. Monitor monthly.",
     "Head of Shared Revenues and Benefits", "2025-03-31"),
    ("RB03", "2024/25 Q2",
     "New Housing Benefit claims took 22.2 days on average in the quarter, against a target of 20: two experienced "
     "assessors left in the summer.",
     "Recruit two assessors and, in the meantime, share the work with Chorley's assessment team.",
     "Head of Shared Revenues and Benefits", "2024-12-31"),
    ("RB03", "2024/25 Q3",
     "Processing slowed further to 24.1 days while the new assessors were trained, and supported housing claims, which "
     "take longer, rose.",
     "Both assessors are now in post; a dedicated officer deals with supported housing claims from January.",
     "Head of Shared Revenues and Benefits", "2025-03-31"),
    ("GV01", "2024/25 Q2",
     "83.5% of Freedom of Information requests were answered within 20 working days: a batch of complex requests about "
     "the Local Plan took longer to answer.",
     "Publish the most requested Local Plan information proactively and remind services of response deadlines weekly.",
     "Shared Information Governance Manager", "2024-12-31"),
    ("ICT02", "2024/25 Q3",
     "A network outage in November took core systems offline for most of a working day; availability was 99.18% in the "
     "quarter, within tolerance.",
     "", "", ""),
    ("SR04", "2024/25 Q3",
     "Missed collections rose to 81.8 per 100,000 after new collection rounds started in October and two vehicles were "
     "off the road for repairs.",
     "Review the new rounds with crews, hire two replacement vehicles and publish round changes on the website.",
     "Head of Neighbourhoods", "2025-03-31"),
    ("SR03", "2025/26 Q1",
     "Recycling in January to March (reported a quarter in arrears) was 34.9% against 38.0%: contamination led to two "
     "loads of dry recycling being rejected by the materials recovery facility.",
     "Run a bin-tagging campaign on the rounds with most contamination and write to the households concerned.",
     "Head of Neighbourhoods", "2025-09-30"),
    ("ICT01", "2025/26 Q2",
     "Incidents resolved in time are improving but remain just below the raised target of 92%, within tolerance.",
     "", "", ""),
]
# fmt: on

# Joint targets for combined figures (targets.csv format): measure_id, year, period, target, intervention
JOINT_TARGETS = [
    ["CS01", "2025/26", "", "90.0", ""],
    ["RB03", "2025/26", "", "18.0", ""],
    ["RB05", "2025/26", "", "630000", ""],
]
