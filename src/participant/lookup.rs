//! Where a participant comes from: the local registry (mode `local`).

use chrono::NaiveDate;

use crate::app::AppState;
use crate::kernel::error::{AppError, AppResult};

use super::domain::Identifier;
use super::handlers::REFUSED;
use super::store;
use super::wire::Peserta;

/// The message when no participant matches.
pub const NOT_FOUND: &str = "Data Peserta Tidak Ditemukan";

/// Finds the participant `id` for a service on `service_date`.
pub async fn find(state: &AppState, id: &Identifier, _service_date: NaiveDate) -> AppResult<Peserta> {
    let cache = &state.participant.registry;
    if let Some(peserta) = cache.get(id) {
        return Ok(peserta.as_ref().clone());
    }
    let found = match id {
        Identifier::Kartu(no) => store::by_kartu(&state.db, no).await?,
        Identifier::Nik(nik) => store::by_nik(&state.db, nik).await?,
    };
    let peserta = found.ok_or_else(|| AppError::rejected(REFUSED, NOT_FOUND))?;
    cache.put(id.clone(), std::sync::Arc::new(peserta.clone()));
    Ok(peserta)
}
