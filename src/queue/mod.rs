//! BPJS Antrean RS, the hospital queue web service (specs/antrean-rs.txt and the routes of
//! the domain notes), mounted at `/antreanrs`.
//!
//! Every route is signed (`x-cons-id`, `x-timestamp`, `x-signature`, `user_key`); the
//! consumer's hospital (kode PPK) scopes everything it sees and changes. Answers use the
//! Antrean envelope `{"metadata":{"code":200,"message":"Ok"}}` (lower-case, numeric code);
//! lists BPJS encrypts are encrypted with the request's key, dashboards are not.

pub mod dashboard;
pub mod demo;
pub mod domain;
pub mod handlers;
pub mod import;
pub mod import_libur;
pub mod kode_booking;
pub mod ref_handlers;
pub mod store;
pub mod store_libur;
pub mod store_read;
pub mod store_ref;
pub mod tasks;
pub mod wire;

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kernel::auth::bpjs::SignedRequest;
use crate::kernel::bpjs_crypto;
use crate::kernel::db::Db;
use crate::kernel::envelope;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Json;
use crate::kernel::import::ImportSummary;
use crate::kernel::{Ctx, Kernel};

use domain::Refusal;
use wire::{EncryptedAnswer, Metadata, MetadataOnly};

/// `[queue]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueConfig {
    /// Capacity of a schedule session created by `updatejadwaldokter` (which carries none).
    pub default_kapasitas: i64,
    /// How many days ahead `antrean/pendaftaran/aktif` lists (today included).
    pub pendaftaran_days: i64,
    /// The most bookings one `antrean/pendaftaran/...` list answers.
    pub pendaftaran_limit: i64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            default_kapasitas: 30,
            pendaftaran_days: 30,
            pendaftaran_limit: 1000,
        }
    }
}

/// Antrean RS's context: the kernel and [`Queue`].
pub type QueueCtx = Ctx<Queue>;

/// Builds the family's context from the kernel and its `[queue]` section.
pub fn context(kernel: Kernel, config: QueueConfig) -> QueueCtx {
    Ctx::new(
        kernel,
        Queue {
            config,
            known_references: RwLock::default(),
        },
    )
}

/// How long a passed reference check of `antrean/add` is trusted without the database.
const REFERENCES_TTL: Duration = Duration::from_secs(5);

/// The key of a passed reference check: hospital, subspecialty, doctor, date, session.
type ReferenceKey = (String, String, i64, String, String);

/// Passed reference checks with when they passed and the session's capacity, and the
/// generation of the references they were read at.
type KnownReferences = (u64, HashMap<ReferenceKey, (Instant, i64)>);

/// This family's own part of its context: its configuration and its in-memory state (the
/// data itself lives in the database).
#[derive(Debug)]
pub struct Queue {
    /// The `[queue]` section.
    pub config: QueueConfig,
    /// Reference checks that passed (poli, doctor and schedule exist), with when, and the
    /// generation of the references they were read at (see [`Queue::references`]).
    known_references: RwLock<KnownReferences>,
}

impl Queue {
    /// The references a booking needs ([`store::references`]). A check that passed is
    /// remembered for [`REFERENCES_TTL`], so a busy booking day does not read the same
    /// schedule for every booking; one that failed is always asked again. A schedule change
    /// in this process ([`Queue::forget_references`]) takes effect at once, one made by
    /// another process within the TTL.
    pub async fn references(
        &self,
        db: &Db,
        ppk: &str,
        kodepoli: &str,
        kodedokter: i64,
        tanggal: chrono::NaiveDate,
        jampraktek: &str,
    ) -> sqlx::Result<store_ref::References> {
        let day = tanggal.format("%Y-%m-%d").to_string();
        let key: ReferenceKey = (
            ppk.to_string(),
            kodepoli.to_string(),
            kodedokter,
            day,
            jampraktek.to_string(),
        );
        let generation = {
            let known = self.known_references.read().expect("references lock");
            if let Some((at, kapasitas)) = known.1.get(&key) {
                if at.elapsed() < REFERENCES_TTL {
                    return Ok(store_ref::References {
                        poli: true,
                        dokter: true,
                        jadwal: true,
                        kapasitas: Some(*kapasitas),
                        libur: None,
                    });
                }
            }
            known.0
        };
        let refs = store_ref::references(db, ppk, kodepoli, kodedokter, tanggal, jampraktek).await?;
        if let (true, true, true, Some(kapasitas), None) =
            (refs.poli, refs.dokter, refs.jadwal, refs.kapasitas, &refs.libur)
        {
            let mut known = self.known_references.write().expect("references lock");
            // A change made while the check ran may have made it stale: do not remember it.
            if known.0 == generation {
                if known.1.len() > 10_000 {
                    known.1.clear();
                }
                known.1.insert(key, (Instant::now(), kapasitas));
            }
        }
        Ok(refs)
    }

    /// Forgets every remembered reference check (after a schedule or reference change).
    pub fn forget_references(&self) {
        let mut known = self.known_references.write().expect("references lock");
        known.0 += 1;
        known.1.clear();
    }
}

