"""A token service URL may carry an organisation's secret in its path or query: only its
origin is ever shown or recorded."""

from __future__ import annotations

import pytest

from caption_app.core.secrets.token_service import (
    TokenServiceError,
    fetch_temporary_token,
    url_origin,
)
from caption_app.core.settings import StreamingSettings
from caption_app.core.streaming.builder import settings_snapshot

SECRET_URL = "https://tokens.example.org:8443/org-7f3a/v3/token?sig=CANARY-51d2"


def test_transcripts_record_only_the_origin_of_a_token_service() -> None:
    snapshot = settings_snapshot(StreamingSettings(token_url=SECRET_URL))
    assert snapshot["token_url"] == "https://tokens.example.org:8443"
    assert "CANARY" not in repr(snapshot) and "org-7f3a" not in repr(snapshot)
    assert settings_snapshot(StreamingSettings())["token_url"] == ""
    assert url_origin("https://host:notaport/x") == "https://host"


def test_a_url_the_http_library_refuses_is_a_clear_error_without_the_secret() -> None:
    with pytest.raises(TokenServiceError) as caught:
        fetch_temporary_token("http://127.0.0.1:9/org secret/token?sig=CANARY-51d2", timeout=1.0)
    message = str(caught.value)
    assert "127.0.0.1:9" in message
    assert "CANARY" not in message and "secret" not in message
