"""The demo council's delivery plans and measures of success, as data.

Each measure carries its contract columns and, for illustrative figures, a
trajectory: ``path`` gives the underlying level for each quarter from 2019/20
Q1 to 2021/22 Q2 (10 values), or each month (30 values), or each year (2).
Noise and seasonality are added on top by ``generate``. The levels and
targets were tuned together, with the status calculator's summary, so that
every report quarter shows a realistic mix of statuses (see data/README.md).
Real measures name their source in ``real`` and take name, figures and, where
the source gives it, direction from the published file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# fmt: off
PLANS = [
    # plan_id, name, description, portfolio holder, lead officer, sdgs
    ("sustainable-environment", "Sustainable Environment",
     "Leading our communities towards a cleaner, greener and carbon-neutral future.",
     "Portfolio Holder for Climate Response, Environment and Energy", "Director of Environment", "7;11;12;13;15"),
    ("dynamic-places", "Dynamic Places",
     "Supporting an innovative, successful economy in a great place to live, learn, work and visit.",
     "Portfolio Holder for Regeneration, Economy and Strategic Planning", "Director of Planning and Destination", "8;9;11"),
    ("connected-communities", "Connected Communities",
     "Empowering communities to be safe, engaged and resilient, with a decent home for everyone.",
     "Portfolio Holder for Homes", "Director of Communities", "1;10;11;16"),
    ("brighter-futures", "Brighter Futures",
     "Caring for our children and young people, providing a nurturing environment and high-quality education.",
     "Portfolio Holder for Children and Families", "Director of Children's Services", "3;4;10;16"),
    ("fulfilled-lives", "Fulfilled Lives",
     "Helping people lead active, healthy and independent lives, adding years to life and life to years.",
     "Portfolio Holder for Adult Social Care and Health", "Director of Adult Social Services", "3;5;10"),
    ("modern-accessible-and-accountable-council", "Modern, Accessible and Accountable Council",
     "Running an efficient, open and digital-first council that delivers value for money.",
     "Portfolio Holder for Finance and Transformation", "Chief Operations Officer", "8;16;17"),
]
# fmt: on

Q = tuple  # a path: quarterly (10), monthly (30) or yearly (2) levels


@dataclass
class Measure:
    """One row of measures.csv plus what is needed to generate its figures and targets."""

    id: str
    plan: str
    name: str
    definition: str
    unit: str
    polarity: str
    frequency: str
    aggregation: str
    source_system: str
    owner: str
    file: str  # observations/<file>.csv
    sdgs: str = ""
    ytd: bool = False
    lag: int = 0
    decimals: int | None = None
    public: bool = True
    disclosure_min: int = 0
    baseline_period: str | None = None
    # --- figures -------------------------------------------------------
    real: tuple | None = None  # (source, key) read by demo_data.real
    path: Q = ()
    season: Q | None = None  # 12 multipliers, April..March
    noise: float = 0.015
    den: float = 0.0  # ratio measures: typical denominator per period
    explicit: dict = field(default_factory=dict)  # period code -> value or (numerator, denominator)
    quality: dict = field(default_factory=dict)  # period code -> (quality, note)
    omit: tuple = ()  # period codes deliberately missing
    revisions: tuple = ()  # (period code, reported_on, note, delta value or (d_num, d_den))
    start: str | None = None  # first period with figures, for a measure introduced later (none before it)
    # --- targets: {"2020/21": (target, intervention)}; phased: {"2020/21": {"Q1": (t, i)}} ------
    targets: dict = field(default_factory=dict)
    phased: dict = field(default_factory=dict)
    targets_agreed: dict = field(default_factory=dict)  # year -> agreed_on of the year's row, where given
    target_revisions: tuple = ()  # (year, agreed_on, target, intervention, reason): a later row for the year
    # --- the service's own year-end forecasts: (quarter made in, reported_on, forecast, note) ------
    forecasts: tuple = ()

    @property
    def dp(self) -> int:
        """Display decimals: the contract's default is 0 for number, 1 otherwise."""
        if self.decimals is not None:
            return self.decimals
        return 0 if self.unit == "number" else 1


def _ct_path(finals: tuple[float, float, float]) -> Q:
    """Council tax collected to date (cumulative % of the year's debit) from each year's final rate."""
    out = []
    for fy, final in enumerate(finals):
        months = 12 if fy < 2 else 6
        out += [round(final * CT_PROFILE[i], 1) for i in range(months)]
    return tuple(out)


CT_PROFILE = (0.109, 0.202, 0.296, 0.389, 0.482, 0.575, 0.668, 0.761, 0.853, 0.942, 0.983, 1.0)


