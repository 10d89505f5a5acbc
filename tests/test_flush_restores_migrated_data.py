"""A transactional test empties every table at its end; tests/conftest.py puts back what the data
migrations installed (notice templates, staff groups), so the next test sees the database `migrate`
leaves. Two transactional tests in a row: the second still finds them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from messaging.models import NoticeTemplate

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_transactional_test_sees_the_migrated_rows():
    assert NoticeTemplate.objects.exists() and Group.objects.filter(name="billing").exists()


def test_the_next_one_sees_them_again_after_the_flush():
    assert NoticeTemplate.objects.exists() and Group.objects.filter(name="billing").exists()
