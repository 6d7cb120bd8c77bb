"""Issue 14: the pages, e-mails and API errors marked last (deals, imports, the week, the
dashboard, targets, the KPI digest) speak the user's language; English stays the source."""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from crm.models import Stage
from reports.digest import send_team_digest
from reports.models import Quota
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

# (url name, who opens it, a heading of that page) -> the heading in each language
PAGES = {
    "crm:pipeline": ("north_mgr", {"en": "Pipeline board", "id": "Papan pipeline",
                                   "nl": "Pipelinebord", "nb": "Pipelinetavle"}),
    "crm:import-start": ("north_mgr", {"en": "Upload a file", "id": "Unggah berkas",
                                       "nl": "Een bestand uploaden", "nb": "Last opp en fil"}),
    "activities:my-week": ("rep", {"en": "Goals vs. logged", "id": "Target vs. tercatat",
                                   "nl": "Doelen vs. vastgelegd", "nb": "Mål mot registrert"}),
    "reports:dashboard": ("north_mgr", {"en": "Quota year to date", "id": "Kuota tahun berjalan",
                                        "nl": "Quotum jaar tot nu toe",
                                        "nb": "Kvote hittil i år"}),
    "reports:targets": ("north_mgr", {"en": "Year quota", "id": "Kuota tahunan",
                                      "nl": "Jaarquota", "nb": "Årskvote"}),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "id", "nl", "nb"])
@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_each_page_speaks_the_users_language(client, company, url_name, lang):
    # Given a user whose profile names the language
    who, headings = PAGES[url_name]
    user = company[who]
    user.language = lang
    user.save()
    client.force_login(user)

    # When they open the page
    response = client.get(reverse(url_name))

    # Then its text is in that language, not in English
    html = response.content.decode()
    assert response.status_code == 200
    assert headings[lang] in html
    if lang != "en":
        assert headings["en"] not in html


QUARTER = {"en": "Q1", "id": "K1", "nl": "K1", "nb": "K1"}
MAY = {"en": "May", "id": "Mei", "nl": "Mei", "nb": "Mai"}


def _row_heading(html: str, row_id: str) -> str:
    return re.search(rf'<tr id="{row_id}"[^>]*>\s*<th scope="row">([^<]*)</th>', html)[1]


@pytest.mark.parametrize("lang", ["en", "id", "nl", "nb"])
def test_the_quota_grid_names_months_and_quarters_in_the_users_language(client, company, lang):
    manager = company["north_mgr"]
    manager.language = lang
    manager.save()
    client.force_login(manager)

    response = client.get(reverse("reports:quota-grid", args=[company["rep"].pk]), {"year": 2026})

    html = response.content.decode()
    assert _row_heading(html, "quota-month-2026-05") == MAY[lang]
    assert _row_heading(html, "quota-quarter-2026-01") == QUARTER[lang]


FIRST_DAY = {
    "en": "A month starts on its first day: use 2026-05-01, not 2026-05-02.",
    "id": "Bulan dimulai pada hari pertamanya: gunakan 2026-05-01, bukan 2026-05-02.",
    "nl": "Een maand begint op de eerste dag: gebruik 2026-05-01, niet 2026-05-02.",
    "nb": "En måned starter på sin første dag: bruk 2026-05-01, ikke 2026-05-02.",
}


@pytest.mark.parametrize("lang", ["en", "id", "nl", "nb"])
def test_a_target_api_error_comes_in_the_callers_language(company, api_as, lang):
    # Given a manager writing a quota that does not start on the month's first day
    manager = company["north_mgr"]
    body = {"rep": company["rep"].pk, "period": "month", "period_start": "2026-05-02"}

    # When the browser asks for their language
    response = api_as(manager).post("/api/quotas/", body, format="json", HTTP_ACCEPT_LANGUAGE=lang)

    # Then the field error says why in that language and nothing is stored
    assert response.status_code == 400
    assert response.json()["period_start"] == [FIRST_DAY[lang]]
    assert not Quota.objects.filter(period_start=date(2026, 5, 2)).exists()


DIGEST = {
    "en": ("North: weekly KPIs for 2026-W45", "Nobody at risk this week."),
    "id": ("North: KPI mingguan untuk 2026-W45", "Tidak ada yang berisiko minggu ini."),
    "nl": ("North: wekelijkse KPI's voor 2026-W45", "Niemand loopt risico deze week."),
    "nb": ("North: ukentlige KPI-er for 2026-W45", "Ingen i faresonen denne uken."),
}


@pytest.mark.parametrize("lang", ["en", "id", "nl", "nb"])
def test_the_weekly_digest_is_written_in_the_managers_language(company, settings, lang):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    manager = company["north_mgr"]
    manager.language = "" if lang == "en" else lang
    manager.save()

    assert send_team_digest(team=company["north"], week="2026-W45") is True

    message = mail.outbox[0]
    subject, nobody = DIGEST[lang]
    assert message.subject == subject
    assert nobody in message.body
    assert nobody in message.alternatives[0][0]


def test_the_board_names_the_stock_stages_in_the_users_language_and_keeps_a_renamed_one(
    client, company
):
    # Given a Dutch-speaking rep with a deal, and an admin who renamed "Proposal"
    Stage.objects.filter(code="proposal").update(name="Offer sent")
    rep = company["rep"]
    rep.language = "nl"
    rep.save()
    DealFactory(customer=CustomerFactory(owner=rep), owner=rep, stage_id="qualified")
    client.force_login(rep)

    # When they open the board
    html = client.get(reverse("crm:pipeline")).content.decode()

    # Then stock stages speak Dutch in the column heads and the move menu; the renamed one
    # keeps the admin's name
    heads = re.findall(r'<div class="column" data-stage="\w+">\s*<h2><span>([^<]*)</span>', html)
    assert heads == ["Lead", "Gekwalificeerd", "Offer sent", "Onderhandeling", "Gewonnen",
                     "Verloren"]  # fmt: skip
    assert '<option value="qualified" selected>Gekwalificeerd</option>' in html
    assert "Qualified" not in html
