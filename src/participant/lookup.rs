//! Where a participant comes from: the local registry (mode `local`) or BPJS VClaim
//! through the read-through cache (mode `vclaim`).

use chrono::NaiveDate;

use crate::app::AppState;
use crate::kernel::error::{AppError, AppResult};

use super::domain::Identifier;
use super::handlers::REFUSED;
use super::wire::Peserta;
use super::{store, Mode};

/// The message when no participant matches.
pub const NOT_FOUND: &str = "Data Peserta Tidak Ditemukan";

/// Finds the participant `id` for a service on `service_date`, from wherever this
/// deployment is configured to look. `correlation_id` ties an upstream call's journal
/// row to the hospital's request.
pub async fn find(
    state: &AppState,
    id: &Identifier,
    service_date: NaiveDate,
    correlation_id: &str,
) -> AppResult<Peserta> {
    match state.config.participant.mode {
        Mode::Local => local(state, id).await,
        Mode::Vclaim => vclaim(state, id, service_date, correlation_id).await,
    }
}

/// The participant from this server's registry.
pub async fn local(state: &AppState, id: &Identifier) -> AppResult<Peserta> {
    let found = match id {
        Identifier::Kartu(no) => store::by_kartu(&state.db, no).await?,
        Identifier::Nik(nik) => store::by_nik(&state.db, nik).await?,
    };
    found.ok_or_else(|| AppError::rejected(REFUSED, NOT_FOUND))
}

/// The participant from BPJS, served from the cache while fresh.
async fn vclaim(
    state: &AppState,
    id: &Identifier,
    service_date: NaiveDate,
    correlation_id: &str,
) -> AppResult<Peserta> {
    let key = (id.clone(), service_date);
    if let Some(peserta) = state.participant.cache.get(&key) {
        return Ok(peserta);
    }
    let upstream = state
        .participant
        .upstream
        .as_ref()
        .ok_or_else(|| AppError::Internal("participant mode vclaim without an upstream client".to_string()))?;
    let peserta = upstream.lookup(state, id, service_date, correlation_id).await?;
    state.participant.cache.insert(key, &peserta);
    Ok(peserta)
}
