from django.urls import path

from .views import insert_one

app_name = "bench_ceiling"
urlpatterns = [path("", insert_one, name="insert")]
