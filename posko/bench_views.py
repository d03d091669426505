"""A bare view for the benchmarks' reference run (mounted only when POSKO_BENCH_VIEWS=1)."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare_upload(request):
    # Parse the same multipart body the report API gets, through the same upload handlers, and keep nothing.
    return HttpResponse(f"{len(request.POST)} {len(request.FILES)}", content_type="text/plain")
