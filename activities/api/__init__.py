"""REST endpoints of the activity domain; registered in crm/api/urls.py."""
