"""The API key and other credentials: OS keyring, environment, memory, token service.

The key lives in the operating system's keychain and nowhere else; see ``credentials`` for the
order in which sources are tried.
"""
