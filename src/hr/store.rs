//! HR SQL: employees, the reference data, paging (OAuth2 clients and tokens are in
//! [`super::store_auth`]). Every query is scoped by tenant: no statement here can read
//! another tenant's rows.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Row as _;

use crate::kernel::db::{Db, Row};
use crate::kernel::ids::Nik;
use crate::kernel::money::Rupiah;

use super::domain::{Bind, Paging, Programme};
use super::wire::{Employee, ProgrammeShare, Provider, Template, TemplateShares, TreatmentClass};

/// A row type decodable from the database.
pub trait AnyRow: for<'r> sqlx::FromRow<'r, crate::kernel::db::Row> + Send + Unpin {}
impl<T: for<'r> sqlx::FromRow<'r, crate::kernel::db::Row> + Send + Unpin> AnyRow for T {}

/// A page of `T`: `SELECT {select} FROM {from}{filter} ORDER BY {order}` with `binds`.
pub async fn page<T: AnyRow>(
    db: &Db,
    select: &str,
    from: &str,
    binds: &[Bind],
    order: &str,
    paging: Paging,
) -> Result<(Vec<T>, i64), sqlx::Error> {
    let count_sql = format!("SELECT COUNT(*) FROM {from}");
    let list_sql = format!(
        "SELECT {select} FROM {from} ORDER BY {order} LIMIT {} OFFSET {}",
        paging.size,
        paging.page.saturating_mul(paging.size)
    );
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in binds {
        count = match b {
            Bind::Text(s) => count.bind(s.clone()),
            Bind::Int(i) => count.bind(*i),
        };
    }
    let total = count.fetch_one(db).await?;
    let mut list = sqlx::query_as::<_, T>(&list_sql);
    for b in binds {
        list = match b {
            Bind::Text(s) => list.bind(s.clone()),
            Bind::Int(i) => list.bind(*i),
        };
    }
    Ok((list.fetch_all(db).await?, total))
}

/// Columns of an [`Employee`].
pub const EMPLOYEE_COLUMNS: &str =
    "id, employee_number, name, nik, birth_date, join_date, salary, minimum_wage, status";

/// An employee row: its NIK is read back through [`Nik::parse`] (every stored one was
/// parsed on the way in), so the rest of the family holds a [`Nik`], never text.
impl<'r> sqlx::FromRow<'r, Row> for Employee {
    fn from_row(row: &'r Row) -> Result<Self, sqlx::Error> {
        let nik: String = row.try_get("nik")?;
        let nik = Nik::parse(&nik).map_err(|e| sqlx::Error::ColumnDecode {
            index: "nik".into(),
            source: Nik::message(e).into(),
        })?;
        Ok(Employee {
            id: row.try_get("id")?,
            employee_number: row.try_get("employee_number")?,
            name: row.try_get("name")?,
            nik,
            birth_date: row.try_get("birth_date")?,
            join_date: row.try_get("join_date")?,
            salary: row.try_get("salary")?,
            minimum_wage: row.try_get("minimum_wage")?,
            status: row.try_get("status")?,
        })
    }
}

/// The insert of an employee, `$1..$11` as [`bind_employee`] binds them; callers add
/// their `ON CONFLICT` clause.
pub const EMPLOYEE_INSERT: &str =
    "INSERT INTO hr_employees (id, tenant, employee_number, name, nik, birth_date, join_date, \
    salary, minimum_wage, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";

/// `sql` with an employee bound as `$1` id, `$2` tenant, `$3` employee number, `$4` name,
/// `$5` NIK, `$6` birth date, `$7` join date, `$8` salary, `$9` minimum wage, `$10` status,
/// `$11` now: the one binding every employee write (API and import) shares.
pub fn bind_employee<'q>(
    sql: &'q str,
    tenant: &'q str,
    e: &'q Employee,
    now: &'q str,
) -> Query<'q, sqlx::Any, AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(&e.id)
        .bind(tenant)
        .bind(&e.employee_number)
        .bind(&e.name)
        .bind(e.nik.as_str())
        .bind(&e.birth_date)
        .bind(&e.join_date)
        .bind(e.salary)
        .bind(e.minimum_wage)
        .bind(&e.status)
        .bind(now)
}

/// One employee of the tenant.
pub async fn employee(db: &Db, tenant: &str, id: &str) -> Result<Option<Employee>, sqlx::Error> {
    let sql = format!("SELECT {EMPLOYEE_COLUMNS} FROM hr_employees WHERE tenant = $1 AND id = $2");
    sqlx::query_as(&sql).bind(tenant).bind(id).fetch_optional(db).await
}

