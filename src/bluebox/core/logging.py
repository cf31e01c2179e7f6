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
