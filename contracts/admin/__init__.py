"""The contracts back office, one module per area; importing them registers their admins.

- ``policy``: policies (terms versions) and plans
- ``applications``: the contract list base, the review queue, applying and bulk review actions
- ``contracts``: the contract page with its logs and the buttons of the operations offered now
- ``actions``: the operation pages (form → service) behind those buttons
- ``terms``: terms releases, consent and the read-only logs
- ``terms_documents``: terms files imported into articles, citations and the 신구조문 대비표
- ``whatif``: the draft's "변경 효과 미리보기" (issue 17): both versions replayed, nothing committed
- ``forms``: the forms of all of the above
- ``filters``: the list filter on a policy code, its choices from the policy table (issue 16)
"""

from . import actions, applications, contracts, filters, forms, policy, terms, terms_documents, whatif

__all__ = [
    "actions", "applications", "contracts", "filters", "forms", "policy", "terms", "terms_documents", "whatif"
]
