"""The coordinator's ledger: every trainee's results across cohorts, read from the gradebooks
(progress), and whom to invite to the next cohort (invitations).

Reads what grading wrote; the report renders it.
"""
