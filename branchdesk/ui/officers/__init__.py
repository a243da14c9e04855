"""Officers in the window: signing in, first-run set-up, the officers' accounts, the idle lock."""
