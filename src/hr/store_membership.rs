//! Membership versions and the rows the contribution computation reads.

use crate::kernel::db::Db;
use crate::kernel::money::Rupiah;

use super::domain::Programme;
use super::store::TemplateRow;
use super::wire::{FamilyMembership, Provider, TreatmentClass};

/// One membership version joined with its provider, template and class.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    /// Stable membership id.
    pub membership_id: String,
    /// Version number.
    pub version: i64,
    /// Employee.
    pub employee_id: String,
    /// Card / KPJ number.
    pub membership_number: Option<String>,
    /// Start date.
    pub start_date: String,
    /// End date.
    pub end_date: Option<String>,
    /// Effective date.
    pub effective_date: String,
    /// JP end (manpower).
    pub pension_end: Option<String>,
    /// FKTP.
    pub first_level_facility: Option<String>,
    /// Dental facility.
    pub dental_facility: Option<String>,
    /// Family members as JSON.
    pub family: String,
    /// When recorded.
    pub recorded_at: String,
    /// Provider id.
    pub p_id: String,
    /// Provider code.
    pub p_code: String,
    /// Provider name.
    pub p_name: String,
    /// Provider address.
    pub p_address: Option<String>,
    /// Provider registration number.
    pub p_registration_number: Option<String>,
    /// Provider signatory.
    pub p_signatory_name: Option<String>,
    /// Provider signatory title.
    pub p_signatory_title: Option<String>,
    /// Template id.
    pub t_id: String,
    /// Template code.
    pub t_code: String,
    /// Template name.
    pub t_name: String,
    /// Template salary type.
    pub t_salary_type: String,
    /// Template payroll link.
    pub t_link: i64,
    /// Template JKK class.
    pub t_jkk: Option<i64>,
    /// Template shares.
    pub t_shares: String,
    /// Class id.
    pub c_id: Option<String>,
    /// Class code.
    pub c_code: Option<String>,
    /// Class name.
    pub c_name: Option<String>,
    /// Class band low.
    pub c_min: Option<Rupiah>,
    /// Class band high.
    pub c_max: Option<Rupiah>,
}

impl MembershipRow {
    /// The nested provider.
    pub fn provider(&self) -> Provider {
        Provider {
            id: self.p_id.clone(),
            code: self.p_code.clone(),
            name: self.p_name.clone(),
            address: self.p_address.clone(),
            registration_number: self.p_registration_number.clone(),
            report_signatory_name: self.p_signatory_name.clone(),
            report_signatory_job_title: self.p_signatory_title.clone(),
        }
    }

    /// The nested template row.
    pub fn template(&self) -> TemplateRow {
        TemplateRow {
            id: self.t_id.clone(),
            code: self.t_code.clone(),
            name: self.t_name.clone(),
            salary_type: self.t_salary_type.clone(),
            link_to_payroll: self.t_link,
            jkk_risk_class: self.t_jkk,
            shares: self.t_shares.clone(),
        }
    }

    /// The nested class, if any.
    pub fn class(&self) -> Option<TreatmentClass> {
        Some(TreatmentClass {
            id: self.c_id.clone()?,
            code: self.c_code.clone().unwrap_or_default(),
            name: self.c_name.clone().unwrap_or_default(),
            min_salary: self.c_min.unwrap_or(Rupiah::ZERO),
            max_salary: self.c_max,
        })
    }

    /// The family members.
    pub fn family(&self) -> Vec<FamilyMembership> {
        serde_json::from_str(&self.family).unwrap_or_default()
    }
}

const SELECT: &str = "SELECT m.membership_id, m.version, m.employee_id, m.membership_number, m.start_date, m.end_date, \
    m.effective_date, m.pension_end, m.first_level_facility, m.dental_facility, m.family, m.recorded_at, \
    p.id AS p_id, p.code AS p_code, p.name AS p_name, p.address AS p_address, p.registration_number AS p_registration_number, \
    p.report_signatory_name AS p_signatory_name, p.report_signatory_job_title AS p_signatory_title, \
    t.id AS t_id, t.code AS t_code, t.name AS t_name, t.salary_type AS t_salary_type, t.link_to_payroll AS t_link, \
    t.jkk_risk_class AS t_jkk, t.shares AS t_shares, \
    c.id AS c_id, c.code AS c_code, c.name AS c_name, c.min_salary AS c_min, c.max_salary AS c_max \
    FROM hr_memberships m JOIN hr_providers p ON p.id = m.provider_id JOIN hr_templates t ON t.id = m.template_id \
    LEFT JOIN hr_treatment_classes c ON c.id = m.treatment_class_id \
    WHERE m.tenant = $1 AND m.employee_id = $2 AND m.programme = $3";

