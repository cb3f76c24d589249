"""The fifteen datasets of the five source systems (contract/feeds.md), as data.

One table serves the simulator, the server and the connectors: they differ only
in which dataset they are handling, never in code paths per source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Grain = Literal["register", "monthly", "yearly", "quarterly", "event"]

SOURCES: tuple[str, ...] = ("tax", "land", "stats", "grid", "env")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Dataset:
    source: str
    name: str
    grain: Grain
    fields: tuple[str, ...]
    key: tuple[str, ...]
    # the record field that places a record in a period (None for registers)
    period_field: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.source}.{self.name}"

    @property
    def relation(self) -> str:
        """Its name in the warehouse: landing.<relation>, staging.base_<relation>, stg_…"""
        return f"{self.source}__{self.name}"


_DATASETS = (
    Dataset("tax", "taxpayers", "register",
            ("uscc", "name", "high_tech", "high_tech_valid_from", "high_tech_valid_to", "status"),
            ("uscc",)),
    Dataset("tax", "payments", "monthly",
            ("voucher_id", "uscc", "month", "tax_type", "amount_yuan"), ("voucher_id",), "month"),
    Dataset("tax", "reliefs", "monthly",
            ("relief_id", "uscc", "month", "kind", "subkind", "amount_yuan"), ("relief_id",),
            "month"),
    Dataset("tax", "social_insurance", "monthly",
            ("uscc", "month", "employer_amount_yuan"), ("uscc", "month"), "month"),
    Dataset("land", "parcels", "register",
            ("parcel_code", "kind", "attached_to", "land_use", "area_m2", "holder_uscc",
             "holder_name", "division_code", "park", "geometry", "registered_on"),
            ("parcel_code",)),
    Dataset("land", "leases", "register",
            ("lease_id", "parcel_code", "lessor_uscc", "lessee_uscc", "lessee_name",
             "leased_land_m2", "start_date", "end_date"),
            ("lease_id",)),
    Dataset("land", "surveys", "register",
            ("survey_id", "parcel_code", "user_uscc", "user_name", "occupied_m2", "surveyed_on"),
            ("survey_id",)),
    Dataset("stats", "enterprises", "register",
            ("uscc", "name", "industry_code", "above_scale", "division_code", "park",
             "group_uscc", "opened_on"),
            ("uscc",)),
    Dataset("stats", "annual", "yearly",
            ("uscc", "year", "output_k", "value_added_k", "revenue_k", "rd_expense_k",
             "employees_avg", "rd_staff", "degree_staff", "energy_tce_reported"),
            ("uscc", "year"), "year"),
    Dataset("stats", "energy_use", "yearly",
            ("uscc", "year", "carrier", "quantity", "unit"), ("uscc", "year", "carrier", "unit"),
            "year"),
    Dataset("stats", "quarterly", "quarterly",
            ("uscc", "quarter", "output_k_ytd", "revenue_k_ytd", "value_added_k_ytd"),
            ("uscc", "quarter"), "quarter"),
    Dataset("grid", "accounts", "register",
            ("account_no", "holder_name", "holder_uscc", "parcel_code", "address",
             "transformer_id", "opened_on", "closed_on"),
            ("account_no",)),
    Dataset("grid", "consumption", "monthly",
            ("account_no", "month", "kwh", "reading"), ("account_no", "month"), "month"),
    Dataset("env", "emissions", "yearly",
            ("uscc", "year", "pollutant", "tonnes", "basis"),
            ("uscc", "year", "pollutant", "basis"), "year"),
    Dataset("env", "incidents", "event",
            ("incident_id", "uscc", "date", "category", "severity"), ("incident_id",), "date"),
)

DATASETS: dict[str, Dataset] = {d.full_name: d for d in _DATASETS}


def datasets_of(source: str | None = None) -> list[Dataset]:
    """Every dataset, or those of one source, in contract order."""
    if source is not None and source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    return [d for d in _DATASETS if source is None or d.source == source]
