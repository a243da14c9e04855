"""Members' data rights in the window: subject access requests, retention and erasure."""