/// Inserts or updates a provider; false on a duplicate code (or, for an update, no such row).
pub async fn save_provider(
    db: &Db,
    tenant: &str,
    programme: Programme,
    p: &Provider,
    insert: bool,
) -> Result<bool, sqlx::Error> {
    let sql = if insert {
        "INSERT INTO hr_providers (id, tenant, programme, code, name, address, registration_number, report_signatory_name, report_signatory_job_title) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant, programme, code) DO NOTHING"
    } else {
        "UPDATE hr_providers SET code = $4, name = $5, address = $6, registration_number = $7, report_signatory_name = $8, \
         report_signatory_job_title = $9 WHERE id = $1 AND tenant = $2 AND programme = $3 \
         AND NOT EXISTS (SELECT 1 FROM hr_providers o WHERE o.tenant = $2 AND o.programme = $3 AND o.code = $4 AND o.id <> $1)"
    };
    let done = db
        .execute_write(
            sqlx::query(sql)
                .bind(&p.id)
                .bind(tenant)
                .bind(programme.as_str())
                .bind(&p.code)
                .bind(&p.name)
                .bind(&p.address)
                .bind(&p.registration_number)
                .bind(&p.report_signatory_name)
                .bind(&p.report_signatory_job_title),
        )
        .await?
        .rows_affected();
    Ok(done > 0)
}

/// Columns of a [`Provider`].
pub const PROVIDER_COLUMNS: &str =
    "id, code, name, address, registration_number, report_signatory_name, report_signatory_job_title";

/// One provider of the tenant and programme.
pub async fn provider(db: &Db, tenant: &str, programme: Programme, id: &str) -> Result<Option<Provider>, sqlx::Error> {
    let sql = format!("SELECT {PROVIDER_COLUMNS} FROM hr_providers WHERE tenant = $1 AND programme = $2 AND id = $3");
    sqlx::query_as(&sql)
        .bind(tenant)
        .bind(programme.as_str())
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A template as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    /// UUID.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Salary type.
    pub salary_type: String,
    /// 0/1.
    pub link_to_payroll: i64,
    /// Manpower only.
    pub jkk_risk_class: Option<i64>,
    /// [`TemplateShares`] as JSON.
    pub shares: String,
}

/// Columns of a [`TemplateRow`].
pub const TEMPLATE_COLUMNS: &str = "id, code, name, salary_type, link_to_payroll, jkk_risk_class, shares";

/// The shares stored as JSON (defaults when unreadable).
pub fn shares(json: &str) -> TemplateShares {
    serde_json::from_str(json).unwrap_or_default()
}

impl TemplateRow {
    /// The wire form for `programme` (only that programme's shares shown).
    pub fn into_template(self, programme: Programme) -> Template {
        let s = shares(&self.shares);
        let pick = |share: ProgrammeShare, wanted: Programme| (programme == wanted).then_some(share);
        Template {
            id: self.id,
            code: self.code,
            name: self.name,
            salary_type: self.salary_type,
            link_to_payroll: self.link_to_payroll != 0,
            jkk_risk_class: self.jkk_risk_class.filter(|_| programme == Programme::Manpower),
            jkn: pick(s.jkn, Programme::Healthcare),
            jkk: pick(s.jkk, Programme::Manpower),
            jkm: pick(s.jkm, Programme::Manpower),
            jht: pick(s.jht, Programme::Manpower),
            jp: pick(s.jp, Programme::Manpower),
        }
    }
}

