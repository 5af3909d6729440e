"""Silero VAD (the ONNX model faster-whisper ships), fed as the audio arrives.

faster-whisper's own ``SileroVADModel`` starts from a fresh state on every call, which suits a
whole file. Live audio arrives 50 ms at a time, so this keeps the model's recurrent state and
the 64-sample context between calls: each 32 ms window gets the probability it would have had
in one long call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

WINDOW = 512
"""Samples per VAD decision at 16 kHz (32 ms)."""
WINDOW_MS = 32
CONTEXT = 64


def vad_model_path() -> Path:
    from faster_whisper.utils import get_assets_path

    return Path(get_assets_path()) / "silero_vad_v6.onnx"


class StreamingVad:
    def __init__(self, model_path: Path | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 4
        self._session: Any = onnxruntime.InferenceSession(
            str(model_path or vad_model_path()),
            providers=["CPUExecutionProvider"],
            sess_options=options,
        )
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Speech probabilities for every whole window completed by ``samples`` (float32)."""
        audio = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        whole = len(audio) // WINDOW
        self._pending = audio[whole * WINDOW :]
        if whole == 0:
            return np.zeros(0, dtype=np.float32)
        windows = audio[: whole * WINDOW].reshape(whole, WINDOW)
        contexts = np.vstack([self._context[None, :], windows[:-1, -CONTEXT:]])
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1)
        output, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        return np.asarray(output, dtype=np.float32).reshape(-1)
