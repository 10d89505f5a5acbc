"""Issue #14: uploads are never public. ``/media/<name>`` serves a file only to staff with the model's
view permission or to a member of the customer it belongs to; stored names are random (no customer id,
no client file name)."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as settings_module
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from accounts import services_changes
from config.media import private_media
from core.storage import random_name
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
CONTENT = b"%PDF-1.4 secret registration"


@pytest.fixture
def filed():  # type: ignore[no-untyped-def]
    admin = AdminMemberFactory()
    return services_changes.change_request_file(
        customer=admin.customer, member=admin, changes={"representative_name": "김새대표"},
        document=SimpleUploadedFile(f"customer-{admin.customer_id}-사업자등록증.pdf", CONTENT,
                                    content_type="application/pdf"),
        today=TODAY,
    )


def _url(item) -> str:  # type: ignore[no-untyped-def]
    return str(item.document.url)


def test_stored_name_is_random(filed):
    """Issue #14: the stored path carries neither the customer id nor the uploaded file name."""
    name = filed.document.name
    assert re.fullmatch(r"accounts/change_requests/[0-9a-f]{32}\.pdf", name), name
    assert "customer-" not in name and "사업자등록증" not in name
    assert filed.document_name.endswith("사업자등록증.pdf")  # the original name stays on the row


def test_random_name_keeps_only_a_plain_extension():
    """Issue #14: ``folder/x.PDF`` keeps ``.pdf``; a strange extension is dropped."""
    assert re.fullmatch(r"a/b/[0-9a-f]{32}\.pdf", random_name("a/b/export-17-3.PDF"))
    assert re.fullmatch(r"a/[0-9a-f]{32}", random_name("a/x.p<h>p"))
    assert random_name("a/x.pdf") != random_name("a/x.pdf")


def test_anonymous_is_sent_to_login(client, filed):
    """Issue #14: without a login the file is not served (redirect to the login page)."""
    response = client.get(_url(filed))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_member_of_the_owning_customer_downloads(client, filed):
    """Issue #14: an active member of the owning customer gets the file as an attachment under its
    original name, not cached."""
    client.force_login(MemberFactory(customer=filed.customer).user)
    response = client.get(_url(filed))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_other_customers_member_gets_404(client, filed):
    """Issue #14: another customer's member (even its admin) gets 404; so does a removed member."""
    client.force_login(AdminMemberFactory(customer=CustomerFactory()).user)
    assert client.get(_url(filed)).status_code == 404
    removed = MemberFactory(customer=filed.customer, status="removed")
    client.force_login(removed.user)
    assert client.get(_url(filed)).status_code == 404


def test_staff_needs_the_view_permission(client, filed):
    """Issue #14: staff without ``accounts.view_customerchangerequest`` get 404; with it, the file."""
    staff = StaffUserFactory()
    client.force_login(staff)
    assert client.get(_url(filed)).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_customerchangerequest"))
    client.force_login(staff)
    response = client.get(_url(filed))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT


def test_unknown_file_is_404(client):
    """Issue #14: a name no row holds is 404, even for a superuser (nothing is served by path)."""
    client.force_login(StaffUserFactory(is_superuser=True))
    assert client.get("/media/../config/settings/base.py").status_code == 404
    assert client.get("/media/accounts/change_requests/nothing.pdf").status_code == 404


def test_media_route_is_the_checking_view_even_in_debug(settings):
    """Issue #14: /media/ always resolves to the checking view."""
    settings.DEBUG = True
    assert resolve("/media/accounts/change_requests/x.pdf").func is private_media


def test_demo_settings_serve_no_static_media():
    """Issue #14: under the demo settings (DEBUG on) no URL serves MEDIA_ROOT by path
    (``django.views.static.serve``); /media/ is the checking view."""
    code = (
        "import django; django.setup(); from django.urls import get_resolver, resolve; "
        "from django.conf import settings; from django.views.static import serve; "
        "names = [str(p.pattern) for p in get_resolver().url_patterns "
        "if getattr(p, 'callback', None) is serve]; "
        "print(settings.DEBUG, names, resolve('/media/x.pdf').func.__module__)"
    )
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings.local",
           "PYTHONPATH": str(settings_module.BASE_DIR), "DATABASE_URL": "sqlite:////tmp/none.sqlite3",
           "REDIS_URL": ""}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings_module.BASE_DIR,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "[]", "config.media"]


def test_files_stored_before_random_names_are_renamed_once(filed, django_capture_on_commit_callbacks):
    """Issue #14: an upload stored under its old name (``customer-<id>-…``) is moved to a random name by
    ``manage.py rename_stored_files``; the row follows, the content is the same, the old file is gone;
    a second run (or an interrupted one run again) finds nothing to do."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage, default_storage
    from django.core.management import call_command

    from accounts.models import CustomerChangeRequest
    from core.storage import is_random_name, stored_files_rename

    old = FileSystemStorage(location=default_storage.location).save(
        f"accounts/change_requests/customer-{filed.customer_id}-registration.pdf", ContentFile(CONTENT)
    )
    assert default_storage.exists(old)
    CustomerChangeRequest.objects.filter(pk=filed.pk).update(document=old)

    assert stored_files_rename(dry_run=True) == {"accounts.CustomerChangeRequest.document": 1}
    assert default_storage.exists(old)  # a dry run moves nothing
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once the move is committed
        call_command("rename_stored_files")
    filed.refresh_from_db()
    assert is_random_name(filed.document.name) and filed.document.name != old
    assert filed.document.name.startswith("accounts/change_requests/")
    with default_storage.open(filed.document.name, "rb") as stored:
        assert stored.read() == CONTENT
    assert not default_storage.exists(old)
    assert stored_files_rename() == {}
