"""Live streaming: turn assembly, fault classification and the live session loop."""
