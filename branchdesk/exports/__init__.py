"""Lists exported to Excel and PDF, and the text safety those files need.

Nothing here imports openpyxl or reportlab until an export actually runs.
"""

from branchdesk.exports.pdf import write_pdf_table
from branchdesk.exports.text import pdf_text, safe_filename, xlsx_text
from branchdesk.exports.xlsx import write_xlsx

__all__ = ["pdf_text", "safe_filename", "write_pdf_table", "write_xlsx", "xlsx_text"]
