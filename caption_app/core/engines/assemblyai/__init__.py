"""The AssemblyAI Universal-Streaming v3 engine: the connection, its close codes, the key check."""
