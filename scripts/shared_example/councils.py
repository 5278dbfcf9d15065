"""Each council's side of the example: plans, and for every measure its figures' path, targets and publication.

Paths give the underlying level for each quarter from 2023/24 Q1 to 2025/26
Q2 (10 values), or each year 2022/23 to 2024/25 (3 values) for annual
measures; ``shared_example.figures`` adds seeded noise and seasonality.
Levels and targets were tuned together (``make_shared_example.py`` prints
each report quarter's statuses) for a realistic mix under the councils'
5% tolerance. Every figure, target and word of commentary here is
illustrative, except the net additional dwellings (``real`` in the
definition), which are read from ONS Explore Local Statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared_example.definitions import CHORLEY_OWN, SHARED, SOUTH_RIBBLE_OWN, Definition


@dataclass
class Figures:
    """One council's figures and targets for one measure."""

    plan: str
    path: tuple = ()
    den: float = 0.0  # ratio measures: typical denominator per period
    noise: float = 0.015
    den_noise: float = 0.05  # 0: a fixed denominator (a year's collectable debit), growing 5% a year
    season: tuple | None = None  # 12 multipliers, April..March (a ratio's denominator, else the value)
    explicit: dict = field(default_factory=dict)  # period code -> value or (numerator, denominator)
    quality: dict = field(default_factory=dict)  # period code -> (quality, note)
    revisions: tuple = ()  # (period code, reported_on, note, delta value or (d_num, d_den))
    targets: dict = field(default_factory=dict)  # year -> (target, intervention or None)
    phased: dict = field(default_factory=dict)  # year -> {"Q1": (target, intervention or None)}
    public: bool = True
    disclosure_min: int = 0


@dataclass
class Council:
    id: str
    name: str
    short_name: str
    area_code: str
    contact_url: str
    title: str  # of its quarterly report
    meeting: str
    meeting_weekday: int  # 0 = Monday: the meeting is on this weekday, two weeks or more after data_as_at
    plans: list
    measures: list  # (Definition, Figures)
    els_dates: dict  # financial year -> (provisional reported_on, validated reported_on)
    commentary: list  # (measure_id, quarter, commentary, action, action_owner, action_due)


Y = ("2024/25", "2025/26")
YA = ("2023/24", "2024/25", "2025/26")  # annual and lagged measures are judged on 2023/24 in 2024/25 reports


def every(t, i=None, years=Y) -> dict:
    return {y: (t, i) for y in years}


def quarters(q1, q2, q3, q4, years=Y) -> dict:
    return {y: {"Q1": (q1, None), "Q2": (q2, None), "Q3": (q3, None), "Q4": (q4, None)} for y in years}


CALLS = (1.35, 1.05, 1.0, 0.95, 0.9, 0.95, 1.0, 0.95, 0.8, 1.05, 1.0, 1.15)  # annual bills in April, reminders in March
VISITS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.95, 1.0, 1.0, 0.8, 1.25, 1.1, 1.05)  # January resolutions, August holidays
SUMMER = (0.95, 1.0, 1.05, 1.1, 1.1, 1.0, 0.95, 0.9, 0.95, 0.95, 0.95, 1.1)
SS = "shared-services"
F = Figures

