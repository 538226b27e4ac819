"""umkmkit: a Jupyter training kit for micro and small businesses (UMKM) in Manokwari."""

from umkmkit.errors import UmkmkitError

__all__ = ["UmkmkitError", "__version__"]
__version__ = "0.1.0"
