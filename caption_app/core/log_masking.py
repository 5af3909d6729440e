"""A logging filter that masks secrets, as defence in depth.

The code never logs a key on purpose; this catches the accidents: an exception message from a
library that quotes a header, a debug line someone adds later. Registered secrets and anything
that looks like an ``Authorization`` header value are replaced in the message, the arguments,
the exception text and the stack text of every record the root logger's handlers see.
"""

from __future__ import annotations

import logging
import re
import threading

MASKED = "••••"
# Very short strings would mask ordinary words all over the log; no real secret is that short.
MIN_SECRET_LEN = 8

_AUTH_HEADER = re.compile(
    r"""(?P<head>authorization['"]?\s*[:=]\s*['"]?(?:bearer\s+|token\s+|basic\s+)?)"""
    r"""(?P<value>[^\s'",;}\]]+)""",
    re.IGNORECASE,
)


class SecretMaskingFilter(logging.Filter):
    """Replace registered secrets and ``Authorization`` values in log records."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LEN:
            return
        with self._lock:
            if secret not in self._secrets:
                # Longest first, so a secret that contains another is masked whole.
                self._secrets = tuple(sorted((*self._secrets, secret), key=len, reverse=True))

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASKED)
        return _AUTH_HEADER.sub(lambda m: m.group("head") + MASKED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record must still be logged, masked
            message = f"{record.msg!s} {record.args!r}"
        record.msg = self.mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


_filter = SecretMaskingFilter()


def masking_filter() -> SecretMaskingFilter:
    """The process-wide filter that ``install_secret_masking`` registers secrets with."""
    return _filter


def install_secret_masking(secret: str | None = None) -> SecretMaskingFilter:
    """Register ``secret`` (if given) and make sure every root-logger handler masks.

    Safe to call repeatedly: the filter is added to each handler once. Call it again after
    adding handlers (the app calls it when logging is set up and whenever a key is read).
    """
    if secret:
        _filter.add_secret(secret)
    for handler in logging.getLogger().handlers:
        if _filter not in handler.filters:
            handler.addFilter(_filter)
    return _filter
