"""The two things this app takes from the casefiles app (agreed interface): the case-file PDF and the list of
letters and signed scans that go into a bundle. Imported when called, so the layers stay one way (casefiles
never imports exports) and this app's other parts load without it."""


def casefile_pdf(report, *, include_identity: bool, language: str, signing_fingerprint: str) -> bytes:
    """The case file as PDF bytes. The renderer checks no permissions and logs nothing: the export services
    do both before they call it."""
    from casefiles.services import casefile_render

    return casefile_render(
        report=report,
        include_identity=include_identity,
        language=language,
        signing_fingerprint=signing_fingerprint,
    )


def bundle_documents(report) -> list:
    """Letters and signed scans: objects with path, file, size, sha256, kind and label."""
    from casefiles.selectors import bundle_documents as documents

    return documents(report)
