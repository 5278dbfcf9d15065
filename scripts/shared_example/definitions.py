"""One framework, one definition: the measures of the Chorley and South Ribble example, as data.

``SHARED`` are the shared services' measures, defined once and written with
the same definition, unit, polarity, frequency, aggregation, ytd, lag and
decimals into both councils' ``measures.csv``. ``CHORLEY_OWN`` and
``SOUTH_RIBBLE_OWN`` are each council's own measures. What differs between
the councils (figures, targets, publication, suppression) is in
``shared_example.councils``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """The columns of a measures.csv row that the framework fixes."""

    id: str
    name: str
    definition: str
    unit: str
    polarity: str
    frequency: str
    aggregation: str
    source_system: str
    owner: str
    sdgs: str = ""
    service: str = ""  # shared_service: blank for a council's own measure
    ytd: bool = False
    lag: int = 0
    decimals: int | None = None
    real: str = ""  # an ONS area code: the figures are real (ONS Explore Local Statistics)

    @property
    def dp(self) -> int:
        """Display decimals: the contract's default is 0 for number, 1 otherwise."""
        if self.decimals is not None:
            return self.decimals
        return 0 if self.unit == "number" else 1


ICT, RB, CS, GV, TP = "ICT", "Revenues and Benefits", "Customer Services", "Governance", "Transformation and Partnerships"
D = Definition

# fmt: off
SHARED = [
    D("ICT01", "ICT service desk incidents resolved within target time",
      "Incidents logged with the shared ICT service desk that were resolved within the target time for their priority, "
      "as a percentage of incidents resolved in the period.",
      "percent", "higher", "monthly", "ratio", "Hornbill Service Manager", "Shared ICT Services", "16", ICT),
    D("ICT02", "Availability of core ICT systems",
      "Average monthly availability of the core line-of-business systems in supported hours, as a percentage of supported hours.",
      "percent", "higher", "monthly", "mean", "SolarWinds monitoring", "Shared ICT Services", "9;16", ICT, decimals=2),
    D("ICT03", "Critical security vulnerabilities outstanding",
      "Critical-rated security vulnerabilities on the council's devices and servers not remediated at the end of the quarter.",
      "number", "lower", "quarterly", "last", "Microsoft Defender for Endpoint", "Shared ICT Services", "16", ICT),
    D("ICT04", "Personal data breaches reported to the Information Commissioner",
      "Personal data breaches that met the threshold for reporting to the Information Commissioner's Office in the quarter.",
      "number", "lower", "quarterly", "sum", "Information governance log", "Shared ICT Services", "16", ICT),
    D("RB01", "Council tax collected in year",
      "Council tax received for the current year to the end of the quarter, as a percentage of the year's net collectable debit.",
      "percent", "higher", "quarterly", "ratio", "Civica OpenRevenues", "Shared Revenues and Benefits", "16;17", RB),
    D("RB02", "Business rates collected in year",
      "Non-domestic rates received for the current year to the end of the quarter, as a percentage of the year's net collectable debit.",
      "percent", "higher", "quarterly", "ratio", "Civica OpenRevenues", "Shared Revenues and Benefits", "8;17", RB),
    D("RB03", "Average days to process new Housing Benefit claims",
      "Calendar days from receipt to decision of new Housing Benefit claims decided in the period: total days divided by claims decided.",
      "days", "lower", "monthly", "ratio", "Civica OpenRevenues", "Shared Revenues and Benefits", "1;10", RB),
    D("RB04", "Average days to process changes of circumstances",
      "Calendar days from notification to decision of Housing Benefit and Council Tax Support changes of circumstances "
      "decided in the period: total days divided by changes decided.",
      "days", "lower", "monthly", "ratio", "Civica OpenRevenues", "Shared Revenues and Benefits", "1;10", RB),
    D("RB05", "Housing Benefit overpayments recovered",
      "Housing Benefit overpayments recovered, in pounds, year to date.",
      "gbp", "higher", "quarterly", "sum", "Civica OpenRevenues", "Shared Revenues and Benefits", "16", RB, ytd=True, decimals=0),
    D("CS01", "Calls answered by the customer contact centre",
      "Calls to the shared customer contact centre answered, as a percentage of calls offered.",
      "percent", "higher", "monthly", "ratio", "Mitel MiContact Center", "Shared Customer Services", "16", CS),
    D("CS02", "Average time to answer a call (seconds)",
      "Average wait in seconds before a call to the customer contact centre is answered (monthly averages, averaged over the quarter).",
      "number", "lower", "monthly", "mean", "Mitel MiContact Center", "Shared Customer Services", "16", CS),
    D("CS03", "Customer requests completed online",
      "Service requests and applications submitted and completed through the council's online forms in the quarter.",
      "number", "higher", "quarterly", "sum", "Firmstep customer portal", "Shared Customer Services", "9;16", CS),
    D("GV01", "Freedom of Information requests answered within 20 working days",
      "Freedom of Information and Environmental Information Regulations requests answered within 20 working days, "
      "as a percentage of requests due in the quarter.",
      "percent", "higher", "quarterly", "ratio", "iCasework", "Shared Governance", "16", GV),
    D("TP01", "Shared transformation projects on track",
      "Projects in the shared transformation programme rated green (on time, on budget) at the end of the quarter, "
      "as a percentage of live projects.",
      "percent", "higher", "quarterly", "ratio", "Programme management office tracker", "Shared Transformation and Partnerships",
      "9;17", TP),
]

