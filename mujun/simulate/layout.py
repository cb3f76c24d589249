"""Where the simulator writes a county, and when each snapshot is delivered.

The generator (`mujun simulate`) and the server (`mujun serve`) share this module;
it is the whole contract between them:

    DIR/simulation.json                  seed, scale, years, defect rates, the truth's
                                         method and the list of re-deliveries
    DIR/feeds/<dataset>.parquet          one file per dataset (`tax.payments.parquet`):
                                         the contract fields in contract order, all
                                         strings (nullable), rows in delivery order;
                                         registers add `_valid_from`, `_valid_to`
                                         (`YYYY-MM-DD` or null, both inclusive): the
                                         record is in the register on days in range
    DIR/feeds/redelivered/<dataset>/<period>.parquet
                                         a later, complete delivery of one dataset and
                                         period (same columns), listed in simulation.json
    DIR/truth/enterprise_year.parquet    what the pipeline should recover
    DIR/truth/defects.parquet            every injected defect, tagged
    DIR/reference/                       the local reference files (see docs/reference-data.md)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from mujun.datasets import Dataset
from mujun.periods import Period

VALID_FROM = "_valid_from"
VALID_TO = "_valid_to"
SIMULATION_FILE = "simulation.json"

# Days after the period's end at which each bureau delivers; registers, monthly and
# yearly data of one source arrive together. Fixed so the same seed gives the same ids.
_DELIVERY_LAG_DAYS = {"tax": 70, "land": 75, "stats": 80, "grid": 72, "env": 78}
_QUARTER_LAG_DAYS = {"tax": 15, "land": 20, "stats": 25, "grid": 16, "env": 22}


def feed_path(root: Path, dataset: Dataset) -> Path:
    return root / "feeds" / f"{dataset.full_name}.parquet"


def redelivery_path(root: Path, dataset: Dataset, period: Period) -> Path:
    return root / "feeds" / "redelivered" / dataset.full_name / f"{period}.parquet"


def base_delivery_time(source: str, period: Period) -> datetime:
    """When the first delivery of a period reaches the platform (UTC, minute precision)."""
    lag = (_DELIVERY_LAG_DAYS if period.quarter is None else _QUARTER_LAG_DAYS)[source]
    day = period.end + timedelta(days=lag)
    return datetime(day.year, day.month, day.day, 8, 15)


def snapshot_id(source: str, period: Period, delivered_at: datetime) -> str:
    """`<source>-<period>-<YYYYMMDDTHHMM>` (feeds.md)."""
    return f"{source}-{period}-{delivered_at:%Y%m%dT%H%M}"


# ---- added with the generator: the truth and reference folders ---------------------------
TRUTH_DIR = "truth"
REFERENCE_DIR = "reference"


def truth_path(root: Path, name: str) -> Path:
    """`DIR/truth/<name>.parquet`: `enterprise_year` (figures) or `defects` (tags)."""
    return root / TRUTH_DIR / f"{name}.parquet"


def reference_dir(root: Path) -> Path:
    """`DIR/reference/`: the local reference files (docs/reference-data.md)."""
    return root / REFERENCE_DIR
