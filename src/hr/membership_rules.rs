//! What a membership PUT must satisfy before it is recorded: ordered dates, and the
//! family members (with the count of those beyond one spouse and three children).

use super::domain::{self, invalid, optional, required};
use super::wire::FamilyMembership;
use crate::kernel::error::AppResult;

/// Start, end and effective dates, checked and ordered: effective and end not before start.
pub fn dates(
    start: &Option<String>,
    end: &Option<String>,
    effective: &Option<String>,
) -> AppResult<(String, Option<String>, String)> {
    let start = domain::required_date("startDate", start)?;
    let end = domain::optional_date("endDate", end)?;
    let effective = domain::optional_date("effectiveDate", effective)?.unwrap_or(start);
    if end.is_some_and(|e| e < start) {
        return Err(invalid("endDate", "must not be before startDate"));
    }
    if effective < start {
        return Err(invalid("effectiveDate", "must not be before startDate"));
    }
    Ok((start.to_string(), end.map(|d| d.to_string()), effective.to_string()))
}

const RELATIONS: &[&str] = &[
    "SPOUSE",
    "CHILD",
    "FATHER",
    "MOTHER",
    "FATHER_IN_LAW",
    "MOTHER_IN_LAW",
    "OTHER",
];

/// Checks the family members and counts those beyond one spouse and three children
/// (each adds 1% of the JKN base, paid by the employee).
pub fn family(members: Vec<FamilyMembership>) -> AppResult<(Vec<FamilyMembership>, i64)> {
    let (mut spouses, mut children, mut extra) = (0, 0, 0);
    let mut out = Vec::with_capacity(members.len());
    for (i, mut m) in members.into_iter().enumerate() {
        let field = |name: &str| format!("additionalFamilyMemberships[{i}].{name}");
        m.family_member_name = Some(required(&field("familyMemberName"), &m.family_member_name)?);
        let relation = required(&field("familyMemberRelationId"), &m.family_member_relation_id)?.to_ascii_uppercase();
        if !RELATIONS.contains(&relation.as_str()) {
            return Err(invalid(
                &field("familyMemberRelationId"),
                &format!("must be one of {}", RELATIONS.join(", ")),
            ));
        }
        match relation.as_str() {
            "SPOUSE" if spouses == 0 => spouses += 1,
            "CHILD" if children < 3 => children += 1,
            _ => extra += 1,
        }
        m.family_member_relation_id = Some(relation);
        m.membership_number = optional(&m.membership_number)
            .map(|n| domain::digits(&field("membershipNumber"), &n, 13))
            .transpose()?;
        out.push(m);
    }
    Ok((out, extra))
}
