"""A cohort and the trainer's flow through it: create the cohort from a roster, release the
exercises, collect the submissions, return feedback and worked solutions, tick the checklist,
the knowledge test on paper; and the simulated trainees of the demo, tests and benchmarks.

Builds on the course; grading, the ledger and the report build on it.
"""
