"""MenuChoices: what choosing an input or an engine in the menus does, also while captions run.

A choice is kept for the next start and, while captions run, taken in the session where it can
be: another input is switched to at once; "On this computer" leaves the cloud at once in a
session that has the local engine beside it (Automatic: a choice of privacy is not put off to
the next start, the fifth walk's C4), and the cloud chosen again is tried at once. What the
running session cannot take (a file; an engine it has not got) is said, with a way to start
again now; choosing what the session does already says nothing (the fifth walk's W4).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from caption_app.core.audio.source import AudioSourceError
from caption_app.core.engines.choice import EnginePlan
from caption_app.core.settings import EngineChoice
from caption_app.core.streaming.builder import SourceChoice, open_source
from caption_app.qt.session_controller import SessionController
from caption_app.ui.main_window.window import MainWindow
from caption_app.ui.main_window.window_words import Until
from caption_app.ui.run_settings import RunSettings

ENGINE_NEXT_START = "engine-next-start"
MEDIA_NEXT_START = "media-next-start"
MEDIA_SUFFIXES = frozenset(
    [
        ".wav",
        ".flac",
        ".mp3",
        ".m4a",
        ".aac",
        ".ogg",
        ".opus",
        ".webm",
        ".mp4",
        ".mkv",
        ".mov",
        ".avi",
        ".wma",
        ".aiff",
        ".aif",
    ]
)
"""Files that are media by their name (the Input menu's file filter, and a few more)."""
STILL_SENT_TEXT = (
    "Audio still goes to AssemblyAI while these captions run: the engine you chose is used "
    "from the next start."
)
NEXT_START_TEXT = "The engine you chose is used from the next start."
KEY_NEXT_START_TEXT = (
    "These captions stay on this computer (they started without a key): AssemblyAI captions "
    "from the next start."
)
START_AGAIN = "Start again now"


class MenuChoices:
    """The input and engine chosen in the menus, and what the running session does with them."""

    def __init__(
        self,
        window: MainWindow,
        controller: SessionController,
        run: RunSettings,
        start: Callable[[], None],
        *,
        media_path: str | None = None,
        device_query: str | None = None,
        with_system_audio: bool = False,
    ) -> None:
        self._window = window
        self._controller = controller
        self._run = run
        self._start = start
        self.media_path = media_path
        """A file to caption (the command line, the demo, the Input menu) instead of a device."""
        self._file_once = False
        """The file was chosen in the Input menu: captioned once, then the input is the device
        again (the tenth walk: a later Start captioned the file again, under "Live")."""
        self._file_in_session = False
        self.device_query = device_query
        self.with_system_audio = with_system_audio
        self._restarting = False
        """Captions are to start again once the running ones have ended."""
        self.running_plan: EnginePlan | None = None
        """The engines of the session running now (set at its start)."""
        controller.runningChanged.connect(self._running)

    def source(self) -> SourceChoice:
        settings = self._run.current
        return SourceChoice(
            media_path=self.media_path,
            device_query=self.device_query,
            device_id=settings.input_device_id or None,
            device_label=settings.input_device_label,
            with_system_audio=self.with_system_audio,
        )

    # --- the Input menu ----------------------------------------------------------------------

    def device(self, device_id: str) -> None:
        self.media_path, self.device_query, self.with_system_audio = None, None, False
        self._file_once = False
        window = self._window
        label = next((d.label for d in window.input_menu.devices if d.device_id == device_id), "")
        self._run.change(input_device_id=device_id, input_device_label=label)
        if not self._controller.running:
            return
        try:
            opened = open_source(
                SourceChoice(device_id=device_id), self._run.current.streaming.chunk_ms
            )
        except AudioSourceError as exc:
            window.notify(str(exc), key="input-switch", until=Until.NEWS_WHILE_RUNNING)
            return
        window.withdraw("input-fallback")  # about the input it replaces
        if opened.notice:
            window.notify(opened.notice, key="input-fallback", until=Until.WHILE_RUNNING)
        self._controller.switch_source(opened.source)

    def media(self, path: str) -> None:
        self.media_path, self._file_once = path, True
        if self._controller.running:
            # The menu keeps ticking the input captioned now (the eleventh walk: the file was
            # ticked, the microphone not, while the microphone was captioned); the file gets
            # the tick when its session starts.
            name = Path(path).name
            # Said as it is: a file that does not look like media is tried, not promised (the
            # thirteenth walk: "README.md is captioned when you start again").
            media = Path(path).suffix.lower() in MEDIA_SUFFIXES
            then = "is captioned" if media else "(not a media file, by its name) is tried"
            self._window.notify(
                f"Stop the captions running now; {name} {then} when you start again.",
                key=MEDIA_NEXT_START,
                until=Until.NEWS_WHILE_RUNNING,  # the answer to what was just done: on top
            )
            return
        self._window.input_menu.set_media(path)
        self._window.status_panel.reset_clock()
        self._start()

    # --- the Engine menu ---------------------------------------------------------------------

    def engine(self, preference: str) -> None:
        choice = EngineChoice(preference)
        self._run.engine_override = None  # a choice in the menu is the person's, and is kept
        self._run.change(engine=choice)
        window = self._window
        window.set_facts(preference=preference)
        window.withdraw(ENGINE_NEXT_START)
        plan = self.running_plan
        if not self._controller.running or plan is None:
            return
        if plan.local_stand_in:  # Automatic on the cloud: this session has both engines
            self._controller.choose_engine(here=choice is EngineChoice.LOCAL)
            return
        cloud_chosen = choice is EngineChoice.ASSEMBLYAI or (
            choice is EngineChoice.AUTO and window.facts.key.available
        )
        session_on_cloud = plan.engine is not EngineChoice.LOCAL
        if cloud_chosen == session_on_cloud:
            return  # it captions where the person chose already
        text = STILL_SENT_TEXT if session_on_cloud else NEXT_START_TEXT
        window.notify(
            text, START_AGAIN, self.start_again, key=ENGINE_NEXT_START, until=Until.WHILE_RUNNING
        )

    def key_for_the_next_start(self) -> None:
        """A key was given while captions run here without the cloud (Automatic started with
        no key): they stay here, and starting again brings AssemblyAI (the seventh walk: a
        session-only key changed nothing, and nothing said so)."""
        self._window.notify(
            KEY_NEXT_START_TEXT,
            START_AGAIN,
            self.start_again,
            key=ENGINE_NEXT_START,
            until=Until.NEWS_WHILE_RUNNING,
        )

    def start_again(self) -> None:
        """End the captions running now, then start with what is chosen."""
        if not self._controller.running:
            self._start()
            return
        if self._restarting:  # asked again before the session has ended: once is enough
            return
        self._restarting = True
        self._controller.runningChanged.connect(self._start_once_ended)
        self._controller.stop()

    def _start_once_ended(self, running: bool) -> None:
        if not running:
            self._controller.runningChanged.disconnect(self._start_once_ended)
            self._restarting = False
            self._start()

    def _running(self, running: bool) -> None:
        if running:
            self._file_in_session = self._file_once and self.media_path is not None
            return
        self.running_plan = None
        self._window.withdraw(ENGINE_NEXT_START)
        self._window.withdraw(MEDIA_NEXT_START)
        menu = self._window.input_menu
        if self._file_in_session and not self._restarting:  # captioned, or stopped: the
            # device is the input again (started again at once, the file goes on being it)
            self._file_in_session = self._file_once = False
            self.media_path = None
            menu.set_chosen(self._run.current.input_device_id)
        elif self.media_path is None:
            menu.set_chosen(self._run.current.input_device_id)  # (not an input standing in)
        elif self._file_once:
            menu.set_media(self.media_path)  # chosen while the device was captioned
