import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import Member
from core.errors import DomainError
from tests.factories import AdminMemberFactory, CustomerFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("operation", ["demote", "remove"])
def test_two_concurrent_demotions_leave_one_admin(operation):
    """ACC-4: two admins demote (or remove) each other at the same moment; the row lock lets only one win,
    so the customer keeps an admin."""
    customer = CustomerFactory()
    first = AdminMemberFactory(customer=customer)
    second = AdminMemberFactory(customer=customer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(member: Member) -> None:
        try:
            barrier.wait(timeout=10)
            if operation == "demote":
                services.member_change_role(member=member, role=Member.Role.MEMBER, actor=None)
            else:
                services.member_remove(member=member, actor=None)
            result = "ok"
        except DomainError as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=(m,)) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes) == ["last_admin", "ok"]
    admins = Member.objects.filter(customer=customer, role=Member.Role.ADMIN, status=Member.Status.ACTIVE)
    assert admins.count() == 1
