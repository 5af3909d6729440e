"""Which engine serves the next connection: the cloud, or the local engine standing in for it.

With the engine setting on auto, a cloud that cannot be reached at Start (refused, no such
name, or no answer within a second and a half) hands the session to the local engine, and a
cloud connection lost mid-session does so once the cloud has been away ``after_s`` (it usually
comes back within seconds). Every failure counts toward that, a hung attempt as much as a
refused one, and a connection that begins and drops again before it carried a turn does not
count as back. While local, the cloud is tried again now and then with a real connection on
the side, which takes over only once it has begun (a TCP connect proves nothing: a captive
portal accepts it); a try that fails waits twice as long before the next. With the cloud asked
for explicitly there is no fallback: the session reports and retries.

The person may also choose mid-session: this computer (the cloud is left at once and not tried
again: a choice of privacy is not put off to the next start), or the cloud again (tried at
once, taking over as after an outage).

Pure and clocked by the injected clock; the supervisor opens every connection.
"""

from __future__ import annotations

from collections.abc import Callable

from caption_app.core.engines.base import Engine
from caption_app.core.model.gaps import chosen_here_marker, cloud_marker, standing_in_marker
from caption_app.core.model.problems import Problem, ProblemKind, Recovery
from caption_app.core.model.session import EngineInUse
from caption_app.core.settings import FailoverSettings, StreamingSettings

STANDS_IN_FOR = (ProblemKind.UNREACHABLE, ProblemKind.NETWORK, ProblemKind.RATE_LIMIT)
"""Cloud problems the local engine covers for, besides a rejected key (covered until another
is given: retrying the same one cannot help); an empty account it does not."""

RETURN_EVERY_MAX_S = 30.0
"""Tries of the cloud that keep failing are spaced out up to this: a try that fails costs
nothing (no audio, nothing billed), and the cloud, once back, waits at most this long to take
over again (two minutes kept "Cannot reach …" up well after a long outage: the fourth walk)."""


