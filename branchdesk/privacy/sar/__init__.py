"""A member's subject access request: everything BranchDesk holds about them, gathered and written.

`export_sar` writes three files into an empty folder:

- a PDF for the member: a cover page saying what a subject access request is, how the branch
  uses their data (purposes, sources, recipients, retention, rights), then their membership
  record, cases, hardship fund claims and payments, outsourcing links, surveys, and the audit
  of who looked at or changed their records;
- a workbook with the same information, one sheet per section, so it can be used elsewhere;
- a workbook "for review before release", never for the member: the other people named in
  those records (other members of a collective case, reps and officers, companions, other
  members named in notes), each with where it appears, so the secretary can redact before
  sending; the passages in other people's records that name the member; and the entries marked
  confidential.

Case documents are listed by name and date; the files themselves are supplied separately.
Survey responses are stored without names or respondent ids, so none can be identified.

Every file is written atomically, every piece of user text is escaped for the PDF and kept as
text in the workbooks, and the export is recorded in the audit log as a disclosure (which
records, never their content). Only the branch secretary may make one (`require_privacy`).

The package, a module for each part: `collect` gathers the member's records (`model`) with
their audit log entries (`audit`); `statements` holds the fixed texts and `facts` the values as
shown; `pdf` (built with `pdf_story`) and `xlsx` write the member's copy; `review` finds the
other people named (with `names`) and writes the review list; `export` writes the three files.
"""

from branchdesk.privacy.sar.collect import gather
from branchdesk.privacy.sar.export import SarExport, check_folder, export_sar
from branchdesk.privacy.sar.names import NameFinder
from branchdesk.privacy.sar_register import SarError

__all__ = ["NameFinder", "SarError", "SarExport", "check_folder", "export_sar", "gather"]
