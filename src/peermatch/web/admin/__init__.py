"""The network admin: organisations, organiser accounts, settings."""
