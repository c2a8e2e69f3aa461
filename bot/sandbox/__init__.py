"""A local Slack for tests and the demo: a Web API emulator and a driver that plays the user."""
