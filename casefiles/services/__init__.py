"""Writing the documents of a case: case files, letters, signed scans, the reporter's notices.
`casefile_render` is the entry point the exports app calls."""

from casefiles.services.casefile import casefile_render

__all__ = ["casefile_render"]
