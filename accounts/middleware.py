"""Show times in the signed-in user's team time zone: weeks and dates are the team's."""

import zoneinfo

from django.utils import timezone


class TeamTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        team = getattr(user, "team", None) if user and user.is_authenticated else None
        if team is not None:
            timezone.activate(zoneinfo.ZoneInfo(team.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
