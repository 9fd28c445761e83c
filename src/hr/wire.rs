//! Wire types spelled as the original API spells them (camelCase, CATAPA conventions).
//! Request fields are all optional at the serde level so that a missing required field
//! is a 400 naming it, in the family's error form, rather than serde's message.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::Lenient;

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
}

/// An employee.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Employee {
    /// UUID.
    pub id: String,
    /// Employee number.
    pub employee_number: String,
    /// Full name.
    pub name: String,
    /// NIK.
    pub nik: String,
    /// Birth date.
    pub birth_date: String,
    /// Join date.
    pub join_date: String,
    /// Monthly salary (rupiah).
    pub salary: i64,
    /// Regional minimum wage flooring the JKN base, if set.
    pub minimum_wage: Option<i64>,
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
    pub jkk_risk_class: Option<i64>,
    /// JKN share (healthcare).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkn: Option<ProgrammeShare>,
    /// JKK share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkk: Option<ProgrammeShare>,
    /// JKM share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkm: Option<ProgrammeShare>,
    /// JHT share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jht: Option<ProgrammeShare>,
    /// JP share (manpower).
    #[serde(skip_serializing_if = "Option::is_none")]
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
    pub min_salary: i64,
    /// Highest salary of the band, if bounded.
    pub max_salary: Option<i64>,
}

/// Facilities of a family member.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Facilities {
    /// First-level healthcare facility (FKTP).
    pub first_level_healthcare_facility: Option<String>,
    /// Dental healthcare facility.
    pub dental_healthcare_facility: Option<String>,
}

/// A family member covered by the employee's healthcare membership.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FamilyMembership {
    /// The member's name (required).
    pub family_member_name: Option<String>,
    /// `SPOUSE`, `CHILD`, `FATHER`, `MOTHER`, `FATHER_IN_LAW`, `MOTHER_IN_LAW` or `OTHER` (required).
    pub family_member_relation_id: Option<String>,
    /// The member's BPJS card number (13 digits), if known.
    pub membership_number: Option<String>,
    /// The member's facilities.
    #[serde(default)]
    pub facilities: Facilities,
}

/// `PUT .../bpjs-healthcare-memberships` body (the spec's fields, plus `endDate` and
/// `additionalFamilyMemberships`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthcareMembershipRequest {
    /// Required.
    pub bpjs_healthcare_provider_id: Option<String>,
    /// Required.
    pub bpjs_healthcare_template_id: Option<String>,
    /// Optional; by default the class whose salary band holds the salary.
    pub bpjs_healthcare_treatment_class_id: Option<String>,
    /// Dental facility.
    pub dental_healthcare_facility: Option<String>,
    /// First-level facility.
    pub first_level_healthcare_facility: Option<String>,
    /// Required, 13 digits.
    pub membership_number: Option<String>,
    /// Required, `yyyy-mm-dd`.
    pub start_date: Option<String>,
    /// Optional, on or after startDate.
    pub end_date: Option<String>,
    /// Effective date of this version; defaults to startDate.
    pub effective_date: Option<String>,
    /// Family members covered.
    pub additional_family_memberships: Option<Vec<FamilyMembership>>,
}

/// The healthcare membership (one version of it).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthcareMembership {
    /// ID of the BPJS Healthcare Membership (stable across versions).
    pub id: String,
    /// The employee.
    pub employee_id: String,
    /// Card number.
    pub membership_number: Option<String>,
    /// Start date.
    pub start_date: String,
    /// End date, if ended.
    pub end_date: Option<String>,
    /// Effective date of this version.
    pub effective_date: String,
    /// First-level facility.
    pub first_level_healthcare_facility: Option<String>,
    /// Dental facility.
    pub dental_healthcare_facility: Option<String>,
    /// The provider.
    pub bpjs_healthcare_provider: Provider,
    /// The template.
    pub bpjs_healthcare_template: Template,
    /// The treatment class, if any.
    pub bpjs_healthcare_treatment_class: Option<TreatmentClass>,
    /// Family members covered.
    pub additional_family_memberships: Vec<FamilyMembership>,
    /// Version number (1 for the first PUT).
    pub version: i64,
    /// When this version was recorded.
    pub recorded_at: String,
}

