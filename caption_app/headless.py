"""``caption-app transcribe``: the GUI's session code path, without widgets.

Finished lines print to stdout as they arrive; the transcript goes to ``--out`` at the end, and
to the crash-safe journal all along. Ctrl+C stops cleanly and still writes the transcript.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
from pathlib import Path

from caption_app.cli_problems import problem_line
from caption_app.core.audio.devices import list_devices
from caption_app.core.audio.source import AudioSourceError
from caption_app.core.engines.base import Engine
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import (
    InputSilence,
    Notice,
    Progress,
    SessionEnded,
    SessionEvent,
)
from caption_app.core.model.turns import Turn, TurnUpdate, UpdateKind, line_tag, shown_text
from caption_app.core.settings import (
    EngineChoice,
    SettingsError,
    StreamingSettings,
    language_overrides,
)
from caption_app.core.streaming.builder import SourceChoice, build_live_session, open_source
from caption_app.core.transcript.export import ExportOptions, write_export
from caption_app.exit_codes import ExitCode

log = logging.getLogger(__name__)
CTRL_C_WAIT_S = 0.5
"""After Ctrl+C, how long the session waits for the connection's last words."""


class _LinePrinter:
    """Prints each finished turn once, in its final form, and problems in the CLI's words.

    With legacy formatting the unformatted end of turn is followed by the formatted one, so an
    unformatted finished turn is held until its formatted version (or the next turn) arrives.
    """

    def __init__(self, expect_formatting: bool, captions: str = "both") -> None:
        self._expect_formatting = expect_formatting
        self._captions = captions
        self._held: Turn | None = None

    def __call__(self, event: SessionEvent) -> None:
        if isinstance(event, TurnUpdate):
            self._turn_updated(event)
        elif isinstance(event, Problem):
            print(f"caption-app: {problem_line(event)}", file=sys.stderr)
        elif isinstance(event, Notice) or (isinstance(event, InputSilence) and event.silent):
            print(f"caption-app: {event.text}", file=sys.stderr)
        elif isinstance(event, Progress):
            self._progress(event.position_ms, event.duration_ms)
        elif isinstance(event, SessionEnded) and self._held is not None:
            self._print(self._held)
            self._held = None

    def _turn_updated(self, update: TurnUpdate) -> None:
        turn = update.turn
        if update.kind is UpdateKind.TRANSLATED:
            if self._held is not None and self._held.key == turn.key:
                self._held = turn  # printed with its line
            elif turn.translation is not None:
                self._print_translation(turn)
            return
        if self._held is not None and (
            turn.key != self._held.key or update.kind is UpdateKind.REPLACED
        ):
            held, self._held = self._held, None
            self._print(turn if turn.key == held.key else held)
            if turn.key == held.key:
                return
        if update.kind is UpdateKind.FINISHED:
            if self._expect_formatting and not turn.formatted and not turn.interrupted:
                self._held = turn
            else:
                self._print(turn)

    def _progress(self, position_ms: int, duration_ms: int) -> None:
        if sys.stderr.isatty():  # a person watching; scripts and logs get no \r noise
            done = f"{position_ms // 60000}:{position_ms // 1000 % 60:02d}"
            total = f"{duration_ms // 60000}:{duration_ms // 1000 % 60:02d}"
            print(f"\r{done} / {total}", end="", file=sys.stderr, flush=True)

    def _print(self, turn: Turn) -> None:
        if sys.stderr.isatty():
            print("\r\033[K", end="", file=sys.stderr, flush=True)  # clear the progress line
        speaker = f"{turn.speaker}: " if turn.speaker else ""
        shown = shown_text(turn, self._captions)
        tag = line_tag(turn, self._captions)
        print(f"{f'[{tag}] ' if tag else ''}{speaker}{shown.main}", flush=True)
        if shown.under:
            print(f"    [{shown.under_language}] {shown.under}", flush=True)

    def _print_translation(self, turn: Turn) -> None:
        """A translation that came after its line was printed: said under a reference to it,
        so a late or out-of-order one is still read with its own line."""
        assert turn.translation is not None
        if self._captions == "translation" or not turn.text:
            self._print(turn)
            return
        words = turn.text.split()
        start = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
        language = turn.translation.language
        print(f"    [{language}] {turn.translation.text}  (for: {start})", flush=True)


