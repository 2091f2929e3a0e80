"""autotrade — automotive B2B trading platform."""

__version__ = "0.1.0"
