"""The loan ledger: limitation and guarantee deadlines, NPL figures and report, the collection
plan and the letters it drives."""