# fmt: off
CHORLEY_SHARED = {
    "ICT01": F(SS, (88, 89, 90, 91, 91, 92, 92.5, 93, 93.5, 94), den=520, noise=0.01, targets=every(90) | {"2025/26": (92, None)}),
    "ICT02": F(SS, (99.8,) * 10, noise=0.0008, targets=every(99.5)),
    "ICT03": F(SS, explicit=dict(zip(["2023/24 Q1", "2023/24 Q2", "2023/24 Q3", "2023/24 Q4", "2024/25 Q1", "2024/25 Q2",
                                     "2024/25 Q3", "2024/25 Q4", "2025/26 Q1", "2025/26 Q2"], [6, 5, 4, 4, 3, 4, 7, 5, 4, 3], strict=True)),
               targets=every(5), public=False),
    "ICT04": F(SS, explicit={"2023/24 Q1": 1, "2023/24 Q2": 0, "2023/24 Q3": 2, "2023/24 Q4": 1, "2024/25 Q1": 0, "2024/25 Q2": 1,
                             "2024/25 Q3": 3, "2024/25 Q4": 0, "2025/26 Q1": 0, "2025/26 Q2": 3}, disclosure_min=5),
    "RB01": F(SS, (29.3, 57.4, 85.6, 97.9, 29.1, 57.2, 85.3, 97.7, 28.9, 56.8), den=83_900_000, noise=0.001, den_noise=0,
              phased=quarters(29.0, 57.0, 85.0, 97.5)),
    "RB02": F(SS, (28.4, 56.6, 84.8, 98.4, 28.2, 56.3, 82.9, 98.1, 28.5, 56.4), den=38_200_000, noise=0.001, den_noise=0,
              phased=quarters(28.0, 56.0, 84.0, 98.0)),
    "RB03": F(SS, (17, 17, 16, 16, 17, 18, 19, 17, 16, 17), den=32, noise=0.04, targets={"2024/25": (20, None), "2025/26": (18, None)},
              revisions=(("2024-08", "2024-10-21", "Revised: three claims decided in August were back-dated in the system.", (41, 3)),)),
    "RB04": F(SS, (6.5, 7, 7.5, 6, 6.2, 7.1, 8.2, 6.5, 6, 6.3), den=950, noise=0.02, targets=every(8)),
    "RB05": F(SS, (88_000, 91_000, 86_000, 95_000, 92_000, 87_000, 90_000, 96_000, 84_000, 86_000), noise=0.03,
              targets={"2024/25": (350_000, None), "2025/26": (330_000, None)}),
    "CS01": F(SS, (91, 90, 92, 93, 92, 91, 90.5, 89, 84, 83), den=9_800, noise=0.004, season=CALLS, targets=every(90),
              quality={"2025-09": ("provisional", "Provisional: the telephony report for September had not been reconciled.")}),
    "CS02": F(SS, (95, 100, 90, 85, 90, 100, 105, 112, 170, 180), noise=0.04, targets=every(120)),
    "CS03": F(SS, (13_200, 13_600, 13_100, 14_300, 14_600, 15_100, 14_400, 15_600, 16_400, 16_900), noise=0.02,
              targets={"2024/25": (14_500, None), "2025/26": (16_000, None)}),
    "GV01": F(SS, (92, 93, 91, 94, 95, 93, 92, 94, 95, 96), den=120, noise=0.01, targets=every(90)),
    "TP01": F(SS, explicit={"2023/24 Q1": (9, 12), "2023/24 Q2": (10, 12), "2023/24 Q3": (10, 13), "2023/24 Q4": (11, 13),
                            "2024/25 Q1": (11, 14), "2024/25 Q2": (12, 14), "2024/25 Q3": (10, 14), "2024/25 Q4": (12, 15),
                            "2025/26 Q1": (13, 15), "2025/26 Q2": (12, 15)}, targets=every(80)),
}

