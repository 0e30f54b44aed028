"""Surfaces built on the step pipeline: `Agent`, `Desktop`, scripts and replays."""