def run_transcribe(args: argparse.Namespace) -> int:
    from caption_app.core.log_masking import install_secret_masking

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_secret_masking()
    # The SDK logs every close as an error; the problem is printed once, in plain words, below.
    logging.getLogger("assemblyai").setLevel(logging.CRITICAL)
    if args.list_devices:
        return _list_devices()
    live_input = bool(args.device or args.with_system_audio)
    if bool(args.source) == live_input:
        print(
            "caption-app transcribe: give a media file, or --device NAME and/or "
            "--with-system-audio",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    try:
        languages = language_overrides(args.language, args.translate, args.translation_only)
        settings = dataclasses.replace(StreamingSettings(), **languages)  # type: ignore[arg-type]
        if args.api_host:
            settings = dataclasses.replace(settings, api_host=args.api_host)
        settings.validate()
    except SettingsError as exc:
        print(f"caption-app transcribe: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not args.force:
        print(f"caption-app transcribe: {out} exists; use --force to replace it", file=sys.stderr)
        return ExitCode.USAGE

    engines = _choose_engines(
        EngineChoice(args.engine or EngineChoice.AUTO),
        settings,
        args.model_dir or "",
        args.local_model or "",
    )
    if isinstance(engines, int):
        return engines
    engine, stand_in = engines
    if not engine.on_device and (settings.language_detection or settings.translate_to):
        print(f"caption-app: in the cloud: {settings.cloud.note}", file=sys.stderr)

    choice = SourceChoice(
        media_path=args.source,
        device_query=args.device,
        with_system_audio=args.with_system_audio,
    )
    try:
        opened = open_source(choice, settings.chunk_ms)
    except AudioSourceError as exc:
        print(f"caption-app: {exc}", file=sys.stderr)
        return ExitCode.AUDIO
    if opened.notice:
        print(f"caption-app: {opened.notice}", file=sys.stderr)

    printer = _LinePrinter(
        expect_formatting=settings.format_turns, captions=settings.translation_layout
    )
    live = build_live_session(
        settings, opened.source, None, printer, cli=True, engine=engine, stand_in=stand_in
    )
    # request_stop only sets a flag, so it is safe inside a signal handler. The first Ctrl+C
    # stops within a second (the last words and the transcript); a second one interrupts.
    previous = signal.getsignal(signal.SIGINT)

    def stop(_signum: int, _frame: object) -> None:
        live.session.request_stop(within_s=CTRL_C_WAIT_S)
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, stop)
    try:
        summary = live.session.run()
    finally:
        signal.signal(signal.SIGINT, previous)
    if out is not None:
        captions = "translation" if settings.translation_only else "both"
        options = ExportOptions(captions=captions)
        snapshot = live.recorder.snapshot()
        write_export(snapshot, out, args.format, options, overwrite=bool(args.force))
        print(f"caption-app: transcript written to {out}", file=sys.stderr)
    return _exit_code(summary)


def _choose_engines(
    choice: EngineChoice, settings: StreamingSettings, model_dir: str, local_model: str = ""
) -> tuple[Engine, Engine | None] | int:
    """The engine for this run and the local one standing in for the cloud (auto only), or
    the exit code when the cloud was asked for and has no key."""
    from caption_app.core.engines.choice import build_engines, plan_engines

    auth = None
    missing: Exception | None = None
    if choice is not EngineChoice.LOCAL:
        from caption_app.core.secrets.credentials import NoCredentials, resolve_for_cli
        from caption_app.core.secrets.store import select_os_keyring

        select_os_keyring()
        try:
            auth = resolve_for_cli(settings)
        except NoCredentials as exc:
            missing = exc
    plan = plan_engines(choice, cloud_configured=auth is not None)
    if plan is None:
        problem = Problem(ProblemKind.NO_KEY, str(missing or ""), Recovery.NEW_KEY)
        print(f"caption-app: {problem_line(problem)}", file=sys.stderr)
        return ExitCode.AUTH
    engines = build_engines(plan, auth, settings, model_folder=model_dir, local_model=local_model)
    if choice is EngineChoice.AUTO and auth is None:
        print(
            f"caption-app: no AssemblyAI key is set up, so captions run on {engines[0].name}. "
            "Set ASSEMBLYAI_API_KEY, or use --engine assemblyai, for the cloud.",
            file=sys.stderr,
        )
    return engines


def _exit_code(summary: SessionEnded) -> int:
    failed = summary.failed
    if failed is None:
        return ExitCode.OK
    if failed.engine_setup:
        return ExitCode.LOCAL_MODEL
    if failed.recovery is Recovery.NEW_KEY:
        return ExitCode.AUTH
    if failed.audio:
        return ExitCode.AUDIO
    return ExitCode.NETWORK


def _list_devices() -> int:
    try:
        devices = list_devices()
    except AudioSourceError as exc:
        print(f"caption-app: {exc}", file=sys.stderr)
        return ExitCode.AUDIO
    if not devices:
        print("No input devices found.", file=sys.stderr)
        return ExitCode.AUDIO
    for device in devices:
        marker = "*" if device.is_default else " "
        print(f"{marker} {device.label}  [{device.host_api}, {device.default_rate:g} Hz]")
    if any(d.is_monitor for d in devices) and any(not d.is_monitor for d in devices):
        # stderr, so scripts reading the list on stdout see devices only
        print(
            "(* = default. To caption your microphone and the others together, add "
            "--with-system-audio.)",
            file=sys.stderr,
        )
    return ExitCode.OK