SOUTH_RIBBLE_SHARED = {
    "ICT01": F(SS, (86, 87, 88, 88.5, 89, 89.5, 90.5, 91, 91, 91.5), den=410, noise=0.01,
               targets=every(90) | {"2025/26": (92, None)}),
    "ICT02": F(SS, (99.7, 99.7, 99.7, 99.7, 99.7, 99.7, 99.2, 99.7, 99.75, 99.8), noise=0.0008, targets=every(99.5)),
    "ICT03": F(SS, explicit=dict(zip(["2023/24 Q1", "2023/24 Q2", "2023/24 Q3", "2023/24 Q4", "2024/25 Q1", "2024/25 Q2",
                                     "2024/25 Q3", "2024/25 Q4", "2025/26 Q1", "2025/26 Q2"], [7, 6, 5, 5, 4, 5, 5, 4, 3, 3], strict=True)),
               targets=every(5)),
    "ICT04": F(SS, explicit={"2023/24 Q1": 0, "2023/24 Q2": 1, "2023/24 Q3": 1, "2023/24 Q4": 0, "2024/25 Q1": 2, "2024/25 Q2": 0,
                             "2024/25 Q3": 1, "2024/25 Q4": 1, "2025/26 Q1": 2, "2025/26 Q2": 3}, disclosure_min=5),
    "RB01": F(SS, (28.6, 56.5, 84.7, 97.4, 28.8, 56.9, 85.1, 97.6, 29.2, 57.3), den=79_200_000, noise=0.001, den_noise=0,
              phased=quarters(29.0, 57.0, 85.0, 97.5)),
    "RB02": F(SS, (28.1, 56.2, 84.3, 98.2, 28.3, 52.6, 83.1, 97.9, 28.6, 56.7), den=35_900_000, noise=0.001, den_noise=0,
              phased=quarters(28.0, 56.0, 84.0, 98.0)),
    "RB03": F(SS, (19, 20, 21, 20, 19, 22.5, 24, 20.5, 18.2, 17.5), den=28, noise=0.03,
              targets={"2024/25": (20, None), "2025/26": (18, None)}),
    "RB04": F(SS, (7, 7.2, 7.5, 7, 6.8, 7.4, 7.8, 7.2, 7.0, 6.9), den=870, noise=0.02, targets=every(8)),
    "RB05": F(SS, (79_000, 76_000, 81_000, 84_000, 80_000, 78_000, 83_000, 85_000, 74_000, 79_000), noise=0.03,
              targets={"2024/25": (320_000, None), "2025/26": (300_000, None)}),
    "CS01": F(SS, (88, 89, 90, 91, 91, 92, 91.5, 91, 90.5, 91), den=8_200, noise=0.004, season=CALLS, targets=every(90)),
    "CS02": F(SS, (110, 105, 100, 100, 95, 100, 110, 105, 100, 98), noise=0.04, targets=every(120)),
    "CS03": F(SS, (11_800, 12_100, 11_900, 12_800, 12_600, 13_300, 12_900, 13_800, 14_200, 14_700), noise=0.02,
              targets={"2024/25": (13_000, None), "2025/26": (14_000, None)}),
    "GV01": F(SS, (88, 86, 84, 87, 86.5, 83, 86, 88, 89, 91), den=105, noise=0.01, targets=every(90)),
    "TP01": F(SS, explicit={"2023/24 Q1": (7, 10), "2023/24 Q2": (8, 10), "2023/24 Q3": (8, 11), "2023/24 Q4": (9, 11),
                            "2024/25 Q1": (10, 12), "2024/25 Q2": (11, 13), "2024/25 Q3": (10, 12), "2024/25 Q4": (10, 13),
                            "2025/26 Q1": (11, 13), "2025/26 Q2": (12, 13)}, targets=every(80)),
}

