"""umkmkit: a Jupyter training kit for micro and small businesses (UMKM) in Manokwari.

Importing the package keeps `rfc3987_syntax` out of this process. jsonschema (under nbformat,
nbgrader and jupyter_events) imports it eagerly when it is installed, only to check the "iri" and
"iri-reference" string formats, which no schema the kit meets uses; at import it builds 38 Earley
parsers, measured here at 1.25 s of CPU (`python -c "import rfc3987_syntax"`), paid again by every
command, grading worker and lab server the kit starts. Blocked through `sys.modules` (None there
makes the import raise ImportError, which jsonschema catches), those two formats go unchecked, as
in an install without the package. jsonschema's other format checks are untouched.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)

from umkmkit.errors import UmkmkitError  # noqa: E402

__all__ = ["UmkmkitError", "__version__"]
__version__ = "0.1.0"