ELS_DEFINITION = ("Net additions to the dwelling stock (new builds, conversions and changes of use, less demolitions) per 1,000 "
                  "existing dwellings, financial year, as published by ONS Explore Local Statistics from MHCLG Live Table 122.")

CHORLEY_OWN = [
    D("CH01", "Net additional dwellings per 1,000 stock", ELS_DEFINITION,
      "rate_per_1000", "higher", "annual", "last", "MHCLG Live Table 122", "Planning Policy", "11", decimals=0, real="E07000118"),
    D("CH02", "Affordable homes delivered",
      "Affordable homes (social rent, affordable rent and shared ownership) completed in the borough, year to date.",
      "number", "higher", "quarterly", "sum", "Housing delivery tracker", "Strategic Housing", "1;11", ytd=True),
    D("CH03", "Households in bed and breakfast for more than six weeks",
      "Households with children or a pregnant member placed in bed and breakfast accommodation for more than six weeks "
      "at the end of the quarter.",
      "number", "lower", "quarterly", "last", "Abritas housing options", "Housing Options", "1;11"),
    D("CH04", "Household waste sent for reuse, recycling and composting",
      "Household waste sent for reuse, recycling or composting as a percentage of household waste collected (WasteDataFlow; "
      "a quarter in arrears).",
      "percent", "higher", "quarterly", "ratio", "WasteDataFlow", "Waste and Streetscene", "11;12", lag=1),
    D("CH05", "Fly-tipping incidents reported",
      "Fly-tipping incidents reported to or found by the council in the period.",
      "number", "lower", "monthly", "sum", "Bartec Collective", "Waste and Streetscene", "11;12"),
    D("CH06", "Major planning applications determined in time",
      "Major planning applications decided within 13 weeks or an agreed extension of time, as a percentage of major decisions.",
      "percent", "higher", "quarterly", "ratio", "Idox Uniform", "Development Management", "11"),
    D("CH07", "Market Walk units occupied",
      "Units let in the council-owned Market Walk shopping centre at the end of the quarter, as a percentage of lettable units.",
      "percent", "higher", "quarterly", "last", "Property management system", "Property and Regeneration", "8;11"),
    D("CH08", "Leisure centre visits",
      "Visits to the council's leisure centres, year to date.",
      "number", "higher", "monthly", "sum", "Leisure management system", "Leisure and Wellbeing", "3", ytd=True),
    D("CH09", "Residents satisfied with their local area as a place to live",
      "Residents satisfied with their local area as a place to live, annual residents' survey (weighted percentage).",
      "percent", "higher", "annual", "last", "Residents' survey", "Communications and Engagement", "11;16"),
]

SOUTH_RIBBLE_OWN = [
    D("SR01", "Net additional dwellings per 1,000 stock", ELS_DEFINITION,
      "rate_per_1000", "higher", "annual", "last", "MHCLG Live Table 122", "Planning Policy", "11", decimals=0, real="E07000126"),
    D("SR02", "Affordable homes delivered",
      "Affordable homes (social rent, affordable rent and shared ownership) completed in the borough, year to date.",
      "number", "higher", "quarterly", "sum", "Housing delivery tracker", "Housing", "1;11", ytd=True),
    D("SR03", "Household waste sent for reuse, recycling and composting",
      "Household waste sent for reuse, recycling or composting as a percentage of household waste collected (WasteDataFlow; "
      "a quarter in arrears).",
      "percent", "higher", "quarterly", "ratio", "WasteDataFlow", "Neighbourhoods", "11;12", lag=1),
    D("SR04", "Missed bin collections per 100,000 collections",
      "Reported missed collections (all waste streams) per 100,000 scheduled collections.",
      "rate_per_100k", "lower", "monthly", "ratio", "Whitespace", "Neighbourhoods", "11"),
    D("SR05", "Minor planning applications determined in time",
      "Minor planning applications decided within 8 weeks or an agreed extension of time, as a percentage of minor decisions.",
      "percent", "higher", "quarterly", "ratio", "Idox Uniform", "Development Management", "11"),
    D("SR06", "Leisure centre visits",
      "Visits to the council's leisure centres in the period.",
      "number", "higher", "monthly", "sum", "Leisure management system", "Leisure", "3"),
    D("SR07", "Households prevented from becoming homeless",
      "Households whose homelessness was prevented or relieved (prevention and relief duties ended with accommodation secured) "
      "in the quarter.",
      "number", "higher", "quarterly", "sum", "Abritas housing options", "Housing Options", "1;11"),
    D("SR08", "Residents satisfied with their local area as a place to live",
      "Residents satisfied with their local area as a place to live, annual residents' survey (weighted percentage).",
      "percent", "higher", "annual", "last", "Residents' survey", "Communications", "11;16"),
]
# fmt: on
