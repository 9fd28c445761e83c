//! The HR demo data: tenant `demo`, client `demo-client` / `demo-secret`, one provider
//! and template per programme (plus a factory template at JKK class 3), two treatment
//! classes, and three employees with memberships: one earning Rp15,000,000, one at the
//! Jakarta minimum wage, one with two family members beyond spouse and three children.
//! Fixed ids make loading idempotent.

use super::HrCtx;
use crate::kernel::ids::Nik;
use crate::kernel::money::Rupiah;

use super::domain::Programme;
use super::store::{self, TemplateRow};
use super::store_membership::{self as members, NewVersion};
use super::store_versions;
use super::wire::{Employee, Facilities, FamilyMembership, Provider, TemplateShares, TreatmentClass};

/// The demo tenant.
pub const TENANT: &str = "demo";
/// The demo OAuth2 client id.
pub const CLIENT_ID: &str = "demo-client";
/// The demo OAuth2 client secret.
pub const CLIENT_SECRET: &str = "demo-secret";
/// The demo employee earning Rp15,000,000.
pub const EMPLOYEE_HIGH: &str = "6f1c0000-0000-4000-8000-000000000031";
/// The demo employee at the minimum wage.
pub const EMPLOYEE_MINIMUM: &str = "6f1c0000-0000-4000-8000-000000000032";
/// The demo employee with two extra family members.
pub const EMPLOYEE_FAMILY: &str = "6f1c0000-0000-4000-8000-000000000033";
/// Healthcare provider id.
pub const HEALTHCARE_PROVIDER: &str = "6f1c0000-0000-4000-8000-000000000001";
/// Manpower provider id.
pub const MANPOWER_PROVIDER: &str = "6f1c0000-0000-4000-8000-000000000002";
/// Healthcare template id.
pub const HEALTHCARE_TEMPLATE: &str = "6f1c0000-0000-4000-8000-000000000011";
/// Manpower template id (JKK class 1, 0.24%).
pub const MANPOWER_TEMPLATE: &str = "6f1c0000-0000-4000-8000-000000000012";
/// Manpower template id (JKK class 3, 0.89%).
pub const FACTORY_TEMPLATE: &str = "6f1c0000-0000-4000-8000-000000000013";

fn provider(id: &str, name: &str, registration: &str) -> Provider {
    Provider {
        id: id.into(),
        code: "JKT01".into(),
        name: name.into(),
        address: Some("Jl. Jend. Sudirman Kav. 1, Jakarta".into()),
        registration_number: Some(registration.into()),
        report_signatory_name: Some("Dewi Lestari".into()),
        report_signatory_job_title: Some("HR Manager".into()),
    }
}

fn template(id: &str, code: &str, name: &str, jkk: Option<i64>) -> TemplateRow {
    TemplateRow {
        id: id.into(),
        code: code.into(),
        name: name.into(),
        salary_type: "BY_SALARY_DECREE".into(),
        link_to_payroll: 1,
        jkk_risk_class: jkk,
        shares: serde_json::to_string(&TemplateShares::default()).expect("shares"),
    }
}

#[allow(clippy::too_many_arguments)] // a table of literals reads best as one call per person
fn employee(
    id: &str,
    number: &str,
    name: &str,
    nik: &str,
    birth: &str,
    join: &str,
    salary: i64,
    minimum: Option<i64>,
) -> anyhow::Result<Employee> {
    // The demo's NIKs are literals below; parsing them keeps the one way in.
    let nik = Nik::parse(nik).map_err(|e| anyhow::anyhow!("demo NIK {nik}: {}", Nik::message(e)))?;
    Ok(Employee {
        id: id.into(),
        employee_number: number.into(),
        name: name.into(),
        nik,
        birth_date: birth.into(),
        join_date: join.into(),
        salary: Rupiah::new(salary),
        minimum_wage: minimum.map(Rupiah::new),
        status: "ACTIVE".into(),
    })
}

fn member(name: &str, relation: &str) -> FamilyMembership {
    FamilyMembership {
        family_member_name: Some(name.into()),
        family_member_relation_id: Some(relation.into()),
        membership_number: None,
        facilities: Facilities {
            first_level_healthcare_facility: Some("Puskesmas Tanah Abang".into()),
            dental_healthcare_facility: None,
        },
    }
}

