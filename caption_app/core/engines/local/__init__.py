"""The local engine: Whisper (tiny.en, or base for other languages; faster-whisper /
CTranslate2) on this computer.

No account, no network. A batch model is made to stream: Silero VAD finds speech, the current
utterance is decoded again every 0.7 s (1.5 s for base, ``models.py``), words two decodes agree
on become final (local agreement), and the turn ends at a pause with Whisper's punctuated text
swapped in. The model runs in a child process (``worker.py``) so a native crash cannot take the
app down, and so its compute never competes with the GUI for the interpreter lock.
"""
