"""Customization jobs: starting one, watching it (``monitoring``), and the commands on jobs."""