/// Loads the demo tenant (idempotent).
pub async fn load(state: &HrCtx) -> anyhow::Result<()> {
    let db = &state.kernel.db;
    let now = state.kernel.clock.now().to_rfc3339();
    anyhow::ensure!(
        super::clients::save(state, CLIENT_ID, CLIENT_SECRET, TENANT).await?,
        "HR client {CLIENT_ID} belongs to another tenant than {TENANT}"
    );
    for (programme, p) in [
        (
            Programme::Healthcare,
            provider(HEALTHCARE_PROVIDER, "PT Jembatan Demo (BPJS Kesehatan)", "80012345"),
        ),
        (
            Programme::Manpower,
            provider(MANPOWER_PROVIDER, "PT Jembatan Demo (BPJS Ketenagakerjaan)", "JJ010203"),
        ),
    ] {
        if store::provider(db, TENANT, programme, &p.id).await?.is_none() {
            store::save_provider(db, TENANT, programme, &p, true).await?;
        }
    }
    for (programme, t) in [
        (
            Programme::Healthcare,
            template(HEALTHCARE_TEMPLATE, "STANDARD", "Standar JKN", None),
        ),
        (
            Programme::Manpower,
            template(MANPOWER_TEMPLATE, "OFFICE", "Kantor (JKK 0.24%)", Some(1)),
        ),
        (
            Programme::Manpower,
            template(FACTORY_TEMPLATE, "FACTORY", "Pabrik (JKK 0.89%)", Some(3)),
        ),
    ] {
        if store::template(db, TENANT, programme, &t.id).await?.is_none() {
            // Demo templates are in force since the first month with rate data.
            store_versions::save_template(db, TENANT, programme, &t, true, "2015-01-01").await?;
        }
    }
    for c in [
        TreatmentClass {
            id: "6f1c0000-0000-4000-8000-000000000021".into(),
            code: "KELAS-2".into(),
            name: "KELAS II".into(),
            min_salary: Rupiah::ZERO,
            max_salary: Some(Rupiah::new(4_000_000)),
        },
        TreatmentClass {
            id: "6f1c0000-0000-4000-8000-000000000022".into(),
            code: "KELAS-1".into(),
            name: "KELAS I".into(),
            min_salary: Rupiah::new(4_000_001),
            max_salary: None,
        },
    ] {
        if store::class(db, TENANT, &c.id).await?.is_none() {
            store::save_class(db, TENANT, &c, true, "2015-01-01").await?;
        }
    }
    let family = vec![
        member("Rina Wijaya", "SPOUSE"),
        member("Dimas Wijaya", "CHILD"),
        member("Putri Wijaya", "CHILD"),
        member("Bayu Wijaya", "CHILD"),
        member("Slamet Wijaya", "FATHER"),
        member("Sri Wijaya", "MOTHER"),
    ];
    let people = [
        (
            employee(
                EMPLOYEE_HIGH,
                "EMP-001",
                "Budi Santoso",
                "3171011403850001",
                "1985-03-14",
                "2020-01-06",
                15_000_000,
                Some(5_396_761),
            )?,
            "0001234567801",
            "12345678901",
            vec![],
        ),
        (
            employee(
                EMPLOYEE_MINIMUM,
                "EMP-002",
                "Siti Rahayu",
                "3171014107980002",
                "1998-07-01",
                "2024-02-01",
                5_396_761,
                Some(5_396_761),
            )?,
            "0001234567802",
            "12345678902",
            vec![],
        ),
        (
            employee(
                EMPLOYEE_FAMILY,
                "EMP-003",
                "Agus Wijaya",
                "3171011005670003",
                "1967-05-10",
                "2010-08-01",
                8_000_000,
                Some(5_396_761),
            )?,
            "0001234567803",
            "12345678903",
            family,
        ),
    ];
    for (e, card, kpj, family) in people {
        if store::employee(db, TENANT, &e.id).await?.is_none() {
            store_versions::save_employee(db, TENANT, &e, &now, true, &e.join_date).await?;
        }
        if members::current(db, TENANT, &e.id, Programme::Healthcare, None)
            .await?
            .is_none()
        {
            let extra = family.len().saturating_sub(4) as i64;
            let class = store::class_for_salary(db, TENANT, e.salary, &e.join_date).await?;
            let version = NewVersion {
                employee_id: e.id.clone(),
                programme: Programme::Healthcare,
                provider_id: HEALTHCARE_PROVIDER.into(),
                template_id: HEALTHCARE_TEMPLATE.into(),
                treatment_class_id: class.map(|c| c.id),
                membership_number: Some(card.into()),
                start_date: "2024-01-01".into(),
                end_date: None,
                effective_date: "2024-01-01".into(),
                pension_end: None,
                first_level_facility: Some("Puskesmas Tanah Abang".into()),
                dental_facility: Some("Klinik Gigi Sudirman".into()),
                family: serde_json::to_string(&family)?,
                extra_family_members: extra,
            };
            members::append(db, TENANT, &version, &uuid::Uuid::new_v4().to_string(), &now).await?;
        }
        if members::current(db, TENANT, &e.id, Programme::Manpower, None)
            .await?
            .is_none()
        {
            let birth = crate::kernel::ids::parse_date(&e.birth_date).expect("demo birth date");
            let version = NewVersion {
                employee_id: e.id.clone(),
                programme: Programme::Manpower,
                provider_id: MANPOWER_PROVIDER.into(),
                template_id: MANPOWER_TEMPLATE.into(),
                treatment_class_id: None,
                membership_number: Some(kpj.into()),
                start_date: "2024-01-01".into(),
                end_date: None,
                effective_date: "2024-01-01".into(),
                pension_end: Some(super::domain::pension_end(birth).to_string()),
                first_level_facility: None,
                dental_facility: None,
                family: "[]".into(),
                extra_family_members: 0,
            };
            members::append(db, TENANT, &version, &uuid::Uuid::new_v4().to_string(), &now).await?;
        }
    }
    Ok(())
}
