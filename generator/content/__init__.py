"""Editor files: discovery, strict front matter, Markdown rendered and sanitized
(`notes.py`)."""
