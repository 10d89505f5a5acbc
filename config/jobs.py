"""The daily jobs, in the order they run for a date (SPEC §10).

Each entry names a job function ``fn(*, today) -> counts`` in an app's
``jobs.py``. Beat runs each at its time; ``manage.py run_jobs`` runs them all, in
this order, for a date or a range of dates. Later capabilities add their jobs
here. Descriptions are marked for translation (shown translated by ``core.adminkit.job_label``).
"""

from celery.schedules import crontab
from django.utils.translation import gettext_noop as N_

from core.jobs import Batches, JobSpec, daily

JOBS: list[JobSpec] = [
    JobSpec("terms_transition", "contracts.jobs.terms_transition", daily(0, 0),
            N_("약관 시행일의 동의 간주와 거부 처리 (TRM-4, TRM-5)")),
    JobSpec("activate_contracts", "contracts.jobs.activate_contracts", daily(0, 5),
            N_("개통일이 된 승낙 계약 개통 (CON-4)")),
    JobSpec("contract_suspensions", "contracts.jobs.contract_suspensions", daily(0, 10),
            N_("예고 기간이 끝난 이용 정지 개시, 기간이 끝난 정지 해제 (CON-10)")),
    JobSpec("generate_invoices", "billing.jobs.generate_invoices", daily(1, 0),
            N_("발행일이 된 청구서 발행 (BIL-2, BIL-3)"),
            batches=Batches(plan="billing.services.invoicing.invoices_generate_plan",
                            batch="billing.services.invoicing.invoices_generate_batch",
                            zero=("customers", "invoices", "already_issued", "total_won"))),
    JobSpec("tax_invoices_prepare", "billing.services.tax.tax_invoices_prepare", daily(1, 30),
            N_("발행된 청구서의 전자세금계산서 자료 준비 (BIL-18)")),
    JobSpec("issue_tax_invoices", "billing.jobs.issue_tax_invoices", daily(1, 45),
            N_("전자세금계산서 연동 발행과 국세청 전송 상태 확인 (BIL-18)")),
    JobSpec("collect_payments", "billing.services.collection.collect_payments", daily(9, 0),
            N_("자동이체·카드 결제와 재결제, 크레딧 상계 (BIL-7, BIL-8, BIL-17)"),
            batches=Batches(plan="billing.services.collection.collect_payments_plan",
                            batch="billing.services.collection.collect_payments_batch")),
    JobSpec("apply_late_charges", "billing.services.late_charges.apply_late_charges", daily(2, 0),
            N_("연체료·가산금 기록, 다음 청구서에 청구 (BIL-9)"),
            batches=Batches(plan="billing.services.late_charges.apply_late_charges_plan",
                            batch="billing.services.late_charges.apply_late_charges_batch")),
    JobSpec("dunning", "billing.services.dunning.dunning_run", daily(3, 0),
            N_("미납 청구서의 연체 단계 진행 (SPEC §6, DUN-1..4)"),
            batches=Batches(plan="billing.services.dunning.dunning_plan",
                            batch="billing.services.dunning.dunning_batch")),
    JobSpec("renew_contracts", "contracts.jobs.renew_contracts", daily(4, 0),
            N_("갱신 안내와 자동 갱신 (CON-6)"),
            batches=Batches(plan="contracts.services.renewal.renew_due_plan",
                            batch="contracts.services.renewal.renew_due_batch",
                            zero=("reminded", "renewed", "ended"))),
    JobSpec("complete_terminations", "contracts.jobs.complete_terminations", daily(4, 30),
            N_("해지 효력일이 된 계약 해지 완료 (CON-7)")),
    JobSpec("settle_terminations", "billing.jobs.settle_terminations", daily(4, 40),
            N_("해지·청약철회 계약 최종 정산 발행 (BIL-12..16, CON-7, CON-8)")),
    JobSpec("sla_month_close", "sla.jobs.sla_month_close", crontab(day_of_month="1", hour=5, minute=0),
            N_("지난달 계약별 가용률 산정과 SLA 보상 크레딧 발행 (SLA-3, SLA-4)"),
            batches=Batches(plan="sla.jobs.sla_month_close_plan", batch="sla.jobs.sla_month_close_batch")),
    JobSpec("dormant_accounts", "contracts.jobs.dormant_accounts", daily(6, 0),
            N_("장기 미접속 구성원 휴면 예정 안내와 휴면 전환(개인정보 분리 보관) (ACC-10)")),
    JobSpec("purge_data", "privacy.jobs.purge_data", daily(6, 30),
            N_("보관 기간이 끝난 해지 고객·휴면 분리 정보·분리 보관 기록 파기 (DAT-2, DAT-3, DAT-5)"),
            batches=Batches(plan="privacy.jobs.purge_data_plan", batch="privacy.jobs.purge_data_batch")),
    JobSpec("deliver_emails", "messaging.jobs.deliver_emails", crontab(minute="*/5"),
            N_("발송 대기 중인 이메일 알림 재발송 (MSG-1)"), repeat=True),
    JobSpec("message_results", "messaging.jobs.message_results", crontab(minute="*/5"),
            N_("메시지 전송 결과 수집, 결과 기한이 지난 메시지 실패 처리 (MSG-6)"), repeat=True),
    JobSpec("snapshot_seats", "billing.jobs.snapshot_seats", daily(23, 55),
            N_("계약별 일일 좌석 스냅샷 (BIL-5)")),
]
