"""Settings read once from the environment into a frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mujun.datasets import SOURCES
from mujun.logs import register_secrets

REPO_ROOT = Path(__file__).resolve().parents[1]


def default_home() -> Path:
    """`warehouse/` at the repository root (cli.md), overridable by MUJUN_HOME."""
    env = os.environ.get("MUJUN_HOME")
    return Path(env).resolve() if env else REPO_ROOT / "warehouse"


@dataclass(frozen=True)
class SourceEndpoint:
    source: str
    base_url: str | None
    token: str | None = field(repr=False, default=None)


@dataclass(frozen=True)
class Settings:
    home: Path
    endpoints: dict[str, SourceEndpoint]

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        endpoints = {
            s: SourceEndpoint(
                s,
                env.get(f"MUJUN_{s.upper()}_URL") or None,
                env.get(f"MUJUN_{s.upper()}_TOKEN") or None,
            )
            for s in SOURCES
        }
        register_secrets(e.token for e in endpoints.values())
        home = Path(env["MUJUN_HOME"]).resolve() if env.get("MUJUN_HOME") else default_home()
        return cls(home=home, endpoints=endpoints)


def source_tokens(environ: dict[str, str] | None = None) -> dict[str, str | None]:
    """The token each source accepts (the server side of the same variables)."""
    settings = Settings.from_env(environ)
    return {s: e.token for s, e in settings.endpoints.items()}
