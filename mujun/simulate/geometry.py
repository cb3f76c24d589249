"""Parcel outlines: non-overlapping rectangles in WGS84, as compact GeoJSON strings.

Parcels are laid out on shelves (rows) east of a corner near Zhenhai (121.52 E,
29.93 N): each rectangle has the parcel's area, attached land sits flush against
the east side of the registered parcel it belongs to, and every other parcel is
kept a road's width (12 m) apart, so maps drawn from the feed look like a real
industrial zone and no two parcels overlap.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mujun.simulate import text

LON0, LAT0 = 121.52, 29.93
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(LAT0))
ROAD_M = 12.0


def rectangles(
    rng: np.random.Generator, area_m2: np.ndarray, anchor: np.ndarray
) -> tuple[np.ndarray, ...]:
    """(x0, y0, x1, y1) in metres; `anchor[i]` ≥ 0 places item i east of that item.

    An anchored item takes its anchor's height, so the two share an edge.
    """
    n = len(area_m2)
    aspect = rng.uniform(0.6, 1.7, n)
    height = np.sqrt(area_m2 / aspect)
    own = anchor < 0
    group = np.where(own, np.arange(n), anchor)
    height = np.where(own, height, height[group])
    width = area_m2 / height
    # order: groups in a random order, the anchor first within its group
    group_rank = rng.permutation(n)[group]
    order = np.lexsort((~own, group_rank))
    g_sorted = group[order]
    starts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
    group_width = np.add.reduceat(width[order], starts) + ROAD_M
    group_height = height[order][starts] + ROAD_M
    row_len = max(3000.0, float(np.sqrt(np.sum(area_m2) * 2.5)))
    group_x_end = np.cumsum(group_width)
    row = np.floor((group_x_end - group_width) / row_len).astype(np.int64)
    row_first = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
    row_start_x = (group_x_end - group_width)[row_first]
    row_height = np.maximum.reduceat(group_height, row_first)
    row_y = np.concatenate([[0.0], np.cumsum(row_height)[:-1]])
    row_idx = np.repeat(np.arange(len(row_first)), np.diff(np.r_[row_first, len(row)]))
    gx = (group_x_end - group_width) - row_start_x[row_idx]
    gy = row_y[row_idx]
    # position items within their group, west to east; shared edges are bit-identical
    counts = np.diff(np.r_[starts, n])
    cum = np.cumsum(width[order])
    end = cum - np.repeat(cum[starts] - width[order][starts], counts)
    start = np.r_[0.0, end[:-1]]
    start[starts] = 0.0
    gx_item = np.repeat(gx, counts)
    x0 = np.empty(n)
    x1 = np.empty(n)
    y0 = np.empty(n)
    x0[order] = gx_item + start
    x1[order] = gx_item + end
    y0[order] = np.repeat(gy, counts)
    return x0, y0, x1, y0 + height


def geojson(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, null: np.ndarray
) -> pa.Array:
    """Closed rectangular Polygon rings, lon/lat rounded to 6 decimals (about 0.1 m)."""

    def deg(values: np.ndarray, origin: float, per: float) -> pa.Array:
        return pc.round(pa.array(origin + values / per), 6).cast(pa.string())

    lon0, lon1 = deg(x0, LON0, M_PER_DEG_LON), deg(x1, LON0, M_PER_DEG_LON)
    lat0, lat1 = deg(y0, LAT0, M_PER_DEG_LAT), deg(y1, LAT0, M_PER_DEG_LAT)

    def point(lon: pa.Array, lat: pa.Array) -> list:
        return ["[", lon, ",", lat, "]"]

    parts = [
        '{"type":"Polygon","coordinates":[[',
        *point(lon0, lat0),
        ",",
        *point(lon1, lat0),
        ",",
        *point(lon1, lat1),
        ",",
        *point(lon0, lat1),
        ",",
        *point(lon0, lat0),
        "]]}",
    ]
    out = text.join(*parts)
    return pc.if_else(pa.array(null), pa.scalar(None, pa.string()), out)
