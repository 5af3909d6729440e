"""Engines turn 16 kHz mono PCM into Turn messages: AssemblyAI in the cloud, a local one later."""
