from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """Landing page after login: each role sees where to start."""
    return render(request, "home.html")
