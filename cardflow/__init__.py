"""Cardflow: resumable step-by-step web workflows beside a local LLM chat, all on localhost."""

__version__ = "0.1.0"
