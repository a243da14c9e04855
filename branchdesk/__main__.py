"""`python -m branchdesk`: the same as the `branchdesk` command."""

from branchdesk.cli import main

raise SystemExit(main())
