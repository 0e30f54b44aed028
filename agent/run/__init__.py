"""One run: the step pipeline every surface uses, the planner's loop, composition from settings."""
