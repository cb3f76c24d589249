"""Named random streams, so that one part of the county does not shift another.

Every module draws from its own stream, derived from the seed and a name (and,
for per-year work, the year). Changing how grid data are drawn then leaves the
land, tax and statistics of the same seed byte for byte as they were, which keeps
diffs between simulator versions readable.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *names: str | int) -> np.random.Generator:
    """A generator fixed by `seed` and the names; independent of every other name."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    words = [seed, *(zlib.crc32(str(name).encode("utf-8")) for name in names)]
    return np.random.default_rng(np.random.SeedSequence(words))


def pick(rng: np.random.Generator, candidates: np.ndarray, count: int) -> np.ndarray:
    """`count` distinct elements of `candidates` (all of them if fewer), sorted.

    Defects are injected as exact counts, not Bernoulli draws, so a documented rate
    is met to the record and tests can be tight.
    """
    candidates = np.asarray(candidates)
    if count >= len(candidates):
        return np.sort(candidates)
    if count <= 0:
        return candidates[:0]
    return np.sort(rng.choice(candidates, size=count, replace=False))


def weighted_split(
    rng: np.random.Generator, groups: np.ndarray, n_groups: int, shape: float = 4.0
) -> np.ndarray:
    """Random positive weights per row that sum to 1 within each group.

    Used to spread an enterprise's yearly figure over its months or records; a
    gamma shape of 4 gives a plausible month-to-month wobble of about ±50 %.
    """
    raw = rng.gamma(shape, 1.0, size=len(groups))
    totals = np.bincount(groups, weights=raw, minlength=n_groups)
    return raw / totals[groups]
