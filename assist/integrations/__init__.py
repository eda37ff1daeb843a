"""Adapters between chat platforms and assist's event protocol (sans-I/O: dicts in, dicts out)."""
