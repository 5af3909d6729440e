"""What AssemblyAI's close and error codes mean, read into engine-neutral problems.

Codes come from the protocol doc (section 7). The SDK replaces the server's close reason with
its own table text for known codes, so the code decides; the text is a fallback for the older
servers that used 3005 or 1008 for everything. What a person can do about each kind is worded
by the GUI and the CLI, not here.
"""

from __future__ import annotations

from caption_app.core.log_masking import masking_filter
from caption_app.core.model.problems import Problem, ProblemKind, Recovery


def classify(code: int | None, text: str, *, began: bool = True, host: str = "") -> Problem:
    """Map an SDK error (code and text) to a problem kind, a message and a recovery policy.

    ``began``: whether this connection got as far as Begin. Before it, a failure to connect
    at all (refused, no such name, timeout, TLS, a proxy or server error on the upgrade) is
    "unreachable", named with its cause, and never called a lost connection."""
    text = masking_filter().mask(text)  # server text is shown to the person: never a secret
    lowered = text.lower()

    def problem(kind: ProblemKind, message: str, recovery: Recovery) -> Problem:
        return Problem(kind, message, recovery, code)

    if not began and _never_connected(code, lowered):
        where = host_name(host) or "the captioning service"
        cause = unreachable_cause(code, lowered)
        return problem(
            ProblemKind.UNREACHABLE, f"Cannot reach {where}: {cause}.", Recovery.RECONNECT
        )

    if code in (401, 403, 4001) or (code == 1008 and _is_auth_text(lowered)):
        return problem(ProblemKind.AUTH, "AssemblyAI rejected the API key.", Recovery.NEW_KEY)
    if code == 4002 or "insufficient" in lowered or "balance" in lowered:
        return problem(
            ProblemKind.FUNDS, "The AssemblyAI account has insufficient funds.", Recovery.GIVE_UP
        )
    if code == 4003 or "paid" in lowered:
        return problem(
            ProblemKind.PLAN, "This feature needs a paid AssemblyAI account.", Recovery.GIVE_UP
        )
    if code in (3009, 4102, 429) or "too many" in lowered or "concurren" in lowered:
        return problem(
            ProblemKind.RATE_LIMIT,
            "AssemblyAI's limit on new sessions was reached.",
            Recovery.RETRY_LATER,
        )
    if code in (3008, 4008) or "expired" in lowered:
        return problem(
            ProblemKind.EXPIRED,
            "The streaming session reached its maximum length.",
            Recovery.RECONNECT_NOW,
        )
    if (
        code in (3006, 3007, 4000, 4029, 4032, 4033, 4034, 4100, 4101)
        or "duration violation" in lowered
    ):
        return problem(
            ProblemKind.BAD_REQUEST,
            f"Caption App sent audio the service refused ({text}). This is a bug.",
            Recovery.RECONNECT,
        )
    if code == 1008:
        return problem(
            ProblemKind.REFUSED, f"AssemblyAI refused the connection ({text}).", Recovery.GIVE_UP
        )
    if not began and (code in _TRANSPORT_CLOSES or "ping" in lowered):
        # Accepted, then dropped (a proxy, a firewall): no session was ever had. A close the
        # server chose (1011, 1013, its own codes) is not this: it was reached.
        where = host_name(host) or "the captioning service"
        return problem(
            ProblemKind.UNREACHABLE,
            f"Cannot reach {where}: the connection closed before it answered.",
            Recovery.RECONNECT,
        )
    return problem(
        ProblemKind.NETWORK,
        "The connection to the captioning service was lost.",
        Recovery.RECONNECT,
    )


_TRANSPORT_CLOSES = (None, 1000, 1001, 1006)
"""Closes no server chose: the connection itself ended (1006: no close frame at all)."""

_SENT_BADLY = (3006, 3007, 4000, 4029, 4032, 4033, 4034, 4100, 4101)
"""Codes for what Caption App sent (audio, a message): a bug, whatever the text says."""

_CAUSES = (
    (
        (
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name",
            "getaddrinfo",
            "no address associated",
            "name resolution",
        ),
        "its name does not resolve (is this computer offline?)",
    ),
    (("refused",), "the connection was refused"),
    (("network is unreachable", "no route to host"), "this computer is offline"),
    (("timed out", "timeout"), "it did not answer in time"),
    (("ssl", "certificate", "tls"), "the secure connection failed (TLS)"),
    (("proxy",), "a proxy refused the connection"),
)


def _never_connected(code: int | None, lowered: str) -> bool:
    if code is None:
        return lowered.startswith("connection failed") or any(
            needle in lowered for needles, _ in _CAUSES for needle in needles
        )
    return 400 <= code < 600 and code not in (401, 403, 429)  # an HTTP error on the upgrade


def unreachable_cause(code: int | None, lowered: str) -> str:
    """Plain words for why no connection could be made."""
    if code == 407:
        return "a proxy asks for a login"
    if code is not None:
        return f"it answered HTTP {code} instead of opening a session"
    for needles, cause in _CAUSES:
        if any(needle in lowered for needle in needles):
            return cause
    return "no connection could be made"


def host_name(api_host: str) -> str:
    """``streaming.assemblyai.com`` from a host or a ws(s):// URL, for messages."""
    host = api_host.split("://", 1)[-1]
    return host.split("/", 1)[0]


def _is_auth_text(lowered: str) -> bool:
    """1008 "Unauthorized Connection: <reason>" is about the key only when the reason says so
    (a missing header, an invalid key or token); "Account disabled" is an account problem."""
    if "unauthori" not in lowered or "concurrent" in lowered or "balance" in lowered:
        return False
    return any(word in lowered for word in ("authorization", "key", "token", "invalid", "missing"))
