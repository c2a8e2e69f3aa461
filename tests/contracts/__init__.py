"""Contract suites: the same cases run against each fake in tests/fakes and the real adapter it stands for."""
