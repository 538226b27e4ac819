"""The training room: JupyterLab on a laptop (lab, its sandboxed kernels and Indonesian
interface), the room server (hub, its memory limits, the formgrader's names), the offline install
on a USB stick (usb, lockfile), and the machine check (doctor).

Serves what the course and the cohort made and grading checks; the CLI and demo sit above it.
"""
