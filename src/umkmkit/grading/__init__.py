"""Grading a cohort's submissions with nbgrader: the worker pool (grader), the sandbox each
trainee's kernel runs in (sandbox, launcher, watchdog), the fork server that starts those kernels
(forkserver, forkclient), the jupyter_client kernel provisioners that launch every kernel
(provisioner, named through kernel_spec), a kernel start that survives a port race (kernel_start), the cap on
graded outputs, and the verification that solutions score full marks and typical mistakes lose points.

Builds on the cohort and the course; knows nothing of the ledger, the report or the room.
"""
