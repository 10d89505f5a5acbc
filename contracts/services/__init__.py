"""Every write and every rule of the contracts app; the admin, API, portal and jobs call these."""
