//! Employees (create, read, update, list) and the list machinery the reference data
//! shares: paging, `query=key:value` search and sorting.

use axum::extract::State;
use axum::http::StatusCode;

use super::HrCtx;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::{Json, Path, Query};

use super::auth::Caller;
use super::domain::{self, invalid, optional, required, Column, Paging};
use super::openapi::{CallerRefusals, TenantHeader};
use super::store;
use super::store_versions;
use super::wire::{Employee, EmployeeRequest, ErrorBody, ListParams, Page, SortInfo};

/// Builds a page object from the rows of one page and the total.
pub fn page_of<T>(content: Vec<T>, total: i64, paging: Paging, sort: Option<(String, bool)>) -> Page<T> {
    let total_pages = if total == 0 {
        0
    } else {
        (total + paging.size - 1) / paging.size
    };
    Page {
        number_of_elements: content.len() as i64,
        content,
        number: paging.page,
        size: paging.size,
        total_elements: total,
        total_pages,
        first: paging.page == 0,
        last: paging.page + 1 >= total_pages,
        sort: SortInfo {
            sorted: sort.is_some(),
            unsorted: sort.is_none(),
            empty: sort.is_none(),
        },
    }
}

/// What a list endpoint lists: a table scoped to the tenant, with its searchable and
/// sortable keys.
pub struct Listing<'a> {
    /// The table.
    pub table: &'a str,
    /// The scope condition (`tenant = $1 ...`).
    pub scope: &'a str,
    /// The scope's binds.
    pub scope_binds: Vec<domain::Bind>,
    /// The selected columns.
    pub select: &'a str,
    /// Searchable keys.
    pub columns: &'a [(&'a str, Column)],
    /// Sortable keys.
    pub sorts: &'a [(&'a str, &'static str)],
    /// The order when no sort is asked for.
    pub default_order: &'static str,
}

/// A list page of `T` with the client's paging, query and sort.
pub async fn list<T: store::AnyRow>(
    state: &HrCtx,
    listing: Listing<'_>,
    params: &ListParams,
) -> AppResult<(Vec<T>, i64, Paging, Option<(String, bool)>)> {
    let paging = Paging::new(params.page, params.size)?;
    let alternatives = domain::parse_query(params.query.as_deref().unwrap_or(""))?;
    let (filter, filter_binds) = domain::where_clause(&alternatives, listing.columns, listing.scope_binds.len() + 1)?;
    let (order, sort) = domain::order_by(params.sort.as_deref(), listing.sorts, listing.default_order)?;
    let from = format!("{} WHERE {}{filter}", listing.table, listing.scope);
    let mut binds = listing.scope_binds;
    binds.extend(filter_binds);
    let (rows, total) = store::page::<T>(&state.kernel.db, listing.select, &from, &binds, &order, paging).await?;
    Ok((rows, total, paging, sort))
}

const EMPLOYEE_SEARCH: &[(&str, Column)] = &[
    ("name", Column::Text("name")),
    ("employeeNumber", Column::Exact("employee_number")),
    ("status", Column::Exact("status")),
    ("nik", Column::Exact("nik")),
    ("salary", Column::Number("salary")),
    ("joinDate", Column::Date("join_date")),
    ("birthDate", Column::Date("birth_date")),
];

const EMPLOYEE_SORT: &[(&str, &str)] = &[
    ("name", "name"),
    ("employeeNumber", "employee_number"),
    ("joinDate", "join_date"),
    ("salary", "salary"),
];

/// Employees of the tenant.
#[utoipa::path(get, path = "/employees", tag = "hr", params(ListParams, TenantHeader),
    security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "A page of employees", body = Page<Employee>)))]
