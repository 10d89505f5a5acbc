"""Idempotency as Stripe defines it (SPEC §11, issue #14): a key is bound to the whole request; another
body under it is 409; a second request while the first runs is 409; replays say so; keys expire in 24 h."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core import clock
from core.models import Holiday, IdempotencyKey
from tests.factories import UserFactory

pytestmark = pytest.mark.urls("tests.core.idempotency_urls")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.SEOUL)


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.django_db
def test_replay_says_so_and_another_body_is_409():
    """SPEC §11: the same request under the same key replays the stored response with
    ``Idempotent-Replayed: true``; key order in the body does not matter; another body is 409."""
    api = client_for(UserFactory())
    with clock.frozen(NOW):
        first = api.post("/idem/", {"name": "a", "n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        again = api.post("/idem/", {"n": 1, "name": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        other = api.post("/idem/", {"name": "b", "n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        extra = api.post("/idem/", {"name": "a", "n": 1, "x": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() == {"id": first.json()["id"], "date": "2090-01-01"}
    for refused in (other, extra):
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "idempotency_key_reused"
        assert refused.json()["error"]["field"] == "Idempotency-Key"
    assert Holiday.objects.count() == 1


@pytest.mark.django_db
def test_the_key_is_bound_to_path_and_customer():
    """SPEC §11: the same key for another acting customer is another key (no clash, no replay)."""
    with clock.frozen(NOW):
        one = client_for(UserFactory()).post("/idem/", {"name": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        two = client_for(UserFactory()).post("/idem/", {"name": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (one.status_code, two.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in two
    assert Holiday.objects.count() == 2


@pytest.mark.django_db
def test_keys_expire_after_24_hours():
    """SPEC §11: 24 hours after its first use a key is new again: another body is accepted."""
    api = client_for(UserFactory())
    with clock.frozen(NOW):
        api.post("/idem/", {"name": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    with clock.frozen(NOW + dt.timedelta(hours=23, minutes=59)):
        assert api.post("/idem/", {"name": "b"}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 409
    with clock.frozen(NOW + dt.timedelta(hours=24)):
        fresh = api.post("/idem/", {"name": "b"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh
    assert Holiday.objects.count() == 2
    record = IdempotencyKey.objects.get()
    assert record.expires_at == NOW + dt.timedelta(hours=48)


@pytest.mark.django_db
def test_expired_keys_and_their_stored_bodies_are_deleted():
    """SPEC §11, DAT-2: a stored response (it may hold personal data) does not outlive its key: the
    next idempotent request after 24 hours deletes every expired key, whoever it belonged to."""
    with clock.frozen(NOW):
        client_for(UserFactory()).post("/idem/", {"name": "old"}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    with clock.frozen(NOW + dt.timedelta(hours=1)):
        client_for(UserFactory()).post("/idem/", {"name": "new"}, format="json", HTTP_IDEMPOTENCY_KEY="b")
    with clock.frozen(NOW + dt.timedelta(hours=24, minutes=30)):
        client_for(UserFactory()).post("/idem/", {"name": "now"}, format="json", HTTP_IDEMPOTENCY_KEY="c")
    kept = sorted(IdempotencyKey.objects.values_list("key", flat=True))
    assert len(kept) == 2 and all(not key.endswith(":a") for key in kept)


@pytest.mark.django_db
def test_a_refused_request_releases_the_key():
    """SPEC §11: a request refused by validation stores nothing, so the corrected one may use the key."""
    api = client_for(UserFactory())
    with clock.frozen(NOW):
        bad = api.post("/idem/", "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
        good = api.post("/idem/", {"name": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "parse_error"
    assert good.status_code == 201 and "Idempotent-Replayed" not in good


@pytest.mark.django_db(transaction=True)
def test_concurrent_same_key_requests_one_runs_the_others_are_409():
    """SPEC §11 (issue #14): eight requests with one key at once: exactly one runs (201, not a replay);
    every other is 409 ``idempotency_request_in_progress`` (none claims to be a replay of a response
    that does not exist yet); one row is written. Afterwards the key replays."""
    user = UserFactory()
    barrier = threading.Barrier(8)
    results: list[tuple[int, str, str | None]] = []
    lock = threading.Lock()

    def send() -> None:
        api = client_for(user)
        barrier.wait()
        try:
            with clock.frozen(NOW):
                response = api.post("/idem/", {"name": "race"}, format="json", HTTP_IDEMPOTENCY_KEY="race")
            code = response.json().get("error", {}).get("code", "") if response.status_code != 201 else ""
            with lock:
                results.append((response.status_code, code, response.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [(201, "", None)] + [(409, "idempotency_request_in_progress", None)] * 7
    assert Holiday.objects.count() == 1
    with clock.frozen(NOW):
        after = client_for(user).post("/idem/", {"name": "race"}, format="json", HTTP_IDEMPOTENCY_KEY="race")
    assert after.status_code == 201 and after["Idempotent-Replayed"] == "true"
