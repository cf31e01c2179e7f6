"""A last line of defence: scrub values that look like protected data from log records."""

from __future__ import annotations

import logging
import re

# E.164 phone numbers and Fernet tokens are the two shapes of protected data that code paths
# handle in bulk; identities are never passed to loggers by design (see docs/architecture.md).
_PATTERNS = [
    re.compile(r"\+[1-9]\d{6,14}"),
    re.compile(r"gAAAAA[0-9A-Za-z_\-=]{20,}"),
]


class RedactSensitiveFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern in _PATTERNS:
            redacted = pattern.sub("[redacted]", redacted)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (``-`` outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        from bluebox.core.monitoring import request_id

        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and known extras."""

    EXTRAS = ("method", "route", "status", "duration_ms", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in self.EXTRAS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)