pub async fn list_employees(
    State(state): State<HrCtx>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> AppResult<Json<Page<Employee>>> {
    let (rows, total, paging, sort) = list::<Employee>(
        &state,
        Listing {
            table: "hr_employees",
            scope: "tenant = $1",
            scope_binds: vec![domain::Bind::Text(caller.tenant)],
            select: store::EMPLOYEE_COLUMNS,
            columns: EMPLOYEE_SEARCH,
            sorts: EMPLOYEE_SORT,
            default_order: "employee_number ASC, id ASC",
        },
        &params,
    )
    .await?;
    Ok(Json(page_of(rows, total, paging, sort)))
}

/// Parses an employee body once (NIK, dates, amounts); errors name the field.
pub fn parse_employee(id: String, body: EmployeeRequest) -> AppResult<Employee> {
    let employee_number = required("employeeNumber", &body.employee_number)?;
    if employee_number.len() > 50 {
        return Err(invalid("employeeNumber", "must be at most 50 characters"));
    }
    let name = required("name", &body.name)?;
    let nik = domain::nik(&body.nik)?;
    let birth = domain::required_date("birthDate", &body.birth_date)?;
    let join = domain::required_date("joinDate", &body.join_date)?;
    if join < birth {
        return Err(invalid("joinDate", "must not be before birthDate"));
    }
    let salary = domain::amount("salary", body.salary)?.ok_or_else(|| invalid("salary", "is required"))?;
    let minimum_wage = domain::amount("minimumWage", body.minimum_wage)?;
    let status = optional(&body.status).unwrap_or_else(|| "ACTIVE".into());
    if status != "ACTIVE" && status != "INACTIVE" {
        return Err(invalid("status", "must be ACTIVE or INACTIVE"));
    }
    Ok(Employee {
        id,
        employee_number,
        name,
        nik,
        birth_date: birth.to_string(),
        join_date: join.to_string(),
        salary,
        minimum_wage,
        status,
    })
}

/// Creates an employee.
#[utoipa::path(post, path = "/employees", tag = "hr", request_body = EmployeeRequest, params(TenantHeader),
    security(("oauth2" = [])),
    responses(CallerRefusals, (status = 201, description = "Created", body = Employee), (status = 409, description = "employeeNumber already used", body = ErrorBody)))]
pub async fn create_employee(
    State(state): State<HrCtx>,
    caller: Caller,
    Json(body): Json<EmployeeRequest>,
) -> AppResult<(StatusCode, Json<Employee>)> {
    let employee = parse_employee(uuid::Uuid::new_v4().to_string(), body)?;
    let now = state.kernel.clock.now().to_rfc3339();
    let join = employee.join_date.clone();
    if !store_versions::save_employee(&state.kernel.db, &caller.tenant, &employee, &now, true, &join).await? {
        return Err(AppError::Conflict(
            "employeeNumber: already used by another employee".into(),
        ));
    }
    Ok((StatusCode::CREATED, Json(employee)))
}

/// The tenant's employee, or 404.
pub async fn employee_or_404(state: &HrCtx, tenant: &str, id: &str) -> AppResult<Employee> {
    store::employee(&state.kernel.db, tenant, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Employee {id} not found")))
}

/// One employee.
#[utoipa::path(get, path = "/employees/{employeeId}", tag = "hr", params(("employeeId" = String, Path), TenantHeader),
    security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = Employee), (status = 404, description = "No such record in the tenant", body = ErrorBody)))]
pub async fn get_employee(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(id): Path<String>,
) -> AppResult<Json<Employee>> {
    Ok(Json(employee_or_404(&state, &caller.tenant, &id).await?))
}

/// Updates an employee (the whole record).
#[utoipa::path(put, path = "/employees/{employeeId}", tag = "hr", request_body = EmployeeRequest, params(("employeeId" = String, Path), TenantHeader),
    security(("oauth2" = [])),
    responses(CallerRefusals, (status = 200, description = "OK", body = Employee), (status = 404, description = "No such record in the tenant", body = ErrorBody), (status = 409, description = "The code or employee number is already used", body = ErrorBody)))]
pub async fn update_employee(
    State(state): State<HrCtx>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<EmployeeRequest>,
) -> AppResult<Json<Employee>> {
    employee_or_404(&state, &caller.tenant, &id).await?;
    let today = crate::kernel::clock::today_jakarta(state.kernel.clock.as_ref());
    let from = domain::optional_date("salaryEffectiveDate", &body.salary_effective_date)?.unwrap_or(today);
    let employee = parse_employee(id, body)?;
    let now = state.kernel.clock.now().to_rfc3339();
    let from = from.to_string();
    if !store_versions::save_employee(&state.kernel.db, &caller.tenant, &employee, &now, false, &from).await? {
        return Err(AppError::Conflict(
            "employeeNumber: already used by another employee".into(),
        ));
    }
    Ok(Json(employee))
}
