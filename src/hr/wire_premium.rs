//! CATAPA's BPJS premium summaries, spelled as CATAPA's own SDK (PyPI `catapa`) models
//! them, so its typed models parse our answers unchanged.

use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::money::Rupiah;

/// A page as the SDK's premium summary page models it (`sort` a list of properties).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PremiumPage<T> {
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
    /// The sort applied (by month, newest first, then employee name): always empty here.
    pub sort: Vec<SortProperty>,
}

/// One sort property of a page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SortProperty {
    /// `ASC` or `DESC`.
    pub direction: String,
    /// The field.
    pub property: String,
}

/// One employee's BPJS Kesehatan premium of one month.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthcareSummaryItem {
    /// `{employeeId}_{YYYY-MM}`: what `.../summaries/{id}/details` takes.
    pub id: String,
    /// The employee number.
    pub employee_identification_number: String,
    /// The employee's name.
    pub employee_name: String,
    /// The month's salary.
    #[schema(value_type = i64)]
    pub monthly_wage: Rupiah,
    /// JKN, the employer's part.
    #[schema(value_type = i64)]
    pub company_amount: Rupiah,
    /// JKN, the employee's part (extra family members included).
    #[schema(value_type = i64)]
    pub employee_amount: Rupiah,
}

/// One employee's BPJS Ketenagakerjaan premiums of one month.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManpowerSummaryItem {
    /// `{employeeId}_{YYYY-MM}`.
    pub id: String,
    /// The employee number.
    pub employee_identification_number: String,
    /// The employee's name.
    pub employee_name: String,
    /// The month's salary.
    #[schema(value_type = i64)]
    pub monthly_wage: Rupiah,
    /// The month's amounts.
    #[serde(flatten)]
    pub amounts: ManpowerAmounts,
}

/// The BPJS Ketenagakerjaan amounts of a month.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManpowerAmounts {
    /// JKK (employer).
    #[schema(value_type = i64)]
    pub jkk_amount: Rupiah,
    /// JKM (employer).
    #[schema(value_type = i64)]
    pub jkm_amount: Rupiah,
    /// JHT, the employer's part.
    #[schema(value_type = i64)]
    pub jhtpk_amount: Rupiah,
    /// JHT, the employee's part.
    #[schema(value_type = i64)]
    pub jhtp_amount: Rupiah,
    /// JP, the employer's part.
    #[schema(value_type = i64)]
    pub jppk_amount: Rupiah,
    /// JP, the employee's part.
    #[schema(value_type = i64)]
    pub jpp_amount: Rupiah,
    /// The part of JKK that funds JKP (PP 6/2025).
    #[schema(value_type = i64)]
    pub jkp_amount: Rupiah,
}

/// A month's BPJS Kesehatan amounts with its cut-off.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthcareMonth {
    /// First day of the month.
    pub start_cutoff_date: String,
    /// Last day of the month.
    pub end_cutoff_date: String,
    /// JKN, the employer's part.
    #[schema(value_type = i64)]
    pub company_amount: Rupiah,
    /// JKN, the employee's part.
    #[schema(value_type = i64)]
    pub employee_amount: Rupiah,
}

/// A month's BPJS Ketenagakerjaan amounts with its cut-off.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManpowerMonth {
    /// First day of the month.
    pub start_cutoff_date: String,
    /// Last day of the month.
    pub end_cutoff_date: String,
    /// The amounts.
    #[serde(flatten)]
    pub amounts: ManpowerAmounts,
}

/// An employee's BPJS Kesehatan premiums: the summary's month and the months before it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthcareDetails {
    /// The employee's id.
    pub employee_id: String,
    /// The employee number.
    pub employee_identification_number: String,
    /// The employee's name.
    pub employee_name: String,
    /// The summary month's salary.
    #[schema(value_type = i64)]
    pub monthly_wage: Rupiah,
    /// The summary's month.
    pub current_month_detail: HealthcareMonth,
    /// Every covered month of the 12 ending with the summary's, oldest first.
    pub details: Vec<HealthcareMonth>,
}

/// An employee's BPJS Ketenagakerjaan premiums: the summary's month and the months before it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManpowerDetails {
    /// The employee's id.
    pub employee_id: String,
    /// The employee number.
    pub employee_identification_number: String,
    /// The employee's name.
    pub employee_name: String,
    /// The summary month's salary.
    #[schema(value_type = i64)]
    pub monthly_wage: Rupiah,
    /// The summary's month.
    pub current_month_detail: ManpowerMonth,
    /// Every covered month of the 12 ending with the summary's, oldest first.
    pub details: Vec<ManpowerMonth>,
}
