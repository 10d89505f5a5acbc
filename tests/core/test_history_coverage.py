"""Issue #14: every model holding money or a customer's data keeps an audit trail with the real actor.

Walks every model of the product's apps. One that has an amount of won, points at a customer or holds
personal data (``core.personal_data``) must have a ``history`` (django-simple-history through
``core.audit.AuditedHistory``), or have its every change go through a status machine whose moves are
logged with the actor (``core.transitions``), or be listed below with the reason it needs neither. A
new model that fits none of them fails here until someone decides.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from accounts.models import Customer
from core.personal_data import holds_personal_data

OUR_APPS = {"accounts", "billing", "contracts", "core", "messaging", "privacy", "sla"}

# Changes are status moves, each logged in core.StatusTransition (who, when, from, to, why).
STATUS_LOGGED = {
    "messaging.Notice": "messaging.lifecycles.NOTICE",
    "messaging.Message": "messaging.lifecycles.MESSAGE",
    "messaging.SenderNumber": "messaging.lifecycles.SENDER_NUMBER",
    "messaging.KakaoTemplate": "messaging.lifecycles.KAKAO_TEMPLATE",
    "privacy.ExportRequest": "privacy.lifecycles.EXPORT",
    "privacy.DeletionRequest": "privacy.lifecycles.DELETION",
}

# Written once and never changed (a correction is a new row), append-only, or a copy the purge must be
# able to destroy without a history keeping it.
EXEMPT = {
    "billing.LedgerEntry": "append-only: a correction is a new entry (BIL-7)",
    "billing.InvoiceLine": "written with its invoice and never changed; credit/debit notes correct it",
    "billing.Settlement": "written once when the settlement is issued (BIL-12); its invoice or refund "
    "carries the later history",
    "sla.SlaCreditDocument": "written once per credit; a recomputation adds a correction or reversal row",
    "accounts.PersonalDataAccess": "append-only, enforced by a database trigger (DAT-6)",
    "accounts.DormantMemberData": "the separated copy of a dormant member's data (ACC-10), deleted at "
    "reactivation or purge; a history would keep what the purge must destroy",
    "privacy.RetainedRecord": "a scrubbed record kept for its legal period, then destroyed (DAT-3)",
    "contracts.TermsConsent": "one decision per customer and version, never changed (TRM-4)",
    "contracts.SuccessionTransfer": "written once when a succession is approved (ACC-8)",
    "messaging.MessageBatch": "written when a bulk send is accepted; its messages carry the statuses",
    "billing.CardRefund": "one part of a refund sent to the card: the PG's answer (each call is a "
    "ProviderCall row); its refund carries the history and the REFUND transitions (BIL-11)",
}


def _needs_trail(model) -> bool:
    money = any(field.name.endswith("_won") for field in model._meta.fields)
    customer = model is Customer or any(
        getattr(field, "related_model", None) is Customer for field in model._meta.fields
    )
    return money or customer or holds_personal_data(model)


def _product_models():
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS and not model.__name__.startswith("Historical"):
            yield model


def test_every_model_with_money_or_customer_data_keeps_a_trail():
    """Issue #14: history, a logged status machine, or a written reason for each such model."""
    missing = [
        model._meta.label
        for model in _product_models()
        if _needs_trail(model)
        and not hasattr(model, "history")
        and model._meta.label not in STATUS_LOGGED
        and model._meta.label not in EXEMPT
    ]
    assert missing == []


@pytest.mark.parametrize("label", sorted(STATUS_LOGGED))
def test_status_logged_models_have_their_machine(label):
    """Issue #14: each model said to be status-logged has a machine over its own status choices."""
    module, _, name = STATUS_LOGGED[label].rpartition(".")
    machine = getattr(importlib.import_module(module), name)
    model = apps.get_model(label)
    assert machine.choices is model.Status
    assert machine.field in {field.name for field in model._meta.fields}


def test_the_lists_name_only_existing_models_that_lack_a_history():
    """Issue #14: an exemption for a model that got a history (or was removed) is stale and fails."""
    for label in [*STATUS_LOGGED, *EXEMPT]:
        model = apps.get_model(label)
        assert not hasattr(model, "history"), label
        assert _needs_trail(model), label


def test_dunning_steps_and_recipient_settings_keep_a_history():
    """Issue #14, DUN-1, MSG-7: a step cancelled after payment (``cancelled_on``) and a recipient's
    consent, a customer's payment-notice switches and notice channels are changes with an actor."""
    from billing.models import DunningStep
    from messaging.models import NoticePreference, PaymentNoticeSetting, Recipient

    for model in (DunningStep, Recipient, PaymentNoticeSetting, NoticePreference):
        assert hasattr(model, "history"), model
