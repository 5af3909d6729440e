"""Command line entry point: the GUI launcher and the headless ``transcribe`` command.

Everything here must work without a display: ``--help``, ``--version`` and ``transcribe``
never import Qt, so they run on servers and in CI.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from caption_app import APP_ID, __version__
from caption_app.core.settings import EngineChoice
from caption_app.exit_codes import ExitCode

EXPORT_FORMATS = ("txt", "md", "srt", "vtt", "json")
TOGGLES = ("captions", "pause", "overlay", "lock")
"""What ``--toggle`` (and a global shortcut) can switch in the running app."""


def _local_models() -> list[str]:
    from caption_app.core.engines.local.models import MODELS

    return list(MODELS)


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=[choice.value for choice in EngineChoice],
        help="auto (default): AssemblyAI when a key or token service is set up, else this "
        "computer; assemblyai: the cloud only; local: Whisper on this computer (no account, "
        "no network)",
    )
    parser.add_argument(
        "--model-dir",
        metavar="DIR",
        help="a faster-whisper model folder for the local engine (default: the Hugging Face "
        "cache, then the installed Whisper tiny.en package)",
    )
    parser.add_argument(
        "--local-model",
        choices=_local_models(),
        help="the local engine's model for English: whisper-tiny.en (default: the fastest) or "
        "whisper-base (more accurate, about twice the compute; needs the multilingual extra, "
        "which scripts/run installs). Other languages and translation always run on "
        "whisper-base",
    )
    parser.add_argument(
        "--language",
        metavar="CODE",
        help="en: English (the default; on this computer the --local-model); auto: detect the "
        "language of each line; or a language code such as es, fr, de (on this computer: "
        "Whisper base)",
    )
    parser.add_argument(
        "--translate",
        nargs="?",
        const="en",
        metavar="CODE",
        help="translate each line, into English unless a language code is given (on this "
        "computer: English only; in the cloud: any language, on a Universal-3 Pro model)",
    )
    parser.add_argument(
        "--translation-only",
        action="store_true",
        help="with --translate: show (and write to SRT/VTT) the translation alone",
    )
    parser.add_argument(
        "--api-host",
        metavar="URL",
        help="streaming host: streaming.assemblyai.com (default), streaming.eu.assemblyai.com, "
        "or a ws:// URL of a local server",
    )


def _add_system_audio_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--with-system-audio",
        action="store_true",
        help="mix the microphone (--device, or the default) with system audio, so the other "
        "participants are captioned too; lines are labelled You / Others",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_ID,
        description="Live captions for meetings. Without a command, opens the caption window.",
        epilog="Run 'caption-app transcribe --help' for the headless captioner.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_engine_options(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--source", metavar="FILE", help="caption this media file")
    source.add_argument(
        "--device", metavar="NAME", help="capture from the input device whose name contains NAME"
    )
    _add_system_audio_option(parser)
    parser.add_argument(
        "--start", action="store_true", help="start captioning as soon as the window opens"
    )
    parser.add_argument(
        "--toggle",
        action="append",
        choices=TOGGLES,
        metavar="{" + ",".join(TOGGLES) + "}",
        help="in the running Caption App (or a new one): start or stop captions, pause or "
        "resume, show or hide the overlay, lock or unlock it; bind it to a desktop shortcut",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="caption a public-domain recording on this computer (no key, no network, no "
        "microphone) into the overlay and the transcript",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that Caption App can run here (windows, audio, keyring, both engines, "
        "the data folder), print what was found and exit: 0 when it can run",
    )
    parser.add_argument("--json", action="store_true", help="with --self-test: print JSON")

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    transcribe = commands.add_parser(
        "transcribe",
        help="caption a file or an input device without a window; lines print as they finish",
        description="Caption a media file (streamed at real-time pace) or an input device "
        "without a window. Finished lines print to stdout as they arrive.",
        epilog="Exit codes: 0 success (also when the cloud could not be reached and, with "
        "--engine auto, the local engine captioned instead); 2 usage, such as an --api-host "
        "that is not a host name or ws(s):// URL; 3 authentication; 4 network or service "
        "(with --engine assemblyai: the cloud could not be reached, after 5 tries); 5 audio "
        "input, such as a missing or non-media file (checked before connecting); 6 local "
        "speech model missing or damaged; 8 (the installed app) a library it takes from "
        "the computer is missing. Ctrl+C stops cleanly and still writes the "
        "transcript.",
    )
    transcribe.add_argument("source", nargs="?", metavar="SOURCE", help="a media file")
    transcribe.add_argument(
        "--device", metavar="NAME", help="capture from an input device (case-insensitive match)"
    )
    _add_system_audio_option(transcribe)
    transcribe.add_argument(
        "--list-devices", action="store_true", help="list the devices that can be captured"
    )
    _add_engine_options(transcribe)
    transcribe.add_argument(
        "--format", choices=EXPORT_FORMATS, default="txt", help="transcript format for --out"
    )
    transcribe.add_argument("--out", metavar="PATH", help="write the transcript here at the end")
    transcribe.add_argument(
        "--force", action="store_true", help="overwrite --out if it already exists"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The local engine runs in a child process; a frozen bundle must let it start there.
    import multiprocessing

    multiprocessing.freeze_support()
    from caption_app.core.allocator import limit_arenas

    limit_arenas()  # before the threads start: each would get an arena of its own
    parser = build_parser()
    args = parser.parse_args(argv)
    if (lacking := _missing_host_libraries(args.command)) is not None:
        return lacking
    if args.command == "transcribe":
        from caption_app.headless import run_transcribe

        return run_transcribe(args)
    from caption_app.core.desktop import preferred_qt_platform
    from caption_app.self_test import display_problem, no_display_report

    # In a Wayland session the overlay stays on top only through XWayland (core/desktop.py).
    platform = preferred_qt_platform()
    environ = dict(os.environ, QT_QPA_PLATFORM=platform) if platform else None
    if (reason := display_problem(environ)) is not None:  # before Qt would abort on it
        if args.self_test:
            print(no_display_report(reason, as_json=args.json))
        else:
            print(f"caption-app: {reason}", file=sys.stderr)
        return ExitCode.NO_DISPLAY
    from caption_app.core.settings import SettingsError, language_overrides, validate_api_host

    try:  # refused before any window opens, as the headless command does
        if args.api_host:
            validate_api_host(args.api_host)
        language_overrides(args.language, args.translate, args.translation_only)
    except SettingsError as exc:
        parser.error(str(exc))
    from caption_app.ui.launch import run_gui

    return run_gui(args, platform=platform)


def _missing_host_libraries(command: str | None) -> int | None:
    """In a bundle, name a library this computer lacks (and its package) before anything
    loads it; the exit code when one is missing, else None."""
    import os

    from caption_app.host_libraries import describe, manifest_path, missing_for

    found, for_windows = missing_for(command, os.environ, manifest_path())
    if not found:
        return None
    print(f"caption-app: {describe(found, for_windows=for_windows)}", file=sys.stderr)
    return ExitCode.NO_DISPLAY if for_windows else ExitCode.MISSING_LIBRARY


if __name__ == "__main__":
    sys.exit(main())
