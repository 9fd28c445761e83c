//! Dated versions in SQL: salaries, template shares and the contribution inputs of a
//! month, so a past month computes from what was in force then, not from today's data.

use std::collections::HashMap;

use crate::kernel::db::{Db, WriteTx};
use crate::kernel::money::Rupiah;

use super::domain::Programme;
use super::store::{bind_employee, shares, TemplateRow, EMPLOYEE_INSERT};
use super::wire::{Employee, TemplateShares};

/// What the contribution computation needs of one employee for a month: the salary in
/// force and the healthcare and manpower membership versions in force (`None` when not
/// covered).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContributionInput {
    /// The employee's id.
    pub employee_id: String,
    /// The employee's name.
    pub name: String,
    /// The employee number (CATAPA's identification number).
    pub employee_number: String,
    /// The healthcare version's provider (the employer's BPJS Kesehatan registration).
    pub healthcare_provider: Option<String>,
    /// The manpower version's provider.
    pub manpower_provider: Option<String>,
    /// The salary in force on the month's first day (the first salary for a joiner).
    pub salary: Rupiah,
    /// Minimum wage.
    pub minimum_wage: Option<Rupiah>,
    /// Join date `yyyy-mm-dd` (where a prorated first month starts).
    pub join_date: String,
    /// The healthcare version's template (see [`templates`]); `None`: no healthcare cover.
    pub healthcare_template: Option<String>,
    /// The healthcare version's members beyond spouse + 3 children.
    pub extra_family_members: Option<i64>,
    /// The healthcare version's end date (where a prorated last month ends).
    pub healthcare_end: Option<String>,
    /// The manpower version's template; `None`: no manpower cover.
    pub manpower_template: Option<String>,
    /// The manpower version's JP end.
    pub pension_end: Option<String>,
    /// The manpower version's end date.
    pub manpower_end: Option<String>,
}

/// Per covered employee of the tenant (or only `employee_id`), the membership versions in
/// force for the month `first_day..=last_day`: per programme the version with the latest
/// effective date on or before the last day (the later version wins a tie), when it
/// starts by the last day and has not ended before the first; and the salary version in
/// force on the first day (an employee who joined during the month: the first salary).
/// The selection runs in the database, one row per employee.
pub async fn contribution_inputs(
    db: &Db,
    tenant: &str,
    employee_id: Option<&str>,
    first_day: &str,
    last_day: &str,
) -> Result<Vec<ContributionInput>, sqlx::Error> {
    let only_employee = if employee_id.is_some() {
        "AND employee_id = $4"
    } else {
        ""
    };
    let sql = format!(
        "WITH latest AS ( \
            SELECT employee_id, programme, start_date, end_date, pension_end, extra_family_members, template_id, provider_id, \
                ROW_NUMBER() OVER (PARTITION BY employee_id, programme ORDER BY effective_date DESC, version DESC) AS rn \
            FROM hr_memberships WHERE tenant = $1 AND effective_date <= $2 {only_employee} \
        ), in_force AS ( \
            SELECT * FROM latest WHERE rn = 1 AND start_date <= $2 AND (end_date IS NULL OR end_date >= $3) \
        ) \
        SELECT e.id AS employee_id, e.name, e.employee_number, \
            MAX(CASE WHEN f.programme = 'healthcare' THEN f.provider_id END) AS healthcare_provider, \
            MAX(CASE WHEN f.programme = 'manpower' THEN f.provider_id END) AS manpower_provider, \
            COALESCE( \
                (SELECT s.salary FROM hr_salary_versions s WHERE s.employee_id = e.id AND s.effective_date <= $3 \
                 ORDER BY s.effective_date DESC LIMIT 1), \
                (SELECT s.salary FROM hr_salary_versions s WHERE s.employee_id = e.id \
                 ORDER BY s.effective_date LIMIT 1), \
                e.salary) AS salary, \
            e.minimum_wage, e.join_date, \
            MAX(CASE WHEN f.programme = 'healthcare' THEN f.template_id END) AS healthcare_template, \
            MAX(CASE WHEN f.programme = 'healthcare' THEN f.extra_family_members END) AS extra_family_members, \
            MAX(CASE WHEN f.programme = 'healthcare' THEN f.end_date END) AS healthcare_end, \
            MAX(CASE WHEN f.programme = 'manpower' THEN f.template_id END) AS manpower_template, \
            MAX(CASE WHEN f.programme = 'manpower' THEN f.pension_end END) AS pension_end, \
            MAX(CASE WHEN f.programme = 'manpower' THEN f.end_date END) AS manpower_end \
        FROM in_force f JOIN hr_employees e ON e.id = f.employee_id \
        GROUP BY e.id, e.name, e.employee_number, e.salary, e.minimum_wage, e.join_date \
        ORDER BY e.name, e.id"
    );
    let query = sqlx::query_as(&sql).bind(tenant).bind(last_day).bind(first_day);
    match employee_id {
        None => query.fetch_all(db).await,
        Some(id) => query.bind(id).fetch_all(db).await,
    }
}

