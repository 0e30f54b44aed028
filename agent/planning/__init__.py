"""The `Planner` seam: the OpenAI-compatible planner and the parsing of its replies."""
