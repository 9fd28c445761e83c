//! The demo data set (`serve --demo`, `jembatan demo`) and the import dispatcher.

use std::path::Path;

use crate::app::AppState;
use crate::kernel::auth::bpjs::Consumer;
use crate::kernel::console::{operators, Role};
use crate::kernel::import::ImportSummary;
use crate::{hr, insurance, participant, ppob, queue};

/// The demo hospital's kode PPK (Antrean RS consumer 1234).
pub const DEMO_PPK: &str = "0101R001";
/// The second demo hospital's kode PPK (Antrean RS consumer 5678).
pub const DEMO_PPK_2: &str = "0101R002";

/// The demo's console operators, one per role (password [`DEMO_CONSOLE_PASSWORD`]).
pub const DEMO_OPERATORS: [(&str, Role, &str); 6] = [
    ("demo-admin", Role::Administrator, ""),
    ("demo-rs", Role::Hospital, DEMO_PPK),
    ("demo-hr", Role::HrAdmin, "demo"),
    ("demo-ppob", Role::PpobOperator, ""),
    ("demo-uw", Role::Underwriter, "A03"),
    ("demo-pialang", Role::BrokerOperator, ""),
];
/// The demo console operators' password (published: demo only).
pub const DEMO_CONSOLE_PASSWORD: &str = "demo-console-pass";

/// The advisory lock key under which demo data is loaded ("JMBDEMO" in ASCII).
const DEMO_LOCK: i64 = 0x004a_4d42_4445_4d4f;

/// Loads the demo data of every family. Idempotent: running it twice changes nothing, and
/// several replicas starting with `--demo` on one PostgreSQL database load it one after
/// another (an advisory lock), so their read-then-write seeding does not collide.
pub async fn load(state: &AppState) -> anyhow::Result<()> {
    state.db.exclusively(DEMO_LOCK, load_unlocked(state)).await
}

async fn load_unlocked(state: &AppState) -> anyhow::Result<()> {
    for consumer in [
        Consumer {
            cons_id: "1234".into(),
            secret: "pwd".into(),
            vclaim_user_key: "demo-user-key".into(),
            antrean_user_key: "demo-antrean-key".into(),
            kode_ppk: DEMO_PPK.into(),
        },
        Consumer {
            cons_id: "5678".into(),
            secret: "pwd2".into(),
            vclaim_user_key: "demo-user-key-2".into(),
            antrean_user_key: "demo-antrean-key-2".into(),
            kode_ppk: DEMO_PPK_2.into(),
        },
    ] {
        state.kernel.bpjs_consumers.upsert(&state.db, &consumer).await?;
    }
    participant::load_demo(&state.participant).await?;
    queue::load_demo(&state.queue, DEMO_PPK, DEMO_PPK_2).await?;
    hr::load_demo(&state.hr).await?;
    ppob::load_demo(&state.ppob).await?;
    insurance::panel::demo::load(&state.panels).await?;
    insurance::broker::demo::load(&state.broker).await?;
    operators::ensure(&state.kernel, &DEMO_OPERATORS, DEMO_CONSOLE_PASSWORD).await?;
    Ok(())
}

/// The data key of a demo: the one kept in `<data_dir>/demo-data-key`, made on first use.
/// A demo must reopen what it sealed last time, so the key outlives the process; production
/// sets `JEMBATAN_DATA_KEY` instead.
pub fn demo_data_key(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("demo-data-key");
    if let Ok(key) = std::fs::read_to_string(&path) {
        eprintln!(
            "demo: JEMBATAN_DATA_KEY not set, using the demo data key in {}",
            path.display()
        );
        return Ok(key.trim().to_string());
    }
    std::fs::create_dir_all(data_dir)?;
    let key = crate::kernel::keys::Keys::generate_b64();
    std::fs::write(&path, &key)?;
    eprintln!(
        "demo: JEMBATAN_DATA_KEY not set, made a demo data key in {} (production: set JEMBATAN_DATA_KEY)",
        path.display()
    );
    Ok(key)
}

/// Prints the demo credentials (the README lists the same).
pub fn print_credentials(state: &AppState) {
    let base = state.config.public_base_url();
    println!(
        "Demo data loaded. Credentials:
  participant proxy      Authorization: Bearer demo-hospital-token   ({base}/api/v1/bpjs/nokartu/0011336526592)
  VClaim simulator       cons-id 1234, secret pwd, user_key demo-user-key (second hospital: 5678 / pwd2 / demo-user-key-2)
  Antrean RS             cons-id 1234, secret pwd, user_key demo-antrean-key (second hospital: 5678 / pwd2 / demo-antrean-key-2)
  HR                     OAuth2 client demo-client / demo-secret, header Tenant: demo   ({base}/oauth/token)
  PPOB                   memberid DEMO01, memberpass demo-pass, memberpin 123456   ({base}/ppob)
  insurance panels       HTTP Basic aap / aap-secret   ({base}/asuransi/A03)
  panel underwriters     HTTP Basic uw-A02, uw-A03, uw-B02 / uw-secret   ({base}/asuransi/A03/admin)
  broker callbacks       HTTP Basic panel-A03 / panel-secret   ({base}/aap)
  broker, bank-facing    HTTP Basic bank / bank-secret   ({base}/aap/bank)
  operators' console     {base}/console: demo-admin, demo-rs ({DEMO_PPK}), demo-hr (tenant demo), demo-ppob,
                         demo-uw (panel A03), demo-pialang; password {DEMO_CONSOLE_PASSWORD}"
    );
}

/// Imports `file` into `dataset`, asking each family in turn whose data set it is.
pub async fn import(state: &AppState, dataset: &str, file: &Path) -> anyhow::Result<ImportSummary> {
    if let Some(result) = participant::import(&state.participant, dataset, file).await {
        return result;
    }
    if let Some(result) = queue::import(&state.queue, dataset, file).await {
        return result;
    }
    if let Some(result) = hr::import(&state.hr, dataset, file).await {
        return result;
    }
    if let Some(result) = ppob::import(&state.ppob, dataset, file).await {
        return result;
    }
    if dataset == "panels" {
        return insurance::panel::store::import_panels(&state.panels, file).await;
    }
    if dataset == "broker-panels" {
        return insurance::broker::directory::import(&state.broker, file).await;
    }
    anyhow::bail!(
        "unknown data set {dataset:?} (known: participants, antrean-jadwal, antrean-libur, employees, hr-clients, bills, panels, broker-panels)"
    )
}
