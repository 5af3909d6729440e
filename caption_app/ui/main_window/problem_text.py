"""What a person can do about a problem, in the window's terms (its menus and dialogs)."""

from __future__ import annotations

from caption_app.core.model.problems import Problem, ProblemKind

_RESUMES = "Captions resume automatically."
GUI_ACTIONS: dict[ProblemKind, str] = {
    ProblemKind.NO_KEY: "Enter one in Tools → API key…, or pick “On this computer” in the "
    "Engine menu.",
    ProblemKind.AUTH: "Enter a valid key (Tools → API key…).",
    ProblemKind.TOKEN_SERVICE: "Check the token service address in Settings, or ask your "
    "administrator.",
    ProblemKind.FUNDS: "Add funds on the AssemblyAI dashboard, then start again.",
    ProblemKind.PLAN: "Upgrade the account, or turn the feature off in Settings.",
    ProblemKind.RATE_LIMIT: "Captions resume automatically in a few seconds.",
    ProblemKind.EXPIRED: "A new session starts automatically.",
    ProblemKind.BAD_REQUEST: "Captions resume automatically; please report this with the log file.",
    ProblemKind.REFUSED: "Check the account on the AssemblyAI dashboard.",
    ProblemKind.UNREACHABLE: "Caption App keeps trying in the background; check the network, "
    "or pick “On this computer” in the Engine menu to caption without it.",
    ProblemKind.NETWORK: "Reconnecting automatically; check the network if this keeps happening.",
    ProblemKind.ENGINE_FAULT: _RESUMES,
    ProblemKind.ENGINE_SETUP: "Captions cannot run on this computer until the model is fixed "
    "(Settings → Engine), or pick AssemblyAI in the Engine menu.",
    ProblemKind.AUDIO_INPUT: "Pick another input in the Input menu and start again.",
    ProblemKind.INPUT_LOST: "Pick another input in the Input menu; captions continue in this "
    "session.",
}
assert set(GUI_ACTIONS) == set(ProblemKind)
COVERED_ACTIONS: dict[ProblemKind, str] = {
    ProblemKind.UNREACHABLE: "If it does not answer within a few seconds, captions continue "
    "on this computer by themselves.",
    ProblemKind.NETWORK: "Reconnecting; if it does not come back within a few seconds, "
    "captions continue on this computer by themselves.",
    ProblemKind.RATE_LIMIT: "Captions continue on this computer meanwhile if it takes long.",
}
"""With engine = auto the local engine takes over by itself: no advice to do it by hand."""
_CHECK_NETWORK = (
    "Check the network, or pick “On this computer” in the Engine menu, then start again."
)
ENDED_ACTIONS: dict[ProblemKind, str] = {
    ProblemKind.UNREACHABLE: _CHECK_NETWORK,
    ProblemKind.NETWORK: _CHECK_NETWORK,
    ProblemKind.RATE_LIMIT: "Start again in a moment.",
    ProblemKind.EXPIRED: "Start again.",
    ProblemKind.BAD_REQUEST: "Start again; please report this with the log file.",
    ProblemKind.ENGINE_FAULT: "Start again.",
}
"""Once the session has ended, nothing retries: the advice that it does is untrue (the eighth
walk: a Stop before the cloud ever answered left "Did not start" with no reason at all)."""


def problem_text(problem: Problem, *, stand_in: bool = False, ended: bool = False) -> str:
    """The problem and what to do about it, as one notice; ``stand_in``: the local engine
    takes over by itself if the cloud does not come back (engine = auto); ``ended``: the
    session ended for it, and nothing is retried."""
    advice = COVERED_ACTIONS.get(problem.kind) if stand_in else None
    if ended:
        advice = ENDED_ACTIONS.get(problem.kind)
    return f"{problem.message} {advice or GUI_ACTIONS[problem.kind]}"
