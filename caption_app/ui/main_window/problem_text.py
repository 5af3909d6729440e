"""What a person can do about a problem, in the window's terms (its menus and dialogs)."""

from __future__ import annotations

from caption_app.core.model.problems import Problem, ProblemKind

_RESUMES = "Captions resume automatically."
GUI_ACTIONS: dict[ProblemKind, str] = {
    ProblemKind.NO_KEY: "Enter one in Tools → API key…, or pick “On this computer” in the "
    "Engine menu.",
    ProblemKind.AUTH: "Enter a valid key in Tools → API key….",
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


def problem_text(problem: Problem) -> str:
    """The problem and what to do about it, as one notice."""
    return f"{problem.message} {GUI_ACTIONS[problem.kind]}"
