"""Tests of the sandbox Slack: the Web API emulator and the driver that plays the user."""
