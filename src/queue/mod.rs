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
pub mod queries;
pub mod ref_handlers;
pub mod reference;
pub mod store;
pub mod tasks;
pub mod wire;

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use crate::app::AppState;
use crate::config::Config;
use crate::kernel::auth::bpjs::SignedRequest;
use crate::kernel::bpjs_crypto;
use crate::kernel::envelope;
use crate::kernel::error::{AppError, AppResult};
use crate::kernel::extract::Json;
use crate::kernel::import::ImportSummary;

use domain::Refusal;
use wire::{EncryptedAnswer, Metadata, MetadataOnly};

/// `[queue]` configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueConfig {
    /// Capacity of a schedule session created by `updatejadwaldokter` (which carries none).
    pub default_kapasitas: i64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig { default_kapasitas: 30 }
    }
}

/// How long a passed reference check of `antrean/add` is trusted without the database.
const REFERENCES_TTL: Duration = Duration::from_secs(5);

/// The key of a passed reference check: hospital, subspecialty, doctor, weekday.
type ReferenceKey = (String, String, i64, i64);

/// This family's in-memory state (the data itself lives in the database).
#[derive(Debug, Default)]
pub struct QueueState {
    /// Reference checks that passed (poli, doctor and schedule exist), with when, and the
    /// generation of the references they were read at (see [`QueueState::references`]).
    known_references: RwLock<(u64, HashMap<ReferenceKey, Instant>)>,
}

impl QueueState {
    /// Builds the state from the configuration.
    pub fn new(_config: &Config) -> anyhow::Result<Self> {
        Ok(Self::default())
    }

