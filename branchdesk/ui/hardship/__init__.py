"""The Hardship fund tab: funds, claims, payment runs, donations, the ledger and reconciliation."""
