"""In-memory stand-ins for the ports, one module per port, each held to its real adapter by tests/contracts/."""