    /// The references a booking needs ([`store::references`]). A check that passed is
    /// remembered for [`REFERENCES_TTL`], so a busy booking day does not read the same
    /// schedule for every booking; one that failed is always asked again. A schedule change
    /// in this process ([`QueueState::forget_references`]) takes effect at once, one made by
    /// another process within the TTL.
    pub async fn references(
        &self,
        db: &crate::kernel::db::Db,
        ppk: &str,
        kodepoli: &str,
        kodedokter: i64,
        hari: i64,
    ) -> sqlx::Result<store::References> {
        let key: ReferenceKey = (ppk.to_string(), kodepoli.to_string(), kodedokter, hari);
        let generation = {
            let known = self.known_references.read().expect("references lock");
            if known.1.get(&key).is_some_and(|at| at.elapsed() < REFERENCES_TTL) {
                return Ok(store::References {
                    poli: true,
                    dokter: true,
                    jadwal: true,
                });
            }
            known.0
        };
        let refs = store::references(db, ppk, kodepoli, kodedokter, hari).await?;
        if refs.poli && refs.dokter && refs.jadwal {
            let mut known = self.known_references.write().expect("references lock");
            // A change made while the check ran may have made it stale: do not remember it.
            if known.0 == generation {
                if known.1.len() > 10_000 {
                    known.1.clear();
                }
                known.1.insert(key, Instant::now());
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

/// The family's routes, mounted at `/antreanrs` with its envelope.
pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/ref/poli", get(ref_handlers::ref_poli))
        .route("/ref/dokter", get(ref_handlers::ref_dokter))
        .route(
            "/jadwaldokter/kodepoli/{kodepoli}/tanggal/{tanggal}",
            get(ref_handlers::jadwal_dokter),
        )
        .route("/jadwaldokter/updatejadwaldokter", post(ref_handlers::update_jadwal))
        .route("/antrean/add", post(handlers::add))
        .route("/antrean/farmasi/add", post(handlers::farmasi_add))
        .route("/antrean/updatewaktu", post(handlers::update_waktu))
        .route("/antrean/batal", post(handlers::batal))
        .route("/antrean/getlisttask", post(handlers::get_list_task))
        .route(
            "/antrean/pendaftaran/tanggal/{tanggal}",
            get(handlers::pendaftaran_tanggal),
        )
        .route(
            "/antrean/pendaftaran/kodebooking/{kodebooking}",
            get(handlers::pendaftaran_kodebooking),
        )
        .route("/antrean/pendaftaran/aktif", get(handlers::pendaftaran_aktif))
        .route(
            "/antrean/pendaftaran/kodepoli/{kodepoli}/kodedokter/{kodedokter}/hari/{hari}/jampraktek/{jampraktek}",
            get(handlers::pendaftaran_jadwal),
        )
        .route(
            "/dashboard/waktutunggu/tanggal/{tanggal}/waktu/{waktu}",
            get(dashboard::per_day),
        )
        .route(
            "/dashboard/waktutunggu/bulan/{bulan}/tahun/{tahun}/waktu/{waktu}",
            get(dashboard::per_month),
        )
        .method_not_allowed_fallback(method_not_allowed);
    envelope::mount("/antreanrs", routes, "queue", render)
}

/// A known path with the wrong method, answered in the Antrean envelope.
async fn method_not_allowed() -> Response {
    let body = MetadataOnly {
        metadata: Metadata {
            message: "Metode HTTP tidak diizinkan untuk alamat ini".to_string(),
            code: 405,
        },
    };
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}

/// Renders an error in the Antrean envelope. Refusals of well-formed requests are HTTP 200
/// with their code in `metadata.code` (201, or 208 for a duplicate), as BPJS answers them.
pub fn render(err: &AppError) -> Response {
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
pub(crate) async fn authenticate(state: &AppState, headers: &HeaderMap) -> AppResult<SignedRequest> {
    let now = state.clock.now().timestamp();
    state
        .bpjs_consumers
        .verify(&state.db, headers, now)
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

/// An answer whose `response` is `value` as JSON, encrypted with the request's key.
pub(crate) fn encrypted<T: Serialize>(signed: &SignedRequest, value: &T) -> AppResult<Json<EncryptedAnswer>> {
    let text = serde_json::to_string(value).map_err(|e| AppError::internal_from("serialise response", e))?;
    Ok(Json(EncryptedAnswer {
        response: bpjs_crypto::encrypt_response(&signed.response_key(), &text),
        metadata: Metadata::ok(),
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        ref_handlers::ref_poli,
        ref_handlers::ref_dokter,
        ref_handlers::jadwal_dokter,
        ref_handlers::update_jadwal,
        handlers::add,
        handlers::farmasi_add,
        handlers::update_waktu,
        handlers::batal,
        handlers::get_list_task,
        handlers::pendaftaran_tanggal,
        handlers::pendaftaran_kodebooking,
        handlers::pendaftaran_aktif,
        handlers::pendaftaran_jadwal,
        dashboard::per_day,
        dashboard::per_month,
    ),
    components(schemas(
        wire::Metadata,
        wire::MetadataOnly,
        wire::EncryptedAnswer,
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
    modifiers(&BpjsSignature),
    tags((name = "queue", description = "BPJS Antrean RS web service (signed with x-cons-id, x-timestamp, x-signature, user_key)"))
)]
struct QueueDoc;

/// Declares the `bpjs` security scheme the routes refer to.
struct BpjsSignature;

impl utoipa::Modify for BpjsSignature {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bpjs",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-signature",
                "BPJS signature: headers x-cons-id, x-timestamp (Unix seconds), \
                 x-signature = base64(HMAC-SHA256(secret, consId + \"&\" + timestamp)) and user_key",
            ))),
        );
    }
}

/// The family's OpenAPI paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    QueueDoc::openapi()
}

/// Loads the demo hospitals' polis, doctors and weekly schedules (idempotent).
pub async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    demo::load(state).await
}

/// Imports `antrean-jadwal` (a hospital's polis, doctors and schedule sessions) from `file`.
pub async fn import(state: &AppState, dataset: &str, file: &Path) -> Option<anyhow::Result<ImportSummary>> {
    if dataset != import::DATASET {
        return None;
    }
    Some(import::jadwal(state, file).await)
}
