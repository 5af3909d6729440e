"""The checks that keep a decode's invented text off the screen, and keep its real words on it."""

from __future__ import annotations

from caption_app.core.engines.local.decoder import (
    DecodedWord,
    Hypothesis,
    rejection,
    without_looping_tail,
    without_repeated_tail,
)


def words(text: str) -> tuple[DecodedWord, ...]:
    return tuple(DecodedWord(w, 0, 0, 0.9) for w in text.split())


def kept(text: str) -> str:
    return " ".join(w.text for w in without_repeated_tail(words(text)))


def test_a_decode_that_starts_the_utterance_over_into_the_padding_is_cut_where_it_restarts() -> (
    None
):
    assert kept("Last week we agreed. Last week we") == "Last week we agreed."
    assert kept("Last week we agreed. Last week we agreed. Last week we") == "Last week we agreed."
    # The repeat's last word cut short by the token cap, after a comma.
    assert kept("Okay, let's... Okay, let's... Okay, let") == "Okay, let's..."
    assert kept("I am not saying, I") == "I am not saying,"


def test_real_words_are_kept() -> None:
    assert kept("who said she would be a few") == "who said she would be a few"
    assert kept("I said no. No way") == "I said no. No way"
    assert kept("Go forward ten meters.") == "Go forward ten meters."


def test_a_loop_inside_one_hyphen_joined_word_is_a_repetition() -> None:
    """Seen on the demo's clip: a partial read "he was not an old-s-y-y-y-y-y-y"."""
    looping = "he was not an old-s-y-y-y-y-y-y"
    assert rejection(Hypothesis(words(looping), looping, -0.3, 0.01, 1.2), 2000) == "repetition"
    for real in ("cold-hearted and rather selfish", "a so-so result", "well-to-do people"):
        assert rejection(Hypothesis(words(real), real, -0.3, 0.01, 1.2), 2000) is None


def hypothesis(text: str, *, no_speech: float, logprob: float) -> Hypothesis:
    return Hypothesis(words(text), text, logprob, no_speech, 1.0)


def test_silence_needs_a_high_no_speech_probability_and_unlikely_text_as_whisper_has_it() -> None:
    # The first words of an utterance often carry a high no-speech probability.
    assert rejection(hypothesis("also a reminder", no_speech=0.7, logprob=-0.4), 1000) is None
    assert rejection(hypothesis("a few", no_speech=0.7, logprob=-1.1), 1000) == "no speech"
    assert rejection(hypothesis("thank you", no_speech=0.95, logprob=-0.2), 1000) == "no speech"


def test_one_or_two_words_are_judged_on_a_looser_log_probability() -> None:
    assert rejection(hypothesis("Sure", no_speech=0.1, logprob=-1.2), 800) is None
    assert rejection(hypothesis("Sure", no_speech=0.1, logprob=-1.6), 800) == "unlikely text"
    three = hypothesis("keep at you", no_speech=0.1, logprob=-1.2)
    assert rejection(three, 800) == "unlikely text"


def test_a_live_reading_looping_on_its_last_half_heard_word_keeps_the_words_before_it() -> None:
    """Seen on the corpus: a partial read "They think the problem is the s s s" and showed
    nothing for 1.4 s; the words before the loop are a good reading."""
    looping = "They think the problem is the s s s"
    reading = Hypothesis(words(looping), looping, -0.3, 0.01, 1.2)
    assert rejection(reading, 1700) == "repetition"
    kept_reading = without_looping_tail(reading)
    assert kept_reading is not None
    assert kept_reading.text == "They think the problem is the"
    assert rejection(kept_reading, 1700) is None
    phrase = "also a reminder that the court the court the court"
    assert without_looping_tail(Hypothesis(words(phrase), phrase, -0.3, 0.01, 1.2)) is not None
    hyphen = "he was not an old-s-y-y-y-y-y-y"
    kept_hyphen = without_looping_tail(Hypothesis(words(hyphen), hyphen, -0.3, 0.01, 1.2))
    assert kept_hyphen is not None and kept_hyphen.text == "he was not an"


def test_a_loop_that_is_not_at_the_end_or_has_nothing_before_it_is_no_reading() -> None:
    for text in ("the the the problem is big", "great great great", "is is is"):
        assert without_looping_tail(Hypothesis(words(text), text, -0.3, 0.01, 1.2)) is None
