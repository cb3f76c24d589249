"""Hostile counties: every kind of malformed record the feed contract lets a source send.

Each malformed record is a `Case`: which kind of fault it is, where it sits (dataset and
its position in delivery order, i.e. its `_record_no`) and what must become of it: a
quarantine reason code, or `DATA` (it passes through as data). Three healthy
enterprises carry the county, so every gate has something to check.

Kinds that today stop the whole run (negative areas, impossible calendar dates, a unit
left null, a geometry that is not GeoJSON) get a county each: one run cannot show the
others' fate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fixtures.golden import GoldenCounty, bad_uscc, parcel, uscc

DATA = "data"
TEN_MB = 10 * 1024 * 1024
BIG_TEXT = "大" * (TEN_MB // 3)          # 10 MB of UTF-8
BIG_DIGITS = "1" * TEN_MB
CONTROL = "ctl\x00\x01\x07\x08\x1b[31m\r\n\t\x7f\u200b\u202e公司"
SQL_NAME = "G'); drop table marts.enterprise_evaluation; --"
SQL_VOUCHER = "VCH-'; delete from audit.quarantine where '1'='1"
SQL_TAX_TYPE = "VAT' or '1'='1"
YEAR = "2024"

A, B, C = uscc(401), uscc(402), uscc(403)


def account(n: int) -> str:
    """A 10-digit account number that occurs in no USCC, parcel code or amount here."""
    return f"77{n:08d}"


def fullwidth(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


@dataclass(frozen=True)
class Case:
    kind: str
    dataset: str
    record_no: int
    expect: str      # a quarantine reason, or DATA
    what: str


@dataclass
class Hostile:
    county: GoldenCounty = field(default_factory=GoldenCounty)
    cases: list[Case] = field(default_factory=list)

    def case(self, kind: str, expect: str, what: str, dataset: str, /, **values) -> Case:
        record_no = len(self.county.records[(dataset, YEAR)])
        self.county.add(dataset, **values)
        found = Case(kind, dataset, record_no, expect, what)
        self.cases.append(found)
        return found

    def landed(self) -> dict[str, int]:
        return {name: len(rows) for (name, _), rows in self.county.records.items() if rows}

    def voucher_ids(self) -> set[str]:
        return {r["voucher_id"] for r in self.county.records[("tax.payments", YEAR)]
                if r["voucher_id"]}

    def account_numbers(self) -> set[str]:
        return {r["account_no"] for (name, _), rows in self.county.records.items()
                if name.startswith("grid.") for r in rows if r["account_no"]}


def healthy() -> Hostile:
    """Three sound enterprises with land, tax, power; the rest of a county is added on top."""
    h = Hostile(GoldenCounty(year=2024))
    c = h.county
    for n, code in enumerate((A, B, C), start=1):
        c.enterprise(code, f"健康{n}公司")
        c.annual(code, output_k="5000", value_added_k=str(1000 * n), revenue_k="6000",
                 employees_avg="20")
        c.land_parcel(parcel(400 + n), code, "4000")
        c.payment(code, f"VCH-{n}", f"{100000 * n}.00")
        c.add("grid.accounts", account_no=account(400 + n), holder_name=None, holder_uscc=code,
              parcel_code=None, address=None, transformer_id=None, opened_on=None,
              closed_on=None)
        c.add("grid.consumption", account_no=account(400 + n), month="2024-02", kwh="1000",
              reading="actual")
    return h


def payment(h: Hostile, kind: str, expect: str, what: str, voucher: str, amount,
            code: str = A, month: str = "2024-05", tax_type: str = "VAT") -> Case:
    return h.case(kind, expect, what, "tax.payments", voucher_id=voucher, uscc=code,
                  month=month, tax_type=tax_type, amount_yuan=amount)


def register(h: Hostile, kind: str, expect: str, what: str, code: str, name: str,
             **values) -> Case:
    fields = dict(uscc=code, name=name, industry_code="3411", above_scale="0",
                  division_code="330211001", park="P1", group_uscc=None,
                  opened_on="2010-01-01") | values
    return h.case(kind, expect, what, "stats.enterprises", **fields)


def energy(h: Hostile, kind: str, expect: str, what: str, carrier: str, unit, code: str = B
           ) -> Case:
    return h.case(kind, expect, what, "stats.energy_use", uscc=code, year=YEAR,
                  carrier=carrier, quantity="10", unit=unit)


def grid_account(h: Hostile, kind: str, expect: str, what: str, number: str, **values) -> Case:
    fields = dict(account_no=number, holder_name=None, holder_uscc=None, parcel_code=None,
                  address=None, transformer_id=None, opened_on=None, closed_on=None) | values
    return h.case(kind, expect, what, "grid.accounts", **fields)


def hostile_county() -> Hostile:
    """One county holding every kind of malformed record that leaves a run able to finish."""
    h = healthy()
    c = h.county

    kind = "bad codes"
    payment(h, kind, "invalid_uscc", "USCC with a wrong check character", "VCH-b1", "7",
            code=bad_uscc(9))
    payment(h, kind, "invalid_uscc", "USCC that is not a code", "VCH-b2", "7", code="NOT-A-CODE")
    payment(h, kind, "invalid_uscc", "no USCC at all (null)", "VCH-b4", "7", code=None)
    payment(h, kind, DATA, "USCC full-width, lower case, spaced", "VCH-b3", "7",
            code=" " + fullwidth(A).lower() + "\u3000")
    h.case(kind, "invalid_parcel_code", "parcel code of the wrong shape", "land.parcels",
           parcel_code="33021100100GB0001X", kind="registered", attached_to=None,
           land_use="0601", area_m2="100", holder_uscc=A, holder_name=None,
           division_code="330211001", park="P1", geometry=None, registered_on="2015-01-01")
    grid_account(h, kind, "invalid_account_no", "account number of 5 digits", "12345",
                 holder_uscc=A)
    h.case(kind, "invalid_account_no", "account number with a letter O", "grid.consumption",
           account_no="77000004O1", month="2024-03", kwh="5", reading="actual")
    h.case(kind, "invalid_uscc", "stats.annual with a bad USCC", "stats.annual",
           uscc=bad_uscc(10), year=YEAR, output_k="1", value_added_k=None, revenue_k=None,
           rd_expense_k=None, employees_avg=None, rd_staff=None, degree_staff=None,
           energy_tce_reported=None)
    h.case(kind, DATA, "lease whose lessee USCC is invalid (counted unknown)", "land.leases",
           lease_id="L-bad-lessee", parcel_code=parcel(401), lessor_uscc=A,
           lessee_uscc=bad_uscc(11), lessee_name="个人", leased_land_m2="100",
           start_date="2020-01-01", end_date="2030-12-31")

    kind = "non-numeric numbers"
    for what, amount in [("thousands separator", "12,345.67"), ("exponent", "1e5"),
                         ("NaN", "NaN"), ("empty string", ""), ("full-width digits", "１２３"),
                         ("leading space", " 12"), ("Chinese numerals", "五千")]:
        payment(h, kind, "bad_value", f"amount: {what}", f"VCH-n-{len(h.cases)}", amount)
    payment(h, kind, "bad_value", "amount as a JSON number", "VCH-n-json", 12.5)
    payment(h, kind, "bad_value", "amount as a JSON list", "VCH-n-list", ["12"])
    h.case(kind, "bad_value", "kWh with a thousands separator", "grid.consumption",
           account_no=account(401), month="2024-04", kwh="1,000", reading="actual")
    h.case(kind, "bad_value", "output in Chinese numerals", "stats.annual", uscc=uscc(408),
           year=YEAR, output_k="五千", value_added_k=None, revenue_k=None, rd_expense_k=None,
           employees_avg=None, rd_staff=None, degree_staff=None, energy_tce_reported=None)
    register(h, kind, "bad_value", "park as a JSON list (not a string)", uscc(409), "列表园区",
             park=["P1"])

    kind = "unknown units"
    energy(h, kind, "unknown_unit", "unit bbl", "natural_gas", "bbl")
    energy(h, kind, "unit_mismatch", "gas in tonnes (the pack wants m3)", "natural_gas", "t")
    energy(h, kind, "unknown_carrier", "a carrier the pack has no coefficient for", "heat", "GJ")
    energy(h, kind, DATA, "coal in t (converted to the pack's kg)", "raw_coal", "t")

    kind = "dates out of range"
    h.case(kind, "bad_value", "registered_on written 2024/01/01", "land.parcels",
           parcel_code=parcel(480), kind="registered", attached_to=None, land_use="0601",
           area_m2="100", holder_uscc=C, holder_name=None, division_code="330211001",
           park="P1", geometry=None, registered_on="2024/01/01")
    register(h, kind, "bad_value", "opened_on written 24-1-1", uscc(410), "短日期", opened_on="24-1-1")
    payment(h, kind, "bad_value", "month 2024-13", "VCH-d1", "7", month="2024-13")
    payment(h, kind, "bad_value", "month 2024-00", "VCH-d2", "7", month="2024-00")
    payment(h, kind, DATA, "a month of another year in the 2024 snapshot", "VCH-d3", "7",
            month="2023-12")
    grid_account(h, kind, DATA, "account opened 9999-12-31", account(481), opened_on="9999-12-31")
    register(h, kind, DATA, "enterprise opened 2099-01-01", uscc(411), "未来公司",
             opened_on="2099-01-01")
    h.case(kind, DATA, "incident dated 1900-01-01", "env.incidents", incident_id="I-1900",
           uscc=A, date="1900-01-01", category="safety", severity="general")

    kind = "duplicate keys"
    payment(h, kind, "duplicate_key", "voucher VCH-1 delivered again", "VCH-1", "100000.00")
    h.case(kind, "duplicate_key", "taxpayer again, lower case", "tax.taxpayers",
           uscc=A.lower(), name="again", high_tech="0", high_tech_valid_from=None,
           high_tech_valid_to=None, status="normal")
    h.case(kind, "duplicate_key", "stats.annual of A again", "stats.annual", uscc=A, year=YEAR,
           output_k="1", value_added_k=None, revenue_k=None, rd_expense_k=None,
           employees_avg=None, rd_staff=None, degree_staff=None, energy_tce_reported=None)
    h.case(kind, "duplicate_key", "estimated reading after the actual one", "grid.consumption",
           account_no=account(401), month="2024-02", kwh="5", reading="estimated")
    h.case(kind, "duplicate_key", "estimated reading before the actual one",
           "grid.consumption", account_no=account(402), month="2024-06", kwh="5",
           reading="estimated")
    h.case(kind, DATA, "the actual reading that beats it", "grid.consumption",
           account_no=account(402), month="2024-06", kwh="900", reading="actual")

    kind = "10 MB strings"
    c.add("tax.taxpayers", uscc=uscc(405), name="大", high_tech="0",
          high_tech_valid_from=None, high_tech_valid_to=None, status="normal")
    register(h, kind, DATA, "a 10 MB enterprise name", uscc(405), BIG_TEXT)
    payment(h, kind, "bad_value", "a 10 MB amount", "VCH-big-amount", BIG_DIGITS)
    payment(h, kind, "invalid_uscc", "a 10 MB USCC", "VCH-big-uscc", "7", code=BIG_TEXT)
    payment(h, kind, DATA, "a 10 MB voucher id", "V" * TEN_MB, "7")
    grid_account(h, kind, DATA, "a 10 MB address", account(482), address=BIG_TEXT)

    kind = "control characters"
    c.add("tax.taxpayers", uscc=uscc(406), name="控", high_tech="0",
          high_tech_valid_from=None, high_tech_valid_to=None, status="normal")
    register(h, kind, DATA, "NUL, BEL, ESC, CR LF, DEL, RTL override in a name", uscc(406),
             CONTROL)
    payment(h, kind, DATA, "control characters in a voucher id", "VCH-\x00\n\t\x1b", "7")
    payment(h, kind, "invalid_uscc", "USCC with a trailing NUL", "VCH-c1", "7", code=A + "\x00")
    payment(h, kind, DATA, "USCC with a trailing newline (whitespace is removed)", "VCH-c2", "7",
            code=A + "\n")

    kind = "SQL metacharacters"
    c.add("tax.taxpayers", uscc=uscc(407), name="注", high_tech="0",
          high_tech_valid_from=None, high_tech_valid_to=None, status="normal")
    register(h, kind, DATA, "a name that closes a quote and drops a table", uscc(407), SQL_NAME,
             division_code="330211'; drop table audit.quarantine; --", park="P'1\"--")
    payment(h, kind, DATA, "a voucher id that deletes the quarantine", SQL_VOUCHER, "7")
    payment(h, kind, DATA, "a tax type that is always true", "VCH-s1", "7", tax_type=SQL_TAX_TYPE)
    grid_account(h, kind, DATA, "a holder name with a statement", account(483),
                 holder_name="x'); copy (select 42) to 'pwned.csv'; --")

    # an account that links to no enterprise, with consumption: the accounts-linked share
    # falls below its warning bound, so the gate's warning samples account numbers
    c.add("grid.accounts", account_no=account(490), holder_name=None, holder_uscc=None,
          parcel_code=None, address=None, transformer_id=None, opened_on=None, closed_on=None)
    c.add("grid.consumption", account_no=account(490), month="2024-02", kwh="10",
          reading="actual")
    # a local reference row naming an account no feed delivered: reported, with its number
    c.reference["account_links"].append({
        "account_no": account(499), "uscc": A, "share": "1", "year_from": "", "year_to": "",
        "changed_by": "fault suite", "reason": "an account no feed delivers"})
    return h


def negative_areas() -> Hostile:
    h = healthy()
    kind = "negative areas"
    h.case(kind, "?", "a parcel of -100 m2", "land.parcels", parcel_code=parcel(470),
           kind="registered", attached_to=None, land_use="0601", area_m2="-100",
           holder_uscc=A, holder_name=None, division_code="330211001", park="P1",
           geometry=None, registered_on="2015-01-01")
    h.case(kind, "?", "a lease of -5 m2", "land.leases", lease_id="L-neg", parcel_code=parcel(402),
           lessor_uscc=B, lessee_uscc=C, lessee_name=None, leased_land_m2="-5",
           start_date="2020-01-01", end_date="2030-12-31")
    h.case(kind, "?", "a survey of -1 m2", "land.surveys", survey_id="S-neg",
           parcel_code=parcel(403), user_uscc=C, user_name=None, occupied_m2="-1",
           surveyed_on="2024-03-01")
    return h


def impossible_dates() -> Hostile:
    h = healthy()
    kind = "dates out of range (impossible calendar dates)"
    h.case(kind, "bad_value", "registered_on 2024-02-30", "land.parcels", parcel_code=parcel(460),
           kind="registered", attached_to=None, land_use="0601", area_m2="100",
           holder_uscc=A, holder_name=None, division_code="330211001", park="P1",
           geometry=None, registered_on="2024-02-30")
    h.case(kind, "bad_value", "incident dated 2024-00-10", "env.incidents", incident_id="I-0",
           uscc=A, date="2024-00-10", category="safety", severity="general")
    grid_account(h, kind, "bad_value", "account opened 2024-13-01", account(461), holder_uscc=B,
                 opened_on="2024-13-01")
    return h


def missing_unit() -> Hostile:
    h = healthy()
    energy(h, "unknown units (no unit at all)", "unknown_unit", "diesel with a null unit",
           "diesel", None)
    return h


def broken_geometry() -> Hostile:
    h = healthy()
    kind = "geometry that is not GeoJSON"
    h.case(kind, "?", "geometry text with control characters", "land.parcels",
           parcel_code=parcel(450), kind="registered", attached_to=None, land_use="0601",
           area_m2="100", holder_uscc=A, holder_name=None, division_code="330211001",
           park="P1", geometry="POLYGON((0 0,\x00 1 1)) -- not JSON", registered_on="2015-01-01")
    return h
