//! Error families: the knowledge base. One file per family, named after the symptom; this table lists them.
//!
//! A family looks at one annotated traceback and the facts of the paste, and returns its candidate causes
//! with the evidence for and against each. The engine ([`diagnose`]) runs every family, ranks all causes by
//! confidence, and falls back to the general layer when no family recognises the error. To add a family,
//! add a file with a `pub const FAMILY: Family` and list it in [`FAMILIES`]; nothing else changes.

pub mod app_label_missing;
pub mod apps_not_loaded;
pub mod ci;
pub mod csrf_failed;
pub mod db_version_too_old;
pub mod disallowed_host;
pub mod driver_missing;
pub mod email_conn_refused;
pub mod field_error_lookup;
pub mod field_expected_number;
pub mod fk_assign_instance;
pub mod fk_on_delete_required;
mod general;
pub mod inconsistent_migration_history;
pub mod integrity_fk;
pub mod integrity_not_null;
pub mod integrity_unique;
pub mod json_not_serializable;
pub mod kit;
pub mod migration_node_not_found;
pub mod model_does_not_exist;
pub mod module_not_found_settings;
pub mod multiple_objects_returned;
pub mod mysql_access_denied;
pub mod mysql_cant_connect;
pub mod mysql_gone_away;
pub mod mysql_incorrect_string;
pub mod mysqlclient_version;
pub mod no_reverse_match;
pub mod no_such_column;
pub mod no_such_table;
mod orm_common;
pub mod pg_auth_failed;
mod pg_common;
pub mod pg_conn_closed;
pub mod pg_conn_refused;
pub mod pg_db_missing;
pub mod pg_host_unresolved;
pub mod pg_too_many_clients;
pub mod pytest_db_blocked;
pub mod related_object_missing;
pub mod relation_already_exists;
pub mod removed_api_import;
mod schema_common;
pub mod secret_key_empty;
pub mod settings_not_configured;
pub mod sqlite_locked;
mod startup;
pub mod static_manifest_missing;
pub mod static_root_missing;
pub mod sync_only_operation;
pub mod template;
pub mod template_does_not_exist;
pub mod template_tag_not_loaded;
pub mod test_db_permission;
pub mod transaction_broken;
pub mod urlconf_no_patterns;
pub mod user_model_clash;
pub mod value_too_long;
pub mod view_returned_none;

use crate::model::{Diagnosis, Facts, Traceback};

/// What a family sees.
pub struct Context<'a> {
    pub tb: &'a Traceback,
    pub facts: &'a Facts,
}

/// One error family.
pub struct Family {
    /// The catalogue's id slug (`pg-conn-refused`).
    pub id: &'static str,
    /// Stable short code for the CLI (`DJ001`).
    pub code: &'static str,
    pub title: &'static str,
    /// One paragraph for `--explain` and the site's index: what the error means and when it happens.
    pub summary: &'static str,
    /// A fixture that shows the family, relative to `fixtures/` (the site's index copies it as the example).
    pub example: &'static str,
    /// Candidate causes when the family recognises the traceback; empty otherwise.
    pub diagnose: fn(&Context<'_>) -> Vec<Diagnosis>,
}

/// Every family, in the catalogue's order.
pub const FAMILIES: &[Family] = &[
    pg_conn_refused::FAMILY,
    no_such_table::FAMILY,
    integrity_unique::FAMILY,
    integrity_not_null::FAMILY,
    no_such_column::FAMILY,
    integrity_fk::FAMILY,
    inconsistent_migration_history::FAMILY,
    fk_on_delete_required::FAMILY,
    migration_node_not_found::FAMILY,
    user_model_clash::FAMILY,
    pg_auth_failed::FAMILY,
    pg_host_unresolved::FAMILY,
    mysql_cant_connect::FAMILY,
    mysql_access_denied::FAMILY,
    mysqlclient_version::FAMILY,
    mysql_gone_away::FAMILY,
    mysql_incorrect_string::FAMILY,
    pg_db_missing::FAMILY,
    pg_conn_closed::FAMILY,
    pg_too_many_clients::FAMILY,
    test_db_permission::FAMILY,
    db_version_too_old::FAMILY,
    sync_only_operation::FAMILY,
    driver_missing::FAMILY,
    transaction_broken::FAMILY,
    template_does_not_exist::FAMILY,
    csrf_failed::FAMILY,
    no_reverse_match::FAMILY,
    settings_not_configured::FAMILY,
    apps_not_loaded::FAMILY,
    disallowed_host::FAMILY,
    template_tag_not_loaded::FAMILY,
    removed_api_import::FAMILY,
    pytest_db_blocked::FAMILY,
    urlconf_no_patterns::FAMILY,
    app_label_missing::FAMILY,
    secret_key_empty::FAMILY,
    module_not_found_settings::FAMILY,
    email_conn_refused::FAMILY,
    static_manifest_missing::FAMILY,
    view_returned_none::FAMILY,
    json_not_serializable::FAMILY,
    static_root_missing::FAMILY,
    model_does_not_exist::FAMILY,
    multiple_objects_returned::FAMILY,
    field_error_lookup::FAMILY,
    related_object_missing::FAMILY,
    fk_assign_instance::FAMILY,
    field_expected_number::FAMILY,
    value_too_long::FAMILY,
    sqlite_locked::FAMILY,
    relation_already_exists::FAMILY,
];

/// Ranked causes for one traceback, best first.
pub fn diagnose(tb: &Traceback, facts: &Facts) -> Vec<Diagnosis> {
    let cx = Context { tb, facts };
    let matched: Vec<Vec<Diagnosis>> =
        FAMILIES.iter().map(|f| (f.diagnose)(&cx)).filter(|causes| !causes.is_empty()).collect();
    if matched.is_empty() {
        return general::diagnose(&cx);
    }
    // Each family's confidences sum to 1 over its own causes. When several families fit, none of them is
    // sure: share the confidence between them, and say so on the best cause.
    let families = matched.len();
    let names: Vec<String> = matched.iter().map(|causes| causes[0].title.clone()).collect();
    let mut all: Vec<Diagnosis> = matched.into_iter().flatten().collect();
    if families > 1 {
        for d in &mut all {
            d.confidence = (d.confidence / families as f32 * 100.0).round() / 100.0;
        }
    }
    all.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    if families > 1 {
        if let Some(best) = all.first_mut() {
            best.checks.insert(
                0,
                format!(
                    "Several error families fit this traceback ({}): check the message against each.",
                    names.join("; ")
                ),
            );
        }
    }
    all
}
