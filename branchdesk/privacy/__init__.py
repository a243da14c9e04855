"""Members' rights over their data: subject access requests, retention and erasure."""
