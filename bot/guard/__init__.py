"""The request edge: what must hold before Bolt sees an HTTP request (size, signature, replay, shape)."""
