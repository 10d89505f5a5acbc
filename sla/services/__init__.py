"""SLA services, one module per use-case group: incidents, maintenance, availability (and the feed),
credits (the month close), claims, termination (SLA-7). The status page is ``sla.selectors.status_page``."""
