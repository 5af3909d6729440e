"""The log filter masks registered secrets and Authorization values everywhere in a record."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from caption_app.core.log_masking import SecretMaskingFilter, install_secret_masking

SECRET = "sk_live_0123456789abcdef"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A real handler on the root logger, as the app sets up logging, with masking installed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        install_secret_masking(SECRET)
        yield logging.getLogger("caption_app.test.masking"), stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_message_args_and_exception_text_are_masked(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = captured
    log.info("connecting with %s", SECRET)
    log.warning(f"inline {SECRET} too")  # noqa: G004 - the accident the filter exists for
    try:
        raise RuntimeError(f"handshake failed for key {SECRET}")
    except RuntimeError:
        log.exception("failed")
    log.info("headers: %r", {"Authorization": "some-other-token-xyz", "User-Agent": "x"})
    log.info("stack", stack_info=True)
    text = stream.getvalue()
    assert SECRET not in text
    assert "some-other-token-xyz" not in text
    assert text.count("••••") >= 4
    assert "handshake failed for key ••••" in text
    assert "'Authorization': '••••'" in text
    assert "User-Agent" in text  # the rest of the line survives


def test_install_is_idempotent_and_reaches_every_root_handler(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    root = logging.getLogger()
    flt = install_secret_masking()
    install_secret_masking()
    for handler in root.handlers:
        assert handler.filters.count(flt) == 1


def test_secrets_registered_later_are_masked_too(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = captured
    later = "tok_registered_later_42"
    install_secret_masking(later)
    log.error("token %s", later)
    assert later not in stream.getvalue()


def test_header_forms_and_short_secrets() -> None:
    flt = SecretMaskingFilter(("abc",))  # too short to register: would mangle ordinary text
    assert flt.mask("abc stays") == "abc stays"
    assert flt.mask("Authorization: Bearer abc.def") == "Authorization: Bearer ••••"
    assert flt.mask('"authorization"="k123"') == '"authorization"="••••"'
    assert flt.mask("authorization=xyz, next") == "authorization=••••, next"


def test_a_malformed_record_is_still_logged_masked() -> None:
    flt = SecretMaskingFilter((SECRET,))
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", (SECRET,), None)
    assert flt.filter(record)
    assert SECRET not in record.getMessage()
