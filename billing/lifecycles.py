"""The lifecycles of billing records, declared as data for ``core.transitions``.

Each status field below moves only through ``core.transitions.transition`` (or ``transition_many``)
with its machine; every move is logged (who, when, from, to, why) in ``core.StatusTransition``.
Records are created in their first state (an invoice issued, a payment pending or succeeded, ...).
"""

from __future__ import annotations

from core.transitions import StateMachine

from .models import BankTransaction, Dispute, DunningCase, Invoice, Payment, Refund, TaxInvoice

I = Invoice.Status  # noqa: E741
P = Payment.Status
B = BankTransaction.Status
T = TaxInvoice.Status
D = DunningCase.Status
X = Dispute.Status
R = Refund.Status

#: BIL-7: an issued invoice is paid (or void when credit notes cancel all of it) once its open amount
#: reaches zero; a debit note on a paid or void invoice issues it again.
INVOICE = StateMachine(
    name="invoice",
    rule="BIL-7",
    choices=I,
    moves={I.ISSUED: {I.PAID, I.VOID}, I.PAID: {I.ISSUED}, I.VOID: {I.ISSUED}},
)

#: BIL-7/BIL-8: a pending payment (an automatic charge in flight, a customer's transfer notice)
#: succeeds or fails.
PAYMENT = StateMachine(
    name="payment",
    rule="BIL-7",
    choices=P,
    moves={P.PENDING: {P.SUCCEEDED, P.FAILED}},
)

#: BIL-7: a statement line is matched to a customer's payment or taken out of the queue.
BANK_TRANSACTION = StateMachine(
    name="bank_transaction",
    rule="BIL-7",
    choices=B,
    moves={B.UNMATCHED: {B.MATCHED, B.IGNORED}},
)

#: BIL-18: a tax invoice is ready until exported as a file (a re-export keeps it exported) or issued
#: through the e-tax invoice provider (issue 18); an issued one is cancelled (발행취소) only before the
#: provider has sent it to the NTS.
TAX_INVOICE = StateMachine(
    name="tax_invoice",
    rule="BIL-18",
    choices=T,
    moves={T.READY: {T.EXPORTED, T.ISSUED}, T.ISSUED: {T.CANCELLED}},
)

#: DUN-1/DUN-3: a dunning case runs (open), is paused by staff and resumed, is resolved by payment in
#: full or an upheld dispute (and reopened when the invoice is overdue again), or closes after its
#: last step.
DUNNING_CASE = StateMachine(
    name="dunning_case",
    rule="DUN-1",
    choices=D,
    moves={
        D.OPEN: {D.PAUSED, D.RESOLVED, D.CLOSED},
        D.PAUSED: {D.OPEN, D.RESOLVED},
        D.RESOLVED: {D.OPEN},
    },
)

#: BIL-10: an open dispute is decided once (upheld, partly upheld, rejected) or withdrawn.
DISPUTE = StateMachine(
    name="dispute",
    rule="BIL-10",
    choices=X,
    moves={X.OPEN: {X.UPHELD, X.PARTIAL, X.REJECTED, X.WITHDRAWN}},
)

#: BIL-11/BIL-12: a requested refund is paid or cancelled, once.
REFUND = StateMachine(
    name="refund",
    rule="BIL-11",
    choices=R,
    moves={R.REQUESTED: {R.PAID, R.CANCELLED}},
)
