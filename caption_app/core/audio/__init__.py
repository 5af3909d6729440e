"""Audio input: devices, system audio and media files as 16 kHz mono s16le chunks (Qt-free)."""
