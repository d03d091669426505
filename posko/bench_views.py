"""Bare views for the benchmarks' reference runs (mounted only when POSKO_BENCH_VIEWS=1)."""

import uuid

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_upload(request):
    # Parse the same multipart body the report API gets, through the same upload handlers, and keep nothing.
    return HttpResponse(f"{len(request.POST)} {len(request.FILES)}", content_type="text/plain")


@csrf_exempt
def bare_upload_stored(request):
    """The bare view plus the one storage write a report's photo cannot do without: each file saved to the
    evidence storage as the report API saves an original (flushed to the disk, or one PutObject to S3). A
    second reference for bench/intake.py, for information: the issue's target is read against bare_upload."""
    from evidence.storage import evidence_storage

    for upload in request.FILES.values():
        evidence_storage.save(f"bench/{uuid.uuid4()}", upload)
    return HttpResponse(f"{len(request.POST)} {len(request.FILES)}", content_type="text/plain")