/// One version of a template: what a month computes with.
#[derive(Debug, Clone)]
pub struct TemplateVersion {
    /// In force from (`yyyy-mm-dd`).
    pub effective_date: String,
    /// BY_SALARY_DECREE or BY_PRORATED_SALARY.
    pub salary_type: String,
    /// Manpower: JKK risk class (none: the template cannot compute JKK).
    pub jkk_risk_class: Option<i64>,
    /// The shares.
    pub shares: TemplateShares,
}

/// The tenant's templates: id -> (code, versions by effective date). Read once per
/// computation, as a tenant has few templates and many members.
pub async fn templates(db: &Db, tenant: &str) -> Result<HashMap<String, (String, Vec<TemplateVersion>)>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, Option<i64>, String)> = {
        sqlx::query_as(
            "SELECT t.id, t.code, v.effective_date, v.salary_type, v.jkk_risk_class, v.shares \
             FROM hr_templates t JOIN hr_template_versions v ON v.template_id = t.id \
             WHERE t.tenant = $1 ORDER BY t.id, v.effective_date",
        )
        .bind(tenant)
        .fetch_all(db)
        .await?
    };
    let mut out: HashMap<String, (String, Vec<TemplateVersion>)> = HashMap::new();
    for (id, code, effective_date, salary_type, jkk_risk_class, json) in rows {
        out.entry(id)
            .or_insert_with(|| (code, Vec::new()))
            .1
            .push(TemplateVersion {
                effective_date,
                salary_type,
                jkk_risk_class,
                shares: shares(&json),
            });
    }
    Ok(out)
}

/// Records a template's version in force from `effective_date` (replacing one recorded
/// for the same date), in the caller's transaction.
pub async fn save_template_version(
    tx: &mut WriteTx,
    template_id: &str,
    effective_date: &str,
    salary_type: &str,
    jkk_risk_class: Option<i64>,
    shares: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO hr_template_versions (template_id, effective_date, salary_type, jkk_risk_class, shares) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (template_id, effective_date) DO UPDATE SET \
         salary_type = excluded.salary_type, jkk_risk_class = excluded.jkk_risk_class, shares = excluded.shares",
    )
    .bind(template_id)
    .bind(effective_date)
    .bind(salary_type)
    .bind(jkk_risk_class)
    .bind(shares)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Records an employee's salary in force from `effective_date` (replacing one recorded