/// `PUT .../bpjs-manpower-memberships` body (the spec's fields plus `endDate`, `pensionEnd`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManpowerMembershipRequest {
    /// Required.
    pub bpjs_manpower_provider_id: Option<String>,
    /// Required.
    pub bpjs_manpower_template_id: Option<String>,
    /// Optional, 11 digits.
    pub membership_number: Option<String>,
    /// Required, `yyyy-mm-dd`.
    pub start_date: Option<String>,
    /// Optional, on or after startDate.
    pub end_date: Option<String>,
    /// Effective date of this version; defaults to startDate.
    pub effective_date: Option<String>,
    /// End of JP participation; computed from the birth date and the pension age when absent.
    pub pension_end: Option<String>,
}

/// The manpower membership (one version of it).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManpowerMembership {
    /// ID of the BPJS Manpower Membership (stable across versions).
    pub id: String,
    /// The employee.
    pub employee_id: String,
    /// KPJ number.
    pub membership_number: Option<String>,
    /// Start date.
    pub start_date: String,
    /// End date, if ended.
    pub end_date: Option<String>,
    /// Effective date of this version.
    pub effective_date: String,
    /// End of JP participation (pension age).
    pub pension_end: Option<String>,
    /// The provider.
    pub bpjs_manpower_provider: Provider,
    /// The template.
    pub bpjs_manpower_template: Template,
    /// Version number (1 for the first PUT).
    pub version: i64,
    /// When this version was recorded.
    pub recorded_at: String,
}

/// Optional date selecting the version in force.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct VersionParams {
    /// `yyyy-mm-dd`: answer the version in force that day instead of the latest one.
    pub effective_on: Option<String>,
}

/// `?period=YYYY-MM`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PeriodParams {
    /// The month, `YYYY-MM` (required).
    pub period: Option<String>,
}

/// One programme's contribution for a month.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ContributionLine {
    /// `JKN`, `JKN_ADDITIONAL_FAMILY`, `JKK`, `JKM`, `JHT` or `JP`.
    pub programme: String,
    /// The wage base after floor and cap (rupiah).
    pub base: i64,
    /// Employer rate in percent (e.g. `"4.00"`).
    pub employer_rate: String,
    /// Employee rate in percent.
    pub employee_rate: String,
    /// What the employer pays (rupiah).
    pub employer_amount: i64,
    /// What the employee pays (rupiah).
    pub employee_amount: i64,
    /// JKK risk class (JKK only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkk_risk_class: Option<i64>,
    /// The part of the JKK amount that funds JKP (JKK only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkp_portion_amount: Option<i64>,
    /// Family members beyond spouse and three children (JKN_ADDITIONAL_FAMILY only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_family_members: Option<i64>,
}

/// An employee's contributions for one month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeContributions {
    /// The employee.
    pub employee_id: String,
    /// Employee number.
    pub employee_number: String,
    /// `YYYY-MM`.
    pub period: String,
    /// Monthly salary.
    pub salary: i64,
    /// One line per programme the employee takes part in that month.
    pub contributions: Vec<ContributionLine>,
    /// Sum of employer amounts.
    pub total_employer: i64,
    /// Sum of employee amounts.
    pub total_employee: i64,
    /// Employer plus employee.
    pub total: i64,
    /// How amounts are rounded.
    pub rounding_rule: String,
}

/// A programme's totals over the tenant.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryLine {
    /// Programme.
    pub programme: String,
    /// Members contributing to it.
    pub members: i64,
    /// Employer total.
    pub employer_amount: i64,
    /// Employee total.
    pub employee_amount: i64,
    /// Both.
    pub total: i64,
}

/// The tenant's contributions for one month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContributionSummary {
    /// `YYYY-MM`.
    pub period: String,
    /// Employees with at least one contribution that month.
    pub employee_count: i64,
    /// Per programme.
    pub programmes: Vec<SummaryLine>,
    /// Sum of employer amounts.
    pub total_employer: i64,
    /// Sum of employee amounts.
    pub total_employee: i64,
    /// Employer plus employee.
    pub total: i64,
    /// How amounts are rounded.
    pub rounding_rule: String,
}
