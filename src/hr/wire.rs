//! Wire types spelled as the original API spells them (camelCase, CATAPA conventions).
//! Request fields are all optional at the serde level so that a missing required field
//! is a 400 naming it, in the family's error form, rather than serde's message.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::kernel::ids::Nik;
use crate::kernel::money::Rupiah;

/// A whole number of rupiah sent as a JSON number or as a numeric string (`"8000000"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lenient(pub i64);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let number = match &value {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        number
            .map(Lenient)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, got {value}")))
    }
}

/// The error body of every HR error: `{code, message, status, timestamp}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable error code, e.g. `BAD_REQUEST`, `UNAUTHORIZED`.
    pub code: String,
    /// What went wrong; validation messages start with the field's name.
    pub message: String,
    /// The HTTP status.
    pub status: u16,
    /// When it happened (RFC 3339).
    pub timestamp: String,
}

/// OAuth2 client-credentials request (form or JSON; the client may also authenticate
/// with HTTP Basic).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: Option<String>,
    /// The client id (unless sent with HTTP Basic).
    pub client_id: Option<String>,
    /// The client secret (unless sent with HTTP Basic).
    pub client_secret: Option<String>,
    /// Requested scope (echoed; every client has the whole API of its tenant).
    pub scope: Option<String>,
}

/// OAuth2 token response.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The Bearer token.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    /// The granted scope.
    pub scope: String,
    /// The tenant the client belongs to (send it as the `Tenant` header).
    pub tenant: String,
}

/// Spring-style sort description of a page.
#[derive(Debug, Serialize, ToSchema)]
pub struct SortInfo {
    /// True when a sort was asked for.
    pub sorted: bool,
    /// True when none was.
    pub unsorted: bool,
    /// True when none was.
    pub empty: bool,
}

/// A page of a list: `{content, number, size, numberOfElements, totalElements,
/// totalPages, first, last, sort}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    pub content: Vec<T>,
    /// The page number, from 0.
    pub number: i64,
    /// The page size asked for.
    pub size: i64,
    /// Items on this page.
    pub number_of_elements: i64,
    /// Items on all pages.
    pub total_elements: i64,
    /// Number of pages.
    pub total_pages: i64,
    /// True on the first page.
    pub first: bool,
    /// True on the last page.
    pub last: bool,
    /// The sort applied.
    pub sort: SortInfo,
}

/// List parameters: `page` from 0, `size` at most 50, `query=key:value,...`, `sort=field,asc`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Page number from 0.
    pub page: Option<i64>,
    /// Page size, 1..=50 (default 20).
    pub size: Option<i64>,
    /// Search: `key:value` (`,` = AND, `;` = OR), `key>value`, `key<value`.
    pub query: Option<String>,
    /// `field,asc` or `field,desc`.
    pub sort: Option<String>,
}

/// Employee create/update body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeRequest {
    /// Employee number, unique in the tenant (required).
    pub employee_number: Option<String>,
    /// Full name (required).
    pub name: Option<String>,
    /// NIK, 16 digits (required).
    pub nik: Option<String>,
    /// Birth date `yyyy-mm-dd` (required).
    pub birth_date: Option<String>,
    /// Join date `yyyy-mm-dd` (required).
    pub join_date: Option<String>,
    /// Monthly salary in whole rupiah (required; a numeric string is accepted).
    #[schema(value_type = Option<i64>)]
    pub salary: Option<Lenient>,
    /// The regional minimum wage that floors the JKN base (optional).
    #[schema(value_type = Option<i64>)]
    pub minimum_wage: Option<Lenient>,
    /// `ACTIVE` (default) or `INACTIVE`.
    pub status: Option<String>,
    /// On an update that changes the salary: the day the new salary takes effect
    /// (`yyyy-mm-dd`, default today). Months before it keep the earlier salary.
    pub salary_effective_date: Option<String>,
}

/// An employee, parsed: its NIK and amounts are checked once, at the edge (decoded from
/// a row by `store`, which reads the NIK back through [`Nik::parse`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Employee {
    /// UUID.
    pub id: String,
    /// Employee number.
    pub employee_number: String,
    /// Full name.
    pub name: String,
    /// NIK (16 digits).
    #[schema(value_type = String, example = "3171011403850001")]
    pub nik: Nik,
    /// Birth date.
    pub birth_date: String,
    /// Join date.
    pub join_date: String,
    /// Monthly salary (rupiah).
    #[schema(value_type = i64)]
    pub salary: Rupiah,
    /// Regional minimum wage flooring the JKN base, if set (null when not).
    #[schema(value_type = Option<i64>)]
    pub minimum_wage: Option<Rupiah>,
    /// `ACTIVE` or `INACTIVE`.
    pub status: String,
}

/// Provider create/update body (the employer's BPJS registration).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderRequest {
    /// Code, unique per programme in the tenant (required).
    pub code: Option<String>,
    /// Name (required).
    pub name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// BPJS registration number of the employer.
    pub registration_number: Option<String>,
    /// Who signs the reports.
    pub report_signatory_name: Option<String>,
    /// The signatory's job title.
    pub report_signatory_job_title: Option<String>,
}

