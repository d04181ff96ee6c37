from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from undersigned.workers.views import healthz

urlpatterns = [
    path("admin/security-keys/", include("undersigned.staff.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("undersigned.api.urls")),
    path("pow/", include("undersigned.protection.urls")),
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include("undersigned.pages.urls")),
    path("letters/", include("undersigned.letters.urls")),
    path("petitions/", include("undersigned.petitions.urls")),
    path("", include("undersigned.delivery.urls")),
    path("my-data/", include("undersigned.supporters.urls")),
    path("news/", include("undersigned.news.urls")),
    path("updates/", include("undersigned.subscribers.urls")),
)

if settings.DEBUG or settings.EMBEDDED:
    # The embedded default serves uploaded photos itself; production puts them behind the proxy.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

if settings.BENCHMARK_CEILINGS:
    urlpatterns += [path("bench/", include("benchmarks.ceiling.urls"))]

handler500 = "undersigned.pages.views.server_error"
