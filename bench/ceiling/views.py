from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Ping


@csrf_exempt
@require_POST
def insert_one(request):
    ping = Ping.objects.create(text=request.body.decode("utf-8", "replace")[:200])
    return JsonResponse({"id": ping.pk}, status=201)
