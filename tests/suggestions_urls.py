"""The project's URLs plus a stand-in for GET /api/v1/suggestions/ as its contract says (the live
suggestions endpoint of the smart-dispatch issue, not in this branch yet): what the form's
suggestions code is tested against until the real endpoint is merged."""
from django.http import JsonResponse
from django.urls import URLResolver, include, path

from config import api_urls
from config import urls as project


def suggestions(request):
    noise = "noise" in request.GET.get("text", "").lower() or "噪" in request.GET.get("text", "")
    categories = [{"code": "ENV-NOISE-NB", "label": "Noise from the neighbours", "confidence": 0.91},
                  {"code": "HOU-TITLE", "label": "Who owns a flat", "confidence": 0.05}] if noise else []
    return JsonResponse({"categories": categories, "place": None})


urlpatterns = [
    path("api/v1/", include(([path("suggestions/", suggestions, name="suggestions"), *api_urls.urlpatterns], "api"))),
    *[p for p in project.urlpatterns if not (isinstance(p, URLResolver) and p.namespace == "api")],
]