/// The latest recorded version, or with `on` the version in force that day (the
/// latest effective date on or before it; the later version wins a tie).
pub async fn current(
    db: &Db,
    tenant: &str,
    employee_id: &str,
    programme: Programme,
    on: Option<&str>,
) -> Result<Option<MembershipRow>, sqlx::Error> {
    match on {
        None => {
            let sql = format!("{SELECT} ORDER BY m.version DESC LIMIT 1");
            sqlx::query_as(&sql)
                .bind(tenant)
                .bind(employee_id)
                .bind(programme.as_str())
                .fetch_optional(db)
                .await
        }
        Some(day) => {
            let sql =
                format!("{SELECT} AND m.effective_date <= $4 ORDER BY m.effective_date DESC, m.version DESC LIMIT 1");
            sqlx::query_as(&sql)
                .bind(tenant)
                .bind(employee_id)
                .bind(programme.as_str())
                .bind(day)
                .fetch_optional(db)
                .await
        }
    }
}

/// Every version, by effective date then version.
pub async fn history(
    db: &Db,
    tenant: &str,
    employee_id: &str,
    programme: Programme,
) -> Result<Vec<MembershipRow>, sqlx::Error> {
    let sql = format!("{SELECT} ORDER BY m.effective_date, m.version");
    sqlx::query_as(&sql)
        .bind(tenant)
        .bind(employee_id)
        .bind(programme.as_str())
        .fetch_all(db)
        .await
}

/// A new version to record.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// Employee.
    pub employee_id: String,
    /// Programme.
    pub programme: Programme,
    /// Provider id.
    pub provider_id: String,
    /// Template id.
    pub template_id: String,
    /// Class id.
    pub treatment_class_id: Option<String>,
    /// Number.
    pub membership_number: Option<String>,
    /// Start.
    pub start_date: String,
    /// End.
    pub end_date: Option<String>,
    /// Effective.
    pub effective_date: String,
    /// JP end.
    pub pension_end: Option<String>,
    /// FKTP.
    pub first_level_facility: Option<String>,
    /// Dental.
    pub dental_facility: Option<String>,
    /// Family JSON.
    pub family: String,
    /// Members beyond spouse and three children.
    pub extra_family_members: i64,
}

/// Appends a version; returns the membership id and the version number. Versions of
/// one employee's membership are numbered in order even under concurrent PUTs: the
/// employee row is locked on PostgreSQL, SQLite's write transaction is exclusive.
pub async fn append(
    db: &Db,
    tenant: &str,
    v: &NewVersion,
    new_id: &str,
    now: &str,
) -> Result<(String, i64), sqlx::Error> {
    let lock = db.is_postgres();
    let mut tx = db.begin_write().await?;
    if lock {
        sqlx::query("SELECT id FROM hr_employees WHERE id = $1 FOR UPDATE")
            .bind(&v.employee_id)
            .execute(&mut *tx)
            .await?;
    }
    let last: Option<(String, i64)> = sqlx::query_as(
        "SELECT membership_id, version FROM hr_memberships WHERE tenant = $1 AND employee_id = $2 AND programme = $3 \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(&v.employee_id)
    .bind(v.programme.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let (id, version) = match last {
        Some((id, version)) => (id, version + 1),
        None => (new_id.to_string(), 1),
    };
    sqlx::query(
        "INSERT INTO hr_memberships (membership_id, version, tenant, employee_id, programme, provider_id, template_id, \
         treatment_class_id, membership_number, start_date, end_date, effective_date, pension_end, first_level_facility, \
         dental_facility, family, extra_family_members, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(&id)
    .bind(version)
    .bind(tenant)
    .bind(&v.employee_id)
    .bind(v.programme.as_str())
    .bind(&v.provider_id)
    .bind(&v.template_id)
    .bind(&v.treatment_class_id)
    .bind(&v.membership_number)
    .bind(&v.start_date)
    .bind(&v.end_date)
    .bind(&v.effective_date)
    .bind(&v.pension_end)
    .bind(&v.first_level_facility)
    .bind(&v.dental_facility)
    .bind(&v.family)
    .bind(v.extra_family_members)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((id, version))
}