/// The family's routes and their OpenAPI operations from one list, mounted at `/antreanrs`
/// with its envelope.
pub fn router() -> OpenApiRouter<QueueCtx> {
    let routes = OpenApiRouter::with_openapi(QueueDoc::openapi())
        .routes(routes!(ref_handlers::ref_poli))
        .routes(routes!(ref_handlers::ref_dokter))
        .routes(routes!(ref_handlers::jadwal_dokter))
        .routes(routes!(ref_handlers::update_jadwal))
        .routes(routes!(handlers::add))
        .routes(routes!(handlers::farmasi_add))
        .routes(routes!(handlers::update_waktu))
        .routes(routes!(handlers::batal))
        .routes(routes!(handlers::get_list_task))
        .routes(routes!(handlers::pendaftaran_tanggal))
        .routes(routes!(handlers::pendaftaran_kodebooking))
        .routes(routes!(handlers::pendaftaran_aktif))
        .routes(routes!(handlers::pendaftaran_jadwal))
        .routes(routes!(dashboard::per_day))
        .routes(routes!(dashboard::per_month))
        // OpenApiRouter has no method-not-allowed fallback: answer axum's bare 405 in the envelope.
        .layer(axum::middleware::map_response(method_not_allowed));
    envelope::mount_api("/antreanrs", routes, "queue", render)
}

/// A known path with the wrong method (axum's bare 405), answered in the Antrean envelope.
async fn method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED || response.extensions().get::<AppError>().is_some() {
        return response;
    }
    let allow = response.headers().get(axum::http::header::ALLOW).cloned();
    let body = MetadataOnly {
        metadata: Metadata {
            message: "Metode HTTP tidak diizinkan untuk alamat ini".to_string(),
            code: 405,
        },
    };
    let mut answer = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(axum::http::header::ALLOW, allow);
    }
    answer
}

/// Renders an error in the Antrean envelope. Refusals of well-formed requests are HTTP 200
/// with their code in `metadata.code` (201, or 208 for a duplicate), as BPJS answers them.
pub fn render(err: &AppError, _now: chrono::DateTime<chrono::Utc>) -> Response {
    let (status, code) = match err {
        AppError::Rejected { code, .. } => (StatusCode::OK, code.parse::<i64>().unwrap_or(201)),
        AppError::Conflict(_) => (StatusCode::OK, 208),
        other => (other.status(), i64::from(other.status().as_u16())),
    };
    let body = MetadataOnly {
        metadata: Metadata {
            message: err.public_message(),
            code,
        },
    };
    (status, axum::Json(body)).into_response()
}

/// Verifies the BPJS signature headers against the server clock.
pub(crate) async fn authenticate(ctx: &QueueCtx, headers: &HeaderMap) -> AppResult<SignedRequest> {
    let kernel = &ctx.kernel;
    let now = kernel.clock.now().timestamp();
    kernel
        .bpjs_consumers
        .verify(&kernel.db, headers, now, crate::kernel::auth::bpjs::Service::Antrean)
        .await?
        .map_err(|e| AppError::Unauthorized(e.to_string()))
}

/// Parses a JSON body after authentication (so an unsigned caller learns nothing about shapes).
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_json::from_slice(body).map_err(|e| AppError::BadRequest(format!("JSON tidak valid: {e}")))
}

/// A refusal as the error the envelope renders.
pub(crate) fn refuse(refusal: Refusal) -> AppError {
    AppError::rejected(refusal.code.to_string(), refusal.message)
}

/// `{"metadata":{"message":"Ok","code":200}}`.
pub(crate) fn ok() -> Json<MetadataOnly> {
    Json(MetadataOnly {
        metadata: Metadata::ok(),
    })
}

/// Answers longer than this are compressed and encrypted on the blocking pool: LZ-string
/// and AES of a long list take milliseconds of CPU, which would stall an async worker and
/// every request queued behind it.
const BLOCKING_ABOVE: usize = 16 * 1024;

/// An answer whose `response` is `value` as JSON, encrypted with the request's key.
pub(crate) async fn encrypted<T: Serialize>(signed: &SignedRequest, value: &T) -> AppResult<Json<EncryptedAnswer>> {
    let text = serde_json::to_string(value).map_err(|e| AppError::internal_from("serialise response", e))?;
    let key = signed.response_key();
    let response = if text.len() > BLOCKING_ABOVE {
        tokio::task::spawn_blocking(move || bpjs_crypto::encrypt_response(&key, &text))
            .await
            .map_err(|e| AppError::internal_from("encrypt response", e))?
    } else {
        bpjs_crypto::encrypt_response(&key, &text)
    };
    Ok(Json(EncryptedAnswer {
        response,
        metadata: Metadata::ok(),
    }))
}

/// The family's components and tag; its paths come from [`router`]'s one route list.
#[derive(OpenApi)]
#[openapi(
    components(schemas(
        wire::Metadata,
        wire::MetadataOnly,
        wire::EncryptedAnswer,
        wire::EncryptedOrRefusal,
        wire::DashboardOrRefusal,
        wire::AddAntrean,
        wire::UpdateWaktu,
        wire::Batal,
        wire::FarmasiAdd,
        wire::GetListTask,
        wire::JadwalHari,
        wire::UpdateJadwal,
        wire::RefPoli,
        wire::RefDokter,
        wire::JadwalDokter,
        wire::TaskItem,
        wire::Pendaftaran,
        wire::DashboardRow,
        wire::DashboardList,
        wire::DashboardAnswer,
    )),
    tags((name = "queue", description = "BPJS Antrean RS web service (signed with X-cons-id, X-timestamp, X-signature, user_key)"))
)]
struct QueueDoc;

/// Loads the demo hospitals' polis, doctors and weekly schedules (idempotent).
pub async fn load_demo(ctx: &QueueCtx, ppk: &str, ppk_2: &str) -> anyhow::Result<()> {
    demo::load(&ctx.kernel.db, ppk, ppk_2).await
}

/// Imports `antrean-jadwal` (a hospital's polis, doctors and schedule sessions) or
/// `antrean-libur` (holidays) from `file`.
pub async fn import(ctx: &QueueCtx, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    match dataset {
        import::DATASET => Some(import::jadwal(ctx, file).await),
        import_libur::DATASET => Some(import_libur::libur(ctx, file).await),
        _ => None,
    }
}
