"""Errors that end a command with one clear line (the CLI prints them, no traceback)."""


class ConfigError(Exception):
    """Bad configuration or environment: missing token, unreadable database, bad URL..."""


class IngestError(Exception):
    """The report could not be ingested: unreadable file, invalid UTF-8, no report structure..."""
