"""The simulated source systems answer exactly as contract/feeds.md says."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
import requests

from mujun.datasets import DATASETS
from mujun.simulate.server import FeedServer, encode_cursor
from tests.conftest import YEAR, write_county


@pytest.fixture
def server(tiny_county, tokens):
    with FeedServer(tiny_county, tokens) as srv:
        yield srv


def get(server, dataset, tokens, token_source=None, **params):
    source = token_source or dataset.split(".")[0]
    headers = {"Authorization": f"Bearer {tokens[source]}"} if source != "none" else {}
    return requests.get(f"{server.url}/v1/{dataset}", params=params, headers=headers, timeout=10)


def walk(server, dataset, tokens, period, limit):
    pages, cursor = [], None
    while True:
        params = {"period": period, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = get(server, dataset, tokens, **params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_pages_to_its_total(server, tokens, name):
    pages = walk(server, name, tokens, str(YEAR), 5)
    first = pages[0]
    assert set(first) == {"dataset", "period", "schema_version", "snapshot_id", "total",
                          "records", "next_cursor"}
    assert first["dataset"] == name and first["period"] == str(YEAR)
    assert first["schema_version"] == 1
    source = name.split(".")[0]
    assert first["snapshot_id"].startswith(f"{source}-{YEAR}-")
    assert len({p["snapshot_id"] for p in pages}) == 1
    records = [r for p in pages for r in p["records"]]
    # a register leaves out the record that left it before the year's last day
    expected = 22 if DATASETS[name].grain == "register" else 23
    assert first["total"] == expected == len(records)
    assert all(list(r) == list(DATASETS[name].fields) for r in records)
    assert all(isinstance(v, str | None) for r in records for v in r.values())


def test_pages_of_one_snapshot_are_stable(server, tokens):
    first = get(server, "tax.payments", tokens, period=YEAR, limit=4).json()
    again = get(server, "tax.payments", tokens, period=YEAR, limit=4,
                cursor=first["next_cursor"]).json()
    twice = get(server, "tax.payments", tokens, period=YEAR, limit=4,
                cursor=first["next_cursor"]).json()
    assert again == twice


def test_periods_select_by_grain(server, tokens):
    q2 = walk(server, "tax.payments", tokens, f"{YEAR}Q2", 100)[0]
    assert {r["month"] for r in q2["records"]} == {f"{YEAR}-04", f"{YEAR}-05", f"{YEAR}-06"}
    assert q2["snapshot_id"].startswith(f"tax-{YEAR}Q2-")
    yearly = walk(server, "stats.annual", tokens, f"{YEAR}Q1", 100)[0]
    assert yearly["total"] == 23  # a yearly dataset asked for a quarter: its year's records
    quarters = walk(server, "stats.quarterly", tokens, str(YEAR), 100)[0]
    assert {r["quarter"] for r in quarters["records"]} == {f"{YEAR}Q{q}" for q in range(1, 5)}
    one_quarter = walk(server, "stats.quarterly", tokens, f"{YEAR}Q3", 100)[0]
    assert {r["quarter"] for r in one_quarter["records"]} == {f"{YEAR}Q3"}
    register_q1 = walk(server, "grid.accounts", tokens, f"{YEAR}Q1", 100)[0]
    assert register_q1["total"] == 23  # the record that left in March is there on 31 March
    events = walk(server, "env.incidents", tokens, f"{YEAR}Q4", 100)[0]
    assert {r["date"][:7] for r in events["records"]} <= {f"{YEAR}-10", f"{YEAR}-11",
                                                          f"{YEAR}-12"}


def test_auth(server, tokens):
    assert get(server, "tax.payments", tokens, token_source="none", period=YEAR).status_code == 401
    # one server answers for every source, but checks the dataset's own source's token
    assert get(server, "tax.payments", tokens, token_source="grid", period=YEAR).status_code == 401
    assert get(server, "grid.accounts", tokens, token_source="grid", period=YEAR).status_code == 200


@pytest.mark.parametrize("params", [
    {"period": "2024Q5"}, {"period": "24"}, {"period": "2024; drop table x"}, {},
    {"period": str(YEAR), "limit": "0"}, {"period": str(YEAR), "limit": "5001"},
    {"period": str(YEAR), "limit": "ten"}, {"period": str(YEAR), "cursor": "not-a-cursor"},
])
def test_bad_parameters_answer_400(server, tokens, params):
    response = get(server, "tax.payments", tokens, **params)
    assert response.status_code == 400
    assert "error" in response.json()


def test_unknown_dataset_answers_404(server, tokens):
    assert get(server, "tax.nothing", tokens, period=YEAR).status_code == 404


def test_cursor_of_an_expired_snapshot_answers_410(server, tokens):
    stale = encode_cursor(f"tax-{YEAR}-20000101T0000", 5)
    assert get(server, "tax.payments", tokens, period=YEAR, cursor=stale).status_code == 410


def test_redelivery_gets_a_greater_snapshot_id(tmp_path, tokens):
    root = write_county(tmp_path / "c", redeliveries={"tax.payments": 30})
    meta = json.loads((root / "simulation.json").read_text())
    delivered = datetime.strptime(meta["redeliveries"][0]["delivered_at"], "%Y%m%dT%H%M")
    with FeedServer(root, tokens, as_of=delivered.replace(hour=9)) as early:
        first = get(early, "tax.payments", tokens, period=YEAR).json()
    with FeedServer(root, tokens) as later:
        second = get(later, "tax.payments", tokens, period=YEAR).json()
    assert second["snapshot_id"] > first["snapshot_id"]
    assert (first["total"], second["total"]) == (23, 30)


def test_faults_on_demand(tiny_county, tokens):
    spec = "429:at=1:retry_after=2,503:at=2:count=2,short:at=5,410:at=6"
    with FeedServer(tiny_county, tokens, faults=spec) as srv:
        limited = get(srv, "tax.payments", tokens, period=YEAR, limit=5)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
        assert get(srv, "tax.payments", tokens, period=YEAR).status_code == 503
        assert get(srv, "tax.payments", tokens, period=YEAR).status_code == 503
        page = get(srv, "tax.payments", tokens, period=YEAR, limit=5).json()
        short = get(srv, "tax.payments", tokens, period=YEAR, limit=5,
                    cursor=page["next_cursor"]).json()
        assert len(short["records"]) == 4
        offset = json.loads(base64.urlsafe_b64decode(short["next_cursor"] + "=="))["o"]
        assert offset == 10  # the cursor skips as if the page had been full
        gone = get(srv, "tax.payments", tokens, period=YEAR, limit=5, cursor=page["next_cursor"])
        assert gone.status_code == 410


def test_dropped_connection_breaks_the_body(tiny_county, tokens):
    with FeedServer(tiny_county, tokens, faults="drop:at=1") as srv, \
            pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(srv, "tax.payments", tokens, period=YEAR).json()


def test_binds_to_loopback_only(tiny_county, tokens):
    with FeedServer(tiny_county, tokens) as srv:
        assert srv.url.startswith("http://127.0.0.1:")
