"""Editor files: discovery, strict front matter, Markdown rendered and sanitized
(`notes.py`); the `Note` they become, alone and light (`note.py`)."""