CHORLEY_FIGURES = CHORLEY_SHARED | {
    "CH01": F("housing", targets=every(6, years=YA)),
    "CH02": F("housing", explicit={"2023/24 Q1": 18, "2023/24 Q2": 22, "2023/24 Q3": 30, "2023/24 Q4": 35, "2024/25 Q1": 24,
                                   "2024/25 Q2": 26, "2024/25 Q3": 21, "2024/25 Q4": 38, "2025/26 Q1": 27, "2025/26 Q2": 30},
              targets={"2024/25": (100, None), "2025/26": (110, None)}),
    "CH03": F("housing", explicit={"2023/24 Q1": 2, "2023/24 Q2": 3, "2023/24 Q3": 1, "2023/24 Q4": 0, "2024/25 Q1": 2,
                                   "2024/25 Q2": 4, "2024/25 Q3": 2, "2024/25 Q4": 1, "2025/26 Q1": 0, "2025/26 Q2": 2},
              targets=every(2), disclosure_min=5),
    "CH04": F("green", (46, 48, 40, 38, 45, 47, 41.5, 39, 46.5, 48), den=11_500, noise=0.004,
              phased=quarters(46, 48, 41, 38, years=YA)),
    "CH05": F("green", (62, 60, 55, 58, 64, 61, 57, 55, 59, 60), noise=0.06, season=SUMMER),
    "CH06": F("economy", explicit={"2023/24 Q1": (5, 6), "2023/24 Q2": (7, 7), "2023/24 Q3": (4, 5), "2023/24 Q4": (6, 6),
                                   "2024/25 Q1": (6, 7), "2024/25 Q2": (8, 8), "2024/25 Q3": (5, 6), "2024/25 Q4": (7, 8),
                                   "2025/26 Q1": (6, 6), "2025/26 Q2": (9, 10)}, targets=every(80)),
    "CH07": F("economy", (96, 95, 94, 94, 94, 93, 90, 92, 93.5, 95.5), noise=0, targets=every(95)),
    "CH08": F("communities", (46_000, 45_000, 47_000, 48_500, 47_000, 46_500, 47_500, 49_000, 48_000, 46_000), noise=0.02,
              season=VISITS,  # phased on the seasonal profile: a year's even phasing would flag every summer
              phased={"2024/25": {"Q1": (134_000, None), "Q2": (257_000, None), "Q3": (389_000, None), "Q4": (550_000, None)},
                      "2025/26": {"Q1": (136_000, None), "Q2": (259_000, None), "Q3": (393_000, None), "Q4": (555_000, None)}}),
    "CH09": F("communities", explicit={"2022/23": 78.4, "2023/24": 80.1, "2024/25": 77.2}, targets=every(80, years=YA)),
}

SOUTH_RIBBLE_FIGURES = SOUTH_RIBBLE_SHARED | {
    "SR01": F("good-homes-green-spaces", targets=every(9, years=YA)),
    "SR02": F("good-homes-green-spaces", explicit={"2023/24 Q1": 15, "2023/24 Q2": 20, "2023/24 Q3": 18, "2023/24 Q4": 25,
                                                   "2024/25 Q1": 22, "2024/25 Q2": 17, "2024/25 Q3": 20, "2024/25 Q4": 28,
                                                   "2025/26 Q1": 25, "2025/26 Q2": 21},
              targets={"2024/25": (80, None), "2025/26": (90, None)}),
    "SR03": F("good-homes-green-spaces", (44, 46, 39, 37, 43.5, 45, 38.5, 35, 44, 46), den=10_800, noise=0.004,
              phased=quarters(45, 47, 40, 38, years=YA)),
    "SR04": F("good-homes-green-spaces", (55, 60, 70, 65, 58, 62, 85, 66, 60, 57), den=190_000, noise=0.05, targets=every(70)),
    "SR05": F("fair-local-economy", (85, 87, 84, 88, 86, 79, 85, 88, 89, 90), den=45, noise=0.01, targets=every(80)),
    "SR06": F("thriving-communities", (38_000, 37_000, 38_500, 40_000, 39_000, 38_000, 39_500, 41_000, 40_500, 39_000),
              noise=0.02, season=VISITS),
    "SR07": F("thriving-communities", explicit={"2023/24 Q1": 38, "2023/24 Q2": 42, "2023/24 Q3": 45, "2023/24 Q4": 40,
                                                "2024/25 Q1": 44, "2024/25 Q2": 41, "2024/25 Q3": 41, "2024/25 Q4": 43,
                                                "2025/26 Q1": 45, "2025/26 Q2": 47}, targets=every(40)),
    "SR08": F("thriving-communities", explicit={"2022/23": 81.2, "2023/24": 79.5, "2024/25": 82.0}, targets=every(80, years=YA)),
}