def _ct_phased(final_target: float, final_intervention: float, fy: int) -> dict:
    """Monthly phased targets for council tax collection, on the same profile as collection itself."""
    months = [f"{fy + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}" for i in range(12)]
    return {m: (round(final_target * p, 1), round(final_intervention * p, 1)) for m, p in zip(months, CT_PROFILE, strict=True)}


SUMMER = (0.95, 1.0, 1.05, 1.1, 1.1, 1.0, 0.95, 0.9, 0.95, 0.95, 0.95, 1.1)
SE, DP, CC, BF, FL, MC = (p[0] for p in PLANS)
YEAR = ("2020/21", "2021/22")


def both(t, i):
    """The same target and intervention level for 2020/21 and 2021/22."""
    return {y: (t, i) for y in YEAR}


# fmt: off
MEASURES: list[Measure] = [
    # ---------------------------------------------------------------- Sustainable Environment
    Measure("SE01", SE, "Household waste sent for reuse, recycling and composting",
            "Tonnes of household waste sent for reuse, recycling or composting "
            "as a percentage of all household waste collected, year to date.",
            "percent", "higher", "monthly", "ratio", "Whitespace", "Waste and Cleansing", "environment", "12", ytd=True,
            path=(52, 53, 48, 46, 44.2, 52.5, 48, 45, 53, 54), den=14200,
            season=(1, 1.05, 1.08, 1.1, 1.05, 1, 0.98, 0.93, 1.02, 0.9, 0.88, 1),
            quality={"2021-09": ("provisional", "Provisional: September tonnages not yet "
            "reconciled with the materials recovery facility.")},
            revisions=(("2021-06", "2021-08-20", "Revised: late returns from the materials recovery facility.", (160, 45)),),
            targets={"2020/21": (50, 44), "2021/22": (50, 46)},
            forecasts=(("2020/21 Q3", "2021-01-18", 47.9, "Garden waste tonnage was low in the autumn and the recycling centres "
                        "take booked visits only; January to March is always the weakest quarter for recycling."),
                       ("2021/22 Q1", "2021-07-19", 51.0, "Garden waste subscriptions are 8% up on last year; the winter months "
                        "will bring the year-to-date rate down from its summer peak."))),
    Measure("SE02", SE, "Residual household waste per household",
            "Kilograms of household waste not reused, recycled or composted, per household, year to date.",
            "number", "lower", "quarterly", "sum", "Whitespace", "Waste and Cleansing", "environment", "12", ytd=True, decimals=1,
            path=(121, 118, 117, 122, 133, 127, 122, 121, 122, 119),
            quality={"2020/21 Q1": ("estimated", "Estimated: weighbridge software outage in May "
            "2020; tonnage estimated from round sheets.")},
            targets={"2020/21": (480, 505), "2021/22": (485, 510)},
            forecasts=(("2020/21 Q3", "2021-01-19", 498.0, "Food waste collections reach 12,000 more flats from January, which "
                        "should bring residual waste back inside the intervention level by March, though not to target."),)),
    Measure("SE03", SE, "Fly-tipping incidents reported",
            "Number of fly-tipping incidents reported to or found by the council in the period.",
            "number", "lower", "monthly", "sum", "Whitespace", "Waste and Cleansing", "environment", "11;12",
            path=(330, 340, 310, 300, 390, 340, 330, 325, 345, 352), season=SUMMER, noise=0.03,
            targets={"2020/21": (1050, 1200), "2021/22": (1000, 1150)}),
    Measure("SE04", SE, "Streets with unacceptable levels of litter",
            "Percentage of relevant land and highways surveyed that fall below grade B for litter (local environmental quality survey).",
            "percent", "lower", "quarterly", "mean", "Whitespace", "Waste and Cleansing", "environment", "11",
            path=(5.5, 6.2, 5.8, 5.0, 5.9, 5.8, 5.6, 5.2, 5.7, 5.6), noise=0.01,
            targets={"2020/21": (6.0, 9.0), "2021/22": (6.0, 8.5)}),
    Measure("SE05", SE, "Missed bin collections per 100,000 collections",
            "Reported missed collections (all waste streams) per 100,000 scheduled collections.",
            "rate_per_100k", "lower", "monthly", "ratio", "Whitespace", "Waste and Cleansing", "environment", "11",
            path=(48, 52, 55, 50, 78, 55, 50, 56, 52, 88), den=1650000, noise=0.04,
            targets={"2020/21": (60, 75), "2021/22": (55, 70)}),
    Measure("SE06", SE, "Public electric vehicle charge points",
            "Number of publicly available electric vehicle charge points on council land at the end of the period (cumulative).",
            "number", "higher", "quarterly", "last", "Asset register", "Transport and Sustainable Travel", "environment", "7;11;13",
            path=(38, 42, 45, 52, 56, 63, 71, 84, 96, 112), noise=0,
            phased={"2020/21": {"Q1": (55, None), "Q2": (62, None), "Q3": (70, None), "Q4": (85, None)},
                    "2021/22": {"Q1": (95, None), "Q2": (110, None), "Q3": (125, None), "Q4": (150, None)}}),
    Measure("SE07", SE, "Trees planted",
            "Number of trees planted on council land, year to date (planting season November to March).",
            "number", "higher", "quarterly", "sum", "Asset register", "Parks and Open Spaces", "environment", "13;15", ytd=True,
            path=(250, 180, 2600, 3500, 210, 230, 2300, 3400, 240, 190), noise=0.02,
            phased={"2020/21": {"Q1": (200, 150), "Q2": (400, 300), "Q3": (2500, 2000), "Q4": (6000, 5000)},
                    "2021/22": {"Q1": (200, 150), "Q2": (400, 300), "Q3": (2600, 2100), "Q4": (6500, 5400)}},
            forecasts=(("2020/21 Q2", "2020-10-16", 6100, "Planting runs from November to March: 5,700 trees are ordered for "
                        "the winter, 2,000 of them for the new community woodland at Canford Heath."),
                       ("2021/22 Q1", "2021-07-14", 6600, "Almost all planting is between November and March; 6,400 trees are "
                        "ordered for the winter, with volunteer planting days booked from December."))),
    # ---------------------------------------------------------------- Dynamic Places
    Measure("DP01", DP, "",
            "Net additions to the dwelling stock (new builds, conversions and changes of use, less demolitions) per 1,000 "
            "existing dwellings, financial year.",
            "rate_per_1000", "higher", "annual", "last",
            "MHCLG Live Table 122", "Housing Delivery", "real-official-statistics", "11", decimals=0,
            baseline_period="2020/21", real=("ons", "E06000058"),
            targets={"2020/21": (5, 3), "2021/22": (6, 3)}),
    Measure("DP02", DP, "Major planning applications determined in time",
            "Major planning applications decided within 13 weeks or an agreed extension of time, as a percentage of all major decisions.",
            "percent", "higher", "quarterly", "ratio", "Uniform", "Planning", "place", "11",
            explicit={"2019/20 Q1": (17, 19), "2019/20 Q2": (20, 22), "2019/20 Q3": (15, 18), "2019/20 Q4": (19, 21),
                      "2020/21 Q1": (14, 18), "2020/21 Q2": (18, 20), "2020/21 Q3": (20, 22), "2020/21 Q4": (18, 20),
                      "2021/22 Q1": (16, 18), "2021/22 Q2": (13, 19)},
            revisions=(("2020/21 Q4", "2021-06-09", "Revised: late returns; two March decisions were recorded late in Uniform.", (0, 2)),),
            targets={"2020/21": (85, 70), "2021/22": (85, 70)}),
    Measure("DP03", DP, "Minor planning applications determined in time",
            "Minor planning applications decided within 8 weeks or an agreed extension of time, as a percentage of all minor decisions.",
            "percent", "higher", "quarterly", "ratio", "Uniform", "Planning", "place", "11",
            path=(84, 86, 83, 85, 81.5, 82, 85, 86, 83, 76), den=280, noise=0.01,
            targets={"2020/21": (80, 70), "2021/22": (80, 70)}),
    Measure("DP04", DP, "Highway defects made safe within target time",
            "Category 1 and 2 highway defects made safe within the response time in "
            "the Highway Safety Inspection Policy, as a percentage of all defects due.",
            "percent", "higher", "monthly", "ratio", "Confirm", "Highways", "place", "9;11",
            path=(96, 97, 95.5, 94.5, 97, 96, 95, 95.6, 96.4, 95.8), den=610, noise=0.004,
            explicit={"2020-10": (570, 600), "2020-11": (608, 640), "2020-12": (581, 612)},
            targets={"2020/21": (95, 90), "2021/22": (95, 90)}),
    Measure("DP05", DP, "Car parking income",
            "Income from council car parks and on-street parking, year to date, in pounds.",
            "gbp", "higher", "monthly", "sum", "Oracle Fusion", "Parking Services", "place", "8;11", ytd=True, decimals=0,
            path=(1300000, 1450000, 1550000, 2000000, 2100000, 1350000, 1000000, 850000, 900000, 850000, 950000, 750000,
                  150000, 450000, 1100000, 2100000, 2300000, 1450000, 950000, 400000, 700000, 350000, 400000, 600000,
                  1050000, 1350000, 1600000, 2400000, 2500000, 1700000), noise=0.02,
            phased={"2020/21": {"Q1": (4200000, 3800000), "Q2": (9600000, 8600000),
                                "Q3": (12400000, 11200000), "Q4": (16000000, 14400000)},
                    "2021/22": {"Q1": (3000000, 2600000), "Q2": (8200000, 7200000),
                                "Q3": (10600000, 9400000), "Q4": (14000000, 12500000)}},
            forecasts=(("2020/21 Q2", "2020-10-09", 12900000, "Assumes income for October to March at its pre-pandemic level."),
                       ("2020/21 Q2", "2020-10-21", 11600000, "Revised down: with the local COVID alert levels from 14 October and "
                        "continued home working, town centre and commuter parking is assumed at three quarters of normal for the "
                        "rest of the year."),
                       ("2020/21 Q3", "2021-01-15", 11200000, "The third national lockdown from 6 January closes non-essential "
                        "shops; car parks are expected to stay almost empty until March."),
                       ("2021/22 Q1", "2021-07-16", 14800000, "A busy staycation summer is expected on the seafront; commuter "
                        "parking is assumed to stay about 30% below its pre-pandemic level all year."),
                       ("2021/22 Q2", "2021-10-15", 15400000, "A record summer: income to September is £2.4 million above profile. "
                        "October to March is assumed at 90% of its pre-pandemic level."))),
    Measure("DP06", DP, "Town centre footfall",
            "Average weekly footfall across Bournemouth, Christchurch and Poole "
            "town centre counters, as an index (same month of 2019 = 100).",
            "score", "none", "monthly", "mean", "Springboard", "Economic Development", "place", "8",
            path=(101, 100, 99, 82, 26, 64, 52, 31, 72, 94), noise=0.02),
    Measure("DP07", DP, "Affordable homes delivered",
            "Number of new affordable homes completed (social rent, affordable rent and shared ownership), year to date.",
            "number", "higher", "quarterly", "sum", "Housing delivery tracker", "Housing Delivery", "place", "1;11", ytd=True,
            path=(55, 70, 60, 85, 66, 44, 55, 93, 70, 60), noise=0,
            targets={"2020/21": (250, 180), "2021/22": (260, 190)},
            forecasts=(("2020/21 Q3", "2021-01-15", 255, "Two large schemes in Poole and Christchurch (86 homes between them) "
                        "and several small sites are due to complete by the end of March."),)),
    # ---------------------------------------------------------------- Connected Communities
    Measure("CC01", CC, "Anti-social behaviour incidents reported",
            "Number of anti-social behaviour incidents reported to the council's community safety team.",
            "number", "lower", "monthly", "sum", "ECINS", "Community Safety", "communities", "16",
            path=(520, 580, 470, 430, 690, 720, 560, 610, 580, 640), season=SUMMER, noise=0.03),
    Measure("CC02", CC, "Homelessness prevented",
            "Households whose prevention duty ended with accommodation secured for "
            "six months or more, as a percentage of all prevention duties ended.",
            "percent", "higher", "quarterly", "ratio", "Jigsaw", "Housing Options", "communities", "1;11", lag=1,
            path=(58, 61, 63, 61.5, 66, 64, 63, 63, 63, 65), den=225, noise=0.005,
            targets={"2019/20": (60, 50), "2020/21": (62, 52), "2021/22": (62, 52)}),
    Measure("CC03", CC, "Families in bed and breakfast for more than six weeks",
            "Households with dependent children or a pregnant member in bed and "
            "breakfast accommodation for more than six weeks, at the end of the month.",
            "number", "lower", "monthly", "last", "Jigsaw", "Housing Options", "communities", "1;11", disclosure_min=5,
            path=(2, 3, 1, 0, 2, 4, 3, 1, 0, 2, 4, 6, 9, 7, 8, 4, 3, 3, 2, 1, 0, 1, 2, 2, 3, 4, 5, 3, 1, 0), noise=0,
            targets=both(0, 5)),
    Measure("CC04", CC, "Library visits",
            "Physical visits to libraries plus digital visits (e-book, e-audio and online resource sessions) in the quarter.",
            "number", "higher", "quarterly", "sum", "Spydus", "Libraries", "communities", "4;10",
            path=(495000, 510000, 470000, 430000, 150000, 235000, 185000, 205000, 262000, 318000), noise=0.01,
            targets={"2020/21": (250000, 200000), "2021/22": (300000, 240000)}),
    Measure("CC05", CC, "People sleeping rough",
            "Number of people found sleeping rough on the last outreach count of the month.",
            "number", "lower", "monthly", "last", "Street outreach records", "Housing Options", "communities", "1;11",
            path=(30, 32, 28, 26, 24, 22, 25, 21, 18, 17, 15, 6, 4, 5, 7, 9, 11, 12, 14, 12, 10, 11, 9, 10, 12, 13, 11, 14, 15, 13),
            noise=0),
    Measure("CC06", CC, "Residents who feel safe outside after dark",
            "Percentage of residents who feel very or fairly safe outside in their local area after dark (annual residents' survey).",
            "percent", "higher", "annual", "mean", "Snap Surveys", "Insight, Policy and Performance", "communities", "11;16",
            explicit={"2019/20": 71.3, "2020/21": 70.5},
            revisions=(("2019/20", "2020-08-14", "Revised: survey weighting corrected to the 2019 mid-year population estimates.", 0.8),),
            targets={"2019/20": (72, 65), "2020/21": (72, 65), "2021/22": (73, 66)}),
    Measure("CC07", CC, "Domestic abuse cases heard at MARAC",
            "Number of high-risk domestic abuse cases discussed at the Multi-Agency Risk Assessment Conference.",
            "number", "none", "quarterly", "sum", "MARAC case tracker", "Community Safety", "communities", "5;16",
            path=(142, 150, 161, 148, 171, 176, 158, 166, 169, 174), noise=0.03),
    # ---------------------------------------------------------------- Brighter Futures
    Measure("BF01", BF, "",
            "Children in need at 31 March per 10,000 children aged under 18 (DfE children in need census).",
            "number", "none", "annual", "last", "DfE LAIT", "Children's Services", "real-official-statistics", "1;16", decimals=1,
            real=("lait", "CIN")),
    Measure("BF02", BF, "",
            "Initial child protection conferences held within 15 working days of the strategy discussion, as a percentage "
            "of all initial conferences.",
            "percent", "higher", "annual", "last", "DfE LAIT", "Children's Services", "real-official-statistics", "16",
            real=("lait", "CP_conf_15days"), targets={"2019/20": (90, 80), "2020/21": (90, 80), "2021/22": (90, 80)}),
    Measure("BF03", BF, "",
            "New education, health and care plans issued within 20 weeks, "
            "including exception cases (SEN2 return, calendar year).",
            "percent", "higher", "annual", "last", "DfE LAIT", "SEND Services", "real-official-statistics", "4;10",
            real=("lait", "SEN_EHC_All_20wks"), targets={"2019/20": (60, 45), "2020/21": (60, 45), "2021/22": (60, 45)}),
    Measure("BF04", BF, "",
            "Children who became the subject of a child protection plan for "
            "a second or subsequent time, as a percentage of all new plans.",
            "percent", "lower", "annual", "last", "DfE LAIT", "Children's Services", "real-official-statistics", "16",
            real=("lait", "PrevRegCPR"), targets={"2019/20": (20, 24), "2020/21": (20, 23), "2021/22": (20, 23)}),
    Measure("BF05", BF, "Referrals to children's social care with a decision within one working day",
            "Contacts accepted as referrals where the decision on next steps "
            "was made within one working day, as a percentage of all referrals.",
            "percent", "higher", "monthly", "ratio", "LiquidLogic", "Children's Services", "childrens-services", "16",
            path=(96, 97, 96, 95.5, 97, 96.5, 95.6, 95.8, 96, 97), den=455, noise=0.006,
            targets={"2020/21": (95, 85), "2021/22": (95, 85)}),
    Measure("BF06", BF, "Children's social care assessments completed within 45 working days",
            "Single assessments completed within 45 working days of the referral, as a percentage of all assessments completed.",
            "percent", "higher", "monthly", "ratio", "LiquidLogic", "Children's Services", "childrens-services", "16",
            path=(78, 80, 84, 86, 88, 86, 83, 87, 89, 87), den=380, noise=0.01,
            targets={"2020/21": (85, 75), "2021/22": (85, 75)}),
    Measure("BF07", BF, "Permanent exclusions from school",
            "Permanent exclusions from state-funded schools in the quarter per 1,000 pupils on roll.",
            "rate_per_1000", "lower", "quarterly", "ratio", "Capita One", "Education and Skills", "childrens-services", "4",
            decimals=2, disclosure_min=5,
            explicit={"2019/20 Q1": (6, 47850), "2019/20 Q2": (3, 47850), "2019/20 Q3": (8, 47850), "2019/20 Q4": (4, 47850),
                      "2020/21 Q1": (0, 48320), "2020/21 Q2": (2, 48320), "2020/21 Q3": (7, 48320), "2020/21 Q4": (1, 48320),
                      "2021/22 Q1": (4, 48760), "2021/22 Q2": (3, 48760)},
            targets=both(0.10, 0.20)),
    Measure("BF08", BF, "Young people aged 16-17 not in education, employment or training",
            "Percentage of 16 and 17 year olds who are not in education, employment "
            "or training, or whose activity is not known (monthly average).",
            "percent", "lower", "monthly", "mean", "Capita One (CCIS)", "Education and Skills", "childrens-services", "4;8", lag=1,
            path=(5.0, 7.5, 4.8, 4.6, 7.3, 7.9, 5.3, 5.3, 4.9, 6.9), noise=0.02,
            targets={"2019/20": (5.5, 7.0), "2020/21": (5.5, 7.0), "2021/22": (5.0, 6.5)}),
    # ---------------------------------------------------------------- Fulfilled Lives
    Measure("FL01", FL, "",
            "Older people (65+) who received short-term services during the year where no further request was made for "
            "ongoing support (ASCOF 2D).",
            "percent", "higher", "annual", "last", "NHS Digital SALT / Oflog", "Adult Social Care", "real-official-statistics", "3",
            real=("oflog", "ASC5"), targets={"2019/20": (78, 74), "2020/21": (78, 74), "2021/22": (80, 75)}),
    Measure("FL02", FL, "",
            "Requests for support from new clients that resulted in a service, per 100,000 adults (Oflog ASC6).",
            "rate_per_100k", "none", "annual", "last", "NHS Digital SALT / Oflog", "Adult Social Care", "real-official-statistics", "3;10",
            decimals=0, real=("oflog", "ASC6")),
    Measure("FL03", FL, "",
            "Staff turnover in the adult social care workforce in the area, "
        "percentage of posts per year (Skills for Care, Oflog ASC7).",
            "percent", "none", "annual", "last", "Skills for Care ASC-WDS / Oflog", "Adult Social Care", "real-official-statistics", "8",
            real=("oflog", "ASC7")),
    Measure("FL04", FL, "Permanent admissions of older people to residential and nursing care",
            "Council-funded permanent admissions of people aged 65 and over to residential and nursing care homes per 100,000 population "
            "aged 65 and over, year to date (ASCOF 2A).",
            "rate_per_100k", "lower", "quarterly", "sum", "Mosaic", "Adult Social Care", "adult-social-care", "3", ytd=True,
            path=(140, 142, 138, 150, 110, 130, 140, 145, 141, 148), noise=0.01,
            targets={"2020/21": (560, 620), "2021/22": (540, 600)},
            forecasts=(("2021/22 Q2", "2021-11-05", 610.0, "Sent after the half-year report's data were fixed: the placement "
                        "panel's review of September found more people waiting for a care home place than expected."),)),
    Measure("FL05", FL, "Safeguarding enquiries where risk was reduced or removed",
            "Concluded section 42 safeguarding enquiries where a risk was identified "
            "and was reduced or removed, as a percentage of those enquiries.",
            "percent", "higher", "quarterly", "ratio", "Mosaic", "Adult Social Care", "adult-social-care", "3;16",
            path=(88, 90, 91, 92, 93, 91, 92, 90.5, 92, 93), den=262, noise=0.005,
            targets=both(90, 85)),
    Measure("FL06", FL, "Average wait for a Care Act assessment",
            "Average number of days from first contact to the start of a Care Act assessment, for assessments started in the period.",
            "days", "lower", "monthly", "mean", "Mosaic", "Adult Social Care", "adult-social-care", "3",
            path=(24, 25, 26, 27, 22, 26, 29, 37, 39, 33), noise=0.02,
            quality={"2021-09": ("provisional", "Provisional: assessments started late in September are still being recorded.")},
            targets={"2020/21": (28, 35), "2021/22": (28, 35)}),
    Measure("FL07", FL, "Adults receiving direct payments",
            "People receiving long-term community support who receive it as a direct payment, percentage at the end of the period.",
            "percent", "higher", "monthly", "last", "Mosaic", "Adult Social Care", "adult-social-care", "10",
            path=(26.5, 26.8, 27.0, 27.2, 27.1, 27.4, 27.6, 27.9, 28.1, 28.3), noise=0.003,
            targets=both(27, 24)),
    Measure("FL08", FL, "Carers' assessments completed",
            "Number of carers' assessments and reviews completed in the period.",
            "number", "higher", "monthly", "sum", "Mosaic", "Adult Social Care", "adult-social-care", "3;5",
            path=(150, 145, 140, 160, 143, 150, 155, 165, 160, 158), noise=0.03, omit=("2020-11",),
            targets=both(420, 380)),
    # ---------------------------------------------------------------- Modern, Accessible and Accountable Council
    Measure("MC01", MC, "Council tax collected in year",
            "Council tax collected to date as a percentage of the year's net collectable debit.",
            "percent", "higher", "monthly", "last", "Civica Revenues", "Revenues and Benefits", "corporate", "16", ytd=True,
            path=_ct_path((97.4, 96.5, 97.3)), noise=0,
            phased={"2020/21": _ct_phased(97.5, 95.5, 2020), "2021/22": _ct_phased(97.0, 95.0, 2021)},
            forecasts=(("2020/21 Q3", "2021-01-20", 96.4, "Recovery action restarted in the autumn, but the January lockdown "
                        "means fewer court hearings for arrears before the year end."),
                       ("2021/22 Q2", "2021-10-20", 96.6, "Collection is on profile, but the end of the furlough scheme on "
                        "30 September and of the £20 Universal Credit uplift is expected to push more households into arrears "
                        "this winter."))),
    Measure("MC02", MC, "Time to process new Housing Benefit and Council Tax Reduction claims",
            "Average number of calendar days from receipt to decision for new Housing Benefit and Council Tax Reduction claims.",
            "days", "lower", "monthly", "mean", "Civica Revenues", "Revenues and Benefits", "corporate", "1;16",
            path=(19, 18, 20, 21, 24, 22.5, 19, 18, 17, 18), noise=0.02,
            revisions=(("2020-09", "2020-11-18", "Revised: late-processed September claims added.", 1.4),),
            targets={"2020/21": (20, 25), "2021/22": (19, 24)}, targets_agreed={"2021/22": "2021-02-10"},
            target_revisions=(("2021/22", "2021-09-08", 18, 22, "Revised by Cabinet on 8 September 2021 after the Department for "
                               "Work and Pensions' new speed of processing benchmark: the top quarter of councils now decide new "
                               "claims in 18 days or fewer."),),
            forecasts=(("2021/22 Q1", "2021-07-16", 18.5, "January to March is the busiest quarter for new claims, and more "
                        "are expected when the furlough scheme ends."),
                       ("2021/22 Q2", "2021-10-18", 18.5, "Unchanged: claims are rising since furlough ended, and January to "
                        "March is the busiest quarter."))),
    Measure("MC03", MC, "Calls answered by the customer contact centre",
            "Calls to the council's main contact centre numbers answered, as a percentage of calls offered.",
            "percent", "higher", "monthly", "ratio", "Genesys", "Customer Services", "corporate", "16",
            path=(91, 90, 92, 86, 78, 88, 91, 86, 91.5, 79), den=38000, noise=0.01,
            targets=both(90, 80)),
    Measure("MC04", MC, "Working days lost to sickness per employee",
            "Average working days lost to sickness absence per full-time equivalent employee, rolling 12 months.",
            "days", "lower", "quarterly", "last", "iTrent", "Human Resources", "corporate", "8",
            path=(10.2, 10.1, 10.0, 9.9, 9.1, 8.6, 8.3, 8.2, 8.7, 9.3), noise=0.005,
            quality={"2020/21 Q3": ("estimated", "Estimated: the iTrent upgrade delayed the sickness "
            "extract; figure estimated from manager returns.")},
            targets={"2020/21": (9.5, 11.0), "2021/22": (9.0, 10.5)}),
    Measure("MC05", MC, "Freedom of Information requests answered in time",
            "Freedom of Information and Environmental Information Regulations requests "
            "answered within 20 working days, as a percentage of requests due.",
            "percent", "higher", "quarterly", "ratio", "iCasework", "Information Governance", "corporate", "16",
            path=(85, 87, 89, 84, 84, 78, 90.8, 91, 92, 93), den=420, noise=0.005, omit=("2021/22 Q2",),
            targets=both(90, 80)),
    Measure("MC06", MC, "Undisputed invoices paid within 30 days",
            "Undisputed supplier invoices paid within 30 days of receipt, as a percentage of all undisputed invoices paid.",
            "percent", "higher", "monthly", "ratio", "Oracle Fusion", "Finance", "corporate", "8;16",
            path=(94, 95, 96, 93, 95.5, 96, 96.5, 96.2, 96.8, 97), den=9500, noise=0.004,
            targets=both(95, 90)),
    Measure("MC07", MC, "Savings delivered against the Medium Term Financial Plan",
            "Budget savings delivered, year to date, in pounds, against the savings built into the year's budget.",
            "gbp", "higher", "quarterly", "sum", "Oracle Fusion", "Finance", "corporate", "16", ytd=True, decimals=0,
            path=(3500000, 4200000, 4000000, 5100000, 3600000, 4600000, 4900000, 4600000, 3200000, 3100000), noise=0,
            targets={"2020/21": (17000000, 14000000), "2021/22": (12000000, 10000000)},
            forecasts=(("2020/21 Q2", "2020-10-20", 17300000, "The senior management restructure and the office closures "
                        "(£2.4 million between them) deliver their savings in the second half of the year."),
                       ("2021/22 Q2", "2021-10-19", 11200000, "£0.8 million of adult social care savings slip to 2022/23 because "
                        "the new care model now starts in April 2022; all other savings are on track."))),
    Measure("MC08", MC, "Staff engagement index",
            "Overall engagement score from the annual staff survey, on a 0-100 scale.",
            "score", "higher", "annual", "mean", "Staff survey (Snap Surveys)", "Human Resources", "corporate", "8", decimals=0,
            explicit={"2019/20": 64, "2020/21": 68},
            targets={"2019/20": (63, 58), "2020/21": (66, 60), "2021/22": (68, 62)},
            forecasts=(("2020/21 Q2", "2020-10-16", 67, "From the September pulse survey of 1,200 staff; the full staff survey "
                        "runs in February."),
                       ("2021/22 Q2", "2021-10-15", 66, "The September pulse survey shows engagement two points down on the "
                        "2020/21 survey as staff return to the offices."))),
    Measure("MC09", MC, "Critical ICT security vulnerabilities outstanding",
            "Number of critical-severity vulnerabilities on council systems unpatched beyond 14 days, at the end of the month.",
            "number", "lower", "monthly", "last", "Microsoft Defender for Endpoint", "IT and Programmes", "corporate", "9;16",
            public=False, path=(34, 28, 22, 18, 9, 8, 7, 6, 6, 31), noise=0.05,
            targets=both(10, 25)),
    Measure("MC10", MC, "Customer contacts completed online",
            "Requests for service, applications and payments completed through the council's website and My BCP account, "
            "as a percentage of all such contacts by web, phone and face to face. New in 2021/22 with the Digital Strategy.",
            "percent", "higher", "monthly", "ratio", "Granicus (My BCP)", "Customer Services", "corporate", "16",
            start="2021-04", path=(None,) * 8 + (57.0, 61.5), den=52000, noise=0.01,
            targets={"2021/22": (60, 50)}),
]
# fmt: on

