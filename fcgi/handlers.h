/* handlers: every page handler, one line each, for the route table. */
#ifndef CTRACK_HANDLERS_H
#define CTRACK_HANDLERS_H

#include "db.h"
#include "http.h"

/* system.c */
int home_page(request *r, db *d);
int health_check(request *r, db *d);
/* login.c */
int login_form(request *r, db *d);
int login_submit(request *r, db *d);
int logout_submit(request *r, db *d);
/* account_password.c */
int account_password_form(request *r, db *d);
int account_password_change(request *r, db *d);
/* contacts.c */
int contacts_list(request *r, db *d);
int contacts_new(request *r, db *d);
int contacts_create(request *r, db *d);
int contacts_show(request *r, db *d);
int contacts_edit(request *r, db *d);
int contacts_update(request *r, db *d);
int contacts_confirm_delete(request *r, db *d);
int contacts_delete(request *r, db *d);
/* dashboard.c */
int dashboard_page(request *r, db *d);
int dashboard_map_svg(request *r, db *d);
int dashboard_activity_svg(request *r, db *d);
int dashboard_funnel_svg(request *r, db *d);
/* views.c: saved views */
int views_list(request *r, db *d);
int views_create(request *r, db *d);
int views_update(request *r, db *d);
int views_delete(request *r, db *d);
/* campaigns.c */
int campaigns_list(request *r, db *d);
int campaigns_create(request *r, db *d);
int campaigns_show(request *r, db *d);
int campaigns_rename(request *r, db *d);
int campaigns_archive(request *r, db *d);
int campaigns_unarchive(request *r, db *d);
int campaigns_member_status(request *r, db *d);
int campaigns_member_remove(request *r, db *d);
int campaigns_contact_add(request *r, db *d);
int campaigns_contact_remove(request *r, db *d);
int campaigns_bulk_add(request *r, db *d);
int campaigns_bulk_remove(request *r, db *d);
/* activities.c */
int activities_create(request *r, db *d);
int activities_edit(request *r, db *d);
int activities_update(request *r, db *d);
int activities_delete(request *r, db *d);
int activities_done(request *r, db *d);
int activities_undone(request *r, db *d);
int follow_ups_list(request *r, db *d);
int campaigns_bulk_status(request *r, db *d);
/* campaign_status.c */
int campaign_statuses_page(request *r, db *d);
int campaign_statuses_add(request *r, db *d);
int campaign_statuses_edit(request *r, db *d);
int campaign_statuses_move(request *r, db *d);
int campaign_statuses_delete(request *r, db *d);
/* organisations.c */
int organisations_list(request *r, db *d);
int organisations_show(request *r, db *d);
/* admin.c, admin_types.c, admin_users.c: the administration pages */
int admin_home(request *r, db *d);
int admin_explain(request *r, db *d);
int admin_time_zone(request *r, db *d);
int admin_types_list(request *r, db *d);
int admin_types_create(request *r, db *d);
int admin_types_show(request *r, db *d);
int admin_types_rename(request *r, db *d);
int admin_types_delete(request *r, db *d);
int admin_matrix_show(request *r, db *d);
int admin_matrix_save(request *r, db *d);
int admin_users_list(request *r, db *d);
int admin_users_new(request *r, db *d);
int admin_users_create(request *r, db *d);
int admin_users_show(request *r, db *d);
int admin_users_edit(request *r, db *d);
int admin_users_update(request *r, db *d);
int admin_users_password_form(request *r, db *d);
int admin_users_password(request *r, db *d);
int admin_users_unlock(request *r, db *d);
int admin_users_sessions_end(request *r, db *d);
int admin_users_two_factor_reset(request *r, db *d);
int admin_types_two_factor(request *r, db *d);
int admin_users_access(request *r, db *d);
int admin_users_regions(request *r, db *d);
int admin_users_campaigns(request *r, db *d);
/* account.c, account_sessions.c: a user's own account */
int account_home(request *r, db *d);
int account_sessions_list(request *r, db *d);
int account_sessions_end_others(request *r, db *d);
int account_sessions_end(request *r, db *d);
/* account_tokens.c, and the administrator's revoke in admin_security.c */
int admin_tokens_revoke(request *r, db *d);
int account_tokens_list(request *r, db *d);
int account_tokens_create(request *r, db *d);
int account_tokens_revoke(request *r, db *d);
/* two_factor.c: enrolment on the account page, the logon's second step */
int account_two_factor(request *r, db *d);
int account_two_factor_qr(request *r, db *d);
int account_two_factor_enrol(request *r, db *d);
int account_two_factor_recovery(request *r, db *d);
int account_two_factor_off(request *r, db *d);
int login_two_factor_form(request *r, db *d);
int login_two_factor_submit(request *r, db *d);
/* export.c */
int export_contacts_csv(request *r, db *d);
int export_contacts_json(request *r, db *d);
int export_contacts_ndjson(request *r, db *d);
int export_contacts_vcf(request *r, db *d);
int imports_list(request *r, db *d);
int imports_upload(request *r, db *d);
int imports_show(request *r, db *d);
int imports_run(request *r, db *d);
int imports_report_csv(request *r, db *d);
int imports_undo(request *r, db *d);
/* audit_view.c, security_events.c: the audit trail */
int audit_list(request *r, db *d);
int audit_export_csv(request *r, db *d);
int audit_export_json(request *r, db *d);
int admin_security_events(request *r, db *d);

#endif
