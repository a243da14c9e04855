"""The strike hardship fund: funds, rules, claims, donations, payments, the ledger and bank
reconciliation."""
