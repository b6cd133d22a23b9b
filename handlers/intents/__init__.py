"""Intents: one function per command, button or answer. Each module exports its tables."""
