from tests.streaming_server.fixtures import streaming_server

__all__ = ["streaming_server"]
