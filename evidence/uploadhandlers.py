"""Caps uploads while they stream in, before anything reaches a temporary file or the evidence storage."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips a file as soon as it passes POSKO_MAX_FILE_BYTES, or the request's files pass
    POSKO_MAX_REPORT_BYTES. Skipped files are listed on `request.posko_skipped_uploads` as
    (field name, client file name, reason) so the form can say which file was refused and why."""

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0
        self.current = 0
        if request is not None:
            request.posko_skipped_uploads = []

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.current = 0

    def receive_data_chunk(self, raw_data, start):
        self.current += len(raw_data)
        self.total += len(raw_data)
        if self.current > settings.POSKO_MAX_FILE_BYTES:
            self._skip("file_too_large")
        if self.total > settings.POSKO_MAX_REPORT_BYTES:
            self._skip("report_too_large")
        return raw_data

    def _skip(self, reason: str):
        # Bytes of a skipped file still count against the request total only up to where it was cut off.
        if self.request is not None:
            self.request.posko_skipped_uploads.append((self.field_name, self.file_name, reason))
        raise SkipFile

    def file_complete(self, file_size):
        return None


def skipped_uploads(request) -> list[tuple[str, str, str]]:
    return list(getattr(request, "posko_skipped_uploads", []))
