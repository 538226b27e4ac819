"""Building the course: the curriculum, its notebooks (lessons, solutions, exercises), the registry
of dated facts, the agenda, the printable handouts and calculators.

Reads the kit's own files; knows nothing of cohorts, grading or reports.
"""
