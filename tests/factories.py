"""Shared factory_boy factories. Other apps' tests import these: keep the names stable.

* ``CustomerFactory`` — an active corporation with a valid, unique business number (ACC-2).
* ``MemberFactory`` — a member (role ``member``) with a Django user whose username is the
  login ID and whose password is ``DEFAULT_PASSWORD``. ``MemberFactory(role="admin")``
  or ``AdminMemberFactory`` for an admin.
* ``StaffUserFactory`` — an operator employee (``is_staff``); ``groups=["billing"]`` puts it in
  staff groups (ACC-11); ``StaffUserFactory(is_superuser=True)`` for a superuser.

Factories write rows directly (no services), so they build states the services would refuse.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Customer, Member
from accounts.validators import business_number_check_digit

DEFAULT_PASSWORD = "Termsops-test-pw-1!"


def make_business_number(n: int) -> str:
    """A valid business number (ACC-2) unique per ``n``."""
    prefix = f"{(100_000_000 + n * 7_919) % 1_000_000_000:09d}"
    return prefix + str(business_number_check_digit(prefix))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class StaffUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def groups(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            for name in extracted:
                group, _ = Group.objects.get_or_create(name=name)
                obj.groups.add(group)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    legal_name = factory.Sequence(lambda n: f"주식회사 테스트{n}")
    kind = Customer.Kind.CORPORATION
    business_number = factory.Sequence(make_business_number)
    representative_name = factory.Sequence(lambda n: f"대표{n}")
    address = "서울특별시 중구 세종대로 110"
    billing_email = factory.Sequence(lambda n: f"billing{n}@example.com")
    billing_mobile = "+821012345678"
    status = Customer.Status.ACTIVE


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    customer = factory.SubFactory(CustomerFactory)
    login_id = factory.Sequence(lambda n: f"member{n}")
    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("..login_id"),
        email=factory.SelfAttribute("..email"),
    )
    name = factory.Sequence(lambda n: f"구성원{n}")
    email = factory.LazyAttribute(lambda o: f"{o.login_id}@example.com")
    role = Member.Role.MEMBER
    status = Member.Status.ACTIVE


class AdminMemberFactory(MemberFactory):
    role = Member.Role.ADMIN