/// for the same date), in the caller's transaction.
pub async fn save_salary_version(
    tx: &mut WriteTx,
    employee_id: &str,
    effective_date: &str,
    salary: Rupiah,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO hr_salary_versions (employee_id, effective_date, salary, recorded_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (employee_id, effective_date) DO UPDATE SET salary = excluded.salary, recorded_at = excluded.recorded_at",
    )
    .bind(employee_id)
    .bind(effective_date)
    .bind(salary)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Inserts or updates an employee; false when the employee number is taken by another.
/// A new employee's salary is in force from the join date; an update that changes the
/// salary adds a version in force from `salary_from` (earlier months keep theirs).
pub async fn save_employee(
    db: &Db,
    tenant: &str,
    e: &Employee,
    now: &str,
    insert: bool,
    salary_from: &str,
) -> Result<bool, sqlx::Error> {
    let sql = if insert {
        format!("{EMPLOYEE_INSERT} ON CONFLICT (tenant, employee_number) DO NOTHING")
    } else {
        "UPDATE hr_employees SET employee_number = $3, name = $4, nik = $5, birth_date = $6, join_date = $7, salary = $8, \
         minimum_wage = $9, status = $10, updated_at = $11 WHERE id = $1 AND tenant = $2 \
         AND NOT EXISTS (SELECT 1 FROM hr_employees o WHERE o.tenant = $2 AND o.employee_number = $3 AND o.id <> $1)"
            .to_string()
    };
    let mut tx = db.begin_write().await?;
    let before: Option<Rupiah> = if insert {
        None
    } else {
        sqlx::query_scalar("SELECT salary FROM hr_employees WHERE id = $1 AND tenant = $2")
            .bind(&e.id)
            .bind(tenant)
            .fetch_optional(&mut *tx)
            .await?
    };
    let done = bind_employee(&sql, tenant, e, now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if done > 0 {
        if insert {
            save_salary_version(&mut tx, &e.id, &e.join_date, e.salary, now).await?;
        } else if before != Some(e.salary) {
            save_salary_version(&mut tx, &e.id, salary_from, e.salary, now).await?;
        }
    }
    tx.commit().await?;
    Ok(done > 0)
}

/// Inserts or updates a template; false on a duplicate code (or no such row). The shares,
/// salary type and JKK class are also recorded as the version in force from
/// `effective_from`, so months before it keep computing with the earlier version.
pub async fn save_template(
    db: &Db,
    tenant: &str,
    programme: Programme,
    t: &TemplateRow,
    insert: bool,
    effective_from: &str,
) -> Result<bool, sqlx::Error> {
    let sql = if insert {
        "INSERT INTO hr_templates (id, tenant, programme, code, name, salary_type, link_to_payroll, jkk_risk_class, shares) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant, programme, code) DO NOTHING"
    } else {
        "UPDATE hr_templates SET code = $4, name = $5, salary_type = $6, link_to_payroll = $7, jkk_risk_class = $8, shares = $9 \
         WHERE id = $1 AND tenant = $2 AND programme = $3 \
         AND NOT EXISTS (SELECT 1 FROM hr_templates o WHERE o.tenant = $2 AND o.programme = $3 AND o.code = $4 AND o.id <> $1)"
    };
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(sql)
        .bind(&t.id)
        .bind(tenant)
        .bind(programme.as_str())
        .bind(&t.code)
        .bind(&t.name)
        .bind(&t.salary_type)
        .bind(t.link_to_payroll)
        .bind(t.jkk_risk_class)
        .bind(&t.shares)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if done > 0 {
        save_template_version(
            &mut tx,
            &t.id,
            effective_from,
            &t.salary_type,
            t.jkk_risk_class,
            &t.shares,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done > 0)
}

/// After an import's upsert of employee `id`: its first salary is in force from the join
/// date; a salary different from the latest version is in force from `today`.
pub async fn record_imported_salary(
    tx: &mut WriteTx,
    id: &str,
    join_date: &str,
    today: &str,
    salary: Rupiah,
    now: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO hr_salary_versions (employee_id, effective_date, salary, recorded_at) \
         SELECT $1, CASE WHEN EXISTS (SELECT 1 FROM hr_salary_versions WHERE employee_id = $1) THEN $3 ELSE $2 END, $4, $5 \
         WHERE COALESCE((SELECT salary FROM hr_salary_versions WHERE employee_id = $1 \
                         ORDER BY effective_date DESC LIMIT 1), -1) <> $4 \
         ON CONFLICT (employee_id, effective_date) DO UPDATE SET salary = excluded.salary, recorded_at = excluded.recorded_at",
    )
    .bind(id)
    .bind(join_date)
    .bind(today)
    .bind(salary)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
