"""The `Grounder` seam: grounding-model families, the one point grammar, resize, evaluation."""
