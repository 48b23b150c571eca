"""Demo data of the documents module: the five real seed documents, and one file of another organisation waiting
for review on /documents/import."""
from __future__ import annotations


def load() -> list[str]:
    """Register the five real documents of shared/seeds (skipped when already there)."""
    from pathlib import Path

    from flask import current_app

    from portal.documents.importer import import_path

    folder = Path(current_app.config["PORTAL_SEEDS"])
    if not folder.is_dir():
        return [f"seed documents not found in {folder}; set PORTAL_SEEDS"]
    out = []
    for result in import_path(folder):
        if result.status == "imported":
            out.append(f"document {result.message}")
        elif result.status == "refused":
            out.append(f"document refused: {result.source}: {result.message}")
    from portal.documents import demo_import

    return out + demo_import.load()
