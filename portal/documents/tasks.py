"""Background work of the documents module: approved revisions become effective on their date, by schedule."""
from __future__ import annotations
