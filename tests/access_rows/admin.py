"""Administration: only administrators may see or change users and sites."""

from tests.access_rows import ADMINISTRATOR, Row, only


def admin_only(status: int) -> dict[str, int]:
    return only({ADMINISTRATOR: status})


# POST rows send empty forms where a form is validated: the administrator sees the page again with
# errors (200) and nothing changes. Actions without fields (deactivate, reactivate, remove) redirect.
ROWS = [
    Row("admin.users", "GET", "/admin/users", admin_only(200)),
    Row("admin.user_new", "GET", "/admin/users/new", admin_only(200)),
    Row("admin.user_new", "POST", "/admin/users/new", admin_only(200)),
    Row("admin.user", "GET", "/admin/users/{user_id}", admin_only(200)),
    Row("admin.user", "GET", "/admin/users/999999", admin_only(404), note=" (unknown user)"),
    Row("admin.user_edit", "GET", "/admin/users/{user_id}/edit", admin_only(200)),
    Row("admin.user_edit", "POST", "/admin/users/{user_id}/edit", admin_only(200)),
    Row("admin.user_deactivate", "GET", "/admin/users/{user_id}/deactivate", admin_only(200)),
    Row("admin.user_deactivate", "POST", "/admin/users/{user_id}/deactivate", admin_only(302)),
    Row("admin.user_reactivate", "POST", "/admin/users/{user_id}/reactivate", admin_only(302)),
    Row("admin.user_reset_link", "POST", "/admin/users/{user_id}/reset-link", admin_only(200)),
    Row("admin.user_two_factor_reset", "POST", "/admin/users/{user_id}/two-factor/reset", admin_only(302)),
    Row("admin.sites", "GET", "/admin/sites", admin_only(200)),
    Row("admin.site_new", "GET", "/admin/sites/new", admin_only(200)),
    Row("admin.site_new", "POST", "/admin/sites/new", admin_only(200)),
    Row("admin.site", "GET", "/admin/sites/{site_id}", admin_only(200)),
    Row("admin.site", "GET", "/admin/sites/999999", admin_only(404), note=" (unknown site)"),
    Row("admin.site_edit", "GET", "/admin/sites/{site_id}/edit", admin_only(200)),
    Row("admin.site_edit", "POST", "/admin/sites/{site_id}/edit", admin_only(200)),
    Row("admin.site_partner_new", "GET", "/admin/sites/{site_id}/partners/new", admin_only(200)),
    Row("admin.site_partner_new", "POST", "/admin/sites/{site_id}/partners/new", admin_only(200)),
    Row(
        "admin.site_partner_remove",
        "POST",
        "/admin/sites/{site_id}/partners/{partner_id}/remove",
        admin_only(302),
    ),
    Row(
        "admin.site_partner_remove",
        "POST",
        "/admin/sites/{other_site_id}/partners/{partner_id}/remove",
        admin_only(404),
        note=" (partner of another site)",
    ),
    Row("admin.site_deactivate", "GET", "/admin/sites/{site_id}/deactivate", admin_only(200)),
    # Kent has an active site lead, so the administrator is told why it cannot be deactivated.
    Row("admin.site_deactivate", "POST", "/admin/sites/{site_id}/deactivate", admin_only(200)),
    Row("admin.site_reactivate", "POST", "/admin/sites/{site_id}/reactivate", admin_only(302)),
]
