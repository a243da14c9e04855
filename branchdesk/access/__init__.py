"""Officers, their roles, signing in, and the checks that bind every caller to a role."""
