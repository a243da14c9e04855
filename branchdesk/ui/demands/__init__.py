"""The Negotiating demands tab and its dialogs."""