LATE_FORECAST = ("FL04", "2021/22 Q2")
"""The one forecast supplied after its quarter's returns_due, and after that report's data_as_at: the report must not use it."""

# Publication schedule of the real annual figures: fy -> [(reported_on, quality, note)].
# 2019/20 and 2020/21 figures must be visible to the reports that expect them
# (data_as_at 2020-07-31 and 2021-04-30), so the council's own provisional
# figure from its statutory return comes first; the national publication
# (approximate date) then confirms it.
# fmt: off
_SALT = {
    2019: [("2020-07-17", "provisional", "Provisional: from the council's SALT return; national publication due October 2020."),
           ("2020-10-22", "validated", "Confirmed by the national publication.")],
    2020: [("2021-04-23", "provisional", "Provisional: year-end figure from Mosaic ahead of the SALT return."),
           ("2021-10-14", "validated", "Confirmed by the national publication.")],
}
_CIN = {
    2019: [("2020-07-24", "provisional", "Provisional: from the council's children in need census return."),
           ("2020-10-29", "validated", "Confirmed by the DfE children in need statistics.")],
    2020: [("2021-04-22", "provisional", "Provisional: year-end figure from LiquidLogic ahead of the census return."),
           ("2021-10-28", "validated", "Confirmed by the DfE children in need statistics.")],
}
_SEN2 = {
    2019: [("2020-06-11", "validated", "Calendar year 2019 (DfE SEN2 statistics).")],
    2020: [("2021-04-16", "provisional", "Provisional: calendar year 2020, from the council's SEN2 return."),
           ("2021-06-10", "validated", "Calendar year 2020; confirmed by the DfE SEN2 statistics.")],
}
_ASC7 = {
    2019: [("2020-07-17", "provisional", "Provisional: Skills for Care ASC-WDS dashboard figure."),
           ("2020-10-15", "validated", "Confirmed by the Skills for Care workforce report.")],
    2020: [("2021-04-23", "provisional", "Provisional: Skills for Care ASC-WDS dashboard figure."),
           ("2021-10-13", "validated", "Confirmed by the Skills for Care workforce report.")],
}
REAL_SCHEDULE = {
    ("ons", "E06000058"): {2020: [("2021-05-20", "provisional", "Provisional: the council's housing monitoring return."),
                                  ("2021-11-25", "validated", "MHCLG net additional dwellings statistics, 2020-21.")]},
    ("oflog", "ASC5"): _SALT,
    ("oflog", "ASC6"): _SALT,
    ("oflog", "ASC7"): _ASC7,
    ("lait", "CIN"): _CIN,
    ("lait", "CP_conf_15days"): _CIN,
    ("lait", "PrevRegCPR"): _CIN,
    ("lait", "SEN_EHC_All_20wks"): _SEN2,
}
# fmt: on