/// One template of the tenant and programme.
pub async fn template(
    db: &Db,
    tenant: &str,
    programme: Programme,
    id: &str,
) -> Result<Option<TemplateRow>, sqlx::Error> {
    let sql = format!("SELECT {TEMPLATE_COLUMNS} FROM hr_templates WHERE tenant = $1 AND programme = $2 AND id = $3");
    sqlx::query_as(&sql)
        .bind(tenant)
        .bind(programme.as_str())
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Columns of a [`TreatmentClass`].
pub const CLASS_COLUMNS: &str = "id, code, name, min_salary, max_salary";

/// Inserts or updates a treatment class; false on a duplicate code (or no such row). Its
/// band is also recorded as the version in force from `effective_from`.
pub async fn save_class(
    db: &Db,
    tenant: &str,
    c: &TreatmentClass,
    insert: bool,
    effective_from: &str,
) -> Result<bool, sqlx::Error> {
    let sql = if insert {
        "INSERT INTO hr_treatment_classes (id, tenant, code, name, min_salary, max_salary) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (tenant, code) DO NOTHING"
    } else {
        "UPDATE hr_treatment_classes SET code = $3, name = $4, min_salary = $5, max_salary = $6 WHERE id = $1 AND tenant = $2 \
         AND NOT EXISTS (SELECT 1 FROM hr_treatment_classes o WHERE o.tenant = $2 AND o.code = $3 AND o.id <> $1)"
    };
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(sql)
        .bind(&c.id)
        .bind(tenant)
        .bind(&c.code)
        .bind(&c.name)
        .bind(c.min_salary)
        .bind(c.max_salary)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if done > 0 {
        sqlx::query(
            "INSERT INTO hr_treatment_class_versions (treatment_class_id, effective_date, min_salary, max_salary) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (treatment_class_id, effective_date) DO UPDATE SET \
             min_salary = excluded.min_salary, max_salary = excluded.max_salary",
        )
        .bind(&c.id)
        .bind(effective_from)
        .bind(c.min_salary)
        .bind(c.max_salary)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(done > 0)
}

/// One treatment class of the tenant.
pub async fn class(db: &Db, tenant: &str, id: &str) -> Result<Option<TreatmentClass>, sqlx::Error> {
    let sql = format!("SELECT {CLASS_COLUMNS} FROM hr_treatment_classes WHERE tenant = $1 AND id = $2");
    sqlx::query_as(&sql).bind(tenant).bind(id).fetch_optional(db).await
}

/// The class whose salary band holds `salary` (the narrowest, when bands overlap).
pub async fn class_for_salary(
    db: &Db,
    tenant: &str,
    salary: Rupiah,
    day: &str,
) -> Result<Option<TreatmentClass>, sqlx::Error> {
    // Each class's band in force on `day`; a class whose first band starts later is none.
    let sql = "SELECT c.id, c.code, c.name, v.min_salary, v.max_salary FROM hr_treatment_classes c \
         JOIN hr_treatment_class_versions v ON v.treatment_class_id = c.id AND v.effective_date = \
             (SELECT MAX(w.effective_date) FROM hr_treatment_class_versions w WHERE w.treatment_class_id = c.id AND w.effective_date <= $3) \
         WHERE c.tenant = $1 AND v.min_salary <= $2 AND (v.max_salary IS NULL OR v.max_salary >= $2) \
         ORDER BY v.min_salary DESC, c.id LIMIT 1";
    sqlx::query_as(sql)
        .bind(tenant)
        .bind(salary)
        .bind(day)
        .fetch_optional(db)
        .await
}

/// Which reference table a deletion is about.
#[derive(Debug, Clone, Copy)]
pub enum Reference {
    /// `hr_providers`.
    Provider(Programme),
    /// `hr_templates`.
    Template(Programme),
    /// `hr_treatment_classes`.
    TreatmentClass,
}

/// The outcome of deleting reference data.
#[derive(Debug, PartialEq, Eq)]
pub enum Deleted {
    /// Gone.
    Yes,
    /// No such row in the tenant.
    NotFound,
    /// A membership version still refers to it.
    InUse,
}

/// Deletes a provider, template or class unless a membership (any version) uses it.
pub async fn delete_reference(db: &Db, tenant: &str, what: Reference, id: &str) -> Result<Deleted, sqlx::Error> {
    let (table, column, programme) = match what {
        Reference::Provider(p) => ("hr_providers", "provider_id", Some(p.as_str())),
        Reference::Template(p) => ("hr_templates", "template_id", Some(p.as_str())),
        Reference::TreatmentClass => ("hr_treatment_classes", "treatment_class_id", None),
    };
    let programme_filter = if programme.is_some() { " AND programme = $3" } else { "" };
    let exists_sql = format!("SELECT COUNT(*) FROM {table} WHERE tenant = $1 AND id = $2{programme_filter}");
    let used_sql = format!("SELECT COUNT(*) FROM hr_memberships WHERE tenant = $1 AND {column} = $2");
    let delete_sql = format!("DELETE FROM {table} WHERE tenant = $1 AND id = $2{programme_filter}");
    let mut tx = db.begin_write().await?;
    let mut exists = sqlx::query_scalar::<_, i64>(&exists_sql).bind(tenant).bind(id);
    if let Some(p) = programme {
        exists = exists.bind(p);
    }
    if exists.fetch_one(&mut *tx).await? == 0 {
        return Ok(Deleted::NotFound);
    }
    let used: i64 = sqlx::query_scalar(&used_sql)
        .bind(tenant)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if used > 0 {
        return Ok(Deleted::InUse);
    }
    // Its dated versions go with it (they reference it).
    let versions = match what {
        Reference::Provider(_) => None,
        Reference::Template(_) => Some("DELETE FROM hr_template_versions WHERE template_id = $1"),
        Reference::TreatmentClass => Some("DELETE FROM hr_treatment_class_versions WHERE treatment_class_id = $1"),
    };
    if let Some(sql) = versions {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    let mut delete = sqlx::query(&delete_sql).bind(tenant).bind(id);
    if let Some(p) = programme {
        delete = delete.bind(p);
    }
    delete.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Deleted::Yes)
}

/// All rows of the rate table: `(key, valid_from, value)`.
pub async fn rates(db: &Db) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT rate_key, valid_from, value FROM hr_contribution_rates")
        .fetch_all(db)
        .await
}
