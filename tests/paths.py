"""Where the tests find the repository, their helper apps and the team's shared data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "tests" / "apps"
EXAMPLES = ROOT / "examples"
SHARED_GROUNDING = ROOT.parent / "shared" / "data" / "grounding"
