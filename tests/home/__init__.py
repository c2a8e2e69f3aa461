"""Tests of the App Home tab: its view, its service."""
