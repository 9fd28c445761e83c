//! Wire types of memberships and contributions (re-exported by [`super::wire`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::{Provider, Template, TreatmentClass};
use crate::kernel::money::Rupiah;

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
    #[schema(value_type = i64)]
    pub base: Rupiah,
    /// Employer rate in percent (e.g. `"4.00"`).
    pub employer_rate: String,
    /// Employee rate in percent.
    pub employee_rate: String,
    /// What the employer pays (rupiah).
    #[schema(value_type = i64)]
    pub employer_amount: Rupiah,
    /// What the employee pays (rupiah).
    #[schema(value_type = i64)]
    pub employee_amount: Rupiah,
    /// JKK risk class (JKK only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub jkk_risk_class: Option<i64>,
    /// The part of the JKK amount that funds JKP (JKK only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, nullable = false)]
    pub jkp_portion_amount: Option<Rupiah>,
    /// Family members beyond spouse and three children (JKN_ADDITIONAL_FAMILY only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
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
    #[schema(value_type = i64)]
    pub salary: Rupiah,
    /// One line per programme the employee takes part in that month.
    pub contributions: Vec<ContributionLine>,
    /// Sum of employer amounts.
    #[schema(value_type = i64)]
    pub total_employer: Rupiah,
    /// Sum of employee amounts.
    #[schema(value_type = i64)]
    pub total_employee: Rupiah,
    /// Employer plus employee.
    #[schema(value_type = i64)]
    pub total: Rupiah,
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
    #[schema(value_type = i64)]
    pub employer_amount: Rupiah,
    /// Employee total.
    #[schema(value_type = i64)]
    pub employee_amount: Rupiah,
    /// Both.
    #[schema(value_type = i64)]
    pub total: Rupiah,
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
    #[schema(value_type = i64)]
    pub total_employer: Rupiah,
    /// Sum of employee amounts.
    #[schema(value_type = i64)]
    pub total_employee: Rupiah,
    /// Employer plus employee.
    #[schema(value_type = i64)]
    pub total: Rupiah,
    /// How amounts are rounded.
    pub rounding_rule: String,
}
