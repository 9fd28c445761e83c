//! The operators' console under `/console`: the people behind each partner (hospital queue
//! staff, HR admins, PPOB operators, underwriters, broker operators, administrators) log in
//! with a name and a password, get one role and one scope, and see server-rendered pages.
//!
//! The kernel owns what every page shares: operators and their roles ([`Role`],
//! [`Operator`]), sessions in the database (so every replica knows them), the CSRF check on
//! every form, the login page, the layout, charts and the console's error page. Each family
//! mounts its own pages (`console_router()`), reads the [`Operator`] the session layer put on
//! the request, and asks it for its scope ([`Operator::scope_for`]): an operator of another
//! role or scope never reaches the family's data.
//!
//! Sessions are our own (about 150 lines) rather than `tower-sessions`: its SQL stores need a
//! concrete sqlx pool, and ours is `sqlx::Any` over SQLite and PostgreSQL alike.

pub mod chart;
pub mod csrf;
pub mod error;
pub mod layout;
pub mod login;
pub mod operators;
pub mod session;
mod store;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::kernel::error::AppError;
use crate::kernel::{envelope, Kernel};

pub use self::error::{ConsoleError, ConsoleResult};
pub use self::layout::{csrf_field, page};
pub use self::session::Operator;

/// The whole console: the shared routes ([`login::router`]) and the families' `pages`
/// behind the session layer, journaled under `console` with the operator as actor, with
/// control characters refused and unknown console paths answered by the console's 404.
pub fn mount<S: Clone + Send + Sync + 'static>(kernel: Kernel, pages: Router<S>) -> Router<S> {
    pages
        .merge(login::router().with_state(kernel.clone()))
        .route("/console/{*rest}", axum::routing::any(unknown_page))
        .layer(middleware::from_fn_with_state(kernel, session::layer))
        .layer(middleware::from_fn(envelope::refuse_controls))
        .layer(middleware::map_response(render_app_error))
        .layer(middleware::from_fn(|req: Request, next: Next| {
            envelope::journal("console", req, next)
        }))
}

/// A console path no page answers: the console's 404, in the operator's frame (their menu
/// and logout stay at hand).
async fn unknown_page(operator: Operator) -> Response {
    let body = maud::html! { p.notice { "Halaman ini tidak ada. Pilih halaman dari menu di atas." } };
    let mut response = layout::page(&operator, "Tidak ditemukan", body);
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    response
}

/// An [`AppError`] a kernel layer answered with (a control character) as a console page.
async fn render_app_error(mut response: Response) -> Response {
    match response.extensions_mut().remove::<AppError>() {
        Some(err) => ConsoleError::Internal(err).into_response(),
        None => response,
    }
}

/// The console's settings (`[console]` in the configuration file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsoleConfig {
    /// A session unused for this long ends (seconds; default 30 minutes).
    pub idle_secs: u64,
    /// A session ends this long after login, used or not (seconds; default 12 hours).
    pub max_age_secs: u64,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            idle_secs: 30 * 60,
            max_age_secs: 12 * 60 * 60,
        }
    }
}

/// What an operator is for. Scoped roles carry one scope: the partner whose data they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Hospital queue staff; scope: the hospital's `kode_ppk`.
    Hospital,
    /// An employer's HR administrator; scope: the HR tenant.
    HrAdmin,
    /// The PPOB aggregator's operator (one aggregator: no scope).
    PpobOperator,
    /// An insurer's underwriter; scope: the insurance panel code (`A03`).
    Underwriter,
    /// The broker's operator (one broker: no scope).
    BrokerOperator,
    /// Runs the server: outbox, journal, credentials, upstream health (no scope).
    Administrator,
}

impl Role {
    /// Every role, in the order the CLI lists them.
    pub const ALL: [Role; 6] = [
        Role::Hospital,
        Role::HrAdmin,
        Role::PpobOperator,
        Role::Underwriter,
        Role::BrokerOperator,
        Role::Administrator,
    ];

    /// The role's name on the command line and in the database (`hr-admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hospital => "hospital",
            Role::HrAdmin => "hr-admin",
            Role::PpobOperator => "ppob-operator",
            Role::Underwriter => "underwriter",
            Role::BrokerOperator => "broker-operator",
            Role::Administrator => "administrator",
        }
    }

    /// The role named `name` (as [`Role::as_str`] spells it).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Whether an operator of this role must have a scope (and which kind, for messages).
    pub fn scope_kind(self) -> Option<&'static str> {
        match self {
            Role::Hospital => Some("kode_ppk"),
            Role::HrAdmin => Some("tenant"),
            Role::Underwriter => Some("panel code"),
            Role::PpobOperator | Role::BrokerOperator | Role::Administrator => None,
        }
    }

    /// The role's name as the people in it say it (shown in the page header).
    pub fn label(self) -> &'static str {
        match self {
            Role::Hospital => "Petugas Rumah Sakit",
            Role::HrAdmin => "Admin HR",
            Role::PpobOperator => "Operator PPOB",
            Role::Underwriter => "Underwriter",
            Role::BrokerOperator => "Operator Pialang",
            Role::Administrator => "Administrator",
        }
    }

    /// The role's pages in the navigation: (path, label). The first is the role's home.
    pub fn menu(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Role::Hospital => &[
                ("/console/antrean", "Antrean hari ini"),
                ("/console/antrean/dashboard", "Waktu tunggu"),
                ("/console/peserta", "Pencarian peserta"),
            ],
            Role::HrAdmin => &[
                ("/console/hr/karyawan", "Karyawan"),
                ("/console/hr/iuran", "Laporan iuran"),
            ],
            Role::PpobOperator => &[
                ("/console/ppob/mitra", "Mitra"),
                ("/console/ppob/transaksi", "Transaksi"),
                ("/console/ppob/rekonsiliasi", "Rekonsiliasi"),
            ],
            Role::Underwriter => &[
                ("/console/asuransi/cbc", "Kasus CBC"),
                ("/console/asuransi/klaim", "Klaim"),
                ("/console/asuransi/pembatalan", "Pembatalan"),
            ],
            Role::BrokerOperator => &[
                ("/console/pialang/kasus", "Kasus"),
                ("/console/pialang/rekonsiliasi", "Rekonsiliasi"),
                ("/console/pialang/outbox", "Callback gagal"),
            ],
            Role::Administrator => &[
                ("/console/admin/outbox", "Outbox"),
                ("/console/admin/jurnal", "Jurnal"),
                ("/console/admin/kredensial", "Kredensial"),
                ("/console/admin/upstream", "Kesehatan upstream"),
            ],
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
