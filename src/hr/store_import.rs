//! HR SQL of `jembatan import employees`: reference codes, employee upserts and first
//! memberships, written chunk by chunk inside one write transaction each.

use crate::kernel::db::{Db, WriteTx};

use sqlx::Row as _;

use super::domain::Programme;
use super::store::{bind_employee, EMPLOYEE_INSERT};
use super::wire::Employee;

/// Which reference table codes are looked up in.
#[derive(Debug, Clone, Copy)]
pub enum CodeTable {
    /// `hr_providers`.
    Providers,
    /// `hr_templates`.
    Templates,
}

/// Every `(tenant, programme, code, id)` of providers or templates.
pub async fn codes(db: &Db, table: CodeTable) -> Result<Vec<(String, String, String, String)>, sqlx::Error> {
    let sql = match table {
        CodeTable::Providers => "SELECT tenant, programme, code, id FROM hr_providers",
        CodeTable::Templates => "SELECT tenant, programme, code, id FROM hr_templates",
    };
    sqlx::query_as(sql).fetch_all(db).await
}

/// Inserts the employee, or updates the one with the same employee number; its id.
pub async fn upsert_employee(tx: &mut WriteTx, tenant: &str, e: &Employee, now: &str) -> Result<String, sqlx::Error> {
    let sql = format!(
        "{EMPLOYEE_INSERT} ON CONFLICT (tenant, employee_number) DO UPDATE SET name = excluded.name, nik = excluded.nik, \
         birth_date = excluded.birth_date, join_date = excluded.join_date, salary = excluded.salary, \
         minimum_wage = excluded.minimum_wage, status = excluded.status, updated_at = excluded.updated_at RETURNING id"
    );
    bind_employee(&sql, tenant, e, now)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)
}

/// A first membership read from an import file.
#[derive(Debug, Clone)]
pub struct FirstMembership {
    /// Healthcare or manpower.
    pub programme: Programme,
    /// Provider id (resolved from its code).
    pub provider_id: String,
    /// Template id (resolved from its code).
    pub template_id: String,
    /// Membership number, when known.
    pub number: Option<String>,
    /// Start date `yyyy-mm-dd`.
    pub start: String,
    /// Manpower pension end, when any.
    pub pension_end: Option<String>,
}

/// Adds `m` as version 1 unless the employee already has a membership of its programme
/// (so importing the same file twice changes nothing).
pub async fn add_first_membership(
    tx: &mut WriteTx,
    tenant: &str,
    employee_id: &str,
    m: &FirstMembership,
    now: &str,
) -> Result<(), sqlx::Error> {
    let existing: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM hr_memberships WHERE tenant = $1 AND employee_id = $2 AND programme = $3",
    )
    .bind(tenant)
    .bind(employee_id)
    .bind(m.programme.as_str())
    .fetch_one(&mut **tx)
    .await?;
    if existing > 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO hr_memberships (membership_id, version, tenant, employee_id, programme, provider_id, template_id, \
         membership_number, start_date, effective_date, pension_end, recorded_at) \
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(tenant)
    .bind(employee_id)
    .bind(m.programme.as_str())
    .bind(&m.provider_id)
    .bind(&m.template_id)
    .bind(&m.number)
    .bind(&m.start)
    .bind(&m.pension_end)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
