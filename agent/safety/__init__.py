"""What keeps a run in the person's hands: stop/pause/takeover, approval, secrets, budgets."""
