//! `jembatan import hr-clients FILE`: OAuth2 clients (`clientId`, `clientSecret`, `tenant`),
//! created or replaced; the secret is stored hashed. This is how a new tenant gets in.
//!
//! `jembatan import employees FILE` (CSV or JSON): employees upserted by tenant and
//! employee number, each optionally with a first membership of either programme.
//!
//! Columns: `tenant`, `employeeNumber`, `name`, `nik`, `birthDate`, `joinDate`, `salary`,
//! `minimumWage`, `status`, and for memberships `membershipStartDate` with
//! `healthcareProviderCode`, `healthcareTemplateCode`, `healthcareMembershipNumber`,
//! `manpowerProviderCode`, `manpowerTemplateCode`, `manpowerMembershipNumber`. A
//! membership is added only when the employee has none of that programme yet, so
//! importing the same file twice changes nothing.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::HrCtx;

use crate::kernel::ids::parse_date;
use crate::kernel::import::{read_records, ImportSummary};

use super::domain::{self, Programme};
use super::handlers::parse_employee;
use super::store_import::{self, CodeTable, FirstMembership};
use super::wire::{Employee, EmployeeRequest};

struct Row {
    tenant: String,
    employee: Employee,
    memberships: Vec<FirstMembership>,
}

type Codes = HashMap<(String, String, String), String>;

fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse(fields: Map<String, Value>, providers: &Codes, templates: &Codes) -> Result<Row, String> {
    let tenant = text(&fields, "tenant").ok_or("tenant: is required")?;
    let request: EmployeeRequest = serde_json::from_value(Value::Object(fields.clone())).map_err(|e| e.to_string())?;
    let employee = parse_employee(uuid::Uuid::new_v4().to_string(), request).map_err(|e| e.to_string())?;
    let mut memberships = Vec::new();
    for (programme, prefix, digits) in [
        (Programme::Healthcare, "healthcare", 13),
        (Programme::Manpower, "manpower", 11),
    ] {
        let Some(provider_code) = text(&fields, &format!("{prefix}ProviderCode")) else {
            continue;
        };
        let lookup = |codes: &Codes, code: &str| {
            codes
                .get(&(tenant.clone(), programme.as_str().to_string(), code.to_string()))
                .cloned()
        };
        let provider_id = lookup(providers, &provider_code).ok_or(format!(
            "{prefix}ProviderCode: no provider {provider_code} in tenant {tenant}"
        ))?;
        let template_code =
            text(&fields, &format!("{prefix}TemplateCode")).ok_or(format!("{prefix}TemplateCode: is required"))?;
        let template_id = lookup(templates, &template_code).ok_or(format!(
            "{prefix}TemplateCode: no template {template_code} in tenant {tenant}"
        ))?;
        let field = format!("{prefix}MembershipNumber");
        let number = text(&fields, &field)
            .map(|n| domain::digits(&field, &n, digits).map_err(|e| e.to_string()))
            .transpose()?;
        if programme == Programme::Healthcare && number.is_none() {
            return Err(format!("{field}: is required"));
        }
        let start = text(&fields, "membershipStartDate")
            .and_then(|d| parse_date(&d))
            .ok_or("membershipStartDate: must be a valid date yyyy-mm-dd")?;
        let pension_end = (programme == Programme::Manpower)
            .then(|| parse_date(&employee.birth_date).map(|b| domain::pension_end(b).to_string()))
            .flatten();
        memberships.push(FirstMembership {
            programme,
            provider_id,
            template_id,
            number,
            start: start.to_string(),
            pension_end,
        });
    }
    Ok(Row {
        tenant,
        employee,
        memberships,
    })
}

async fn codes(state: &HrCtx, table: CodeTable) -> anyhow::Result<Codes> {
    let rows = store_import::codes(&state.kernel.db, table).await?;
    Ok(rows.into_iter().map(|(t, p, c, id)| ((t, p, c), id)).collect())
}

/// Imports employees from `file`.
pub async fn employees(state: &HrCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::new("employees");
    let providers = codes(state, CodeTable::Providers).await?;
    let templates = codes(state, CodeTable::Templates).await?;
    let mut good = Vec::new();
    for record in read_records(file)? {
        match parse(record.fields, &providers, &templates) {
            Ok(row) => good.push(row),
            Err(reason) => summary.reject(record.row, reason),
        }
    }
    let now = state.kernel.clock.now().to_rfc3339();
    let today = crate::kernel::clock::today_jakarta(state.kernel.clock.as_ref()).to_string();
    for chunk in good.chunks(500) {
        let mut tx = state.kernel.db.begin_write().await?;
        for row in chunk {
            let id = store_import::upsert_employee(&mut tx, &row.tenant, &row.employee, &now).await?;
            let e = &row.employee;
            super::store_versions::record_imported_salary(&mut tx, &id, &e.join_date, &today, e.salary, &now).await?;
            for m in &row.memberships {
                store_import::add_first_membership(&mut tx, &row.tenant, &id, m, &now).await?;
            }
        }
        tx.commit().await?;
    }
    summary.accepted = good.len();
    Ok(summary)
}

/// Imports OAuth2 clients from `file`.
pub async fn clients(state: &HrCtx, file: &Path) -> anyhow::Result<ImportSummary> {
    let mut summary = ImportSummary::new("hr-clients");
    for record in read_records(file)? {
        let fields = &record.fields;
        let (Some(id), Some(secret), Some(tenant)) = (
            text(fields, "clientId"),
            text(fields, "clientSecret"),
            text(fields, "tenant"),
        ) else {
            summary.reject(record.row, "clientId, clientSecret and tenant are required");
            continue;
        };
        if secret.len() < 8 {
            summary.reject(record.row, "clientSecret: must be at least 8 characters");
            continue;
        }
        if !super::clients::save(state, &id, &secret, &tenant).await? {
            summary.reject(
                record.row,
                "clientId: belongs to another tenant (a client never changes tenant)",
            );
            continue;
        }
        summary.accepted += 1;
    }
    Ok(summary)
}
