from tests.audio.conftest import clips_dir, pulse
from tests.streaming_server.fixtures import streaming_server

__all__ = ["clips_dir", "pulse", "streaming_server"]
