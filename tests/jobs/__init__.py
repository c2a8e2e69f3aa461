"""Tests of customization jobs: launching, the commands on jobs, spend, and (in monitoring/) watching them."""
