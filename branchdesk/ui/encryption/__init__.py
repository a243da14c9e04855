"""The window side of encrypted databases: unlocking one, the recovery code, encrypting."""