class EngineSelector:
    def __init__(
        self,
        primary: Engine,
        fallback: Engine | None = None,
        *,
        options: FailoverSettings | None = None,
        clock: Callable[[], float],
    ) -> None:
        self.primary = primary
        self._fallback = fallback
        self.options = options or FailoverSettings()
        self._clock = clock
        self.on_fallback = False
        """The local engine serves the current connection."""
        self.primary_ever_began = False
        self._primary_down_since: float | None = None
        self._just_returned = False
        """The cloud took over again and has not carried a turn yet: if it fails now, it was
        not back after all (the local engine takes over at once)."""
        self._return_every_s = self.options.probe_every_s
        self._next_return_at = 0.0
        self.awaiting_key = False
        """The cloud rejected the key, or there is none: it is not tried again until another
        is given."""
        self._key_missing = False
        self.cloud_asked_for = False
        """The person asked for the cloud (gave another key, or chose it again): it is tried
        until it takes over, whether or not the cloud is to be tried again by itself."""
        self.kept_here = False
        """The person chose this computer mid-session: the cloud is not tried again."""
        self._why_here = ""
        """Why the local engine took over, as the transcript says it (the tenth walk: a slow
        cloud marked "cannot be reached" beside the notice "has not answered yet")."""

    @property
    def fallback(self) -> Engine | None:
        return self._fallback

    @property
    def standing_in(self) -> bool:
        """The local engine covers for the cloud (not: the person chose it)."""
        return self.on_fallback and not self.kept_here

    def in_use(self, engine: Engine) -> EngineInUse:
        """What the window is told of ``engine`` captioning now."""
        billed = engine.billed_per_hour_usd
        waits_for = ""
        if self.standing_in and self.awaiting_key:
            waits_for = (
                "no API key for the cloud"
                if self._key_missing
                else "the cloud rejected the API key"
            )
        return EngineInUse(engine.name, engine.on_device, billed, self.standing_in, waits_for)

    def marker(self, engine: Engine, previous: Engine | None) -> str | None:
        """What the transcript says where captions move to ``engine`` from ``previous``."""
        if engine is previous or (previous is None and not self.on_fallback):
            return None
        if self.on_fallback and self.kept_here:
            return chosen_here_marker()
        if self.on_fallback:
            return standing_in_marker(
                self.primary.name,
                key_rejected=self.awaiting_key,
                key_missing=self._key_missing,
                why=self._why_here,
            )
        return cloud_marker(engine.name, back=self.primary_ever_began)

    def choose(self, *, here: bool) -> bool:
        """The person chose this computer (``here``) or the cloud, mid-session; False when
        this session cannot (it has no local engine). The cloud chosen again is tried at once
        (as a key given is)."""
        if self._fallback is None:
            return False
        if here:
            self.kept_here, self.cloud_asked_for = True, False
        elif self.kept_here:
            self.kept_here, self.cloud_asked_for = False, True
            self._next_return_at = self._clock()
        return True

    def next_engine(self) -> Engine:
        if self.on_fallback and self._fallback is not None:
            return self._fallback
        return self.primary

    def can_fail_over(self, problem: Problem | None = None) -> bool:
        """A stand-in exists, is not in use, and covers for ``problem`` (any, when None)."""
        if self._fallback is None or self.on_fallback:
            return False
        return problem is None or problem.kind in STANDS_IN_FOR or _key_rejected(problem)

    # --- what happened -------------------------------------------------------------------

    def began(self, engine: Engine) -> None:
        """A connection on ``engine`` began."""
        if engine is self.primary:
            self.primary_ever_began = True
            if not self.on_fallback and self._fallback is not None:
                self._fallback.release()  # the cloud answers: no worker kept waiting

    def primary_proven(self) -> None:
        """The cloud carried a turn (or stayed live a while): it is really back."""
        self._primary_down_since = None
        self._just_returned = False
        self._return_every_s = self.options.probe_every_s

    def primary_failed(self, problem: Problem) -> bool:
        """The cloud's current connection failed; True when the local engine should take over
        at once (the cloud was never reached, or failed again right after coming back)."""
        if not self.can_fail_over(problem):
            return False
        if self._primary_down_since is None:
            self._primary_down_since = self._clock()
        if _key_rejected(problem):
            self.awaiting_key, self._key_missing = True, problem.kind is ProblemKind.NO_KEY
            return True  # no outage to wait out: the same key again cannot help
        return self._just_returned or not self.primary_ever_began

    def away_for_s(self) -> float:
        """How long the cloud has been away (0 when it is not known to be)."""
        since = self._primary_down_since
        return 0.0 if since is None else self._clock() - since

    def failover_due(self) -> bool:
        """The cloud has been away (failing, or not answering) for ``after_s``."""
        since = self._primary_down_since
        if not self.can_fail_over() or since is None:
            return False
        return self._clock() - since >= self.options.after_s

    def why_fail_over(
        self, waited_s: float | None, grace_s: float, settings: StreamingSettings
    ) -> str | None:
        """Why the local engine should caption now, if it should: while the cloud is retried
        after a failure (``waited_s`` None), or while its attempt has waited ``waited_s`` for
        an answer. The local engine gets ready meanwhile."""
        if not self.can_fail_over():
            return None
        if self.primary_ever_began or waited_s is None:
            return f"{self.primary.name} did not come back." if self.failover_due() else None
        # The cloud not reached yet this session: a slow answer is not waited for (captions
        # run locally, and the cloud takes over if it does answer). The local engine loads
        # meanwhile (a second or two), and is let go the moment the cloud begins.
        if waited_s >= grace_s:
            return f"{self.primary.name} has not answered yet."
        self.prepare_fallback(settings)
        return None

    def prepare_fallback(self, settings: StreamingSettings) -> None:
        """The cloud is in trouble: have the local engine ready in case it stays away."""
        if self._fallback is not None and not self.on_fallback:
            self._fallback.prepare(settings)

    def use_fallback(self, why: str = "") -> None:
        """The local engine takes over; ``why``: what the cloud did ("… has not answered
        yet."), when it was not a failure to connect."""
        self._why_here = why
        self.on_fallback = True
        self._just_returned = False
        self._next_return_at = self._clock() + self._return_every_s

    def fallback_cannot_run(self) -> None:
        """The local engine cannot run here: the cloud is retried, for good."""
        self._fallback, self.on_fallback = None, False

    # --- going back to the cloud ---------------------------------------------------------

    def return_due(self) -> bool:
        """While local: time to try the cloud again (on the side)?"""
        if not self.on_fallback or self.awaiting_key or self.kept_here:
            return False
        wanted = self.options.return_to_cloud or self.cloud_asked_for
        return wanted and self._clock() >= self._next_return_at

    def return_tried(self) -> None:
        """A try has started; the next is not due before this one has been answered."""
        self._next_return_at = float("inf")

    def return_abandoned(self) -> None:
        """The try was let go unanswered (a pause, a lost input): the next comes as usual."""
        self._next_return_at = self._clock() + self._return_every_s

    def return_failed(self, problem: Problem) -> None:
        """The try did not begin: the next waits twice as long (up to half a minute), or for
        another key if it rejected this one."""
        self.awaiting_key = _key_rejected(problem)
        self._key_missing = problem.kind is ProblemKind.NO_KEY
        self._return_every_s = min(self._return_every_s * 2, RETURN_EVERY_MAX_S)
        self._next_return_at = self._clock() + self._return_every_s

    def key_renewed(self) -> None:
        """Another key was given: a cloud that rejected the last one is tried at once (the
        person asked for it: also with returning to the cloud turned off)."""
        if self.awaiting_key:
            self.awaiting_key, self.cloud_asked_for = False, True
            self._return_every_s = self.options.probe_every_s
            self._next_return_at = self._clock()

    def use_primary(self) -> None:
        """The cloud's connection, begun on the side, takes over."""
        self.on_fallback = False
        self._just_returned = True
        self.cloud_asked_for = False

    def release(self) -> None:
        for engine in (self.primary, self._fallback):
            if engine is not None:
                engine.release()


def _key_rejected(problem: Problem) -> bool:
    return problem.recovery is Recovery.NEW_KEY
