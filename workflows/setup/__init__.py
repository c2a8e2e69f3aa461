"""The setup conversation: records, events, effects and the pure ``advance`` function."""
