"""Structured logging that never prints a secret.

Every record is rendered as `event key=value ...`. A filter installed on the root
handler replaces any registered secret (the five feed tokens) wherever it shows up,
in the message, in its arguments or in an exception's text.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

MASK = "***"
_secrets: set[str] = set()


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember values that must never reach a log line (empty ones are ignored)."""
    _secrets.update(v for v in values if v and len(v) >= 4)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if fields:
            record.fields = {k: redact(str(v)) for k, v in fields.items()}
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {}
        tail = " ".join(f"{k}={v}" for k, v in fields.items())
        line = f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} {record.levelname.lower()} " \
               f"{record.name} {record.getMessage()}" + (f" {tail}" if tail else "")
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


def configure_logging(level: int = logging.INFO, stream=None) -> None:
    """Install the redacting key=value handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_mujun", False):
            root.setLevel(min(root.level, level) if root.level else level)
            return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._mujun = True  # type: ignore[attr-defined]
    handler.setFormatter(KeyValueFormatter())
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)


def event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields) -> None:
    """Log one event with key=value fields."""
    logger.log(level, message, extra={"fields": fields})
