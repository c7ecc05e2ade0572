"""The `mingle` command line."""
