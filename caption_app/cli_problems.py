"""What a person can do about a problem, in the command line's terms (options, variables)."""

from __future__ import annotations

from caption_app.core.model.problems import Problem, ProblemKind, Recovery

_RETRIES = "Retrying."
CLI_ACTIONS: dict[ProblemKind, str] = {
    ProblemKind.NO_KEY: "Set ASSEMBLYAI_API_KEY, save a key in the app (Tools → API key…), or "
    "use --engine local.",
    ProblemKind.AUTH: "Check ASSEMBLYAI_API_KEY, or the key saved in the app.",
    ProblemKind.TOKEN_SERVICE: "Check the token service address in the app's Settings, or ask "
    "your administrator.",
    ProblemKind.FUNDS: "Add funds on the AssemblyAI dashboard, then run again.",
    ProblemKind.PLAN: "Upgrade the account, or turn the feature off in the app's Settings.",
    ProblemKind.RATE_LIMIT: "Retrying in a few seconds.",
    ProblemKind.EXPIRED: "A new session starts now.",
    ProblemKind.BAD_REQUEST: "Retrying; please report this with the log output.",
    ProblemKind.REFUSED: "Check the account on the AssemblyAI dashboard.",
    ProblemKind.UNREACHABLE: "Retrying; check the network and --api-host, or use --engine local "
    "to caption on this computer.",
    ProblemKind.NETWORK: "Retrying; check the network (and --api-host) if this keeps happening.",
    ProblemKind.ENGINE_FAULT: _RETRIES,
    ProblemKind.ENGINE_SETUP: "Give a model folder with --model-dir, or use --engine assemblyai.",
    ProblemKind.AUDIO_INPUT: "Pick another input with --device (see --list-devices).",
    ProblemKind.INPUT_LOST: "Pick another input with --device (see --list-devices).",
}
assert set(CLI_ACTIONS) == set(ProblemKind)


def problem_line(problem: Problem) -> str:
    """The problem and what to do about it, as one line for stderr."""
    action = CLI_ACTIONS[problem.kind]
    if problem.recovery is Recovery.GIVE_UP and action.startswith("Retrying"):
        # Said last, as the run ends: it no longer retries (the same line twice, both saying
        # "Retrying", read as if it still did).
        action = "Gave up" + action.removeprefix("Retrying in a few seconds").removeprefix(
            "Retrying"
        )
    return f"{problem.message} {action}"
