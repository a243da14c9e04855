"""The member register's part of the window: its tab and dialogs."""
