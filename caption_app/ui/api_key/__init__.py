"""Tools → API key…: entering, checking and storing the AssemblyAI key."""
