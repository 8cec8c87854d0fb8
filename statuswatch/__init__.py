"""statuswatch: what is down on the internet's backbone, from the providers' own status pages."""

__version__ = "0.1.0"
