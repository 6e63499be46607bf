"""Question sets (shared with acceptance, and the team's own) and the ratchet on their scores."""
