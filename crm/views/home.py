from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """Landing page after login: each role sees where to start. A rep's home is My week
    (rendered here, so "/" stays their address)."""
    if request.user.is_rep:
        from activities.views.week import my_week_view

        return my_week_view(request, as_home=True)
    return render(request, "home.html")
