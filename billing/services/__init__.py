"""Every write and every rule of billing; the admin, API, portal and jobs call these."""
