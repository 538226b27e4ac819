"""The coordinator's report: the pages, charts, workbook and CSV files (build), the certificates,
and the child processes that write the slow parts meanwhile (background).

Renders the ledger; nothing below imports it.
"""
