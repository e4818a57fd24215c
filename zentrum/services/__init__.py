"""Use cases: apply the domain rules to rows, write history, flush; never commit."""
