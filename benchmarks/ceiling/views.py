from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Row


def constant(request):
    return HttpResponse("ok")


@csrf_exempt
def insert(request):
    Row.objects.create(value=request.POST.get("value", "x")[:100])
    return HttpResponse("ok", status=201)
