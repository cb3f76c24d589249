"""Great Expectations gates: one per stage (landing, staging, reconciled, marts)."""