CHORLEY_PLANS = [
    # plan_id, name, description, portfolio holder, lead officer, sdgs
    ("housing", "Housing where residents can live well",
     "Enough good-quality, affordable homes, and help for people at risk of homelessness.",
     "Executive Member for Homes and Housing", "Director of Planning and Property", "1;11"),
    ("green", "A green and sustainable borough",
     "Clean streets, less waste and more recycling, on the way to net zero.",
     "Executive Member for Resources", "Director of Customer and Digital", "11;12;13"),
    ("economy", "An enterprising economy with vibrant local centres in urban and rural areas",
     "A thriving town centre and local centres, and timely planning decisions for growth.",
     "Executive Member for Planning and Development", "Director of Planning and Property", "8;9;11"),
    ("communities", "Healthy, safe and engaged communities",
     "Active, healthy residents who are proud of where they live.",
     "Executive Member for Early Intervention", "Director of Communities", "3;11;16"),
    (SS, "Shared services",
     "Services Chorley Council delivers with South Ribble Borough Council under one performance framework.",
     "Leader of the Council", "Chief Executive", "16;17"),
]

SOUTH_RIBBLE_PLANS = [
    ("thriving-communities", "Thriving communities",
     "Active, healthy and safe communities, with help for people who need it most.",
     "Cabinet Member for Health, Wellbeing and Leisure", "Director of Communities", "1;3;11"),
    ("good-homes-green-spaces", "Good homes, green spaces, healthy places",
     "Homes people can afford, and clean, green neighbourhoods.",
     "Cabinet Member for Planning, Regeneration and Housing", "Director of Planning and Development", "11;12;13"),
    ("fair-local-economy", "A fair local economy that works for everyone",
     "Timely planning decisions and growth that benefits local people.",
     "Cabinet Member for Finance and Property", "Director of Planning and Development", "8;9"),
    (SS, "Shared services",
     "Services South Ribble Borough Council delivers with Chorley Council under one performance framework.",
     "Leader of the Council", "Chief Executive", "16;17"),
]
# fmt: on


def _measures(own: list[Definition], figures: dict[str, Figures]) -> list[tuple[Definition, Figures]]:
    """Own measures first, then the shared ones, in definition order; every definition must have figures and vice versa."""
    defs = own + SHARED
    if {d.id for d in defs} != set(figures):
        raise SystemExit(f"definitions and figures differ: {sorted({d.id for d in defs} ^ set(figures))}")
    return [(d, figures[d.id]) for d in defs]


def councils() -> list[Council]:
    from shared_example.text import CHORLEY_COMMENTARY, SOUTH_RIBBLE_COMMENTARY

    return [
        Council(
            "chorley",
            "Chorley Council",
            "Chorley",
            "E07000118",
            "https://chorley.gov.uk/",
            "Quarterly Performance Report",
            "Executive Cabinet",
            3,
            CHORLEY_PLANS,
            _measures(CHORLEY_OWN, CHORLEY_FIGURES),
            {2022: ("2023-05-18", "2023-11-23"), 2023: ("2024-05-16", "2024-11-28"), 2024: ("2025-05-15", "2025-11-27")},
            CHORLEY_COMMENTARY,
        ),
        Council(
            "south-ribble",
            "South Ribble Borough Council",
            "South Ribble",
            "E07000126",
            "https://www.southribble.gov.uk/",
            "Corporate Performance Report",
            "Cabinet",
            2,
            SOUTH_RIBBLE_PLANS,
            _measures(SOUTH_RIBBLE_OWN, SOUTH_RIBBLE_FIGURES),
            {2022: ("2023-05-22", "2023-11-23"), 2023: ("2024-05-20", "2024-11-28"), 2024: ("2025-05-19", "2025-11-27")},
            SOUTH_RIBBLE_COMMENTARY,
        ),
    ]