/// A BPJS provider (healthcare or manpower).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    /// UUID.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: Option<String>,
    /// Registration number.
    pub registration_number: Option<String>,
    /// Report signatory.
    pub report_signatory_name: Option<String>,
    /// Report signatory's job title.
    pub report_signatory_job_title: Option<String>,
}

/// Who bears one programme and whether it applies.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProgrammeShare {
    /// Whether the programme applies to members of the template (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `EMPLOYEE` (default: the employee pays the employee's share) or `COMPANY` (the
    /// employer bears it too).
    #[serde(default = "employee")]
    pub employee_share_paid_by: SharePayer,
}

fn yes() -> bool {
    true
}

fn employee() -> SharePayer {
    SharePayer::Employee
}

impl Default for ProgrammeShare {
    fn default() -> Self {
        ProgrammeShare {
            enabled: true,
            employee_share_paid_by: SharePayer::Employee,
        }
    }
}

impl ProgrammeShare {
    /// True when the employer bears the employee's share.
    pub fn paid_by_company(&self) -> bool {
        self.employee_share_paid_by == SharePayer::Company
    }
}

/// Who pays the employee's share of a programme.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum SharePayer {
    /// The employee (deducted from salary).
    Employee,
    /// The company.
    Company,
}

/// All shares of a template, stored as JSON; only the template's programme's are shown.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct TemplateShares {
    /// JKN (healthcare templates).
    #[serde(default)]
    pub jkn: ProgrammeShare,
    /// JKK (manpower templates; employer only).
    #[serde(default)]
    pub jkk: ProgrammeShare,
    /// JKM (manpower templates; employer only).
    #[serde(default)]
    pub jkm: ProgrammeShare,
    /// JHT (manpower templates).
    #[serde(default)]
    pub jht: ProgrammeShare,
    /// JP (manpower templates).
    #[serde(default)]
    pub jp: ProgrammeShare,
}

/// Template create/update body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRequest {
    /// Code, unique per programme in the tenant (required).
    pub code: Option<String>,
    /// Name (required).
    pub name: Option<String>,
    /// `BY_PRORATED_SALARY` or `BY_SALARY_DECREE` (required).
    pub salary_type: Option<String>,
    /// Whether payroll deducts the contributions (default false).
    pub link_to_payroll: Option<bool>,
    /// JKK risk class 1..=5 (manpower templates: required).
    #[schema(value_type = Option<i64>)]
    pub jkk_risk_class: Option<Lenient>,
    /// JKN share (healthcare templates).
    pub jkn: Option<ProgrammeShare>,
    /// JKK share (manpower templates).
    pub jkk: Option<ProgrammeShare>,
    /// JKM share (manpower templates).
    pub jkm: Option<ProgrammeShare>,
    /// JHT share (manpower templates).
    pub jht: Option<ProgrammeShare>,
    /// JP share (manpower templates).
    pub jp: Option<ProgrammeShare>,
    /// The day these shares, salary type and JKK class take effect (`yyyy-mm-dd`; default:
    /// today). Months before it keep computing with the earlier version.
    pub effective_date: Option<String>,
}

/// A BPJS template.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    /// UUID.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `BY_PRORATED_SALARY` or `BY_SALARY_DECREE`.
    pub salary_type: String,
    /// Whether payroll deducts the contributions.
    pub link_to_payroll: bool,
    /// JKK risk class (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jkk_risk_class: Option<i64>,
    /// JKN share (healthcare).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jkn: Option<ProgrammeShare>,
    /// JKK share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jkk: Option<ProgrammeShare>,
    /// JKM share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jkm: Option<ProgrammeShare>,
    /// JHT share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jht: Option<ProgrammeShare>,
    /// JP share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jp: Option<ProgrammeShare>,
}

/// Treatment class create/update body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TreatmentClassRequest {
    /// Code, unique in the tenant (required).
    pub code: Option<String>,
    /// Name, e.g. `KELAS I` (required).
    pub name: Option<String>,
    /// Lowest monthly salary of the band (default 0).
    #[schema(value_type = Option<i64>)]
    pub min_salary: Option<Lenient>,
    /// Highest monthly salary of the band (none: no upper bound).
    #[schema(value_type = Option<i64>)]
    pub max_salary: Option<Lenient>,
    /// The day this band takes effect (`yyyy-mm-dd`; default today): memberships taking
    /// effect before it keep the earlier band.
    pub effective_date: Option<String>,
}

/// A treatment class (kelas rawat) and its salary band.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct TreatmentClass {
    /// UUID.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Lowest salary of the band.
    #[schema(value_type = i64)]
    pub min_salary: Rupiah,
    /// Highest salary of the band, if bounded (null: no upper bound).
    #[schema(value_type = Option<i64>)]
    pub max_salary: Option<Rupiah>,
}

pub use super::wire_membership::*;
